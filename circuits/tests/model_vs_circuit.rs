//! Property: for random records (tier boundaries, AE·RS = θ·MR exactly, 2^64 − 1 atoms, bankrupt
//! and empty accounts among them), the native model and the circuit agree: the witness the model
//! produces satisfies the circuit, the published root and totals commitments (computed natively)
//! equal the circuit's, and a status other than the model's is refused. The same under stress
//! scenarios and a margin-ratio distribution (SPEC §7), with accounts exactly on every edge
//! (AE·RS = e·MR) and accounts with MR = 0.

mod common;

use halo2_proofs::dev::MockProver;
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::field::Fp;
use marginproof_circuits::model::buckets::totals_side;
use marginproof_circuits::model::risk::{
    adjusted_equity, borrow_requirement, haircut_collateral, maintenance_requirement, margin_test,
    net_value, position_requirement, raw_equity, status, unrealized_pnl,
};
use marginproof_circuits::model::SlotShape;
use marginproof_circuits::model::{
    evaluate, evaluate_stress, AccountRecord, MarginBucket, Position, Status,
};
use marginproof_circuits::RiskParams;
use num_bigint::BigInt;
use num_traits::Zero;
use proptest::prelude::*;

/// BTC atoms worth exactly the haircut boundaries (100,000 and 500,000 USD at 50,000 USD).
const BTC_AT_BOUNDARIES: [u64; 2] = [200_000_000, 1_000_000_000];

fn quantity() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1u64),
        Just(u64::MAX),
        Just(BTC_AT_BOUNDARIES[0]),
        Just(BTC_AT_BOUNDARIES[0] - 1),
        Just(BTC_AT_BOUNDARIES[1]),
        0u64..5_000_000_000,
        any::<u64>(),
    ]
}

fn size() -> impl Strategy<Value = i128> {
    prop_oneof![
        Just(0i128),
        Just(1i128),
        Just(-1i128),
        Just(u64::MAX as i128),
        Just(-(u64::MAX as i128)),
        -1_000_000i128..1_000_000,
    ]
}

fn cost() -> impl Strategy<Value = BigInt> {
    let max: BigInt = (BigInt::from(1) << 128u32) - 1;
    prop_oneof![
        Just(BigInt::zero()),
        Just(max.clone()),
        Just(-max),
        any::<i128>().prop_map(BigInt::from),
        (-100_000i64..100_000).prop_map(|usd| BigInt::from(usd) * BigInt::from(10u64).pow(18)),
    ]
}

/// An account with BTC debt against USDT collateral whose adjusted equity is exactly θ·MR/RS:
/// AE = 0.99·u − v and MR = 0.05·v, so AE = MR when u = 35/33·v, i.e. 33t BTC atoms owed
/// against 17,500t USDT atoms.
fn at_threshold(params: &RiskParams, id: &str, t: u64) -> AccountRecord {
    common::record(params, id, [0, 17_500 * t], [33 * t, 0], 0, 0)
}

/// An account whose base margin ratio is exactly `edge` (one of the stressed configuration's
/// edges 1.0, 1.5, 3): USDT collateral `u` against BTC debt `v`, AE = 0.99·u − v and
/// MR = 0.05·v, so AE = e·MR when u = v·(1 + 0.05e)/0.99: 99k BTC atoms owed against 52,500k,
/// 53,750k or 57,500k USDT atoms.
fn at_edge(params: &RiskParams, id: &str, edge: usize, k: u64) -> AccountRecord {
    let usdt = [52_500, 53_750, 57_500][edge];
    common::record(params, id, [0, usdt * k], [99 * k, 0], 0, 0)
}

/// Records for the stressed configuration: random ones, ones exactly on each edge, spot-only
/// ones (MR = 0) and empty ones.
fn stressed_account(params: &RiskParams, id: String) -> impl Strategy<Value = AccountRecord> {
    let (p1, p2, p3) = (params.clone(), params.clone(), params.clone());
    let (id1, id2) = (id.clone(), id.clone());
    prop_oneof![
        3 => account(params, id),
        2 => (0usize..3, 1u64..10_000).prop_map(move |(e, k)| at_edge(&p1, &id1, e, k)),
        1 => quantity().prop_map(move |b| common::record(&p2, &id2, [b, b / 3], [0, 0], 0, 0)),
        1 => Just(AccountRecord::empty("empty", &p3)),
    ]
}

fn account(params: &RiskParams, id: String) -> impl Strategy<Value = AccountRecord> {
    let p1 = params.clone();
    let p2 = params.clone();
    let p3 = params.clone();
    let id1 = id.clone();
    let id2 = id.clone();
    prop_oneof![
        3 => (quantity(), quantity(), quantity(), quantity(), size(), cost()).prop_map(move |(b0, b1, l0, l1, s, c)| {
            let mut r = AccountRecord::empty(id.clone(), &p1);
            r.balances = vec![b0, b1];
            r.debts = vec![l0, l1];
            r.positions = vec![Position { size: s, cost: c }];
            r
        }),
        1 => (1u64..1_000_000).prop_map(move |t| at_threshold(&p2, &id1, t)),
        1 => Just(AccountRecord::empty(id2, &p3)),
    ]
}

/// The model's status and values by the one-formula-per-function API, independently of
/// `evaluate`, for cross-checking it.
fn by_formulas(params: &RiskParams, r: &AccountRecord) -> (BigInt, BigInt, BigInt, Status) {
    let mut collateral = vec![];
    let mut values = vec![];
    let mut borrow = vec![];
    for (i, a) in params.assets.iter().enumerate() {
        let v = net_value(r.balances[i], r.debts[i], a.price);
        collateral.push(haircut_collateral(&v, &a.haircut));
        borrow.push(borrow_requirement(&v, &a.maintenance));
        values.push(v);
    }
    let pnl: Vec<BigInt> = params
        .markets
        .iter()
        .zip(&r.positions)
        .map(|(m, p)| unrealized_pnl(p, m.mark_price))
        .collect();
    let req: Vec<BigInt> = params
        .markets
        .iter()
        .zip(&r.positions)
        .map(|(m, p)| position_requirement(p, m))
        .collect();
    let ae = adjusted_equity(&collateral, &pnl);
    let e = raw_equity(&values, &pnl);
    let mr = maintenance_requirement(&borrow, &req);
    let st = status(&e, &ae, &mr, params.threshold_ppm);
    (ae, e, mr, st)
}

#[test]
fn threshold_accounts_are_exactly_on_the_threshold() {
    let params = common::params();
    for t in [1, 7, 999_999] {
        let risk = evaluate(&params, &at_threshold(&params, "edge", t));
        assert!(
            risk.margin_test.is_zero(),
            "AE·RS − θ·MR = {}",
            risk.margin_test
        );
        assert_eq!(risk.status, Status::Healthy);
        assert_eq!(
            margin_test(
                &risk.adjusted_equity,
                &risk.maintenance,
                params.threshold_ppm
            ),
            BigInt::zero()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn model_and_circuit_agree(
        records in {
            let params = common::params();
            (account(&params, "p0".into()), account(&params, "p1".into()), account(&params, "p2".into()), account(&params, "p3".into()))
        },
        lie_slot in 0usize..4,
    ) {
        let params = common::params();
        let records = [records.0, records.1, records.2, records.3];
        for r in &records {
            let risk = evaluate(&params, r);
            let (ae, e, mr, st) = by_formulas(&params, r);
            prop_assert_eq!(&risk.adjusted_equity, &ae);
            prop_assert_eq!(&risk.equity, &e);
            prop_assert_eq!(&risk.maintenance, &mr);
            prop_assert_eq!(risk.status, st);
            for (i, a) in params.assets.iter().enumerate() {
                let table = if risk.assets[i].net_negative { &a.maintenance } else { &a.haircut };
                prop_assert_eq!(&risk.assets[i].tier.value, &table.scaled_by_definition(risk.assets[i].value));
            }
        }
        let slots: Vec<_> = records.iter().cloned().map(common::slot).collect();
        // The tightest slot shape for these records: sparse whenever some asset is unheld.
        let shape = SlotShape::covering(&records);
        let batch = common::prepare_in(&params, shape, 4, &slots);
        let k = min_k(&batch.circuit).unwrap();
        let honest = MockProver::run(k, &batch.circuit, vec![batch.statement.instance()]).unwrap();
        prop_assert_eq!(honest.verify(), Ok(()));

        // Any other liquidation flag for any account is refused.
        let mut lying = batch.clone();
        lying.circuit.tamper_account(lie_slot, |w| w.status.liquidatable = Fp::one() - w.status.liquidatable);
        let prover = MockProver::run(k, &lying.circuit, vec![lying.statement.instance()]).unwrap();
        prop_assert!(prover.verify().is_err());
    }
}

#[test]
fn edge_accounts_are_exactly_on_their_edges() {
    let params = common::stressed_params();
    let edges = &params.distribution.as_ref().expect("edges").edges_ppm;
    for (e, edge) in edges.iter().enumerate() {
        for k in [1, 3, 9_999] {
            let risk = evaluate(&params, &at_edge(&params, "edge", e, k));
            assert_eq!(
                &risk.adjusted_equity * BigInt::from(1_000_000u64),
                BigInt::from(*edge) * &risk.maintenance,
                "edge {e}, k {k}"
            );
            // Exactly on an edge is at or above it.
            let stress = evaluate_stress(&params, &at_edge(&params, "edge", e, k), &risk);
            assert_eq!(stress.bucket, Some(MarginBucket::Ratio(e + 1)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn model_and_circuit_agree_under_stress(
        records in {
            let params = common::stressed_params();
            (stressed_account(&params, "s0".into()), stressed_account(&params, "s1".into()), stressed_account(&params, "s2".into()), stressed_account(&params, "s3".into()))
        },
        lie_slot in 0usize..4,
        lie_scenario in 0usize..2,
    ) {
        let params = common::stressed_params();
        let edges = params.distribution.as_ref().expect("edges").edges_ppm.clone();
        let records = [records.0, records.1, records.2, records.3];
        for r in &records {
            let risk = evaluate(&params, r);
            let stress = evaluate_stress(&params, r, &risk);
            // The bucket by its definition: the edges at or below the ratio, rounded down.
            let expected = match risk.margin_ratio_ppm() {
                None => MarginBucket::NoRequirement,
                Some(ratio) => MarginBucket::Ratio(edges.iter().filter(|e| BigInt::from(**e) <= ratio).count()),
            };
            prop_assert_eq!(stress.bucket, Some(expected));
            // Each scenario is the whole model at its prices.
            for (s, scenario) in params.scenarios.iter().enumerate() {
                let mut at = (*params).clone();
                for (a, p) in at.assets.iter_mut().zip(&scenario.prices.assets) { a.price = *p; }
                for (m, p) in at.markets.iter_mut().zip(&scenario.prices.markets) { m.mark_price = *p; }
                let (ae, e, mr, st) = by_formulas(&at, r);
                prop_assert_eq!(&stress.scenarios[s].adjusted_equity, &ae);
                prop_assert_eq!(&stress.scenarios[s].equity, &e);
                prop_assert_eq!(&stress.scenarios[s].maintenance, &mr);
                prop_assert_eq!(stress.scenarios[s].status, st);
            }
        }
        let slots: Vec<_> = records.iter().cloned().map(common::slot).collect();
        let shape = SlotShape::covering(&records);
        let batch = common::prepare_in(&params, shape, 4, &slots);
        // The model's totals and the accounts' distinct keys are the circuit's terms: the bucket
        // identity holds.
        let c = common::test_challenges();
        let list = marginproof_circuits::model::distinct::list_side(c, &common::distinct_list(&slots));
        prop_assert_eq!(totals_side(&batch.after.totals, c) + list, batch.after.bucket_sum);
        let k = min_k(&batch.circuit).unwrap();
        let honest = MockProver::run(k, &batch.circuit, vec![batch.statement.instance()]).unwrap();
        prop_assert_eq!(honest.verify(), Ok(()));

        // Another liquidation flag under a scenario is refused, and so is another bucket.
        let mut lying = batch.clone();
        lying.circuit.tamper_account(lie_slot, |w| {
            let s = &mut w.scenarios[lie_scenario].status;
            s.liquidatable = Fp::one() - s.liquidatable;
        });
        let prover = MockProver::run(k, &lying.circuit, vec![lying.statement.instance()]).unwrap();
        prop_assert!(prover.verify().is_err());
        let mut lying = batch.clone();
        lying.circuit.tamper_account(lie_slot, |w| {
            let d = w.distribution.as_mut().expect("distribution");
            d.bucket = Fp::from(3) - d.bucket;
        });
        let prover = MockProver::run(k, &lying.circuit, vec![lying.statement.instance()]).unwrap();
        prop_assert!(prover.verify().is_err());
    }
}
