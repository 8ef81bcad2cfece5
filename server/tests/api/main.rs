//! Server tests: each spawns the app on a random port with a fresh in-memory
//! database and talks to it over HTTP, as a browser or an attacker would.

mod account;
mod auth;
mod bad_input;
mod connections;
mod hardening;
mod helpers;
mod labels;
mod outbox;
mod pages;
mod password_reset;
mod restart;
mod scan;
mod shipments;
