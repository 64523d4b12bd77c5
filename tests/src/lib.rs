//! End-to-end tests of the `marginproof` binary and crates live in `tests/`; this library is empty.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
