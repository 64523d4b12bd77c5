//! Range checks by a running sum of `LIMB_BITS`-bit limbs, each looked up in a fixed table.
//!
//! Modelled on `halo2_gadgets::utilities::lookup_range_check`. To check `x < 2^(n·K)` with
//! `K = LIMB_BITS`, one region in one lane column holds the running sum
//!
//! | offset | lane (advice) | `q_limb` |
//! |---|---|---|
//! | 0 | `z_0 = x` (copied from where `x` lives) | 1 |
//! | i | `z_i = (z_{i−1} − limb_{i−1}) / 2^K` | 1 |
//! | n | `z_n`, constrained to the constant 0 | 0 |
//!
//! Lookup, on every row with `q_limb`: `z_i − 2^K · z_{i+1} ∈ [0, 2^K)` (the limb).
//! With `z_n = 0` this gives `x = Σ limb_i · 2^(K·i) < 2^(n·K)`, with no wrap-around since
//! `n·K ≤ 248 < 254`. A value that is too large (or negative, i.e. `p − |x|`) leaves `z_n ≠ 0`
//! and fails the `z_n = 0` copy constraint in the region named `range check: <what>`.
//!
//! Several lanes (advice columns, each with its own lookup) run side by side; each check goes to
//! the lane with the fewest rows so far, so checks of one account overlap in rows.

use std::cell::RefCell;

use ff::{Field, PrimeField};
use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Value},
    plonk::{Advice, Column, ConstraintSystem, Error, Selector, TableColumn},
    poly::Rotation,
};

use crate::field::Fp;

/// Bits per lookup limb: the table has `2^LIMB_BITS` rows.
pub const LIMB_BITS: usize = 8;
/// Largest check this chip accepts, in bits (keeps `x < 2^248 < p`).
pub const MAX_RANGE_BITS: usize = 248;

/// Instructions of a range-check chip.
pub trait RangeCheckInstructions {
    /// Constrains `value < 2^bits`; `bits` is a multiple of [`LIMB_BITS`]. `what` names the
    /// region (`range check: <what>`).
    fn range_check(
        &self,
        layouter: impl Layouter<Fp>,
        what: &str,
        value: &AssignedCell<Fp, Fp>,
        bits: usize,
    ) -> Result<(), Error>;
}

/// One lane: a running-sum column and its lookup selector.
#[derive(Debug, Clone)]
pub struct RangeLane {
    running_sum: Column<Advice>,
    q_limb: Selector,
}

/// Columns, selectors and the table of the range-check chip.
#[derive(Debug, Clone)]
pub struct RangeCheckConfig {
    lanes: Vec<RangeLane>,
    table: TableColumn,
}

/// The range-check chip.
#[derive(Debug)]
pub struct RangeCheckChip {
    config: RangeCheckConfig,
    rows_used: RefCell<Vec<usize>>,
}

impl Chip<Fp> for RangeCheckChip {
    type Config = RangeCheckConfig;
    type Loaded = ();
    fn config(&self) -> &Self::Config {
        &self.config
    }
    fn loaded(&self) -> &Self::Loaded {
        &()
    }
}

impl RangeCheckChip {
    /// Configures one lane per column, each with its own lookup into `table`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        lane_columns: &[Column<Advice>],
        table: TableColumn,
    ) -> RangeCheckConfig {
        let two_pow_k = Fp::from(1u64 << LIMB_BITS);
        let lanes = lane_columns
            .iter()
            .map(|&running_sum| {
                meta.enable_equality(running_sum);
                let q_limb = meta.complex_selector();
                // limb_i = z_i − 2^K · z_{i+1} must be in [0, 2^K).
                meta.lookup(|m| {
                    let q = m.query_selector(q_limb);
                    let z_cur = m.query_advice(running_sum, Rotation::cur());
                    let z_next = m.query_advice(running_sum, Rotation::next());
                    vec![(q * (z_cur - z_next * two_pow_k), table)]
                });
                RangeLane {
                    running_sum,
                    q_limb,
                }
            })
            .collect();
        RangeCheckConfig { lanes, table }
    }

    /// Builds the chip for one synthesis.
    pub fn construct(config: RangeCheckConfig) -> Self {
        let lanes = config.lanes.len();
        RangeCheckChip {
            config,
            rows_used: RefCell::new(vec![0; lanes]),
        }
    }

    /// Loads the limb table `0 .. 2^LIMB_BITS`.
    pub fn load_table(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        let table = self.config.table;
        layouter.assign_table(
            || "range table",
            |mut t| {
                for i in 0..(1usize << LIMB_BITS) {
                    t.assign_cell(|| "limb", table, i, || Value::known(Fp::from(i as u64)))?;
                }
                Ok(())
            },
        )
    }
}

/// The low `LIMB_BITS` bits of a field element's canonical integer.
fn low_limb(x: &Fp) -> Fp {
    let repr = x.to_repr();
    let mut low = 0u64;
    for (i, byte) in repr.iter().take(LIMB_BITS.div_ceil(8)).enumerate() {
        low |= u64::from(*byte) << (8 * i);
    }
    Fp::from(low & ((1u64 << LIMB_BITS) - 1))
}

impl RangeCheckInstructions for RangeCheckChip {
    fn range_check(
        &self,
        mut layouter: impl Layouter<Fp>,
        what: &str,
        value: &AssignedCell<Fp, Fp>,
        bits: usize,
    ) -> Result<(), Error> {
        assert!(
            bits.is_multiple_of(LIMB_BITS) && bits > 0 && bits <= MAX_RANGE_BITS,
            "range checks are whole limbs up to {MAX_RANGE_BITS} bits"
        );
        let limbs = bits / LIMB_BITS;
        // The layout does not depend on witness values, so lane choice is the same at keygen.
        let lane_index = {
            let used = self.rows_used.borrow();
            (0..used.len()).min_by_key(|&i| used[i]).unwrap_or(0)
        };
        let lane = self.config.lanes[lane_index].clone();
        self.rows_used.borrow_mut()[lane_index] += limbs + 1;
        let inv_two_pow_k = Fp::from(1u64 << LIMB_BITS).invert().unwrap_or(Fp::ZERO);
        layouter.assign_region(
            || format!("range check: {what}"),
            |mut region| {
                let z0 = value.copy_advice(|| "z_0", &mut region, lane.running_sum, 0)?;
                let mut z = z0.value().copied();
                for i in 0..limbs {
                    lane.q_limb.enable(&mut region, i)?;
                    z = z.map(|z| (z - low_limb(&z)) * inv_two_pow_k);
                    let cell = region.assign_advice(
                        || format!("z_{}", i + 1),
                        lane.running_sum,
                        i + 1,
                        || z,
                    )?;
                    if i + 1 == limbs {
                        region.constrain_constant(cell.cell(), Fp::ZERO)?;
                    }
                }
                Ok(())
            },
        )
    }
}
