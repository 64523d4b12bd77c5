//! Preparing the batches of a laid-out snapshot, in two stages that `prove` times apart:
//!
//! - **tree**: each batch's holdings, distinct keys, leaves (padding leaves from their own
//!   secret-derived salts) and batch root (Poseidon), and the snapshot root over the batch roots;
//! - **witness**: each batch's valuation under the risk model, the sorted list of distinct keys,
//!   the challenges, the running totals chained from batch to batch, the totals commitments, and
//!   the circuit witness.
//!
//! Batches are independent except for the running totals, which are a prefix sum of what each
//! batch adds: both stages run batch by batch in parallel, and only that sum is sequential.

use marginproof_circuits::circuit::batch::{
    BatchTree, BatchValuation, PreparedBatch, RunningTotals,
};
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::snapshot::snapshot_root;
use marginproof_circuits::hash::{distinct_commitment, statement_tag};
use marginproof_circuits::model::distinct::{self, DistinctError};
use marginproof_circuits::model::Totals;
use marginproof_circuits::statement::{layout_digest, snapshot_challenges, SnapshotBinding};
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
pub fn build_tree(
    layout: &SnapshotLayout,
    secret: &VenueSecret,
) -> Result<SnapshotTree, ProveError> {
    let snapshot = &layout.params.snapshot_id;
    let k = secret.distinct_secret(snapshot);
    let batches = (0..layout.batch_count())
        .into_par_iter()
        .map(|i| {
            let class = layout.batch_class(i);
            let accounts = layout.batch(i);
            let padding = secret.padding_salts(snapshot, i, accounts.len(), class.batch_size);
            BatchTree::new(class, accounts, &padding, k).map_err(|e| ProveError::Proving {
                stage: "tree",
                reason: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let roots: Vec<Fp> = batches.iter().map(|b| b.root).collect();
    let root = snapshot_root(&layout.classes, &roots);
    Ok(SnapshotTree { batches, root })
}

/// The batches of a snapshot ready to prove, its totals and its published list of distinct keys.
#[derive(Debug, Clone)]
pub struct PreparedBatches {
    /// Every batch, in order.
    pub batches: Vec<PreparedBatch>,
    /// The totals after the last batch.
    pub totals: Totals,
    /// `public/distinct-keys.bin`: every account's distinct key, sorted.
    pub distinct_keys: Vec<u8>,
}

/// The sorted list of the distinct keys of every batch's accounts, and the snapshot's binding
/// (layout digest, `K`, list digest). A repeated key (one account twice, which the loader refuses
/// and an honest prover never has) is refused here too, unless `dishonest` (the `test-support`
/// prover that shows the verifier refuses what it publishes, [`crate::test_support`]).
pub fn distinct_keys(
    layout: &SnapshotLayout,
    secret: &VenueSecret,
    trees: &[BatchTree],
    dishonest: bool,
) -> Result<(Vec<u8>, SnapshotBinding), ProveError> {
    let keys: Vec<Fp> = trees.iter().flat_map(BatchTree::distinct_keys).collect();
    let mut bytes = distinct::encode(keys.clone());
    let digest = match distinct::list_digest(&bytes) {
        Ok((_, digest)) => digest,
        Err(DistinctError::NotIncreasing { .. }) if dishonest => {
            bytes = crate::test_support::dishonest_list(keys);
            distinct::digest_unchecked(&bytes)
        }
        Err(e) => {
            return Err(ProveError::Proving {
                stage: "distinct keys",
                reason: e.to_string(),
            })
        }
    };
    let binding = SnapshotBinding {
        layout: layout_digest(&layout.classes, layout.batches.iter().map(|b| b.class)),
        distinct_commitment: distinct_commitment(
            secret.distinct_secret(&layout.params.snapshot_id),
        ),
        distinct_keys: digest,
    };
    Ok((bytes, binding))
}

/// Stage *witness*: values every batch in parallel, sums the totals, derives the snapshot's
/// bucket challenges from the root, the totals and the [`SnapshotBinding`], sums each batch's
/// bucket terms in parallel, chains the running totals (batch `i` starts from the sum of batches
/// `0..i`), and joins each batch's tree and valuation with its secrets into a batch ready to
/// prove.
pub fn prepare_batches(
    layout: &SnapshotLayout,
    secret: &VenueSecret,
    root: Fp,
    trees: Vec<BatchTree>,
    dishonest: bool,
) -> Result<PreparedBatches, ProveError> {
    let params = &layout.params;
    let snapshot = &params.snapshot_id;
    let (distinct_keys, binding) = distinct_keys(layout, secret, &trees, dishonest)?;
    // Each account's witness is built once, here: the bucket sums and the circuits read it.
    let valuations: Vec<BatchValuation> = trees
        .par_iter()
        .enumerate()
        .map(|(i, tree)| BatchValuation::new(params, layout.batch(i), tree))
        .collect();
    let mut totals = Totals::zero(params);
    for valuation in &valuations {
        totals.add(&valuation.added);
    }
    let challenges = snapshot_challenges(statement_tag(params), root, &totals, &binding);
    let bucket_sums: Vec<Fp> = valuations
        .par_iter()
        .map(|valuation| valuation.bucket_sum(challenges))
        .collect();
    let mut before = Vec::with_capacity(valuations.len());
    let mut running = RunningTotals::zero(params);
    for (valuation, sum) in valuations.iter().zip(&bucket_sums) {
        before.push(running.clone());
        running.add(&valuation.added, *sum);
    }
    let batches = trees
        .into_par_iter()
        .zip(valuations.into_par_iter())
        .zip(bucket_sums.into_par_iter())
        .zip(before.par_iter())
        .enumerate()
        .map(|(i, (((tree, valuation), bucket_sum), before))| {
            let secrets =
                secret.batch_secrets(snapshot, i, tree.holdings.len(), tree.class.batch_size);
            PreparedBatch::assemble(
                params.clone(),
                tree,
                valuation,
                bucket_sum,
                before,
                challenges,
                &secrets,
            )
        })
        .collect();
    Ok(PreparedBatches {
        batches,
        totals,
        distinct_keys,
    })
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
                slots: SlotShape::standard(1, 1),
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
        let tree = build_tree(&layout, &secret).expect("tree");
        assert!(layout.batches.iter().any(|b| b.class == 0));
        assert!(layout.batches.iter().any(|b| b.class == 1));
        let prepared = prepare_batches(&layout, &secret, tree.root, tree.batches.clone(), false)
            .expect("distinct accounts");
        let (batches, totals) = (&prepared.batches, &prepared.totals);

        let tag = statement_tag(&params);
        let (_, binding) = distinct_keys(&layout, &secret, &tree.batches, false).expect("keys");
        let challenges = snapshot_challenges(tag, tree.root, totals, &binding);
        let mut running = RunningTotals::zero(&params);
        for (i, batch) in batches.iter().enumerate() {
            let class = layout.batch_class(i);
            let secrets = secret.batch_secrets(
                &params.snapshot_id,
                i,
                layout.batch(i).len(),
                class.batch_size,
            );
            let sequential = PreparedBatch::new(
                params.clone(),
                class,
                layout.batch(i),
                &running,
                challenges,
                &secrets,
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
        assert_eq!(totals, &running.totals);
        // The identity the verifier checks: the chained bucket sum is the totals' side and the
        // list's, and the list holds every account once.
        let list = distinct::list_side(challenges, &prepared.distinct_keys);
        assert_eq!(
            running.bucket_sum,
            marginproof_circuits::model::buckets::totals_side(totals, challenges) + list
        );
        let (count, _) = distinct::list_digest(&prepared.distinct_keys).expect("a valid list");
        assert_eq!(count, layout.slots.len() as u64);
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
            slots: SlotShape::standard(covering.assets - 1, covering.markets),
            batch_size: 8,
        };
        let secret = VenueSecret::from_bytes([7; 32]);
        let layout = SnapshotLayout::new(params, records, &secret, &[narrow]);
        match build_tree(&layout, &secret) {
            Err(ProveError::Proving { stage, reason }) => {
                assert_eq!(stage, "tree");
                assert!(reason.contains("slots"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}
