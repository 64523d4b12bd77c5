//! The auditor's report: exact decimal strings in the right units, the JSON keys of SPEC §6, and
//! the reserves lines.

mod common;

use common::Venue;
use marginproof_circuits::model::totals::{AssetTotals, MarketTotals};
use marginproof_circuits::model::Totals;
use marginproof_verifier::report::totals_report;
use num_bigint::BigInt;
use serde_json::json;

fn int(s: &str) -> BigInt {
    s.parse().unwrap()
}

#[test]
fn known_totals_give_exact_strings() {
    let params = common::params();
    let totals = Totals {
        assets: vec![
            // 1.5 BTC, 0.00000001 BTC of debt.
            AssetTotals {
                balance: int("150000000"),
                debt: int("1"),
            },
            // 21000 USDC, 23300.000001 USDC of debt.
            AssetTotals {
                balance: int("21000000000"),
                debt: int("23300000001"),
            },
        ],
        markets: vec![MarketTotals {
            // −0.0001 BTC-PERP net, 12.5 open, −0.5 USD of PnL.
            net_size: int("-1"),
            open_interest: int("125000"),
            pnl: int("-500000000000000000"),
        }],
        accounts: int("12"),
        portfolio_margin_units: int("0"),
        liquidatable: int("3"),
        bankrupt: int("1"),
        // 1 ν of equity; 1000.25 USD of bad debt.
        equity: int("1"),
        bad_debt: int("1000250000000000000000"),
        // 1566 USD in ν·ppm².
        shortfall: int("1566000000000000000000000000000000"),
        scenarios: Vec::new(),
        distribution: None,
    };
    let report = totals_report(&params, &totals);
    let expected = json!({
        "accounts": 12,
        "liquidatable": 3,
        "bankrupt": 1,
        "portfolio_margin_units": 0,
        "equity_usd": "0.000000000000000001",
        "bad_debt_usd": "1000.25",
        "shortfall_usd": "1566",
        // 10 BTC at 60000 minus 1 ν.
        "solvency_margin_usd": "599999.999999999999999999",
        "assets": {
            "BTC": {
                "balance": "1.5",
                "debt": "0.00000001",
                "reserves": "10",
                // 10 − (1.5 − 0.00000001)
                "reserves_minus_net": "8.50000001",
            },
            "USDC": { "balance": "21000", "debt": "23300.000001" },
        },
        "markets": {
            "BTC-PERP": { "net_size": "-0.0001", "open_interest": "12.5", "pnl_usd": "-0.5" },
        },
    });
    assert_eq!(report.to_json(), expected);
    assert_eq!(report.assets[1].net, "-2300.000001");

    // The text report is the CLI's (cli/src/report/text.rs), tested there.
}

#[test]
fn the_venues_totals() {
    let venue = Venue::build();
    let j = totals_report(&venue.params, &venue.totals).to_json();
    assert_eq!(j["accounts"], 5);
    assert_eq!(j["liquidatable"], 1);
    assert_eq!(j["bankrupt"], 1);
    // 91000 + 1500 + 700 + 0 + 20750.
    assert_eq!(j["equity_usd"], "113950");
    assert_eq!(j["bad_debt_usd"], "1000");
    // carol: 226 − 100; dave: 140 − (−1300).
    assert_eq!(j["shortfall_usd"], "1566");
    assert_eq!(j["assets"]["BTC"]["balance"], "1.9");
    assert_eq!(j["assets"]["BTC"]["debt"], "0");
    assert_eq!(j["assets"]["BTC"]["reserves_minus_net"], "8.1");
    assert_eq!(j["assets"]["USDC"]["debt"], "23300");
    assert!(j["assets"]["USDC"].get("reserves").is_none());
    assert_eq!(j["markets"]["BTC-PERP"]["net_size"], "0.25");
    assert_eq!(j["markets"]["BTC-PERP"]["open_interest"], "0.75");
    assert_eq!(j["markets"]["BTC-PERP"]["pnl_usd"], "1250");
    // 10 · 60000 − 113950.
    assert_eq!(j["solvency_margin_usd"], "486050");
    // The totals survive the manifest's file form.
    let read = venue.manifest.totals.to_totals(&venue.params).unwrap();
    assert_eq!(totals_report(&venue.params, &read).to_json(), j);
}

#[test]
fn without_reserves_there_is_no_solvency_margin() {
    let mut file = common::config();
    file.reserves.clear();
    let params = marginproof_circuits::RiskParams::from_file(&file).unwrap();
    let report = totals_report(&params, &Totals::zero(&params));
    let j = report.to_json();
    assert!(j.get("solvency_margin_usd").is_none());
    assert!(j["assets"]["BTC"].get("reserves").is_none());
    assert_eq!(j["accounts"], 0);
    assert_eq!(j["equity_usd"], "0");
    // A count no u64 holds (never from verified totals) is a string rather than a panic.
    let mut totals = Totals::zero(&params);
    totals.accounts = BigInt::from(u64::MAX) + 1;
    assert_eq!(
        totals_report(&params, &totals).to_json()["accounts"],
        "18446744073709551616"
    );
    // Totals of the wrong shape do not panic.
    let mut wrong = Totals::zero(&params);
    wrong.assets.clear();
    wrong.markets.clear();
    let report = totals_report(&params, &wrong);
    assert!(report.assets.is_empty() && report.markets.is_empty());
}
