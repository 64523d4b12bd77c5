//! Per-instrument totals (SPEC §4: Σ b_a, Σ l_a per asset; net size, open interest and PnL per
//! market) from sparse slots, by a bucket identity under public challenges.
//!
//! Each account holds a few `(index, quantities)` slots; the totals are per instrument. With the
//! batch's changes `Δ` (after − before) per total, the circuit checks
//!
//! ```text
//! Σ_accounts bk  =  Σ_a (Δb_a + ρ·Δl_a)/(r − a)  +  Σ_m (Δs_m + ρ·Δ|s|_m + ρ²·ΔU_m)/(r − 256 − m)
//! ```
//!
//! where `bk` is each account's sum of the same fractions over its slots
//! ([`crate::chips::account`]). Both sides are rational functions of `(r, ρ)`; if any `Δ` differs
//! from the true bucket sum they differ as functions, and then agree at a random point with
//! probability at most `(B·(S+P) + A + M + 2)/p < 2^-220`. The challenges are public inputs
//! the verifier computes as `Poseidon_challenge(tag, batch root, C_i, C_{i+1}, n)` for `n = 0, 1`:
//! the root binds every slot and `C_i`, `C_{i+1}` bind every total, so the prover is committed
//! before it learns `(r, ρ)` (Fiat–Shamir).
//!
//! Layout, one region (`param` fixed column holds the pole):
//!
//! | row | gate | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | `param` |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | 0 | | | | | | | | | | | acc = 0 | |
//! | 1..=A | asset bucket | r | ρ | u | b before | b after | l before | l after | | | acc | `a` |
//! | A+1..=A+M | market bucket | r | ρ | u | s before | s after | \|s\| before | \|s\| after | U before | U after | acc | `256 + m` |
//!
//! ```text
//! u·(r − pole) = 1
//! acc = acc_prev + (Δ1 + ρ·Δ2 [+ ρ²·Δ3])·u      with Δk = after_k − before_k
//! ```
//!
//! The last `acc` is constrained equal to `Σ_accounts bk`. Bounds: the identity is over the
//! field; it pins each `Δ` as a field element equal to the field sum of the batch's slot values.
//! Those are range-checked (b, l, |s| < 2^64, |U| < 2^129) and there are fewer than 2^32 accounts
//! in all, so every partial sum along the commitment chain is far below p: the field sums are the
//! integer sums. The verifier range-checks the final published totals (`units::total_bits`).

use ff::Field;
use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Value},
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector},
    poly::Rotation,
};

use crate::config::RiskParams;
use crate::field::Fp;
use crate::units::MAX_ASSETS;

/// Pole of market `m` is `MARKET_POLE_OFFSET + m`, above every asset pole `a < 256`.
pub const MARKET_POLE_OFFSET: u64 = MAX_ASSETS as u64;

/// Number of advice columns the chip uses.
pub const INSTRUMENT_TOTALS_COLUMNS: usize = 10;

/// The public challenges `(r, ρ)`, assigned from the instance column.
#[derive(Debug, Clone)]
pub struct Challenges {
    /// `r`: where the bucket fractions are evaluated.
    pub r: AssignedCell<Fp, Fp>,
    /// `ρ`: weight between the totals of one instrument.
    pub rho: AssignedCell<Fp, Fp>,
}

/// The opened and claimed values of the instrument totals, in `Totals::entries` order.
#[derive(Debug, Clone)]
pub struct InstrumentTotals {
    /// Before the batch (opened from `C_i`).
    pub before: Vec<AssignedCell<Fp, Fp>>,
    /// After the batch (committed in `C_{i+1}`).
    pub after: Vec<AssignedCell<Fp, Fp>>,
}

/// Instructions of the instrument-totals chip.
pub trait InstrumentTotalsInstructions {
    /// Assigns the instrument totals before and after the batch (the first `2A + 3M` entries of
    /// `before`/`after`) and constrains the bucket identity against `account_sum`.
    fn instrument_totals(
        &self,
        layouter: impl Layouter<Fp>,
        params: &RiskParams,
        challenges: &Challenges,
        before: Value<&[Fp]>,
        after: Value<&[Fp]>,
        account_sum: &AssignedCell<Fp, Fp>,
    ) -> Result<InstrumentTotals, Error>;
}

/// Columns and selectors of the chip.
#[derive(Debug, Clone)]
pub struct InstrumentTotalsConfig {
    advice: [Column<Advice>; INSTRUMENT_TOTALS_COLUMNS],
    pole: Column<Fixed>,
    q_asset: Selector,
    q_market: Selector,
}

/// The instrument-totals chip.
#[derive(Debug)]
pub struct InstrumentTotalsChip {
    config: InstrumentTotalsConfig,
}

impl Chip<Fp> for InstrumentTotalsChip {
    type Config = InstrumentTotalsConfig;
    type Loaded = ();
    fn config(&self) -> &Self::Config {
        &self.config
    }
    fn loaded(&self) -> &Self::Loaded {
        &()
    }
}

const R: usize = 0;
const RHO: usize = 1;
const INV: usize = 2;
const ACC: usize = 9;

impl InstrumentTotalsChip {
    /// Configures the two bucket gates; `advice` columns must have equality enabled.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: [Column<Advice>; INSTRUMENT_TOTALS_COLUMNS],
        pole: Column<Fixed>,
    ) -> InstrumentTotalsConfig {
        let q_asset = meta.selector();
        let q_market = meta.selector();
        for (name, q, totals) in [("asset bucket", q_asset, 2), ("market bucket", q_market, 3)] {
            meta.create_gate(name, |m| {
                let q = m.query_selector(q);
                let c = |m: &mut halo2_proofs::plonk::VirtualCells<'_, Fp>, i: usize| {
                    m.query_advice(advice[i], Rotation::cur())
                };
                let (r, rho, u) = (c(m, R), c(m, RHO), c(m, INV));
                let pole = m.query_fixed(pole);
                let acc = c(m, ACC);
                let acc_prev = m.query_advice(advice[ACC], Rotation::prev());
                let mut weighted = Expression::Constant(Fp::ZERO);
                let mut weight = Expression::Constant(Fp::ONE);
                for k in 0..totals {
                    let delta = c(m, 4 + 2 * k) - c(m, 3 + 2 * k);
                    weighted = weighted + weight.clone() * delta;
                    weight = weight * rho.clone();
                }
                Constraints::with_selector(
                    q,
                    [
                        (
                            "bucket pole",
                            u.clone() * (r - pole) - Expression::Constant(Fp::ONE),
                        ),
                        ("bucket sum", acc - acc_prev - weighted * u),
                    ],
                )
            });
        }
        InstrumentTotalsConfig {
            advice,
            pole,
            q_asset,
            q_market,
        }
    }

    /// Builds the chip.
    pub fn construct(config: InstrumentTotalsConfig) -> Self {
        InstrumentTotalsChip { config }
    }
}

impl InstrumentTotalsInstructions for InstrumentTotalsChip {
    fn instrument_totals(
        &self,
        mut layouter: impl Layouter<Fp>,
        params: &RiskParams,
        challenges: &Challenges,
        before: Value<&[Fp]>,
        after: Value<&[Fp]>,
        account_sum: &AssignedCell<Fp, Fp>,
    ) -> Result<InstrumentTotals, Error> {
        let cfg = &self.config;
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();
        layouter.assign_region(
            || "instrument totals",
            |mut region| {
                let mut out = InstrumentTotals {
                    before: Vec::new(),
                    after: Vec::new(),
                };
                let first =
                    region.assign_advice_from_constant(|| "acc", cfg.advice[ACC], 0, Fp::ZERO)?;
                let mut acc = first.value().copied();
                let mut last = first;
                let mut entry = 0;
                let rows =
                    params
                        .assets
                        .iter()
                        .enumerate()
                        .map(|(a, _)| (a as u64, 2usize, cfg.q_asset))
                        .chain(
                            params.markets.iter().enumerate().map(|(m, _)| {
                                (MARKET_POLE_OFFSET + m as u64, 3usize, cfg.q_market)
                            }),
                        );
                for (i, (pole, totals, q)) in rows.enumerate() {
                    let row = 1 + i;
                    q.enable(&mut region, row)?;
                    region.assign_fixed(
                        || "pole",
                        cfg.pole,
                        row,
                        || Value::known(Fp::from(pole)),
                    )?;
                    challenges
                        .r
                        .copy_advice(|| "r", &mut region, cfg.advice[R], row)?;
                    challenges
                        .rho
                        .copy_advice(|| "rho", &mut region, cfg.advice[RHO], row)?;
                    let u = (r - Value::known(Fp::from(pole)))
                        .map(|d| Option::from(d.invert()).unwrap_or(Fp::ZERO));
                    region.assign_advice(|| "u", cfg.advice[INV], row, || u)?;
                    let mut weighted = Value::known(Fp::ZERO);
                    let mut weight = Value::known(Fp::ONE);
                    for k in 0..totals {
                        let b = before.map(|v| v[entry]);
                        let a = after.map(|v| v[entry]);
                        let bc =
                            region.assign_advice(|| "before", cfg.advice[3 + 2 * k], row, || b)?;
                        let ac =
                            region.assign_advice(|| "after", cfg.advice[4 + 2 * k], row, || a)?;
                        out.before.push(bc);
                        out.after.push(ac);
                        weighted = weighted + weight * (a - b);
                        weight = weight * rho;
                        entry += 1;
                    }
                    acc = acc + weighted * u;
                    last = region.assign_advice(|| "acc", cfg.advice[ACC], row, || acc)?;
                }
                region.constrain_equal(last.cell(), account_sum.cell())?;
                Ok(out)
            },
        )
    }
}
