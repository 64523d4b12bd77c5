//! The `slot order` gate (slot rows after the first of their kind; the row above is the previous
//! slot of the same kind).
//!
//! | row | a0 | a13 | a15 |
//! |---|---|---|---|
//! | previous slot | a_prev | empty_prev | |
//! | this slot | a | empty | gap |
//!
//! ```text
//! held slots in index order:   (1 − empty)·(a − a_prev − 1 − gap) = 0
//! empty slots last:            empty_prev·(1 − empty) = 0
//! ```
//!
//! Bound: gap < 2^10 (range-checked) and a, a_prev < 1024, so a − a_prev − 1 = gap ≥ 0 over the
//! integers: held indices strictly increase, and no instrument is held twice.

use ff::Field;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector};

use super::columns::{cur, prev, AccountColumns};
use super::{constant, RowWriter};
use crate::field::Fp;

/// Bits of the index gap between consecutive held slots.
pub const GAP_BITS: usize = 10;

/// Columns and selector of the `slot order` gate.
#[derive(Debug, Clone, Copy)]
pub struct SlotOrderConfig {
    q: Selector,
    /// The slot's instrument index.
    pub index: Column<Advice>,
    /// The slot's `empty` flag.
    pub empty: Column<Advice>,
    /// `a − a_prev − 1` for a held slot.
    pub gap: Column<Advice>,
}

impl SlotOrderConfig {
    /// Creates the gate on `columns` under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let config = SlotOrderConfig {
            q,
            index: columns.slot.index,
            empty: columns.slot.empty,
            gap: columns.slot.gap,
        };
        meta.create_gate("slot order", |m| {
            let q = m.query_selector(config.q);
            let (idx, empty, gap) = (
                cur(m, config.index),
                cur(m, config.empty),
                cur(m, config.gap),
            );
            let (idx_prev, empty_prev) = (prev(m, config.index), prev(m, config.empty));
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    (
                        "held slots in index order",
                        (one.clone() - empty.clone()) * (idx - idx_prev - one.clone() - gap),
                    ),
                    ("empty slots last", empty_prev * (one - empty)),
                ],
            )
        });
        config
    }

    /// Orders the slot on `row` after the slot above it.
    pub(super) fn enable(&self, w: &mut RowWriter<'_, '_>, row: usize) -> Result<(), Error> {
        self.q.enable(w.region, row)
    }
}
