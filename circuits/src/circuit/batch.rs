//! Everything one batch proof needs, computed natively from its records: the witness, the public
//! statement, and the totals after it.

use std::sync::Arc;

use crate::circuit::witness::{AccountWitness, TotalsOpening};
use crate::circuit::BatchCircuit;
use crate::config::RiskParams;
use crate::field::Fp;
use crate::hash::merkle::tree_root;
use crate::hash::{statement_tag, totals_commitment, LeafHasher};
use crate::model::buckets::BucketChallenges;
use crate::model::holdings::{Holdings, SlotShape, TooManyHoldings};
use crate::model::totals::chain_entries;
use crate::model::{evaluate, AccountRecord, AccountRisk, Totals};
use crate::statement::{instrument_prices, BatchStatement};

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

/// A batch's leaves and tree: each real account's holdings in the slots and its key, the leaves
/// (padding included) and the batch root. The hashing half of preparing a batch, independent of
/// every other batch ([`BatchValuation`] is the valuation half; [`PreparedBatch::assemble`] joins
/// them).
#[derive(Debug, Clone)]
pub struct BatchTree {
    /// Holding slots per account.
    pub shape: SlotShape,
    /// Accounts per batch (a power of two).
    pub batch_size: usize,
    /// Each real account's holdings in `shape`'s slots.
    pub holdings: Vec<Holdings>,
    /// Each real account's key `Poseidon_key(id_hash, salt)`.
    pub keys: Vec<Fp>,
    /// The leaves, padding included (the batch tree's level 0).
    pub leaves: Vec<Fp>,
    /// The batch root.
    pub root: Fp,
}

impl BatchTree {
    /// The tree of a batch of `batch_size` accounts (a power of two) in `shape`'s slots from
    /// `accounts` (at most that many; the rest is padding). Fails if an account holds more than
    /// the slots.
    pub fn new(
        shape: SlotShape,
        batch_size: usize,
        accounts: &[AccountSlot],
    ) -> Result<Self, TooManyHoldings> {
        debug_assert!(batch_size.is_power_of_two() && accounts.len() <= batch_size);
        let holdings = accounts
            .iter()
            .map(|slot| Holdings::of(&slot.record, shape))
            .collect::<Result<Vec<_>, _>>()?;
        let keys: Vec<Fp> = accounts.iter().map(AccountSlot::key).collect();
        let mut leaves: Vec<Fp> = keys
            .iter()
            .zip(&holdings)
            .map(|(key, h)| LeafHasher::hash(*key, h))
            .collect();
        leaves.resize(batch_size, crate::hash::empty_leaf(shape));
        let root = tree_root(leaves.clone());
        Ok(BatchTree {
            shape,
            batch_size,
            holdings,
            keys,
            leaves,
            root,
        })
    }
}

/// A batch's valuation under the risk model: each real account's [`AccountRisk`] and what the
/// batch adds to the running totals. Independent of every other batch, so batches are valued in
/// parallel and their running totals summed afterwards.
#[derive(Debug, Clone)]
pub struct BatchValuation {
    /// Each real account's valuation.
    pub risks: Vec<AccountRisk>,
    /// The sum of the accounts' contributions to the totals.
    pub added: Totals,
}

impl BatchValuation {
    /// Values `accounts` under `params`.
    pub fn new(params: &RiskParams, accounts: &[AccountSlot]) -> Self {
        let mut added = Totals::zero(params);
        let risks = accounts
            .iter()
            .map(|slot| {
                let risk = evaluate(params, &slot.record);
                added.add(&Totals::of_account(params, &slot.record, &risk, true));
                risk
            })
            .collect();
        BatchValuation { risks, added }
    }
}

/// The running state of the chain of commitments at one point: the running totals and the
/// running bucket sum `S` ([`crate::model::buckets`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningTotals {
    /// Totals of every account so far.
    pub totals: Totals,
    /// `S`: the bucket terms of every account so far.
    pub bucket_sum: Fp,
}

impl RunningTotals {
    /// Before the first batch: all zero.
    pub fn zero(params: &RiskParams) -> Self {
        RunningTotals {
            totals: Totals::zero(params),
            bucket_sum: Fp::zero(),
        }
    }

    /// Adds one batch.
    pub fn add(&mut self, totals: &Totals, bucket_sum: Fp) {
        self.totals.add(totals);
        self.bucket_sum += bucket_sum;
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
    pub after: RunningTotals,
}

/// The commitment `C` to the chain entries of `running` ([`chain_entries`]) with `blinding`
/// under `params`' statement tag.
pub fn commit_totals(params: &RiskParams, running: &RunningTotals, blinding: Fp) -> Fp {
    let entries = chain_entries(&running.totals, running.bucket_sum);
    totals_commitment(statement_tag(params), &entries, blinding)
}

/// The witnesses of a batch's real accounts (padding not included).
fn account_witnesses(
    params: &RiskParams,
    tree: &BatchTree,
    valuation: &BatchValuation,
) -> Vec<AccountWitness> {
    debug_assert_eq!(tree.keys.len(), valuation.risks.len());
    valuation
        .risks
        .iter()
        .zip(&tree.holdings)
        .zip(&tree.keys)
        .map(|((risk, holdings), key)| AccountWitness::new(params, risk, holdings, *key))
        .collect()
}

/// What a batch adds to the running bucket sum under the snapshot's challenges (padding adds 0).
pub fn batch_bucket_sum(
    params: &RiskParams,
    tree: &BatchTree,
    valuation: &BatchValuation,
    challenges: BucketChallenges,
) -> Fp {
    account_witnesses(params, tree, valuation)
        .iter()
        .fold(Fp::zero(), |acc, w| acc + w.bucket_term(challenges))
}

impl PreparedBatch {
    /// Prepares a batch of `batch_size` accounts (a power of two) in `shape`'s slots from
    /// `accounts` (at most that many; the rest is padding), given the running state before it,
    /// the snapshot's challenges and the two blindings. Fails if an account holds more than the
    /// slots. (The prover builds the halves for all batches in parallel and calls
    /// [`PreparedBatch::assemble`].)
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        params: Arc<RiskParams>,
        shape: SlotShape,
        batch_size: usize,
        accounts: &[AccountSlot],
        before: &RunningTotals,
        challenges: BucketChallenges,
        blinding_before: Fp,
        blinding_after: Fp,
    ) -> Result<Self, TooManyHoldings> {
        let tree = BatchTree::new(shape, batch_size, accounts)?;
        let valuation = BatchValuation::new(&params, accounts);
        Ok(Self::assemble(
            params,
            tree,
            &valuation,
            before,
            challenges,
            (blinding_before, blinding_after),
        ))
    }

    /// Joins a batch's tree and valuation (of the same accounts) into its witness and statement,
    /// given the running state before it, the snapshot's challenges and the two blindings
    /// `(before, after)`.
    pub fn assemble(
        params: Arc<RiskParams>,
        tree: BatchTree,
        valuation: &BatchValuation,
        before: &RunningTotals,
        challenges: BucketChallenges,
        blindings: (Fp, Fp),
    ) -> Self {
        let mut witnesses = account_witnesses(&params, &tree, valuation);
        let added = witnesses
            .iter()
            .fold(Fp::zero(), |acc, w| acc + w.bucket_term(challenges));
        let mut after = before.clone();
        after.add(&valuation.added, added);
        witnesses.resize(
            tree.batch_size,
            AccountWitness::padding(&params, tree.shape),
        );
        let statement = BatchStatement {
            statement_tag: statement_tag(&params),
            batch_root: tree.root,
            totals_before: commit_totals(&params, before, blindings.0),
            totals_after: commit_totals(&params, &after, blindings.1),
            challenges,
            prices: instrument_prices(&params),
        };
        let opening = TotalsOpening::new(
            (&before.totals, before.bucket_sum),
            (&after.totals, after.bucket_sum),
            blindings.0,
            blindings.1,
        );
        PreparedBatch {
            circuit: BatchCircuit::new(params, tree.shape, witnesses, opening),
            statement,
            leaves: tree.leaves,
            after,
        }
    }
}
