//! The `position slot` gate (rows S+1..=S+P of an account region), mark price `P` from the
//! instrument lookup, and the `scenario position slot` gate (the same position valued again at a
//! scenario's mark price, SPEC §7).
//!
//! The row is a [`PositionRow`] (columns in [`super::rows`]):
//!
//! | row | m | σ_s | m_s | σ_c | m_c | P | n | F | word | tid | t | r | ρ | empty | inv | gap | U | ae, e, mr, bk |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | base | m | σ_s | m_s | σ_c | m_c | P | n | F | word | tid | t | r | ρ | empty | inv | gap | U | ae, e, mr, bk |
//! | scenario | m | σ_s | m_s | σ_c | m_c | P^s | n^s | F^s | | tid | | | | | | | U^s | ae, e, mr, bk |
//!
//! On a scenario row `m`, `σ_s`, `m_s`, `σ_c`, `m_c` are copies of the base row's cells, and `P^s`
//! is looked up in the scenario's price block. Both gates share the valuation constraints
//! (`PositionSlotConfig::valuation`), each relation from [`crate::relations`]:
//!
//! ```text
//! size sign is boolean, cost sign is boolean
//! notional:                  n = |s|·P                 s = m_s − σ_s(2m_s + 1),  |s| = m_s + σ_s
//! pnl:                       U = s·P − (m_c − σ_c(2m_c + 1))
//! tier table:                tid = MARKET_TIER_BASE + m
//! pnl collateral:            ae = ae_prev + RS·U
//! pnl sum:                   e = e_prev + U
//! position requirement:      mr = mr_prev + F
//! ```
//!
//! The base gate adds the holding's constraints, the scenario gate only `bucket carried:
//! bk = bk_prev`:
//!
//! ```text
//! leaf word:                 w = m + 2^10·m_s + 2^74·m_c + 2^202·σ_s + 2^203·σ_c
//! bucket pole:               t·(r − 1024 − m) = 1
//! bucket term:               bk = bk_prev + (s + ρ·|s| + ρ²·U)·t
//! empty flag is boolean:     empty ∈ {0, 1}
//! held or empty, magnitudes in range:
//!                            inv·(h + empty)·(|s| − 2^64)·(|c| − 2^128) = 1
//!                                                      h = σ_s + m_s + σ_c + m_c,  |c| = m_c + σ_c
//! empty slot holds nothing:  empty·h = 0
//! empty slot has index zero: empty·m = 0
//! ```
//!
//! The `held or empty` constraint says three things are nonzero. `h + empty ≠ 0`: with
//! `empty·h = 0` and `empty` boolean, empty = [h = 0]. `|s| ≠ 2^64` and `|c| ≠ 2^128`: the codes
//! are range-checked, m_s < 2^64 and m_c < 2^128, so |s| = m_s + σ_s ≤ 2^64 and |c| ≤ 2^128,
//! equal only for σ = 1 and the code at its maximum; excluding that value gives exactly SPEC's
//! |s| < 2^64 and |c| < 2^128 (−2^64 and −2^128 are refused).
//!
//! Bounds: m < 256 (lookup), m_s < 2^64, m_c < 2^128 (range-checked), P < 2^64 (the published
//! mark price, a public input, or a scenario's): |U| < 2^129, n < 2^128, h < 2^130 is 0 only if every part is, and
//! the word's five fields occupy disjoint bits below 2^204.

use halo2_proofs::{
    circuit::Value,
    plonk::{
        Advice, Column, ConstraintSystem, Constraints, Error, Expression, Selector, VirtualCells,
    },
};

use super::portfolio::PortfolioSlot;
use super::rows::{cur, prev, AccountColumns, AccumulatorRow, PositionRow};
use super::{scenario_slot_gate, Accumulators, Cell, RowWriter, ScenarioSlotCells, SlotCells};
use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::MARKET_KIND;
use crate::circuit::witness::{PositionWitness, ScenarioPositionWitness};
use crate::field::Fp;
use crate::model::buckets::inverse_or_zero;
use crate::relations::{
    bool_check, magnitude, market_pole, market_tier_table, notional, pnl, position_bucket_term,
    position_slot_bound, position_valuation, position_word, signed, Arith,
};
use crate::units::{COST_BITS, QUANTITY_BITS};

/// The base row's cells a scenario row copies: index, size and cost codes and signs.
#[derive(Debug, Clone)]
pub struct PositionSlotKey {
    index: Cell,
    size_sign: Cell,
    size_code: Cell,
    cost_sign: Cell,
    cost_code: Cell,
}

impl PositionSlotKey {
    /// The slot as a portfolio-margin valuation reads it, with its notional `value` there.
    pub(super) fn portfolio_slot(&self, value: &Cell) -> PortfolioSlot {
        PortfolioSlot {
            kind: MARKET_KIND,
            index: self.index.clone(),
            sign: self.size_sign.clone(),
            value: value.clone(),
        }
    }
}

/// Columns and selectors of the `position slot` and `scenario position slot` gates.
#[derive(Debug, Clone, Copy)]
pub struct PositionSlotConfig {
    q: Selector,
    q_scenario: Selector,
    row: PositionRow<Column<Advice>>,
    accumulators: AccumulatorRow<Column<Advice>>,
}

impl PositionSlotConfig {
    /// The valuation constraints of a position slot at its row's mark price, shared by both gates.
    fn valuation(&self, m: &mut VirtualCells<'_, Fp>) -> Vec<(&'static str, Expression<Fp>)> {
        let (c, p) = (self.row.slot, self.row);
        let acc = self.accumulators;
        let (idx, ss, ms, sc, mc, price, n, f, tid, u) = (
            cur(m, c.index),
            cur(m, p.size_sign),
            cur(m, p.size_code),
            cur(m, p.cost_sign),
            cur(m, p.cost_code),
            cur(m, c.price),
            cur(m, c.value),
            cur(m, c.tiered),
            cur(m, c.tier_table),
            cur(m, p.pnl),
        );
        let step = position_valuation(u.clone(), f);
        vec![
            ("size sign is boolean", bool_check(ss.clone())),
            ("cost sign is boolean", bool_check(sc.clone())),
            (
                "notional",
                n - notional(ss.clone(), ms.clone(), price.clone()),
            ),
            ("pnl", u - pnl(ss, ms, sc, mc, price)),
            ("tier table", tid - market_tier_table(idx)),
            (
                "pnl collateral",
                cur(m, acc.adjusted_equity) - prev(m, acc.adjusted_equity) - step.adjusted_equity,
            ),
            (
                "pnl sum",
                cur(m, acc.equity) - prev(m, acc.equity) - step.equity,
            ),
            (
                "position requirement",
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
        let config = PositionSlotConfig {
            q,
            q_scenario,
            row: columns.rows.position,
            accumulators: columns.rows.accumulators,
        };
        meta.create_gate("position slot", |m| {
            let q = m.query_selector(config.q);
            let (c, p) = (config.row.slot, config.row);
            let acc = config.accumulators;
            let (idx, ss, ms, sc, mc, w) = (
                cur(m, c.index),
                cur(m, p.size_sign),
                cur(m, p.size_code),
                cur(m, p.cost_sign),
                cur(m, p.cost_code),
                cur(m, c.word),
            );
            let (t, r, rho, empty, inv, u) = (
                cur(m, c.bucket_inverse),
                cur(m, c.r),
                cur(m, c.rho),
                cur(m, c.empty),
                cur(m, c.empty_inverse),
                cur(m, p.pnl),
            );
            let one = Expression::one();
            let s = signed(ss.clone(), ms.clone());
            let open = magnitude(ss.clone(), ms.clone());
            let held = ss.clone() + ms.clone() + sc.clone() + mc.clone();
            let bound = position_slot_bound(
                inv,
                empty.clone(),
                ss.clone(),
                ms.clone(),
                sc.clone(),
                mc.clone(),
            );
            let mut constraints = config.valuation(m);
            constraints.extend([
                ("leaf word", w - position_word(idx.clone(), ms, mc, ss, sc)),
                (
                    "bucket pole",
                    t.clone() * market_pole(r, idx.clone()) - one.clone(),
                ),
                (
                    "bucket term",
                    cur(m, acc.bucket)
                        - prev(m, acc.bucket)
                        - position_bucket_term(rho, s, open, u, t),
                ),
                ("empty flag is boolean", bool_check(empty.clone())),
                ("held or empty, magnitudes in range", bound - one),
                ("empty slot holds nothing", empty.clone() * held),
                ("empty slot has index zero", empty * idx),
            ]);
            Constraints::with_selector(q, constraints)
        });
        scenario_slot_gate(
            meta,
            "scenario position slot",
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
        s: Value<&PositionWitness>,
        challenges: &Challenges,
        acc: &mut Accumulators,
    ) -> Result<(SlotCells, PositionSlotKey), Error> {
        let (c, p) = (self.row.slot, self.row);
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();
        self.q.enable(w.region, row)?;
        w.slot_kind(row, MARKET_KIND)?;
        let idx = w.put("market index", c.index, row, s.map(|p| p.index))?;
        let ss = w.put("size sign", p.size_sign, row, s.map(|p| p.size_negative))?;
        let size_code = w.put("size code", p.size_code, row, s.map(|p| p.size_code))?;
        let sc = w.put("cost sign", p.cost_sign, row, s.map(|p| p.cost_negative))?;
        let cost_code = w.put("cost code", p.cost_code, row, s.map(|p| p.cost_code))?;
        w.put("mark price", c.price, row, s.map(|p| p.mark_price))?;
        let notional = w.put("notional", c.value, row, s.map(|p| p.notional))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|p| p.tier.value))?;
        let u = w.put("pnl", p.pnl, row, s.map(|p| p.pnl))?;
        let (iv, ssv, msv, scv, mcv) = (
            idx.value().copied(),
            ss.value().copied(),
            size_code.value().copied(),
            sc.value().copied(),
            cost_code.value().copied(),
        );
        let word = position_word(iv, msv, mcv, ssv, scv);
        let word = w.put("leaf word", c.word, row, word)?;
        let tier_table = w.put("tier table", c.tier_table, row, market_tier_table(iv))?;
        let t = market_pole(r, iv).map(inverse_or_zero);
        w.put("bucket inverse", c.bucket_inverse, row, t)?;
        w.copy("r", &challenges.r, c.r, row)?;
        w.copy("rho", &challenges.rho, c.rho, row)?;
        let empty = w.put("empty", c.empty, row, s.map(|p| p.empty))?;
        w.put(
            "slot inverse",
            c.empty_inverse,
            row,
            s.map(|p| p.slot_inverse),
        )?;
        let gap = w.put("gap", c.gap, row, s.map(|p| p.gap))?;
        let (uv, fv) = (u.value().copied(), tiered.value().copied());
        acc.step(position_valuation(uv, fv));
        let (size, open) = (signed(ssv, msv), magnitude(ssv, msv));
        acc.bk = acc.bk + position_bucket_term(rho, size, open, uv, t);
        let key = PositionSlotKey {
            index: idx,
            size_sign: ss,
            size_code: size_code.clone(),
            cost_sign: sc,
            cost_code: cost_code.clone(),
        };
        Ok((
            SlotCells {
                word,
                empty,
                gap,
                tier_table,
                tier_x: notional,
                tiered,
                ranges: vec![
                    ("size code", size_code, QUANTITY_BITS),
                    ("cost code", cost_code, COST_BITS),
                ],
            },
            key,
        ))
    }

    /// Lays out the position `key` of the base row valued again on `row` at the mark price of the
    /// fixed slot kind `kind` (a scenario's block), and adds its terms to `acc`.
    pub(super) fn assign_scenario(
        &self,
        w: &mut RowWriter<'_, '_>,
        row: usize,
        key: &PositionSlotKey,
        kind: u64,
        s: Value<&ScenarioPositionWitness>,
        acc: &mut Accumulators,
    ) -> Result<ScenarioSlotCells, Error> {
        let (c, p) = (self.row.slot, self.row);
        self.q_scenario.enable(w.region, row)?;
        w.slot_kind(row, kind)?;
        let idx = w.copy("market index", &key.index, c.index, row)?;
        w.copy("size sign", &key.size_sign, p.size_sign, row)?;
        w.copy("size code", &key.size_code, p.size_code, row)?;
        w.copy("cost sign", &key.cost_sign, p.cost_sign, row)?;
        w.copy("cost code", &key.cost_code, p.cost_code, row)?;
        w.put("mark price", c.price, row, s.map(|p| p.mark_price))?;
        let notional = w.put("notional", c.value, row, s.map(|p| p.notional))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|p| p.tier.value))?;
        let u = w.put("pnl", p.pnl, row, s.map(|p| p.pnl))?;
        let tier_table = w.put(
            "tier table",
            c.tier_table,
            row,
            market_tier_table(idx.value().copied()),
        )?;
        let (uv, fv) = (u.value().copied(), tiered.value().copied());
        acc.step(position_valuation(uv, fv));
        Ok(ScenarioSlotCells {
            tier_table,
            tier_x: notional,
            tiered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PositionSlotConfig;
    use crate::chips::account::gate_test::{at, failure, slot_gates, unsatisfied, TestRow};
    use crate::field::Fp;
    use crate::model::buckets::inverse_or_zero;
    use crate::relations::{
        magnitude, market_pole, market_tier_table, position_bucket_term, position_slot_bound,
        position_valuation, position_word, signed,
    };
    use ff::Field;

    slot_gates!(PositionSlotGates, PositionSlotConfig);

    const BASE: &str = "position slot";
    const SCENARIO: &str = "scenario position slot";

    /// Row 0: accumulators so far; row 1: market 2, a short of size code `size_code` (size
    /// −3 for code 2) bought for a cost of −300 (it received 300), at mark price 110 (F = 33);
    /// row 2: the same position at the scenario's mark price 120 (F = 36).
    fn rows_with(size_code: u64) -> [TestRow; 3] {
        let (r, rho) = (Fp::from(1_000_003), Fp::from(77));
        let c = at();
        let (s, p, acc) = (c.position.slot, c.position, c.accumulators);
        let mut rows = [TestRow::default(); 3];
        for (column, v) in [acc.adjusted_equity, acc.equity, acc.requirement, acc.bucket]
            .into_iter()
            .zip([5u64, 6, 7, 8])
        {
            rows[0].advice[column] = Fp::from(v);
        }
        let (m, ss, ms, sc, mc) = (
            Fp::from(2),
            Fp::ONE,
            Fp::from(size_code),
            Fp::ONE,
            Fp::from(299),
        );
        let (size, open) = (signed(ss, ms), magnitude(ss, ms));
        let t = inverse_or_zero(market_pole(r, m));
        for (row, price, tiered) in [(1, 110u64, 33u64), (2, 120, 36)] {
            let (price, tiered) = (Fp::from(price), Fp::from(tiered));
            let pnl = size * price - signed(sc, mc);
            let step = position_valuation(pnl, tiered);
            let prev = rows[row - 1].advice;
            let cells = &mut rows[row].advice;
            cells[s.index] = m;
            cells[p.size_sign] = ss;
            cells[p.size_code] = ms;
            cells[p.cost_sign] = sc;
            cells[p.cost_code] = mc;
            cells[s.price] = price;
            cells[s.value] = open * price;
            cells[s.tiered] = tiered;
            cells[p.pnl] = pnl;
            cells[s.tier_table] = market_tier_table(m);
            cells[acc.adjusted_equity] = prev[acc.adjusted_equity] + step.adjusted_equity;
            cells[acc.equity] = prev[acc.equity] + step.equity;
            cells[acc.requirement] = prev[acc.requirement] + step.requirement;
            cells[acc.bucket] = prev[acc.bucket];
        }
        let pnl = rows[1].advice[p.pnl];
        let cells = &mut rows[1].advice;
        cells[s.word] = position_word(m, ms, mc, ss, sc);
        cells[s.bucket_inverse] = t;
        cells[s.r] = r;
        cells[s.rho] = rho;
        cells[s.empty_inverse] =
            inverse_or_zero(position_slot_bound(Fp::ONE, Fp::ZERO, ss, ms, sc, mc));
        cells[acc.bucket] += position_bucket_term(rho, size, open, pnl, t);
        rows[2].advice[acc.bucket] = rows[1].advice[acc.bucket];
        rows
    }

    fn rows() -> [TestRow; 3] {
        let rows = rows_with(2);
        assert_eq!(rows[1].advice[at().position.pnl], -Fp::from(30));
        rows
    }

    const ENABLED: [(usize, usize); 2] = [(0, 1), (1, 2)];

    #[test]
    fn an_honest_short_and_its_scenario_row_pass() {
        assert_eq!(unsatisfied::<PositionSlotGates>(&rows(), &ENABLED), vec![]);
    }

    #[test]
    fn a_pnl_that_is_not_the_marks_fails_it_and_every_sum_of_it() {
        let mut rows = rows();
        rows[1].advice[at().position.pnl] += Fp::ONE;
        assert_eq!(
            unsatisfied::<PositionSlotGates>(&rows, &ENABLED),
            vec![
                failure(0, BASE, 3, "pnl", 1),
                failure(0, BASE, 5, "pnl collateral", 1),
                failure(0, BASE, 6, "pnl sum", 1),
                failure(0, BASE, 10, "bucket term", 1),
            ]
        );
    }

    #[test]
    fn a_size_of_magnitude_2_to_the_64_has_no_slot_inverse() {
        // σ_s = 1 with the largest 64-bit code is −2^64, one past SPEC's bound: the slot's
        // product has a zero factor, so no inverse makes `held or empty` hold, while every other
        // cell is this position's own.
        let rows = rows_with(u64::MAX);
        assert_eq!(rows[1].advice[at().position.slot.empty_inverse], Fp::ZERO);
        assert_eq!(
            unsatisfied::<PositionSlotGates>(&rows, &ENABLED),
            vec![failure(
                0,
                BASE,
                12,
                "held or empty, magnitudes in range",
                1
            )]
        );
    }

    #[test]
    fn a_scenario_row_that_adds_to_the_bucket_term_fails_bucket_carried() {
        let mut rows = rows();
        rows[2].advice[at().accumulators.bucket] += Fp::ONE;
        assert_eq!(
            unsatisfied::<PositionSlotGates>(&rows, &ENABLED),
            vec![failure(1, SCENARIO, 8, "bucket carried", 2)]
        );
    }

    #[test]
    fn a_scenario_notional_off_its_mark_fails_notional() {
        let mut rows = rows();
        rows[2].advice[at().position.slot.value] += Fp::ONE;
        assert_eq!(
            unsatisfied::<PositionSlotGates>(&rows, &ENABLED),
            vec![failure(1, SCENARIO, 2, "notional", 2)]
        );
    }
}
