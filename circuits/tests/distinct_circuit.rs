//! SPEC §3 version 3 in the batch circuit: every leaf's distinct key is `Poseidon(id_hash, k)` for
//! the `k` that opens the public `K`, its term is `γ·is_real/(r − u)`, a leaf's hash domain is its
//! size class, the statement names the class, and padding leaves are not public constants.
//! Each negative test changes one witness or public input and asserts the failure it must cause.

mod common;

use halo2_proofs::dev::{MockProver, VerifyFailure};
use marginproof_circuits::circuit::batch::PreparedBatch;
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::merkle::tree_root;
use marginproof_circuits::hash::{distinct_key, leaf, leaf_words, public_padding_leaf};
use marginproof_circuits::model::holdings::{AssetHolding, PositionHolding};
use marginproof_circuits::model::{AccountRecord, Holdings, MarginMode, Position, SlotShape};
use marginproof_circuits::statement::{SizeClass, BATCH_ROOT, CLASS_CODE, DISTINCT_COMMITMENT};
use num_bigint::BigInt;

fn failures(batch: &PreparedBatch) -> Vec<VerifyFailure> {
    let k = min_k(&batch.circuit).expect("layout");
    let prover =
        MockProver::run(k, &batch.circuit, vec![batch.statement.instance()]).expect("synthesis");
    prover.verify().err().unwrap_or_default()
}

fn text(failures: &[VerifyFailure]) -> Vec<String> {
    failures.iter().map(ToString::to_string).collect()
}

fn mixed_batch() -> PreparedBatch {
    let params = common::params();
    common::prepare(&params, 4, &common::mixed_slots(&params))
}

/// The public input at `offset` is the only thing that fails: the copy between the instance
/// cell there and the cell the circuit computed it in (the last row of a hash's `permute state`).
fn only_public_input(failures: &[VerifyFailure], offset: usize) {
    assert_eq!(failures.len(), 2, "{:#?}", text(failures));
    assert!(
        has(
            failures,
            &["Instance", &format!("outside any region, on row {offset})")]
        ),
        "{:#?}",
        text(failures)
    );
    assert!(has(failures, &["Equality constraint", "('permute state')"]));
}

#[test]
fn honest_batch_with_distinct_keys_is_satisfied() {
    assert_eq!(text(&failures(&mixed_batch())), Vec::<String>::new());
}

/// The failures' texts, each reduced to what names it: the kind, the gate or region, the column.
fn has(failures: &[VerifyFailure], pattern: &[&str]) -> bool {
    text(failures)
        .iter()
        .any(|f| pattern.iter().all(|p| f.contains(p)))
}

/// A distinct key other than `Poseidon(id_hash, k)` (what a venue would need to give a copy of an
/// account a second key) breaks the copy that binds the identity row's `u` (column 6 of the
/// `account` region, row 0) to the distinct-key chip's output (the last row of its `permute
/// state`); the term it adds to `bk` then differs from the honest one, so the batch's bucket sum
/// is not the one the opening claims. Nothing else fails.
#[test]
fn a_distinct_key_that_is_not_the_prf_of_the_id_fails_its_binding() {
    let mut batch = mixed_batch();
    batch
        .circuit
        .tamper_account(1, |w| w.distinct_key += Fp::one());
    let failures = failures(&batch);
    assert_eq!(failures.len(), 3, "{:#?}", text(&failures));
    assert!(has(
        &failures,
        &[
            "Equality constraint",
            "index: 6 }",
            "('account') at offset 0"
        ]
    ));
    assert!(has(
        &failures,
        &["Equality constraint", "('permute state')"]
    ));
    assert!(has(
        &failures,
        &["('running total')", "('running total: bucket sum')"]
    ));
}

/// Another `k` than the one that opens `K` (a venue choosing the secret per batch, so that a
/// copy in another batch gets another key): the commitment the circuit computes from it is not
/// the public `K` (instance row [`DISTINCT_COMMITMENT`] against the commitment's `permute state`
/// output); the accounts' keys and terms follow the new `k`, so the bucket sum moves too.
#[test]
fn a_batch_proven_under_another_secret_fails_the_public_commitment() {
    let mut batch = mixed_batch();
    let other = Fp::from(common::TEST_DISTINCT_SECRET + 1);
    batch.circuit.tamper_distinct_secret(other);
    // Keep every account's key consistent with the new secret, so only K can fail.
    for j in 0..4 {
        batch.circuit.tamper_account(j, |w| {
            w.distinct_key = distinct_key(w.id_hash, other);
        });
    }
    let failures = failures(&batch);
    assert_eq!(failures.len(), 3, "{:#?}", text(&failures));
    assert!(has(
        &failures,
        &[
            "Instance",
            &format!("outside any region, on row {DISTINCT_COMMITMENT})")
        ]
    ));
    assert!(has(
        &failures,
        &["Equality constraint", "('permute state')"]
    ));
    assert!(has(&failures, &["('running total: bucket sum')"]));
}

/// The statement names another class than the circuit's: the class code copied from instance
/// row [`CLASS_CODE`] into the `public inputs` region (column 4) is not the circuit's constant.
/// Nothing else fails.
#[test]
fn a_statement_naming_another_class_fails() {
    let mut batch = mixed_batch();
    batch.statement.class_code += 1;
    let honest = mixed_batch().statement.instance();
    assert_ne!(batch.statement.instance()[CLASS_CODE], honest[CLASS_CODE]);
    let failures = failures(&batch);
    assert_eq!(failures.len(), 2, "{:#?}", text(&failures));
    assert!(has(
        &failures,
        &[
            "Equality constraint",
            "index: 4 }",
            "('public inputs') at offset 0"
        ]
    ));
    assert!(has(&failures, &["Equality constraint", "Fixed"]));
}

/// A padding slot (id_hash 0) cannot add a distinct-key term: claiming `is_real = 1` for it
/// fails `real iff id is nonzero`.
#[test]
fn padding_cannot_claim_a_distinct_key_term() {
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let mut batch = common::prepare(&params, 8, &slots[..3]);
    batch.circuit.tamper_account(5, |w| w.is_real = Fp::one());
    let failures = failures(&batch);
    assert!(
        has(
            &failures,
            &[
                "('real iff id is nonzero')",
                "('account identity')",
                "('account')"
            ]
        ),
        "{:#?}",
        text(&failures)
    );
}

/// Finding 1 of the review (2026-12-07): an asset word and a position word with both signs 0 and
/// a cost below 2^64 have the same bits, so the words `[asset(0, b, 0), position(1, x, y)]` were
/// one leaf both as 1 asset × 1 position and as 2 assets × 0 positions (on c26d831
/// `LeafHasher::hash` took no shape). Now the class is the leaf's capacity: the two readings are
/// two leaves, and a batch proven in the other class cannot claim the first one's root.
#[test]
fn one_set_of_words_is_two_leaves_under_two_shapes() {
    let params = common::params();
    let one_by_one = SizeClass {
        slots: SlotShape::standard(1, 1),
        batch_size: 4,
    };
    let two_by_zero = SizeClass {
        slots: SlotShape::standard(2, 0),
        batch_size: 4,
    };
    // As 1 × 1: asset 0 with balance 5, position in market 1 of size 3 and cost 7 ν.
    let as_position = Holdings {
        assets: vec![AssetHolding {
            index: 0,
            balance: 5,
            debt: 0,
        }],
        positions: vec![PositionHolding {
            index: 1,
            position: Position {
                size: 3,
                cost: BigInt::from(7),
            },
        }],
        mode: MarginMode::Standard,
    };
    // As 2 × 0: asset 0 with balance 5, asset 1 with balance 3 and debt 7.
    let mut as_assets = AccountRecord::empty("two-shapes", &params);
    as_assets.balances[0] = 5;
    as_assets.balances[1] = 3;
    as_assets.debts[1] = 7;
    let reread = Holdings::of(&as_assets, two_by_zero.slots).expect("fits 2 × 0");
    let slot = common::slot(as_assets);
    let (id, salt) = (slot.id_hash, slot.salt);
    assert_eq!(
        leaf_words(id, salt, &as_position),
        leaf_words(id, salt, &reread),
        "the words are the same bits under both shapes"
    );
    let first = leaf(one_by_one.code(), id, salt, &as_position);
    assert_ne!(
        first,
        leaf(two_by_zero.code(), id, salt, &reread),
        "but not the same leaf"
    );

    // Proven as 2 × 0 but claiming the root of the 1 × 1 batch of the same words (with the same
    // padding): only the root public input fails.
    let mut other = common::prepare_in(&params, two_by_zero.slots, 4, &[slot]);
    let mut leaves = other.leaves.clone();
    leaves[0] = first;
    other.statement.batch_root = tree_root(leaves);
    only_public_input(&failures(&other), BATCH_ROOT);
}

/// Padding leaves are not public constants (SPEC §9): a batch's padding leaf is neither the
/// class's public padding leaf nor the same at two places.
#[test]
fn padding_leaves_are_not_public_constants() {
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let batch = common::prepare(&params, 8, &slots[..3]);
    let class = batch.circuit.class();
    let public = public_padding_leaf(class.code(), class.slots);
    let padding = &batch.leaves[3..];
    assert!(padding.iter().all(|l| *l != public));
    assert_ne!(padding[0], padding[1]);
    assert_eq!(text(&failures(&batch)), Vec::<String>::new());
}
