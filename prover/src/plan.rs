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
use marginproof_circuits::model::{AccountRecord, SlotShape};
use marginproof_circuits::statement::SizeClass;
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

/// The plan for `accounts` accounts of one shape: `forced` if given, else the cheapest as
/// described above.
pub fn plan_batches(
    params: &Arc<RiskParams>,
    shape: SlotShape,
    accounts: usize,
    forced: Option<usize>,
) -> Result<BatchPlan, ProveError> {
    if let Some(b) = forced {
        return plan_for(params, shape, b);
    }
    let mut layouts = Layouts::default();
    Ok(layouts.cheapest(params, shape, accounts, &|_| true)?.1)
}

/// Most size classes the automatic plan uses.
pub const MAX_CLASSES: usize = 3;

/// Candidate class shapes the plan weighs: the slots that hold these shares of the accounts
/// (by how many slots they need), and all of them.
const CANDIDATE_SHARES_PPM: [u64; 8] = [
    500_000, 750_000, 900_000, 950_000, 980_000, 990_000, 995_000, 999_000,
];

/// A key generation costs about this many proofs of the same circuit, in thousandths: one. Measured
/// 2026-12-02 (layout version 5, 50 assets, `k = 14`, 256 per proof, two cores): generating the
/// verifying and proving keys took 7.2 s of wall time, proving took 6.9 s of wall time per proof
/// (two at once). Both scale with `2^k`.
pub const KEYGEN_COST_PER_MILLE_OF_A_PROOF: u128 = 1000;

/// One size class of a plan: its class, how many accounts it holds, and its circuit size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassPlan {
    /// Slot shape and batch size.
    pub class: SizeClass,
    /// Accounts in this class (those no earlier class holds).
    pub accounts: usize,
    /// Circuit size of its proofs.
    pub k: u32,
    /// Rows its circuit uses (of `2^k`).
    pub rows: usize,
}

impl ClassPlan {
    /// Batch proofs of the class (at least one).
    pub fn batches(&self) -> usize {
        self.accounts.div_ceil(self.class.batch_size).max(1)
    }
}

/// How to plan the classes of a snapshot.
pub struct ClassOptions<'a> {
    /// `--batch-size`: one class of every record's slots, in batches of this size.
    pub batch_size: Option<usize>,
    /// `--classes`: at most this many classes (1: one shape for all).
    pub max_classes: usize,
    /// Whether the keys of a class at a circuit size are cached (then the plan does not count
    /// their generation).
    pub keys_cached: &'a dyn Fn(&SizeClass, u32) -> bool,
}

/// Exact layouts, memoized by slot shape and batch size.
#[derive(Default)]
struct Layouts {
    plans: std::collections::HashMap<(SlotShape, usize), BatchPlan>,
}

impl Layouts {
    fn plan(
        &mut self,
        params: &Arc<RiskParams>,
        shape: SlotShape,
        batch_size: usize,
    ) -> Result<BatchPlan, ProveError> {
        if let Some(p) = self.plans.get(&(shape, batch_size)) {
            return Ok(*p);
        }
        let p = plan_for(params, shape, batch_size)?;
        self.plans.insert((shape, batch_size), p);
        Ok(p)
    }

    /// The cheapest batch size for `accounts` accounts of `shape` and its cost in proven rows
    /// (key generation included where `cached` says the keys are not cached), over batch sizes
    /// with `k ≤ MAX_AUTO_K`; a single-account batch if even that is larger.
    fn cheapest(
        &mut self,
        params: &Arc<RiskParams>,
        shape: SlotShape,
        accounts: usize,
        cached: &dyn Fn(&BatchPlan) -> bool,
    ) -> Result<(u128, BatchPlan), ProveError> {
        let largest = accounts.max(1).next_power_of_two().min(MAX_BATCH_SIZE);
        let cost = |plan: &BatchPlan| {
            let proofs = accounts.max(1).div_ceil(plan.batch_size) as u128 * 1000;
            let keygen = if cached(plan) {
                0
            } else {
                KEYGEN_COST_PER_MILLE_OF_A_PROOF
            };
            (proofs + keygen) * (1u128 << plan.k)
        };
        let mut best: Option<(u128, BatchPlan)> = None;
        let mut b = 1;
        while b <= largest {
            let plan = self.plan(params, shape, b)?;
            if plan.k > MAX_AUTO_K {
                break;
            }
            let c = cost(&plan);
            if best.as_ref().is_none_or(|(bc, _)| c < *bc) {
                best = Some((c, plan));
            }
            b *= 2;
        }
        match best {
            Some(found) => Ok(found),
            None => {
                let plan = self.plan(params, shape, 1)?;
                Ok((cost(&plan), plan))
            }
        }
    }
}

/// The size classes of `records` (SPEC §9): nested slot shapes, smallest first, each account in
/// the first that holds it, chosen to minimise the total proving cost, key generation included
/// where keys are not cached.
///
/// The candidates are a chain of shapes: accounts sorted by the slots they need, the shape that
/// holds the first 50%, 75%, 90%, …, 99.9% and all of them ([`CANDIDATE_SHARES_PPM`]). Every
/// candidate holds every earlier one, so any choice of candidates is a nested set of classes, and
/// a dynamic program over the chain finds the cheapest choice of at most `max_classes` that ends
/// with the shape holding every account. A class's cost is its batches times `2^k`, plus a key
/// generation ([`KEYGEN_COST_PER_MILLE_OF_A_PROOF`]) where its keys are not cached, at the batch
/// size that makes it least, from exact layouts.
pub fn plan_classes(
    params: &Arc<RiskParams>,
    records: &[AccountRecord],
    options: &ClassOptions<'_>,
) -> Result<Vec<ClassPlan>, ProveError> {
    let covering = SlotShape::covering(records);
    if let Some(b) = options.batch_size {
        let plan = plan_for(params, covering, b)?;
        return Ok(vec![ClassPlan {
            class: SizeClass {
                slots: covering,
                batch_size: b,
            },
            accounts: records.len(),
            k: plan.k,
            rows: plan.rows,
        }]);
    }
    let chain = candidate_chain(records);
    let counts: Vec<usize> = chain
        .iter()
        .map(|s| {
            records
                .iter()
                .filter(|r| {
                    let (a, m) = r.holding_counts();
                    a <= s.assets && m <= s.markets
                })
                .count()
        })
        .collect();
    let mut layouts = Layouts::default();
    let mut class_cost = |shape: SlotShape, accounts: usize| {
        let keys = |plan: &BatchPlan| {
            let class = SizeClass {
                slots: shape,
                batch_size: plan.batch_size,
            };
            (options.keys_cached)(&class, plan.k)
        };
        layouts.cheapest(params, shape, accounts, &keys)
    };
    // best[j][t]: the cheapest j + 1 classes whose largest is chain[t], holding counts[t].
    let n = chain.len();
    let max_classes = options.max_classes.clamp(1, MAX_CLASSES);
    let mut best: Vec<Vec<Option<CostedClasses>>> = vec![vec![None; n]; max_classes];
    for t in 0..n {
        let (cost, plan) = class_cost(chain[t], counts[t])?;
        best[0][t] = Some((cost, vec![class_plan(chain[t], counts[t], plan)]));
    }
    for j in 1..max_classes {
        for t in 0..n {
            for u in 0..t {
                let Some((below, plans)) = best[j - 1][u].clone() else {
                    continue;
                };
                let accounts = counts[t] - counts[u];
                if accounts == 0 {
                    continue;
                }
                let (cost, plan) = class_cost(chain[t], accounts)?;
                let total = below + cost;
                if best[j][t].as_ref().is_none_or(|(c, _)| total < *c) {
                    let mut plans = plans;
                    plans.push(class_plan(chain[t], accounts, plan));
                    best[j][t] = Some((total, plans));
                }
            }
        }
    }
    let chosen = (0..max_classes)
        .filter_map(|j| best[j][n - 1].clone())
        .min_by_key(|(cost, plans)| (*cost, plans.len()))
        .map(|(_, plans)| plans);
    chosen.ok_or_else(|| ProveError::BadOption("no size class holds the accounts".into()))
}

/// A choice of classes and its cost.
type CostedClasses = (u128, Vec<ClassPlan>);

fn class_plan(shape: SlotShape, accounts: usize, plan: BatchPlan) -> ClassPlan {
    ClassPlan {
        class: SizeClass {
            slots: shape,
            batch_size: plan.batch_size,
        },
        accounts,
        k: plan.k,
        rows: plan.rows,
    }
}

/// The candidate shapes, a chain (each holds the one before), the last holding every record.
fn candidate_chain(records: &[AccountRecord]) -> Vec<SlotShape> {
    let mut needs: Vec<(usize, usize)> = records
        .iter()
        .map(|r| {
            let (a, m) = r.holding_counts();
            (a.max(1), m)
        })
        .collect();
    // Position slots cost about twice an asset slot.
    needs.sort_unstable_by_key(|&(a, m)| (a + 2 * m, a, m));
    let mut chain: Vec<SlotShape> = Vec::new();
    let mut push = |shape: SlotShape| {
        if chain.last() != Some(&shape) {
            chain.push(shape);
        }
    };
    let mut covering = SlotShape {
        assets: 1,
        markets: 0,
    };
    let mut next_share = 0;
    for (i, (a, m)) in needs.iter().enumerate() {
        covering.assets = covering.assets.max(*a);
        covering.markets = covering.markets.max(*m);
        let held = (i + 1) as u64 * 1_000_000;
        while next_share < CANDIDATE_SHARES_PPM.len()
            && held >= CANDIDATE_SHARES_PPM[next_share] * needs.len() as u64
        {
            push(covering);
            next_share += 1;
        }
    }
    push(covering);
    chain
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
            whales_ppm: 0,
            scenarios: 0,
            distribution: false,
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

    /// The planned cost of classes: proofs times `2^k`, plus a key generation for each class.
    fn planned_cost(plan: &[ClassPlan]) -> u128 {
        plan.iter()
            .map(|c| {
                (c.batches() as u128 * 1000 + KEYGEN_COST_PER_MILLE_OF_A_PROOF) * (1u128 << c.k)
            })
            .sum()
    }

    #[test]
    fn a_long_tail_gets_nested_classes_that_cost_less_than_one_shape() {
        let (params, records) = parsed_venue(&GenerateOptions {
            accounts: 300,
            assets: 30,
            markets: 4,
            seed: 5,
            whales_ppm: 20_000,
            scenarios: 0,
            distribution: false,
        });
        let nothing_cached = |_: &SizeClass, _: u32| false;
        let plan = |max_classes| {
            plan_classes(
                &params,
                &records,
                &ClassOptions {
                    batch_size: None,
                    max_classes,
                    keys_cached: &nothing_cached,
                },
            )
            .expect("plan")
        };
        let classes = plan(MAX_CLASSES);
        let one = plan(1);
        assert_eq!(one.len(), 1);
        assert!(classes.len() >= 2, "{classes:?}");
        assert!(
            planned_cost(&classes) < planned_cost(&one),
            "{classes:?} vs {one:?}"
        );
        // Nested, the last holds everyone, and every account is counted in the first class
        // that holds it.
        for pair in classes.windows(2) {
            let (a, b) = (pair[0].class.slots, pair[1].class.slots);
            assert!(
                a.assets <= b.assets && a.markets <= b.markets,
                "{classes:?}"
            );
        }
        let last = classes.last().expect("a class").class.slots;
        assert_eq!(last, SlotShape::covering(&records));
        let list: Vec<SizeClass> = classes.iter().map(|c| c.class).collect();
        for (c, class) in classes.iter().enumerate() {
            let members = records
                .iter()
                .filter(|r| crate::snapshot::class_of(&list, r) == Some(c))
                .count();
            assert_eq!(members, class.accounts, "class {c}");
            assert!(class.k <= MAX_AUTO_K, "{class:?}");
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
