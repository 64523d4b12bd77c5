//! The `asset slot` gate (rows 1..=S of an account region), price `p` from the instrument lookup,
//! and the `scenario asset slot` gate (the same slot valued again at a scenario's price, SPEC §7).
//!
//! The row is an [`AssetRow`] (columns in [`super::rows`]):
//!
//! | row | a | b | l | σ | m | p | x | F | word | tid | t | r | ρ | empty | inv | gap | ae, e, mr, bk |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | base | a | b | l | σ | m | p | x | F | word | tid | t | r | ρ | empty | inv | gap | ae, e, mr, bk |
//! | scenario | a | | | σ | m | p^s | x^s | F^s | | tid | | | | | | | ae, e, mr, bk |
//!
//! On a scenario row `a`, `σ` and `m` are copies of the base row's cells (copy constraints), so
//! the scenario values the same holding; `p^s` is looked up in the scenario's price block (the
//! row's fixed slot kind). Both gates share the valuation constraints, written once
//! (`AssetSlotConfig::valuation`), each relation from [`crate::relations`]:
//!
//! ```text
//! sign is boolean:             σ(1 − σ) = 0
//! net value:                   x = (m + σ)·p                        |v_a|
//! tier table:                  tid = 1 + 2a + σ                     haircut (σ = 0) or maintenance (σ = 1)
//! haircut collateral:          ae = ae_prev + (1 − σ)·F − σ·RS·x    W_a
//! net value sum:               e  = e_prev + (1 − 2σ)·x             v_a
//! borrow requirement:          mr = mr_prev + σ·F                   G_a(max(0, −v_a))
//! ```
//!
//! The base gate adds the holding's constraints, the scenario gate only `bucket carried:
//! bk = bk_prev` (a scenario adds nothing to the instrument totals):
//!
//! ```text
//! net quantity:                b − l = m − σ(2m + 1)
//! leaf word:                   w = a + 2^10·b + 2^74·l
//! bucket pole:                 t·(r − a) = 1
//! bucket term:                 bk = bk_prev + (b + ρ·l)·t
//! empty flag:                  empty = 1 − (b + l)·inv
//! empty slot holds nothing:    empty·(b + l) = 0
//! empty slot has index zero:   empty·a = 0
//! ```
//!
//! Bounds: a < 1024 (instrument lookup), b, l, m < 2^64 (range-checked), so the word's fields
//! occupy disjoint bits below 2^138 and both sides of the net quantity are in (−2^65, 2^65);
//! p < 2^64 (the published price: a `u64` of the configuration, supplied by the verifier as a
//! public input and copied into the instrument table) so x < 2^128; F < 2^148; b + l < 2^65 is 0
//! only if both are: no sum here nears p ≈ 2^254. A scenario price is a published `u64` too, and
//! its row's `m` the base row's range-checked code, so the same bounds hold. r is a public challenge, r ≠ a except with
//! probability 2^-246 (then no t exists and the honest proof fails, it is never unsound).

use halo2_proofs::{
    circuit::Value,
    plonk::{
        Advice, Column, ConstraintSystem, Constraints, Error, Expression, Selector, VirtualCells,
    },
};

use super::portfolio::PortfolioSlot;
use super::rows::{cur, prev, AccountColumns, AccumulatorRow, AssetRow};
use super::{scenario_slot_gate, Accumulators, Cell, RowWriter, ScenarioSlotCells, SlotCells};
use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::ASSET_KIND;
use crate::circuit::witness::{AssetWitness, ScenarioAssetWitness};
use crate::field::Fp;
use crate::model::buckets::inverse_or_zero;
use crate::relations::{
    asset_bucket_term, asset_pole, asset_tier_table, asset_valuation, asset_word, bool_check,
    net_value, signed, Arith,
};
use crate::units::QUANTITY_BITS;

/// The base row's cells a scenario row copies: index, sign, code.
#[derive(Debug, Clone)]
pub struct AssetSlotKey {
    index: Cell,
    sign: Cell,
    code: Cell,
}

impl AssetSlotKey {
    /// The slot as a portfolio-margin valuation reads it, with its `|v_a|` cell `value` there.
    pub(super) fn portfolio_slot(&self, value: &Cell) -> PortfolioSlot {
        PortfolioSlot {
            kind: ASSET_KIND,
            index: self.index.clone(),
            sign: self.sign.clone(),
            value: value.clone(),
        }
    }
}

/// Columns and selectors of the `asset slot` and `scenario asset slot` gates.
#[derive(Debug, Clone, Copy)]
pub struct AssetSlotConfig {
    q: Selector,
    q_scenario: Selector,
    row: AssetRow<Column<Advice>>,
    accumulators: AccumulatorRow<Column<Advice>>,
}

impl AssetSlotConfig {
    /// The valuation constraints of an asset slot at its row's price, shared by both gates.
    fn valuation(&self, m: &mut VirtualCells<'_, Fp>) -> Vec<(&'static str, Expression<Fp>)> {
        let s = self.row.slot;
        let acc = self.accumulators;
        let (idx, sigma, code, p, x, f, tid) = (
            cur(m, s.index),
            cur(m, self.row.sign),
            cur(m, self.row.code),
            cur(m, s.price),
            cur(m, s.value),
            cur(m, s.tiered),
            cur(m, s.tier_table),
        );
        let step = asset_valuation(sigma.clone(), x.clone(), f);
        vec![
            ("sign is boolean", bool_check(sigma.clone())),
            ("net value", x - net_value(sigma.clone(), code, p)),
            ("tier table", tid - asset_tier_table(idx, sigma)),
            (
                "haircut collateral",
                cur(m, acc.adjusted_equity) - prev(m, acc.adjusted_equity) - step.adjusted_equity,
            ),
            (
                "net value sum",
                cur(m, acc.equity) - prev(m, acc.equity) - step.equity,
            ),
            (
                "borrow requirement",
                cur(m, acc.requirement) - prev(m, acc.requirement) - step.requirement,
            ),
        ]
    }

    /// Creates the gates on `columns` under `q` and `q_scenario`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        q_scenario: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let config = AssetSlotConfig {
            q,
            q_scenario,
            row: columns.rows.asset,
            accumulators: columns.rows.accumulators,
        };
        meta.create_gate("asset slot", |m| {
            let q = m.query_selector(config.q);
            let (s, a) = (config.row.slot, config.row);
            let acc = config.accumulators;
            let (idx, b, l, sigma, code, w) = (
                cur(m, s.index),
                cur(m, a.balance),
                cur(m, a.debt),
                cur(m, a.sign),
                cur(m, a.code),
                cur(m, s.word),
            );
            let (t, r, rho, empty, inv) = (
                cur(m, s.bucket_inverse),
                cur(m, s.r),
                cur(m, s.rho),
                cur(m, s.empty),
                cur(m, s.empty_inverse),
            );
            let one = Expression::one();
            let held = b.clone() + l.clone();
            let mut constraints = config.valuation(m);
            constraints.extend([
                ("net quantity", b.clone() - l.clone() - signed(sigma, code)),
                (
                    "leaf word",
                    w - asset_word(idx.clone(), b.clone(), l.clone()),
                ),
                (
                    "bucket pole",
                    t.clone() * asset_pole(r, idx.clone()) - one.clone(),
                ),
                (
                    "bucket term",
                    cur(m, acc.bucket) - prev(m, acc.bucket) - asset_bucket_term(rho, b, l, t),
                ),
                ("empty flag", one - empty.clone() - held.clone() * inv),
                ("empty slot holds nothing", empty.clone() * held),
                ("empty slot has index zero", empty * idx),
            ]);
            Constraints::with_selector(q, constraints)
        });
        scenario_slot_gate(
            meta,
            "scenario asset slot",
            config.q_scenario,
            config.accumulators.bucket,
            |m| config.valuation(m),
        );
        config
    }

    /// Lays out the slot on `row` and adds its terms to `acc` (the accumulators themselves are
    /// written by the caller).
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        row: usize,
        s: Value<&AssetWitness>,
        challenges: &Challenges,
        acc: &mut Accumulators,
    ) -> Result<(SlotCells, AssetSlotKey), Error> {
        let (c, a) = (self.row.slot, self.row);
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();
        self.q.enable(w.region, row)?;
        w.slot_kind(row, ASSET_KIND)?;
        let idx = w.put("asset index", c.index, row, s.map(|a| a.index))?;
        let balance = w.put("balance", a.balance, row, s.map(|a| a.balance))?;
        let debt = w.put("debt", a.debt, row, s.map(|a| a.debt))?;
        let sigma = w.put("net sign", a.sign, row, s.map(|a| a.negative))?;
        let code = w.put("net code", a.code, row, s.map(|a| a.code))?;
        w.put("price", c.price, row, s.map(|a| a.price))?;
        let value = w.put("net value", c.value, row, s.map(|a| a.value))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|a| a.tier.value))?;
        let (iv, bv, lv, sv) = (
            idx.value().copied(),
            balance.value().copied(),
            debt.value().copied(),
            sigma.value().copied(),
        );
        let word = w.put("leaf word", c.word, row, asset_word(iv, bv, lv))?;
        let tier_table = w.put("tier table", c.tier_table, row, asset_tier_table(iv, sv))?;
        let t = asset_pole(r, iv).map(inverse_or_zero);
        w.put("bucket inverse", c.bucket_inverse, row, t)?;
        w.copy("r", &challenges.r, c.r, row)?;
        w.copy("rho", &challenges.rho, c.rho, row)?;
        let empty = w.put("empty", c.empty, row, s.map(|a| a.empty))?;
        w.put(
            "empty inverse",
            c.empty_inverse,
            row,
            s.map(|a| a.empty_inverse),
        )?;
        let gap = w.put("gap", c.gap, row, s.map(|a| a.gap))?;
        let (xv, fv) = (value.value().copied(), tiered.value().copied());
        acc.step(asset_valuation(sv, xv, fv));
        acc.bk = acc.bk + asset_bucket_term(rho, bv, lv, t);
        let key = AssetSlotKey {
            index: idx,
            sign: sigma,
            code: code.clone(),
        };
        Ok((
            SlotCells {
                word,
                empty,
                gap,
                tier_table,
                tier_x: value,
                tiered,
                ranges: vec![
                    ("balance", balance, QUANTITY_BITS),
                    ("debt", debt, QUANTITY_BITS),
                    ("net code", code, QUANTITY_BITS),
                ],
            },
            key,
        ))
    }

    /// Lays out the slot `key` of the base row valued again on `row` at the price of the fixed
    /// slot kind `kind` (a scenario's block), and adds its terms to `acc`.
    pub(super) fn assign_scenario(
        &self,
        w: &mut RowWriter<'_, '_>,
        row: usize,
        key: &AssetSlotKey,
        kind: u64,
        s: Value<&ScenarioAssetWitness>,
        acc: &mut Accumulators,
    ) -> Result<ScenarioSlotCells, Error> {
        let (c, a) = (self.row.slot, self.row);
        self.q_scenario.enable(w.region, row)?;
        w.slot_kind(row, kind)?;
        let idx = w.copy("asset index", &key.index, c.index, row)?;
        let sigma = w.copy("net sign", &key.sign, a.sign, row)?;
        w.copy("net code", &key.code, a.code, row)?;
        w.put("price", c.price, row, s.map(|a| a.price))?;
        let value = w.put("net value", c.value, row, s.map(|a| a.value))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|a| a.tier.value))?;
        let (iv, sv) = (idx.value().copied(), sigma.value().copied());
        let tier_table = w.put("tier table", c.tier_table, row, asset_tier_table(iv, sv))?;
        let (xv, fv) = (value.value().copied(), tiered.value().copied());
        acc.step(asset_valuation(sv, xv, fv));
        Ok(ScenarioSlotCells {
            tier_table,
            tier_x: value,
            tiered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AssetSlotConfig;
    use crate::chips::account::gate_test::{at, failure, slot_gates, unsatisfied, TestRow};
    use crate::field::Fp;
    use crate::model::buckets::inverse_or_zero;
    use crate::relations::{
        asset_bucket_term, asset_pole, asset_tier_table, asset_valuation, asset_word,
    };
    use ff::Field;

    slot_gates!(AssetSlotGates, AssetSlotConfig);

    const BASE: &str = "asset slot";
    const SCENARIO: &str = "scenario asset slot";

    /// Row 0: accumulators so far; row 1: asset 3 holding 10 atoms at price 7 (F = 60); row 2:
    /// the same slot at the scenario price 9 (F = 80).
    fn rows() -> Vec<TestRow> {
        let (r, rho) = (Fp::from(1_000_003), Fp::from(77));
        let c = at();
        let (s, a, acc) = (c.asset.slot, c.asset, c.accumulators);
        let mut rows = vec![TestRow::default(); 3];
        let start = [5u64, 6, 7, 8].map(Fp::from);
        for (column, v) in [acc.adjusted_equity, acc.equity, acc.requirement, acc.bucket]
            .into_iter()
            .zip(start)
        {
            rows[0].advice[column] = v;
        }
        let (index, balance, code) = (Fp::from(3), Fp::from(10), Fp::from(10));
        for (row, price, tiered) in [(1, 7u64, 60u64), (2, 9, 80)] {
            let (price, tiered) = (Fp::from(price), Fp::from(tiered));
            let value = code * price;
            let cells = &mut rows[row].advice;
            cells[s.index] = index;
            cells[a.sign] = Fp::ZERO;
            cells[a.code] = code;
            cells[s.price] = price;
            cells[s.value] = value;
            cells[s.tiered] = tiered;
            cells[s.tier_table] = asset_tier_table(index, Fp::ZERO);
            let step = asset_valuation(Fp::ZERO, value, tiered);
            let prev = rows[row - 1].advice;
            let cells = &mut rows[row].advice;
            cells[acc.adjusted_equity] = prev[acc.adjusted_equity] + step.adjusted_equity;
            cells[acc.equity] = prev[acc.equity] + step.equity;
            cells[acc.requirement] = prev[acc.requirement] + step.requirement;
            cells[acc.bucket] = prev[acc.bucket];
        }
        let t = inverse_or_zero(asset_pole(r, index));
        let cells = &mut rows[1].advice;
        cells[a.balance] = balance;
        cells[s.word] = asset_word(index, balance, Fp::ZERO);
        cells[s.bucket_inverse] = t;
        cells[s.r] = r;
        cells[s.rho] = rho;
        cells[s.empty_inverse] = balance.invert().unwrap();
        cells[acc.bucket] += asset_bucket_term(rho, balance, Fp::ZERO, t);
        rows[2].advice[acc.bucket] = rows[1].advice[acc.bucket];
        rows
    }

    const ENABLED: [(usize, usize); 2] = [(0, 1), (1, 2)];

    #[test]
    fn an_honest_slot_and_its_scenario_row_pass() {
        assert_eq!(unsatisfied::<AssetSlotGates>(&rows(), &ENABLED), vec![]);
    }

    #[test]
    fn a_word_that_is_not_the_holding_fails_only_the_leaf_word() {
        let mut rows = rows();
        rows[1].advice[at().asset.slot.word] += Fp::ONE;
        assert_eq!(
            unsatisfied::<AssetSlotGates>(&rows, &ENABLED),
            vec![failure(0, BASE, 7, "leaf word", 1)]
        );
    }

    #[test]
    fn a_debt_the_net_quantity_does_not_carry_fails_the_quantity_the_word_the_term_and_the_flag() {
        let mut rows = rows();
        rows[1].advice[at().asset.debt] = Fp::ONE;
        assert_eq!(
            unsatisfied::<AssetSlotGates>(&rows, &ENABLED),
            vec![
                failure(0, BASE, 6, "net quantity", 1),
                failure(0, BASE, 7, "leaf word", 1),
                failure(0, BASE, 9, "bucket term", 1),
                failure(0, BASE, 10, "empty flag", 1),
            ]
        );
    }

    #[test]
    fn a_held_slot_claimed_empty_fails_the_three_empty_constraints() {
        let mut rows = rows();
        rows[1].advice[at().asset.slot.empty] = Fp::ONE;
        assert_eq!(
            unsatisfied::<AssetSlotGates>(&rows, &ENABLED),
            vec![
                failure(0, BASE, 10, "empty flag", 1),
                failure(0, BASE, 11, "empty slot holds nothing", 1),
                failure(0, BASE, 12, "empty slot has index zero", 1),
            ]
        );
    }

    #[test]
    fn a_scenario_value_off_its_price_fails_the_value_and_the_raw_equity() {
        // A collateral slot (σ = 0) adds its haircut value F to AE, not x: only the net value
        // and E read x.
        let mut rows = rows();
        rows[2].advice[at().asset.slot.value] += Fp::ONE;
        assert_eq!(
            unsatisfied::<AssetSlotGates>(&rows, &ENABLED),
            vec![
                failure(1, SCENARIO, 1, "net value", 2),
                failure(1, SCENARIO, 4, "net value sum", 2),
            ]
        );
    }

    #[test]
    fn a_scenario_row_that_adds_to_the_bucket_term_fails_bucket_carried() {
        let mut rows = rows();
        rows[2].advice[at().accumulators.bucket] += Fp::ONE;
        assert_eq!(
            unsatisfied::<AssetSlotGates>(&rows, &ENABLED),
            vec![failure(1, SCENARIO, 6, "bucket carried", 2)]
        );
    }
}
