//! Storage for Supply Chain Connect: the SurrealDB connection, the schema, and one
//! module per feature. Server-only (feature `server`), except [`Refusal`], which the
//! app's error type carries into the browser.
//!
//! Error policy: a change a rule refuses is `DbError::Refused` with the [`Refusal`]
//! (thrown by the transaction, decoded in one place); everything else is
//! `DbError::Database` with SurrealDB's message, logged by the caller and shown to
//! users as a generic failure.

pub mod refusal;
pub use refusal::Refusal;

#[cfg(feature = "server")]
pub mod accounts;
#[cfg(feature = "server")]
pub mod cleanup;
#[cfg(feature = "server")]
pub mod connections;
#[cfg(feature = "server")]
mod engine;
#[cfg(feature = "server")]
pub mod outbox;
#[cfg(feature = "server")]
pub mod passwords;
#[cfg(feature = "server")]
pub mod rate_limit;
#[cfg(feature = "server")]
mod schema;
#[cfg(feature = "server")]
pub mod secrets;
#[cfg(feature = "seed")]
pub mod seed;
#[cfg(feature = "server")]
pub mod session_cache;
#[cfg(feature = "server")]
pub mod sessions;
#[cfg(feature = "server")]
pub mod shipments;

#[cfg(feature = "server")]
pub use chrono;
#[cfg(feature = "server")]
pub(crate) use engine::{bind_actor, check, retry, take_last};
#[cfg(feature = "server")]
pub use engine::{wait_until_closed, Actor, Db, DbConfig, DbError, Timestamp};
#[cfg(feature = "server")]
pub use schema::SCHEMA_VERSION;
