//! The chips of the batch circuit, one per concern, each with its instructions, its `Config` of
//! columns and selectors, and `configure` apart from `assign`.
//!
//! | chip | proves |
//! |---|---|
//! | [`range_check::RangeCheckChip`] | a cell is below `2^n` (running sum of lookup limbs) |
//! | [`tiered::TieredRateChip`] | a cell is `F(x)` for a public tier table (tier lookup + two range checks) |
//! | [`account::AccountChip`] | one account's slots: valuation, requirement, equity, status, leaf words, bucket term; the same valuation under each stress scenario; the margin-ratio bucket |
//! | [`instruments::InstrumentTable`] | (the table the account rows look up: fixed kinds and indices, prices and edges from the public inputs) |
//! | [`instrument_totals::Challenges`] | (the bucket identity's challenge cells, from the public inputs) |
//! | [`running_total::RunningTotalChip`] | a total after a batch is the total before plus every term |
//! | [`hashing::HashChip`] | leaves, tree nodes and totals commitments (Poseidon) |

pub mod account;
pub mod hashing;
pub mod instrument_totals;
pub mod instruments;
pub mod range_check;
pub mod running_total;
pub mod tiered;
