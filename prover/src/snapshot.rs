//! A snapshot laid out for proving: accounts in keyed-shuffle order, cut into batches of `B`
//! slots, each account with its salt and leaf index.

use std::sync::Arc;

use marginproof_circuits::circuit::batch::AccountSlot;
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::id_hash;
use marginproof_circuits::model::{AccountRecord, SlotShape};
use marginproof_circuits::RiskParams;

use crate::secret::VenueSecret;

/// Accounts placed in leaves.
#[derive(Debug, Clone)]
pub struct SnapshotLayout {
    /// The configuration.
    pub params: Arc<RiskParams>,
    /// Accounts per batch (a power of two).
    pub batch_size: usize,
    /// Holding slots per account leaf.
    pub slot_shape: SlotShape,
    /// Accounts in leaf order; account `i` is leaf `i`, padding follows the last.
    pub slots: Vec<AccountSlot>,
}

impl SnapshotLayout {
    /// Orders `records` by the keyed shuffle and derives each salt; every record must fit
    /// `slot_shape`.
    pub fn new(
        params: Arc<RiskParams>,
        records: Vec<AccountRecord>,
        secret: &VenueSecret,
        batch_size: usize,
        slot_shape: SlotShape,
    ) -> Self {
        let snapshot = params.snapshot_id.clone();
        let mut keyed: Vec<([u8; 64], AccountRecord)> = records
            .into_iter()
            .map(|r| (secret.order_key(&snapshot, &r.id, &r.unit), r))
            .collect();
        keyed.sort_unstable_by_key(|(key, _)| *key);
        let slots = keyed
            .into_iter()
            .map(|(_, record)| AccountSlot {
                id_hash: id_hash(&record.id, &record.unit),
                salt: secret.salt(&snapshot, &record.id, &record.unit),
                record,
            })
            .collect();
        SnapshotLayout {
            params,
            batch_size,
            slot_shape,
            slots,
        }
    }

    /// Number of batch proofs (at least one, even for an empty snapshot).
    pub fn batch_count(&self) -> usize {
        self.slots.len().div_ceil(self.batch_size).max(1)
    }

    /// The accounts of batch `index` (fewer than `B` in the last batch).
    pub fn batch(&self, index: usize) -> &[AccountSlot] {
        let start = (index * self.batch_size).min(self.slots.len());
        let end = (start + self.batch_size).min(self.slots.len());
        &self.slots[start..end]
    }

    /// Salt of the account in leaf `index`.
    pub fn salt(&self, index: usize) -> Option<Fp> {
        self.slots.get(index).map(|s| s.salt)
    }
}
