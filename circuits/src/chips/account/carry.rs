//! The `bucket carried` gate: a row that adds nothing to the account's bucket term passes it on
//! (the base status row, and the first row of the margin bucket).
//!
//! | row | bk ([`super::rows::AccumulatorRow`]) |
//! |---|---|
//! | above | bk_prev |
//! | this | bk |
//!
//! ```text
//! bucket carried:   bk = bk_prev
//! ```

use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector};

use super::rows::{cur, prev, AccountColumns, AccumulatorRow};
use super::RowWriter;
use crate::field::Fp;

/// Column and selector of the `bucket carried` gate.
#[derive(Debug, Clone, Copy)]
pub struct BucketCarryConfig {
    q: Selector,
    accumulators: AccumulatorRow<Column<Advice>>,
}

impl BucketCarryConfig {
    /// Creates the gate on `columns` under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let config = BucketCarryConfig {
            q,
            accumulators: columns.rows.accumulators,
        };
        meta.create_gate("bucket carried", |m| {
            let bk = config.accumulators.bucket;
            Constraints::with_selector(
                m.query_selector(config.q),
                [("bucket carried", cur(m, bk) - prev(m, bk))],
            )
        });
        config
    }

    /// Enables the gate on `row`.
    pub(super) fn enable(&self, w: &mut RowWriter<'_, '_>, row: usize) -> Result<(), Error> {
        self.q.enable(w.region, row)
    }
}

#[cfg(test)]
mod tests {
    use ff::Field;

    use super::BucketCarryConfig;
    use crate::chips::account::gate_test::{at, failure, one_gate, unsatisfied, TestRow};
    use crate::field::Fp;

    one_gate!(Carry, BucketCarryConfig, |meta, columns, fixed, q| {
        BucketCarryConfig::configure(meta, q, columns)
    });

    #[test]
    fn a_row_passes_the_term_on_and_adds_nothing() {
        let bk = at().accumulators.bucket;
        let mut rows = [TestRow::default(); 2];
        rows[0].advice[bk] = Fp::from(41);
        rows[1].advice[bk] = Fp::from(41);
        assert_eq!(unsatisfied::<Carry>(&rows, &[(0, 1)]), vec![]);
        rows[1].advice[bk] += Fp::ONE;
        assert_eq!(
            unsatisfied::<Carry>(&rows, &[(0, 1)]),
            vec![failure(0, "bucket carried", 0, "bucket carried", 1)]
        );
    }
}
