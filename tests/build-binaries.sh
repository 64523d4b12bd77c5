#!/usr/bin/env bash
# The binaries the end-to-end tests run, in the debug profile of `cargo test`:
# - target/debug/marginproof-test-support: the dishonest prover of the attack tests
#   (`--features test-support`, marginproof_prover::test_support), never a default build;
# - target/debug/marginproof: the default build, built last so that it is the one under its name.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build -p marginproof-cli --features test-support
cp "$target/debug/marginproof" "$target/debug/marginproof-test-support"
cargo build -p marginproof-cli
