//! The `account identity` gate (row 0 of an account region): who the account is, whether it is
//! real, and its distinct-key term (SPEC §3, version 3).
//!
//! The row is an [`IdentityRow`] (columns in [`super::rows`]):
//!
//! | row | id | id⁻¹ | is_real | e₁ | e₁ᵖ | salt | u | t | r | γ | ae, e, mr | bk |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | 0 | id | id⁻¹ | is_real | e₁ | e₁ᵖ | salt | u | t | r | γ | ae, e, mr = 0 | bk |
//!
//! `e₁` and `e₁ᵖ` are copies of the `empty` cells of the first asset slot and of the first
//! position slot (the constant 1 when the shape has no position slots). `id` (the account's
//! `id_hash`) and `salt` are the first two words of the leaf message ([`crate::hash::leaf`](mod@crate::hash::leaf));
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
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Expression, Selector},
};

use super::rows::{cur, AccountColumns, AccumulatorRow, IdentityRow};
use super::{Cell, RowWriter};
use crate::chips::instrument_totals::Challenges;
use crate::circuit::witness::AccountWitness;
use crate::field::Fp;
use crate::model::buckets::inverse_or_zero;
use crate::relations::{distinct_pole, distinct_term, Arith};

/// Columns and selector of the `account identity` gate.
#[derive(Debug, Clone, Copy)]
pub struct IdentityConfig {
    q: Selector,
    row: IdentityRow<Column<Advice>>,
    accumulators: AccumulatorRow<Column<Advice>>,
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
    /// The column of the copy of the first asset slot's `empty` cell.
    pub(super) fn first_asset_empty(&self) -> Column<Advice> {
        self.row.first_asset_empty
    }

    /// The column of the copy of the first position slot's `empty` cell.
    pub(super) fn first_position_empty(&self) -> Column<Advice> {
        self.row.first_position_empty
    }

    /// Creates the gate on `columns` under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let config = IdentityConfig {
            q,
            row: columns.rows.identity,
            accumulators: columns.rows.accumulators,
        };
        meta.create_gate("account identity", |m| {
            let q = m.query_selector(config.q);
            let (id, inv, is_real) = (
                cur(m, config.row.id_hash),
                cur(m, config.row.id_inverse),
                cur(m, config.row.is_real),
            );
            let (u, t, r, gamma) = (
                cur(m, config.row.distinct_key),
                cur(m, config.row.distinct_inverse),
                cur(m, config.row.r),
                cur(m, config.row.gamma),
            );
            let acc = config.accumulators;
            let one = Expression::one();
            Constraints::with_selector(
                q,
                [
                    ("real iff id is nonzero", is_real.clone() - id.clone() * inv),
                    ("padding has zero id", id * (one.clone() - is_real.clone())),
                    (
                        "padding holds no asset",
                        (one.clone() - is_real.clone())
                            * (one.clone() - cur(m, config.row.first_asset_empty)),
                    ),
                    (
                        "padding holds no position",
                        (one.clone() - is_real.clone())
                            * (one.clone() - cur(m, config.row.first_position_empty)),
                    ),
                    (
                        "adjusted equity starts at zero",
                        cur(m, acc.adjusted_equity),
                    ),
                    ("raw equity starts at zero", cur(m, acc.equity)),
                    ("requirement starts at zero", cur(m, acc.requirement)),
                    ("distinct key pole", t.clone() * distinct_pole(r, u) - one),
                    (
                        "distinct key term",
                        cur(m, acc.bucket) - distinct_term(gamma, is_real, t),
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
        let id_hash = w.put("id_hash", self.row.id_hash, 0, witness.map(|w| w.id_hash))?;
        w.put(
            "id_hash inverse",
            self.row.id_inverse,
            0,
            witness.map(|w| inverse_or_zero(w.id_hash)),
        )?;
        let is_real = w.put("is_real", self.row.is_real, 0, witness.map(|w| w.is_real))?;
        let salt = w.put("salt", self.row.salt, 0, witness.map(|w| w.salt))?;
        let u = witness.map(|w| w.distinct_key);
        let distinct_key = w.put("distinct key", self.row.distinct_key, 0, u)?;
        let r = challenges.r.value().copied();
        let t = distinct_pole(r, u).map(inverse_or_zero);
        w.put("distinct inverse", self.row.distinct_inverse, 0, t)?;
        w.copy("r", &challenges.r, self.row.r, 0)?;
        w.copy("gamma", &challenges.gamma, self.row.gamma, 0)?;
        let term = distinct_term(
            challenges.gamma.value().copied(),
            is_real.value().copied(),
            t,
        );
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
            self.row.first_position_empty,
            0,
            Fp::ONE,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use ff::Field;

    use super::IdentityConfig;
    use crate::chips::account::gate_test::{at, failure, one_gate, unsatisfied, TestRow};
    use crate::field::Fp;
    use crate::model::buckets::inverse_or_zero;
    use crate::relations::{distinct_pole, distinct_term};

    one_gate!(Identity, IdentityConfig, |meta, columns, fixed, q| {
        IdentityConfig::configure(meta, q, columns)
    });

    const GATE: &str = "account identity";

    /// Row 0 of account `id` (0: padding) whose first slots are empty or not.
    fn row(id: u64, first_slots_empty: bool) -> TestRow {
        let (r, gamma, u) = (Fp::from(1_000_003), Fp::from(13), Fp::from(11));
        let c = at().identity;
        let is_real = Fp::from(u64::from(id != 0));
        let t = inverse_or_zero(distinct_pole(r, u));
        let mut row = TestRow::default();
        let cells = &mut row.advice;
        cells[c.id_hash] = Fp::from(id);
        cells[c.id_inverse] = inverse_or_zero(Fp::from(id));
        cells[c.is_real] = is_real;
        cells[c.first_asset_empty] = Fp::from(u64::from(first_slots_empty));
        cells[c.first_position_empty] = Fp::from(u64::from(first_slots_empty));
        cells[c.salt] = Fp::from(9);
        cells[c.distinct_key] = u;
        cells[c.distinct_inverse] = t;
        cells[c.r] = r;
        cells[c.gamma] = gamma;
        cells[at().accumulators.bucket] = distinct_term(gamma, is_real, t);
        row
    }

    #[test]
    fn a_real_account_and_an_empty_padding_account_pass() {
        assert_eq!(unsatisfied::<Identity>(&[row(5, false)], &[(0, 0)]), vec![]);
        assert_eq!(unsatisfied::<Identity>(&[row(0, true)], &[(0, 0)]), vec![]);
    }

    #[test]
    fn a_real_account_claimed_padding_fails_every_realness_constraint() {
        let mut row = row(5, false);
        row.advice[at().identity.is_real] = Fp::ZERO;
        assert_eq!(
            unsatisfied::<Identity>(&[row], &[(0, 0)]),
            vec![
                failure(0, GATE, 0, "real iff id is nonzero", 0),
                failure(0, GATE, 1, "padding has zero id", 0),
                failure(0, GATE, 2, "padding holds no asset", 0),
                failure(0, GATE, 3, "padding holds no position", 0),
                failure(0, GATE, 8, "distinct key term", 0),
            ]
        );
    }

    #[test]
    fn padding_that_holds_an_asset_fails() {
        let mut row = row(0, true);
        row.advice[at().identity.first_asset_empty] = Fp::ZERO;
        assert_eq!(
            unsatisfied::<Identity>(&[row], &[(0, 0)]),
            vec![failure(0, GATE, 2, "padding holds no asset", 0)]
        );
    }

    #[test]
    fn a_pole_inverse_that_is_not_fails_the_pole_and_the_term() {
        let mut row = row(5, false);
        row.advice[at().identity.distinct_inverse] += Fp::ONE;
        assert_eq!(
            unsatisfied::<Identity>(&[row], &[(0, 0)]),
            vec![
                failure(0, GATE, 7, "distinct key pole", 0),
                failure(0, GATE, 8, "distinct key term", 0),
            ]
        );
    }

    #[test]
    fn a_valuation_that_does_not_start_at_zero_fails() {
        let mut row = row(5, false);
        row.advice[at().accumulators.equity] = Fp::ONE;
        assert_eq!(
            unsatisfied::<Identity>(&[row], &[(0, 0)]),
            vec![failure(0, GATE, 5, "raw equity starts at zero", 0)]
        );
    }
}
