#!/usr/bin/env bash
# Builds the user's page into web/dist/: the verifier's inclusion check compiled to WebAssembly
# (wasm-bindgen, the version pinned in web/Cargo.toml), and the static page.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' web/Cargo.toml)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
  echo "wasm-bindgen $version is required: cargo install wasm-bindgen-cli --version $version" >&2
  exit 1
fi
cargo build -p marginproof-web --target wasm32-unknown-unknown --release
rm -rf web/dist.partial
mkdir -p web/dist.partial/pkg
wasm-bindgen --target web --no-typescript --out-dir web/dist.partial/pkg \
  target/wasm32-unknown-unknown/release/marginproof_web.wasm
cp web/static/index.html web/static/app.js web/static/style.css web/static/favicon.svg web/dist.partial/
rm -rf web/dist
mv web/dist.partial web/dist
echo "wrote web/dist ($(du -sh web/dist | cut -f1))"
