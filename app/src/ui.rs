//! Small pieces every page uses: the session context, error alerts, submit buttons.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::auth::{
    whoami, Me, ResendVerification, ResetPassword, SetLanguage, SignIn, SignOut, SignUp,
    VerifyEmail,
};
use crate::error::AppError;
use crate::i18n::{use_i18n, I18n, Lang, Msg};

/// Who is signed in, and the actions that change it. `me` is fetched again whenever
/// one of them completes, so every part of the page agrees without a reload.
/// The latest outcome of one action, for a page's alert.
pub type Outcome = Box<dyn Fn() -> Option<Result<(), AppError>> + Send + Sync>;

#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Me>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub verify: ServerAction<VerifyEmail>,
    pub resend: ServerAction<ResendVerification>,
    pub set_language: ServerAction<SetLanguage>,
    pub reset_password: ServerAction<ResetPassword>,
    /// Bumped by anything else that signs someone in (an invitation's sign-up).
    epoch: RwSignal<u32>,
}

impl Session {
    pub fn provide(i18n: I18n) -> Session {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_up = ServerAction::<SignUp>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let verify = ServerAction::<VerifyEmail>::new();
        let resend = ServerAction::<ResendVerification>::new();
        let set_language = ServerAction::<SetLanguage>::new();
        let reset_password = ServerAction::<ResetPassword>::new();
        let epoch = RwSignal::new(0u32);
        let me = Resource::new(
            move || {
                (
                    epoch.get(),
                    sign_in.version().get(),
                    sign_up.version().get(),
                    sign_out.version().get(),
                    verify.version().get(),
                    set_language.version().get(),
                    reset_password.version().get(),
                )
            },
            |_| whoami(),
        );
        // A successful sign-in, sign-up, reset or switch brings the user's language along.
        for value in [
            sign_in.value(),
            sign_up.value(),
            set_language.value(),
            reset_password.value(),
        ] {
            Effect::new(move |_| {
                if let Some(Ok(lang)) = value.get() {
                    i18n.set(lang);
                }
            });
        }
        let session = Session {
            me,
            sign_in,
            sign_up,
            sign_out,
            verify,
            resend,
            set_language,
            reset_password,
            epoch,
        };
        provide_context(session);
        session
    }

    /// Fetches who is signed in again, after a change made outside these actions.
    pub fn refresh(self) {
        self.epoch.update(|n| *n += 1);
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The error to show beside a form: the action's own result once it ran, else the
/// `?error=` a plain form post (before the wasm loaded) was sent back with.
pub fn form_error<T>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    let query = use_query_map();
    Signal::derive(move || match value() {
        Some(Err(e)) => Some(e),
        Some(Ok(_)) => None,
        None => query
            .with(|q| q.get("error"))
            .and_then(|e| AppError::from_query(&e)),
    })
}

#[component]
pub fn ErrorAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let msg = e.message();
            let details = e.details(i18n.lang());
            view! {
                <div class="alert alert-error" role="alert">
                    <p>{i18n.t(msg)}</p>
                    {(!details.is_empty()).then(|| view! {
                        <ul>{details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                    })}
                </div>
            }
        })
    }
}

#[component]
pub fn SubmitButton(label: Msg, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button primary" disabled=move || pending.get()>
            {move || if pending.get() { i18n.t(Msg::Working)() } else { i18n.t(label)() }}
        </button>
    }
}

/// Shown where a page needs a signed-in user and there is none.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <p>{i18n.t(Msg::SignInRequired)}</p>
            <p><a class="button primary" href="/sign-in">{i18n.t(Msg::NavSignIn)}</a></p>
        </section>
    }
}

/// Renders `signed_in` for the current user, a sign-in prompt for nobody, and the
/// error otherwise.
#[component]
pub fn RequireUser<F, V>(signed_in: F) -> impl IntoView
where
    F: Fn(Me) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p>{i18n.t(Msg::Loading)}</p> }>
            {
                let signed_in = signed_in.clone();
                move || {
                    let signed_in = signed_in.clone();
                    Suspend::new(async move {
                        match session.me.await {
                            Ok(Some(me)) => signed_in(me).into_any(),
                            Ok(None) => view! { <SignInPrompt/> }.into_any(),
                            Err(e) => view! { <ErrorAlert error=Signal::stored(Some(e))/> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

/// A new password's field, with its rules spelled out beside it.
#[component]
pub fn NewPasswordField() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label for="password">{i18n.t(Msg::FieldPassword)}</label>
        <input id="password" name="password" type="password" required minlength="8" maxlength="128"
            autocomplete="new-password" aria-describedby="password-help"/>
        <p id="password-help" class="help">{i18n.t(Msg::PasswordHelp)}</p>
    }
}

/// A `lang` field offering every language, the page's own preselected.
#[component]
pub fn LanguageSelect(id: &'static str, label: Msg) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label for=id>{i18n.t(label)}</label>
        <select id=id name="lang">
            {Lang::ALL
                .into_iter()
                .map(|lang| view! {
                    <option value=lang.code() selected=move || i18n.lang() == lang>{lang.native_name()}</option>
                })
                .collect_view()}
        </select>
    }
}
