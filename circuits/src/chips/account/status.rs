//! The `account status` gate (the row after the base slots, and the row after each scenario's
//! slots), θ in the fixed `threshold` column, AE, E and MR from the accumulators of the row above.
//!
//! The row is a [`StatusRow`] (columns in [`super::rows`]):
//!
//! | row | σ_E | m_E | σ_D | m_D | liq | eo | bd | sf | ae, e, mr | threshold (fixed) |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | status | σ_E | m_E | σ_D | m_D | liq | eo | bd | sf | ae, e, mr = 0 | θ |
//!
//! Relations from [`crate::relations`] ([`signed`], [`margin_test`], [`status_terms`]):
//!
//! ```text
//! equity sign is boolean, margin sign is boolean
//! equity sign:    E = m_E − σ_E(2m_E + 1)                σ_E = [E < 0]: bankrupt
//! margin test:    AE·RS − θ·MR = m_D − σ_D(2m_D + 1)     σ_D = [AE·RS < θ·MR]
//! liquidatable:   liq = (1 − σ_E)·σ_D
//! equity owed:    eo = (1 − σ_E)·m_E                     max(E, 0)
//! bad debt:       bd = σ_E·(m_E + 1)                     max(−E, 0)
//! shortfall:      sf = σ_D·(m_D + 1)                     max(0, θ·MR − AE·RS)
//! valuation restarts: ae = e = mr = 0                    the next scenario's slots start at zero
//! ```
//!
//! Bounds: m_E < 2^144 and m_D < 2^196 (range-checked) cover |E| < 2^139 and
//! |AE·RS − θ·MR| < 2^196 (units.rs; MR < 2^163 covers portfolio margin); the codes are unique, so the signs are the truth.

use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Fixed, Selector},
};

use super::rows::{cur, prev, AccountColumns, AccumulatorRow, StatusRow};
use super::{Cell, RowWriter};
use crate::circuit::witness::StatusWitness;
use crate::field::Fp;
use crate::relations::{bool_check, margin_test, signed, status_terms};

/// Columns and selector of the `account status` gate.
#[derive(Debug, Clone, Copy)]
pub struct StatusConfig {
    q: Selector,
    /// θ, the liquidation threshold (ppm), in a fixed column: part of the verifying key.
    pub threshold: Column<Fixed>,
    row: StatusRow<Column<Advice>>,
    accumulators: AccumulatorRow<Column<Advice>>,
}

/// The status row's cells: the totals use its outcome terms, the range checks its codes.
pub(super) type StatusCells = StatusRow<Cell>;

impl StatusConfig {
    /// Creates the gate on `columns` and the fixed `threshold` column under `q`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        q: Selector,
        columns: &AccountColumns,
        threshold: Column<Fixed>,
    ) -> Self {
        let config = StatusConfig {
            q,
            threshold,
            row: columns.rows.status,
            accumulators: columns.rows.accumulators,
        };
        meta.create_gate("account status", |m| {
            let q = m.query_selector(config.q);
            let theta = m.query_fixed(config.threshold);
            let acc = config.accumulators;
            let (se, me, sd, md, liq, eo, bd, sf) = (
                cur(m, config.row.equity_sign),
                cur(m, config.row.equity_code),
                cur(m, config.row.margin_sign),
                cur(m, config.row.margin_code),
                cur(m, config.row.liquidatable),
                cur(m, config.row.equity_owed),
                cur(m, config.row.bad_debt),
                cur(m, config.row.shortfall),
            );
            let terms = status_terms(se.clone(), me.clone(), sd.clone(), md.clone());
            Constraints::with_selector(
                q,
                [
                    ("equity sign is boolean", bool_check(se.clone())),
                    ("margin sign is boolean", bool_check(sd.clone())),
                    ("equity sign", prev(m, acc.equity) - signed(se, me)),
                    (
                        "margin test",
                        margin_test(
                            prev(m, acc.adjusted_equity),
                            theta,
                            prev(m, acc.requirement),
                        ) - signed(sd, md),
                    ),
                    ("liquidatable", liq - terms.liquidatable),
                    ("equity owed", eo - terms.equity_owed),
                    ("bad debt", bd - terms.bad_debt),
                    ("shortfall", sf - terms.shortfall),
                    ("adjusted equity restarts", cur(m, acc.adjusted_equity)),
                    ("raw equity restarts", cur(m, acc.equity)),
                    ("requirement restarts", cur(m, acc.requirement)),
                ],
            )
        });
        config
    }

    /// Lays out the status row `row` with threshold `threshold_ppm`.
    pub(super) fn assign(
        &self,
        w: &mut RowWriter<'_, '_>,
        row: usize,
        threshold_ppm: u64,
        st: Value<&StatusWitness>,
    ) -> Result<StatusCells, Error> {
        self.q.enable(w.region, row)?;
        w.region.assign_fixed(
            || "threshold",
            self.threshold,
            row,
            || Value::known(Fp::from(threshold_ppm)),
        )?;
        let se = w.put(
            "equity sign",
            self.row.equity_sign,
            row,
            st.map(|s| s.equity_negative),
        )?;
        let me = w.put(
            "equity code",
            self.row.equity_code,
            row,
            st.map(|s| s.equity_code),
        )?;
        let sd = w.put(
            "margin sign",
            self.row.margin_sign,
            row,
            st.map(|s| s.margin_negative),
        )?;
        let md = w.put(
            "margin code",
            self.row.margin_code,
            row,
            st.map(|s| s.margin_code),
        )?;
        let liq = w.put(
            "liquidatable",
            self.row.liquidatable,
            row,
            st.map(|s| s.liquidatable),
        )?;
        let (sev, mev, sdv, mdv) = (
            se.value().copied(),
            me.value().copied(),
            sd.value().copied(),
            md.value().copied(),
        );
        let terms = status_terms(sev, mev, sdv, mdv);
        let eo = w.put("equity owed", self.row.equity_owed, row, terms.equity_owed)?;
        let bd = w.put("bad debt", self.row.bad_debt, row, terms.bad_debt)?;
        let sf = w.put("shortfall", self.row.shortfall, row, terms.shortfall)?;
        Ok(StatusCells {
            equity_sign: se,
            equity_code: me,
            margin_sign: sd,
            margin_code: md,
            liquidatable: liq,
            equity_owed: eo,
            bad_debt: bd,
            shortfall: sf,
        })
    }
}

#[cfg(test)]
mod tests {
    use ff::Field;

    use super::StatusConfig;
    use crate::chips::account::gate_test::{at, failure, one_gate, unsatisfied, TestRow};
    use crate::field::Fp;
    use crate::units::RATE_SCALE;

    one_gate!(Status, StatusConfig, |meta, columns, fixed, q| {
        StatusConfig::configure(meta, q, columns, fixed.threshold)
    });

    const GATE: &str = "account status";

    /// Above: E = 100, AE = 50, MR = 100 (ppm-scaled units as the gate reads them); θ = 1.1:
    /// AE·RS − θ·MR = 50·10^6 − 110·10^6 < 0, so liquidatable with shortfall 60·10^6.
    fn rows() -> [TestRow; 2] {
        let (c, acc) = (at().status, at().accumulators);
        let mut rows = [TestRow::default(); 2];
        rows[0].advice[acc.equity] = Fp::from(100);
        rows[0].advice[acc.adjusted_equity] = Fp::from(50);
        rows[0].advice[acc.requirement] = Fp::from(100);
        rows[1].fixed[0] = Fp::from(1_100_000);
        let shortfall = 1_100_000 * 100 - 50 * RATE_SCALE;
        let cells = &mut rows[1].advice;
        cells[c.equity_sign] = Fp::ZERO;
        cells[c.equity_code] = Fp::from(100);
        cells[c.margin_sign] = Fp::ONE;
        cells[c.margin_code] = Fp::from(shortfall - 1);
        cells[c.liquidatable] = Fp::ONE;
        cells[c.equity_owed] = Fp::from(100);
        cells[c.bad_debt] = Fp::ZERO;
        cells[c.shortfall] = Fp::from(shortfall);
        rows
    }

    #[test]
    fn a_liquidatable_account_passes() {
        assert_eq!(unsatisfied::<Status>(&rows(), &[(0, 1)]), vec![]);
    }

    #[test]
    fn a_liquidatable_account_claimed_healthy_fails_liquidatable() {
        let mut rows = rows();
        rows[1].advice[at().status.liquidatable] = Fp::ZERO;
        assert_eq!(
            unsatisfied::<Status>(&rows, &[(0, 1)]),
            vec![failure(0, GATE, 4, "liquidatable", 1)]
        );
    }

    #[test]
    fn a_solvent_account_claimed_bankrupt_fails_the_sign_and_what_it_implies() {
        let mut rows = rows();
        rows[1].advice[at().status.equity_sign] = Fp::ONE;
        assert_eq!(
            unsatisfied::<Status>(&rows, &[(0, 1)]),
            vec![
                failure(0, GATE, 2, "equity sign", 1),
                failure(0, GATE, 4, "liquidatable", 1),
                failure(0, GATE, 5, "equity owed", 1),
                failure(0, GATE, 6, "bad debt", 1),
            ]
        );
    }

    #[test]
    fn a_valuation_that_does_not_restart_fails() {
        let mut rows = rows();
        rows[1].advice[at().accumulators.requirement] = Fp::ONE;
        assert_eq!(
            unsatisfied::<Status>(&rows, &[(0, 1)]),
            vec![failure(0, GATE, 10, "requirement restarts", 1)]
        );
    }
}
