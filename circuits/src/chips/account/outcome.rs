//! The `scenario outcome` gate (each scenario's status row, beside `account status`): the
//! account's term of the scenario's five outcome totals in the bucket identity
//! ([`crate::model::buckets`], SPEC §7). The first of the scenario's poles is in the fixed `pole`
//! column (`1280 + 5s`), so one gate serves every scenario.
//!
//! The row is an [`OutcomeRow`] over a [`super::rows::StatusRow`] (columns in [`super::rows`]):
//!
//! | row | σ_E | liq | eo | bd | sf | w₀ | w₁ | w₂ | r | w₃ | w₄ | bk | pole (fixed) |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | scenario status | σ_E | liq | eo | bd | sf | w₀ | w₁ | w₂ | r | w₃ | w₄ | bk | `1280 + 5s` |
//!
//! ```text
//! outcome weight t:   w_t·(r − pole − t) = 1                         t = 0..4
//! outcome terms:      bk = bk_prev + liq·w₀ + σ_E·w₁ + eo·w₂ + bd·w₃ + sf·w₄
//! ```
//!
//! `liq`, `σ_E`, `eo`, `bd`, `sf` are the `account status` gate's cells of the same row, so the
//! scenario's counts and sums are exactly those the status under its prices implies: booleans,
//! and `eo, bd < 2^144`, `sf < 2^193`. `r` is the public challenge (a copy), `r ≠ pole + t`
//! except with probability 2^-240 (then the honest proof fails, it is never unsound).

use ff::Field;
use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector},
};

use super::rows::{cur, prev, AccountColumns, AccumulatorRow, OutcomeRow};
use super::{Cell, RowWriter};
use crate::chips::instrument_totals::Challenges;
use crate::field::Fp;
use crate::model::buckets::{pole_inverse, scenario_pole_base};
use crate::model::stress::OUTCOME_TOTALS;
use crate::relations::Arith;

/// Columns and selector of the `scenario outcome` gate.
#[derive(Debug, Clone, Copy)]
pub struct OutcomeConfig {
    q: Selector,
    /// The first pole of the row's scenario.
    pub pole: Column<Fixed>,
    row: OutcomeRow<Column<Advice>>,
    accumulators: AccumulatorRow<Column<Advice>>,
}

impl OutcomeConfig {
    /// Creates the gate on `columns` and the fixed `pole` column under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
        pole: Column<Fixed>,
    ) -> Self {
        let config = OutcomeConfig {
            q,
            pole,
            row: columns.rows.outcome,
            accumulators: columns.rows.accumulators,
        };
        meta.create_gate("scenario outcome", |m| {
            let q = m.query_selector(config.q);
            let pole = m.query_fixed(config.pole);
            let r = cur(m, config.row.r);
            let bk = config.accumulators.bucket;
            let mut constraints = Vec::with_capacity(OUTCOME_TOTALS + 1);
            let mut sum = cur(m, bk) - prev(m, bk);
            const NAMES: [&str; OUTCOME_TOTALS] = [
                "outcome weight 0",
                "outcome weight 1",
                "outcome weight 2",
                "outcome weight 3",
                "outcome weight 4",
            ];
            for (t, name) in NAMES.iter().enumerate() {
                let w = cur(m, config.row.weights[t]);
                let shift = Expression::constant(Fp::from(t as u64));
                constraints.push((
                    *name,
                    w.clone() * (r.clone() - pole.clone() - shift) - Expression::one(),
                ));
                sum = sum - cur(m, config.row.terms[t]) * w;
            }
            constraints.push(("outcome terms", sum));
            Constraints::with_selector(q, constraints)
        });
        config
    }

    /// Lays out scenario `s`'s weights on its status `row`; `terms` are the row's outcome cells
    /// in order. Returns the values of the terms' sum for the accumulator.
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        row: usize,
        s: usize,
        challenges: &Challenges,
        terms: [&Cell; OUTCOME_TOTALS],
    ) -> Result<Value<Fp>, Error> {
        self.q.enable(w.region, row)?;
        let base = scenario_pole_base(s);
        w.region.assign_fixed(
            || "scenario pole",
            self.pole,
            row,
            || Value::known(Fp::from(base)),
        )?;
        w.copy("r", &challenges.r, self.row.r, row)?;
        let r = challenges.r.value().copied();
        let mut sum = Value::known(Fp::ZERO);
        for (t, term) in terms.iter().enumerate() {
            let weight = r.map(|r| pole_inverse(r, base + t as u64));
            w.put("outcome weight", self.row.weights[t], row, weight)?;
            sum = sum + term.value().copied() * weight;
        }
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use ff::Field;

    use super::OutcomeConfig;
    use crate::chips::account::gate_test::{at, failure, one_gate, unsatisfied, TestRow};
    use crate::field::Fp;
    use crate::model::buckets::{pole_inverse, scenario_pole_base};

    one_gate!(Outcome, OutcomeConfig, |meta, columns, fixed, q| {
        OutcomeConfig::configure(meta, q, columns, fixed.pole)
    });

    const GATE: &str = "scenario outcome";

    /// Scenario 1's status row of a bankrupt account (bad debt 7): its terms at the scenario's
    /// poles, added to `bk` = 3 above.
    fn rows() -> [TestRow; 2] {
        let r = Fp::from(1_000_003);
        let (o, bk) = (at().outcome, at().accumulators.bucket);
        let base = scenario_pole_base(1);
        let mut rows = [TestRow::default(); 2];
        rows[0].advice[bk] = Fp::from(3);
        rows[1].fixed[2] = Fp::from(base);
        let terms = [0u64, 1, 0, 7, 0].map(Fp::from);
        let mut sum = Fp::from(3);
        for (t, term) in terms.into_iter().enumerate() {
            let w = pole_inverse(r, base + t as u64);
            rows[1].advice[o.terms[t]] = term;
            rows[1].advice[o.weights[t]] = w;
            sum += term * w;
        }
        rows[1].advice[o.r] = r;
        rows[1].advice[bk] = sum;
        rows
    }

    #[test]
    fn the_terms_at_the_scenarios_poles_pass() {
        assert_eq!(unsatisfied::<Outcome>(&rows(), &[(0, 1)]), vec![]);
    }

    #[test]
    fn a_weight_at_another_pole_fails_its_weight_and_the_sum() {
        let mut rows = rows();
        rows[1].advice[at().outcome.weights[3]] += Fp::ONE;
        assert_eq!(
            unsatisfied::<Outcome>(&rows, &[(0, 1)]),
            vec![
                failure(0, GATE, 3, "outcome weight 3", 1),
                failure(0, GATE, 5, "outcome terms", 1),
            ]
        );
    }

    #[test]
    fn a_term_left_out_of_the_sum_fails_outcome_terms() {
        let mut rows = rows();
        rows[1].advice[at().outcome.terms[3]] = Fp::ZERO;
        assert_eq!(
            unsatisfied::<Outcome>(&rows, &[(0, 1)]),
            vec![failure(0, GATE, 5, "outcome terms", 1)]
        );
    }
}
