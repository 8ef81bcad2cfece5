//! Emails, rendered in the recipient's language as HTML and plain text. Every value
//! that came from a user is escaped in the HTML part.

use db::outbox::OutgoingEmail;

use crate::i18n::{t, tf, Lang, Msg};

pub struct VerifyEmail<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub company: &'a str,
    pub link: &'a str,
}

pub fn verify_email(lang: Lang, mail: &VerifyEmail<'_>) -> OutgoingEmail {
    let greeting = tf(lang, Msg::EmailVerifyGreeting, &[("name", mail.name)]);
    let body = tf(
        lang,
        Msg::EmailVerifyBody,
        &[("email", mail.to), ("company", mail.company)],
    );
    let paragraphs = [greeting, body];
    let after = [
        t(lang, Msg::EmailVerifyExpiry),
        t(lang, Msg::EmailIgnoreNote),
    ];
    let after: Vec<String> = after.iter().map(|s| s.to_string()).collect();
    render(
        lang,
        mail.to,
        t(lang, Msg::EmailVerifySubject),
        &paragraphs,
        (t(lang, Msg::EmailVerifyButton), mail.link),
        &after,
    )
}

/// A link to set a new password, to the address it was asked for.
pub struct PasswordReset<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub link: &'a str,
}

pub fn password_reset(lang: Lang, mail: &PasswordReset<'_>) -> OutgoingEmail {
    let paragraphs = [
        tf(lang, Msg::EmailVerifyGreeting, &[("name", mail.name)]),
        tf(lang, Msg::EmailResetBody, &[("email", mail.to)]),
    ];
    render(
        lang,
        mail.to,
        t(lang, Msg::EmailResetSubject),
        &paragraphs,
        (t(lang, Msg::EmailResetButton), mail.link),
        &[t(lang, Msg::EmailResetExpiry).to_owned()],
    )
}

/// Tells a user their password was changed (`at`, Unix seconds), and what to do if
/// they did not change it.
pub struct PasswordChanged<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub at: i64,
    pub sign_in_link: &'a str,
}

pub fn password_changed(lang: Lang, mail: &PasswordChanged<'_>) -> OutgoingEmail {
    let date = crate::text::format_time(mail.at);
    let paragraphs = [
        tf(lang, Msg::EmailVerifyGreeting, &[("name", mail.name)]),
        tf(
            lang,
            Msg::EmailPasswordChangedBody,
            &[("email", mail.to), ("date", &date)],
        ),
    ];
    render(
        lang,
        mail.to,
        t(lang, Msg::EmailPasswordChangedSubject),
        &paragraphs,
        (t(lang, Msg::EmailOpenSignIn), mail.sign_in_link),
        &[t(lang, Msg::EmailPasswordChangedWarning).to_owned()],
    )
}

/// What the invitee reads: who invites, what connecting allows, until when, the link.
pub struct Invitation<'a> {
    pub to: &'a str,
    pub to_contact: &'a str,
    pub to_company: &'a str,
    pub from_name: &'a str,
    pub from_company: &'a str,
    /// The inviter is a seller (so the invitee would be its supplier).
    pub from_seller: bool,
    pub expires_at: i64,
    pub link: &'a str,
}

pub fn invitation(lang: Lang, mail: &Invitation<'_>) -> OutgoingEmail {
    let role = t(
        lang,
        if mail.from_seller {
            Msg::RoleWordSupplier
        } else {
            Msg::RoleWordSeller
        },
    );
    let what = if mail.from_seller {
        Msg::InvitationWhatSellerInvites
    } else {
        Msg::InvitationWhatSupplierInvites
    };
    let date = crate::text::format_time(mail.expires_at);
    let paragraphs = [
        tf(lang, Msg::EmailVerifyGreeting, &[("name", mail.to_contact)]),
        tf(
            lang,
            Msg::InvitationFromText,
            &[
                ("name", mail.from_name),
                ("company", mail.from_company),
                ("to_company", mail.to_company),
                ("role", role),
            ],
        ),
        tf(lang, what, &[("company", mail.from_company)]),
    ];
    let after = [
        tf(
            lang,
            Msg::InvitationSentToText,
            &[("email", mail.to), ("date", &date)],
        ),
        tf(
            lang,
            Msg::EmailInviteIgnore,
            &[("company", mail.from_company)],
        ),
    ];
    render(
        lang,
        mail.to,
        &tf(
            lang,
            Msg::EmailInviteSubject,
            &[("company", mail.from_company)],
        ),
        &paragraphs,
        (t(lang, Msg::EmailInviteButton), mail.link),
        &after,
    )
}

/// A short notice to one person about a connection, with a link to User Permissions.
pub fn notice(
    lang: Lang,
    to: &str,
    subject: String,
    body: String,
    permissions_link: &str,
) -> OutgoingEmail {
    render(
        lang,
        to,
        &subject,
        &[body],
        (t(lang, Msg::EmailOpenPermissions), permissions_link),
        &[],
    )
}

/// A notice about a shipment: what happened, its details line by line, and a link
/// to the shipment's page.
pub struct ShipmentMail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub lines: Vec<String>,
    pub link: &'a str,
}

pub fn shipment_notice(lang: Lang, mail: &ShipmentMail<'_>) -> OutgoingEmail {
    render(
        lang,
        mail.to,
        &mail.subject,
        &mail.lines,
        (t(lang, Msg::EmailOpenShipment), mail.link),
        &[],
    )
}

fn render(
    lang: Lang,
    to: &str,
    subject: &str,
    before: &[String],
    (button, link): (&str, &str),
    after: &[String],
) -> OutgoingEmail {
    let footer = t(lang, Msg::EmailFooter);
    let mut text = String::new();
    for p in before {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{button}:\n{link}\n\n"));
    for p in after {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text.push_str(&format!("-- \n{footer}\n"));

    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;\
         color:#1d2733;line-height:1.5;max-width:560px;margin:0 auto;padding:24px\">",
        lang.html_tag(),
        escape(subject)
    );
    for p in before {
        html.push_str(&format!("<p>{}</p>", escape(p)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"display:inline-block;background:#0b5cad;color:#fff;\
         padding:10px 18px;border-radius:6px;text-decoration:none\">{}</a></p>\
         <p style=\"font-size:13px;color:#52606d\">{}</p>",
        escape(link),
        escape(button),
        escape(link)
    ));
    for p in after {
        html.push_str(&format!(
            "<p style=\"font-size:13px;color:#52606d\">{}</p>",
            escape(p)
        ));
    }
    html.push_str(&format!(
        "<hr style=\"border:none;border-top:1px solid #d9e2ec\"><p style=\"font-size:12px;color:#7b8794\">{}</p></body></html>",
        escape(footer)
    ));
    OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let mail = verify_email(
            Lang::En,
            &VerifyEmail {
                to: "ann@example.com",
                name: "<script>alert(1)</script>",
                company: "A & B",
                link: "http://127.0.0.1:3000/verify-email?token=abc",
            },
        );
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.html.contains("A &amp; B"));
        assert!(mail.text.contains("<script>alert(1)</script>"));
        assert!(mail
            .text
            .contains("http://127.0.0.1:3000/verify-email?token=abc"));
    }

    #[test]
    fn emails_come_in_the_recipients_language() {
        let args = VerifyEmail {
            to: "wang@example.cn",
            name: "王芳",
            company: "好运贸易",
            link: "http://x.test/v",
        };
        let zh = verify_email(Lang::Zh, &args);
        assert_eq!(zh.subject, "验证您在供应链关联的电子邮件地址");
        assert!(zh.html.contains("lang=\"zh-CN\""));
        assert!(zh.text.contains("王芳,您好"));
    }
}
