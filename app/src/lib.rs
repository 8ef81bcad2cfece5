#![recursion_limit = "256"]
//! Supply Chain Connect: the shell, the router, and little else. Each feature lives
//! in its own module with its server functions and components.

pub mod account;
pub mod auth;
pub mod connections;
pub mod domain;
pub mod error;
mod home;
pub mod i18n;
mod layout;
mod live;
pub mod mailbox;
pub mod preload;
mod routes;
#[cfg(feature = "ssr")]
pub mod server;
pub mod settings;
pub mod shipments;
pub mod text;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::Lazy;
use leptos_router::{path, SsrMode};

use crate::i18n::{use_i18n, I18n, Lang, Msg};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.html_tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options=without_split_manifest(options)/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The options the hydration script is rendered with, but with a site root that
/// cannot hold the wasm split manifest: Leptos's own chunk preloading, which finds the
/// manifest only now and then and under load adds other requests' chunks, is left with
/// nothing to do, and each page preloads its own chunks only (see `preload`). The
/// site root serves nothing else in that component.
fn without_split_manifest(mut options: LeptosOptions) -> LeptosOptions {
    options.site_root = "/dev/null".into();
    options
}

/// The language to render in before anything is fetched: on the server the
/// request's cookie or `Accept-Language`; in the browser what the server rendered.
fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| i18n::request_lang(&parts.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        i18n::document_lang()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = I18n::provide(initial_lang());
    ui::Session::provide(i18n);
    live::Live::provide();
    view! {
        <Stylesheet id="leptos" href="/pkg/supply-chain-connect.css"/>
        <Title text=move || i18n.t(Msg::AppName)()/>
        <Router>
            <layout::Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-up") view={Lazy::<routes::SignUp>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view={Lazy::<routes::SignIn>::new()} ssr=SsrMode::Async/>
                    <Route
                        path=path!("/verify-email")
                        view={Lazy::<routes::VerifyEmail>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/forgot-password")
                        view={Lazy::<routes::ForgotPassword>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/reset-password")
                        view={Lazy::<routes::ResetPassword>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/shipments")
                        view={Lazy::<routes::Shipments>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/shipments/new")
                        view={Lazy::<routes::NewShipment>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/shipments/:id")
                        view={Lazy::<routes::Shipment>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/shipments/:id/edit")
                        view={Lazy::<routes::EditShipment>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/settings/account")
                        view={Lazy::<routes::Account>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/settings/user-permissions")
                        view={Lazy::<routes::UserPermissions>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dev/mailbox")
                        view={Lazy::<routes::Mailbox>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/invitations/accept")
                        view={Lazy::<routes::Invitation>::new()}
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <layout::Footer/>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h1>{i18n.t(Msg::NotFoundTitle)}</h1>
            <p>{i18n.t(Msg::NotFoundText)}</p>
        </section>
    }
}
