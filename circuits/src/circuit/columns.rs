//! Where the batch circuit's regions other than the accounts sit on the main advice columns,
//! written once ([`MainColumns::new`]); the account region's own layout is
//! [`crate::chips::account::rows`].
//!
//! | region | main columns |
//! |---|---|
//! | account rows | a0..a20 ([`crate::chips::account::rows`]) |
//! | tier proofs ([`crate::chips::tiered`]) | a0..a8 |
//! | leaf hash (width 9) | state a0..a8, partial S-box a9 |
//! | tree nodes (width 3) | state a10..a12, partial S-box a13 |
//! | distinct keys (width 3) | state a14..a16, partial S-box a17 |
//! | running totals ([`crate::chips::running_total`]) | pairs (a14, a15), (a16, a17), (a18, a19) |
//! | public inputs (one row, [`PublicInputRow`]) | a0..a9 |
//! | blindings (one row) | a0, a1 |
//!
//! Account regions and leaves take turns in rows; a node's and a distinct key's rows sit beside
//! the next leaf's (`BatchTree`), the distinct keys on a14..a17. The running totals follow the
//! last account: account rows leave a14..a19 mostly idle (an inverse, a gap, a PnL and the
//! accumulators, under 10 of every 60 rows), and after the last account and its leaf no other
//! region uses them, so the totals end soon after the last account, beside the range lanes.

use halo2_proofs::plonk::{Advice, Column};

use crate::chips::account::ACCOUNT_COLUMNS;
use crate::hash::poseidon::{NODE_WIDTH, WIDE_WIDTH};

/// One Poseidon instance's columns: its state and the partial rounds' extra column.
pub type PoseidonColumns<const W: usize> = ([Column<Advice>; W], Column<Advice>);

/// The public-inputs region's one row: the cells copied from the instance column, the
/// constants the hash chips share, and the batch's distinct-key secret.
#[derive(Debug, Clone, Copy)]
pub struct PublicInputRow<T> {
    /// The statement tag.
    pub tag: T,
    /// The challenge `r`.
    pub r: T,
    /// The challenge weight `ρ`.
    pub rho: T,
    /// The distinct-key weight `γ`.
    pub gamma: T,
    /// The class code (constrained to the circuit's constant).
    pub class_code: T,
    /// The constant 0.
    pub zero: T,
    /// The leaf sponge's capacity.
    pub leaf_capacity: T,
    /// The distinct key's capacity.
    pub distinct_capacity: T,
    /// The distinct-key commitment's capacity.
    pub commitment_capacity: T,
    /// The batch's distinct-key secret `k`.
    pub distinct_secret: T,
}

/// The main advice columns, by the region that uses them.
#[derive(Debug, Clone, Copy)]
pub struct MainColumns {
    /// The tier proofs' nine columns.
    pub tiers: [Column<Advice>; 9],
    /// The leaf hash (width 9).
    pub leaf: PoseidonColumns<WIDE_WIDTH>,
    /// Tree nodes (width 3).
    pub node: PoseidonColumns<NODE_WIDTH>,
    /// Distinct keys (width 3).
    pub distinct: PoseidonColumns<NODE_WIDTH>,
    /// The running totals' column pairs.
    pub running_totals: [(Column<Advice>, Column<Advice>); 3],
    /// The public-inputs row.
    pub public_inputs: PublicInputRow<Column<Advice>>,
    /// The blindings' row: before, after.
    pub blindings: (Column<Advice>, Column<Advice>),
}

impl MainColumns {
    /// The table above over the allocated `all`.
    pub fn new(all: [Column<Advice>; ACCOUNT_COLUMNS]) -> Self {
        let [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, _] =
            all;
        MainColumns {
            tiers: [a0, a1, a2, a3, a4, a5, a6, a7, a8],
            leaf: ([a0, a1, a2, a3, a4, a5, a6, a7, a8], a9),
            node: ([a10, a11, a12], a13),
            distinct: ([a14, a15, a16], a17),
            running_totals: [(a14, a15), (a16, a17), (a18, a19)],
            public_inputs: PublicInputRow {
                tag: a0,
                r: a1,
                rho: a2,
                gamma: a3,
                class_code: a4,
                zero: a5,
                leaf_capacity: a6,
                distinct_capacity: a7,
                commitment_capacity: a8,
                distinct_secret: a9,
            },
            blindings: (a0, a1),
        }
    }
}
