//! Each lazily loaded page asks, in its server-rendered HTML, for the wasm chunks it
//! needs, so the browser fetches them beside the main module instead of only once the
//! main module has run and the router has found the page (a round trip more on a slow
//! link). Which chunks a page needs is in the manifest `cargo leptos build --split`
//! writes beside them (`pkg/__wasm_split_manifest.json`), read once when the server
//! starts.
//!
//! Leptos has a mechanism of its own for this, but it adds its links only now and then,
//! and under load adds other requests' chunks: its response code looks the manifest up
//! in whatever reactive owner happens to be current when it runs. The shell leaves it
//! without a manifest (`without_split_manifest` in `lib.rs`).

#[cfg(feature = "ssr")]
pub use ssr::RouteChunks;

/// On the server, adds to the page's `<head>` a preload link for each chunk the lazy
/// route type `route` (as written in `routes.rs`, e.g. `"EditShipment"`) needs; in the
/// browser, nothing.
pub fn preload_route(route: &'static str) {
    #[cfg(feature = "ssr")]
    ssr::preload_route(route);
    #[cfg(not(feature = "ssr"))]
    let _ = route;
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::HashMap;
    use std::path::Path;

    use leptos::prelude::*;
    use leptos_meta::Link;

    use crate::server::AppState;

    const LOADER: &str = "__wasm_split.______________________.js";

    /// The chunks of each lazy route, and the script that loads chunks.
    #[derive(Debug, Default)]
    pub struct RouteChunks {
        /// `"editshipmentview"` → `["/pkg/chunk_14.wasm", …]` (see [`view_key`]).
        by_view: HashMap<String, Vec<String>>,
        /// `/pkg/__wasm_split.….js`.
        loader: Option<String>,
    }

    impl RouteChunks {
        /// Reads the manifest under `site_root/pkg_dir`. A build without `--split`
        /// has none: then nothing is preloaded, and the server says so once.
        pub fn load(site_root: &str, pkg_dir: &str) -> RouteChunks {
            let pkg = Path::new(site_root).join(pkg_dir);
            let manifest = match std::fs::read_to_string(pkg.join("__wasm_split_manifest.json")) {
                Ok(text) => text,
                Err(e) => {
                    tracing::info!(dir = %pkg.display(), error = %e, "no wasm split manifest: pages preload no chunks");
                    return RouteChunks::default();
                }
            };
            // The name `cargo leptos` gives the loader when files are not hashed (the
            // name Leptos's own hydration code uses too).
            let loader = Some(LOADER)
                .filter(|name| pkg.join(name).is_file())
                .map(|name| format!("/{pkg_dir}/{name}"));
            RouteChunks::parse(&manifest, pkg_dir, loader).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "unreadable wasm split manifest: pages preload no chunks");
                RouteChunks::default()
            })
        }

        /// The manifest maps each split point (`__edit_shipment_view_<hash>`, the hash
        /// being of where the macro was written) to the modules it needs, named
        /// without their extension.
        pub fn parse(
            manifest: &str,
            pkg_dir: &str,
            loader: Option<String>,
        ) -> Result<RouteChunks, serde_json::Error> {
            let entries: HashMap<String, Vec<String>> = serde_json::from_str(manifest)?;
            let by_view = entries
                .into_iter()
                .map(|(key, modules)| {
                    let name = key.trim_start_matches('_');
                    let name = name
                        .rsplit_once('_')
                        .filter(|(_, hash)| hash.bytes().all(|b| b.is_ascii_digit()))
                        .map_or(name, |(name, _)| name);
                    let files = modules
                        .iter()
                        .map(|m| {
                            let m = m.trim_start_matches("./").trim_end_matches(".wasm");
                            format!("/{pkg_dir}/{m}.wasm")
                        })
                        .collect();
                    (words_run_together(name), files)
                })
                .collect();
            Ok(RouteChunks { by_view, loader })
        }

        /// The chunks of the lazy route type `route`, e.g. `"EditShipment"`.
        pub fn of(&self, route: &str) -> &[String] {
            self.by_view
                .get(&view_key(route))
                .map_or(&[], Vec::as_slice)
        }
    }

    /// `"EditShipment"` and `__edit_shipment_view_<hash>` both → `"editshipmentview"`:
    /// compared without case and underscores, so how a name with digits or capitals
    /// in a row is cut into words does not matter.
    fn view_key(route: &str) -> String {
        words_run_together(&format!("{route}_view"))
    }

    fn words_run_together(name: &str) -> String {
        name.to_lowercase().replace('_', "")
    }

    pub fn preload_route(route: &'static str) {
        let Some(state) = use_context::<AppState>() else {
            return;
        };
        let chunks = &state.route_chunks;
        let files = chunks.of(route);
        if files.is_empty() {
            return;
        }
        // Registered with the page's meta context, which writes them into <head>.
        for file in files {
            let _ = view! {
                <Link rel="preload" href=file.clone() as_="fetch" type_="application/wasm" crossorigin=""/>
            }
            .to_html();
        }
        if let Some(loader) = &chunks.loader {
            let _ =
                view! { <Link rel="modulepreload" href=loader.clone() crossorigin=""/> }.to_html();
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_routes_chunks_are_found_by_its_type_name() {
            let manifest = r#"{
                "__edit_shipment_view_10350024481035118462": ["chunk_14", "split___edit_shipment_view_10350024481035118462"],
                "__shipment_view_10350024481035118462": ["chunk_14", "chunk_30.wasm"]
            }"#;
            let chunks = RouteChunks::parse(manifest, "pkg", None).expect("a manifest");
            assert_eq!(
                chunks.of("EditShipment"),
                [
                    "/pkg/chunk_14.wasm",
                    "/pkg/split___edit_shipment_view_10350024481035118462.wasm"
                ]
            );
            assert_eq!(
                chunks.of("Shipment"),
                ["/pkg/chunk_14.wasm", "/pkg/chunk_30.wasm"]
            );
            assert!(chunks.of("Shipments").is_empty());
        }
    }
}
