//! Choosing the batch size: how many accounts one proof holds, and so the circuit size `k`.
//!
//! A proof costs about the same for every row of its `2^k`-row domain, used or not, so the cost
//! of a snapshot is about `batches × 2^k`. For each power-of-two batch size the plan lays out the
//! circuit (a row count, no field work), takes the smallest `k` that holds it, and keeps the size
//! with the least `ceil(n / B) · 2^k`, the smaller circuit on a tie: below [`SEQUENTIAL_FROM_K`]
//! two proofs run at once, which uses the two cores better than one proof's inner parallelism,
//! and a smaller proving key and domain take less memory. `k` is capped at [`MAX_AUTO_K`]; from
//! [`SEQUENTIAL_FROM_K`] on, `prove` makes one proof at a time, which keeps the run under the
//! 4 GiB memory bound. Measured on layout version 5 (2026-12-02, 4,096 accounts at 50 assets and
//! 8 markets, keys cached, whole `prove` process): 256 per proof at `k = 14`, two at once,
//! 221 core·s and 2.27 GiB; 512 at `k = 15`, two at once, 222 core·s and 4.51 GiB; one at a time,
//! 273 core·s and 2.78 GiB; 1,024 at `k = 16`, one at a time, 5.7 GiB. `--batch-size` overrides
//! the choice.

use std::sync::Arc;

use marginproof_circuits::circuit::layout::{min_k, rows_used};
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::model::SlotShape;
use marginproof_circuits::RiskParams;
use marginproof_verifier::params::MAX_K;

use crate::error::ProveError;

/// Largest batch size accepted.
pub const MAX_BATCH_SIZE: usize = 1 << 12;
/// Largest circuit size the automatic choice picks (one `k = 16` proof of the 50-asset circuit
/// peaks above 4 GiB).
pub const MAX_AUTO_K: u32 = 15;
/// From this circuit size on, batches are proven one at a time.
pub const SEQUENTIAL_FROM_K: u32 = 15;

/// The chosen batch size and circuit size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPlan {
    /// Accounts per proof (a power of two).
    pub batch_size: usize,
    /// Circuit size of one proof.
    pub k: u32,
    /// Rows the circuit uses (of `2^k`).
    pub rows: usize,
}

fn layout_error(e: halo2_proofs::plonk::Error) -> ProveError {
    ProveError::Proving {
        stage: "layout",
        reason: format!("{e:?}"),
    }
}

/// The plan for a given batch size.
pub fn plan_for(
    params: &Arc<RiskParams>,
    shape: SlotShape,
    batch_size: usize,
) -> Result<BatchPlan, ProveError> {
    if !batch_size.is_power_of_two() || batch_size > MAX_BATCH_SIZE {
        return Err(ProveError::BadOption(format!(
            "--batch-size {batch_size}: must be a power of two from 1 to {MAX_BATCH_SIZE}"
        )));
    }
    let circuit = BatchCircuit::shape(params.clone(), shape, batch_size);
    let k = min_k(&circuit).map_err(layout_error)?;
    if k > MAX_K {
        return Err(ProveError::BadOption(format!(
            "{batch_size} accounts of {} asset and {} position slots need k = {k}; the largest \
             circuit with pinned IPA parameters is k = {MAX_K} (use a smaller --batch-size)",
            shape.assets, shape.markets
        )));
    }
    Ok(BatchPlan {
        batch_size,
        k,
        rows: rows_used(&circuit).map_err(layout_error)?,
    })
}

/// The plan for `accounts` accounts: `forced` if given, else the cheapest as described above.
pub fn plan_batches(
    params: &Arc<RiskParams>,
    shape: SlotShape,
    accounts: usize,
    forced: Option<usize>,
) -> Result<BatchPlan, ProveError> {
    if let Some(b) = forced {
        return plan_for(params, shape, b);
    }
    let largest = accounts.max(1).next_power_of_two().min(MAX_BATCH_SIZE);
    let mut best: Option<(u128, BatchPlan)> = None;
    let mut b = 1;
    while b <= largest {
        let plan = plan_for(params, shape, b)?;
        if plan.k > MAX_AUTO_K {
            break;
        }
        let cost = accounts.max(1).div_ceil(b) as u128 * (1u128 << plan.k);
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, plan));
        }
        b *= 2;
    }
    match best {
        Some((_, plan)) => Ok(plan),
        // Even one account needs more than MAX_AUTO_K: use a single-account batch anyway.
        None => plan_for(params, shape, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{parsed_venue, GenerateOptions};

    fn venue(accounts: usize) -> (Arc<RiskParams>, SlotShape) {
        let (params, records) = parsed_venue(&GenerateOptions {
            accounts,
            assets: 6,
            markets: 2,
            seed: 3,
        });
        (params, SlotShape::covering(&records))
    }

    #[test]
    fn the_chosen_batch_size_costs_least_per_snapshot() {
        let (params, shape) = venue(100);
        let chosen = plan_batches(&params, shape, 100, None).expect("plan");
        assert!(chosen.k <= MAX_AUTO_K);
        let cost = |p: &BatchPlan| 100usize.div_ceil(p.batch_size) as u128 * (1u128 << p.k);
        for b in [1, 2, 4, 8, 16, 32, 64, 128] {
            let other = plan_for(&params, shape, b).expect("plan");
            if other.k <= MAX_AUTO_K {
                assert!(cost(&chosen) <= cost(&other), "{chosen:?} vs {other:?}");
            }
        }
        assert!(chosen.rows <= 1 << chosen.k);
    }

    #[test]
    fn a_circuit_beyond_the_pinned_sizes_is_refused_by_the_plan() {
        // Every asset and market in a slot: 4,096 such accounts need more than 2^18 rows.
        let (params, _) = venue(10);
        let shape = SlotShape::dense(&params);
        match plan_batches(&params, shape, 10, Some(MAX_BATCH_SIZE)) {
            Err(ProveError::BadOption(why)) => assert!(why.contains("pinned"), "{why}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_forced_batch_size_is_checked_and_kept() {
        let (params, shape) = venue(10);
        assert_eq!(
            plan_batches(&params, shape, 10, Some(4))
                .expect("plan")
                .batch_size,
            4
        );
        assert!(matches!(
            plan_batches(&params, shape, 10, Some(3)),
            Err(ProveError::BadOption(_))
        ));
    }
}
