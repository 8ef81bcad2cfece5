# The two commands of the README. Both install what is missing first (scripts/setup).
# wasm-opt comes from the npm package binaryen: cargo-leptos uses the one on PATH.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run dev release test test-unit test-e2e test-size test-scale bench setup setup-test

## Build and serve the app on the embedded database (./data) at http://127.0.0.1:3000
run: setup
	cargo leptos serve --split

## Hot reload for development: rebuilds on every save
dev: setup
	cargo leptos watch --split

## Optimised build (release server, size-optimised wasm) served at http://127.0.0.1:3000
release: setup
	cargo leptos serve --release --split

## Every test: unit and server tests, then the browser tests against a real SMTP server
test: setup-test test-unit test-e2e test-size

setup:
	scripts/setup

setup-test:
	scripts/setup test

test-unit:
	cargo test --workspace --exclude frontend

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
