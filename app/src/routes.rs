//! Every page but the home page is a lazily loaded route: its code is a wasm chunk of
//! its own. The first visit downloads the shell (header, router, translations) and the
//! chunk of the page it lands on, which the server-rendered HTML already asks the
//! browser to preload (each route's `data()` adds the links: see `preload`); the rest
//! come when they are first needed. Built with `cargo leptos … --split` (the Makefile
//! passes it everywhere).

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::{account, auth, connections, mailbox, settings, shipments};

/// `lazy_page!(Route, module, Page)`: a route type whose view is `<module::Page/>`,
/// loaded lazily.
macro_rules! lazy_page {
    ($route:ident, $module:ident, $page:ident) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                crate::preload::preload_route(stringify!($route));
                $route
            }

            fn view(_this: Self) -> AnyView {
                use $module::$page;
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(SignUp, auth, SignUpPage);
lazy_page!(SignIn, auth, SignInPage);
lazy_page!(VerifyEmail, auth, VerifyEmailPage);
lazy_page!(ForgotPassword, auth, ForgotPasswordPage);
lazy_page!(ResetPassword, auth, ResetPasswordPage);
lazy_page!(Shipments, shipments, ShipmentsPage);
lazy_page!(NewShipment, shipments, NewShipmentPage);
lazy_page!(Shipment, shipments, ShipmentPage);
lazy_page!(EditShipment, shipments, EditShipmentPage);
lazy_page!(Account, account, AccountPage);
lazy_page!(UserPermissions, settings, UserPermissionsPage);
lazy_page!(Mailbox, mailbox, MailboxPage);
lazy_page!(Invitation, connections, InvitationPage);
