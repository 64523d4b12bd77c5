//! End-to-end tests of the `marginproof` binary (SPEC §6): exit codes, the reasons it gives, and
//! the JSON it prints, on a tiny synthetic venue (12 accounts, 2 assets, 1 market, batches of 4).
//!
//! The honest bundle is proven once per test binary (see `common::honest`); every tampering test
//! works on its own copy of `public/` or of an inclusion proof.
//!
//! Run `cargo build -p marginproof-cli` before `cargo test -p marginproof-tests` (or run
//! `cargo test --workspace`, which builds the binary).

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use marginproof_circuits::model::{evaluate, AccountRecord, RecordInUnits, Status};
use marginproof_circuits::RiskParams;
use marginproof_prover::input::load_config;
use num_bigint::BigInt;
use serde_json::Value;
use tempfile::TempDir;

use common::{
    assert_exit, assert_json_rejection, assert_valid, cache_dir, edit_json, honest, marginproof,
    other_field_element, other_snapshot, position, proof_path, public_copy, read_csv, read_json,
    scaled, secret_file, CsvRow, Run, ACCOUNTS, OTHER_SNAPSHOT_ID, SNAPSHOT_ID,
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `verify PUBLIC --json`.
fn verify_json(public: &Path) -> Run {
    marginproof!("verify", public, "--json", "--cache-dir", cache_dir())
}

/// Asserts that `verify --json` rejects `public` (exit 1) naming `reason`.
fn assert_verify_rejects(public: &Path, reason: &str) {
    assert_json_rejection(&verify_json(public), reason);
}

/// The configuration's asset and market symbols with their decimals, from a manifest.
fn symbols(manifest: &Value, section: &str) -> Vec<(String, usize)> {
    manifest["config"][section]
        .as_array()
        .unwrap_or_else(|| panic!("config.{section} is an array"))
        .iter()
        .map(|entry| {
            (
                entry["symbol"].as_str().expect("symbol").to_string(),
                entry["decimals"].as_u64().expect("decimals") as usize,
            )
        })
        .collect()
}

/// The honest venue's configuration, read from its TOML file.
fn honest_params() -> RiskParams {
    load_config(&honest().config).expect("the generated configuration is valid")
}

/// A CSV row as the model's record.
fn model_record(row: &CsvRow, params: &RiskParams) -> AccountRecord {
    let assets: Vec<String> = params.assets.iter().map(|a| a.symbol.clone()).collect();
    let markets: Vec<String> = params.markets.iter().map(|m| m.symbol.clone()).collect();
    AccountRecord::from_units(&row.id, &row.record(&assets, &markets), params)
        .unwrap_or_else(|e| panic!("{}: {e}", row.id))
}

/// A count in the report: a JSON number, or a decimal string.
fn count(value: &Value) -> BigInt {
    match value {
        Value::Number(n) => BigInt::from(n.as_u64().expect("a non-negative integer")),
        Value::String(s) => scaled(s, 0),
        other => panic!("not a count: {other}"),
    }
}

/// A JSON string field read as an exact decimal at `scale`.
fn decimal(value: &Value, scale: usize) -> BigInt {
    scaled(
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a string: {value}")),
        scale,
    )
}

/// Writes the honest inclusion proof of `account` into `dir`; returns its path.
fn inclusion_proof(dir: &Path, account: &str) -> PathBuf {
    let out = dir.join(format!("{account}.inclusion.json"));
    let run = marginproof!(
        "inclusion",
        "--bundle",
        honest().bundle,
        "--account",
        account,
        "--out",
        out
    );
    assert_valid(&run);
    assert!(out.is_file(), "{run:#?}");
    out
}

/// `verify-inclusion PROOF --manifest MANIFEST --json`.
fn verify_inclusion_json(proof: &Path, manifest: &Path) -> Run {
    marginproof!("verify-inclusion", proof, "--manifest", manifest, "--json")
}

/// Asserts that `verify-inclusion --json` rejects `proof` against `manifest` naming `reason`.
fn assert_inclusion_rejects(proof: &Path, manifest: &Path, reason: &str) {
    assert_json_rejection(&verify_inclusion_json(proof, manifest), reason);
}

/// The account the inclusion tampering tests use: the first that holds the first asset, so it
/// has a balance to change.
fn account() -> String {
    let venue = honest();
    let manifest = read_json(&venue.manifest());
    let (asset, _) = symbols(&manifest, "assets").remove(0);
    read_csv(&venue.accounts)
        .into_iter()
        .find(|row| row.cells.contains_key(&asset))
        .expect("an account holds the first asset")
        .id
}

/// `text` (a decimal) with its last digit changed: a different value, with no more digits, and
/// never zero from a non-zero value.
fn bump_last_digit(text: &str) -> String {
    let (head, last) = text.split_at(text.len() - 1);
    let digit = last.parse::<u8>().expect("ends with a digit");
    let changed = if digit == 9 { 8 } else { digit + 1 };
    format!("{head}{changed}")
}

/// Replaces the string at `value` with [`bump_last_digit`] of it.
fn bump(value: &mut Value) {
    let text = value.as_str().expect("a decimal string").to_string();
    *value = Value::String(bump_last_digit(&text));
}

// ---------------------------------------------------------------------------------------------
// 1. The honest bundle verifies, and its report is the sum of the accounts file
// ---------------------------------------------------------------------------------------------

#[test]
fn verify_accepts_the_honest_bundle() {
    let run = marginproof!("verify", honest().public(), "--cache-dir", cache_dir());
    assert_valid(&run);
    assert!(run.stdout.starts_with("VALID"), "{run:#?}");
}

#[test]
fn verify_json_reports_the_totals_of_the_accounts_file() {
    let venue = honest();
    let run = verify_json(&venue.public());
    assert_valid(&run);
    let json = run.json();
    assert_eq!(json["valid"], Value::Bool(true), "{json:#}");
    for key in [
        "accounts",
        "liquidatable",
        "bankrupt",
        "equity_usd",
        "bad_debt_usd",
        "assets",
        "markets",
    ] {
        assert!(json.get(key).is_some(), "no `{key}` in {json:#}");
    }

    let rows = read_csv(&venue.accounts);
    assert_eq!(rows.len(), ACCOUNTS);
    assert_eq!(count(&json["accounts"]), BigInt::from(ACCOUNTS));

    let manifest = read_json(&venue.manifest());
    let assets = symbols(&manifest, "assets");
    let markets = symbols(&manifest, "markets");
    assert_eq!(assets.len(), 2);
    assert_eq!(markets.len(), 1);
    for (symbol, decimals) in &assets {
        let report = &json["assets"][symbol];
        let balance: BigInt = rows.iter().map(|r| r.scaled(symbol, *decimals)).sum();
        let debt: BigInt = rows
            .iter()
            .map(|r| r.scaled(&format!("{symbol}_debt"), *decimals))
            .sum();
        assert_eq!(decimal(&report["balance"], *decimals), balance, "{symbol}");
        assert_eq!(decimal(&report["debt"], *decimals), debt, "{symbol}");
    }
    for (symbol, decimals) in &markets {
        let report = &json["markets"][symbol];
        let sizes: Vec<BigInt> = rows
            .iter()
            .map(|r| r.scaled(&format!("{symbol}_size"), *decimals))
            .collect();
        let net: BigInt = sizes.iter().sum();
        let open_interest: BigInt = sizes
            .iter()
            .map(|s| BigInt::from(s.magnitude().clone()))
            .sum::<BigInt>();
        assert_ne!(open_interest, BigInt::from(0), "{symbol} has positions");
        assert_eq!(decimal(&report["net_size"], *decimals), net, "{symbol}");
        assert_eq!(
            decimal(&report["open_interest"], *decimals),
            open_interest,
            "{symbol}"
        );
    }

    // Statuses, equity owed and bad debt, from the model applied to each CSV row.
    let params = honest_params();
    let (mut liquidatable, mut bankrupt) = (0u64, 0u64);
    let (mut equity, mut bad_debt) = (BigInt::from(0), BigInt::from(0));
    for row in &rows {
        let risk = evaluate(&params, &model_record(row, &params));
        match risk.status {
            Status::Healthy => {}
            Status::Liquidatable => liquidatable += 1,
            Status::Bankrupt => bankrupt += 1,
        }
        if risk.equity > BigInt::from(0) {
            equity += &risk.equity;
        } else {
            bad_debt -= &risk.equity;
        }
    }
    assert!(
        liquidatable >= 1 && bankrupt >= 1,
        "the test venue has every status"
    );
    assert_eq!(count(&json["liquidatable"]), BigInt::from(liquidatable));
    assert_eq!(count(&json["bankrupt"]), BigInt::from(bankrupt));
    assert_eq!(decimal(&json["equity_usd"], 18), equity);
    assert_eq!(decimal(&json["bad_debt_usd"], 18), bad_debt);
}

// ---------------------------------------------------------------------------------------------
// 2. `verify` rejects every tampered bundle (exit 1) and says why
// ---------------------------------------------------------------------------------------------

#[test]
fn verify_rejects_flipped_proof_byte() {
    let (_dir, public) = public_copy();
    let path = proof_path(&public, 1);
    let mut bytes = fs::read(&path).expect("read proof");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(&path, bytes).expect("write proof");
    assert_verify_rejects(&public, "batch 1: proof does not verify");
}

/// Adds one to the integer string at `value`.
fn increment(value: &mut Value) {
    let n = scaled(value.as_str().expect("an integer string"), 0);
    *value = Value::String((n + 1u32).to_string());
}

/// The account count is the number of published distinct keys (SPEC §3, version 3): a count
/// changed alone is refused against the list before any proof is read. A count changed with the
/// list to match (one more key, still sorted, and the manifest's count) changes the list's digest,
/// which the snapshot's challenges are drawn after: batch 0's proof is the first that fails.
/// (Were the challenges the same, the last commitment would not open: it commits to the true
/// count.)
#[test]
fn verify_rejects_changed_account_count() {
    use ff::PrimeField;
    use marginproof_circuits::field::Fp;
    use marginproof_circuits::model::distinct::KEY_BYTES;
    use marginproof_circuits::statement::DISTINCT_KEYS_FILE;

    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        increment(&mut m["totals"]["accounts"])
    });
    assert_verify_rejects(
        &public,
        &format!(
            "distinct keys: the list holds {ACCOUNTS} keys, but the totals' account count says {}",
            ACCOUNTS + 1
        ),
    );

    // One more key, above the last: the list stays sorted and holds as many keys as the count.
    let list = public.join(DISTINCT_KEYS_FILE);
    let mut bytes = fs::read(&list).expect("the distinct keys");
    assert_eq!(bytes.len(), ACCOUNTS * KEY_BYTES);
    let mut last = [0u8; KEY_BYTES];
    last.copy_from_slice(&bytes[bytes.len() - KEY_BYTES..]);
    let last = Option::<Fp>::from(Fp::from_repr(last)).expect("a canonical key");
    bytes.extend_from_slice(&(last + Fp::one()).to_repr());
    fs::write(&list, bytes).expect("write the distinct keys");
    edit_json(&public.join("manifest.json"), |m| {
        assert_eq!(m["distinct_keys"]["count"], ACCOUNTS);
        m["distinct_keys"]["count"] = (ACCOUNTS + 1).into();
    });
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

/// A per-instrument total is an input of the snapshot's bucket challenges (public inputs of every
/// batch proof), so changing one changes every batch's statement: batch 0's proof is the first
/// that fails. (Were the challenges the same, the last commitment would not open: its bucket sum
/// is the true totals' side of the identity.)
#[test]
fn verify_rejects_changed_asset_balance_total() {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        increment(&mut m["totals"]["assets"][0]["balance"])
    });
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

#[test]
fn verify_rejects_changed_totals_blinding() {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        let blinding = m["totals_blinding"].as_str().expect("blinding").to_string();
        m["totals_blinding"] = Value::String(other_field_element(&blinding));
    });
    assert_verify_rejects(
        &public,
        "the published totals and blinding do not open the final totals commitment",
    );
}

#[test]
fn verify_rejects_changed_price() {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        bump(&mut m["config"]["assets"][0]["price"]);
    });
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

#[test]
fn verify_rejects_changed_haircut_rate() {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        // The first tier takes the second tier's rate: still a valid (non-increasing) table, so
        // only the proofs can object.
        let haircut = &mut m["config"]["assets"][0]["haircut"];
        let next = haircut[1]["rate"].clone();
        assert_ne!(haircut[0]["rate"], next, "the first two tiers differ");
        haircut[0]["rate"] = next;
    });
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

#[test]
fn verify_rejects_changed_tier_boundary() {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        // A boundary one unit (of its last digit) away: still below the next boundary.
        bump(&mut m["config"]["assets"][0]["haircut"][0]["up_to"]);
    });
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

#[test]
fn verify_rejects_swapped_batch_proofs() {
    let (_dir, public) = public_copy();
    let (a, b) = (proof_path(&public, 0), proof_path(&public, 1));
    let (bytes_a, bytes_b) = (fs::read(&a).expect("read"), fs::read(&b).expect("read"));
    assert_ne!(bytes_a, bytes_b);
    fs::write(&a, bytes_b).expect("write");
    fs::write(&b, bytes_a).expect("write");
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

#[test]
fn verify_rejects_proof_from_another_snapshot_of_the_same_accounts() {
    let (_dir, public) = public_copy();
    let other = proof_path(&other_snapshot().public(), 0);
    fs::copy(other, proof_path(&public, 0)).expect("copy the other snapshot's proof");
    assert_verify_rejects(&public, "batch 0: proof does not verify");
}

#[test]
fn verify_rejects_truncated_proof() {
    let (_dir, public) = public_copy();
    let path = proof_path(&public, 1);
    let bytes = fs::read(&path).expect("read proof");
    fs::write(&path, &bytes[..bytes.len() / 2]).expect("write proof");
    assert_verify_rejects(&public, "batch 1: proof does not verify");
}

#[test]
fn verify_rejects_bytes_appended_to_proof() {
    let (_dir, public) = public_copy();
    let path = proof_path(&public, 1);
    let mut bytes = fs::read(&path).expect("read proof");
    bytes.extend_from_slice(&[0, 1, 2]);
    fs::write(&path, bytes).expect("write proof");
    assert_verify_rejects(&public, "batch 1: 3 bytes after the end of the proof");
}

#[test]
fn verify_rejects_missing_proof_file() {
    let (_dir, public) = public_copy();
    let path = proof_path(&public, 1);
    fs::remove_file(&path).expect("remove proof");
    let os_reason = fs::File::open(&path).expect_err("removed").to_string();
    let run = verify_json(&public);
    // Names the file, and says it is missing.
    assert_json_rejection(&run, "batch-000001.proof");
    assert!(
        run.stderr.contains("missing") || run.stderr.contains(&os_reason),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_rejects_manifest_that_is_not_json() {
    let (_dir, public) = public_copy();
    fs::write(
        public.join("manifest.json"),
        "<manifest>not JSON</manifest>\n",
    )
    .expect("write");
    let run = verify_json(&public);
    assert_json_rejection(&run, "manifest.json");
    assert_json_rejection(&run, "expected value");
}

#[test]
fn verify_rejects_truncated_manifest() {
    let (_dir, public) = public_copy();
    let path = public.join("manifest.json");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, &text[..text.len() / 2]).expect("write");
    let run = verify_json(&public);
    assert_json_rejection(&run, "manifest.json");
    assert_json_rejection(&run, "EOF while parsing");
}

#[test]
fn verify_rejects_batch_count_inconsistent_with_batches() {
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        assert_eq!(m["batch_count"], 3);
        m["batch_count"] = 2.into();
    });
    assert_verify_rejects(&public, "batch_count");
}

// ---------------------------------------------------------------------------------------------
// 3. Inclusion proofs of every account verify and value the account as the model does
// ---------------------------------------------------------------------------------------------

#[test]
fn inclusion_proofs_verify_for_every_account() {
    let venue = honest();
    let params = honest_params();
    let dir = TempDir::new().expect("tempdir");
    let rows = read_csv(&venue.accounts);
    assert_eq!(rows.len(), ACCOUNTS);
    let expected_keys: BTreeSet<&str> = [
        "valid",
        "account_id",
        "status",
        "adjusted_equity_usd",
        "equity_usd",
        "maintenance_usd",
        "margin_ratio",
        "margin_mode",
        "units",
        "owner",
        "scenarios",
    ]
    .into();
    assert!(!params.scenarios.is_empty(), "the test venue has scenarios");
    let mut statuses = BTreeSet::new();
    for row in &rows {
        let record = model_record(row, &params);
        let risk = evaluate(&params, &record);
        let proof = inclusion_proof(dir.path(), &row.id);

        // The record the user receives is exactly their CSV row.
        let proof_json = read_json(&proof);
        let units: RecordInUnits = serde_json::from_value(proof_json["units"][0]["record"].clone())
            .expect("a record in units");
        assert_eq!(
            AccountRecord::from_units(&row.id, &units, &params).expect("a valid record"),
            record
        );

        let run = verify_inclusion_json(&proof, &venue.manifest());
        assert_valid(&run);
        let json = run.json();
        let keys: BTreeSet<&str> = json
            .as_object()
            .expect("a JSON object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, expected_keys, "{json:#}");
        assert_eq!(json["valid"], Value::Bool(true));
        assert_eq!(json["account_id"], row.id.as_str());
        assert_eq!(json["status"], risk.status.as_str(), "{}", row.id);
        assert_eq!(decimal(&json["equity_usd"], 18), risk.equity, "{}", row.id);
        assert_eq!(
            decimal(&json["adjusted_equity_usd"], 24),
            risk.adjusted_equity,
            "{}",
            row.id
        );
        assert_eq!(
            decimal(&json["maintenance_usd"], 24),
            risk.maintenance,
            "{}",
            row.id
        );
        match risk.margin_ratio_ppm() {
            None => assert_eq!(json["margin_ratio"], Value::Null, "{}", row.id),
            Some(ppm) => assert_eq!(decimal(&json["margin_ratio"], 6), ppm, "{}", row.id),
        }
        // And under each scenario, the whole model at the scenario's prices.
        for s in &params.scenarios {
            let at = marginproof_circuits::model::evaluate_at(&params, &s.prices, &record);
            let view = &json["scenarios"][&s.name];
            assert_eq!(view["status"], at.status.as_str(), "{} {}", row.id, s.name);
            assert_eq!(decimal(&view["equity_usd"], 18), at.equity, "{}", row.id);
            assert_eq!(
                decimal(&view["maintenance_usd"], 24),
                at.maintenance,
                "{}",
                row.id
            );
        }
        statuses.insert(risk.status.as_str());
    }
    assert_eq!(
        statuses,
        ["bankrupt", "healthy", "liquidatable"].into(),
        "the test venue has every status"
    );
}

#[test]
fn verify_inclusion_prints_a_readable_report() {
    let dir = TempDir::new().expect("tempdir");
    let account = account();
    let proof = inclusion_proof(dir.path(), &account);
    let run = marginproof!("verify-inclusion", proof, "--manifest", honest().manifest());
    assert_valid(&run);
    assert!(run.stdout.contains("inclusion proof verified"), "{run:#?}");
    assert!(run.stdout.contains(&account), "{run:#?}");
}

#[test]
fn inclusion_to_standard_output_is_the_same_proof() {
    let dir = TempDir::new().expect("tempdir");
    let account = account();
    let proof = inclusion_proof(dir.path(), &account);
    let run = marginproof!(
        "inclusion",
        "--bundle",
        honest().bundle,
        "--account",
        account
    );
    assert_valid(&run);
    assert_eq!(run.json(), read_json(&proof));
}

#[test]
fn inclusion_of_an_unknown_account_exits_2() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().join("nobody.json");
    let run = marginproof!(
        "inclusion",
        "--bundle",
        honest().bundle,
        "--account",
        "nobody",
        "--out",
        out
    );
    assert_exit(&run, 2, "account `nobody` is not in this snapshot");
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------------
// 4. `verify-inclusion` rejects tampered proofs (exit 1) and says why
// ---------------------------------------------------------------------------------------------

/// The honest proof of [`account`] in a fresh directory, after `edit`.
fn tampered_inclusion(edit: impl FnOnce(&mut Value)) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("tempdir");
    let proof = inclusion_proof(dir.path(), &account());
    edit_json(&proof, edit);
    (dir, proof)
}

const NOT_IN_TREE: &str = "the record and path do not lead to the proof's root";

#[test]
fn verify_inclusion_rejects_changed_balance() {
    let (_dir, proof) = tampered_inclusion(|p| {
        let balances = p["units"][0]["record"]["balances"]
            .as_object_mut()
            .expect("balances");
        let (_, balance) = balances.iter_mut().next().expect("a balance");
        bump(balance);
    });
    assert_inclusion_rejects(&proof, &honest().manifest(), NOT_IN_TREE);
}

#[test]
fn verify_inclusion_rejects_wrong_salt() {
    let (_dir, proof) = tampered_inclusion(|p| {
        let salt = p["units"][0]["salt"].as_str().expect("salt").to_string();
        p["units"][0]["salt"] = Value::String(other_field_element(&salt));
    });
    assert_inclusion_rejects(&proof, &honest().manifest(), NOT_IN_TREE);
}

#[test]
fn verify_inclusion_rejects_wrong_sibling() {
    let (_dir, proof) = tampered_inclusion(|p| {
        let sibling = &mut p["units"][0]["path"][1];
        let changed = other_field_element(sibling.as_str().expect("sibling"));
        *sibling = Value::String(changed);
    });
    assert_inclusion_rejects(&proof, &honest().manifest(), NOT_IN_TREE);
}

#[test]
fn verify_inclusion_rejects_changed_root_in_proof() {
    let (_dir, proof) = tampered_inclusion(|p| {
        let root = p["root"].as_str().expect("root").to_string();
        p["root"] = Value::String(other_field_element(&root));
    });
    assert_inclusion_rejects(&proof, &honest().manifest(), NOT_IN_TREE);
}

#[test]
fn verify_inclusion_rejects_manifest_with_another_root() {
    let dir = TempDir::new().expect("tempdir");
    let proof = inclusion_proof(dir.path(), &account());
    let manifest = dir.path().join("manifest.json");
    fs::copy(honest().manifest(), &manifest).expect("copy the manifest");
    edit_json(&manifest, |m| {
        let root = m["root"].as_str().expect("root").to_string();
        m["root"] = Value::String(other_field_element(&root));
    });
    assert_inclusion_rejects(
        &proof,
        &manifest,
        "the proof's root is not the manifest's root",
    );
}

#[test]
fn verify_inclusion_rejects_manifest_of_another_snapshot() {
    let other = other_snapshot().manifest();
    let dir = TempDir::new().expect("tempdir");
    let proof = inclusion_proof(dir.path(), &account());
    assert_inclusion_rejects(
        &proof,
        &other,
        &format!(
            "the proof is for snapshot `{SNAPSHOT_ID}`, the manifest for `{OTHER_SNAPSHOT_ID}`"
        ),
    );

    // With the snapshot id rewritten to match, the path still leads to this snapshot's root.
    edit_json(&proof, |p| {
        p["snapshot_id"] = Value::String(OTHER_SNAPSHOT_ID.into())
    });
    assert_inclusion_rejects(
        &proof,
        &other,
        "the proof's root is not the manifest's root",
    );
}

#[test]
fn verify_inclusion_rejects_truncated_json() {
    let dir = TempDir::new().expect("tempdir");
    let proof = inclusion_proof(dir.path(), &account());
    let text = fs::read_to_string(&proof).expect("read");
    fs::write(&proof, &text[..text.len() / 2]).expect("write");
    assert_inclusion_rejects(
        &proof,
        &honest().manifest(),
        "inclusion proof: malformed JSON",
    );
}

#[test]
fn verify_inclusion_of_a_missing_file_exits_2() {
    let dir = TempDir::new().expect("tempdir");
    let absent = dir.path().join("absent.json");
    let run = verify_inclusion_json(&absent, &honest().manifest());
    assert_exit(&run, 2, &absent.display().to_string());

    let proof = inclusion_proof(dir.path(), &account());
    let absent = dir.path().join("absent-manifest.json");
    let run = verify_inclusion_json(&proof, &absent);
    assert_exit(&run, 2, &absent.display().to_string());
}

// ---------------------------------------------------------------------------------------------
// 5. Invalid venue input: `prove` exits 2, names file, line and column, and writes nothing
// ---------------------------------------------------------------------------------------------

const CONFIG: &str = r#"[snapshot]
id = "bad-input"
venue = "Test Venue"
liquidation_threshold = "1.00"

[[assets]]
symbol = "BTC"
decimals = 8
price = "97123.45"
haircut = [ { up_to = "30000000", rate = "1.00" }, { rate = "0.95" } ]
maintenance = [ { rate = "0.05" } ]

[[assets]]
symbol = "USDT"
decimals = 6
price = "1"
haircut = [ { rate = "1.00" } ]
maintenance = [ { rate = "0.02" } ]

[[markets]]
symbol = "BTC-PERP"
decimals = 4
mark_price = "97100"
maintenance = [ { rate = "0.01" } ]
"#;

/// Columns 1 to 7.
const HEADER: &str = "account_id,BTC,BTC_debt,USDT,USDT_debt,BTC-PERP_size,BTC-PERP_cost";

/// Valid accounts on lines 2 and 3.
fn accounts(extra: &str) -> String {
    format!("{HEADER}\nacct-1,1,,100,,,\nacct-2,,,,,0.5,48550\n{extra}")
}

/// What a refused `prove` left.
struct Refused {
    _dir: TempDir,
    config: PathBuf,
    accounts: PathBuf,
    run: Run,
}

/// Runs `prove` on the given files and checks that it exits 2 and writes nothing: no bundle, and
/// no partial directory beside it.
fn prove_refuses(config: &str, accounts: &str, extra_args: &[&str]) -> Refused {
    let dir = TempDir::new().expect("tempdir");
    let config_path = dir.path().join("venue.toml");
    let accounts_path = dir.path().join("accounts.csv");
    fs::write(&config_path, config).expect("write venue.toml");
    fs::write(&accounts_path, accounts).expect("write accounts.csv");
    let out = dir.path().join("bundle");
    let cache = cache_dir();
    let mut args: Vec<&OsStr> = vec![
        "prove".as_ref(),
        "--config".as_ref(),
        config_path.as_os_str(),
        "--accounts".as_ref(),
        accounts_path.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--secret-file".as_ref(),
        secret_file().as_os_str(),
        "--cache-dir".as_ref(),
        cache.as_os_str(),
    ];
    args.extend(extra_args.iter().map(OsStr::new));
    let run = common::run(&args);
    assert_eq!(run.code, Some(2), "expected exit 2:\n{run:#?}");
    assert!(!out.exists(), "{} was written", out.display());
    let left: Vec<String> = fs::read_dir(dir.path())
        .expect("list the directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "venue.toml" && name != "accounts.csv")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    Refused {
        _dir: dir,
        config: config_path,
        accounts: accounts_path,
        run,
    }
}

impl Refused {
    /// Asserts that the message starts with `FILE:LINE` of the accounts file and goes on with
    /// `rest` (column and problem).
    fn assert_accounts(&self, line: usize, rest: &str) {
        let expected = format!("{}:{line}: {rest}", self.accounts.display());
        assert!(
            self.run.stderr.contains(&expected),
            "stderr does not contain `{expected}`:\n{}",
            self.run.stderr
        );
    }

    /// Asserts that the message starts with `FILE:LINE:COLUMN: ` of the configuration file and
    /// goes on with `rest`.
    fn assert_config(&self, (line, column): (usize, usize), rest: &str) {
        let expected = format!("{}:{line}:{column}: {rest}", self.config.display());
        assert!(
            self.run.stderr.contains(&expected),
            "stderr does not contain `{expected}`:\n{}",
            self.run.stderr
        );
    }
}

#[test]
fn prove_refuses_unknown_csv_column() {
    let text = "account_id,BTC,DOGE,USDT\nacct-1,1,2,3\n";
    prove_refuses(CONFIG, text, &[]).assert_accounts(1, "column `DOGE` (3): unknown column");
}

#[test]
fn prove_refuses_negative_balance() {
    let text = accounts("acct-3,-1,,,,,\n");
    prove_refuses(CONFIG, &text, &[]).assert_accounts(4, "column `BTC` (2): must not be negative");
}

#[test]
fn prove_refuses_more_decimals_than_the_asset_has() {
    let text = accounts("acct-3,,,1.0000001,,,\n");
    prove_refuses(CONFIG, &text, &[]).assert_accounts(
        4,
        "column `USDT` (4): `1.0000001` has more than 6 fractional digits",
    );
}

#[test]
fn prove_refuses_two_to_the_64_atoms() {
    // 2^64 satoshi is 184467440737.09551616 BTC.
    let text = accounts("acct-3,,184467440737.09551616,,,,\n");
    prove_refuses(CONFIG, &text, &[]).assert_accounts(
        4,
        "column `BTC_debt` (3): out of range: must be below 2^64 atoms",
    );
    let text = accounts("acct-3,,,,,,\nacct-4,,,123456789012345678901234567890,,,\n");
    prove_refuses(CONFIG, &text, &[]).assert_accounts(
        5,
        "column `USDT` (4): out of range: must be below 2^64 atoms",
    );
}

#[test]
fn prove_refuses_duplicate_account_id() {
    let text = accounts("acct-1,2,,,,,\n");
    prove_refuses(CONFIG, &text, &[]).assert_accounts(
        4,
        "column `account_id` (1): duplicate account id `acct-1` (already on line 2)",
    );
}

#[test]
fn prove_refuses_malformed_toml() {
    let config = CONFIG.replace("decimals = 6", "decimals = = 6");
    let at = position(&config, "symbol = \"USDT\"", "= 6");
    prove_refuses(&config, &accounts(""), &[]).assert_config(at, "");

    // An unterminated string is reported on its own line.
    let config = CONFIG.replace("venue = \"Test Venue\"", "venue = \"Test Venue");
    let refused = prove_refuses(&config, &accounts(""), &[]);
    let prefix = format!("{}:3:", refused.config.display());
    assert!(refused.run.stderr.contains(&prefix), "{:#?}", refused.run);
}

#[test]
fn prove_refuses_price_not_representable() {
    // BTC has 8 decimals: a price has at most 10 fractional digits in ν per satoshi.
    let config = CONFIG.replace("price = \"97123.45\"", "price = \"1.1234567891234\"");
    let at = position(&config, "", "\"1.1234567891234\"");
    prove_refuses(&config, &accounts(""), &[]).assert_config(
        at,
        "assets[0].price: price `1.1234567891234` is not representable",
    );
}

#[test]
fn prove_refuses_increasing_haircut_rates() {
    let config = CONFIG.replace(
        "{ up_to = \"30000000\", rate = \"1.00\" }, { rate = \"0.95\" }",
        "{ up_to = \"30000000\", rate = \"0.95\" }, { rate = \"0.99\" }",
    );
    let at = position(&config, "", "\"0.99\"");
    prove_refuses(&config, &accounts(""), &[]).assert_config(
        at,
        "assets[0].haircut[1].rate: haircut rates must be non-increasing",
    );
}

#[test]
fn prove_refuses_batch_size_not_a_power_of_two() {
    let refused = prove_refuses(CONFIG, &accounts(""), &["--batch-size", "3"]);
    assert!(
        refused
            .run
            .stderr
            .contains("--batch-size 3: must be a power of two"),
        "{:#?}",
        refused.run
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Usage: missing bundles and bad arguments exit 2
// ---------------------------------------------------------------------------------------------

#[test]
fn verify_of_a_nonexistent_directory_exits_2() {
    let dir = TempDir::new().expect("tempdir");
    let absent = dir.path().join("absent");
    let run = marginproof!("verify", absent, "--cache-dir", cache_dir());
    assert_exit(&run, 2, &absent.join("manifest.json").display().to_string());
    let run = verify_json(&absent);
    assert_exit(&run, 2, &absent.join("manifest.json").display().to_string());
}

#[test]
fn usage_errors_exit_2() {
    let cases: [(&[&str], &str); 8] = [
        (&[], "Usage: marginproof <COMMAND>"),
        (&["verify"], "required arguments were not provided"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (
            &["verify", "public", "--no-such-flag"],
            "unexpected argument '--no-such-flag'",
        ),
        (
            &[
                "prove",
                "--config",
                "c.toml",
                "--accounts",
                "a.csv",
                "--out",
                "b",
                "--batch-size",
                "four",
            ],
            "invalid value 'four' for '--batch-size",
        ),
        (&["generate", "--out", "x"], "--accounts <ACCOUNTS>"),
        (&["inclusion", "--bundle", "b"], "--account <ACCOUNT>"),
        (&["verify-inclusion", "p.json"], "--manifest <MANIFEST>"),
    ];
    for (args, reason) in cases {
        let run = common::run(&args.iter().map(OsStr::new).collect::<Vec<_>>());
        assert_exit(&run, 2, reason);
        assert!(run.stdout.is_empty(), "{args:?}: {run:#?}");
    }
}

#[test]
fn verify_accepts_an_untouched_copy_of_the_public_directory() {
    // The tampering tests work on copies: an untouched copy verifies, so each rejection above is
    // due to its one change.
    let (_dir, public) = public_copy();
    assert_valid(&verify_json(&public));
}

#[test]
fn verify_rejects_manifest_naming_a_directory_as_proof() {
    for entry in ["batches", ""] {
        let (_dir, public) = public_copy();
        edit_json(&public.join("manifest.json"), |m| {
            m["batches"][1]["proof"] = Value::String(entry.into());
        });
        assert_verify_rejects(&public, "batch 1: ");
    }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/// How many times `needle` occurs in `haystack`.
fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn error_messages_do_not_repeat_their_cause() {
    // A missing bundle (exit 2): the operating system's reason once, not
    // `…/manifest.json: No such file or directory (os error 2): No such file or directory (os error 2)`.
    let dir = TempDir::new().expect("tempdir");
    let absent = dir.path().join("absent");
    let os_reason = fs::File::open(absent.join("manifest.json"))
        .expect_err("absent")
        .to_string();
    let run = marginproof!("verify", absent, "--cache-dir", cache_dir());
    assert_exit(&run, 2, &os_reason);
    assert_eq!(occurrences(&run.stderr, &os_reason), 1, "{}", run.stderr);

    // An invalid published configuration (exit 1): the field and its problem once.
    let (_dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), |m| {
        m["config"]["assets"][0]["price"] = Value::String("abc".into());
    });
    let run = verify_json(&public);
    let reason = "assets[0].price: `abc` is not an exact decimal number";
    assert_json_rejection(&run, reason);
    assert_eq!(occurrences(&run.stderr, reason), 1, "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// `bench`
// ---------------------------------------------------------------------------------------------

/// A JSON number, asserted present, finite and positive.
fn positive(json: &Value, key: &str) -> f64 {
    let x = json[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is a number: {json:#}"));
    assert!(x.is_finite() && x > 0.0, "`{key}` = {x}: {json:#}");
    x
}

#[test]
fn bench_json_reports_consistent_figures() {
    let dir = TempDir::new().expect("tempdir");
    let keep = dir.path().join("kept");
    let run = marginproof!(
        "bench",
        "--assets",
        "3",
        "--markets",
        "2",
        "--accounts",
        "8",
        "--json",
        "--keep",
        keep,
        "--cache-dir",
        cache_dir(),
    );
    assert_valid(&run);
    let json = run.json();
    assert_eq!(json["accounts"], 8, "{json:#}");
    assert_eq!(json["assets"], 3, "{json:#}");
    assert_eq!(json["markets"], 2, "{json:#}");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * a.abs().max(b.abs());
    let classes = json["classes"].as_array().expect("classes");
    assert!(!classes.is_empty(), "{json:#}");
    let (mut in_classes, mut class_batches) = (0.0, 0.0);
    for class in classes {
        let accounts = positive(class, "accounts");
        let batch_size = positive(class, "batch_size");
        let batches = positive(class, "batches");
        assert!(batch_size * batches >= accounts, "{json:#}");
        assert!(batch_size * (batches - 1.0) < accounts, "{json:#}");
        let k = positive(class, "k");
        let rows = positive(class, "rows_used");
        assert!(rows <= 2f64.powf(k), "{json:#}");
        assert!(
            close(positive(class, "rows_per_account") * batch_size, rows),
            "{json:#}"
        );
        in_classes += accounts;
        class_batches += batches;
    }
    let accounts = 8.0;
    assert_eq!(in_classes, accounts, "{json:#}");
    assert_eq!(positive(&json, "batches"), class_batches, "{json:#}");
    assert_eq!(json["verified_batches"], json["batches"], "{json:#}");
    let cpu = positive(&json, "prove_cpu_s");
    assert!(
        close(positive(&json, "prove_cpu_s_per_account") * accounts, cpu),
        "{json:#}"
    );
    let wall = positive(&json, "prove_wall_s");
    // At most all cores busy for the whole stage (rounded to 6 significant digits).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    assert!(cpu <= wall * cores * 1.01 + 0.01, "{json:#}");
    let verify = positive(&json, "verify_ms");
    assert!(
        close(positive(&json, "verify_ms_per_account") * accounts, verify),
        "{json:#}"
    );
    positive(&json, "verify_one_by_one_ms");
    positive(&json, "inclusion_check_ms");
    let bytes = positive(&json, "proof_bytes");
    assert!(
        close(positive(&json, "proof_bytes_per_account") * accounts, bytes),
        "{json:#}"
    );
    positive(&json, "peak_rss_kib");
    positive(&json, "inclusion_peak_rss_kib");
    let stages = &json["stages_s"];
    for stage in [
        "load",
        "layout",
        "tree",
        "witness",
        "params",
        "keygen",
        "prove",
        "write",
        "verify_read",
        "verify_layout_params",
        "verify",
    ] {
        let x = stages[stage]
            .as_f64()
            .unwrap_or_else(|| panic!("stages_s.{stage}: {json:#}"));
        assert!(x >= 0.0, "{json:#}");
    }
    assert_eq!(stages["prove"], json["prove_wall_s"], "{json:#}");
    // `--keep`: the venue, the bundle and the inclusion file stay, and the bundle verifies.
    assert_eq!(json["kept"], Value::String(keep.display().to_string()));
    for file in ["venue/venue.toml", "venue/accounts.csv", "inclusion.json"] {
        assert!(keep.join(file).is_file(), "{file}");
    }
    assert_valid(&verify_json(&keep.join("bundle").join("public")));
    // A second run into the same directory is refused: it is not empty.
    let again = marginproof!(
        "bench",
        "--assets",
        "3",
        "--markets",
        "2",
        "--accounts",
        "8",
        "--keep",
        keep,
        "--cache-dir",
        cache_dir(),
    );
    assert_exit(&again, 2, "is not empty");
}

#[test]
fn batched_and_one_by_one_verification_name_the_same_failing_batch() {
    use marginproof_circuits::statement::DISTINCT_KEYS_FILE;
    use marginproof_verifier::bundle::{
        bundle_shape, derive_class_keys, verify_bundle_with, BundleError, ProofCheck,
    };
    use marginproof_verifier::files::read_manifest;
    use marginproof_verifier::params_cache::load_or_create_params;

    let public = honest().public();
    let manifest = read_manifest(&public.join("manifest.json")).expect("the manifest");
    let shape = bundle_shape(&manifest).expect("its shape");
    let keys = derive_class_keys(&shape, |k| {
        load_or_create_params(&cache_dir(), k)
            .expect("parameters")
            .0
    })
    .expect("keys");
    let proofs: Vec<Vec<u8>> = (0..manifest.batch_count)
        .map(|i| fs::read(proof_path(&public, i)).expect("a proof"))
        .collect();
    assert_eq!(proofs.len(), 3);
    let distinct_keys = fs::read(public.join(DISTINCT_KEYS_FILE)).expect("the distinct keys");
    let verify = |proofs: &[Option<Vec<u8>>], check| {
        verify_bundle_with(
            &manifest,
            &shape,
            |i, _| {
                proofs[i].clone().ok_or(BundleError::ProofFile {
                    batch: i,
                    reason: "missing".into(),
                })
            },
            &mut distinct_keys.as_slice(),
            &keys,
            check,
        )
        .map(|v| v.batches)
        .map_err(|e| e.to_string())
    };
    let flipped = |i: usize| {
        let mut bytes = proofs[i].clone();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        bytes
    };
    let appended = |i: usize| {
        let mut bytes = proofs[i].clone();
        bytes.push(0);
        bytes
    };
    let honest: Vec<Option<Vec<u8>>> = proofs.iter().cloned().map(Some).collect();
    let cases: Vec<(Vec<Option<Vec<u8>>>, &str)> = vec![
        (
            vec![Some(flipped(0)), honest[1].clone(), None],
            "batch 0: proof does not verify",
        ),
        (
            vec![honest[0].clone(), None, Some(flipped(2))],
            "batch 1: missing",
        ),
        (
            vec![honest[0].clone(), Some(flipped(1)), Some(flipped(2))],
            "batch 1: proof does not verify",
        ),
        (
            vec![honest[0].clone(), honest[2].clone(), honest[1].clone()],
            "batch 1: proof does not verify",
        ),
        (
            (0..3).map(|i| Some(appended(i))).collect(),
            "batch 0: 1 bytes after the end of the proof",
        ),
        (
            vec![honest[0].clone(), honest[1].clone(), Some(appended(2))],
            "batch 2: 1 bytes after the end of the proof",
        ),
        (
            vec![
                Some(proofs[0][..proofs[0].len() - 1].to_vec()),
                honest[1].clone(),
                honest[2].clone(),
            ],
            "batch 0: proof does not verify",
        ),
    ];
    for check in [ProofCheck::Batched, ProofCheck::OneByOne] {
        assert_eq!(verify(&honest, check), Ok(3), "{check:?}");
        for (proofs, reason) in &cases {
            let error = verify(proofs, check).expect_err("a tampered bundle");
            assert!(
                error.starts_with(reason),
                "{check:?}: `{error}`, expected `{reason}`"
            );
        }
    }
}
