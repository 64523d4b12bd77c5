//! Everything one batch proof needs, computed natively from its records: the witness, the public
//! statement, and the totals after it.

use std::sync::Arc;

use crate::circuit::witness::{AccountIdentity, AccountWitness, TotalsOpening};
use crate::circuit::BatchCircuit;
use crate::config::RiskParams;
use crate::field::Fp;
use crate::hash::merkle::tree_root;
use crate::hash::{distinct_commitment, distinct_key, leaf, statement_tag, totals_commitment};
use crate::model::buckets::BucketChallenges;
use crate::model::holdings::{Holdings, TooManyHoldings};
use crate::model::totals::chain_entries;
use crate::model::{evaluate, AccountRecord, Totals};
use crate::statement::{instrument_prices, BatchStatement, SizeClass};

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

/// What a batch takes from the venue's secret besides its accounts' salts: a salt for each
/// padding leaf, the snapshot's distinct-key secret `k`, and the blindings of the commitments
/// before and after it.
#[derive(Debug, Clone)]
pub struct BatchSecrets {
    /// One salt per padding leaf, in leaf order (at least the batch's padding count).
    pub padding_salts: Vec<Fp>,
    /// `k` ([`crate::model::distinct`]).
    pub distinct_secret: Fp,
    /// Blinding of `C_i`.
    pub blinding_before: Fp,
    /// Blinding of `C_{i+1}`.
    pub blinding_after: Fp,
}

/// A batch's leaves and tree: each leaf's identity (real accounts, then padding) and each real
/// account's holdings in the slots, the leaves and the batch root. The hashing half of preparing
/// a batch, independent of every other batch ([`BatchValuation`] is the valuation half;
/// [`PreparedBatch::assemble`] joins them).
#[derive(Debug, Clone)]
pub struct BatchTree {
    /// The batch's size class.
    pub class: SizeClass,
    /// Each real account's holdings in the class's slots.
    pub holdings: Vec<Holdings>,
    /// Each leaf's `id_hash`, salt and distinct key: the real accounts, then the padding.
    pub identities: Vec<AccountIdentity>,
    /// The leaves, padding included (the batch tree's level 0).
    pub leaves: Vec<Fp>,
    /// The batch root.
    pub root: Fp,
}

impl BatchTree {
    /// The tree of a batch of `class` from `accounts` (at most its batch size; the rest is padding
    /// with `padding_salts`), their distinct keys under `k`. Fails if an account holds more than
    /// the slots.
    pub fn new(
        class: SizeClass,
        accounts: &[AccountSlot],
        padding_salts: &[Fp],
        k: Fp,
    ) -> Result<Self, TooManyHoldings> {
        let batch_size = class.batch_size;
        debug_assert!(batch_size.is_power_of_two() && accounts.len() <= batch_size);
        debug_assert!(padding_salts.len() + accounts.len() >= batch_size);
        let holdings = accounts
            .iter()
            .map(|slot| Holdings::of(&slot.record, class.slots))
            .collect::<Result<Vec<_>, _>>()?;
        let padding = batch_size - accounts.len();
        let identities: Vec<AccountIdentity> = accounts
            .iter()
            .map(|slot| (slot.id_hash, slot.salt))
            .chain(padding_salts.iter().take(padding).map(|s| (Fp::zero(), *s)))
            .map(|(id_hash, salt)| AccountIdentity {
                id_hash,
                salt,
                distinct_key: distinct_key(id_hash, k),
            })
            .collect();
        let empty = Holdings::empty(class.slots);
        let leaves: Vec<Fp> = identities
            .iter()
            .zip(holdings.iter().chain(std::iter::repeat(&empty)))
            .map(|(who, h)| leaf(class.code(), who.id_hash, who.salt, h))
            .collect();
        let root = tree_root(leaves.clone());
        Ok(BatchTree {
            class,
            holdings,
            identities,
            leaves,
            root,
        })
    }

    /// The distinct keys of the batch's real accounts.
    pub fn distinct_keys(&self) -> impl Iterator<Item = Fp> + '_ {
        self.identities[..self.holdings.len()]
            .iter()
            .map(|who| who.distinct_key)
    }
}

/// A batch's valuation under the risk model: each real account's witness, built once from its
/// [`crate::model::AccountRisk`] and its tree's holdings and identity, and what the batch adds
/// to the running totals. Independent of every other batch, so batches are valued in parallel
/// and their running totals summed afterwards; the bucket sum ([`BatchValuation::bucket_sum`])
/// and the circuit ([`PreparedBatch::assemble`]) read the same witnesses.
#[derive(Debug, Clone)]
pub struct BatchValuation {
    /// Each real account's witness (padding not included).
    pub witnesses: Vec<AccountWitness>,
    /// The sum of the accounts' contributions to the totals.
    pub added: Totals,
}

impl BatchValuation {
    /// Values `accounts` under `params`, laid out in `tree` (the same accounts, in order).
    pub fn new(params: &RiskParams, accounts: &[AccountSlot], tree: &BatchTree) -> Self {
        debug_assert_eq!(tree.holdings.len(), accounts.len());
        let mut added = Totals::zero(params);
        let witnesses = accounts
            .iter()
            .zip(&tree.holdings)
            .zip(&tree.identities)
            .map(|((slot, holdings), who)| {
                let risk = evaluate(params, &slot.record);
                added.add(&Totals::of_account(params, &slot.record, &risk, true));
                AccountWitness::new(params, &risk, holdings, *who)
            })
            .collect();
        BatchValuation { witnesses, added }
    }

    /// What the batch adds to the running bucket sum under the snapshot's challenges (padding
    /// adds 0).
    pub fn bucket_sum(&self, challenges: BucketChallenges) -> Fp {
        self.witnesses
            .iter()
            .fold(Fp::zero(), |acc, w| acc + w.bucket_term(challenges))
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

impl PreparedBatch {
    /// Prepares a batch of `class` from `accounts` (at most its batch size; the rest is
    /// padding), given the running state before it, the snapshot's challenges and the batch's
    /// secrets. Fails if an account holds more than the slots. (The prover builds the halves for
    /// all batches in parallel and calls [`PreparedBatch::assemble`].)
    pub fn new(
        params: Arc<RiskParams>,
        class: SizeClass,
        accounts: &[AccountSlot],
        before: &RunningTotals,
        challenges: BucketChallenges,
        secrets: &BatchSecrets,
    ) -> Result<Self, TooManyHoldings> {
        let tree = BatchTree::new(
            class,
            accounts,
            &secrets.padding_salts,
            secrets.distinct_secret,
        )?;
        let valuation = BatchValuation::new(&params, accounts, &tree);
        let bucket_sum = valuation.bucket_sum(challenges);
        Ok(Self::assemble(
            params, tree, valuation, bucket_sum, before, challenges, secrets,
        ))
    }

    /// Joins a batch's tree and valuation (of the same accounts; its witnesses are moved into
    /// the circuit, not built again) into its circuit and statement, given its bucket sum
    /// ([`BatchValuation::bucket_sum`] under `challenges`), the running state before it, the
    /// snapshot's challenges and the batch's secrets.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble(
        params: Arc<RiskParams>,
        tree: BatchTree,
        valuation: BatchValuation,
        bucket_sum: Fp,
        before: &RunningTotals,
        challenges: BucketChallenges,
        secrets: &BatchSecrets,
    ) -> Self {
        let BatchValuation {
            mut witnesses,
            added,
        } = valuation;
        let mut after = before.clone();
        after.add(&added, bucket_sum);
        let padding = tree.identities[witnesses.len()..].to_vec();
        for who in padding {
            witnesses.push(AccountWitness::padding(
                &params,
                tree.class.slots,
                who.salt,
                secrets.distinct_secret,
            ));
        }
        let statement = BatchStatement {
            statement_tag: statement_tag(&params),
            batch_root: tree.root,
            totals_before: commit_totals(&params, before, secrets.blinding_before),
            totals_after: commit_totals(&params, &after, secrets.blinding_after),
            challenges,
            class_code: tree.class.code(),
            distinct_commitment: distinct_commitment(secrets.distinct_secret),
            prices: instrument_prices(&params),
        };
        let opening = TotalsOpening::new(
            (&before.totals, before.bucket_sum),
            (&after.totals, after.bucket_sum),
            secrets.blinding_before,
            secrets.blinding_after,
        );
        PreparedBatch {
            circuit: BatchCircuit::new(
                params,
                tree.class.slots,
                witnesses,
                opening,
                secrets.distinct_secret,
            ),
            statement,
            leaves: tree.leaves,
            after,
        }
    }
}
