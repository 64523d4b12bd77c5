//! The chips of the batch circuit, one per concern, each with its instructions, its `Config` of
//! columns and selectors, and `configure` apart from `assign`.
//!
//! | chip | proves |
//! |---|---|
//! | [`range_check::RangeCheckChip`] | a cell is below `2^n` (running sum of lookup limbs) |
//! | [`tiered::TieredRateChip`] | a cell is `F(x)` for a public tier table (tier lookup + two range checks) |
//! | [`account::AccountChip`] | one account's valuation, requirement, equity, status and leaf words |
//! | [`running_total::RunningTotalChip`] | a total after a batch is the total before plus every term |
//! | [`hashing::HashChip`] | leaves, tree nodes and totals commitments (Poseidon) |

pub mod account;
pub mod hashing;
pub mod range_check;
pub mod running_total;
pub mod tiered;
