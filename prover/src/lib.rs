//! marginproof's prover: what a venue runs once per snapshot.
//!
//! snapshot files → [`input`] (exact integers, precise errors) → [`snapshot`] (keyed shuffle,
//! salts) → [`plan`] (slot shape, batch size) → [`prepare`] (trees, then witnesses) → [`prove`]
//! (keys, batch proofs) → [`bundle`] (crash-safe, resumable write; [`job`]) →
//! [`inclusion`] (answers to users). [`shard`] splits the same stages across machines (plan, workers,
//! assemble). [`generate`] makes synthetic venues for tests and benches.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundle;
pub mod error;
pub mod generate;
pub mod inclusion;
pub mod input;
pub mod job;
pub mod plan;
pub mod prepare;
pub mod progress;
pub mod prove;
pub mod secret;
pub mod shard;
pub mod snapshot;
#[cfg(feature = "test-support")]
pub mod test_support;
#[cfg(not(feature = "test-support"))]
mod test_support;

pub use error::ProveError;
