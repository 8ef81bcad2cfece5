//! What each refusal of the storage tells the user, in every language: one exhaustive
//! `match` over (language, refusal), so a new refusal or language without its text does
//! not compile. A new refusal is its variant in `db/src/refusal.rs`, its texts here,
//! and the rule that throws it.

use db::Refusal::{self, *};

use super::Lang::{self, *};

pub fn text(lang: Lang, refusal: Refusal) -> &'static str {
    match (lang, refusal) {
        (En, NotFound) => "We could not find that.",
        (Zh, NotFound) => "找不到该内容。",
        (En, EmailTaken) => "An account with this email address already exists. Sign in instead.",
        (Zh, EmailTaken) => "该电子邮件地址已有账户,请直接登录。",
        (En, LinkInvalid) => "This link is no longer valid. It may have been used already or have expired.",
        (Zh, LinkInvalid) => "此链接已失效,可能已被使用或已过期。",
        (En, InvitationInvalid) => "This invitation is no longer valid.",
        (Zh, InvitationInvalid) => "此邀请已失效。",
        (En, AlreadyInvited) => "You have already invited this address, and the invitation is still open. Use Resend instead.",
        (Zh, AlreadyInvited) => "您已邀请过此地址,且邀请仍然有效。请使用“重新发送”。",
        (En, AlreadyConnected) => "You are already connected with this company.",
        (Zh, AlreadyConnected) => "您已与该公司建立关联。",
        (En, WrongAccountKind) => "Sellers connect with suppliers, and suppliers with sellers: an account of the inviter's own kind cannot accept this invitation.",
        (Zh, WrongAccountKind) => "卖家只能与供应商关联,供应商只能与卖家关联:与邀请方同类型的账户无法接受此邀请。",
        (En, WrongState) => "This step is not possible at the shipment's current stage. The page shows where it stands now.",
        (Zh, WrongState) => "货件当前所处阶段不允许此操作。页面显示了它当前的状态。",
        (En, NotConnected) => "You are not connected to this supplier. Connect in Settings › User Permissions first.",
        (Zh, NotConnected) => "您与该供应商尚未关联。请先在“设置 › 用户权限”中建立关联。",
        (En, Stale) => "This shipment was changed meanwhile (in another tab or by someone else). The page now shows the latest; check it and save again.",
        (Zh, Stale) => "此货件刚刚被修改(在其他标签页或由其他人)。页面已显示最新内容,请检查后重新保存。",
        (En, EmailNotVerified) => "Verify your email address first: follow the link we emailed you.",
        (Zh, EmailNotVerified) => "请先验证您的电子邮件地址:打开我们发给您的邮件中的链接。",
        (En, NothingLeft) => "That is more units of this item than are left to pack: nothing was added. The page shows what is left.",
        (Zh, NothingLeft) => "超出了该商品剩余待装箱的件数:未添加任何内容。页面显示了剩余件数。",
    }
}
