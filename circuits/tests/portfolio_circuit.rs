//! MockProver tests of portfolio margin (SPEC §12): an honest batch of portfolio-margin units
//! (base prices and two scenarios) satisfies the circuit and counts its units, and each lie
//! fails the constraint (gate, constraint and region by name) or the lookup that forbids it:
//! a unit judged under the standard model, a loss above the claimed requirement, a requirement
//! equal to none of the candidates, a move that is not the published one.

mod common;

use std::sync::Arc;

use marginproof_circuits::circuit::batch::PreparedBatch;
use marginproof_circuits::circuit::witness::{DistributionWitness, StatusWitness};
use marginproof_circuits::config::{PortfolioMarginSection, ShockSection};
use marginproof_circuits::field::{fp_from_bigint, Fp};
use marginproof_circuits::model::risk::margin_test;
use marginproof_circuits::model::{
    evaluate, AccountRecord, MarginMode, SlotShape, Status, WorstShock,
};
use marginproof_circuits::RiskParams;
use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use proptest::prelude::*;

use common::failures;

fn has_constraint(failures: &[String], gate: &str, constraint: &str, region: &str) -> bool {
    failures.iter().any(|f| {
        f.contains(&format!("('{constraint}') in gate"))
            && f.contains(&format!("('{gate}')"))
            && f.contains(&format!("('{region}')"))
    })
}

/// Whether `portfolio requirement` → `requirement is a candidate` fails in an account region.
fn candidate_fails(failures: &[String]) -> bool {
    has_constraint(
        failures,
        "portfolio requirement",
        "requirement is a candidate",
        "account",
    )
}

fn has_lookup(failures: &[String], region: &str) -> bool {
    failures
        .iter()
        .any(|f| f.starts_with("Lookup") && f.contains(&format!("('{region}')")))
}

/// The stressed test configuration with a grid: BTC and its perpetual 20% down, 20% up, USDT
/// 10% down; a floor of 1%.
fn params() -> Arc<RiskParams> {
    let mut file = common::stressed_file();
    let shock = |name: &str, moves: &[(&str, &str)]| ShockSection {
        name: name.into(),
        moves: moves
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    file.portfolio_margin = Some(PortfolioMarginSection {
        floor_rate: "0.01".into(),
        shocks: vec![
            shock("btc-down-20", &[("BTC", "-0.2"), ("BTC-PERP", "-0.2")]),
            shock("btc-up-20", &[("BTC", "0.2"), ("BTC-PERP", "0.2")]),
            shock("usdt-down-10", &[("USDT", "-0.1")]),
        ],
    });
    Arc::new(RiskParams::from_file(&file).expect("valid"))
}

fn portfolio(record: AccountRecord) -> AccountRecord {
    record.in_mode(MarginMode::Portfolio)
}

/// A hedge (1 BTC long spot, 1 BTC-PERP short, 1000 USDT), an unhedged borrower (1 BTC against
/// 30k USDT of debt), and a unit of only 500 USDT.
fn units(params: &RiskParams) -> Vec<AccountRecord> {
    vec![
        portfolio(common::record(
            params,
            "hedge",
            [100_000_000, 1_000_000_000],
            [0, 0],
            -10_000,
            -50_000,
        )),
        portfolio(common::record(
            params,
            "borrower",
            [100_000_000, 0],
            [0, 30_000_000_000],
            0,
            0,
        )),
        portfolio(common::record(
            params,
            "cash",
            [0, 500_000_000],
            [0, 0],
            0,
            0,
        )),
    ]
}

fn shape() -> SlotShape {
    SlotShape::standard(2, 1).in_mode(MarginMode::Portfolio)
}

fn batch() -> (Arc<RiskParams>, PreparedBatch) {
    let params = params();
    let slots: Vec<_> = units(&params).into_iter().map(common::slot).collect();
    let batch = common::prepare_in(&params, shape(), 4, &slots);
    (params, batch)
}

#[test]
fn the_model_charges_a_hedge_its_floor_and_a_borrower_its_worst_shock() {
    let params = params();
    let risks: Vec<_> = units(&params)
        .iter()
        .map(|r| evaluate(&params, r))
        .collect();
    let pm: Vec<_> = risks
        .iter()
        .map(|r| r.portfolio.clone().expect("portfolio"))
        .collect();
    // The hedge: 50k spot against −50k of perpetual, 1000 USDT; gross 101k USD. Down 20%: spot
    // loses 10k, the short gains 10k; USDT −10%: loses 100. The floor (1% of gross = 1010) wins.
    let usd = |x: u64| BigInt::from(x) * BigInt::from(10u64).pow(18) * BigInt::from(1_000_000);
    assert_eq!(
        pm[0].gross,
        BigInt::from(101_000u64) * BigInt::from(10u64).pow(18)
    );
    assert_eq!(pm[0].losses[2], usd(100));
    assert_eq!(pm[0].requirement, usd(1010));
    assert_eq!(pm[0].worst, WorstShock::Floor);
    // The borrower: 50k of BTC, −30k of USDT. BTC down 20% loses 10k; USDT down 10% gains 3k.
    assert_eq!(pm[1].requirement, usd(10_000));
    assert_eq!(pm[1].worst, WorstShock::Shock(0));
    assert_eq!(risks[1].maintenance, pm[1].requirement);
    assert_eq!(risks[1].status, Status::Healthy);
    // 500 USDT: the USDT shock loses 50, above the 5 of the floor.
    assert_eq!(pm[2].requirement, usd(50));
    assert_eq!(pm[2].worst, WorstShock::Shock(2));
}

#[test]
fn an_honest_portfolio_batch_is_satisfied_and_counts_its_units() {
    let (_, batch) = batch();
    assert_eq!(failures(&batch), Vec::<String>::new());
    assert_eq!(
        batch.after.totals.portfolio_margin_units,
        BigInt::from(3),
        "padding is not counted"
    );
    assert_eq!(batch.after.totals.accounts, BigInt::from(3));
}

/// Sets unit `slot`'s base requirement to `mr`, and its status and margin bucket to what `mr`
/// gives, so that only the portfolio gates can object.
fn claim_requirement(batch: &mut PreparedBatch, params: &RiskParams, slot: usize, mr: BigInt) {
    let mut risk = evaluate(params, &units(params)[slot]);
    risk.margin_test = margin_test(&risk.adjusted_equity, &mr, params.threshold_ppm);
    risk.maintenance = mr;
    let edges = params
        .distribution
        .as_ref()
        .expect("edges")
        .edges_ppm
        .clone();
    batch.circuit.tamper_account(slot, |w| {
        w.portfolio.as_mut().expect("portfolio").requirements[0] =
            fp_from_bigint(&risk.maintenance);
        w.status = StatusWitness::new(&risk);
        w.distribution = Some(DistributionWitness::new(&edges, &risk));
    });
}

#[test]
fn a_unit_judged_under_the_standard_model_fails_the_candidate_product() {
    let (params, mut batch) = batch();
    // The borrower's SPEC §2 requirement: 10% of its 30k USDT debt's tiers, not a candidate.
    let standard = evaluate(
        &params,
        &units(&params)[1].clone().in_mode(MarginMode::Standard),
    );
    assert_ne!(
        standard.maintenance,
        evaluate(&params, &units(&params)[1]).maintenance
    );
    claim_requirement(&mut batch, &params, 1, standard.maintenance);
    let f = failures(&batch);
    assert!(candidate_fails(&f), "{f:#?}");
}

#[test]
fn a_requirement_below_a_loss_fails_that_shocks_range_check() {
    let (params, mut batch) = batch();
    // The borrower claims its floor (1% of 80k of gross value: 800 USD), a candidate, below its
    // 10k loss under btc-down-20 (shock 0).
    let pm = evaluate(&params, &units(&params)[1])
        .portfolio
        .expect("portfolio");
    assert!(pm.floor < pm.losses[0]);
    claim_requirement(&mut batch, &params, 1, pm.floor.clone());
    let f = failures(&batch);
    assert!(has_lookup(&f, "range check: base shock 0 margin"), "{f:#?}");
    assert!(!candidate_fails(&f), "the floor is a candidate: {f:#?}");
}

#[test]
fn a_requirement_equal_to_no_candidate_fails_the_candidate_product_alone() {
    let (params, mut batch) = batch();
    let pm = evaluate(&params, &units(&params)[1])
        .portfolio
        .expect("portfolio");
    claim_requirement(&mut batch, &params, 1, &pm.requirement + 1);
    let f = failures(&batch);
    assert!(candidate_fails(&f), "{f:#?}");
    assert!(
        f.iter().all(|x| x.contains("requirement is a candidate")),
        "only the candidate product objects: {f:#?}"
    );
}

#[test]
fn a_move_that_is_not_the_published_one_fails_the_instrument_lookup() {
    let (_, mut batch) = batch();
    // Shock 0 (btc-down-20) moves BTC by −20%: the borrower claims −10%.
    batch.circuit.tamper_account(1, |w| {
        let p = w.portfolio.as_mut().expect("portfolio");
        p.moves[0][0] = Fp::from(900_000);
    });
    let f = failures(&batch);
    assert!(has_lookup(&f, "account"), "{f:#?}");
}

#[test]
fn a_portfolio_batch_without_scenarios_is_satisfied() {
    let mut file = common::config_file();
    file.distribution = common::stressed_file().distribution;
    file.portfolio_margin = params().file.portfolio_margin.clone();
    let params = Arc::new(RiskParams::from_file(&file).expect("valid"));
    let slots: Vec<_> = units(&params).into_iter().map(common::slot).collect();
    let batch = common::prepare_in(&params, shape(), 4, &slots);
    assert_eq!(failures(&batch), Vec::<String>::new());
}

/// A unit exactly on the threshold under portfolio margin: `b` USDT atoms of collateral against
/// `l` BTC atoms of debt, `AE = 0.99·u − v`, and `MR_pm = 0.2·v` (`btc-up-20`, above
/// `0.1·u` and the floor while `u ≤ 2v`), so `AE = MR_pm` when `u = 40v/33`: 20,000t USDT atoms
/// against 33t BTC atoms.
fn pm_at_threshold(params: &RiskParams, id: &str, t: u64) -> AccountRecord {
    portfolio(common::record(
        params,
        id,
        [0, 20_000 * t],
        [33 * t, 0],
        0,
        0,
    ))
}

/// A basis trade: `t` BTC (in 10^4 atoms) long and as much BTC-PERP short: every shock's loss is
/// 0, so the floor sets the requirement.
fn pm_basis(params: &RiskParams, id: &str, t: u64) -> AccountRecord {
    portfolio(common::record(
        params,
        id,
        [10_000 * t, 0],
        [0, 0],
        -i128::from(t),
        -5 * i64::try_from(t).unwrap_or(i64::MAX),
    ))
}

fn pm_unit(params: &RiskParams, id: String) -> impl Strategy<Value = AccountRecord> {
    let (p1, p2, p3, p4) = (
        params.clone(),
        params.clone(),
        params.clone(),
        params.clone(),
    );
    let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
    let quantity = || {
        prop_oneof![
            Just(0u64),
            Just(1u64),
            Just(u64::MAX),
            0u64..5_000_000_000,
            any::<u64>()
        ]
    };
    let size = prop_oneof![
        Just(0i128),
        Just(-(u64::MAX as i128)),
        Just(u64::MAX as i128),
        -1_000_000i128..1_000_000
    ];
    prop_oneof![
        3 => (quantity(), quantity(), quantity(), quantity(), size, -100_000i64..100_000)
            .prop_map(move |(b0, b1, l0, l1, s, c)| {
                portfolio(common::record(&p1, &id, [b0, b1], [l0, l1], s, c))
            }),
        2 => (1u64..1_000_000).prop_map(move |t| pm_at_threshold(&p2, &id1, t)),
        2 => (1u64..100_000).prop_map(move |t| pm_basis(&p3, &id2, t)),
        1 => Just(portfolio(AccountRecord::empty(id3, &p4))),
    ]
}

#[test]
fn threshold_and_basis_units_are_where_they_are_built() {
    let params = params();
    for t in [1, 7, 999_999] {
        let risk = evaluate(&params, &pm_at_threshold(&params, "edge", t));
        assert!(risk.margin_test.is_zero(), "{}", risk.margin_test);
        assert_eq!(risk.status, Status::Healthy);
        let pm = risk.portfolio.expect("portfolio");
        assert_eq!(pm.worst, WorstShock::Shock(1), "btc-up-20");
        let basis = evaluate(&params, &pm_basis(&params, "basis", t));
        let pm = basis.portfolio.expect("portfolio");
        assert!(pm.losses.iter().all(|l| l.is_zero()), "{:?}", pm.losses);
        assert_eq!(pm.worst, WorstShock::Floor);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// The model's `MR_pm` is the largest of its candidates (each loss, the floor, 0) by their
    /// definitions; its witness satisfies the circuit under the base prices and both scenarios;
    /// another requirement or another liquidation flag is refused.
    #[test]
    fn model_and_circuit_agree_on_portfolio_units(
        units in {
            let params = params();
            (pm_unit(&params, "u0".into()), pm_unit(&params, "u1".into()), pm_unit(&params, "u2".into()), pm_unit(&params, "u3".into()))
        },
        lie_slot in 0usize..4,
    ) {
        let params = params();
        let grid = params.portfolio_margin.clone().expect("grid");
        let units = [units.0, units.1, units.2, units.3];
        for u in &units {
            let risk = evaluate(&params, u);
            let pm = risk.portfolio.clone().expect("portfolio");
            // By definition, from the holdings directly.
            let value = |a: usize| (BigInt::from(u.balances[a]) - BigInt::from(u.debts[a])) * BigInt::from(params.assets[a].price);
            let notional = BigInt::from(u.positions[0].size) * BigInt::from(params.markets[0].mark_price);
            for (g, shock) in grid.shocks.iter().enumerate() {
                let moved: BigInt = (0..2).map(|a| value(a) * BigInt::from(shock.moves.assets[a])).sum::<BigInt>()
                    + &notional * BigInt::from(shock.moves.markets[0]);
                prop_assert_eq!(&pm.losses[g], &-moved);
                prop_assert!(pm.requirement >= pm.losses[g]);
            }
            let gross: BigInt = (0..2).map(|a| value(a).abs()).sum::<BigInt>() + notional.abs();
            prop_assert_eq!(&pm.floor, &(&gross * BigInt::from(grid.floor_ppm)));
            prop_assert!(pm.requirement >= pm.floor && !pm.requirement.is_negative());
            prop_assert!(pm.requirement.is_zero() || pm.requirement == pm.floor || pm.losses.contains(&pm.requirement));
            prop_assert_eq!(&risk.maintenance, &pm.requirement);
        }
        let slots: Vec<_> = units.iter().cloned().map(common::slot).collect();
        let batch = common::prepare_in(&params, shape(), 4, &slots);
        prop_assert_eq!(failures(&batch), Vec::<String>::new());

        let mut lying = batch.clone();
        lying.circuit.tamper_account(lie_slot, |w| w.status.liquidatable = Fp::one() - w.status.liquidatable);
        prop_assert!(!failures(&lying).is_empty());
        let mut lying = batch.clone();
        lying.circuit.tamper_account(lie_slot, |w| {
            let p = w.portfolio.as_mut().expect("portfolio");
            p.requirements[1] += Fp::one();
        });
        prop_assert!(!failures(&lying).is_empty());
    }
}
