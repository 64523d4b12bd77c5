//! MockProver tests of the stress scenarios and the margin distribution (SPEC §7): an honest
//! stressed batch satisfies the circuit, and each lie about a scenario or a bucket fails the
//! constraint (gate, constraint and region by name) that forbids it.

mod common;

use marginproof_circuits::circuit::batch::PreparedBatch;
use marginproof_circuits::field::Fp;
use marginproof_circuits::model::buckets::totals_side;
use marginproof_circuits::model::totals::ACCOUNT_TOTALS;
use marginproof_circuits::model::{evaluate, evaluate_stress, MarginBucket, Status, StressRisk};

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

fn assert_lookup(failures: &[String], region: &str) {
    let found = failures
        .iter()
        .any(|f| f.starts_with("Lookup") && f.contains(&format!("('{region}')")));
    assert!(
        found,
        "expected a lookup to fail in `{region}`; got {failures:#?}"
    );
}

fn stressed_batch() -> PreparedBatch {
    let params = common::stressed_params();
    common::prepare(&params, 8, &common::mixed_slots(&params))
}

fn stress_of(slot: usize) -> StressRisk {
    let params = common::stressed_params();
    let record = &common::mixed_slots(&params)[slot].record;
    evaluate_stress(&params, record, &evaluate(&params, record))
}

#[test]
fn honest_stressed_batch_is_satisfied() {
    let params = common::stressed_params();
    // What the test accounts do under the scenarios and where their ratios fall.
    let statuses: Vec<Vec<Status>> = (0..4)
        .map(|i| stress_of(i).scenarios.iter().map(|r| r.status).collect())
        .collect();
    // Bob (1 BTC against 20k USDT) stays healthy in the crash; Carol's long perp loses more.
    assert_eq!(statuses[1], [Status::Healthy, Status::Healthy]);
    assert_eq!(statuses[2][0], Status::Bankrupt);
    let buckets: Vec<Option<MarginBucket>> = (0..4).map(|i| stress_of(i).bucket).collect();
    assert_eq!(buckets[0], Some(MarginBucket::NoRequirement));
    assert_eq!(buckets[1], Some(MarginBucket::Ratio(3)));
    let batch = stressed_batch();
    assert_eq!(failures(&batch), Vec::<String>::new());
    // Padding (4 of the 8) is counted nowhere.
    let d = batch
        .after
        .totals
        .distribution
        .as_ref()
        .expect("distribution");
    let counted: u32 = d
        .buckets
        .iter()
        .chain([&d.no_requirement])
        .map(|c| u32::try_from(c).expect("small"))
        .sum();
    assert_eq!(counted, 4);
    assert_eq!(params.scenarios.len(), batch.after.totals.scenarios.len());
}

#[test]
fn a_scenario_status_that_contradicts_the_numbers_fails() {
    let mut batch = stressed_batch();
    // Carol is bankrupt in the BTC crash: claim she is merely liquidatable.
    batch.circuit.tamper_account(2, |w| {
        let s = &mut w.scenarios[0].status;
        s.equity_negative = Fp::zero();
        s.liquidatable = Fp::one();
    });
    assert_constraint(
        &failures(&batch),
        "account status",
        "equity sign",
        "account",
    );

    // Bob is healthy under the de-peg: claim he is liquidatable.
    let mut batch = stressed_batch();
    batch
        .circuit
        .tamper_account(1, |w| w.scenarios[1].status.liquidatable = Fp::one());
    assert_constraint(
        &failures(&batch),
        "account status",
        "liquidatable",
        "account",
    );
}

#[test]
fn a_scenario_price_that_is_not_the_published_one_fails_the_lookup() {
    let mut batch = stressed_batch();
    // Value Alice's BTC at the base price in the crash scenario (a consistent valuation, at the
    // wrong price): the scenario row's lookup finds no such (kind, index, price) row.
    batch.circuit.tamper_account(0, |w| {
        let base = w.assets[0].clone();
        let a = &mut w.scenarios[0].assets[0];
        a.price = base.price;
        a.value = base.value;
        a.tier = base.tier;
    });
    assert_lookup(&failures(&batch), "account");
}

#[test]
fn a_scenario_valuation_off_its_price_fails_the_net_value() {
    let mut batch = stressed_batch();
    batch
        .circuit
        .tamper_account(1, |w| w.scenarios[0].assets[0].value += Fp::one());
    assert_constraint(
        &failures(&batch),
        "scenario asset slot",
        "net value",
        "account",
    );
}

#[test]
fn an_account_in_the_wrong_bucket_fails() {
    // Bob's ratio is above 3 (the top bucket): claim [1.0, 1.5) instead, with the edges of that
    // bucket (so the edge lookups pass) and a valid lower code.
    let mut batch = stressed_batch();
    batch.circuit.tamper_account(1, |w| {
        let d = w.distribution.as_mut().expect("distribution");
        d.bucket = Fp::one();
        d.lower_edge = Fp::from(1_000_000);
        d.upper_edge = Fp::from(1_500_000);
        d.has_lower = Fp::one();
        d.has_upper = Fp::one();
        d.upper_code = Fp::zero();
    });
    let f = failures(&batch);
    assert_constraint(&f, "margin bucket", "below the upper edge", "account");

    // An account with a requirement cannot claim to have none.
    let mut batch = stressed_batch();
    batch.circuit.tamper_account(1, |w| {
        let d = w.distribution.as_mut().expect("distribution");
        d.no_requirement = Fp::one();
        d.bucket = Fp::zero();
    });
    assert_constraint(
        &failures(&batch),
        "margin bucket",
        "zero flag is exact",
        "account",
    );

    // A bucket past the last is not in the edge table.
    let mut batch = stressed_batch();
    batch.circuit.tamper_account(1, |w| {
        let d = w.distribution.as_mut().expect("distribution");
        d.bucket = Fp::from(4);
        d.has_upper = Fp::zero();
        d.upper_edge = Fp::zero();
    });
    assert_lookup(&failures(&batch), "account");
}

#[test]
fn a_bucket_count_or_scenario_total_that_is_not_the_sum_fails() {
    let batch = stressed_batch();
    let c = common::test_challenges();
    let honest = &batch.after.totals;
    // The accounts' terms are the totals' side and the list of their distinct keys.
    let slots = common::mixed_slots(&common::stressed_params());
    let list = marginproof_circuits::model::distinct::list_side(c, &common::distinct_list(&slots));
    let totals_side = |t: &_, c| totals_side(t, c) + list;
    assert_eq!(totals_side(honest, c), batch.after.bucket_sum);
    // One account moved from one bucket to the next: the same number of accounts, another split.
    let mut moved = honest.clone();
    let d = moved.distribution.as_mut().expect("distribution");
    d.buckets[3] -= 1;
    d.buckets[2] += 1;
    assert_ne!(totals_side(&moved, c), batch.after.bucket_sum);
    // One more account with no requirement.
    let mut more = honest.clone();
    more.distribution
        .as_mut()
        .expect("distribution")
        .no_requirement += 1;
    assert_ne!(totals_side(&more, c), batch.after.bucket_sum);
    // A scenario's bad debt one ν lower, or its counts swapped between scenarios.
    let mut less = honest.clone();
    less.scenarios[0].bad_debt -= 1;
    assert_ne!(totals_side(&less, c), batch.after.bucket_sum);
    let mut swapped = honest.clone();
    swapped.scenarios.swap(0, 1);
    assert_ne!(swapped.scenarios, honest.scenarios);
    assert_ne!(totals_side(&swapped, c), batch.after.bucket_sum);

    // In the circuit: a claimed bucket sum that is not the accounts' terms breaks its running
    // total, and an account's outcome term at another scenario's weight breaks `scenario outcome`.
    let mut batch = stressed_batch();
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
