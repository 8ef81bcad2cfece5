# The two commands of the README. Both install what is missing first (scripts/setup).
# wasm-opt comes from the npm package binaryen: cargo-leptos uses the one on PATH.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run dev release test lint test-unit test-e2e test-size test-scale bench setup setup-test

# cargo-leptos builds the dev server with `--cfg erase_components`; the tests use the
# same flags, so the two share one build of every dependency instead of two.
TEST_RUSTFLAGS := --cfg erase_components

## Build and serve the app on the embedded database (./data) at http://127.0.0.1:3000
run: setup
	cargo leptos serve --split

## Hot reload for development: rebuilds on every save
dev: setup
	cargo leptos watch --split

## Optimised build (release server, size-optimised wasm) served at http://127.0.0.1:3000,
## its static files compressed once at build time. Its own site directory: the dev
## builds in target/site never serve a stale precompressed copy.
release: setup
	LEPTOS_SITE_ROOT=target/release-site cargo leptos build --release --split
	scripts/precompress target/release-site
	LEPTOS_SITE_ROOT=target/release-site LEPTOS_OUTPUT_NAME=supply-chain-connect LEPTOS_ENV=PROD \
		target/release/server

## Every test: formatting and lints, unit and server tests, then the browser tests
## against a real SMTP server, then the release wasm's size
test: setup-test lint test-unit test-e2e test-size

setup:
	scripts/setup

setup-test:
	scripts/setup test

## rustfmt, and clippy with warnings as errors, for the server and for the wasm
lint:
	cargo fmt --all --check
	RUSTFLAGS="$(TEST_RUSTFLAGS)" cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

test-unit:
	RUSTFLAGS="$(TEST_RUSTFLAGS)" cargo test --workspace --exclude frontend --exclude bench

test-e2e:
	cargo leptos build --split
	cd end2end && npx playwright test

## The release wasm bundle's size, against the figure committed in bench/
test-size:
	scripts/wasm-size --check

## Two replicas against a real SurrealDB server (builds the server the first time)
test-scale: setup-test
	scripts/test-scale

## The benchmarks: release server under wrk, figures to bench/RESULTS.md
bench: setup
	bench/run
