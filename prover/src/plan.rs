//! Choosing the batch size: how many accounts one proof holds, and so the circuit size `k`.
//!
//! A proof costs about the same for every row of its `2^k`-row domain, used or not, plus a fixed
//! part ([`PROOF_OVERHEAD_ROWS`]), so the cost of a snapshot is about `batches × (2^k + F)`. For
//! each power-of-two batch size the plan lays out the circuit (a row count, no field work), takes
//! the smallest `k` that holds it, and keeps the size with the least `ceil(n / B) · (2^k + F)`,
//! the smaller circuit on a tie: below [`SEQUENTIAL_FROM_K`]
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
use marginproof_circuits::model::{AccountRecord, MarginMode, SlotShape};
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

/// What one proof costs beyond its `2^k` rows, in rows: transcript, openings and set-up that do
/// not shrink with the circuit. Measured 2026-12-03 (layout 8, 50 assets, 2,048 accounts, the
/// bench's prove CPU): 128 per proof at `k = 13` cost 1.31 core·ms per row, 16 per proof at
/// `k = 10` 1.74, i.e. `(2^10 + F) / 2^10 = 1.33 · (2^13 + F) / 2^13` for `F ≈ 400`. Without
/// it, every plan of small proofs ties with one of large proofs and wins on key generation.
pub const PROOF_OVERHEAD_ROWS: u128 = 512;

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
            (proofs + keygen) * ((1u128 << plan.k) + PROOF_OVERHEAD_ROWS)
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

/// The size classes of `records` (SPEC §9): up to `max_classes` slot shapes, ordered smallest
/// first, each account in the first that holds it, chosen to minimise the total proving cost, key
/// generation included where keys are not cached.
///
/// The candidate shapes are a chain, accounts sorted by the slots they need and the shape that
/// holds the first 50%, 75%, 90%, …, 99.9% and all of them ([`CANDIDATE_SHARES_PPM`]), and beside
/// it the holdings that at least [`SIDE_SHAPE_MIN_PPM`] of the accounts have, exactly
/// ([`side_shapes`]): a holding of 3 assets and no position need not share a class with one of
/// 1 asset and 2 positions, and each may fit a proof of twice as many accounts alone. Every set
/// of at most `max_classes` candidates that holds every account is weighed ([`weigh_classes`]):
/// a class's cost is its batches times `2^k` plus [`PROOF_OVERHEAD_ROWS`], plus a key generation
/// ([`KEYGEN_COST_PER_MILLE_OF_A_PROOF`]) where its keys are not cached, at the batch size that
/// makes it least, from exact layouts; the least total wins, the fewer classes on a tie.
///
/// Portfolio-margin units (SPEC §12) get classes of their own, planned the same way over them
/// alone and listed after the standard classes: a class judges its units under one model, and
/// the few wide portfolio-margin units never widen a standard unit's leaf. A forced batch size
/// makes one class per mode present.
pub fn plan_classes(
    params: &Arc<RiskParams>,
    records: &[AccountRecord],
    options: &ClassOptions<'_>,
) -> Result<Vec<ClassPlan>, ProveError> {
    // The two modes' records by reference: planning never copies the book.
    let (portfolio, standard): (Vec<&AccountRecord>, Vec<&AccountRecord>) = records
        .iter()
        .partition(|r| r.mode == MarginMode::Portfolio);
    if portfolio.is_empty() {
        return plan_mode_classes(params, &standard, options, MarginMode::Standard);
    }
    let mut plans = Vec::new();
    if !standard.is_empty() {
        plans = plan_mode_classes(params, &standard, options, MarginMode::Standard)?;
    }
    plans.extend(plan_mode_classes(
        params,
        &portfolio,
        options,
        MarginMode::Portfolio,
    )?);
    Ok(plans)
}

/// [`plan_classes`] for records all of one margin mode: classes of `mode`'s shapes.
fn plan_mode_classes(
    params: &Arc<RiskParams>,
    records: &[&AccountRecord],
    options: &ClassOptions<'_>,
    mode: MarginMode,
) -> Result<Vec<ClassPlan>, ProveError> {
    let covering = SlotShape::covering(records.iter().copied()).in_mode(mode);
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
    let needs = holding_needs(records);
    if needs.is_empty() {
        let (_, plan) = class_cost(covering, 0)?;
        return Ok(vec![class_plan(covering, 0, plan)]);
    }
    let mut candidates: Vec<SlotShape> = candidate_chain(records)
        .into_iter()
        .map(|s| s.in_mode(mode))
        .collect();
    for shape in side_shapes(&needs, records.len()).map(|s| s.in_mode(mode)) {
        if !candidates.contains(&shape) {
            candidates.push(shape);
        }
    }
    candidates.sort_unstable_by_key(shape_order);
    let max_classes = options.max_classes.clamp(1, MAX_CLASSES);
    let mut best: Option<CostedClasses> = None;
    for set in subsets(candidates.len(), max_classes) {
        let shapes: Vec<SlotShape> = set.iter().map(|&c| candidates[c]).collect();
        let Some(counts) = weigh_classes(&shapes, &needs) else {
            continue;
        };
        let mut total = 0;
        let mut plans = Vec::with_capacity(shapes.len());
        for (&shape, &accounts) in shapes.iter().zip(&counts) {
            if accounts == 0 {
                continue;
            }
            let (cost, plan) = class_cost(shape, accounts)?;
            total += cost;
            plans.push(class_plan(shape, accounts, plan));
        }
        let better = best
            .as_ref()
            .is_none_or(|(c, p)| (total, plans.len()) < (*c, p.len()));
        if better {
            best = Some((total, plans));
        }
    }
    best.map(|(_, plans)| plans)
        .ok_or_else(|| ProveError::BadOption("no size class holds the accounts".into()))
}

/// Least share of the accounts (ppm) a holding needs to be a candidate shape beside the chain:
/// 1%, so that a long tail's many rare holdings do not multiply the sets weighed.
pub const SIDE_SHAPE_MIN_PPM: u64 = 10_000;
/// Most candidate shapes beside the chain (the commonest holdings first).
pub const MAX_SIDE_SHAPES: usize = 12;

/// Each distinct holding `(asset slots, position slots)` the records need (at least one asset
/// slot) and how many records need it.
fn holding_needs(records: &[&AccountRecord]) -> Vec<((usize, usize), usize)> {
    let mut needs = std::collections::BTreeMap::new();
    for r in records {
        let (a, m) = r.holding_counts();
        *needs.entry((a.max(1), m)).or_insert(0usize) += 1;
    }
    needs.into_iter().collect()
}

/// The holdings of at least [`SIDE_SHAPE_MIN_PPM`] of `accounts`, commonest first, at most
/// [`MAX_SIDE_SHAPES`], as slot shapes.
fn side_shapes(
    needs: &[((usize, usize), usize)],
    accounts: usize,
) -> impl Iterator<Item = SlotShape> {
    let mut common: Vec<&((usize, usize), usize)> = needs
        .iter()
        .filter(|(_, n)| *n as u64 * 1_000_000 >= SIDE_SHAPE_MIN_PPM * accounts as u64)
        .collect();
    common.sort_by_key(|(need, n)| (std::cmp::Reverse(*n), *need));
    common
        .into_iter()
        .take(MAX_SIDE_SHAPES)
        .map(|&((assets, markets), _)| SlotShape::standard(assets, markets))
        .collect::<Vec<_>>()
        .into_iter()
}

/// The order of classes in a plan, and so which class an account that several hold goes to:
/// fewer slots first (a position slot counting as two asset slots, as in the chain).
fn shape_order(shape: &SlotShape) -> (usize, usize, usize) {
    (
        shape.assets + 2 * shape.markets,
        shape.assets,
        shape.markets,
    )
}

/// How many accounts each of `shapes` (in plan order) gets, each in the first that holds it
/// (as [`crate::snapshot::class_of`] puts them), or `None` if some holding fits none.
fn weigh_classes(shapes: &[SlotShape], needs: &[((usize, usize), usize)]) -> Option<Vec<usize>> {
    let mut counts = vec![0; shapes.len()];
    for &((a, m), n) in needs {
        let c = shapes
            .iter()
            .position(|s| a <= s.assets && m <= s.markets)?;
        counts[c] += n;
    }
    Some(counts)
}

/// Every set of 1 to `most` of the indices `0..n`, each increasing.
fn subsets(n: usize, most: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut frontier: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for _ in 0..most {
        out.extend(frontier.iter().cloned());
        frontier = frontier
            .iter()
            .flat_map(|set| {
                let last = *set.last().unwrap_or(&0);
                (last + 1..n).map(move |i| {
                    let mut next = set.clone();
                    next.push(i);
                    next
                })
            })
            .collect();
    }
    out
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
fn candidate_chain(records: &[&AccountRecord]) -> Vec<SlotShape> {
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
    let mut covering = SlotShape::standard(1, 0);
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
            portfolio_ppm: 0,
            shocks: 0,
        });
        (params, SlotShape::covering(&records))
    }

    #[test]
    fn the_chosen_batch_size_costs_least_per_snapshot() {
        let (params, shape) = venue(100);
        let chosen = plan_batches(&params, shape, 100, None).expect("plan");
        assert!(chosen.k <= MAX_AUTO_K);
        let cost = |p: &BatchPlan| {
            100usize.div_ceil(p.batch_size) as u128 * ((1u128 << p.k) + PROOF_OVERHEAD_ROWS)
        };
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
                (c.batches() as u128 * 1000 + KEYGEN_COST_PER_MILLE_OF_A_PROOF)
                    * ((1u128 << c.k) + PROOF_OVERHEAD_ROWS)
            })
            .sum()
    }

    fn plan_of(
        params: &Arc<RiskParams>,
        records: &[AccountRecord],
        max_classes: usize,
    ) -> Vec<ClassPlan> {
        let nothing_cached = |_: &SizeClass, _: u32| false;
        plan_classes(
            params,
            records,
            &ClassOptions {
                batch_size: None,
                max_classes,
                keys_cached: &nothing_cached,
            },
        )
        .expect("plan")
    }

    /// Every account is counted in the first class that holds it, some class holds each, the
    /// classes are in plan order, and each fits the automatic cap.
    fn assert_well_formed(records: &[AccountRecord], classes: &[ClassPlan]) {
        let list: Vec<SizeClass> = classes.iter().map(|c| c.class).collect();
        for r in records {
            assert!(
                crate::snapshot::class_of(&list, r).is_some_and(|c| {
                    let (a, m) = r.holding_counts();
                    list[c].holds(r.mode, a, m)
                }),
                "{classes:?}"
            );
        }
        for (c, class) in classes.iter().enumerate() {
            let members = records
                .iter()
                .filter(|r| crate::snapshot::class_of(&list, r) == Some(c))
                .count();
            assert_eq!(members, class.accounts, "class {c}");
            assert!(class.k <= MAX_AUTO_K, "{class:?}");
        }
        for pair in classes.windows(2) {
            assert!(
                shape_order(&pair[0].class.slots) <= shape_order(&pair[1].class.slots),
                "{classes:?}"
            );
        }
    }

    #[test]
    fn a_long_tail_gets_classes_that_cost_less_than_one_shape() {
        let (params, records) = parsed_venue(&GenerateOptions {
            accounts: 300,
            assets: 30,
            markets: 4,
            seed: 5,
            whales_ppm: 20_000,
            scenarios: 0,
            distribution: false,
            portfolio_ppm: 0,
            shocks: 0,
        });
        let classes = plan_of(&params, &records, MAX_CLASSES);
        let one = plan_of(&params, &records, 1);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].class.slots, SlotShape::covering(&records));
        assert!(classes.len() >= 2, "{classes:?}");
        assert!(
            planned_cost(&classes) < planned_cost(&one),
            "{classes:?} vs {one:?}"
        );
        assert_well_formed(&records, &classes);
    }

    /// Holdings of 3 assets and none of 1 asset and 2 positions: no chain shape holds one kind
    /// without the other's slots, so the plan takes the two shapes side by side, neither holding
    /// the other, at less than the one shape that holds both.
    #[test]
    fn holdings_side_by_side_get_classes_neither_of_which_holds_the_other() {
        let (params, records) = parsed_venue(&GenerateOptions {
            accounts: 1200,
            assets: 6,
            markets: 2,
            seed: 7,
            whales_ppm: 0,
            scenarios: 1,
            distribution: false,
            portfolio_ppm: 0,
            shocks: 0,
        });
        let records: Vec<AccountRecord> = records
            .into_iter()
            .filter(|r| matches!(r.holding_counts(), (3, 0) | (1, 2)))
            .collect();
        assert!(records.len() > 100, "{}", records.len());
        let classes = plan_of(&params, &records, MAX_CLASSES);
        let shapes: Vec<SlotShape> = classes.iter().map(|c| c.class.slots).collect();
        assert_eq!(
            shapes,
            [SlotShape::standard(3, 0), SlotShape::standard(1, 2)],
            "{classes:?}"
        );
        let one = plan_of(&params, &records, 1);
        assert_eq!(one[0].class.slots, SlotShape::standard(3, 2));
        assert!(
            planned_cost(&classes) < planned_cost(&one),
            "{classes:?} vs {one:?}"
        );
        assert_well_formed(&records, &classes);
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
