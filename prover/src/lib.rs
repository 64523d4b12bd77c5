//! Prover.
