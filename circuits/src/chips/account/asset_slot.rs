//! The `asset slot` gate (rows 1..=S of an account region), price `p` from the instrument lookup.
//!
//! | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | a13 | a14 | a15 | a17..a20 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | a | b | l | σ | m | p | x | F | word | tid | t | r | ρ | empty | inv | gap | ae, e, mr, bk |
//!
//! ```text
//! sign is boolean:             σ(1 − σ) = 0
//! net quantity:                b − l = m − σ(2m + 1)
//! net value:                   x = (m + σ)·p                        |v_a|
//! leaf word:                   w = a + 2^8·b + 2^72·l
//! tier table:                  tid = 1 + 2a + σ                     haircut (σ = 0) or maintenance (σ = 1)
//! haircut collateral:          ae = ae_prev + (1 − σ)·F − σ·RS·x    W_a
//! net value sum:               e  = e_prev + (1 − 2σ)·x             v_a
//! borrow requirement:          mr = mr_prev + σ·F                   G_a(max(0, −v_a))
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
//! only if both are: no sum here nears p ≈ 2^254. r is a public challenge, r ≠ a except with
//! probability 2^-246 (then no t exists and the honest proof fails, it is never unsound).

use ff::Field;
use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
};

use super::columns::{cur, prev, AccountColumns, AccumulatorColumns, SlotColumns};
use super::{bool_check, constant, signed, Accumulators, RowWriter, SlotCells};
use crate::chips::instrument_totals::Challenges;
use crate::circuit::witness::AssetWitness;
use crate::field::Fp;
use crate::hash::leaf::{pow2, INDEX_BITS};
use crate::model::buckets::{asset_fraction, asset_pole_inverse};
use crate::units::{QUANTITY_BITS, RATE_SCALE};

/// Columns and selector of the `asset slot` gate.
#[derive(Debug, Clone, Copy)]
pub struct AssetSlotConfig {
    q: Selector,
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
    /// Creates the gate on `columns` under `q` (a complex selector: the instrument lookup uses it).
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let config = AssetSlotConfig {
            q,
            slot: columns.slot,
            balance: columns.all[1],
            debt: columns.all[2],
            sign: columns.all[3],
            code: columns.all[4],
            accumulators: columns.accumulators,
        };
        let rs = Fp::from(RATE_SCALE);
        meta.create_gate("asset slot", |m| {
            let q = m.query_selector(config.q);
            let s = config.slot;
            let acc = config.accumulators;
            let (idx, b, l, sigma, code, p, x, f, w, tid) = (
                cur(m, s.index),
                cur(m, config.balance),
                cur(m, config.debt),
                cur(m, config.sign),
                cur(m, config.code),
                cur(m, s.price),
                cur(m, s.value),
                cur(m, s.tiered),
                cur(m, s.word),
                cur(m, s.tier_table),
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
            Constraints::with_selector(
                q,
                [
                    ("sign is boolean", bool_check(sigma.clone())),
                    (
                        "net quantity",
                        b.clone() - l.clone() - signed(sigma.clone(), code.clone()),
                    ),
                    ("net value", x.clone() - (code + sigma.clone()) * p),
                    (
                        "leaf word",
                        w - (idx.clone()
                            + b.clone() * pow2(INDEX_BITS)
                            + l.clone() * pow2(INDEX_BITS + 64)),
                    ),
                    (
                        "tier table",
                        tid - (one.clone() + idx.clone() * Fp::from(2) + sigma.clone()),
                    ),
                    (
                        "haircut collateral",
                        cur(m, acc.adjusted_equity)
                            - prev(m, acc.adjusted_equity)
                            - ((one.clone() - sigma.clone()) * f.clone()
                                - sigma.clone() * x.clone() * rs),
                    ),
                    (
                        "net value sum",
                        cur(m, acc.equity)
                            - prev(m, acc.equity)
                            - (one.clone() - sigma.clone() * Fp::from(2)) * x,
                    ),
                    (
                        "borrow requirement",
                        cur(m, acc.requirement) - prev(m, acc.requirement) - sigma * f,
                    ),
                    ("bucket pole", t.clone() * (r - idx.clone()) - one.clone()),
                    (
                        "bucket term",
                        cur(m, acc.bucket) - prev(m, acc.bucket) - (b + rho * l) * t,
                    ),
                    ("empty flag", one - empty.clone() - held.clone() * inv),
                    ("empty slot holds nothing", empty.clone() * held),
                    ("empty slot has index zero", empty * idx),
                ],
            )
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
    ) -> Result<SlotCells, Error> {
        let c = self.slot;
        let one = Value::known(Fp::ONE);
        let rs = Value::known(Fp::from(RATE_SCALE));
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();
        self.q.enable(w.region, row)?;
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
        Ok(SlotCells {
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
        })
    }
}
