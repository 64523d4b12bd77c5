//! marginproof's statement: the public risk configuration, the exact risk model of SPEC §2, the
//! hashes of SPEC §3, and the halo2 chips and batch circuit that prove them.
//!
//! Everything the verifier recomputes natively (leaves, paths, commitments, the risk of one
//! account) lives here next to the circuit that proves the same thing, and tests hold the two
//! together.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chips;
pub mod circuit;
pub mod config;
pub mod decimal;
pub mod field;
pub mod hash;
pub mod instance;
pub mod model;
pub mod relations;
pub mod signed;
pub mod statement;
pub mod units;

pub use config::{RiskConfigFile, RiskParams};
pub use field::Fp;

/// Version of the batch circuit's layout. It is part of the name of every cached verifying and
/// proving key (`marginproof_storage::keys`), so bump it whenever a change to the circuit can
/// change its keys without changing its constraint system: a region moved, a fixed value or a
/// lookup table changed, a selector enabled on other rows (a changed column or gate is detected
/// without it). The pinned verifying key test (`circuits/tests/pinned.rs`, and
/// `tests/tests/keys.rs`, which pins this constant with the key) fails on such a change.
pub const CIRCUIT_LAYOUT_VERSION: &str = "batch-circuit-10-portfolio-margin";
