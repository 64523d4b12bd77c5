//! Preparing the batches of a laid-out snapshot, in two stages that `prove` times apart:
//!
//! - **tree**: each batch's holdings, account keys, leaves and batch root (Poseidon), and the
//!   snapshot root over the batch roots;
//! - **witness**: each batch's valuation under the risk model, the running totals chained from
//!   batch to batch, the totals commitments, and the circuit witness.
//!
//! Batches are independent except for the running totals, which are a prefix sum of what each
//! batch adds: both stages run batch by batch in parallel, and only that sum is sequential.

use marginproof_circuits::circuit::batch::{
    batch_bucket_sum, BatchTree, BatchValuation, PreparedBatch, RunningTotals,
};
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::snapshot::snapshot_root;
use marginproof_circuits::hash::statement_tag;
use marginproof_circuits::model::Totals;
use marginproof_circuits::statement::snapshot_challenges;
use rayon::prelude::*;

use crate::error::ProveError;
use crate::secret::VenueSecret;
use crate::snapshot::SnapshotLayout;

/// Every batch's tree, and the snapshot root over their roots.
#[derive(Debug, Clone)]
pub struct SnapshotTree {
    /// One tree per batch, in batch order.
    pub batches: Vec<BatchTree>,
    /// The root over the batch roots (the manifest's `root`).
    pub root: Fp,
}

/// Stage *tree*: every batch's leaves and root, in parallel, then the snapshot root. Fails if an
/// account holds more than its class's slots.
pub fn build_tree(layout: &SnapshotLayout) -> Result<SnapshotTree, ProveError> {
    let batches = (0..layout.batch_count())
        .into_par_iter()
        .map(|i| {
            let class = layout.batch_class(i);
            BatchTree::new(class.slots, class.batch_size, layout.batch(i)).map_err(|e| {
                ProveError::Proving {
                    stage: "tree",
                    reason: e.to_string(),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let roots: Vec<Fp> = batches.iter().map(|b| b.root).collect();
    let root = snapshot_root(&layout.classes, &roots);
    Ok(SnapshotTree { batches, root })
}

/// Stage *witness*: values every batch in parallel, sums the totals, derives the snapshot's
/// bucket challenges from the root and the totals, sums each batch's bucket terms in parallel,
/// chains the running totals (batch `i` starts from the sum of batches `0..i`), and joins each
/// batch's tree and valuation with its blindings into a batch ready to prove. Returns the
/// batches in order and the snapshot's totals.
pub fn prepare_batches(
    layout: &SnapshotLayout,
    secret: &VenueSecret,
    root: Fp,
    trees: Vec<BatchTree>,
) -> (Vec<PreparedBatch>, Totals) {
    let params = &layout.params;
    let snapshot = &params.snapshot_id;
    let valuations: Vec<BatchValuation> = (0..trees.len())
        .into_par_iter()
        .map(|i| BatchValuation::new(params, layout.batch(i)))
        .collect();
    let mut totals = Totals::zero(params);
    for valuation in &valuations {
        totals.add(&valuation.added);
    }
    let challenges = snapshot_challenges(statement_tag(params), root, &totals);
    let bucket_sums: Vec<Fp> = trees
        .par_iter()
        .zip(valuations.par_iter())
        .map(|(tree, valuation)| batch_bucket_sum(params, tree, valuation, challenges))
        .collect();
    let mut before = Vec::with_capacity(valuations.len());
    let mut running = RunningTotals::zero(params);
    for (valuation, sum) in valuations.iter().zip(&bucket_sums) {
        before.push(running.clone());
        running.add(&valuation.added, *sum);
    }
    let batches = trees
        .into_par_iter()
        .zip(valuations.par_iter())
        .zip(before.par_iter())
        .enumerate()
        .map(|(i, ((tree, valuation), before))| {
            let blinding_before = if i == 0 {
                Fp::zero()
            } else {
                secret.blinding(snapshot, i - 1)
            };
            PreparedBatch::assemble(
                params.clone(),
                tree,
                valuation,
                before,
                challenges,
                (blinding_before, secret.blinding(snapshot, i)),
            )
        })
        .collect();
    (batches, totals)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use marginproof_circuits::model::{AccountRecord, SlotShape};
    use marginproof_circuits::statement::SizeClass;
    use marginproof_circuits::RiskParams;

    use super::*;
    use crate::generate::{parsed_venue, GenerateOptions};

    fn venue() -> (Arc<RiskParams>, Vec<AccountRecord>) {
        parsed_venue(&GenerateOptions {
            accounts: 37,
            assets: 5,
            markets: 2,
            seed: 11,
            ..GenerateOptions::default()
        })
    }

    /// Two classes: one slot per kind in batches of 4, and every record's slots in batches of 8.
    fn classes(records: &[AccountRecord]) -> Vec<SizeClass> {
        vec![
            SizeClass {
                slots: SlotShape {
                    assets: 1,
                    markets: 1,
                },
                batch_size: 4,
            },
            SizeClass {
                slots: SlotShape::covering(records),
                batch_size: 8,
            },
        ]
    }

    /// The parallel stages give exactly what preparing the batches one after another does, across
    /// classes.
    #[test]
    fn parallel_preparation_equals_the_sequential_chain() {
        let (params, records) = venue();
        let classes = classes(&records);
        let secret = VenueSecret::from_bytes([7; 32]);
        let layout = SnapshotLayout::new(params.clone(), records, &secret, &classes);
        let tree = build_tree(&layout).expect("tree");
        assert!(layout.batches.iter().any(|b| b.class == 0));
        assert!(layout.batches.iter().any(|b| b.class == 1));
        let (batches, totals) = prepare_batches(&layout, &secret, tree.root, tree.batches.clone());

        let tag = statement_tag(&params);
        let challenges = snapshot_challenges(tag, tree.root, &totals);
        let mut running = RunningTotals::zero(&params);
        for (i, batch) in batches.iter().enumerate() {
            let blinding_before = if i == 0 {
                Fp::zero()
            } else {
                secret.blinding(&params.snapshot_id, i - 1)
            };
            let class = layout.batch_class(i);
            let sequential = PreparedBatch::new(
                params.clone(),
                class.slots,
                class.batch_size,
                layout.batch(i),
                &running,
                challenges,
                blinding_before,
                secret.blinding(&params.snapshot_id, i),
            )
            .expect("batch");
            assert_eq!(batch.statement, sequential.statement, "batch {i}");
            assert_eq!(batch.leaves, sequential.leaves, "batch {i}");
            assert_eq!(batch.after, sequential.after, "batch {i}");
            assert_eq!(
                format!("{:?}", batch.circuit),
                format!("{:?}", sequential.circuit),
                "batch {i}"
            );
            running = sequential.after;
        }
        assert_eq!(totals, running.totals);
        // The identity the verifier checks: the chained bucket sum is the totals' side.
        assert_eq!(
            running.bucket_sum,
            marginproof_circuits::model::buckets::totals_side(&totals, challenges)
        );
        let roots: Vec<Fp> = batches.iter().map(|b| b.statement.batch_root).collect();
        assert_eq!(tree.root, snapshot_root(&classes, &roots));
    }

    /// Each account is in the first class that holds it, and leaf indices skip each class's
    /// padding.
    #[test]
    fn accounts_go_to_the_first_class_that_holds_them() {
        let (params, records) = venue();
        let classes = classes(&records);
        let secret = VenueSecret::from_bytes([7; 32]);
        let layout = SnapshotLayout::new(params, records, &secret, &classes);
        for (i, b) in layout.batches.iter().enumerate() {
            for slot in layout.batch(i) {
                assert_eq!(
                    crate::snapshot::class_of(&classes, &slot.record),
                    Some(b.class)
                );
            }
        }
        let mut first = 0;
        for b in &layout.batches {
            assert_eq!(b.first_leaf, first);
            first += classes[b.class].batch_size;
        }
    }

    /// Slots narrower than an account's holdings: a typed error of the tree stage, not a panic.
    #[test]
    fn an_account_beyond_the_slots_is_a_tree_stage_error() {
        let (params, records) = venue();
        let covering = SlotShape::covering(&records);
        let narrow = SizeClass {
            slots: SlotShape {
                assets: covering.assets - 1,
                markets: covering.markets,
            },
            batch_size: 8,
        };
        let secret = VenueSecret::from_bytes([7; 32]);
        let layout = SnapshotLayout::new(params, records, &secret, &[narrow]);
        match build_tree(&layout) {
            Err(ProveError::Proving { stage, reason }) => {
                assert_eq!(stage, "tree");
                assert!(reason.contains("slots"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}
