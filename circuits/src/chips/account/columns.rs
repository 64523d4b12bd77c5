//! The account region's columns, by name: which of the [`ACCOUNT_COLUMNS`] main advice columns
//! holds what on each kind of row. Each gate's config takes the columns it reads from here, so a
//! column's role is written once.

use halo2_proofs::{
    plonk::{Advice, Column, Expression, Fixed, VirtualCells},
    poly::Rotation,
};

use crate::field::Fp;

/// Number of main advice columns the account layout uses.
pub const ACCOUNT_COLUMNS: usize = 21;

/// A column's cell on the current row.
pub(super) fn cur(m: &mut VirtualCells<'_, Fp>, column: Column<Advice>) -> Expression<Fp> {
    m.query_advice(column, Rotation::cur())
}

/// A column's cell on the row above.
pub(super) fn prev(m: &mut VirtualCells<'_, Fp>, column: Column<Advice>) -> Expression<Fp> {
    m.query_advice(column, Rotation::prev())
}

/// The accumulators that run down the region (every identity, slot and status row writes them,
/// slot and status rows read the row above; the two distribution rows write only `bk`, and no
/// gate reads their other accumulator cells): adjusted equity, raw equity, requirement, bucket
/// term.
#[derive(Debug, Clone, Copy)]
pub struct AccumulatorColumns {
    /// `ae`: adjusted equity so far (AE, in ν·ppm).
    pub adjusted_equity: Column<Advice>,
    /// `e`: raw equity so far (E, in ν).
    pub equity: Column<Advice>,
    /// `mr`: maintenance requirement so far (MR, in ν·ppm).
    pub requirement: Column<Advice>,
    /// `bk`: the account's bucket term so far.
    pub bucket: Column<Advice>,
}

/// Columns every slot row has, asset or position.
#[derive(Debug, Clone, Copy)]
pub struct SlotColumns {
    /// `a` or `m`: the instrument's index.
    pub index: Column<Advice>,
    /// `p` or `P`: its price, from the instrument lookup.
    pub price: Column<Advice>,
    /// `x` (net value `|v_a|`) or `n` (notional): the tiered function's argument.
    pub value: Column<Advice>,
    /// `F`: the tiered function's value.
    pub tiered: Column<Advice>,
    /// The slot's leaf word.
    pub word: Column<Advice>,
    /// `tid`: the tier table id.
    pub tier_table: Column<Advice>,
    /// `t`: the bucket pole's inverse.
    pub bucket_inverse: Column<Advice>,
    /// A copy of the challenge `r`.
    pub r: Column<Advice>,
    /// A copy of the challenge weight `ρ`.
    pub rho: Column<Advice>,
    /// `empty`: the slot holds nothing.
    pub empty: Column<Advice>,
    /// `inv`: the inverse that makes `empty` a function of the slot's holding.
    pub empty_inverse: Column<Advice>,
    /// The index gap to the previous slot of the same kind (`slot order`).
    pub gap: Column<Advice>,
}

/// The account region's columns, by role.
#[derive(Debug, Clone, Copy)]
pub struct AccountColumns {
    /// All of them, in allocation order (for equality).
    pub all: [Column<Advice>; ACCOUNT_COLUMNS],
    /// Shared by every slot row.
    pub slot: SlotColumns,
    /// The accumulators.
    pub accumulators: AccumulatorColumns,
    /// The fixed column of each row's price kind ([`crate::chips::instruments::price_kind`]).
    pub slot_kind: Column<Fixed>,
}

impl AccountColumns {
    /// Names the roles of `advice`. The cells of one row kind that are not in [`SlotColumns`] or
    /// [`AccumulatorColumns`] (an asset slot's balance, a status row's signs) are taken by each
    /// gate's config from `all` at the positions its layout table gives.
    pub fn new(all: [Column<Advice>; ACCOUNT_COLUMNS], slot_kind: Column<Fixed>) -> Self {
        AccountColumns {
            all,
            slot_kind,
            slot: SlotColumns {
                index: all[0],
                price: all[5],
                value: all[6],
                tiered: all[7],
                word: all[8],
                tier_table: all[9],
                bucket_inverse: all[10],
                r: all[11],
                rho: all[12],
                empty: all[13],
                empty_inverse: all[14],
                gap: all[15],
            },
            accumulators: AccumulatorColumns {
                adjusted_equity: all[17],
                equity: all[18],
                requirement: all[19],
                bucket: all[20],
            },
        }
    }
}
