//! Portfolio margin end to end (SPEC §12): a venue of standard and portfolio-margin units proves
//! and verifies, `verify --json` counts the portfolio-margin units, a user of a hedged unit sees
//! its mode, worst shock and the loss under each shock (the native model's figures), and the
//! attacks on what §12 adds are refused with their reason: the grid changed after proving, a
//! shock dropped from the manifest, a unit's mode flipped in an inclusion file.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use marginproof_circuits::model::{evaluate, MarginMode, WorstShock};
use marginproof_prover::input::{load_accounts, load_config};
use serde_json::Value;

use common::{
    assert_exit, assert_json_rejection, assert_valid, cache_dir, edit_json, marginproof, read_json,
    tempdir,
};

fn venue() -> &'static common::Venue {
    common::portfolio_venue()
}

fn public() -> PathBuf {
    venue().public()
}

fn inclusion(account: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let file = dir.path().join("incl.json");
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        &venue().bundle,
        "--account",
        account,
        "--out",
        &file
    ));
    (dir, file)
}

fn verify_inclusion(file: &Path) -> common::Run {
    marginproof!(
        "verify-inclusion",
        file,
        "--manifest",
        public().join("manifest.json"),
        "--json"
    )
}

#[test]
fn the_venue_verifies_and_counts_its_portfolio_margin_units() {
    let run = marginproof!("verify", public(), "--json", "--cache-dir", cache_dir());
    assert_valid(&run);
    let json = run.json();
    assert_eq!(json["accounts"], 6, "{json:#}");
    assert_eq!(json["portfolio_margin_units"], 3, "{json:#}");
    // Two classes (one batch size forced): the standard units' and the portfolio-margin units'.
    let manifest = read_json(&public().join("manifest.json"));
    let modes: Vec<&Value> = manifest["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| &c["slots"]["mode"])
        .collect();
    assert_eq!(
        modes,
        [&Value::Null, &Value::from("portfolio")],
        "{manifest:#}"
    );
    let text = marginproof!("verify", public(), "--cache-dir", cache_dir());
    assert_valid(&text);
    for needle in [
        "3 standard, 3 portfolio margin",
        "portfolio-margin grid",
        "btc-down-20",
        "BTC -0.2, BTC-PERP -0.2",
        "instruments no shock moves (charged only the floor): none",
    ] {
        assert!(text.stdout.contains(needle), "{needle}\n{}", text.stdout);
    }
}

#[test]
fn a_hedged_user_sees_the_worst_shock_and_each_loss() {
    let (_dir, file) = inclusion("hedge");
    let run = verify_inclusion(&file);
    assert_valid(&run);
    let json = run.json();
    let unit = &json["units"][0];
    assert_eq!(unit["margin_mode"], "portfolio", "{json:#}");
    // 50k of spot against −50k of perpetual: BTC's moves cancel; the 2000 USDT lose 200 when
    // USDT falls 10%, above the floor (0.1% of 102k of gross value).
    assert_eq!(unit["worst_shock"], "usdt-down-10", "{json:#}");
    assert_eq!(unit["maintenance_usd"], "200", "{json:#}");
    assert_eq!(unit["shock_losses_usd"]["btc-down-20"], "0", "{json:#}");
    assert_eq!(unit["shock_losses_usd"]["btc-up-20"], "0", "{json:#}");
    assert_eq!(unit["shock_losses_usd"]["usdt-down-10"], "200", "{json:#}");
    // The top-level keys are the first unit's.
    assert_eq!(json["margin_mode"], "portfolio");
    assert_eq!(json["worst_shock"], "usdt-down-10");
    // A pure basis trade loses nothing under any shock: the floor sets its requirement.
    let (_dir, file) = inclusion("basis");
    let basis = verify_inclusion(&file).json();
    assert_eq!(basis["worst_shock"], "floor", "{basis:#}");
    assert_eq!(basis["maintenance_usd"], "100", "{basis:#}");
    // The same figures as the native model of the venue's own files.
    let params = load_config(&venue().config).expect("config");
    let records = load_accounts(&venue().accounts, &params).expect("accounts");
    let hedge = records.iter().find(|r| r.id == "hedge").expect("hedge");
    assert_eq!(hedge.mode, MarginMode::Portfolio);
    let pm = evaluate(&params, hedge).portfolio.expect("portfolio");
    assert_eq!(pm.worst, WorstShock::Shock(2));
    // Under the standard model the same holdings need more: the short perpetual is charged its
    // 0.5% of 50k (250 USD) whatever the spot beside it.
    let standard = evaluate(&params, &hedge.clone().in_mode(MarginMode::Standard));
    assert!(standard.maintenance > pm.requirement, "{standard:?}");
}

#[test]
fn a_standard_user_sees_the_standard_mode_and_no_shocks() {
    let (_dir, file) = inclusion("bob");
    let run = verify_inclusion(&file);
    assert_valid(&run);
    let json = run.json();
    let unit = &json["units"][0];
    assert_eq!(unit["margin_mode"], "standard", "{json:#}");
    assert!(unit.get("worst_shock").is_none(), "{json:#}");
    assert!(unit.get("shock_losses_usd").is_none(), "{json:#}");
    // The borrower's shock (BTC −20%) sets the portfolio unit's requirement: 10k USD, where the
    // standard model charges its debt's tiers.
    let (_dir, file) = inclusion("borrower");
    let pm = verify_inclusion(&file).json();
    assert_eq!(pm["units"][0]["worst_shock"], "btc-down-20", "{pm:#}");
    assert_eq!(pm["units"][0]["maintenance_usd"], "10000", "{pm:#}");
    assert_ne!(pm["units"][0]["maintenance_usd"], unit["maintenance_usd"]);
}

#[test]
fn attack_a_units_mode_flipped_in_an_inclusion_file() {
    let (_dir, file) = inclusion("hedge");
    // The record claims the standard model: its class judges portfolio-margin units.
    edit_json(&file, |j| {
        j["units"][0]["record"]
            .as_object_mut()
            .expect("record")
            .remove("margin_mode");
    });
    assert_json_rejection(
        &verify_inclusion(&file),
        "the record says margin mode `standard`, but its class 1 judges `portfolio` units",
    );
    // And a standard unit claiming portfolio margin.
    let (_dir, file) = inclusion("alice");
    edit_json(&file, |j| {
        j["units"][0]["record"]["margin_mode"] = Value::from("portfolio");
    });
    assert_json_rejection(
        &verify_inclusion(&file),
        "the record says margin mode `portfolio`, but its class 0 judges `standard` units",
    );
}

/// Verifies a tampered copy of the bundle's `public/` and asserts the refusal.
fn refused(edit: impl FnOnce(&mut Value), reason: &str) {
    let dir = tempdir();
    let copy = dir.path().join("public");
    common::copy_dir(&public(), &copy);
    edit_json(&copy.join("manifest.json"), edit);
    let run = marginproof!("verify", &copy, "--json", "--cache-dir", cache_dir());
    assert_exit(&run, 1, reason);
}

#[test]
fn attack_the_grid_changed_after_proving() {
    // A milder shock published than the one proven: the statement tag and the shock's block of
    // moves both change.
    refused(
        |m| {
            m["config"]["portfolio_margin"]["shocks"][0]["moves"]["BTC"] = Value::from("-0.1");
        },
        "proof does not verify",
    );
    // A lower floor.
    refused(
        |m| m["config"]["portfolio_margin"]["floor_rate"] = Value::from("0.005"),
        "proof does not verify",
    );
}

#[test]
fn attack_a_shock_dropped_from_the_manifest() {
    // Another circuit shape (one block of moves fewer): the proofs do not verify under the key
    // the auditor derives.
    refused(
        |m| {
            m["config"]["portfolio_margin"]["shocks"]
                .as_array_mut()
                .expect("shocks")
                .pop();
        },
        "proof does not verify",
    );
    // The whole grid dropped: the portfolio-margin class cannot be judged.
    refused(
        |m| {
            m["config"]
                .as_object_mut()
                .expect("config")
                .remove("portfolio_margin");
        },
        "portfolio_margin",
    );
}

#[test]
fn a_new_grid_with_as_many_shocks_keeps_the_keys() {
    // Other moves and another floor, as many shocks: the moves and the floor are public inputs,
    // so the second snapshot proves with the first one's cached keys, and the auditor derives
    // the same verifying keys.
    let (config, accounts) = (&venue().config, &venue().accounts);
    let dir = tempdir();
    let regridded = dir.path().join("venue.toml");
    let text = fs::read_to_string(config)
        .expect("read the config")
        .replace("id = \"pm-test\"", "id = \"pm-test-regridded\"")
        .replace("floor_rate = \"0.001\"", "floor_rate = \"0.002\"")
        .replace(
            "BTC = \"-0.2\", \"BTC-PERP\" = \"-0.2\"",
            "BTC = \"-0.3\", \"BTC-PERP\" = \"-0.25\"",
        )
        .replace("USDT = \"-0.1\"", "USDT = \"-0.05\", BTC = \"0.01\"");
    fs::write(&regridded, text).expect("write the config");
    let bundle = dir.path().join("bundle");
    let run = common::prove(&regridded, accounts, &bundle);
    assert_valid(&run);
    let keys = |public: &Path| {
        let run = marginproof!("verify", public, "--json", "--cache-dir", cache_dir());
        assert_valid(&run);
        run.json()["verifying_keys"].clone()
    };
    let (first, second) = (keys(&public()), keys(&bundle.join("public")));
    assert_eq!(first.as_array().map(Vec::len), Some(2), "{first:#}");
    assert_eq!(first, second);
    // And the new grid is what judged the units: the hedge's USDT shock now loses 100.
    let file = dir.path().join("incl.json");
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        &bundle,
        "--account",
        "hedge",
        "--out",
        &file
    ));
    let json = marginproof!(
        "verify-inclusion",
        &file,
        "--manifest",
        bundle.join("public").join("manifest.json"),
        "--json"
    )
    .json();
    assert_eq!(json["shock_losses_usd"]["usdt-down-10"], "-400", "{json:#}");
}

#[test]
fn plan_shards_and_assemble_write_prove_s_manifest_with_portfolio_classes() {
    // SPEC §10 with a portfolio-margin class: plan, three shards, assemble; the manifest is
    // byte-identical to `prove`'s with the same secret.
    let dir = tempdir();
    let job = dir.path().join("job");
    assert_valid(&marginproof!(
        "plan",
        "--config",
        &venue().config,
        "--accounts",
        &venue().accounts,
        "--out",
        &job,
        "--batch-size",
        "4",
        "--secret-file",
        common::secret_file(),
    ));
    for shard in ["0/3", "1/3", "2/3"] {
        assert_valid(&marginproof!(
            "prove-batches",
            &job,
            "--shard",
            shard,
            "--cache-dir",
            cache_dir()
        ));
    }
    let bundle = dir.path().join("bundle");
    assert_valid(&marginproof!(
        "assemble",
        &job,
        "--out",
        &bundle,
        "--cache-dir",
        cache_dir()
    ));
    let read = |p: PathBuf| fs::read(p).expect("read the manifest");
    assert_eq!(
        read(bundle.join("public/manifest.json")),
        read(venue().manifest())
    );
}
