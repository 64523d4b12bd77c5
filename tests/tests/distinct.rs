//! Every leaf is one account, once (SPEC §3, version 3), end to end: a venue that counts an
//! account twice cannot publish a bundle that verifies. The dishonest prover is this crate's
//! binary built with the `test-support` feature (`marginproof_prover::test_support`), which the
//! test command builds as `target/<profile>/marginproof-test-support`:
//!
//! ```text
//! cargo build -p marginproof-cli --features test-support
//! cp target/debug/marginproof target/debug/marginproof-test-support
//! cargo build -p marginproof-cli
//! ```
//!
//! On c26d831 (before the distinct keys) the same dishonest prover's bundles verified: the
//! loader's refusal of a repeated id was the only check, and it is the venue's own.

#[allow(dead_code, unused_imports)]
mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use common::{
    assert_valid, cache_dir, honest, read_json, secret_file, tempdir, verify_public_json, Run,
};

/// The dishonest binary (see the module doc).
fn dishonest_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test binary");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary is in <target>/<profile>/deps");
    let bin = profile.join(format!(
        "marginproof-test-support{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        bin.exists(),
        "{} does not exist: build it with `cargo build -p marginproof-cli --features \
         test-support && cp target/debug/marginproof target/debug/marginproof-test-support && \
         cargo build -p marginproof-cli` (the README's test command does)",
        bin.display()
    );
    bin
}

/// Runs the dishonest `prove` of `accounts` over the honest venue's configuration into `bundle`
/// in batches of `batch_size`, with the dishonest switches `env`.
fn dishonest_prove(
    accounts: &Path,
    bundle: &Path,
    batch_size: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    dishonest_prove_in(
        &honest().config,
        accounts,
        bundle,
        &["--batch-size", batch_size],
        extra,
        env,
    )
}

/// The dishonest `prove` of `config` and `accounts` into `bundle` with the options `plan` and
/// `extra`.
fn dishonest_prove_in(
    config: &Path,
    accounts: &Path,
    bundle: &Path,
    plan: &[&str],
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    let output = Command::new(dishonest_bin())
        .args([
            OsStr::new("prove"),
            OsStr::new("--config"),
            config.as_os_str(),
            OsStr::new("--accounts"),
            accounts.as_os_str(),
            OsStr::new("--out"),
            bundle.as_os_str(),
        ])
        .args(plan)
        .args([
            OsStr::new("--secret-file"),
            secret_file().as_os_str(),
            OsStr::new("--cache-dir"),
            cache_dir().as_os_str(),
        ])
        .args(extra)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("run the dishonest marginproof");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Five accounts over the honest venue's BTC, ETH and BTC-PERP; `dave` is a bankrupt borrower
/// (0.001 BTC against 1000 ETH of debt).
const BOOK: &str = "account_id,BTC,BTC_debt,ETH,ETH_debt,BTC-PERP_size,BTC-PERP_cost
alice,1,,,,,
bob,0.5,,3,,,
carol,,,10,,0.01,900
dave,0.001,,,1000,,
erin,2,,,,,
";

const ALLOW: (&str, &str) = ("MARGINPROOF_TEST_ALLOW_DUPLICATES", "1");

/// The book with `extra` rows appended, written to `dir/accounts.csv`.
fn book(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("accounts.csv");
    fs::write(&path, format!("{BOOK}{extra}")).expect("write the accounts");
    path
}

/// `verify --json` of a dishonest bundle: refused (exit 1) with `reason` in the JSON and on
/// standard error.
fn assert_refused(bundle: &Path, reason: &str) -> Value {
    let run = verify_public_json(&bundle.join("public"));
    common::assert_json_rejection(&run, reason);
    run.json()
}

/// The honest default build refuses the same file before proving anything.
#[test]
fn the_default_build_refuses_a_repeated_account() {
    let dir = tempdir();
    let accounts = book(dir.path(), "dave,0.001,,,1000,,\n");
    let run = common::prove(&honest().config, &accounts, &dir.path().join("bundle"));
    common::assert_exit(&run, 2, "dave");
    assert!(!dir.path().join("bundle").exists());
}

/// One record twice, in one batch (both copies' shuffle keys are the same, so they sit side by
/// side): the published list repeats its key.
#[test]
fn one_record_twice_in_one_batch_is_refused() {
    let dir = tempdir();
    let accounts = book(dir.path(), "alice,1,,,,,\n");
    let bundle = dir.path().join("bundle");
    assert_valid(&dishonest_prove(&accounts, &bundle, "8", &[], &[ALLOW]));
    assert_refused(&bundle, "is not greater than key");
}

/// One record twice in two batches (one account per batch).
#[test]
fn one_record_twice_in_two_batches_is_refused() {
    let dir = tempdir();
    let accounts = book(dir.path(), "erin,2,,,,,\n");
    let bundle = dir.path().join("bundle");
    assert_valid(&dishonest_prove(&accounts, &bundle, "1", &[], &[ALLOW]));
    let manifest = read_json(&bundle.join("public/manifest.json"));
    assert_eq!(manifest["batch_count"], 6);
    assert_refused(&bundle, "is not greater than key");
}

/// The copy of a small account holds another record, wide enough only for the widest size
/// class (every asset of a 40-asset venue with whales, planned in several classes): the key does
/// not depend on the record, so the two classes' leaves still repeat one key.
#[test]
fn one_account_twice_in_two_classes_is_refused() {
    let dir = tempdir();
    let venue = dir.path().join("venue");
    common::generate_whale_venue(&venue);
    let accounts = venue.join("accounts.csv");
    let text = fs::read_to_string(&accounts).expect("the generated accounts");
    let header: Vec<&str> = text.lines().next().expect("a header").split(',').collect();
    // The last small account (few holdings; whales and the market maker hold many).
    let held = |row: &[&str]| row.iter().skip(1).filter(|v| !v.is_empty()).count();
    let small: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|line| line.split(',').collect::<Vec<&str>>())
        .filter(|row| (1..=6).contains(&held(row)))
        .last()
        .expect("a small account");
    let copy: Vec<String> = header
        .iter()
        .zip(&small)
        .map(|(column, value)| {
            let asset = *column != "account_id"
                && *column != "margin_unit"
                && !column.contains('_')
                && !column.contains("PERP");
            if asset {
                "1".to_string()
            } else {
                value.to_string()
            }
        })
        .collect();
    fs::write(&accounts, format!("{text}{}\n", copy.join(","))).expect("append the copy");
    let bundle = dir.path().join("bundle");
    let proved = dishonest_prove_in(
        &venue.join("venue.toml"),
        &accounts,
        &bundle,
        &[],
        &[],
        &[ALLOW],
    );
    assert_valid(&proved);
    let manifest = read_json(&bundle.join("public/manifest.json"));
    let classes = manifest["classes"].as_array().expect("classes");
    assert!(classes.len() >= 2, "{manifest:#}");
    // The copy holds all 40 assets: only a class of 40 asset slots holds it, and the small
    // original fits the first class, which has fewer.
    assert!(classes[0]["slots"]["assets"].as_u64().expect("slots") < 40);
    assert_refused(&bundle, "is not greater than key");
}

/// A whole batch proven and listed a second time (same accounts, salts and leaves).
#[test]
fn a_reproven_duplicate_batch_is_refused() {
    let dir = tempdir();
    let accounts = book(dir.path(), "");
    let bundle = dir.path().join("bundle");
    let proved = dishonest_prove(
        &accounts,
        &bundle,
        "2",
        &[],
        &[("MARGINPROOF_TEST_REPEAT_BATCH", "1")],
    );
    assert_valid(&proved);
    let manifest = read_json(&bundle.join("public/manifest.json"));
    assert_eq!(manifest["batch_count"], 4, "three batches and a copy");
    assert_eq!(manifest["totals"]["accounts"], "7", "{manifest:#}");
    assert_refused(&bundle, "is not greater than key");
}

/// The attack the review showed on main: a bankrupt borrower counted twice doubles its debt in
/// the totals, so the published net liability `Σ b − Σ l` of the asset it owes falls (the
/// venue's coverage of it looks better). Refused, whatever list the dishonest prover publishes:
/// with the repeat (not strictly increasing), without it (fewer keys than accounts counted), or
/// with a fresh key in its place (as many keys as accounts, but not the leaves' keys: the
/// bucket identity fails and the last commitment does not open to the published totals).
#[test]
fn a_duplicated_bankrupt_borrower_is_refused() {
    let dir = tempdir();
    let accounts = book(dir.path(), "dave,0.001,,,1000,,\n");
    let honest_dir = tempdir();
    let honest_bundle = honest_dir.path().join("bundle");
    assert_valid(&common::prove(
        &honest().config,
        &book(honest_dir.path(), ""),
        &honest_bundle,
    ));
    let eth_debt = |bundle: &Path| -> String {
        let manifest = read_json(&bundle.join("public/manifest.json"));
        let eth = manifest["totals"]["assets"]
            .as_array()
            .expect("assets")
            .iter()
            .find(|a| a["symbol"] == "ETH")
            .expect("ETH")
            .clone();
        eth["debt"].as_str().expect("a debt").to_string()
    };
    for (list, reason) in [
        ("repeat", "is not greater than key"),
        (
            "drop",
            "the list holds 5 keys, but the totals' account count says 6",
        ),
        ("replace", "do not open the final totals commitment"),
    ] {
        let bundle = dir.path().join(format!("bundle-{list}"));
        let proved = dishonest_prove(
            &accounts,
            &bundle,
            "4",
            &[],
            &[ALLOW, ("MARGINPROOF_TEST_DISTINCT_LIST", list)],
        );
        assert_valid(&proved);
        // The forged totals owe twice dave's debt: 2000 ETH where the book owes 1000.
        let forged: u128 = eth_debt(&bundle).parse().expect("atoms");
        let true_debt: u128 = eth_debt(&honest_bundle).parse().expect("atoms");
        assert_eq!(forged, 2 * true_debt, "list {list}");
        assert_refused(&bundle, reason);
        if list == "drop" {
            // A manifest whose count is the accounts' does not match the list either.
            common::edit_json(&bundle.join("public/manifest.json"), |m| {
                m["distinct_keys"]["count"] = Value::from(6);
            });
            assert_refused(&bundle, "the list holds 5 keys, but the manifest says 6");
        }
    }
    // The honest bundle of the same book verifies.
    assert_valid(&verify_public_json(&honest_bundle.join("public")));
}

/// Padding leaves look like any other (SPEC §3, §9): a user whose path crosses padding sees a
/// sibling that is neither the class's public padding leaf nor the hash of two of them, so the
/// path does not tell them how many accounts their batch holds. (Up to c26d831 a padding leaf
/// was the public `empty_leaf(shape)`.)
#[test]
fn a_padding_sibling_in_an_inclusion_path_is_not_a_public_constant() {
    use marginproof_circuits::field::fp_to_hex;
    use marginproof_circuits::hash::merkle::node_hash;
    use marginproof_circuits::hash::public_padding_leaf;
    use marginproof_circuits::model::SlotShape;
    use marginproof_circuits::statement::SizeClass;

    let dir = tempdir();
    let bundle = dir.path().join("bundle");
    // Five accounts in one batch of 8: leaves 5, 6 and 7 are padding.
    let accounts = book(dir.path(), "");
    assert_valid(&common::run_args(&common::prove_args(
        &honest().config,
        &accounts,
        &bundle,
        Some(secret_file()),
        "8",
    )));
    let manifest = read_json(&bundle.join("public/manifest.json"));
    let class: SizeClass = serde_json::from_value(manifest["classes"][0].clone()).expect("a class");
    let slots: SlotShape = class.slots;
    let public_leaf = public_padding_leaf(class.code(), slots);
    let public_node = node_hash(public_leaf, public_leaf);
    let mut crossed = 0;
    for id in ["alice", "bob", "carol", "dave", "erin"] {
        let file = dir.path().join(format!("{id}.json"));
        assert_valid(&common::marginproof!(
            "inclusion",
            "--bundle",
            bundle,
            "--account",
            id,
            "--out",
            file
        ));
        let proof = read_json(&file);
        let unit = &proof["units"][0];
        let index = unit["leaf_index"].as_u64().expect("an index");
        let path: Vec<&str> = unit["path"]
            .as_array()
            .expect("a path")
            .iter()
            .map(|s| s.as_str().expect("hex"))
            .collect();
        for (level, sibling) in path.iter().enumerate() {
            assert_ne!(*sibling, fp_to_hex(&public_leaf), "{id}, level {level}");
            assert_ne!(*sibling, fp_to_hex(&public_node), "{id}, level {level}");
        }
        if index == 4 || index == 5 {
            crossed += 1;
        }
        // The user's own check still passes.
        assert_valid(&common::marginproof!(
            "verify-inclusion",
            file,
            "--manifest",
            bundle.join("public/manifest.json")
        ));
    }
    assert_eq!(crossed, 1, "leaf 4's sibling is the first padding leaf");
}
