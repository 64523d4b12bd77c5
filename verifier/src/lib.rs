//! marginproof's verifier: everything a user or an auditor runs to check what a venue published.
//!
//! - [`inclusion`]: a user's inclusion proof (SPEC §5) against the published manifest: recompute
//!   the leaf from the record and salt, walk the path to the root, and value the account with the
//!   published risk configuration (SPEC §2).
//! - [`report`]: the auditor's report (SPEC §4, §6) from verified totals, as JSON and as text.
//!
//! The modules here take their inputs as `&str` or as parsed values and never touch the file
//! system or spawn threads, so they build for `wasm32` as they are; reading files is the caller's
//! job. No input, however malformed, makes them panic: every problem is an error value.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundle;
mod hashing;
pub mod inclusion;
pub mod keys;
pub mod manifest;
pub mod params;
pub mod report;
pub mod store;
