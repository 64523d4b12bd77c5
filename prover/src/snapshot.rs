//! A snapshot laid out for proving: each account in the first size class that holds it, the
//! accounts of each class in keyed-shuffle order, cut into that class's batches, class after
//! class; each account with its salt and leaf index.

use std::sync::Arc;

use marginproof_circuits::circuit::batch::AccountSlot;
use marginproof_circuits::hash::id_hash;
use marginproof_circuits::model::AccountRecord;
use marginproof_circuits::statement::SizeClass;
use marginproof_circuits::RiskParams;

use crate::secret::VenueSecret;

/// One batch of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutBatch {
    /// Index of its class in [`SnapshotLayout::classes`].
    pub class: usize,
    /// Its first account in [`SnapshotLayout::slots`].
    pub start: usize,
    /// Its real accounts (at most the class's batch size; the rest is padding).
    pub len: usize,
    /// Its first leaf: the leaves of every batch before it, padding included.
    pub first_leaf: usize,
}

/// Accounts placed in leaves.
#[derive(Debug, Clone)]
pub struct SnapshotLayout {
    /// The configuration.
    pub params: Arc<RiskParams>,
    /// The size classes, smallest first.
    pub classes: Vec<SizeClass>,
    /// The batches in order, grouped by class.
    pub batches: Vec<LayoutBatch>,
    /// Accounts in leaf order (batch after batch, padding not included).
    pub slots: Vec<AccountSlot>,
}

/// The class of `record` among `classes`: the first whose slots hold it, if any.
pub fn class_of(classes: &[SizeClass], record: &AccountRecord) -> Option<usize> {
    let (assets, positions) = record.holding_counts();
    classes
        .iter()
        .position(|c| c.holds(record.mode, assets, positions))
}

impl SnapshotLayout {
    /// Puts each record in its class ([`class_of`]; a record no class holds goes to the last,
    /// whose tree stage then fails with the reason), orders each class's records by the keyed
    /// shuffle and derives each salt. Every class gets at least one batch (padding only if it
    /// holds no account), so that the classes of a bundle are exactly those it proves with.
    pub fn new(
        params: Arc<RiskParams>,
        records: Vec<AccountRecord>,
        secret: &VenueSecret,
        classes: &[SizeClass],
    ) -> Self {
        let snapshot = params.snapshot_id.clone();
        let last = classes.len().saturating_sub(1);
        let mut keyed: Vec<(usize, [u8; 64], AccountRecord)> = records
            .into_iter()
            .map(|r| {
                let class = class_of(classes, &r).unwrap_or(last);
                (class, secret.order_key(&snapshot, &r.id, &r.unit), r)
            })
            .collect();
        keyed.sort_unstable_by_key(|(class, key, _)| (*class, *key));
        let mut batches = Vec::new();
        let mut first_leaf = 0;
        let mut start = 0;
        for (c, class) in classes.iter().enumerate() {
            let members = keyed.iter().filter(|(k, _, _)| *k == c).count();
            let count = members.div_ceil(class.batch_size).max(1);
            for b in 0..count {
                let len = (members - (b * class.batch_size).min(members)).min(class.batch_size);
                batches.push(LayoutBatch {
                    class: c,
                    start,
                    len,
                    first_leaf,
                });
                start += len;
                first_leaf += class.batch_size;
            }
        }
        if crate::test_support::repeat_batch() {
            // The dishonest prover of attack tests: the first batch once more, same accounts.
            if let Some(first) = batches.iter().find(|b| b.class == 0).copied() {
                let at = batches.iter().filter(|b| b.class == 0).count();
                for b in &mut batches[at..] {
                    b.first_leaf += classes[0].batch_size;
                }
                batches.insert(
                    at,
                    LayoutBatch {
                        first_leaf: at * classes[0].batch_size,
                        ..first
                    },
                );
            }
        }
        let slots = keyed
            .into_iter()
            .map(|(_, _, record)| AccountSlot {
                id_hash: id_hash(&record.id, &record.unit),
                salt: secret.salt(&snapshot, &record.id, &record.unit),
                record,
            })
            .collect();
        SnapshotLayout {
            params,
            classes: classes.to_vec(),
            batches,
            slots,
        }
    }

    /// Number of batch proofs (at least one per class).
    pub fn batch_count(&self) -> usize {
        self.batches.len()
    }

    /// The accounts of batch `index` (fewer than its class's `B` in a class's last batch).
    pub fn batch(&self, index: usize) -> &[AccountSlot] {
        match self.batches.get(index) {
            Some(b) => &self.slots[b.start..b.start + b.len],
            None => &[],
        }
    }

    /// The class of batch `index`.
    pub fn batch_class(&self, index: usize) -> SizeClass {
        self.classes[self.batches[index].class]
    }
}
