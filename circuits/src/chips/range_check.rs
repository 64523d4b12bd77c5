//! Range checks by a running sum of `LIMB_BITS`-bit limbs, each looked up in a fixed table, with
//! an exact short top limb.
//!
//! Modelled on `halo2_gadgets::utilities::lookup_range_check` (its running sum and its short
//! range check). The limb width `K` is the circuit's ([`limb_bits`] of the batch size: the table
//! has `2^K` rows, so a small circuit keeps a small table); it lives in the fixed `factor` column,
//! not in the gate, so one constraint system serves every width. To check `x < 2^n`, write
//! `n = q·K + r` (`0 ≤ r < K`) and `m = q + [r > 0]` limbs. One region in one lane holds the
//! running sum
//!
//! | offset | lane (advice) | `q_limb` | `factor` (fixed) |
//! |---|---|---|---|
//! | 0 | `z_0 = x` (copied from where `x` lives) | 1 | `2^K` |
//! | i | `z_i = (z_{i−1} − limb_{i−1}) / 2^K` | 1 | `2^K` |
//! | m | `z_m`, constrained to the constant 0 | 0 | `2^(K−r)` if `r > 0`, else 0 |
//!
//! One lookup per lane, into the table `[0, 2^K)` (loaded with the circuit's `K`):
//!
//! ```text
//! q_limb · (z_cur − factor · z_next) + (1 − q_limb) · factor · z_prev ∈ [0, 2^K)
//! ```
//!
//! - **limb** (rows `0 … m−1`, `q_limb = 1`, `factor = 2^K`):
//!   `limb_i = z_i − 2^K · z_{i+1} < 2^K`.
//! - **short top limb** (row `m`, `q_limb = 0`, `factor = 2^(K−r)`): with `z_m = 0` the top limb is
//!   `z_{m−1} < 2^K` (its limb row), so `2^(K−r) · z_{m−1} < 2^(2K−r)` does not wrap and lies in
//!   the table iff `z_{m−1} < 2^r`.
//! - every other row of the lane looks up 0, which is in the table.
//!
//! With `z_m = 0` this gives `x = Σ limb_i · 2^(K·i)` with the top limb below `2^r` (or `2^K` if
//! `r = 0`), so `x < 2^n`, with no wrap-around since `n ≤ 248 < 254`. A value far too large (or
//! negative, i.e. `p − |x|`) leaves `z_m ≠ 0` and fails the `z_m = 0` copy constraint in the region
//! named `range check: <what>`; one in `[2^n, 2^(m·K))` fails the lookup on that region's last row.
//!
//! The fixed columns are the verifying key's, so a prover cannot move a limb boundary; `K ≤ 15`
//! keeps `2^(2K)` far below `p`. Several lanes (advice columns, each with its own lookup,
//! selector and `factor` column) run side by side;
//! each check goes to the lane with the fewest rows so far, so checks of one account overlap in
//! rows.

use std::cell::RefCell;

use ff::{Field, PrimeField};
use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Value},
    plonk::{Advice, Column, ConstraintSystem, Error, Fixed, Selector, TableColumn},
    poly::Rotation,
};

use crate::field::Fp;

/// The widest limb: a `2^15`-row table is half of a `k = 16` circuit (16 bits would not fit beside
/// the blinding rows).
pub const MAX_LIMB_BITS: usize = 15;
/// The narrowest limb.
pub const MIN_LIMB_BITS: usize = 8;

/// The limb width of a batch circuit of `batch_size` accounts: `log2(B) + 5`, within
/// [`MIN_LIMB_BITS`, `MAX_LIMB_BITS`]. Every account takes more than 40 rows (its leaf alone is one
/// width-9 permutation), so the `32·B`-row table never sets the circuit's size; 1,024 accounts
/// get 15-bit limbs, a test batch of 4 the 8-bit ones.
pub fn limb_bits(batch_size: usize) -> usize {
    (batch_size.max(1).ilog2() as usize + 5).clamp(MIN_LIMB_BITS, MAX_LIMB_BITS)
}
/// Largest check this chip accepts, in bits (keeps `x < 2^248 < p`).
pub const MAX_RANGE_BITS: usize = 248;

/// Instructions of a range-check chip.
pub trait RangeCheckInstructions {
    /// Constrains `value < 2^bits` (`0 < bits ≤` [`MAX_RANGE_BITS`]). `what` names the region
    /// (`range check: <what>`).
    fn range_check(
        &self,
        layouter: impl Layouter<Fp>,
        what: &str,
        value: &AssignedCell<Fp, Fp>,
        bits: usize,
    ) -> Result<(), Error>;
}

/// One lane: a running-sum column, its limb selector, and its factor (`2^K` on limb rows, the
/// short-limb shift on a region's last row).
#[derive(Debug, Clone)]
pub struct RangeLane {
    running_sum: Column<Advice>,
    q_limb: Selector,
    factor: Column<Fixed>,
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
    limb_bits: usize,
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
        let lanes = lane_columns
            .iter()
            .map(|&running_sum| {
                meta.enable_equality(running_sum);
                let q_limb = meta.complex_selector();
                let factor = meta.fixed_column();
                // limb:      z_i − 2^K · z_{i+1} ∈ [0, 2^K)        (q_limb = 1, factor = 2^K)
                // short top: 2^(K−r) · z_{m−1} ∈ [0, 2^K)          (q_limb = 0, factor = 2^(K−r))
                meta.lookup(|m| {
                    let q = m.query_selector(q_limb);
                    let z_prev = m.query_advice(running_sum, Rotation::prev());
                    let z_cur = m.query_advice(running_sum, Rotation::cur());
                    let z_next = m.query_advice(running_sum, Rotation::next());
                    let factor = m.query_fixed(factor);
                    let one = halo2_proofs::plonk::Expression::Constant(Fp::ONE);
                    vec![(
                        q.clone() * (z_cur - factor.clone() * z_next) + (one - q) * factor * z_prev,
                        table,
                    )]
                });
                RangeLane {
                    running_sum,
                    q_limb,
                    factor,
                }
            })
            .collect();
        RangeCheckConfig { lanes, table }
    }

    /// Builds the chip for one synthesis with limbs of `limb_bits` bits (at most
    /// [`MAX_LIMB_BITS`]; see [`limb_bits`]).
    pub fn construct(config: RangeCheckConfig, limb_bits: usize) -> Self {
        let lanes = config.lanes.len();
        RangeCheckChip {
            config,
            limb_bits: limb_bits.clamp(1, MAX_LIMB_BITS),
            rows_used: RefCell::new(vec![0; lanes]),
        }
    }

    /// Loads the limb table `0 .. 2^K`.
    pub fn load_table(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        let table = self.config.table;
        layouter.assign_table(
            || "range table",
            |mut t| {
                for i in 0..(1usize << self.limb_bits) {
                    t.assign_cell(|| "limb", table, i, || Value::known(Fp::from(i as u64)))?;
                }
                Ok(())
            },
        )
    }
}

/// The low `bits` bits (at most 64) of a field element's canonical integer.
fn low_limb(x: &Fp, bits: usize) -> Fp {
    let repr = x.to_repr();
    let mut low = 0u64;
    for (i, byte) in repr.iter().take(bits.div_ceil(8)).enumerate() {
        low |= u64::from(*byte) << (8 * i);
    }
    Fp::from(low & ((1u64 << bits) - 1))
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
            bits > 0 && bits <= MAX_RANGE_BITS,
            "range checks are 1 to {MAX_RANGE_BITS} bits"
        );
        let k = self.limb_bits;
        let limbs = bits.div_ceil(k);
        let short = bits % k;
        // The layout does not depend on witness values, so lane choice is the same at keygen.
        let lane_index = {
            let used = self.rows_used.borrow();
            (0..used.len()).min_by_key(|&i| used[i]).unwrap_or(0)
        };
        let lane = self.config.lanes[lane_index].clone();
        self.rows_used.borrow_mut()[lane_index] += limbs + 1;
        let two_pow_k = Fp::from(1u64 << k);
        let inv_two_pow_k = two_pow_k.invert().unwrap_or(Fp::ZERO);
        layouter.assign_region(
            || format!("range check: {what}"),
            |mut region| {
                let z0 = value.copy_advice(|| "z_0", &mut region, lane.running_sum, 0)?;
                let mut z = z0.value().copied();
                for i in 0..limbs {
                    lane.q_limb.enable(&mut region, i)?;
                    region.assign_fixed(|| "2^K", lane.factor, i, || Value::known(two_pow_k))?;
                    z = z.map(|z| (z - low_limb(&z, k)) * inv_two_pow_k);
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
                let shift = if short > 0 {
                    Fp::from(1u64 << (k - short))
                } else {
                    Fp::ZERO
                };
                region.assign_fixed(|| "shift", lane.factor, limbs, || Value::known(shift))?;
                Ok(())
            },
        )
    }
}
