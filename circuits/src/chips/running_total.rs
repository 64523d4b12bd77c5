//! Running totals across the accounts of a batch (SPEC §4).
//!
//! The chip has several column pairs, each with its own selector and the same gate; the `i`-th
//! total of a batch goes to pair `i mod pairs`, so the totals run side by side in columns the
//! account regions leave mostly idle instead of after the range checks. One region per total,
//! `B + 1` rows in its pair:
//!
//! | offset | `acc` | `term` | `q_sum` |
//! |---|---|---|---|
//! | 0 | total before the batch | account 0's term (copied) | 1 |
//! | j | `acc_j` | account j's term (copied) | 1 |
//! | B | total after the batch (the prover's claim) | | 0 |
//!
//! ```text
//! running total:  acc_next − (acc_cur + term_cur) = 0
//! ```
//!
//! Bound: every term is below 2^196 in magnitude (`units.rs`: shortfall is the largest) and a
//! snapshot has fewer than 2^32 accounts, so every running total stays below 2^228 < p: a sum of
//! the field elements is the sum of the integers.

use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Value},
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector},
    poly::Rotation,
};

use crate::field::Fp;

/// The two ends of one running total: the opened value before the batch and the value after.
#[derive(Debug, Clone)]
pub struct RunningTotal {
    /// Total before the batch.
    pub before: AssignedCell<Fp, Fp>,
    /// Total after the batch.
    pub after: AssignedCell<Fp, Fp>,
}

/// Instructions of the running-total chip.
pub trait RunningTotalInstructions {
    /// Constrains `after = before + Σ terms` for the claimed `after`.
    fn accumulate(
        &self,
        layouter: impl Layouter<Fp>,
        what: &str,
        before: Value<Fp>,
        after: Value<Fp>,
        terms: &[AssignedCell<Fp, Fp>],
    ) -> Result<RunningTotal, Error>;

    /// `Σ terms`, starting from the constant 0 (no claimed value: the sum is computed).
    fn sum(
        &self,
        layouter: impl Layouter<Fp>,
        what: &str,
        terms: &[AssignedCell<Fp, Fp>],
    ) -> Result<AssignedCell<Fp, Fp>, Error>;
}

/// One column pair of the running-total chip and its selector.
#[derive(Debug, Clone)]
struct RunningTotalPair {
    acc: Column<Advice>,
    term: Column<Advice>,
    q_sum: Selector,
}

/// Column pairs and selectors of the running-total chip.
#[derive(Debug, Clone)]
pub struct RunningTotalConfig {
    pairs: Vec<RunningTotalPair>,
}

/// The running-total chip.
#[derive(Debug)]
pub struct RunningTotalChip {
    config: RunningTotalConfig,
    /// Regions laid out so far (the next one goes to pair `laid_out mod pairs`).
    laid_out: std::cell::Cell<usize>,
}

impl Chip<Fp> for RunningTotalChip {
    type Config = RunningTotalConfig;
    type Loaded = ();
    fn config(&self) -> &Self::Config {
        &self.config
    }
    fn loaded(&self) -> &Self::Loaded {
        &()
    }
}

impl RunningTotalChip {
    /// Configures the gate on each `(acc, term)` pair of advice columns (at least one).
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        pairs: &[(Column<Advice>, Column<Advice>)],
    ) -> RunningTotalConfig {
        assert!(
            !pairs.is_empty(),
            "the running-total chip needs a column pair"
        );
        let pairs = pairs
            .iter()
            .map(|&(acc, term)| {
                meta.enable_equality(acc);
                meta.enable_equality(term);
                let q_sum = meta.selector();
                meta.create_gate("running total", |m| {
                    let q = m.query_selector(q_sum);
                    let acc_cur = m.query_advice(acc, Rotation::cur());
                    let acc_next = m.query_advice(acc, Rotation::next());
                    let term_cur = m.query_advice(term, Rotation::cur());
                    // |acc| < 2^228 (module docs): no wrap-around.
                    Constraints::with_selector(
                        q,
                        [("running total", acc_next - (acc_cur + term_cur))],
                    )
                });
                RunningTotalPair { acc, term, q_sum }
            })
            .collect();
        RunningTotalConfig { pairs }
    }

    /// Builds the chip.
    pub fn construct(config: RunningTotalConfig) -> Self {
        RunningTotalChip {
            config,
            laid_out: std::cell::Cell::new(0),
        }
    }
}

/// Where a running total starts.
enum Start {
    /// The opened total before the batch (a witness, bound by the commitment `C_i`).
    Opened(Value<Fp>),
    /// The constant 0.
    Zero,
}

impl RunningTotalChip {
    /// Lays out `start + Σ terms`; the last accumulator is `claimed` if given, else computed.
    fn lay_out(
        &self,
        mut layouter: impl Layouter<Fp>,
        what: &str,
        start: Start,
        claimed: Option<Value<Fp>>,
        terms: &[AssignedCell<Fp, Fp>],
    ) -> Result<RunningTotal, Error> {
        // The layout does not depend on witness values, so the pair is the same at keygen.
        let n = self.laid_out.get();
        self.laid_out.set(n + 1);
        let cfg = &self.config.pairs[n % self.config.pairs.len()];
        layouter.assign_region(
            || format!("running total: {what}"),
            |mut region| {
                let first = match &start {
                    Start::Opened(v) => region.assign_advice(|| "before", cfg.acc, 0, || *v)?,
                    Start::Zero => {
                        region.assign_advice_from_constant(|| "zero", cfg.acc, 0, Fp::zero())?
                    }
                };
                let mut acc = first.clone();
                for (j, term) in terms.iter().enumerate() {
                    cfg.q_sum.enable(&mut region, j)?;
                    let t = term.copy_advice(|| "term", &mut region, cfg.term, j)?;
                    let computed = acc.value().copied() + t.value().copied();
                    let next = match claimed {
                        Some(c) if j + 1 == terms.len() => c,
                        _ => computed,
                    };
                    acc = region.assign_advice(|| "acc", cfg.acc, j + 1, || next)?;
                }
                Ok(RunningTotal {
                    before: first,
                    after: acc,
                })
            },
        )
    }
}

impl RunningTotalInstructions for RunningTotalChip {
    fn accumulate(
        &self,
        layouter: impl Layouter<Fp>,
        what: &str,
        before: Value<Fp>,
        after: Value<Fp>,
        terms: &[AssignedCell<Fp, Fp>],
    ) -> Result<RunningTotal, Error> {
        self.lay_out(layouter, what, Start::Opened(before), Some(after), terms)
    }

    fn sum(
        &self,
        layouter: impl Layouter<Fp>,
        what: &str,
        terms: &[AssignedCell<Fp, Fp>],
    ) -> Result<AssignedCell<Fp, Fp>, Error> {
        Ok(self
            .lay_out(layouter, what, Start::Zero, None, terms)?
            .after)
    }
}
