//! Size classes end to end (SPEC §9): a long-tailed venue (a few whales and one market maker
//! beside small accounts) proven in several classes, each with its own circuit and keys, under
//! one root and one chain of totals; and the attacks on what the classes add to the manifest and
//! the inclusion file: a batch relabelled to another class, classes that do not cover every
//! batch, an inclusion proof that claims another class than its batch's.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use common::{
    assert_exit, assert_valid, cache_dir, copy_dir, edit_json, marginproof, read_json, secret_file,
    tempdir, Venue,
};

/// `generate --accounts 24 --assets 40 --markets 4 --seed 9 --whales 0.1`, proven with the
/// automatic plan: 3 whales of 10 to 40 assets and a market maker holding all 40 assets and 4
/// markets beside 20 accounts of at most 4 assets and 2 positions.
fn classed() -> &'static Venue {
    static VENUE: OnceLock<Venue> = OnceLock::new();
    VENUE.get_or_init(|| {
        let dir = tempdir().keep();
        let venue = dir.join("venue");
        common::generate_whale_venue(&venue);
        let (config, accounts) = (venue.join("venue.toml"), venue.join("accounts.csv"));
        let bundle = dir.join("bundle");
        let proved = marginproof!(
            "prove",
            "--config",
            config,
            "--accounts",
            accounts,
            "--out",
            bundle,
            "--secret-file",
            secret_file(),
            "--cache-dir",
            cache_dir(),
        );
        assert_valid(&proved);
        Venue {
            config,
            accounts,
            bundle,
        }
    })
}

/// A copy of the classed venue's bundle to tamper with.
fn bundle_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let bundle = dir.path().join("bundle");
    copy_dir(&classed().bundle, &bundle);
    (dir, bundle)
}

/// The classes of each batch in the manifest.
fn batch_classes(manifest: &Value) -> Vec<u64> {
    manifest["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .map(|b| b["class"].as_u64().expect("class"))
        .collect()
}

/// The account ids of the venue with how many assets each holds (columns `SYM`, `SYM_debt`).
fn holdings(venue: &Venue) -> Vec<(String, usize)> {
    let text = fs::read_to_string(&venue.accounts).expect("accounts");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let held = header
                .iter()
                .zip(&cells)
                .filter(|(h, c)| {
                    !c.is_empty()
                        && **h != "account_id"
                        && **h != "margin_unit"
                        && !h.ends_with("_size")
                        && !h.ends_with("_cost")
                        && c.parse::<f64>().is_ok_and(|x| x != 0.0)
                })
                .count();
            (cells[0].to_string(), held)
        })
        .collect()
}

#[test]
fn a_long_tailed_venue_is_proven_in_size_classes_and_verifies() {
    let venue = classed();
    let manifest = read_json(&venue.manifest());
    let classes = manifest["classes"].as_array().expect("classes");
    assert!(classes.len() >= 2, "{classes:?}");
    // Smallest first (a position slot counting as two asset slots; classes need not be nested);
    // the last holds the market maker (every asset and market).
    let weight = |c: &Value| {
        c["slots"]["assets"].as_u64().unwrap_or(0) + 2 * c["slots"]["markets"].as_u64().unwrap_or(0)
    };
    for pair in classes.windows(2) {
        assert!(weight(&pair[0]) <= weight(&pair[1]), "{classes:?}");
    }
    let last = &classes[classes.len() - 1]["slots"];
    assert_eq!(last["assets"], 40, "{classes:?}");
    assert_eq!(last["markets"], 4, "{classes:?}");
    // Every class proves at least one batch, batches grouped by class.
    let used = batch_classes(&manifest);
    for c in 0..classes.len() as u64 {
        assert!(used.contains(&c), "class {c} has no batch: {used:?}");
    }
    assert!(used.windows(2).all(|w| w[0] <= w[1]), "{used:?}");

    let verify = marginproof!(
        "verify",
        venue.public(),
        "--json",
        "--cache-dir",
        cache_dir()
    );
    assert_valid(&verify);
    let json = verify.json();
    assert_eq!(json["accounts"], 24, "{json:#}");
    assert_eq!(
        json["verifying_keys"].as_array().map(Vec::len),
        Some(classes.len()),
        "one verifying key per class: {json:#}"
    );
}

#[test]
fn inclusion_proofs_of_small_accounts_and_of_the_market_maker_name_their_classes() {
    let venue = classed();
    let manifest = read_json(&venue.manifest());
    let classes = manifest["classes"].as_array().expect("classes").len() as u64;
    let accounts = holdings(venue);
    let smallest = accounts.iter().min_by_key(|(_, n)| *n).expect("accounts");
    let largest = accounts.iter().max_by_key(|(_, n)| *n).expect("accounts");
    assert_eq!(largest.1, 40, "the market maker holds every asset");
    let dir = tempdir();
    let mut seen = Vec::new();
    for (id, _) in [smallest, largest] {
        let file = dir.path().join(format!("{id}.json"));
        let made = marginproof!(
            "inclusion",
            "--bundle",
            venue.bundle,
            "--account",
            id,
            "--out",
            file
        );
        assert_valid(&made);
        let proof = read_json(&file);
        let class = proof["units"][0]["class"].as_u64().expect("class");
        seen.push(class);
        let checked = marginproof!(
            "verify-inclusion",
            file,
            "--manifest",
            venue.manifest(),
            "--json"
        );
        assert_valid(&checked);
    }
    assert_eq!(
        seen[1],
        classes - 1,
        "the market maker is in the last class"
    );
    assert!(
        seen[0] < seen[1],
        "a small account is in a smaller class: {seen:?}"
    );
}

/// **Attack:** a batch proof relabelled to another class in the manifest, so the auditor checks
/// it against that class's verifying key (and lays its leaves out in that class's slots).
/// **Stopped by:** each class's verifying key fixes its circuit (slots, batch size, `k`): the
/// proof does not verify under another class's key.
#[test]
fn attack_a_batch_relabelled_to_another_class() {
    let (_dir, bundle) = bundle_copy();
    let manifest_path = bundle.join("public").join("manifest.json");
    let used = batch_classes(&read_json(&manifest_path));
    // A batch of class 0 that is not its only one, relabelled to the last class.
    let victim = used
        .iter()
        .position(|&c| c == 0)
        .filter(|_| used.iter().filter(|&&c| c == 0).count() > 1)
        .expect("class 0 has two batches");
    let last = *used.last().expect("batches");
    edit_json(&manifest_path, |m| {
        m["batches"][victim]["class"] = Value::from(last);
    });
    let run = marginproof!("verify", bundle.join("public"), "--cache-dir", cache_dir());
    assert_exit(&run, 1, &format!("batch {victim}: proof does not verify"));
}

/// **Attack:** classes that do not cover every batch: a batch naming a class the manifest does
/// not list, and the last class dropped from the list. **Stopped by:** the manifest's tree shape
/// check, before any key is derived: each batch must name a listed class.
#[test]
fn attack_classes_that_do_not_cover_every_batch() {
    let (_dir, bundle) = bundle_copy();
    let manifest_path = bundle.join("public").join("manifest.json");
    edit_json(&manifest_path, |m| {
        m["batches"][0]["class"] = Value::from(7);
    });
    let run = marginproof!("verify", bundle.join("public"), "--cache-dir", cache_dir());
    assert_exit(&run, 1, "batch 0 names class 7, but the manifest lists");
    assert_exit(&run, 1, "the classes do not cover every batch");

    let (_dir, bundle) = bundle_copy();
    let manifest_path = bundle.join("public").join("manifest.json");
    let mut dropped = 0;
    edit_json(&manifest_path, |m| {
        let classes = m["classes"].as_array_mut().expect("classes");
        classes.pop();
        dropped = classes.len();
    });
    let run = marginproof!("verify", bundle.join("public"), "--cache-dir", cache_dir());
    assert_exit(
        &run,
        1,
        &format!("names class {dropped}, but the manifest lists {dropped} classes"),
    );

    // A class no batch uses is refused too: the classes are exactly those proven with.
    let (_dir, bundle) = bundle_copy();
    let manifest_path = bundle.join("public").join("manifest.json");
    edit_json(&manifest_path, |m| {
        let classes = m["classes"].as_array_mut().expect("classes");
        let mut extra = classes[0].clone();
        extra["batch_size"] = Value::from(1);
        extra["slots"]["assets"] = Value::from(1);
        classes.insert(0, extra);
        for batch in m["batches"].as_array_mut().expect("batches") {
            let c = batch["class"].as_u64().expect("class");
            batch["class"] = Value::from(c + 1);
        }
    });
    let run = marginproof!("verify", bundle.join("public"), "--cache-dir", cache_dir());
    assert_exit(&run, 1, "class 0 (1×");
    assert_exit(&run, 1, "has no batch");
}

/// **Attack:** an inclusion proof that claims another class than its batch's (so the user's leaf
/// would be laid out in other slots). **Stopped by:** `verify-inclusion` locates the leaf's batch
/// from its index and the manifest's classes, and refuses a unit whose class is not that batch's,
/// naming both.
#[test]
fn attack_an_inclusion_proof_claiming_another_class() {
    let venue = classed();
    let accounts = holdings(venue);
    let (id, _) = accounts.iter().min_by_key(|(_, n)| *n).expect("accounts");
    let dir = tempdir();
    let file = dir.path().join("inclusion.json");
    assert_valid(&marginproof!(
        "inclusion",
        "--bundle",
        venue.bundle,
        "--account",
        id,
        "--out",
        file
    ));
    let proof = read_json(&file);
    let claimed = proof["units"][0]["class"].as_u64().expect("class");
    let index = proof["units"][0]["leaf_index"].as_u64().expect("index");
    let other = claimed + 1;
    edit_json(&file, |p| {
        p["units"][0]["class"] = Value::from(other);
    });
    let run = marginproof!("verify-inclusion", file, "--manifest", venue.manifest());
    assert_exit(
        &run,
        1,
        &format!("claims size class {other}, but leaf {index} is in batch"),
    );
    assert_exit(&run, 1, &format!("of class {claimed}"));
}
