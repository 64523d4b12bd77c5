//! The `slot order` gate (slot rows after the first of their kind; the row above is the previous
//! slot of the same kind).
//!
//! The rows are slot rows ([`super::rows::SlotRow`]: index, `empty`, gap):
//!
//! | row | a | empty | gap |
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

use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Error, Expression, Selector,
};

use super::rows::{cur, prev, AccountColumns};
use super::RowWriter;
use crate::field::Fp;
use crate::relations::Arith;

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
            index: columns.rows.asset.slot.index,
            empty: columns.rows.asset.slot.empty,
            gap: columns.rows.asset.slot.gap,
        };
        meta.create_gate("slot order", |m| {
            let q = m.query_selector(config.q);
            let (idx, empty, gap) = (
                cur(m, config.index),
                cur(m, config.empty),
                cur(m, config.gap),
            );
            let (idx_prev, empty_prev) = (prev(m, config.index), prev(m, config.empty));
            let one = Expression::one();
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

#[cfg(test)]
mod tests {
    use ff::Field;

    use super::SlotOrderConfig;
    use crate::chips::account::gate_test::{at, failure, one_gate, unsatisfied, TestRow};
    use crate::field::Fp;

    one_gate!(Order, SlotOrderConfig, |meta, columns, fixed, q| {
        SlotOrderConfig::configure(meta, q, columns)
    });

    const GATE: &str = "slot order";

    /// Slots holding instruments 2 and 5 (gap 2), then an empty slot.
    fn rows() -> [TestRow; 3] {
        let s = at().asset.slot;
        let mut rows = [TestRow::default(); 3];
        rows[0].advice[s.index] = Fp::from(2);
        rows[1].advice[s.index] = Fp::from(5);
        rows[1].advice[s.gap] = Fp::from(2);
        rows[2].advice[s.empty] = Fp::ONE;
        rows
    }

    const ENABLED: [(usize, usize); 2] = [(0, 1), (0, 2)];

    #[test]
    fn held_slots_in_order_then_empty_ones_pass() {
        assert_eq!(unsatisfied::<Order>(&rows(), &ENABLED), vec![]);
    }

    #[test]
    fn a_gap_that_is_not_the_index_step_fails() {
        let mut rows = rows();
        rows[1].advice[at().asset.slot.gap] = Fp::ONE;
        assert_eq!(
            unsatisfied::<Order>(&rows, &ENABLED),
            vec![failure(0, GATE, 0, "held slots in index order", 1)]
        );
    }

    #[test]
    fn a_held_slot_after_an_empty_one_fails() {
        // Slot 1 claims empty, slot 2 holds instrument 7 (gap 1 above 5): the index order holds,
        // only the order of empty and held slots does not.
        let s = at().asset.slot;
        let mut rows = rows();
        rows[1].advice[s.empty] = Fp::ONE;
        rows[2].advice[s.empty] = Fp::ZERO;
        rows[2].advice[s.index] = Fp::from(7);
        rows[2].advice[s.gap] = Fp::ONE;
        assert_eq!(
            unsatisfied::<Order>(&rows, &ENABLED),
            vec![failure(0, GATE, 1, "empty slots last", 2)]
        );
    }
}
