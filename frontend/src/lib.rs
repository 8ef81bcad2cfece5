//! The wasm entry point: hydrates the server-rendered page, loading the wasm chunk of
//! the page's route first (see app/src/routes.rs).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
