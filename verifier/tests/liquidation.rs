//! Liquidation prices (issue 32) against the model itself, on random configurations and books:
//! at the price found the model gives the status, one grid price back toward today's it does not,
//! and (on small grids, scanned whole) no price nearer to today's gives it, with the lower price on
//! a tie. Asset balances, debts and positions, several tiers per table, thresholds on either side
//! of 1.

use marginproof_circuits::config::{PriceVector, RiskConfigFile};
use marginproof_circuits::model::{evaluate_at, AccountRecord, Position, Status};
use marginproof_circuits::RiskParams;
use marginproof_verifier::liquidation::{
    grid_prices, liquidation_prices, move_pct, GridPrices, Instrument, MovingPrice, Target,
    MAX_GRID_PRICE,
};
use num_bigint::BigInt;
use proptest::prelude::*;
use serde_json::{json, Value};

/// A tier table in ν: boundaries and rates in ppm (already ordered as the kind needs).
#[derive(Debug, Clone)]
struct Table {
    boundaries: Vec<u64>,
    rates: Vec<u32>,
}

fn tiers_json(table: &Table, value_decimals: u32) -> Value {
    let scale =
        |v: u64| marginproof_circuits::decimal::format_decimal(&BigInt::from(v), value_decimals);
    let rate = |r: u32| marginproof_circuits::decimal::format_decimal(&BigInt::from(r), 6);
    table
        .rates
        .iter()
        .enumerate()
        .map(|(k, &r)| match table.boundaries.get(k) {
            Some(&b) => json!({ "up_to": scale(b), "rate": rate(r) }),
            None => json!({ "rate": rate(r) }),
        })
        .collect()
}

/// A venue on the finest grid: every instrument has 18 decimals, so a price is an integer number
/// of ν per atom and prices, quantities and tier boundaries (ν) stay small enough to scan.
#[derive(Debug, Clone)]
struct Venue {
    threshold: &'static str,
    /// (price, haircut, maintenance) per asset.
    assets: Vec<(u64, Table, Table)>,
    /// (mark price, maintenance) per market.
    markets: Vec<(u64, Table)>,
}

impl Venue {
    fn params(&self) -> RiskParams {
        let assets: Vec<Value> = self
            .assets
            .iter()
            .enumerate()
            .map(|(i, (price, haircut, maintenance))| {
                json!({
                    "symbol": format!("A{i}"), "decimals": 18, "price": price.to_string(),
                    "haircut": tiers_json(haircut, 18), "maintenance": tiers_json(maintenance, 18),
                })
            })
            .collect();
        let markets: Vec<Value> = self
            .markets
            .iter()
            .enumerate()
            .map(|(m, (price, maintenance))| {
                json!({
                    "symbol": format!("M{m}"), "decimals": 18, "mark_price": price.to_string(),
                    "maintenance": tiers_json(maintenance, 18),
                })
            })
            .collect();
        let file: RiskConfigFile = serde_json::from_value(json!({
            "snapshot": { "id": "prop", "venue": "Prop", "liquidation_threshold": self.threshold },
            "assets": assets,
            "markets": markets,
        }))
        .expect("the configuration's shape");
        RiskParams::from_file(&file).expect("a valid configuration")
    }
}

/// Up to 4 tiers with boundaries below `top` (ν); rates non-increasing (haircut) or
/// non-decreasing (maintenance).
fn table(top: u64, increasing: bool) -> impl Strategy<Value = Table> {
    (
        proptest::collection::btree_set(1..top, 0..4),
        proptest::collection::vec(0u32..=1_000_000, 4),
    )
        .prop_map(move |(bounds, mut rates)| {
            let boundaries: Vec<u64> = bounds.into_iter().collect();
            rates.truncate(boundaries.len() + 1);
            rates.sort_unstable();
            if !increasing {
                rates.reverse();
            }
            Table { boundaries, rates }
        })
}

fn venue(top: u64, price: std::ops::Range<u64>) -> impl Strategy<Value = Venue> {
    let asset = (price.clone(), table(top, false), table(top, true));
    let market = (price, table(top, true));
    (
        prop_oneof![Just("1"), Just("0.8"), Just("1.1"), Just("2.5")],
        proptest::collection::vec(asset, 2),
        proptest::collection::vec(market, 2),
    )
        .prop_map(|(threshold, assets, markets)| Venue {
            threshold,
            assets,
            markets,
        })
}

/// A book: per asset a balance and a debt, per market a size and a cost.
type Book = (Vec<(u64, u64)>, Vec<(i64, i64)>);

/// A random [`Book`] (often a balance or a debt alone).
fn book(quantity: u64, cost: i64) -> impl Strategy<Value = Book> {
    let holding = prop_oneof![
        (0..quantity).prop_map(|b| (b, 0)),
        (0..quantity).prop_map(|d| (0, d)),
        (0..quantity, 0..quantity),
    ];
    let q = quantity as i64;
    (
        proptest::collection::vec(holding, 2),
        proptest::collection::vec((-q..q, -cost..cost), 2),
    )
}

fn record(params: &RiskParams, book: &Book) -> AccountRecord {
    let mut record = AccountRecord::empty("prop", params);
    for (i, (b, d)) in book.0.iter().enumerate() {
        record.balances[i] = *b;
        record.debts[i] = *d;
    }
    for (m, (size, cost)) in book.1.iter().enumerate() {
        record.positions[m] = Position {
            size: *size as i128,
            cost: BigInt::from(*cost),
        };
    }
    record
}

/// The model's status with one instrument at `price`, the others at their base prices.
fn status_at(
    params: &RiskParams,
    record: &AccountRecord,
    instrument: Instrument,
    price: u64,
) -> Status {
    let mut prices: PriceVector = params.base_prices();
    match instrument {
        Instrument::Asset(i) => prices.assets[i] = price,
        Instrument::Market(m) => prices.markets[m] = price,
    }
    evaluate_at(params, &prices, record).status
}

fn instruments(params: &RiskParams) -> Vec<(String, Instrument, u64)> {
    let assets = params
        .assets
        .iter()
        .enumerate()
        .map(|(i, a)| (a.symbol.clone(), Instrument::Asset(i), a.price));
    let markets = params
        .markets
        .iter()
        .enumerate()
        .map(|(m, a)| (a.symbol.clone(), Instrument::Market(m), a.mark_price));
    assets.chain(markets).collect()
}

/// The found price has the status, the one before it (toward today's) has not; `None` only
/// when today's price has it already or, as far as these prices tell, none has.
fn check_found(
    params: &RiskParams,
    record: &AccountRecord,
    instrument: Instrument,
    today: u64,
    found: Option<u64>,
    target: Target,
) -> Result<(), TestCaseError> {
    let reached = |p: u64| target.reached(status_at(params, record, instrument, p));
    match found {
        Some(p) => {
            prop_assert!(p != today && p > 0, "{target:?} at today's price {p}");
            prop_assert!(reached(p), "{target:?} not reached at {p}");
            let back = if p < today { p + 1 } else { p - 1 };
            prop_assert!(
                !reached(back),
                "{target:?} already reached at {back} (found {p})"
            );
            if target == Target::NotHealthy {
                let safe = status_at(params, record, instrument, back);
                prop_assert_eq!(safe, Status::Healthy);
            }
            // The other side's price as near (lower on a tie) does not reach it either.
            let distance = p.abs_diff(today);
            let other = if p < today {
                (distance > 1)
                    .then(|| today.checked_add(distance - 1))
                    .flatten()
            } else {
                today.checked_sub(distance).filter(|q| *q > 0)
            };
            if let Some(q) = other {
                prop_assert!(!reached(q), "{target:?}: {q} is as near as {p}");
            }
        }
        None => {
            let today_reached = reached(today);
            for p in [1, today / 2, today.saturating_mul(2), MAX_GRID_PRICE] {
                prop_assert!(
                    today_reached || p == 0 || !reached(p),
                    "{target:?} reached at {p} but none was found"
                );
            }
        }
    }
    Ok(())
}

/// The nearest price in `1 ..= window` to `today` whose status `statuses[p − 1]` reaches
/// `target`, the lower on a tie.
fn nearest_scanned(statuses: &[Status], today: u64, target: Target) -> Option<u64> {
    (1..=statuses.len() as u64)
        .filter(|p| *p != today && target.reached(statuses[*p as usize - 1]))
        .min_by_key(|p| (p.abs_diff(today), *p))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Small grids, scanned whole: the search finds exactly the nearest price (lower on a tie).
    #[test]
    fn the_search_finds_the_nearest_price_of_a_scan(
        venue in venue(3_000, 20..200),
        book in book(40, 6_000),
    ) {
        let params = venue.params();
        let record = record(&params, &book);
        const WINDOW: u64 = 1_000;
        let found = grid_prices(&params, &record);
        for (symbol, instrument, today) in instruments(&params) {
            let Some(prices) = found.get(&symbol) else { continue };
            let statuses: Vec<Status> = (1..=WINDOW)
                .map(|p| status_at(&params, &record, instrument, p))
                .collect();
            for (target, got) in [
                (Target::NotHealthy, prices.liquidatable),
                (Target::Bankrupt, prices.bankrupt),
            ] {
                check_found(&params, &record, instrument, today, got, target)?;
                if target.reached(statuses[today as usize - 1]) {
                    prop_assert_eq!(got, None, "{} {:?}: there today", symbol, target);
                    continue;
                }
                // Prices above the window are nearer than a scanned one only if above it.
                match nearest_scanned(&statuses, today, target) {
                    None => prop_assert!(got.is_none_or(|p| p > WINDOW), "{} {:?}", symbol, target),
                    Some(p) if p.abs_diff(today) <= WINDOW - today => {
                        prop_assert_eq!(got, Some(p), "{} {:?}", symbol, target)
                    }
                    Some(p) => prop_assert!(
                        got == Some(p)
                            || got.is_some_and(|g| g > WINDOW && g - today < today - p),
                        "{} {:?}: {:?}, scanned {}", symbol, target, got, p
                    ),
                }
            }
        }
    }

    /// Realistic magnitudes (prices up to 2^40 ν per atom, quantities up to 2^40 atoms): the
    /// found price has the status and the one before it has not.
    #[test]
    fn at_the_price_found_the_model_gives_the_status(
        venue in venue(1 << 62, 1..(1 << 40)),
        book in book(1 << 40, 1 << 62),
    ) {
        let params = venue.params();
        let record = record(&params, &book);
        for (symbol, prices) in grid_prices(&params, &record) {
            let (_, instrument, today) = instruments(&params)
                .into_iter()
                .find(|(s, _, _)| *s == symbol)
                .expect("a configured instrument");
            check_found(&params, &record, instrument, today, prices.liquidatable, Target::NotHealthy)?;
            check_found(&params, &record, instrument, today, prices.bankrupt, Target::Bankrupt)?;
        }
    }
}

/// One BTC asset (8 decimals, $60000) with haircut tiers, USDC (6 decimals, $1) and a BTC
/// perpetual (4 decimals), as in the verifier's other tests.
fn btc_venue(threshold: &str) -> RiskParams {
    let file: RiskConfigFile = serde_json::from_value(json!({
        "snapshot": { "id": "s", "venue": "V", "liquidation_threshold": threshold },
        "assets": [
            { "symbol": "BTC", "decimals": 8, "price": "60000",
              "haircut": [{ "up_to": "1000000", "rate": "0.95" }, { "rate": "0.90" }],
              "maintenance": [{ "up_to": "100000", "rate": "0.05" }, { "rate": "0.10" }] },
            { "symbol": "USDC", "decimals": 6, "price": "1",
              "haircut": [{ "rate": "1" }],
              "maintenance": [{ "up_to": "50000", "rate": "0.02" }, { "rate": "0.04" }] },
        ],
        "markets": [
            { "symbol": "BTC-PERP", "decimals": 4, "mark_price": "61000",
              "maintenance": [{ "up_to": "1000000", "rate": "0.005" }, { "rate": "0.01" }] },
        ],
    }))
    .expect("shape");
    RiskParams::from_file(&file).expect("valid")
}

#[test]
fn a_btc_loan_against_usdc_is_liquidated_when_btc_rises() {
    let params = btc_venue("1");
    let mut record = AccountRecord::empty("u", &params);
    // 100000 USDC against a loan of 1 BTC (60000 USD): liquidatable when
    // 100000 − p > G(p) = 0.05 · p (p ≤ 100000), i.e. p ≥ 95238.0952…; bankrupt at p > 100000.
    record.balances[1] = 100_000 * 1_000_000;
    record.debts[0] = 100_000_000;
    let prices = liquidation_prices(&params, &record);
    let btc = &prices["BTC"];
    // Exactly: 1.05 p > 100000 ⇔ p > 95238.095238095238095238… USD; the grid is 10^-10 USD.
    assert_eq!(btc.liquidatable.as_deref(), Some("95238.0952380953"));
    assert_eq!(btc.bankrupt.as_deref(), Some("100000.0000000001"));
    assert_eq!(btc.liquidatable_move_pct.as_deref(), Some("58.73"));
    assert_eq!(btc.bankrupt_move_pct.as_deref(), Some("66.66"));
    // The USDC price falling: 100000 · p ≤ 63000 (MR = 3000 at 60000 BTC).
    let usdc = &prices["USDC"];
    assert_eq!(usdc.liquidatable.as_deref(), Some("0.629999999999"));
    assert_eq!(usdc.bankrupt.as_deref(), Some("0.599999999999"));
    assert_eq!(usdc.liquidatable_move_pct.as_deref(), Some("-37"));
    assert!(!prices.contains_key("BTC-PERP"), "no position, no price");
}

#[test]
fn a_long_perpetual_with_a_high_threshold_is_liquidated_on_the_way_up_too() {
    // θ = 250 with a 0.5% maintenance rate: a long's requirement grows faster than its equity.
    let params = btc_venue("250");
    let mut record = AccountRecord::empty("u", &params);
    record.balances[1] = 100_000 * 1_000_000; // 100000 USDC
    record.positions[0] = Position {
        size: 10_000, // 1 BTC
        cost: BigInt::from(61_000u64) * BigInt::from(10u64).pow(18),
    };
    // AE = 39000 + P and MR = 0.005 P: liquidatable iff 39000 + P < 1.25 P, i.e. P > 156000;
    // the equity 39000 + P is never negative.
    let prices = liquidation_prices(&params, &record);
    let perp = &prices["BTC-PERP"];
    assert_eq!(perp.liquidatable.as_deref(), Some("156000.00000000000001"));
    assert_eq!(perp.bankrupt, None);
    let found: GridPrices = grid_prices(&params, &record)["BTC-PERP"];
    let p = found.liquidatable.expect("a liquidation price");
    let status = |p: u64| status_at(&params, &record, Instrument::Market(0), p);
    assert_eq!(status(params.markets[0].mark_price), Status::Healthy);
    assert_eq!(status(p), Status::Liquidatable);
    assert_eq!(status(p - 1), Status::Healthy);
}

#[test]
fn no_price_and_already_there_give_none() {
    let params = btc_venue("1");
    let mut record = AccountRecord::empty("u", &params);
    record.balances[0] = 100_000_000; // 1 BTC, no debt, no position: never liquidatable
    let prices = liquidation_prices(&params, &record);
    assert_eq!(prices["BTC"].liquidatable, None);
    assert_eq!(prices["BTC"].bankrupt, None);
    // A bankrupt unit today: both none.
    record.balances[0] = 0;
    record.debts[0] = 100_000_000;
    let prices = liquidation_prices(&params, &record);
    assert_eq!(prices["BTC"].liquidatable, None);
    assert_eq!(prices["BTC"].bankrupt, None);
}

#[test]
fn moves_are_rounded_toward_zero() {
    assert_eq!(move_pct(3, 1), "-66.66");
    assert_eq!(move_pct(3, 5), "66.66");
    assert_eq!(move_pct(100, 100), "0");
    assert_eq!(move_pct(1, MAX_GRID_PRICE), "1844674407370955161400");
}

#[test]
fn on_a_tie_the_lower_price_is_shown() {
    // θ = 2, a long of one atom whose market charges 20% up to 1500 ν of notional and 100% above:
    // with 400 ν of collateral and a cost of 1000 ν the unit is healthy for 1000 ≤ P ≤ 1800, so
    // from 1400 the first liquidation prices are 999 and 1801, equally far: 999 is shown.
    let flat = Table {
        boundaries: vec![],
        rates: vec![1_000_000],
    };
    let venue = Venue {
        threshold: "2",
        assets: vec![(1, flat.clone(), flat)],
        markets: vec![(
            1400,
            Table {
                boundaries: vec![1500],
                rates: vec![200_000, 1_000_000],
            },
        )],
    };
    let params = venue.params();
    let mut record = AccountRecord::empty("u", &params);
    record.balances[0] = 400;
    record.positions[0] = Position {
        size: 1,
        cost: BigInt::from(1000),
    };
    let status = |p: u64| status_at(&params, &record, Instrument::Market(0), p);
    assert_eq!(
        [999, 1000, 1400, 1800, 1801].map(status),
        [
            Status::Liquidatable,
            Status::Healthy,
            Status::Healthy,
            Status::Healthy,
            Status::Liquidatable
        ]
    );
    let found = grid_prices(&params, &record)["M0"];
    assert_eq!(found.liquidatable, Some(999));
    // E = P − 600 is negative below 600 only.
    assert_eq!(found.bankrupt, Some(599));
    let shown = &liquidation_prices(&params, &record)["M0"];
    assert_eq!(shown.liquidatable.as_deref(), Some("999"));
    assert_eq!(shown.liquidatable_move_pct.as_deref(), Some("-28.64"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// The valuation along one price (the other instruments summed once) is the model's own at
    /// that price: same E, same margin test, same status.
    #[test]
    fn the_moving_price_valuation_is_the_models(
        venue in venue(1 << 40, 1..(1 << 30)),
        book in book(1 << 30, 1 << 50),
        moved in proptest::collection::vec(1u64..u64::MAX, 8),
    ) {
        let params = venue.params();
        let record = record(&params, &book);
        let base = params.base_prices();
        for (k, (_, instrument, _)) in instruments(&params).into_iter().enumerate() {
            let line = MovingPrice::new(&params, &base, &record, instrument).expect("configured");
            for price in [moved[k], moved[k + 4] >> 34] {
                let price = price.max(1);
                let mut prices = base.clone();
                match instrument {
                    Instrument::Asset(i) => prices.assets[i] = price,
                    Instrument::Market(m) => prices.markets[m] = price,
                }
                let model = evaluate_at(&params, &prices, &record);
                let point = line.at(price);
                prop_assert_eq!(&point.equity, &model.equity);
                prop_assert_eq!(&point.margin_test, &model.margin_test);
                prop_assert_eq!(point.status, model.status);
            }
        }
    }
}
