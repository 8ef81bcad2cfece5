//! The wasm entry point: hydrates the server-rendered page, loading the wasm chunk of
//! the page's route first (see app/src/routes.rs).

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // What `leptos::mount::hydrate_lazy` does, and then marks the page as hydrated once
    // all of it is, the route's lazily loaded chunk included: tests that must act on the
    // wasm-driven page wait for `body[data-hydrated]`.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        let mounted = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        mounted.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
