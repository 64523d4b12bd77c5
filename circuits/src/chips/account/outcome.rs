//! The `scenario outcome` gate (each scenario's status row, beside `account status`): the
//! account's term of the scenario's five outcome totals in the bucket identity
//! ([`crate::model::buckets`], SPEC §7). The first of the scenario's poles is in the fixed `pole`
//! column (`1280 + 5s`), so one gate serves every scenario.
//!
//! | row | a0 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | a13 | a20 | pole (fixed) |
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
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Fixed, Selector},
};

use super::columns::{cur, prev, AccountColumns, AccumulatorColumns};
use super::{constant, Cell, RowWriter};
use crate::chips::instrument_totals::Challenges;
use crate::field::Fp;
use crate::model::buckets::{pole_inverse, scenario_pole_base};
use crate::model::stress::OUTCOME_TOTALS;

/// Columns and selector of the `scenario outcome` gate.
#[derive(Debug, Clone, Copy)]
pub struct OutcomeConfig {
    q: Selector,
    /// The first pole of the row's scenario.
    pub pole: Column<Fixed>,
    /// The five outcome terms, in order (the `account status` cells).
    pub terms: [Column<Advice>; OUTCOME_TOTALS],
    /// The five weights.
    pub weights: [Column<Advice>; OUTCOME_TOTALS],
    /// A copy of `r`.
    pub r: Column<Advice>,
    accumulators: AccumulatorColumns,
}

impl OutcomeConfig {
    /// Creates the gate on `columns` and the fixed `pole` column under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
        pole: Column<Fixed>,
    ) -> Self {
        let all = columns.all;
        let config = OutcomeConfig {
            q,
            pole,
            terms: [all[4], all[0], all[5], all[6], all[7]],
            weights: [all[8], all[9], all[10], all[12], all[13]],
            r: all[11],
            accumulators: columns.accumulators,
        };
        meta.create_gate("scenario outcome", |m| {
            let q = m.query_selector(config.q);
            let pole = m.query_fixed(config.pole);
            let r = cur(m, config.r);
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
                let w = cur(m, config.weights[t]);
                let shift = constant(Fp::from(t as u64));
                constraints.push((
                    *name,
                    w.clone() * (r.clone() - pole.clone() - shift) - constant(Fp::ONE),
                ));
                sum = sum - cur(m, config.terms[t]) * w;
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
        w.copy("r", &challenges.r, self.r, row)?;
        let r = challenges.r.value().copied();
        let mut sum = Value::known(Fp::ZERO);
        for (t, term) in terms.iter().enumerate() {
            let weight = r.map(|r| pole_inverse(r, base + t as u64));
            w.put("outcome weight", self.weights[t], row, weight)?;
            sum = sum + term.value().copied() * weight;
        }
        Ok(sum)
    }
}
