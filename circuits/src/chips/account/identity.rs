//! The `account identity` gate (row 0 of an account region).
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a17..a20 |
//! |---|---|---|---|---|---|---|
//! | 0 | key | key⁻¹ | is_real | e₁ | e₁ᵖ | ae, e, mr, bk = 0 |
//!
//! `e₁` and `e₁ᵖ` are copies of the `empty` cells of the first asset slot and of the first
//! position slot (the constant 1 when the shape has no position slots).
//!
//! ```text
//! real iff key is nonzero:        is_real − key·key⁻¹ = 0
//! padding has zero key:           key·(1 − is_real)   = 0
//! padding holds no asset:         (1 − is_real)·(1 − e₁)  = 0
//! padding holds no position:      (1 − is_real)·(1 − e₁ᵖ) = 0
//! … starts at zero:               ae = e = mr = bk = 0
//! ```
//!
//! If key ≠ 0 the second forces is_real = 1; if key = 0 the first forces is_real = 0. A padding
//! account (key 0) must be the empty leaf: its first asset slot and its first position slot are
//! empty, and the `slot order` gate (`empty_prev·(1 − empty) = 0`) keeps every later slot of each
//! kind empty behind them. An empty slot holds exactly nothing (`asset slot`, `position slot`:
//! empty = [held = 0] with held a sum of boolean signs and range-checked codes, below 2^130, so 0
//! only if every part is; then x = n = 0, and the tiered value F(0) = 0, since the tier offset
//! x − lower ≥ 0 is range-checked and only the first tier, of lower bound and base 0, holds 0),
//! so every term a padding account adds to the totals (net values, PnL, AE, E, MR, status, bucket
//! term) is 0. Without this, a key-0 account could hold a book that every total but `accounts`
//! counts.

use ff::Field;
use halo2_proofs::{
    circuit::{Region, Value},
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
};

use super::columns::{cur, AccountColumns, AccumulatorColumns};
use super::{constant, Cell, RowWriter};
use crate::circuit::witness::AccountWitness;
use crate::field::Fp;

/// Columns and selector of the `account identity` gate.
#[derive(Debug, Clone, Copy)]
pub struct IdentityConfig {
    q: Selector,
    /// The account's key (`Poseidon_key(id_hash, salt)`; 0 for padding).
    pub key: Column<Advice>,
    /// Its inverse (0 for padding).
    pub key_inverse: Column<Advice>,
    /// `[key ≠ 0]`: the account's term of the `accounts` total.
    pub is_real: Column<Advice>,
    /// A copy of the first asset slot's `empty` cell.
    pub first_asset_empty: Column<Advice>,
    /// A copy of the first position slot's `empty` cell (constant 1 without position slots).
    pub first_position_empty: Column<Advice>,
    accumulators: AccumulatorColumns,
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
            key: columns.all[0],
            key_inverse: columns.all[1],
            is_real: columns.all[2],
            first_asset_empty: columns.all[3],
            first_position_empty: columns.all[4],
            accumulators: columns.accumulators,
        };
        meta.create_gate("account identity", |m| {
            let q = m.query_selector(config.q);
            let (key, inv, is_real) = (
                cur(m, config.key),
                cur(m, config.key_inverse),
                cur(m, config.is_real),
            );
            let acc = config.accumulators;
            Constraints::with_selector(
                q,
                [
                    (
                        "real iff key is nonzero",
                        is_real.clone() - key.clone() * inv,
                    ),
                    (
                        "padding has zero key",
                        key * (constant(Fp::ONE) - is_real.clone()),
                    ),
                    (
                        "padding holds no asset",
                        (constant(Fp::ONE) - is_real.clone())
                            * (constant(Fp::ONE) - cur(m, config.first_asset_empty)),
                    ),
                    (
                        "padding holds no position",
                        (constant(Fp::ONE) - is_real)
                            * (constant(Fp::ONE) - cur(m, config.first_position_empty)),
                    ),
                    (
                        "adjusted equity starts at zero",
                        cur(m, acc.adjusted_equity),
                    ),
                    ("raw equity starts at zero", cur(m, acc.equity)),
                    ("requirement starts at zero", cur(m, acc.requirement)),
                    ("bucket term starts at zero", cur(m, acc.bucket)),
                ],
            )
        });
        config
    }

    /// Lays out row 0's own cells: `(key, is_real)`.
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        witness: Value<&AccountWitness>,
    ) -> Result<(Cell, Cell), Error> {
        self.q.enable(w.region, 0)?;
        let key = w.put("key", self.key, 0, witness.map(|w| w.key))?;
        w.put(
            "key inverse",
            self.key_inverse,
            0,
            witness.map(|w| w.key_inverse),
        )?;
        let is_real = w.put("is_real", self.is_real, 0, witness.map(|w| w.is_real))?;
        Ok((key, is_real))
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
