//! The `bucket carried` gate: a row that adds nothing to the account's bucket term passes it on
//! (the base status row, and the first row of the margin bucket).
//!
//! | row | a20 |
//! |---|---|
//! | above | bk_prev |
//! | this | bk |
//!
//! ```text
//! bucket carried:   bk = bk_prev
//! ```

use halo2_proofs::plonk::{ConstraintSystem, Constraints, Error, Selector};

use super::columns::{cur, prev, AccountColumns, AccumulatorColumns};
use super::RowWriter;
use crate::field::Fp;

/// Column and selector of the `bucket carried` gate.
#[derive(Debug, Clone, Copy)]
pub struct BucketCarryConfig {
    q: Selector,
    accumulators: AccumulatorColumns,
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
            accumulators: columns.accumulators,
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
