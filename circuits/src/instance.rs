//! The public inputs of a batch proof: one instance column, each value at its named offset
//! (the statement's side is [`crate::statement::BatchStatement`], the circuit's
//! [`crate::circuit`]).

/// Public input offset: the statement tag (snapshot id and configuration digest).
pub const STATEMENT_TAG: usize = 0;
/// Public input offset: the root of this batch's leaves.
pub const BATCH_ROOT: usize = 1;
/// Public input offset: commitment to the running totals before this batch.
pub const TOTALS_BEFORE: usize = 2;
/// Public input offset: commitment to the running totals after this batch.
pub const TOTALS_AFTER: usize = 3;
/// Public input offset: the bucket challenge `r` ([`crate::statement::snapshot_challenges`]).
pub const CHALLENGE: usize = 4;
/// Public input offset: the bucket weight `ρ` ([`crate::statement::snapshot_challenges`]).
pub const CHALLENGE_WEIGHT: usize = 5;
/// Public input offset: the weight `γ` of the distinct-key terms ([`crate::statement::snapshot_challenges`]).
pub const DISTINCT_WEIGHT: usize = 6;
/// Public input offset: the batch's size class, [`crate::statement::SizeClass::code`] (the capacity of its leaves).
pub const CLASS_CODE: usize = 7;
/// Public input offset: `K`, the commitment to the snapshot's distinct-key secret
/// ([`crate::hash::distinct_commitment`]), the same in every proof of the snapshot.
pub const DISTINCT_COMMITMENT: usize = 8;
/// Public input offset of the first instrument price: `A` asset prices, then `M` mark prices, in
/// the order of [`crate::chips::instruments::instrument_rows`].
pub const INSTRUMENT_PRICES: usize = 9;
