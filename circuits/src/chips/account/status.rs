//! The `account status` gate (the row after the base slots, and the row after each scenario's
//! slots), θ in the fixed `threshold` column, AE, E and MR from the accumulators of the row above.
//!
//! | row | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a17..a19 | threshold (fixed) |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | status | σ_E | m_E | σ_D | m_D | liq | eo | bd | sf | ae, e, mr = 0 | θ |
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
//! Bounds: m_E < 2^144 and m_D < 2^192 (range-checked) cover |E| < 2^139 and
//! |AE·RS − θ·MR| < 2^192 (units.rs); the codes are unique, so the signs are the truth.

use ff::Field;
use halo2_proofs::{
    circuit::Value,
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Fixed, Selector},
};

use super::columns::{cur, prev, AccountColumns, AccumulatorColumns};
use super::{bool_check, constant, signed, Cell, RowWriter};
use crate::circuit::witness::StatusWitness;
use crate::field::Fp;
use crate::units::RATE_SCALE;

/// Columns and selector of the `account status` gate.
#[derive(Debug, Clone, Copy)]
pub struct StatusConfig {
    q: Selector,
    /// θ, the liquidation threshold (ppm), in a fixed column: part of the verifying key.
    pub threshold: Column<Fixed>,
    /// `σ_E`: bankrupt.
    pub equity_sign: Column<Advice>,
    /// `m_E`: the equity's code.
    pub equity_code: Column<Advice>,
    /// `σ_D`: below the threshold.
    pub margin_sign: Column<Advice>,
    /// `m_D`: the margin test's code.
    pub margin_code: Column<Advice>,
    /// `liq`: liquidatable.
    pub liquidatable: Column<Advice>,
    /// `eo`: equity owed to the owner.
    pub equity_owed: Column<Advice>,
    /// `bd`: bad debt.
    pub bad_debt: Column<Advice>,
    /// `sf`: shortfall.
    pub shortfall: Column<Advice>,
    accumulators: AccumulatorColumns,
}

/// The status row's cells the totals and range checks use.
pub(super) struct StatusCells {
    pub equity_sign: Cell,
    pub equity_code: Cell,
    pub margin_code: Cell,
    pub liquidatable: Cell,
    pub equity_owed: Cell,
    pub bad_debt: Cell,
    pub shortfall: Cell,
}

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
            equity_sign: columns.all[0],
            equity_code: columns.all[1],
            margin_sign: columns.all[2],
            margin_code: columns.all[3],
            liquidatable: columns.all[4],
            equity_owed: columns.all[5],
            bad_debt: columns.all[6],
            shortfall: columns.all[7],
            accumulators: columns.accumulators,
        };
        let rs = Fp::from(RATE_SCALE);
        meta.create_gate("account status", |m| {
            let q = m.query_selector(config.q);
            let theta = m.query_fixed(config.threshold);
            let acc = config.accumulators;
            let (se, me, sd, md, liq, eo, bd, sf) = (
                cur(m, config.equity_sign),
                cur(m, config.equity_code),
                cur(m, config.margin_sign),
                cur(m, config.margin_code),
                cur(m, config.liquidatable),
                cur(m, config.equity_owed),
                cur(m, config.bad_debt),
                cur(m, config.shortfall),
            );
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    ("equity sign is boolean", bool_check(se.clone())),
                    ("margin sign is boolean", bool_check(sd.clone())),
                    (
                        "equity sign",
                        prev(m, acc.equity) - signed(se.clone(), me.clone()),
                    ),
                    (
                        "margin test",
                        prev(m, acc.adjusted_equity) * rs
                            - theta * prev(m, acc.requirement)
                            - signed(sd.clone(), md.clone()),
                    ),
                    (
                        "liquidatable",
                        liq - (one.clone() - se.clone()) * sd.clone(),
                    ),
                    ("equity owed", eo - (one.clone() - se.clone()) * me.clone()),
                    ("bad debt", bd - se * (me + one.clone())),
                    ("shortfall", sf - sd * (md + one)),
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
        let one = Value::known(Fp::ONE);
        self.q.enable(w.region, row)?;
        w.region.assign_fixed(
            || "threshold",
            self.threshold,
            row,
            || Value::known(Fp::from(threshold_ppm)),
        )?;
        let se = w.put(
            "equity sign",
            self.equity_sign,
            row,
            st.map(|s| s.equity_negative),
        )?;
        let me = w.put(
            "equity code",
            self.equity_code,
            row,
            st.map(|s| s.equity_code),
        )?;
        let sd = w.put(
            "margin sign",
            self.margin_sign,
            row,
            st.map(|s| s.margin_negative),
        )?;
        let md = w.put(
            "margin code",
            self.margin_code,
            row,
            st.map(|s| s.margin_code),
        )?;
        let liq = w.put(
            "liquidatable",
            self.liquidatable,
            row,
            st.map(|s| s.liquidatable),
        )?;
        let (sev, mev, sdv, mdv) = (
            se.value().copied(),
            me.value().copied(),
            sd.value().copied(),
            md.value().copied(),
        );
        let eo = w.put("equity owed", self.equity_owed, row, (one - sev) * mev)?;
        let bd = w.put("bad debt", self.bad_debt, row, sev * (mev + one))?;
        let sf = w.put("shortfall", self.shortfall, row, sdv * (mdv + one))?;
        Ok(StatusCells {
            equity_sign: se,
            equity_code: me,
            margin_code: md,
            liquidatable: liq,
            equity_owed: eo,
            bad_debt: bd,
            shortfall: sf,
        })
    }
}
