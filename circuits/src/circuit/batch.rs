//! Everything one batch proof needs, computed natively from its records: the witness, the public
//! statement, and the totals after it.

use std::sync::Arc;

use crate::circuit::witness::{AccountWitness, TotalsOpening};
use crate::circuit::BatchCircuit;
use crate::config::RiskParams;
use crate::field::{fp_from_bigint, Fp};
use crate::hash::merkle::tree_levels;
use crate::hash::{statement_tag, totals_commitment, LeafHasher};
use crate::model::holdings::{Holdings, SlotShape, TooManyHoldings};
use crate::model::{evaluate, AccountRecord, Totals};
use crate::statement::BatchStatement;

/// One real account in a batch.
#[derive(Debug, Clone)]
pub struct AccountSlot {
    /// The record.
    pub record: AccountRecord,
    /// Its `id_hash`.
    pub id_hash: Fp,
    /// Its salt.
    pub salt: Fp,
}

impl AccountSlot {
    /// The account key `Poseidon_key(id_hash, salt)`.
    pub fn key(&self) -> Fp {
        LeafHasher::key(self.id_hash, self.salt)
    }
}

/// A batch ready to prove.
#[derive(Debug, Clone)]
pub struct PreparedBatch {
    /// The circuit with its witness.
    pub circuit: BatchCircuit,
    /// Its public inputs.
    pub statement: BatchStatement,
    /// The leaves, padding included (the batch tree's level 0).
    pub leaves: Vec<Fp>,
    /// Running totals after this batch.
    pub totals_after: Totals,
}

/// The commitment to `totals` with `blinding` under `params`' statement tag.
pub fn commit_totals(params: &RiskParams, totals: &Totals, blinding: Fp) -> Fp {
    let entries: Vec<Fp> = totals.entries().iter().map(fp_from_bigint).collect();
    totals_commitment(statement_tag(params), &entries, blinding)
}

impl PreparedBatch {
    /// Prepares a batch of `batch_size` accounts (a power of two) in `shape`'s slots from
    /// `accounts` (at most that many; the rest is padding), given the running totals before it
    /// and the two blindings. Fails if an account holds more than the slots.
    pub fn new(
        params: Arc<RiskParams>,
        shape: SlotShape,
        batch_size: usize,
        accounts: &[AccountSlot],
        before: &Totals,
        blinding_before: Fp,
        blinding_after: Fp,
    ) -> Result<Self, TooManyHoldings> {
        debug_assert!(batch_size.is_power_of_two() && accounts.len() <= batch_size);
        let mut witnesses = Vec::with_capacity(batch_size);
        let mut leaves = Vec::with_capacity(batch_size);
        let mut totals_after = before.clone();
        for slot in accounts {
            let risk = evaluate(&params, &slot.record);
            totals_after.add(&Totals::of_account(&slot.record, &risk, true));
            let holdings = Holdings::of(&slot.record, shape)?;
            let key = slot.key();
            witnesses.push(AccountWitness::new(&params, &risk, &holdings, key));
            leaves.push(LeafHasher::hash(key, &holdings));
        }
        let padding_leaf = crate::hash::empty_leaf(shape);
        let padding = AccountWitness::padding(&params, shape);
        while witnesses.len() < batch_size {
            witnesses.push(padding.clone());
            leaves.push(padding_leaf);
        }
        let batch_root = tree_levels(leaves.clone())
            .last()
            .and_then(|l| l.first().copied())
            .unwrap_or_default();
        let statement = BatchStatement {
            statement_tag: statement_tag(&params),
            batch_root,
            totals_before: commit_totals(&params, before, blinding_before),
            totals_after: commit_totals(&params, &totals_after, blinding_after),
        };
        let opening = TotalsOpening::new(before, &totals_after, blinding_before, blinding_after);
        Ok(PreparedBatch {
            circuit: BatchCircuit::new(params, shape, witnesses, opening),
            statement,
            leaves,
            totals_after,
        })
    }
}
