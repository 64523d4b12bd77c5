//! Stress scenarios and the margin distribution end to end (SPEC §7): the shared venue
//! (`generate` writes two scenarios, `crash-30` and `btc-50`, and a distribution) proves and
//! verifies with the scenario table and the distribution, whose figures are the native model's;
//! a user sees their own status under each scenario; and the attacks on what §7 adds to the
//! manifest are refused with their reason: a scenario dropped, a scenario's prices changed after
//! proving, two scenarios swapped, a scenario total or a bucket count changed.

#[allow(dead_code, unused_imports)]
mod common;

use std::path::Path;

use marginproof_circuits::model::{evaluate, evaluate_at, Totals};
use marginproof_prover::input::{load_accounts, load_config};
use marginproof_verifier::report::totals_report;
use serde_json::Value;

use common::{assert_exit, assert_valid, cache_dir, edit_json, honest, marginproof, public_copy};

fn verify_json(public: &Path) -> common::Run {
    marginproof!("verify", public, "--json", "--cache-dir", cache_dir())
}

#[test]
fn the_scenario_table_and_the_distribution_are_the_models() {
    let venue = honest();
    let run = verify_json(&venue.public());
    assert_valid(&run);
    let report = run.json();
    // The native model over the venue's own files gives the same scenario totals and counts.
    let params = load_config(&venue.config).expect("config");
    let records = load_accounts(&venue.accounts, &params).expect("accounts");
    assert_eq!(params.scenarios.len(), 2);
    let mut totals = Totals::zero(&params);
    for r in &records {
        totals.add(&Totals::of_account(&params, r, &evaluate(&params, r), true));
    }
    let native = totals_report(&params, &totals).to_json();
    assert_eq!(report["scenarios"], native["scenarios"], "{report:#}");
    assert_eq!(report["distribution"], native["distribution"], "{report:#}");
    for name in ["crash-30", "btc-50"] {
        for key in [
            "liquidatable",
            "bankrupt",
            "equity_usd",
            "bad_debt_usd",
            "shortfall_usd",
        ] {
            assert!(
                !report["scenarios"][name][key].is_null(),
                "{name}.{key}: {report:#}"
            );
        }
    }
    // Edges as written, every account (padding excluded) counted once.
    let d = &report["distribution"];
    let buckets = d["buckets"].as_array().expect("buckets");
    assert_eq!(buckets.len(), 7);
    assert_eq!(buckets[0]["from"], Value::Null);
    assert_eq!(buckets[0]["below"], "1.0");
    assert_eq!(buckets[6]["from"], "5");
    assert_eq!(buckets[6]["below"], Value::Null);
    let counted: u64 = buckets
        .iter()
        .map(|b| b["accounts"].as_u64().expect("count"))
        .sum::<u64>()
        + d["no_requirement"].as_u64().expect("count");
    assert_eq!(Some(counted), report["accounts"].as_u64());
    // The text report has both tables.
    let text = marginproof!("verify", venue.public(), "--cache-dir", cache_dir());
    assert_valid(&text);
    for needle in [
        "stress scenarios",
        "crash-30",
        "btc-50",
        "margin-ratio distribution",
        "5 and above",
    ] {
        assert!(text.stdout.contains(needle), "{needle}\n{}", text.stdout);
    }
}

#[test]
fn a_user_sees_their_status_under_each_scenario() {
    let venue = honest();
    let params = load_config(&venue.config).expect("config");
    let records = load_accounts(&venue.accounts, &params).expect("accounts");
    let record = records
        .iter()
        .find(|r| r.unit.is_cross())
        .expect("a cross unit");
    let dir = common::tempdir();
    let file = dir.path().join("incl.json");
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        &venue.bundle,
        "--account",
        &record.id,
        "--out",
        &file
    ));
    let run = marginproof!(
        "verify-inclusion",
        &file,
        "--manifest",
        venue.manifest(),
        "--json"
    );
    assert_valid(&run);
    let json = run.json();
    for s in &params.scenarios {
        let risk = evaluate_at(&params, &s.prices, record);
        let view = &json["scenarios"][&s.name];
        assert_eq!(view["status"], risk.status.as_str(), "{json:#}");
        for key in [
            "margin_ratio",
            "adjusted_equity_usd",
            "equity_usd",
            "maintenance_usd",
        ] {
            assert!(view.get(key).is_some(), "{key}: {json:#}");
        }
        assert_eq!(
            json["units"][0]["scenarios"][&s.name], *view,
            "the first unit's view is the top level's"
        );
    }
}

/// Verifies a tampered copy of the honest bundle's `public/` and asserts the refusal.
fn refused(edit: impl FnOnce(&mut Value), reason: &str) {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), edit);
    let run = verify_json(&public);
    assert_exit(&run, 1, reason);
}

const PROOF_FAILS: &str = "batch 0: proof does not verify";

#[test]
fn attack_scenario_dropped_from_the_manifest() {
    // From the configuration and its totals: another circuit shape (one price block fewer), so
    // the proofs do not verify under the key the auditor derives.
    refused(
        |m| {
            m["config"]["scenarios"]
                .as_array_mut()
                .expect("scenarios")
                .pop();
            m["totals"]["scenarios"]
                .as_array_mut()
                .expect("scenarios")
                .pop();
        },
        PROOF_FAILS,
    );
    // From the totals only: the totals do not fit the configuration.
    refused(
        |m| {
            m["totals"]["scenarios"]
                .as_array_mut()
                .expect("scenarios")
                .pop();
        },
        "1 scenario totals where the configuration has 2 scenarios",
    );
    // The distribution's counts dropped.
    refused(
        |m| {
            m["totals"]
                .as_object_mut()
                .expect("totals")
                .remove("distribution");
        },
        "the configuration has a distribution but the totals have no counts",
    );
}

#[test]
fn attack_scenario_prices_changed_after_proving() {
    // A milder crash published than the one proven: the statement tag and the scenario's price
    // block both change.
    refused(
        |m| {
            let prices = &mut m["config"]["scenarios"][0]["prices"];
            prices["BTC"] = Value::String("90000".into());
        },
        PROOF_FAILS,
    );
}

#[test]
fn attack_two_scenarios_swapped() {
    // Swapped in the configuration and in the totals, so each name keeps its figures: the price
    // blocks are in another order than proven.
    refused(
        |m| {
            m["config"]["scenarios"]
                .as_array_mut()
                .expect("scenarios")
                .swap(0, 1);
            m["totals"]["scenarios"]
                .as_array_mut()
                .expect("scenarios")
                .swap(0, 1);
        },
        PROOF_FAILS,
    );
    // Swapped in the totals only: the names no longer follow the configuration.
    refused(
        |m| {
            m["totals"]["scenarios"]
                .as_array_mut()
                .expect("scenarios")
                .swap(0, 1);
        },
        "scenario `btc-50` where the configuration has `crash-30`",
    );
    // The figures swapped under their names: the published totals are not the proven ones, so
    // the challenges (and with them every proof's public inputs) change.
    refused(
        |m| {
            let s = m["totals"]["scenarios"].as_array_mut().expect("scenarios");
            let (a, b) = (s[0].clone(), s[1].clone());
            for key in [
                "liquidatable",
                "bankrupt",
                "equity",
                "bad_debt",
                "shortfall",
            ] {
                s[0][key] = b[key].clone();
                s[1][key] = a[key].clone();
            }
        },
        PROOF_FAILS,
    );
}

#[test]
fn attack_a_scenario_total_or_a_bucket_count_changed() {
    refused(
        |m| {
            let bad = &mut m["totals"]["scenarios"][1]["bad_debt"];
            let lower = bad
                .as_str()
                .expect("a total")
                .parse::<u128>()
                .expect("an integer")
                / 2;
            *bad = Value::String(lower.to_string());
        },
        PROOF_FAILS,
    );
    // One account moved from the highest bucket that holds one to the bucket below it: the same
    // number of accounts.
    refused(
        |m| {
            let b = m["totals"]["distribution"]["buckets"]
                .as_array_mut()
                .expect("buckets");
            let count =
                |v: &Value| -> u64 { v.as_str().expect("a count").parse().expect("an integer") };
            let from = (1..b.len())
                .rev()
                .find(|&j| count(&b[j]) > 0)
                .expect("an account in a bucket above the first");
            let (high, low) = (count(&b[from]), count(&b[from - 1]));
            b[from] = Value::String((high - 1).to_string());
            b[from - 1] = Value::String((low + 1).to_string());
        },
        PROOF_FAILS,
    );
}
