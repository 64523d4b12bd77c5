//! The `margin bucket` gate (the last two rows of an account region when the configuration has a
//! distribution, SPEC §7): which bucket of the margin-ratio edges the base valuation falls in,
//! decided with the same exact comparison as the threshold, and the account's term of that
//! bucket's count in the bucket identity ([`crate::model::buckets`]).
//!
//! The edges are public inputs, looked up like prices ([`crate::chips::instruments`]): for bucket
//! `j` of `0..=n`, kind [`EDGE_LOWER_KIND`] holds `v_lo = e_j + 1` (0 for `j = 0`: no lower
//! edge) and kind [`EDGE_UPPER_KIND`] holds `v_hi = e_{j+1} + 1` (0 for `j = n`: no upper edge).
//! Row `d` looks up `(EDGE_LOWER_KIND, j, v_lo)`, row `d + 1` `(EDGE_UPPER_KIND, j, v_hi)`.
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a20 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | d | j | AE | MR | z | MR⁻¹ | v_lo | h_lo | v_lo⁻¹ | m_lo | | | | bk (`bucket carried`) |
//! | d+1 | j | | | | | v_hi | h_hi | v_hi⁻¹ | m_hi | w | r | is_real | bk |
//!
//! `AE` and `MR` are copies of the base valuation's accumulators (the last base slot row), `r`
//! of the challenge, `is_real` of the identity row's. On row `d + 1`, with `prev` the row `d`:
//!
//! ```text
//! requirement zero flag:        z = 1 − MR·MR⁻¹                   z = [MR = 0]
//! zero flag is exact:           z·MR = 0
//! no requirement is bucket zero: z·j = 0
//! same bucket on both rows:     j = j_prev
//! lower edge flag:              h_lo = v_lo·v_lo⁻¹,  (1 − h_lo)·v_lo = 0     h_lo = [v_lo ≠ 0]
//! upper edge flag:              h_hi = v_hi·v_hi⁻¹,  (1 − h_hi)·v_hi = 0
//! at or above the lower edge:   (1 − z)·h_lo·(AE·RS − (v_lo − 1)·MR − m_lo) = 0
//! below the upper edge:         (1 − z)·h_hi·((v_hi − 1)·MR − AE·RS − 1 − m_hi) = 0
//! distribution pole:            w·(r − 1320 − j − 17·z) = 1
//! distribution term:            bk = bk_prev + is_real·w
//! ```
//!
//! Bounds: `m_lo, m_hi < 2^192` (range-checked). An edge is below 2^32 ppm, as θ, so
//! `|AE·RS − e·MR| < 2^192` (units.rs) and each code is the only one of its comparison: with
//! `MR > 0` the account is at or above `e_j` and below `e_{j+1}`, exactly its bucket; `j ≤ n` is
//! a row of the table. With `MR = 0` no comparison applies and `j = 0`, so the term sits at the
//! no-requirement pole `1320 + 17`. Padding has `is_real = 0` and adds nothing.

use ff::Field;
use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
};

use super::columns::{cur, prev, AccountColumns, AccumulatorColumns, SlotColumns};
use super::{constant, Cell, RowWriter};
use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::{EDGE_LOWER_KIND, EDGE_UPPER_KIND};
use crate::circuit::witness::DistributionWitness;
use crate::field::Fp;
use crate::model::buckets::{distribution_pole_inverse, DISTRIBUTION_POLE_OFFSET};
use crate::model::stress::NO_REQUIREMENT_POLE;
use crate::units::{MARGIN_TEST_BITS, RATE_SCALE};

/// Columns and selector of the `margin bucket` gate.
#[derive(Debug, Clone, Copy)]
pub struct DistributionConfig {
    q: Selector,
    slot: SlotColumns,
    adjusted_equity: Column<Advice>,
    requirement: Column<Advice>,
    no_requirement: Column<Advice>,
    requirement_inverse: Column<Advice>,
    flag: Column<Advice>,
    flag_inverse: Column<Advice>,
    code: Column<Advice>,
    weight: Column<Advice>,
    r: Column<Advice>,
    is_real: Column<Advice>,
    accumulators: AccumulatorColumns,
}

/// The cells of the margin bucket that need range checks, and its term.
pub(super) struct DistributionCells {
    pub lower_code: Cell,
    pub upper_code: Cell,
}

impl DistributionConfig {
    /// Creates the gate on `columns` under `q` (enabled on row `d + 1`).
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
    ) -> Self {
        let all = columns.all;
        let config = DistributionConfig {
            q,
            slot: columns.slot,
            adjusted_equity: all[1],
            requirement: all[2],
            no_requirement: all[3],
            requirement_inverse: all[4],
            flag: all[6],
            flag_inverse: all[7],
            code: all[8],
            weight: all[9],
            r: all[10],
            is_real: all[11],
            accumulators: columns.accumulators,
        };
        let rs = Fp::from(RATE_SCALE);
        meta.create_gate("margin bucket", |m| {
            let q = m.query_selector(config.q);
            let c = &config;
            let (ae, mr, z, mr_inv) = (
                prev(m, c.adjusted_equity),
                prev(m, c.requirement),
                prev(m, c.no_requirement),
                prev(m, c.requirement_inverse),
            );
            let (j_lo, v_lo, h_lo, v_lo_inv, m_lo) = (
                prev(m, c.slot.index),
                prev(m, c.slot.price),
                prev(m, c.flag),
                prev(m, c.flag_inverse),
                prev(m, c.code),
            );
            let (j, v_hi, h_hi, v_hi_inv, m_hi) = (
                cur(m, c.slot.index),
                cur(m, c.slot.price),
                cur(m, c.flag),
                cur(m, c.flag_inverse),
                cur(m, c.code),
            );
            let (w, r, is_real) = (cur(m, c.weight), cur(m, c.r), cur(m, c.is_real));
            let bk = c.accumulators.bucket;
            let one = constant(Fp::ONE);
            let apply = one.clone() - z.clone();
            let scaled = ae * rs;
            Constraints::with_selector(
                q,
                [
                    (
                        "requirement zero flag",
                        z.clone() - (one.clone() - mr.clone() * mr_inv),
                    ),
                    ("zero flag is exact", z.clone() * mr.clone()),
                    ("no requirement is bucket zero", z.clone() * j.clone()),
                    ("same bucket on both rows", j.clone() - j_lo),
                    ("lower edge flag", h_lo.clone() - v_lo.clone() * v_lo_inv),
                    (
                        "lower edge flag is exact",
                        (one.clone() - h_lo.clone()) * v_lo.clone(),
                    ),
                    ("upper edge flag", h_hi.clone() - v_hi.clone() * v_hi_inv),
                    (
                        "upper edge flag is exact",
                        (one.clone() - h_hi.clone()) * v_hi.clone(),
                    ),
                    (
                        "at or above the lower edge",
                        apply.clone()
                            * h_lo
                            * (scaled.clone() - (v_lo - one.clone()) * mr.clone() - m_lo),
                    ),
                    (
                        "below the upper edge",
                        apply * h_hi * ((v_hi - one.clone()) * mr - scaled - one.clone() - m_hi),
                    ),
                    (
                        "distribution pole",
                        w.clone()
                            * (r - constant(Fp::from(DISTRIBUTION_POLE_OFFSET))
                                - j
                                - z * Fp::from(NO_REQUIREMENT_POLE))
                            - one,
                    ),
                    ("distribution term", cur(m, bk) - prev(m, bk) - is_real * w),
                ],
            )
        });
        config
    }

    /// Lays out the bucket on rows `row` and `row + 1`: `ae`, `mr` the base valuation's cells,
    /// `is_real` the identity's. Returns the cells to range-check and the term's value.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        row: usize,
        ae: &Cell,
        mr: &Cell,
        is_real: &Cell,
        challenges: &Challenges,
        d: Value<&DistributionWitness>,
    ) -> Result<(DistributionCells, Value<Fp>), Error> {
        let c = self;
        let (lo, hi) = (row, row + 1);
        self.q.enable(w.region, hi)?;
        w.slot_kind(lo, EDGE_LOWER_KIND)?;
        w.slot_kind(hi, EDGE_UPPER_KIND)?;
        let one = Value::known(Fp::ONE);
        let inverse = |v: Value<Fp>| v.map(|v| Option::from(v.invert()).unwrap_or(Fp::ZERO));
        w.put("bucket", c.slot.index, lo, d.map(|d| d.bucket))?;
        w.copy("adjusted equity", ae, c.adjusted_equity, lo)?;
        w.copy("requirement", mr, c.requirement, lo)?;
        w.put(
            "no requirement",
            c.no_requirement,
            lo,
            d.map(|d| d.no_requirement),
        )?;
        w.put(
            "requirement inverse",
            c.requirement_inverse,
            lo,
            d.map(|d| d.requirement_inverse),
        )?;
        let v_lo = d.map(|d| d.has_lower * (d.lower_edge + Fp::ONE));
        w.put("lower edge", c.slot.price, lo, v_lo)?;
        w.put("lower edge flag", c.flag, lo, d.map(|d| d.has_lower))?;
        w.put("lower edge inverse", c.flag_inverse, lo, inverse(v_lo))?;
        let lower_code = w.put("lower code", c.code, lo, d.map(|d| d.lower_code))?;

        w.put("bucket", c.slot.index, hi, d.map(|d| d.bucket))?;
        let v_hi = d.map(|d| d.has_upper * (d.upper_edge + Fp::ONE));
        w.put("upper edge", c.slot.price, hi, v_hi)?;
        w.put("upper edge flag", c.flag, hi, d.map(|d| d.has_upper))?;
        w.put("upper edge inverse", c.flag_inverse, hi, inverse(v_hi))?;
        let upper_code = w.put("upper code", c.code, hi, d.map(|d| d.upper_code))?;
        let r = challenges.r.value().copied();
        let weight = r
            .zip(d)
            .map(|(r, d)| distribution_pole_inverse(r, d.pole()));
        w.put("distribution weight", c.weight, hi, weight)?;
        w.copy("r", &challenges.r, c.r, hi)?;
        w.copy("is real", is_real, c.is_real, hi)?;
        let _ = one;
        Ok((
            DistributionCells {
                lower_code,
                upper_code,
            },
            is_real.value().copied() * weight,
        ))
    }
}

/// Bits of the margin bucket's two comparison codes.
pub const BUCKET_CODE_BITS: usize = MARGIN_TEST_BITS;
