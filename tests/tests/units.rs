//! Margin units end to end (SPEC §8): an owner's isolated unit is bankrupt while their cross unit
//! stays healthy, and the reverse, through `prove`, `verify` and `verify-inclusion --json`; a
//! unit of another owner or a relabelled unit in an inclusion file is refused; a repeated
//! (account, unit) pair is refused before anything is proven.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::Path;

use serde_json::Value;

use common::{
    assert_exit, assert_json_rejection, assert_valid, cache_dir, edit_json, honest, marginproof,
    prove, read_json, tempdir,
};

/// Two owners with a cross and an isolated unit each, and one plain account, over the honest
/// venue's configuration (BTC, ETH, BTC-PERP):
/// - `ivan`: cross 1 BTC (healthy, no requirement); isolated `BTC-PERP`: 0.001 ETH backing a long
///   1 BTC-PERP bought for 10 million USD (far above any mark: bankrupt);
/// - `judy`: cross 0.001 BTC against 1000 ETH of debt (bankrupt); isolated `BTC-PERP`: 100 ETH
///   backing a long 0.0001 BTC-PERP bought for 1 USD (healthy);
/// - `kim`: cross 2 ETH.
const UNITS_CSV: &str =
    "account_id,margin_unit,BTC,BTC_debt,ETH,ETH_debt,BTC-PERP_size,BTC-PERP_cost
ivan,,1,,,,,
ivan,BTC-PERP,,,0.001,,1,10000000
judy,,0.001,,,1000,,
judy,BTC-PERP,,,100,,0.0001,1
kim,,,,2,,,
";

/// Proves the units venue into `dir/bundle`; returns the bundle path.
fn prove_units(dir: &Path) -> std::path::PathBuf {
    let accounts = dir.join("accounts.csv");
    fs::write(&accounts, UNITS_CSV).expect("write the accounts");
    let bundle = dir.join("bundle");
    assert_valid(&prove(&honest().config, &accounts, &bundle));
    bundle
}

fn inclusion(bundle: &Path, account: &str, out: &Path) {
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        bundle,
        "--account",
        account,
        "--out",
        out
    ));
}

fn verify_inclusion_json(proof: &Path, bundle: &Path) -> common::Run {
    marginproof!(
        "verify-inclusion",
        proof,
        "--manifest",
        bundle.join("public").join("manifest.json"),
        "--json"
    )
}

/// `(margin_unit, status)` of each unit of a `verify-inclusion --json` report.
fn unit_statuses(report: &Value) -> Vec<(String, String)> {
    report["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            (
                u["margin_unit"].as_str().expect("margin_unit").to_string(),
                u["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

fn pair(unit: &str, status: &str) -> (String, String) {
    (unit.to_string(), status.to_string())
}

#[test]
fn an_isolated_loss_does_not_reach_the_cross_unit_and_the_reverse() {
    let dir = tempdir();
    let bundle = prove_units(dir.path());

    // The auditor counts units: five records, two of them bankrupt.
    let verify = marginproof!(
        "verify",
        bundle.join("public"),
        "--json",
        "--cache-dir",
        cache_dir()
    );
    assert_valid(&verify);
    let totals = verify.json();
    assert_eq!(totals["accounts"], Value::from(5), "{totals:#}");
    assert_eq!(totals["bankrupt"], Value::from(2), "{totals:#}");
    assert_eq!(totals["liquidatable"], Value::from(0), "{totals:#}");

    // ivan: healthy cross, bankrupt isolated.
    let ivan = dir.path().join("ivan.json");
    inclusion(&bundle, "ivan", &ivan);
    let file = read_json(&ivan);
    assert_eq!(file["units"].as_array().map(Vec::len), Some(2));
    let run = verify_inclusion_json(&ivan, &bundle);
    assert_valid(&run);
    let report = run.json();
    assert_eq!(report["valid"], true);
    assert_eq!(report["account_id"], "ivan");
    assert_eq!(
        unit_statuses(&report),
        [pair("", "healthy"), pair("BTC-PERP", "bankrupt")]
    );
    // The top-level keys describe the first unit, the cross one.
    assert_eq!(report["status"], "healthy");
    assert_eq!(report["margin_ratio"], Value::Null);
    assert_eq!(report["equity_usd"], report["units"][0]["equity_usd"]);
    assert!(report["units"][1]["equity_usd"]
        .as_str()
        .is_some_and(|e| e.starts_with('-')));
    assert_eq!(report["owner"]["bankrupt"], 1);
    assert_eq!(report["owner"]["equity_owed_usd"], report["equity_usd"]);

    // judy: the reverse.
    let judy = dir.path().join("judy.json");
    inclusion(&bundle, "judy", &judy);
    let run = verify_inclusion_json(&judy, &bundle);
    assert_valid(&run);
    let report = run.json();
    assert_eq!(
        unit_statuses(&report),
        [pair("", "bankrupt"), pair("BTC-PERP", "healthy")]
    );
    assert_eq!(report["status"], "bankrupt");
    assert!(report["units"][1]["margin_ratio"].is_string());

    // kim: one cross unit.
    let kim = dir.path().join("kim.json");
    inclusion(&bundle, "kim", &kim);
    let report = verify_inclusion_json(&kim, &bundle).json();
    assert_eq!(unit_statuses(&report), [pair("", "healthy")]);

    // The readable report names each unit.
    let text = marginproof!(
        "verify-inclusion",
        &ivan,
        "--manifest",
        bundle.join("public").join("manifest.json")
    );
    assert_valid(&text);
    assert!(
        text.stdout.contains("isolated BTC-PERP margin unit"),
        "{text:#?}"
    );
    assert!(
        text.stdout
            .contains("1 healthy, 0 liquidatable, 1 bankrupt"),
        "{text:#?}"
    );

    // Attack: judy's isolated unit, with its salt, record and path, in ivan's file.
    let judy_file = read_json(&judy);
    let stolen = dir.path().join("stolen.json");
    fs::copy(&ivan, &stolen).expect("copy");
    edit_json(&stolen, |p| p["units"][1] = judy_file["units"][1].clone());
    assert_json_rejection(
        &verify_inclusion_json(&stolen, &bundle),
        "isolated BTC-PERP margin unit: the record and path do not lead to the proof's root",
    );
    // Attack: ivan's isolated unit relabelled as his cross unit, salt and path kept.
    let relabelled = dir.path().join("relabelled.json");
    fs::copy(&ivan, &relabelled).expect("copy");
    edit_json(&relabelled, |p| {
        let isolated = p["units"][1].clone();
        p["units"] = Value::Array(vec![isolated]);
        p["units"][0]["margin_unit"] = Value::from("");
    });
    assert_json_rejection(
        &verify_inclusion_json(&relabelled, &bundle),
        "cross margin unit: the record and path do not lead to the proof's root",
    );
    // Attack: ivan's cross unit relabelled as an isolated one.
    let relabelled = dir.path().join("relabelled-2.json");
    fs::copy(&ivan, &relabelled).expect("copy");
    edit_json(&relabelled, |p| {
        let cross = p["units"][0].clone();
        p["units"] = Value::Array(vec![cross]);
        p["units"][0]["margin_unit"] = Value::from("ETH-PERP");
    });
    assert_json_rejection(
        &verify_inclusion_json(&relabelled, &bundle),
        "isolated ETH-PERP margin unit: the record and path do not lead to the proof's root",
    );
}

#[test]
fn a_repeated_account_and_unit_pair_is_refused_before_proving() {
    let dir = tempdir();
    let accounts = dir.path().join("accounts.csv");
    fs::write(&accounts, format!("{UNITS_CSV}ivan,BTC-PERP,,,1,,,\n")).expect("write");
    let bundle = dir.path().join("bundle");
    let run = prove(&honest().config, &accounts, &bundle);
    assert_exit(
        &run,
        2,
        &format!(
            "{}:7: column `margin_unit` (2): duplicate margin unit `BTC-PERP` of account `ivan` (already on line 3)",
            accounts.display()
        ),
    );
    assert!(!bundle.exists(), "nothing is written on bad input");
}
