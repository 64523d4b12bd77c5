//! The `asset slot` gate (rows 1..=S of an account region), price `p` from the instrument lookup,
//! and the `scenario asset slot` gate (the same slot valued again at a scenario's price, SPEC §7).
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | a13 | a14 | a15 | a17..a20 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | base | a | b | l | σ | m | p | x | F | word | tid | t | r | ρ | empty | inv | gap | ae, e, mr, bk |
//! | scenario | a | | | σ | m | p^s | x^s | F^s | | tid | | | | | | | ae, e, mr, bk |
//!
//! On a scenario row `a`, `σ` and `m` are copies of the base row's cells (copy constraints), so
//! the scenario values the same holding; `p^s` is looked up in the scenario's price block (the
//! row's fixed slot kind). Both gates share the valuation constraints, written once
//! (`AssetSlotConfig::valuation`):
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
use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::ASSET_KIND;
use crate::circuit::witness::{AssetWitness, ScenarioAssetWitness};
use crate::field::Fp;
use crate::hash::leaf::{pow2, INDEX_BITS};
use crate::model::buckets::{asset_fraction, asset_pole_inverse};
use crate::units::{QUANTITY_BITS, RATE_SCALE};

/// The base row's cells a scenario row copies: index, sign, code.
#[derive(Debug, Clone)]
pub struct AssetSlotKey {
    index: Cell,
    sign: Cell,
    code: Cell,
}

/// Columns and selectors of the `asset slot` and `scenario asset slot` gates.
#[derive(Debug, Clone, Copy)]
pub struct AssetSlotConfig {
    q: Selector,
    q_scenario: Selector,
    /// The columns every slot row has.
    pub slot: SlotColumns,
    /// `b`: the balance (atoms).
    pub balance: Column<Advice>,
    /// `l`: the debt (atoms).
    pub debt: Column<Advice>,
    /// `σ`: the net quantity's sign.
    pub sign: Column<Advice>,
    /// `m`: the net quantity's code.
    pub code: Column<Advice>,
    accumulators: AccumulatorColumns,
}

impl AssetSlotConfig {
    /// The valuation constraints of an asset slot at its row's price, shared by both gates.
    fn valuation(&self, m: &mut VirtualCells<'_, Fp>) -> Vec<(&'static str, Expression<Fp>)> {
        let rs = Fp::from(RATE_SCALE);
        let s = self.slot;
        let acc = self.accumulators;
        let (idx, sigma, code, p, x, f, tid) = (
            cur(m, s.index),
            cur(m, self.sign),
            cur(m, self.code),
            cur(m, s.price),
            cur(m, s.value),
            cur(m, s.tiered),
            cur(m, s.tier_table),
        );
        let one = constant(Fp::ONE);
        vec![
            ("sign is boolean", bool_check(sigma.clone())),
            ("net value", x.clone() - (code + sigma.clone()) * p),
            (
                "tier table",
                tid - (one.clone() + idx * Fp::from(2) + sigma.clone()),
            ),
            (
                "haircut collateral",
                cur(m, acc.adjusted_equity)
                    - prev(m, acc.adjusted_equity)
                    - ((one.clone() - sigma.clone()) * f.clone() - sigma.clone() * x.clone() * rs),
            ),
            (
                "net value sum",
                cur(m, acc.equity) - prev(m, acc.equity) - (one - sigma.clone() * Fp::from(2)) * x,
            ),
            (
                "borrow requirement",
                cur(m, acc.requirement) - prev(m, acc.requirement) - sigma * f,
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
            slot: columns.slot,
            balance: columns.all[1],
            debt: columns.all[2],
            sign: columns.all[3],
            code: columns.all[4],
            accumulators: columns.accumulators,
        };
        meta.create_gate("asset slot", |m| {
            let q = m.query_selector(config.q);
            let s = config.slot;
            let acc = config.accumulators;
            let (idx, b, l, sigma, code, w) = (
                cur(m, s.index),
                cur(m, config.balance),
                cur(m, config.debt),
                cur(m, config.sign),
                cur(m, config.code),
                cur(m, s.word),
            );
            let (t, r, rho, empty, inv) = (
                cur(m, s.bucket_inverse),
                cur(m, s.r),
                cur(m, s.rho),
                cur(m, s.empty),
                cur(m, s.empty_inverse),
            );
            let one = constant(Fp::ONE);
            let held = b.clone() + l.clone();
            let mut constraints = config.valuation(m);
            constraints.extend([
                ("net quantity", b.clone() - l.clone() - signed(sigma, code)),
                (
                    "leaf word",
                    w - (idx.clone()
                        + b.clone() * pow2(INDEX_BITS)
                        + l.clone() * pow2(INDEX_BITS + 64)),
                ),
                ("bucket pole", t.clone() * (r - idx.clone()) - one.clone()),
                (
                    "bucket term",
                    cur(m, acc.bucket) - prev(m, acc.bucket) - (b + rho * l) * t,
                ),
                ("empty flag", one - empty.clone() - held.clone() * inv),
                ("empty slot holds nothing", empty.clone() * held),
                ("empty slot has index zero", empty * idx),
            ]);
            Constraints::with_selector(q, constraints)
        });
        meta.create_gate("scenario asset slot", |m| {
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
        s: Value<&AssetWitness>,
        challenges: &Challenges,
        acc: &mut Accumulators,
    ) -> Result<(SlotCells, AssetSlotKey), Error> {
        let c = self.slot;
        let one = Value::known(Fp::ONE);
        let rs = Value::known(Fp::from(RATE_SCALE));
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();
        self.q.enable(w.region, row)?;
        w.slot_kind(row, ASSET_KIND)?;
        let idx = w.put("asset index", c.index, row, s.map(|a| a.index))?;
        let balance = w.put("balance", self.balance, row, s.map(|a| a.balance))?;
        let debt = w.put("debt", self.debt, row, s.map(|a| a.debt))?;
        let sigma = w.put("net sign", self.sign, row, s.map(|a| a.negative))?;
        let code = w.put("net code", self.code, row, s.map(|a| a.code))?;
        w.put("price", c.price, row, s.map(|a| a.price))?;
        let value = w.put("net value", c.value, row, s.map(|a| a.value))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|a| a.tier.value))?;
        let (iv, bv, lv, sv) = (
            idx.value().copied(),
            balance.value().copied(),
            debt.value().copied(),
            sigma.value().copied(),
        );
        let word =
            iv + bv * Value::known(pow2(INDEX_BITS)) + lv * Value::known(pow2(INDEX_BITS + 64));
        let word = w.put("leaf word", c.word, row, word)?;
        let tier_table = w.put("tier table", c.tier_table, row, one + iv + iv + sv)?;
        let t = r.zip(iv).map(|(r, a)| asset_pole_inverse(r, a));
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
        acc.ae = acc.ae + (one - sv) * fv - sv * xv * rs;
        acc.e = acc.e + (one - sv - sv) * xv;
        acc.mr = acc.mr + sv * fv;
        acc.bk = acc.bk
            + rho
                .zip(bv)
                .zip(lv)
                .zip(t)
                .map(|(((rho, b), l), t)| asset_fraction(rho, b, l, t));
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
        let c = self.slot;
        let one = Value::known(Fp::ONE);
        let rs = Value::known(Fp::from(RATE_SCALE));
        self.q_scenario.enable(w.region, row)?;
        w.slot_kind(row, kind)?;
        let idx = w.copy("asset index", &key.index, c.index, row)?;
        let sigma = w.copy("net sign", &key.sign, self.sign, row)?;
        w.copy("net code", &key.code, self.code, row)?;
        w.put("price", c.price, row, s.map(|a| a.price))?;
        let value = w.put("net value", c.value, row, s.map(|a| a.value))?;
        let tiered = w.put("tiered value", c.tiered, row, s.map(|a| a.tier.value))?;
        let (iv, sv) = (idx.value().copied(), sigma.value().copied());
        let tier_table = w.put("tier table", c.tier_table, row, one + iv + iv + sv)?;
        let (xv, fv) = (value.value().copied(), tiered.value().copied());
        acc.ae = acc.ae + (one - sv) * fv - sv * xv * rs;
        acc.e = acc.e + (one - sv - sv) * xv;
        acc.mr = acc.mr + sv * fv;
        Ok(ScenarioSlotCells {
            tier_table,
            tier_x: value,
            tiered,
        })
    }
}
