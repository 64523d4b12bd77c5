//! marginproof's verifier: everything a user or an auditor runs to check what a venue published.
//!
//! - [`inclusion`]: a user's inclusion proof (SPEC §5) against the published manifest: recompute
//!   the leaf from the record and salt, walk the path to the root, and value the account with the
//!   published risk configuration (SPEC §2).
//! - [`report`]: the auditor's report (SPEC §4, §6) from verified totals, as JSON and as text.
//!
//! The checks take their inputs as `&str`, bytes or parsed values and never touch the file system
//! or spawn threads. Files and caches live behind the default feature `fs` ([`store`], [`keys`]),
//! threads behind `multicore`: `--no-default-features` is the browser's build, which cannot pull
//! either in. No input, however malformed, makes any of it panic: every problem is an error value.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "fs")]
pub mod atomic;
pub mod bundle;
mod hashing;
pub mod inclusion;
pub mod json;
#[cfg(feature = "fs")]
pub mod keys;
pub mod manifest;
pub mod params;
pub mod report;
#[cfg(feature = "fs")]
pub mod store;
