//! The `account identity` gate (row 0 of an account region): who the account is, whether it is
//! real, and its distinct-key term (SPEC §3, version 3).
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a10 | a11 | a12 | a17..a19 | a20 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | 0 | id | id⁻¹ | is_real | e₁ | e₁ᵖ | salt | u | t | r | γ | ae, e, mr = 0 | bk |
//!
//! `e₁` and `e₁ᵖ` are copies of the `empty` cells of the first asset slot and of the first
//! position slot (the constant 1 when the shape has no position slots). `id` (the account's
//! `id_hash`) and `salt` are the first two words of the leaf message ([`crate::hash::leaf`]);
//! `u` is a copy of the distinct key `Poseidon(id, k)` computed on the distinct-key chip
//! ([`crate::chips::hashing::HashChip::distinct_key`]) from this `id` and the batch's `k`, which
//! opens the public `K`; `r` and `γ` are copies of the public challenges.
//!
//! ```text
//! real iff id is nonzero:         is_real − id·id⁻¹ = 0
//! padding has zero id:            id·(1 − is_real)  = 0
//! padding holds no asset:         (1 − is_real)·(1 − e₁)  = 0
//! padding holds no position:      (1 − is_real)·(1 − e₁ᵖ) = 0
//! … starts at zero:               ae = e = mr = 0
//! distinct key pole:              t·(r − u) − 1 = 0
//! distinct key term:              bk − γ·is_real·t = 0           bk starts at γ·is_real/(r − u)
//! ```
//!
//! If id ≠ 0 the second forces is_real = 1; if id = 0 the first forces is_real = 0. A padding
//! account (id 0) must hold nothing: its first asset slot and its first position slot are
//! empty, and the `slot order` gate (`empty_prev·(1 − empty) = 0`) keeps every later slot of each
//! kind empty behind them. An empty slot holds exactly nothing (`asset slot`, `position slot`:
//! empty = [held = 0] with held a sum of boolean signs and range-checked codes, below 2^130, so 0
//! only if every part is; then x = n = 0, and the tiered value F(0) = 0, since the tier offset
//! x − lower ≥ 0 is range-checked and only the first tier, of lower bound and base 0, holds 0),
//! so every term a padding account adds to the totals (net values, PnL, AE, E, MR, status, bucket
//! term, distinct-key term) is 0. Its salt is free: the prover derives it from its secret, so a
//! padding leaf looks like any other.
//!
//! Bounds: `is_real` is 0 or 1 (the first two constraints); `r` is a public challenge drawn after
//! `K`, the root and the list of keys are fixed, so `r = u` has probability 2^-254 (then no `t`
//! exists and the honest proof fails; it is never unsound). `t` and `bk` are field elements of
//! the identity, compared only as such ([`crate::model::distinct`]).

use ff::Field;
use halo2_proofs::{
    circuit::{Region, Value},
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
};

use super::columns::{cur, AccountColumns, AccumulatorColumns};
use super::{constant, Cell, RowWriter};
use crate::chips::instrument_totals::Challenges;
use crate::circuit::witness::AccountWitness;
use crate::field::Fp;
use crate::model::buckets::inverse_or_zero;

/// Columns and selector of the `account identity` gate.
#[derive(Debug, Clone, Copy)]
pub struct IdentityConfig {
    q: Selector,
    /// The account's `id_hash` (0 for padding).
    pub id_hash: Column<Advice>,
    /// Its inverse (0 for padding).
    pub id_inverse: Column<Advice>,
    /// `[id ≠ 0]`: the account's term of the `accounts` total.
    pub is_real: Column<Advice>,
    /// A copy of the first asset slot's `empty` cell.
    pub first_asset_empty: Column<Advice>,
    /// A copy of the first position slot's `empty` cell (constant 1 without position slots).
    pub first_position_empty: Column<Advice>,
    /// The leaf's salt.
    pub salt: Column<Advice>,
    /// `u`: the distinct key (a copy of the distinct-key chip's output).
    pub distinct_key: Column<Advice>,
    /// `t = 1/(r − u)`.
    pub distinct_inverse: Column<Advice>,
    /// A copy of `r`.
    pub r: Column<Advice>,
    /// A copy of `γ`.
    pub gamma: Column<Advice>,
    accumulators: AccumulatorColumns,
}

/// The identity row's cells other chips use.
#[derive(Debug, Clone)]
pub struct IdentityCells {
    /// `id_hash`: the leaf's first word and the distinct key's input.
    pub id_hash: Cell,
    /// The salt: the leaf's second word.
    pub salt: Cell,
    /// `is_real`.
    pub is_real: Cell,
    /// `u`, to be bound to the distinct-key chip's output.
    pub distinct_key: Cell,
}

impl IdentityConfig {
    /// Creates the gate on `columns` under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let config = IdentityConfig {
            q,
            id_hash: columns.all[0],
            id_inverse: columns.all[1],
            is_real: columns.all[2],
            first_asset_empty: columns.all[3],
            first_position_empty: columns.all[4],
            salt: columns.all[5],
            distinct_key: columns.all[6],
            distinct_inverse: columns.slot.bucket_inverse,
            r: columns.slot.r,
            gamma: columns.slot.rho,
            accumulators: columns.accumulators,
        };
        meta.create_gate("account identity", |m| {
            let q = m.query_selector(config.q);
            let (id, inv, is_real) = (
                cur(m, config.id_hash),
                cur(m, config.id_inverse),
                cur(m, config.is_real),
            );
            let (u, t, r, gamma) = (
                cur(m, config.distinct_key),
                cur(m, config.distinct_inverse),
                cur(m, config.r),
                cur(m, config.gamma),
            );
            let acc = config.accumulators;
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    ("real iff id is nonzero", is_real.clone() - id.clone() * inv),
                    ("padding has zero id", id * (one.clone() - is_real.clone())),
                    (
                        "padding holds no asset",
                        (one.clone() - is_real.clone())
                            * (one.clone() - cur(m, config.first_asset_empty)),
                    ),
                    (
                        "padding holds no position",
                        (one.clone() - is_real.clone())
                            * (one.clone() - cur(m, config.first_position_empty)),
                    ),
                    (
                        "adjusted equity starts at zero",
                        cur(m, acc.adjusted_equity),
                    ),
                    ("raw equity starts at zero", cur(m, acc.equity)),
                    ("requirement starts at zero", cur(m, acc.requirement)),
                    ("distinct key pole", t.clone() * (r - u) - one),
                    (
                        "distinct key term",
                        cur(m, acc.bucket) - gamma * is_real * t,
                    ),
                ],
            )
        });
        config
    }

    /// Lays out row 0's own cells and returns them with the distinct-key term written in `bk`'s
    /// place (the caller writes the other accumulators).
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        witness: Value<&AccountWitness>,
        challenges: &Challenges,
    ) -> Result<(IdentityCells, Value<Fp>), Error> {
        self.q.enable(w.region, 0)?;
        let id_hash = w.put("id_hash", self.id_hash, 0, witness.map(|w| w.id_hash))?;
        w.put(
            "id_hash inverse",
            self.id_inverse,
            0,
            witness.map(|w| inverse_or_zero(w.id_hash)),
        )?;
        let is_real = w.put("is_real", self.is_real, 0, witness.map(|w| w.is_real))?;
        let salt = w.put("salt", self.salt, 0, witness.map(|w| w.salt))?;
        let u = witness.map(|w| w.distinct_key);
        let distinct_key = w.put("distinct key", self.distinct_key, 0, u)?;
        let r = challenges.r.value().copied();
        let t = r.zip(u).map(|(r, u)| inverse_or_zero(r - u));
        w.put("distinct inverse", self.distinct_inverse, 0, t)?;
        w.copy("r", &challenges.r, self.r, 0)?;
        w.copy("gamma", &challenges.gamma, self.gamma, 0)?;
        let term = challenges.gamma.value().copied() * is_real.value().copied() * t;
        Ok((
            IdentityCells {
                id_hash,
                salt,
                is_real,
                distinct_key,
            },
            term,
        ))
    }

    /// Without position slots, a padding account has no position to hold: the constant 1 in
    /// place of the first position slot's `empty`.
    pub(super) fn no_position_slots(&self, region: &mut Region<'_, Fp>) -> Result<(), Error> {
        region.assign_advice_from_constant(
            || "no position slots",
            self.first_position_empty,
            0,
            Fp::ONE,
        )?;
        Ok(())
    }
}
