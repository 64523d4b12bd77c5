//! The user's account health by the command line (issue 32): `verify-inclusion` prints each unit's
//! liquidation prices, and `verify-history` checks three snapshots of one account, one of them
//! tampered: that one is refused (exit 1), the others are shown, in snapshot order, each exactly as
//! `verify-inclusion --json` shows it.

#[allow(dead_code, unused_imports)]
mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{
    assert_exit, assert_valid, edit_json, honest, marginproof, other_snapshot, read_csv, tempdir,
    third_snapshot, Venue, OTHER_SNAPSHOT_ID, SNAPSHOT_ID, THIRD_SNAPSHOT_ID,
};

/// The first account with holdings.
fn account() -> String {
    read_csv(&honest().accounts)
        .into_iter()
        .find(|row| !row.cells.is_empty())
        .expect("an account with holdings")
        .id
}

/// The account's inclusion proof in `venue`, written to `out`.
fn inclusion(venue: &Venue, out: &Path) -> PathBuf {
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        &venue.bundle,
        "--account",
        account(),
        "--out",
        out
    ));
    out.to_path_buf()
}

/// `verify-inclusion PROOF --manifest MANIFEST --json`.
fn verify_inclusion_json(proof: &Path, manifest: &Path) -> (Option<i32>, Value) {
    let run = marginproof!("verify-inclusion", proof, "--manifest", manifest, "--json");
    (run.code, run.json())
}

/// Whether some unit of a `verify-inclusion --json` document has a liquidation price.
fn has_a_price(json: &Value) -> bool {
    json["units"].as_array().into_iter().flatten().any(|unit| {
        unit["liquidation_prices"]
            .as_object()
            .into_iter()
            .flat_map(|prices| prices.values())
            .any(|p| p["liquidatable"].is_string() || p["bankrupt"].is_string())
    })
}

#[test]
fn verify_inclusion_prints_the_liquidation_prices_it_puts_in_its_json() {
    let dir = tempdir();
    // The first account some price would liquidate (a spot holder with no debt has none).
    let (proof, json) = read_csv(&honest().accounts)
        .into_iter()
        .filter(|row| !row.cells.is_empty())
        .find_map(|row| {
            let out = dir.path().join(format!("{}.json", row.id));
            assert_valid(&marginproof!(
                "inclusion",
                "--bundle",
                &honest().bundle,
                "--account",
                &row.id,
                "--out",
                &out
            ));
            let (code, json) = verify_inclusion_json(&out, &honest().manifest());
            assert_eq!(code, Some(0));
            has_a_price(&json).then_some((out, json))
        })
        .expect("an account with a liquidation price");
    let text = marginproof!(
        "verify-inclusion",
        &proof,
        "--manifest",
        honest().manifest()
    );
    assert_valid(&text);
    assert!(
        text.stdout.contains("liquidation prices"),
        "{}",
        text.stdout
    );
    for unit in json["units"].as_array().expect("units") {
        assert!(text
            .stdout
            .contains(unit["buffer_usd"].as_str().expect("a buffer")));
        for (symbol, prices) in unit["liquidation_prices"].as_object().expect("prices") {
            assert!(text.stdout.contains(symbol.as_str()), "{symbol}");
            for (price, moved) in [
                ("liquidatable", "liquidatable_move_pct"),
                ("bankrupt", "bankrupt_move_pct"),
            ] {
                if let (Some(price), Some(moved)) = (prices[price].as_str(), prices[moved].as_str())
                {
                    let sign = if moved.starts_with('-') { "" } else { "+" };
                    let shown = format!("{price} ({sign}{moved}%)");
                    assert!(text.stdout.contains(&shown), "{shown}:\n{}", text.stdout);
                }
            }
        }
    }
}

#[test]
fn a_history_of_three_snapshots_with_one_tampered() {
    let dir = tempdir();
    let first = inclusion(honest(), &dir.path().join("first.json"));
    let second = inclusion(other_snapshot(), &dir.path().join("second.json"));
    let third = inclusion(third_snapshot(), &dir.path().join("third.json"));
    // The second snapshot's file: a balance changed.
    edit_json(&second, |p| {
        let balances = p["units"][0]["record"]["balances"]
            .as_object_mut()
            .expect("balances");
        let (_, balance) = balances.iter_mut().next().expect("a balance");
        *balance = Value::from("0.1");
    });
    let manifests = [
        honest().manifest(),
        other_snapshot().manifest(),
        third_snapshot().manifest(),
    ];
    let proofs = [&first, &second, &third];

    // Given out of order; shown in snapshot order.
    let pairs = |json: bool| {
        let mut args: Vec<std::ffi::OsString> = vec!["verify-history".into()];
        for i in [2, 0, 1] {
            args.extend([
                "--pair".into(),
                proofs[i].into(),
                manifests[i].clone().into(),
            ]);
        }
        if json {
            args.push("--json".into());
        }
        common::run_args(&args)
    };
    let run = pairs(true);
    assert_exit(&run, 1, "1 of 3 pairs refused");
    let history = run.json();
    let history = history.as_array().expect("an array");
    assert_eq!(history.len(), 3);
    for (i, entry) in history.iter().enumerate() {
        let (code, expected) = verify_inclusion_json(proofs[i], &manifests[i]);
        assert_eq!(entry, &expected, "snapshot {i}");
        assert_eq!(code, Some(if i == 1 { 1 } else { 0 }), "snapshot {i}");
    }
    assert_eq!(history[0]["valid"], true);
    assert_eq!(history[1]["valid"], false);
    assert!(history[1]["reason"]
        .as_str()
        .expect("a reason")
        .contains("do not lead to the proof's root"));
    assert_eq!(history[2]["valid"], true);

    let run = pairs(false);
    assert_exit(&run, 1, "1 of 3 pairs refused");
    let at = |needle: &str| {
        run.stdout
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not in:\n{}", run.stdout))
    };
    // Each snapshot's row, in order, the refused one saying so.
    let rows = [
        format!("{SNAPSHOT_ID} "),
        format!("{OTHER_SNAPSHOT_ID} "),
        format!("{THIRD_SNAPSHOT_ID} "),
    ];
    assert!(at(&rows[0]) < at(&rows[1]) && at(&rows[1]) < at(&rows[2]));
    assert!(run.stdout.contains("REFUSED"), "{}", run.stdout);
    for entry in [&history[0], &history[2]] {
        let unit = &entry["units"][0];
        assert!(run
            .stdout
            .contains(unit["buffer_usd"].as_str().expect("buffer")));
    }

    // All three intact: exit 0.
    let intact = inclusion(other_snapshot(), &dir.path().join("second-intact.json"));
    let run = marginproof!(
        "verify-history",
        "--pair",
        &first,
        &manifests[0],
        "--pair",
        &intact,
        &manifests[1],
        "--json"
    );
    assert_valid(&run);
    assert_eq!(run.json().as_array().map(Vec::len), Some(2));
}
