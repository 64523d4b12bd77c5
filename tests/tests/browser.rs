//! The user's page (`web/`) and the auditor's report (`marginproof report`) in Debian's headless
//! chromium, driven by `tests/browser/drive.mjs` (playwright-core): the page's `#result` equals
//! `verify-inclusion --json` field for field, tampered or malformed inputs show `invalid` and the
//! reason, the page works offline once loaded and makes no request but its own files and the two
//! inputs; every total of the report equals `verify --json`, with no failed request and a
//! screenshot that is not blank.
//!
//! Needs what `.ci/run` installs and builds: `/usr/bin/chromium` (or `$CHROMIUM`), node with
//! `npm ci --prefix tests/browser`, and the page (`bash web/build.sh`, newer than the sources it
//! is built from).

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde_json::{Map, Value};

use common::{
    assert_exit, assert_valid, cache_dir, copy_dir, edit_json, honest, marginproof, newest_under,
    read_csv, read_json, target_dir, tempdir, workspace_root,
};

/// The newest modification time of the files under `dir` (recursively).
fn newest(dir: &Path) -> SystemTime {
    newest_under(dir).map_or(SystemTime::UNIX_EPOCH, |(t, _)| t)
}

/// `web/dist`, checked to exist and to be newer than what it is built from.
fn built_page() -> PathBuf {
    let root = workspace_root();
    let dist = root.join("web/dist");
    let wasm = dist.join("pkg/marginproof_web_bg.wasm");
    let built = fs::metadata(&wasm)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: run `bash web/build.sh`", wasm.display()));
    for sources in ["web/src", "web/static", "verifier/src", "circuits/src"] {
        assert!(
            newest(&root.join(sources)) <= built,
            "web/dist is older than {sources}: run `bash web/build.sh`"
        );
    }
    dist
}

/// Runs `node tests/browser/drive.mjs MODE SITE SPEC` and asserts that every check passes.
fn drive(mode: &str, site: &Path, spec: &Value) {
    let spec_path = site.join("spec.json");
    fs::write(&spec_path, spec.to_string()).expect("write the spec");
    let script = workspace_root().join("tests/browser/drive.mjs");
    assert!(
        workspace_root()
            .join("tests/browser/node_modules/playwright-core")
            .exists(),
        "playwright-core is missing: run `npm ci --prefix tests/browser`"
    );
    let out = Command::new("node")
        .arg(&script)
        .arg(mode)
        .arg(site)
        .arg(&spec_path)
        .output()
        .expect("run node (install Node.js)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "browser checks failed:\n{stdout}\n{stderr}"
    );
}

/// Where screenshots go: `target/browser-screenshots/` (the README's pictures are copies).
fn screenshot(name: &str) -> String {
    let dir = target_dir().join("browser-screenshots");
    fs::create_dir_all(&dir).expect("screenshot directory");
    dir.join(name).display().to_string()
}

#[test]
fn the_users_page_agrees_with_verify_inclusion() {
    let venue = honest();
    let account = read_csv(&venue.accounts)
        .into_iter()
        .find(|row| !row.cells.is_empty())
        .expect("an account with holdings")
        .id;
    page_agrees_with_verify_inclusion(venue, &account, &[], "page.png");
}

/// A portfolio-margin unit (SPEC §12) on the page: its mode, its worst shock and the loss under
/// each shock, as `verify-inclusion --json` gives them.
#[test]
fn the_users_page_shows_a_portfolio_margin_unit() {
    let expected = page_agrees_with_verify_inclusion(
        common::portfolio_venue(),
        "hedge",
        &[
            "portfolio margin",
            "Worst shock: usdt-down-10",
            "usdt-down-10",
            "btc-down-20",
        ],
        "page-portfolio.png",
    );
    assert_eq!(
        expected["units"][0]["shock_losses_usd"]["usdt-down-10"],
        "200"
    );
}

/// Serves the built page with `account`'s inclusion proof of `venue` (and three refused
/// variants); asserts `#result` is `verify-inclusion --json`'s document and the page shows the
/// account, its first unit's status and equity, and `shown`. Returns the document.
fn page_agrees_with_verify_inclusion(
    venue: &common::Venue,
    account: &str,
    shown: &[&str],
    picture: &str,
) -> Value {
    let dist = built_page();
    let dir = tempdir();
    let site = dir.path().join("site");
    copy_dir(&dist, &site);
    let files = site.join("files");
    fs::create_dir_all(&files).expect("files");
    let valid = files.join("valid.json");
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        &venue.bundle,
        "--account",
        account,
        "--out",
        &valid
    ));
    fs::copy(venue.manifest(), files.join("manifest.json")).expect("copy the manifest");
    let run = marginproof!(
        "verify-inclusion",
        &valid,
        "--manifest",
        venue.manifest(),
        "--json"
    );
    assert_valid(&run);
    let expected = run.json();

    // A changed balance, a manifest with another root, a truncated file.
    let changed = files.join("changed.json");
    fs::copy(&valid, &changed).expect("copy");
    edit_json(&changed, |p| {
        let balances = p["units"][0]["record"]["balances"]
            .as_object_mut()
            .expect("balances");
        let (_, balance) = balances.iter_mut().next().expect("a balance");
        *balance = Value::from("0.1");
    });
    let wrong_root = files.join("wrong-root.json");
    fs::copy(venue.manifest(), &wrong_root).expect("copy");
    edit_json(&wrong_root, |m| {
        m["root"] = Value::from(common::other_field_element(
            m["root"].as_str().expect("a root"),
        ))
    });
    let text = fs::read_to_string(&valid).expect("read");
    fs::write(files.join("malformed.json"), &text[..text.len() / 2]).expect("write");

    let first = &expected["units"][0];
    let mut texts = vec![
        Value::from(account),
        first["status"].clone(),
        first["equity_usd"].clone(),
    ];
    texts.extend(shown.iter().map(|t| Value::from(*t)));
    drive(
        "page",
        &site,
        &serde_json::json!({
            "expected": expected,
            "shown": texts,
            "changed_reason": "the record and path do not lead to the proof's root",
            "root_reason": "the proof's root is not the manifest's root",
            "malformed_reason": "inclusion proof: malformed JSON",
            "screenshot": screenshot(picture),
        }),
    );
    expected
}

/// Issue 32 on the page, against the command line: three snapshots of one account given out of
/// order, the second tampered: `#history` shows them in order with the tampered one refused and
/// its reason, `#verdict` and `#result` are the latest's; every unit's scenario and liquidation
/// tables equal `verify-inclusion --json`; a user with ten units is checked and shown in under
/// 100 ms.
#[test]
fn the_users_page_shows_health_and_history_as_the_cli_does() {
    let dist = built_page();
    let account = common::AT_RISK_ACCOUNT;
    let dir = tempdir();
    let site = dir.path().join("site");
    copy_dir(&dist, &site);
    let files = site.join("files");
    fs::create_dir_all(&files).expect("files");
    let venues = [honest(), common::other_snapshot(), common::third_snapshot()];
    let mut args: Vec<std::ffi::OsString> = vec!["verify-history".into()];
    for (i, venue) in venues.iter().enumerate() {
        let proof = files.join(format!("h{i}.json"));
        let manifest = files.join(format!("m{i}.json"));
        assert_valid(&marginproof!(
            "inclusion",
            "--bundle",
            &venue.bundle,
            "--account",
            &account,
            "--out",
            &proof
        ));
        fs::copy(venue.manifest(), &manifest).expect("copy a manifest");
        if i == 1 {
            edit_json(&proof, |p| {
                let balances = p["units"][0]["record"]["balances"]
                    .as_object_mut()
                    .expect("balances");
                let (_, balance) = balances.iter_mut().next().expect("a balance");
                *balance = Value::from("0.1");
            });
        }
        args.extend(["--pair".into(), proof.into(), manifest.into()]);
    }
    args.push("--json".into());
    let history = common::run_args(&args);
    assert_exit(&history, 1, "1 of 3 pairs refused");
    let ten = files.join("ten.json");
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        &venues[2].bundle,
        "--account",
        common::TEN_UNITS_ACCOUNT,
        "--out",
        &ten
    ));
    let ten_run = marginproof!(
        "verify-inclusion",
        &ten,
        "--manifest",
        venues[2].manifest(),
        "--json"
    );
    assert_valid(&ten_run);
    drive(
        "health",
        &site,
        &serde_json::json!({
            "pairs": [["h2.json", "m2.json"], ["h0.json", "m0.json"], ["h1.json", "m1.json"]],
            "snapshots": [common::SNAPSHOT_ID, common::OTHER_SNAPSHOT_ID, common::THIRD_SNAPSHOT_ID],
            "history": history.json(),
            "ten": ["ten.json", "m2.json"],
            "ten_expected": ten_run.json(),
            "screenshot": screenshot("health.png"),
        }),
    );
}

/// `verify --json` flattened to the report's `data-total` keys: nested objects and lists joined
/// with `.` (a list by index),
/// counts as decimal text; `valid` is the report's verdict, not a total.
fn flatten(prefix: &str, value: &Value, out: &mut Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Number(n) => {
            out.insert(prefix.to_string(), Value::from(n.to_string()));
        }
        Value::String(_) => {
            out.insert(prefix.to_string(), value.clone());
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_report_shows_every_total_of_verify_json() {
    let venue = honest();
    let dir = tempdir();
    let site = dir.path().join("site");
    fs::create_dir_all(&site).expect("site");
    let report = site.join("report.html");
    let run = marginproof!(
        "report",
        venue.public(),
        "--out",
        &report,
        "--cache-dir",
        cache_dir()
    );
    assert_valid(&run);
    let verify = marginproof!(
        "verify",
        venue.public(),
        "--json",
        "--cache-dir",
        cache_dir()
    );
    assert_valid(&verify);
    let mut totals = Map::new();
    flatten("", &verify.json(), &mut totals);
    assert!(totals.remove("valid").is_none(), "`valid` is a boolean");
    assert!(totals.len() > 10, "{totals:?}");
    drive(
        "report",
        &site,
        &serde_json::json!({
            "totals": totals,
            // Coverage, PnL and open interest; the scenarios; the margin distribution.
            "charts": 5,
            "screenshot": screenshot("report.png"),
        }),
    );
}

#[test]
fn a_bundle_that_does_not_verify_gets_no_report() {
    let venue = honest();
    let dir = tempdir();
    let public = dir.path().join("public");
    copy_dir(&venue.public(), &public);
    edit_json(&public.join("manifest.json"), |m| {
        m["root"] = Value::from(common::other_field_element(
            m["root"].as_str().expect("a root"),
        ))
    });
    let out = dir.path().join("report.html");
    let run = marginproof!("report", &public, "--out", &out, "--cache-dir", cache_dir());
    assert_exit(&run, 1, "root");
    assert!(!out.exists(), "no report for a bundle that does not verify");
    let _ = read_json(&public.join("manifest.json"));
}
