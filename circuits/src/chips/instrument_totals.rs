//! The challenges of the per-instrument totals' bucket identity, as the batch circuit sees them.
//!
//! The identity and its soundness argument are in [`crate::model::buckets`]. In the circuit, each
//! slot row proves its fraction (`bucket pole`, `bucket term` of [`crate::chips::account`]), each
//! account region sums its slots into one term, and `running total: bucket sum` adds the batch's
//! terms to the running sum `S` opened from `C_i`, committing the result in `C_{i+1}`. The
//! challenges are public inputs [`CHALLENGE`](crate::statement::CHALLENGE) and
//! [`CHALLENGE_WEIGHT`](crate::statement::CHALLENGE_WEIGHT), the same for every batch of a
//! snapshot, which the verifier computes from the configuration, the root and the published
//! totals ([`crate::statement::snapshot_challenges`]); the prover never chooses them.

use halo2_proofs::circuit::AssignedCell;

use crate::field::Fp;

pub use crate::model::buckets::MARKET_POLE_OFFSET;

/// The public challenges `(r, ρ, γ)`, assigned from the instance column.
#[derive(Debug, Clone)]
pub struct Challenges {
    /// `r`: where the bucket fractions are evaluated.
    pub r: AssignedCell<Fp, Fp>,
    /// `ρ`: weight between the totals of one instrument.
    pub rho: AssignedCell<Fp, Fp>,
    /// `γ`: weight of the distinct-key terms ([`crate::model::distinct`]).
    pub gamma: AssignedCell<Fp, Fp>,
}
