//! MockProver tests of the batch circuit: an honest witness satisfies it, and each lie a prover
//! could tell fails the constraint (by gate, constraint and region name) that forbids it.

mod common;

use marginproof_circuits::circuit::batch::PreparedBatch;
use marginproof_circuits::field::{fp_from_bigint, fp_from_u128, Fp};
use marginproof_circuits::hash::leaf;
use marginproof_circuits::hash::merkle::tree_root;
use marginproof_circuits::model::buckets::totals_side;
use marginproof_circuits::model::totals::ACCOUNT_TOTALS;
use marginproof_circuits::model::{evaluate, Holdings, SlotShape, Status};
use marginproof_circuits::statement::{BATCH_ROOT, TOTALS_BEFORE};
use num_bigint::BigInt;

use common::failures;

fn assert_constraint(failures: &[String], gate: &str, constraint: &str, region: &str) {
    let found = failures.iter().any(|f| {
        f.contains(&format!("('{constraint}') in gate"))
            && f.contains(&format!("('{gate}')"))
            && f.contains(&format!("('{region}')"))
    });
    assert!(
        found,
        "expected `{constraint}` of gate `{gate}` to fail in `{region}`; got {failures:#?}"
    );
}

fn assert_range_check(failures: &[String], what: &str) {
    let found = failures.iter().any(|f| {
        f.starts_with("Equality constraint") && f.contains(&format!("('range check: {what}')"))
    });
    assert!(
        found,
        "expected range check `{what}` to fail; got {failures:#?}"
    );
}

fn assert_lookup(failures: &[String], region: &str) {
    let found = failures
        .iter()
        .any(|f| f.starts_with("Lookup") && f.contains(&format!("('{region}')")));
    assert!(
        found,
        "expected a lookup to fail in `{region}`; got {failures:#?}"
    );
}

fn assert_public_input(failures: &[String], offset: usize) {
    let found = failures.iter().any(|f| {
        f.contains("Instance") && f.contains(&format!("outside any region, on row {offset})"))
    });
    assert!(
        found,
        "expected public input {offset} to mismatch; got {failures:#?}"
    );
}

fn mixed_batch() -> PreparedBatch {
    let params = common::params();
    common::prepare(&params, 4, &common::mixed_slots(&params))
}

#[test]
fn honest_batch_is_satisfied() {
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let statuses: Vec<Status> = slots
        .iter()
        .map(|s| evaluate(&params, &s.record).status)
        .collect();
    assert_eq!(
        statuses,
        [
            Status::Healthy,
            Status::Healthy,
            Status::Liquidatable,
            Status::Bankrupt
        ]
    );
    assert_eq!(
        failures(&common::prepare(&params, 4, &slots)),
        Vec::<String>::new()
    );
}

#[test]
fn padding_only_batch_is_satisfied() {
    let params = common::params();
    assert_eq!(
        failures(&common::prepare(&params, 2, &[])),
        Vec::<String>::new()
    );
}

#[test]
fn negative_balance_fails_its_range_check() {
    let mut batch = mixed_batch();
    // b = −1 (the field element p − 1), with the net code and value kept consistent with it.
    batch
        .circuit
        .tamper_account(0, |w| w.assets[1].balance = -Fp::one());
    assert_range_check(&failures(&batch), "asset slot 1 balance");
}

#[test]
fn over_range_quantity_fails_its_range_check() {
    let mut batch = mixed_batch();
    let two_64 = fp_from_bigint(&(BigInt::from(1) << 64));
    batch.circuit.tamper_account(1, |w| {
        w.assets[1].debt = two_64;
        w.assets[1].code = two_64 - Fp::one();
    });
    assert_range_check(&failures(&batch), "asset slot 1 debt");
}

#[test]
fn wrong_net_value_fails() {
    let mut batch = mixed_batch();
    batch
        .circuit
        .tamper_account(0, |w| w.assets[0].value += Fp::one());
    assert_constraint(&failures(&batch), "asset slot", "net value", "account");
}

#[test]
fn wrong_net_sign_fails() {
    let mut batch = mixed_batch();
    // Bob owes USDT: claim the net is positive with the same magnitude.
    batch
        .circuit
        .tamper_account(1, |w| w.assets[1].negative = Fp::zero());
    assert_constraint(&failures(&batch), "asset slot", "net quantity", "account");
}

#[test]
fn wrong_tier_choice_fails_the_tier_range() {
    let mut batch = mixed_batch();
    // Alice holds 1 BTC = 50,000 USD, in the first haircut tier (100%). Claim the second tier
    // (90%, from 100,000 USD): its parameters are a real table row, but x is below its lower bound.
    let params = common::params();
    let second = &params.assets[0].haircut.tiers()[1];
    batch.circuit.tamper_account(0, |w| {
        let x = w.assets[0].value;
        let t = &mut w.assets[0].tier;
        t.lower = fp_from_u128(second.lower);
        t.max_offset = fp_from_u128(second.max_offset);
        t.base = fp_from_bigint(&second.base);
        t.rate = Fp::from(u64::from(second.rate));
        t.offset = x - t.lower;
        t.room = t.max_offset - t.offset;
        t.value = t.base + t.rate * t.offset;
    });
    assert_range_check(&failures(&batch), "asset slot 0 tier offset");
}

#[test]
fn tier_parameters_not_in_the_table_fail_the_lookup() {
    let mut batch = mixed_batch();
    // A made-up rate of 100% on the whole 90% tier's span is not a row of BTC's table.
    batch.circuit.tamper_account(0, |w| {
        let t = &mut w.assets[0].tier;
        t.rate = Fp::from(1_100_000);
        t.value = t.base + t.rate * t.offset;
    });
    assert_lookup(&failures(&batch), "tiered rate: asset slot 0");
}

#[test]
fn tiered_value_must_follow_the_tier() {
    let mut batch = mixed_batch();
    batch
        .circuit
        .tamper_account(0, |w| w.assets[0].tier.value += Fp::one());
    assert_constraint(
        &failures(&batch),
        "tiered rate",
        "tier value",
        "tiered rate: asset slot 0",
    );
}

#[test]
fn liquidatable_account_claimed_healthy_fails() {
    let mut batch = mixed_batch();
    // Carol (slot 2) is liquidatable: claim she is not.
    batch
        .circuit
        .tamper_account(2, |w| w.status.liquidatable = Fp::zero());
    assert_constraint(
        &failures(&batch),
        "account status",
        "liquidatable",
        "account",
    );
}

#[test]
fn liquidatable_account_with_a_forged_margin_sign_fails() {
    let mut batch = mixed_batch();
    // Claim AE·RS − θ·MR ≥ 0 for Carol by dropping the sign: the code is then negative.
    batch.circuit.tamper_account(2, |w| {
        let s = &mut w.status;
        let d = s.margin_code - s.margin_negative * (s.margin_code + s.margin_code + Fp::one());
        s.margin_negative = Fp::zero();
        s.margin_code = d;
        s.liquidatable = Fp::zero();
    });
    assert_range_check(&failures(&batch), "margin code");
}

#[test]
fn bankrupt_account_claimed_liquidatable_fails() {
    let mut batch = mixed_batch();
    // Dave (slot 3) is bankrupt: claim E ≥ 0 and liquidatable instead.
    batch.circuit.tamper_account(3, |w| {
        let s = &mut w.status;
        let e = s.equity_code - s.equity_negative * (s.equity_code + s.equity_code + Fp::one());
        s.equity_negative = Fp::zero();
        s.equity_code = e;
        s.liquidatable = Fp::one();
    });
    let f = failures(&batch);
    assert_range_check(&f, "equity code");
    // And the published count of bankrupt accounts no longer adds up.
    assert_constraint(
        &f,
        "running total",
        "running total",
        "running total: bankrupt",
    );
}

#[test]
fn bankrupt_flag_cannot_be_dropped() {
    let mut batch = mixed_batch();
    batch
        .circuit
        .tamper_account(3, |w| w.status.equity_negative = Fp::zero());
    assert_constraint(
        &failures(&batch),
        "account status",
        "equity sign",
        "account",
    );
}

#[test]
fn real_account_cannot_pose_as_padding() {
    let mut batch = mixed_batch();
    batch.circuit.tamper_account(0, |w| w.is_real = Fp::zero());
    assert_constraint(
        &failures(&batch),
        "account identity",
        "real iff id is nonzero",
        "account",
    );
}

#[test]
fn wrong_bucket_sum_fails_its_running_total() {
    let mut batch = mixed_batch();
    // Claim a bucket sum after the batch other than the sum of its accounts' terms (what a
    // prover would need to publish other instrument totals): the running total breaks.
    batch
        .circuit
        .tamper_totals(|o| o.after[ACCOUNT_TOTALS] += Fp::one());
    assert_constraint(
        &failures(&batch),
        "running total",
        "running total",
        "running total: bucket sum",
    );
}

/// The verifier's side of the identity: the chained bucket sum is the published totals' side
/// only for the true totals. One atom more BTC balance, or one atom moved from BTC debt to USDT
/// debt (the same grand sum, another split), gives another side, so the last commitment does not
/// open to those totals.
#[test]
fn totals_moved_between_assets_fail_the_bucket_identity() {
    let batch = mixed_batch();
    let c = common::test_challenges();
    let honest = &batch.after.totals;
    // The accounts' terms are the totals' side and the list of their distinct keys.
    let keys = common::distinct_list(&common::mixed_slots(&common::params()));
    let list = marginproof_circuits::model::distinct::list_side(c, &keys);
    assert_eq!(totals_side(honest, c) + list, batch.after.bucket_sum);
    let totals_side = |t: &_, c| totals_side(t, c) + list;
    let mut more = honest.clone();
    more.assets[0].balance += 1;
    assert_ne!(totals_side(&more, c), batch.after.bucket_sum);
    let mut moved = honest.clone();
    moved.assets[0].debt += 1;
    moved.assets[1].debt -= 1;
    assert_ne!(totals_side(&moved, c), batch.after.bucket_sum);
    let mut market = honest.clone();
    market.markets[0].open_interest += 1;
    assert_ne!(totals_side(&market, c), batch.after.bucket_sum);
}

#[test]
fn wrong_account_count_fails_its_running_total() {
    let mut batch = mixed_batch();
    batch.circuit.tamper_totals(|o| o.after[0] += Fp::one());
    assert_constraint(
        &failures(&batch),
        "running total",
        "running total",
        "running total: accounts",
    );
}

#[test]
fn an_asset_held_twice_fails_the_slot_order() {
    let mut batch = mixed_batch();
    // Alice's second slot (empty) claims BTC again: splitting one holding in two would lower
    // its haircut under the concave table.
    batch.circuit.tamper_account(0, |w| {
        let mut again = w.assets[0].clone();
        again.gap = Fp::zero();
        w.assets[1] = again;
    });
    assert_constraint(
        &failures(&batch),
        "slot order",
        "held slots in index order",
        "account",
    );
}

#[test]
fn a_held_slot_after_an_empty_one_fails_the_slot_order() {
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let mut batch = common::prepare(&params, 4, &slots);
    // Alice's BTC in slot 1 behind an empty slot 0.
    batch.circuit.tamper_account(0, |w| w.assets.swap(0, 1));
    assert_constraint(
        &failures(&batch),
        "slot order",
        "empty slots last",
        "account",
    );
}

#[test]
fn a_held_slot_cannot_claim_to_be_empty() {
    let mut batch = mixed_batch();
    batch
        .circuit
        .tamper_account(0, |w| w.assets[0].empty = Fp::one());
    assert_constraint(
        &failures(&batch),
        "asset slot",
        "empty slot holds nothing",
        "account",
    );
}

#[test]
fn a_price_that_is_not_the_published_one_fails_the_instrument_lookup() {
    let mut batch = mixed_batch();
    batch.circuit.tamper_account(0, |w| {
        let a = &mut w.assets[0];
        a.price += Fp::one();
        a.value = (a.code + a.negative) * a.price;
    });
    assert_lookup(&failures(&batch), "account");
}

#[test]
fn an_asset_slot_cannot_use_a_market_index() {
    let mut batch = mixed_batch();
    // Index 256 + 0 would be the market BTC-PERP's pole; as an asset it is not in the table.
    batch
        .circuit
        .tamper_account(0, |w| w.assets[0].index = Fp::from(256));
    assert_lookup(&failures(&batch), "account");
}

#[test]
fn totals_before_must_open_the_previous_commitment() {
    let mut batch = mixed_batch();
    batch.circuit.tamper_totals(|o| o.before[1] += Fp::one());
    assert_public_input(&failures(&batch), TOTALS_BEFORE);
}

#[test]
fn leaf_that_does_not_match_the_record_fails() {
    // The published batch root commits to a record with one more atom of BTC than the proven one.
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let mut batch = common::prepare(&params, 4, &slots);
    let mut lying = slots[0].record.clone();
    lying.balances[0] += 1;
    let mut leaves = batch.leaves.clone();
    let holdings = Holdings::of(&lying, SlotShape::dense(&params)).expect("fits");
    leaves[0] = leaf(
        batch.circuit.class().code(),
        slots[0].id_hash,
        slots[0].salt,
        &holdings,
    );
    batch.statement.batch_root = tree_root(leaves);
    assert_public_input(&failures(&batch), BATCH_ROOT);
}
