//! A portfolio-margin unit's requirement (SPEC §12) under one valuation (the base prices or a
//! scenario's): the gates `shock slot starts`, `shock slot`, `shock close` and `portfolio
//! requirement`, on the rows between the valuation's slot rows and its status row, which reads
//! `mr = MR_pm` from the requirement row as it reads SPEC §2's `MR` in a standard class.
//!
//! Rows, for `G` shocks and `K = S + P` slots (assets, then positions):
//!
//! | rows | row kind ([`super::rows`]) | gates | fixed slot kind |
//! |---|---|---|---|
//! | shock `g`, slot 0 | [`ShockRow`] | `shock slot starts` | [`shock_kind`]`(kind, g)` |
//! | shock `g`, slot `k > 0` | [`ShockRow`] | `shock slot` | [`shock_kind`]`(kind, g)` |
//! | shock `g`, slot `K − 1` | [`ShockRow`] | and `shock close` | |
//! | after the last shock | [`RequirementRow`] | `portfolio requirement` | [`FLOOR_KIND`] |
//!
//! A shock row's index, sign `σ` and magnitude `x` are copies (copy constraints) of the slot
//! row's cells under this valuation: `x = |v_a|` of an asset slot (`v_a = (1 − 2σ)·x`) or the
//! notional `|s_m|·P_m` of a position slot (`n_m = (1 − 2σ_s)·x`). The instrument lookup, with the
//! row's fixed kind, makes `(index, c)` a row of shock `g`'s block: `c = μ + RS` is the published
//! move of that instrument under that shock. The requirement row looks up `(0, φ)` in the
//! floor's one row. Its `ae`, `e` and `bk` are copies of the last slot row's, its `mr` is `MR`,
//! and every close row's `MR` is a copy of it. Relations from [`crate::relations`]:
//!
//! ```text
//! shock slot starts:
//!   loss starts:                 L = −(1 − 2σ)·x·(c − RS)                  slot 0's term of loss_g
//!   gross starts:                Gr = x
//! shock slot:
//!   shock loss:                  L = L_prev − (1 − 2σ)·x·(c − RS)          loss_g so far
//!   gross value:                 Gr = Gr_prev + x                          gross so far
//! shock close (last slot of shock g):
//!   requirement margin:          d = MR − L                                MR ≥ loss_g (d range-checked)
//!   candidate product:           P = P_in·d                                P_in = MR for g = 0, else P of g − 1
//! portfolio requirement:
//!   floor margin:                d_f = mr − φ·Gr_prev                      MR ≥ φ·gross (d_f range-checked)
//!   requirement is a candidate:  P_prev·d_f = 0                            MR·Π_g (MR − loss_g)·(MR − φ·gross) = 0
//! ```
//!
//! So `MR ≥ 0` (its range check), `MR ≥ loss_g` for every `g`, `MR ≥ φ·gross`, and `MR` equals 0,
//! a loss or the floor (a product of field elements is zero only if a factor is):
//! `MR = max(φ·gross, max_g loss_g, 0)`.
//!
//! Bounds (`units.rs`): `x < 2^128` (the slot gates), `|μ| ≤ 10^7 < 2^24` (a published move,
//! the table's code `c = μ + RS` with `0 ≤ c ≤ 11·10^6`), at most 1280 slots, so
//! `|L| < 2^163`, `0 ≤ Gr < 2^139`, `φ ≤ 10^6` and `φ·Gr < 2^159`. `MR` is range-checked below
//! 2^163 ([`PORTFOLIO_REQUIREMENT_BITS`]), each `d` below 2^164 ([`PORTFOLIO_MARGIN_BITS`]) and
//! `d_f` below 2^163: an integer `MR` below a loss would make `d` a negative integer above
//! `−2^164`, a field element above `p − 2^164`, which fails its range check; no sum here nears
//! p ≈ 2^254, so every equation holds over the integers.

use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
};

use super::rows::{cur, prev, AccountColumns, AccumulatorRow, RequirementRow, ShockRow};
use super::{Cell, RowWriter};
use crate::chips::instruments::{shock_kind, FLOOR_KIND};
use crate::circuit::witness::PortfolioWitness;
use crate::field::Fp;
use crate::relations::{requirement_margin, shock_loss_term};
use crate::units::{PORTFOLIO_MARGIN_BITS, PORTFOLIO_REQUIREMENT_BITS};

/// One slot as a valuation's portfolio rows read it: its instrument kind and the slot row's
/// index, sign and magnitude cells under the valuation.
#[derive(Debug, Clone)]
pub struct PortfolioSlot {
    /// [`crate::chips::instruments::ASSET_KIND`] or `MARKET_KIND`.
    pub kind: u64,
    /// The slot's index cell.
    pub index: Cell,
    /// Its sign `σ` (the net quantity's or the size's).
    pub sign: Cell,
    /// Its magnitude `x` under this valuation (`|v_a|` or the notional).
    pub value: Cell,
}

/// What the portfolio rows of one valuation hand back.
pub(super) struct PortfolioCells {
    /// The requirement row's accumulator cells (`mr` is `MR_pm`).
    pub accumulators: AccumulatorRow<Cell>,
    /// The row after the requirement row.
    pub next_row: usize,
    /// The cells to range-check: each shock's margin, the floor margin and `MR`.
    pub ranges: Vec<(String, Cell, usize)>,
}

/// Columns and selectors of the portfolio-margin gates.
#[derive(Debug, Clone, Copy)]
pub struct PortfolioConfig {
    q_first: Selector,
    q_next: Selector,
    q_close: Selector,
    q_requirement: Selector,
    shock: ShockRow<Column<Advice>>,
    requirement: RequirementRow<Column<Advice>>,
}

impl PortfolioConfig {
    /// Creates the four gates on `columns`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        [q_first, q_next, q_close, q_requirement]: [Selector; 4],
        columns: &AccountColumns,
    ) -> Self {
        let config = PortfolioConfig {
            q_first,
            q_next,
            q_close,
            q_requirement,
            shock: columns.rows.shock,
            requirement: columns.rows.requirement,
        };
        let k = config.shock;
        meta.create_gate("shock slot starts", |m| {
            let q = m.query_selector(config.q_first);
            let term = shock_loss_term(cur(m, k.sign), cur(m, k.value), cur(m, k.move_code));
            Constraints::with_selector(
                q,
                [
                    ("loss starts", cur(m, k.loss) - term),
                    ("gross starts", cur(m, k.gross) - cur(m, k.value)),
                ],
            )
        });
        meta.create_gate("shock slot", |m| {
            let q = m.query_selector(config.q_next);
            let term = shock_loss_term(cur(m, k.sign), cur(m, k.value), cur(m, k.move_code));
            Constraints::with_selector(
                q,
                [
                    ("shock loss", cur(m, k.loss) - (prev(m, k.loss) + term)),
                    (
                        "gross value",
                        cur(m, k.gross) - (prev(m, k.gross) + cur(m, k.value)),
                    ),
                ],
            )
        });
        meta.create_gate("shock close", |m| {
            let q = m.query_selector(config.q_close);
            let d = cur(m, k.margin);
            Constraints::with_selector(
                q,
                [
                    (
                        "requirement margin",
                        d.clone() - requirement_margin(cur(m, k.requirement), cur(m, k.loss)),
                    ),
                    (
                        "candidate product",
                        cur(m, k.product) - cur(m, k.product_in) * d,
                    ),
                ],
            )
        });
        let r = config.requirement;
        meta.create_gate("portfolio requirement", |m| {
            let q = m.query_selector(config.q_requirement);
            let d = cur(m, r.floor_margin);
            let floor = cur(m, r.floor_rate) * prev(m, k.gross);
            Constraints::with_selector(
                q,
                [
                    (
                        "floor margin",
                        d.clone() - requirement_margin(cur(m, r.accumulators.requirement), floor),
                    ),
                    ("requirement is a candidate", prev(m, k.product) * d),
                ],
            )
        });
        config
    }

    /// Lays out valuation `valuation`'s portfolio rows from `row` on: each of the `shocks`
    /// shocks over `slots`, then the requirement row, whose `ae`, `e` and `bk` copy `last` (the
    /// last slot row's accumulators). `what` names the valuation in the range checks.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        mut row: usize,
        shocks: usize,
        slots: &[PortfolioSlot],
        last: &AccumulatorRow<Cell>,
        witness: Value<&PortfolioWitness>,
        valuation: usize,
        what: &str,
    ) -> Result<PortfolioCells, Error> {
        let k = self.shock;
        let mut ranges = Vec::new();
        let requirement = witness.map(|p| p.requirements[valuation]);
        let mut mr: Option<Cell> = None;
        let mut product: Option<Cell> = None;
        let mut gross_value = Value::known(Fp::zero());
        for g in 0..shocks {
            let mut loss = Value::known(Fp::zero());
            let mut gross = Value::known(Fp::zero());
            for (i, slot) in slots.iter().enumerate() {
                if i == 0 {
                    self.q_first.enable(w.region, row)?;
                } else {
                    self.q_next.enable(w.region, row)?;
                }
                w.slot_kind(row, shock_kind(slot.kind, g))?;
                w.copy("shock index", &slot.index, k.index, row)?;
                let sigma = w.copy("shock sign", &slot.sign, k.sign, row)?;
                let x = w.copy("shock value", &slot.value, k.value, row)?;
                let code = w.put(
                    "move code",
                    k.move_code,
                    row,
                    witness.map(|p| p.moves[g][i]),
                )?;
                loss = loss
                    + shock_loss_term(
                        sigma.value().copied(),
                        x.value().copied(),
                        code.value().copied(),
                    );
                gross = gross + x.value().copied();
                let loss_cell = w.put("loss", k.loss, row, loss)?;
                w.put("gross", k.gross, row, gross)?;
                if i + 1 == slots.len() {
                    self.q_close.enable(w.region, row)?;
                    let r = match &mr {
                        None => w.put("requirement", k.requirement, row, requirement)?,
                        Some(cell) => w.copy("requirement", cell, k.requirement, row)?,
                    };
                    let d = requirement_margin(r.value().copied(), loss_cell.value().copied());
                    let d = w.put("requirement margin", k.margin, row, d)?;
                    let p_in = match &product {
                        None => w.copy("product in", &r, k.product_in, row)?,
                        Some(cell) => w.copy("product in", cell, k.product_in, row)?,
                    };
                    let p = p_in.value().copied() * d.value().copied();
                    product = Some(w.put("product", k.product, row, p)?);
                    ranges.push((format!("{what} shock {g} margin"), d, PORTFOLIO_MARGIN_BITS));
                    mr = Some(r);
                }
                row += 1;
            }
            gross_value = gross;
        }
        // The requirement row.
        let (r, acc) = (self.requirement, self.requirement.accumulators);
        let mr = mr.ok_or(Error::Synthesis)?;
        self.q_requirement.enable(w.region, row)?;
        w.slot_kind(row, FLOOR_KIND)?;
        w.put("floor index", r.index, row, Value::known(Fp::zero()))?;
        let phi = w.put(
            "floor rate",
            r.floor_rate,
            row,
            witness.map(|p| p.floor_rate),
        )?;
        let floor = phi.value().copied() * gross_value;
        let d_f = w.put(
            "floor margin",
            r.floor_margin,
            row,
            requirement_margin(mr.value().copied(), floor),
        )?;
        let accumulators = AccumulatorRow {
            adjusted_equity: w.copy("ae", &last.adjusted_equity, acc.adjusted_equity, row)?,
            equity: w.copy("e", &last.equity, acc.equity, row)?,
            requirement: w.copy("mr", &mr, acc.requirement, row)?,
            bucket: w.copy("bk", &last.bucket, acc.bucket, row)?,
        };
        ranges.push((
            format!("{what} floor margin"),
            d_f,
            PORTFOLIO_REQUIREMENT_BITS,
        ));
        ranges.push((
            format!("{what} portfolio requirement"),
            accumulators.requirement.clone(),
            PORTFOLIO_REQUIREMENT_BITS,
        ));
        Ok(PortfolioCells {
            accumulators,
            next_row: row + 1,
            ranges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PortfolioConfig;
    use crate::chips::account::gate_test::{at, failure, unsatisfied, GateUnderTest, TestRow};
    use crate::field::Fp;
    use crate::units::RATE_SCALE;
    use ff::Field;

    struct PortfolioGates;

    impl GateUnderTest for PortfolioGates {
        type Config = PortfolioConfig;
        fn configure(
            meta: &mut halo2_proofs::plonk::ConstraintSystem<Fp>,
            columns: &crate::chips::account::rows::AccountColumns,
            _: &crate::chips::account::AccountFixedColumns,
        ) -> PortfolioConfig {
            let q = std::array::from_fn(|_| meta.selector());
            PortfolioConfig::configure(meta, q, columns)
        }
        fn enable(
            config: &PortfolioConfig,
            region: &mut halo2_proofs::circuit::Region<'_, Fp>,
            which: usize,
            row: usize,
        ) -> Result<(), halo2_proofs::plonk::Error> {
            [
                config.q_first,
                config.q_next,
                config.q_close,
                config.q_requirement,
            ][which]
                .enable(region, row)
        }
    }

    const STARTS: usize = 0;
    const SLOT: usize = 1;
    const CLOSE: usize = 2;
    const REQUIREMENT: usize = 3;

    fn int(v: i64) -> Fp {
        if v < 0 {
            -Fp::from(v.unsigned_abs())
        } else {
            Fp::from(v as u64)
        }
    }

    /// One shock (−20%) over two slots: a long of 100 and a short of 40 (values in ν), then the
    /// requirement row with a floor of 1%. Loss 100·0.2 − 40·0.2 = 12 (in ν·ppm: 12·10^6), gross
    /// 140, floor 1.4·10^6: `MR` is the loss.
    fn rows() -> [TestRow; 3] {
        let (k, r) = (at().shock, at().requirement);
        let code = int(RATE_SCALE as i64 - 200_000);
        let mut rows = [TestRow::default(); 3];
        let mr = int(12_000_000);
        for (row, sign, x, loss, gross) in
            [(0, 0, 100, 20_000_000, 100), (1, 1, 40, 12_000_000, 140)]
        {
            let a = &mut rows[row].advice;
            a[k.sign] = int(sign);
            a[k.value] = int(x);
            a[k.move_code] = code;
            a[k.loss] = int(loss);
            a[k.gross] = int(gross);
        }
        let a = &mut rows[1].advice;
        a[k.requirement] = mr;
        a[k.margin] = Fp::ZERO;
        a[k.product_in] = mr;
        a[k.product] = Fp::ZERO;
        let a = &mut rows[2].advice;
        a[r.floor_rate] = int(10_000);
        a[r.accumulators.requirement] = mr;
        a[r.floor_margin] = int(12_000_000 - 1_400_000);
        rows
    }

    const ENABLED: [(usize, usize); 4] = [(STARTS, 0), (SLOT, 1), (CLOSE, 1), (REQUIREMENT, 2)];

    #[test]
    fn an_honest_shock_and_requirement_pass() {
        assert_eq!(unsatisfied::<PortfolioGates>(&rows(), &ENABLED), vec![]);
    }

    #[test]
    fn a_first_loss_off_the_slots_term_fails_loss_starts_and_the_next_step() {
        let mut rows = rows();
        rows[0].advice[at().shock.loss] += Fp::ONE;
        assert_eq!(
            unsatisfied::<PortfolioGates>(&rows, &ENABLED),
            vec![
                failure(0, "shock slot starts", 0, "loss starts", 0),
                failure(1, "shock slot", 0, "shock loss", 1),
            ]
        );
    }

    #[test]
    fn a_loss_that_is_not_the_sum_fails_shock_loss_and_its_margin() {
        let mut rows = rows();
        rows[1].advice[at().shock.loss] -= Fp::ONE;
        assert_eq!(
            unsatisfied::<PortfolioGates>(&rows, &ENABLED),
            vec![
                failure(1, "shock slot", 0, "shock loss", 1),
                failure(2, "shock close", 0, "requirement margin", 1),
            ]
        );
    }

    #[test]
    fn a_gross_value_that_is_not_the_sum_fails_gross_value_and_the_floor() {
        let mut rows = rows();
        rows[1].advice[at().shock.gross] += Fp::ONE;
        assert_eq!(
            unsatisfied::<PortfolioGates>(&rows, &ENABLED),
            vec![
                failure(1, "shock slot", 1, "gross value", 1),
                failure(3, "portfolio requirement", 0, "floor margin", 2),
            ]
        );
    }

    #[test]
    fn a_product_that_drops_a_factor_fails_the_candidate_product_and_the_requirement() {
        let mut rows = rows();
        // P = P_in·d = 0 here; claiming P = 1 hides that MR equals the loss, and the requirement
        // row then sees a nonzero product.
        rows[1].advice[at().shock.product] = Fp::ONE;
        assert_eq!(
            unsatisfied::<PortfolioGates>(&rows, &ENABLED),
            vec![
                failure(2, "shock close", 1, "candidate product", 1),
                failure(
                    3,
                    "portfolio requirement",
                    1,
                    "requirement is a candidate",
                    2
                ),
            ]
        );
    }

    #[test]
    fn a_floor_margin_off_the_floor_fails_floor_margin_alone() {
        let mut rows = rows();
        rows[2].advice[at().requirement.floor_margin] += Fp::ONE;
        assert_eq!(
            unsatisfied::<PortfolioGates>(&rows, &ENABLED),
            vec![failure(3, "portfolio requirement", 0, "floor margin", 2)]
        );
    }

    #[test]
    fn a_requirement_above_every_candidate_fails_the_requirement_is_a_candidate() {
        let mut rows = rows();
        // MR one above the loss: every margin consistent, the product nonzero.
        let (k, r) = (at().shock, at().requirement);
        let mr = int(12_000_001);
        rows[1].advice[k.requirement] = mr;
        rows[1].advice[k.margin] = Fp::ONE;
        rows[1].advice[k.product_in] = mr;
        rows[1].advice[k.product] = mr;
        rows[2].advice[r.accumulators.requirement] = mr;
        rows[2].advice[r.floor_margin] = int(12_000_001 - 1_400_000);
        assert_eq!(
            unsatisfied::<PortfolioGates>(&rows, &ENABLED),
            vec![failure(
                3,
                "portfolio requirement",
                1,
                "requirement is a candidate",
                2
            )]
        );
    }
}
