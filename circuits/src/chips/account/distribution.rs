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
//! The rows are [`DistributionRow`]s (columns in [`super::rows`]):
//!
//! | row | j | AE | MR | z | MR⁻¹ | v | h | v⁻¹ | m | w | r | is_real | bk |
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
//! Bounds: `m_lo, m_hi < 2^196` (range-checked). An edge is below 2^32 ppm, as θ, so
//! `|AE·RS − e·MR| < 2^196` (units.rs) and each code is the only one of its comparison: with
//! `MR > 0` the account is at or above `e_j` and below `e_{j+1}`, exactly its bucket; `j ≤ n` is
//! a row of the table. With `MR = 0` no comparison applies and `j = 0`, so the term sits at the
//! no-requirement pole `1320 + 17`. Padding has `is_real = 0` and adds nothing.

use ff::Field;
use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Expression, Selector},
};

use super::rows::{cur, prev, AccountColumns, AccumulatorRow, DistributionRow};
use super::{Cell, RowWriter};
use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::{EDGE_LOWER_KIND, EDGE_UPPER_KIND};
use crate::circuit::witness::DistributionWitness;
use crate::field::Fp;
use crate::model::buckets::inverse_or_zero;
use crate::relations::{distribution_pole, Arith};
use crate::units::{MARGIN_TEST_BITS, RATE_SCALE};

/// Columns and selector of the `margin bucket` gate.
#[derive(Debug, Clone, Copy)]
pub struct DistributionConfig {
    q: Selector,
    row: DistributionRow<Column<Advice>>,
    accumulators: AccumulatorRow<Column<Advice>>,
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
        let config = DistributionConfig {
            q,
            row: columns.rows.distribution,
            accumulators: columns.rows.accumulators,
        };
        let rs = Fp::from(RATE_SCALE);
        meta.create_gate("margin bucket", |m| {
            let q = m.query_selector(config.q);
            let c = &config.row;
            let (ae, mr, z, mr_inv) = (
                prev(m, c.adjusted_equity),
                prev(m, c.requirement),
                prev(m, c.no_requirement),
                prev(m, c.requirement_inverse),
            );
            let (j_lo, v_lo, h_lo, v_lo_inv, m_lo) = (
                prev(m, c.bucket),
                prev(m, c.edge),
                prev(m, c.flag),
                prev(m, c.flag_inverse),
                prev(m, c.code),
            );
            let (j, v_hi, h_hi, v_hi_inv, m_hi) = (
                cur(m, c.bucket),
                cur(m, c.edge),
                cur(m, c.flag),
                cur(m, c.flag_inverse),
                cur(m, c.code),
            );
            let (w, r, is_real) = (cur(m, c.weight), cur(m, c.r), cur(m, c.is_real));
            let bk = config.accumulators.bucket;
            let one = Expression::one();
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
                        w.clone() * distribution_pole(r, j, z) - one,
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
        let c = &self.row;
        let (lo, hi) = (row, row + 1);
        self.q.enable(w.region, hi)?;
        w.slot_kind(lo, EDGE_LOWER_KIND)?;
        w.slot_kind(hi, EDGE_UPPER_KIND)?;
        let one = Value::known(Fp::ONE);
        let inverse = |v: Value<Fp>| v.map(|v| Option::from(v.invert()).unwrap_or(Fp::ZERO));
        w.put("bucket", c.bucket, lo, d.map(|d| d.bucket))?;
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
        w.put("lower edge", c.edge, lo, v_lo)?;
        w.put("lower edge flag", c.flag, lo, d.map(|d| d.has_lower))?;
        w.put("lower edge inverse", c.flag_inverse, lo, inverse(v_lo))?;
        let lower_code = w.put("lower code", c.code, lo, d.map(|d| d.lower_code))?;

        w.put("bucket", c.bucket, hi, d.map(|d| d.bucket))?;
        let v_hi = d.map(|d| d.has_upper * (d.upper_edge + Fp::ONE));
        w.put("upper edge", c.edge, hi, v_hi)?;
        w.put("upper edge flag", c.flag, hi, d.map(|d| d.has_upper))?;
        w.put("upper edge inverse", c.flag_inverse, hi, inverse(v_hi))?;
        let upper_code = w.put("upper code", c.code, hi, d.map(|d| d.upper_code))?;
        let r = challenges.r.value().copied();
        let weight = distribution_pole(r, d.map(|d| d.bucket), d.map(|d| d.no_requirement))
            .map(inverse_or_zero);
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

#[cfg(test)]
mod tests {
    use ff::Field;

    use super::DistributionConfig;
    use crate::chips::account::gate_test::{at, failure, one_gate, unsatisfied, TestRow};
    use crate::field::Fp;
    use crate::model::buckets::inverse_or_zero;
    use crate::relations::distribution_pole;
    use crate::units::RATE_SCALE;

    one_gate!(Bucket, DistributionConfig, |meta, columns, fixed, q| {
        DistributionConfig::configure(meta, q, columns)
    });

    const GATE: &str = "margin bucket";

    /// A real account with AE = 150 and MR = 100 (ratio 1.5) in bucket 1 of edges 1.0 and 2.0:
    /// row 0 compares with the lower edge, row 1 with the upper one and adds the count term.
    fn rows() -> [TestRow; 2] {
        let r = Fp::from(1_000_003);
        let (d, bk) = (at().distribution, at().accumulators.bucket);
        let (ae, mr, lower, upper) = (150u64, 100u64, 1_000_000u64, 2_000_000u64);
        let mut rows = [TestRow::default(); 2];
        let lo = &mut rows[0].advice;
        lo[d.bucket] = Fp::ONE;
        lo[d.adjusted_equity] = Fp::from(ae);
        lo[d.requirement] = Fp::from(mr);
        lo[d.requirement_inverse] = inverse_or_zero(Fp::from(mr));
        lo[d.edge] = Fp::from(lower + 1);
        lo[d.flag] = Fp::ONE;
        lo[d.flag_inverse] = inverse_or_zero(Fp::from(lower + 1));
        lo[d.code] = Fp::from(ae * RATE_SCALE - lower * mr);
        lo[bk] = Fp::from(3);
        let w = inverse_or_zero(distribution_pole(r, Fp::ONE, Fp::ZERO));
        let hi = &mut rows[1].advice;
        hi[d.bucket] = Fp::ONE;
        hi[d.edge] = Fp::from(upper + 1);
        hi[d.flag] = Fp::ONE;
        hi[d.flag_inverse] = inverse_or_zero(Fp::from(upper + 1));
        hi[d.code] = Fp::from(upper * mr - ae * RATE_SCALE - 1);
        hi[d.weight] = w;
        hi[d.r] = r;
        hi[d.is_real] = Fp::ONE;
        hi[bk] = Fp::from(3) + w;
        rows
    }

    #[test]
    fn an_account_in_its_bucket_passes() {
        assert_eq!(unsatisfied::<Bucket>(&rows(), &[(0, 1)]), vec![]);
    }

    #[test]
    fn two_buckets_on_the_two_rows_fail() {
        let mut rows = rows();
        rows[0].advice[at().distribution.bucket] = Fp::from(2);
        assert_eq!(
            unsatisfied::<Bucket>(&rows, &[(0, 1)]),
            vec![failure(0, GATE, 3, "same bucket on both rows", 1)]
        );
    }

    #[test]
    fn a_code_that_is_not_the_upper_comparison_fails() {
        let mut rows = rows();
        rows[1].advice[at().distribution.code] += Fp::ONE;
        assert_eq!(
            unsatisfied::<Bucket>(&rows, &[(0, 1)]),
            vec![failure(0, GATE, 9, "below the upper edge", 1)]
        );
    }

    #[test]
    fn an_account_with_a_requirement_claimed_without_fails() {
        let mut rows = rows();
        rows[0].advice[at().distribution.no_requirement] = Fp::ONE;
        assert_eq!(
            unsatisfied::<Bucket>(&rows, &[(0, 1)]),
            vec![
                failure(0, GATE, 0, "requirement zero flag", 1),
                failure(0, GATE, 1, "zero flag is exact", 1),
                failure(0, GATE, 2, "no requirement is bucket zero", 1),
                failure(0, GATE, 10, "distribution pole", 1),
            ]
        );
    }
}
