//! `surreal start …` exactly as the official binary, with the community edition's
//! composition and only the in-memory and SurrealKV storage engines.
#![recursion_limit = "256"]

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
