//! marginproof's verifier: everything a user or an auditor runs to check what a venue published.
//!
//! - [`inclusion`]: a user's inclusion proof (SPEC §5) against the published manifest: recompute
//!   the leaf from the record and salt, walk the path to the root, and value the account with the
//!   published risk configuration (SPEC §2).
//! - [`history`]: a user's inclusion proofs of several snapshots, checked one by one, in order.
//! - [`liquidation`]: the prices at which a verified unit would be liquidatable or bankrupt.
//! - [`report`]: the auditor's report (SPEC §4, §6) from verified totals, as JSON and as text.
//!
//! The checks take their inputs as `&str`, bytes or parsed values and never touch the file system
//! or spawn threads. Reading a bundle from disk ([`files`]) and the checked IPA parameter cache
//! ([`params_cache`]) live behind the default feature `fs`, on top of `marginproof-storage`;
//! threads behind `multicore`: `--no-default-features` is the browser's build, which cannot pull
//! either in. No input, however malformed, makes any of it panic: every problem is an error value.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundle;
#[cfg(feature = "fs")]
pub mod files;
mod hashing;
pub mod history;
pub mod inclusion;
pub mod json;
pub mod liquidation;
pub mod manifest;
pub mod params;
#[cfg(feature = "fs")]
pub mod params_cache;
pub mod report;
