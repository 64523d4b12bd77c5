//! The `position slot` gate (rows S+1..=S+P of an account region), mark price `P` from the
//! instrument lookup, and the `scenario position slot` gate (the same position valued again at a
//! scenario's mark price, SPEC §7).
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | a13 | a14 | a15 | a16 | a17..a20 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | base | m | σ_s | m_s | σ_c | m_c | P | n | F | word | tid | t | r | ρ | empty | inv | gap | U | ae, e, mr, bk |
//! | scenario | m | σ_s | m_s | σ_c | m_c | P^s | n^s | F^s | | tid | | | | | | | U^s | ae, e, mr, bk |
//!
//! On a scenario row `m`, `σ_s`, `m_s`, `σ_c`, `m_c` are copies of the base row's cells, and `P^s`
//! is looked up in the scenario's price block. Both gates share the valuation constraints
//! (`PositionSlotConfig::valuation`):
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

use ff::Field;
use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
};

use halo2_proofs::plonk::{Expression, VirtualCells};

use super::columns::{cur, prev, AccountColumns, AccumulatorColumns, SlotColumns};
use super::{
    bool_check, constant, signed, Accumulators, Cell, RowWriter, ScenarioSlotCells, SlotCells,
};
use crate::chips::instrument_totals::{Challenges, MARKET_POLE_OFFSET};
use crate::chips::instruments::MARKET_KIND;
use crate::chips::tiered::MARKET_TIER_BASE;
use crate::circuit::witness::{PositionWitness, ScenarioPositionWitness};
use crate::field::Fp;
use crate::hash::leaf::{pow2, INDEX_BITS};
use crate::model::buckets::{market_pole_inverse, position_fraction};
use crate::units::{COST_BITS, QUANTITY_BITS, RATE_SCALE};

/// The base row's cells a scenario row copies: index, size and cost codes and signs.
#[derive(Debug, Clone)]
pub struct PositionSlotKey {
    index: Cell,
    size_sign: Cell,
    size_code: Cell,
    cost_sign: Cell,
    cost_code: Cell,
}

/// Columns and selectors of the `position slot` and `scenario position slot` gates.
#[derive(Debug, Clone, Copy)]
pub struct PositionSlotConfig {
    q: Selector,
    q_scenario: Selector,
    /// The columns every slot row has.
    pub slot: SlotColumns,
    /// `σ_s`: the size's sign.
    pub size_sign: Column<Advice>,
    /// `m_s`: the size's code.
    pub size_code: Column<Advice>,
    /// `σ_c`: the entry cost's sign.
    pub cost_sign: Column<Advice>,
    /// `m_c`: the entry cost's code.
    pub cost_code: Column<Advice>,
    /// `U`: the unrealized PnL.
    pub pnl: Column<Advice>,
    accumulators: AccumulatorColumns,
}

impl PositionSlotConfig {
    /// The valuation constraints of a position slot at its row's mark price, shared by both gates.
    fn valuation(&self, m: &mut VirtualCells<'_, Fp>) -> Vec<(&'static str, Expression<Fp>)> {
        let rs = Fp::from(RATE_SCALE);
        let c = self.slot;
        let acc = self.accumulators;
        let (idx, ss, ms, sc, mc, price, n, f, tid, u) = (
            cur(m, c.index),
            cur(m, self.size_sign),
            cur(m, self.size_code),
            cur(m, self.cost_sign),
            cur(m, self.cost_code),
            cur(m, c.price),
            cur(m, c.value),
            cur(m, c.tiered),
            cur(m, c.tier_table),
            cur(m, self.pnl),
        );
        let s = signed(ss.clone(), ms.clone());
        let open = ms + ss.clone();
        vec![
            ("size sign is boolean", bool_check(ss)),
            ("cost sign is boolean", bool_check(sc.clone())),
            ("notional", n - open * price.clone()),
            ("pnl", u.clone() - (s * price - signed(sc, mc))),
            (
                "tier table",
                tid - (constant(Fp::from(MARKET_TIER_BASE)) + idx),
            ),
            (
                "pnl collateral",
                cur(m, acc.adjusted_equity) - prev(m, acc.adjusted_equity) - u.clone() * rs,
            ),
            ("pnl sum", cur(m, acc.equity) - prev(m, acc.equity) - u),
            (
                "position requirement",
                cur(m, acc.requirement) - prev(m, acc.requirement) - f,
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
            slot: columns.slot,
            size_sign: columns.all[1],
            size_code: columns.all[2],
            cost_sign: columns.all[3],
            cost_code: columns.all[4],
            pnl: columns.all[16],
            accumulators: columns.accumulators,
        };
        meta.create_gate("position slot", |m| {
            let q = m.query_selector(config.q);
            let c = config.slot;
            let acc = config.accumulators;
            let (idx, ss, ms, sc, mc, w) = (
                cur(m, c.index),
                cur(m, config.size_sign),
                cur(m, config.size_code),
                cur(m, config.cost_sign),
                cur(m, config.cost_code),
                cur(m, c.word),
            );
            let (t, r, rho, empty, inv, u) = (
                cur(m, c.bucket_inverse),
                cur(m, c.r),
                cur(m, c.rho),
                cur(m, c.empty),
                cur(m, c.empty_inverse),
                cur(m, config.pnl),
            );
            let one = constant(Fp::ONE);
            let s = signed(ss.clone(), ms.clone());
            let open = ms.clone() + ss.clone();
            let cost_magnitude = mc.clone() + sc.clone();
            let held = ss.clone() + ms.clone() + sc.clone() + mc.clone();
            let mut constraints = config.valuation(m);
            constraints.extend([
                (
                    "leaf word",
                    w - (idx.clone()
                        + ms * pow2(INDEX_BITS)
                        + mc * pow2(INDEX_BITS + 64)
                        + ss * pow2(INDEX_BITS + 192)
                        + sc * pow2(INDEX_BITS + 193)),
                ),
                (
                    "bucket pole",
                    t.clone() * (r - constant(Fp::from(MARKET_POLE_OFFSET)) - idx.clone())
                        - one.clone(),
                ),
                (
                    "bucket term",
                    cur(m, acc.bucket)
                        - prev(m, acc.bucket)
                        - (s + rho.clone() * open.clone() + rho.clone() * rho * u) * t,
                ),
                ("empty flag is boolean", bool_check(empty.clone())),
                (
                    "held or empty, magnitudes in range",
                    inv * (held.clone() + empty.clone())
                        * (open - constant(pow2(QUANTITY_BITS as u32)))
                        * (cost_magnitude - constant(pow2(COST_BITS as u32)))
                        - one,
                ),
                ("empty slot holds nothing", empty.clone() * held),
                ("empty slot has index zero", empty * idx),
            ]);
            Constraints::with_selector(q, constraints)
        });
        meta.create_gate("scenario position slot", |m| {
            let q = m.query_selector(config.q_scenario);
            let acc = config.accumulators;
            let mut constraints = config.valuation(m);
            constraints.push(("bucket carried", cur(m, acc.bucket) - prev(m, acc.bucket)));
            Constraints::with_selector(q, constraints)
        });
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
        let c = self.slot;
        let one = Value::known(Fp::ONE);
        let rs = Value::known(Fp::from(RATE_SCALE));
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();
        self.q.enable(w.region, row)?;
        w.slot_kind(row, MARKET_KIND)?;
        let idx = w.put("market index", c.index, row, s.map(|p| p.index))?;
        let ss = w.put("size sign", self.size_sign, row, s.map(|p| p.size_negative))?;
        let size_code = w.put("size code", self.size_code, row, s.map(|p| p.size_code))?;
        let sc = w.put("cost sign", self.cost_sign, row, s.map(|p| p.cost_negative))?;
        let cost_code = w.put("cost code", self.cost_code, row, s.map(|p| p.cost_code))?;
        w.put("mark price", c.price, row, s.map(|p| p.mark_price))?;
        let notional = w.put("notional", c.value, row, s.map(|p| p.notional))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|p| p.tier.value))?;
        let u = w.put("pnl", self.pnl, row, s.map(|p| p.pnl))?;
        let (iv, ssv, msv, scv, mcv) = (
            idx.value().copied(),
            ss.value().copied(),
            size_code.value().copied(),
            sc.value().copied(),
            cost_code.value().copied(),
        );
        let word = iv
            + msv * Value::known(pow2(INDEX_BITS))
            + mcv * Value::known(pow2(INDEX_BITS + 64))
            + ssv * Value::known(pow2(INDEX_BITS + 192))
            + scv * Value::known(pow2(INDEX_BITS + 193));
        let word = w.put("leaf word", c.word, row, word)?;
        let tier_table = w.put(
            "tier table",
            c.tier_table,
            row,
            Value::known(Fp::from(MARKET_TIER_BASE)) + iv,
        )?;
        let t = r.zip(iv).map(|(r, m)| market_pole_inverse(r, m));
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
        let signed_size = msv - ssv * (msv + msv + one);
        let open = msv + ssv;
        let (uv, fv) = (u.value().copied(), tiered.value().copied());
        acc.ae = acc.ae + uv * rs;
        acc.e = acc.e + uv;
        acc.mr = acc.mr + fv;
        acc.bk = acc.bk
            + rho
                .zip(signed_size)
                .zip(open)
                .zip(uv)
                .zip(t)
                .map(|((((rho, s), n), u), t)| position_fraction(rho, s, n, u, t));
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
        let c = self.slot;
        let rs = Value::known(Fp::from(RATE_SCALE));
        self.q_scenario.enable(w.region, row)?;
        w.slot_kind(row, kind)?;
        let idx = w.copy("market index", &key.index, c.index, row)?;
        w.copy("size sign", &key.size_sign, self.size_sign, row)?;
        w.copy("size code", &key.size_code, self.size_code, row)?;
        w.copy("cost sign", &key.cost_sign, self.cost_sign, row)?;
        w.copy("cost code", &key.cost_code, self.cost_code, row)?;
        w.put("mark price", c.price, row, s.map(|p| p.mark_price))?;
        let notional = w.put("notional", c.value, row, s.map(|p| p.notional))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|p| p.tier.value))?;
        let u = w.put("pnl", self.pnl, row, s.map(|p| p.pnl))?;
        let tier_table = w.put(
            "tier table",
            c.tier_table,
            row,
            Value::known(Fp::from(MARKET_TIER_BASE)) + idx.value().copied(),
        )?;
        let (uv, fv) = (u.value().copied(), tiered.value().copied());
        acc.ae = acc.ae + uv * rs;
        acc.e = acc.e + uv;
        acc.mr = acc.mr + fv;
        Ok(ScenarioSlotCells {
            tier_table,
            tier_x: notional,
            tiered,
        })
    }
}
