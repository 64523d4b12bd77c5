//! The key cache: a second `prove` with the same configuration and cache reads its keys instead
//! of generating them, `verify` reads the verifying key `prove` cached, and a damaged cached key
//! is generated again (and the file rewritten) without changing any verdict. Also pins
//! `CIRCUIT_LAYOUT_VERSION` together with a verifying key, so that a circuit change that changes
//! keys cannot go unnoticed by the cache.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use blake2::{Blake2b512, Digest};
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::keygen_vk;
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::config::{AssetSection, RiskConfigFile, SnapshotSection, TierSpec};
use marginproof_circuits::model::SlotShape;
use marginproof_circuits::{RiskParams, CIRCUIT_LAYOUT_VERSION};

use common::{
    assert_valid, generate_venue, marginproof, prove_with_cache as prove, read_json, tempdir, Run,
};

/// `verify PUBLIC` with the cache `cache`.
fn verify(bundle: &Path, cache: &Path) -> Run {
    marginproof!("verify", bundle.join("public"), "--cache-dir", cache)
}

/// The line of standard output that starts with `label` (after the indentation).
fn line<'a>(run: &'a Run, label: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{}", run.stdout))
}

/// The seconds a stage line reports.
fn seconds(line: &str) -> f64 {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "s")
        .expect("a time in seconds");
    words[at - 1].parse().expect("seconds")
}

/// The cached key files of `kind` (`vk` or `pk`) in `cache`.
fn key_files(cache: &Path, kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(cache)
        .expect("list the cache")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{kind}-")) && n.ends_with(".bin"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn second_prove_reads_its_keys_from_the_cache_and_both_bundles_verify() {
    let dir = tempdir();
    let cache = dir.path().join("cache");
    let (config, accounts) = generate_venue(&dir.path().join("venue"), 8, 21);

    let first = prove(&config, &accounts, &dir.path().join("one"), &cache);
    assert_valid(&first);
    assert!(
        line(&first, "params").contains("(generated, now cached)"),
        "{}",
        first.stdout
    );
    let keys = line(&first, "keys");
    assert!(keys.contains("(generated, now cached)"), "{keys}");
    assert_eq!(key_files(&cache, "vk").len(), 1);
    assert_eq!(key_files(&cache, "pk").len(), 1);

    let second = prove(&config, &accounts, &dir.path().join("two"), &cache);
    assert_valid(&second);
    assert!(line(&second, "params").contains("(cached)"));
    let cached = line(&second, "keys");
    assert!(cached.ends_with("(cached)"), "{cached}");
    assert!(
        seconds(cached) < seconds(keys),
        "reading the keys took longer than generating them:\n{keys}\n{cached}"
    );
    // Nothing new in the cache: no second key, no temporary file.
    let names: Vec<_> = fs::read_dir(&cache).expect("list").flatten().collect();
    assert_eq!(names.len(), 3, "{names:?}");

    for bundle in ["one", "two"] {
        let run = verify(&dir.path().join(bundle), &cache);
        assert_valid(&run);
        assert!(run.stdout.starts_with("VALID"), "{}", run.stdout);
        // `prove` cached the verifying key too.
        assert!(
            line(&run, "verifying key").ends_with("(cached)"),
            "{}",
            run.stdout
        );
    }
}

/// The line `key = "price"` of `venue.toml` with its quoted price times `factor`.
fn scaled_price(line: &str, key: &str, factor: f64) -> String {
    let value: f64 = line
        .split('"')
        .nth(1)
        .expect("quoted")
        .parse()
        .expect("price");
    format!("{key} = \"{:.2}\"", value * factor)
}

/// Issue 10, must-show 2: a second snapshot of the same configuration shape (same assets, markets,
/// tier tables and threshold, as many scenarios and edges) with new prices, a new snapshot id and
/// new account ids; also (issue 13) new scenario prices and other distribution edges. Its `prove`
/// reads both keys from the cache (no key generation, no new key file), and `verify` prints the
/// same verifying-key digest for both bundles, in text and in JSON.
#[test]
fn a_snapshot_at_new_prices_reuses_the_keys_and_has_the_same_key_digest() {
    let dir = tempdir();
    let cache = dir.path().join("cache");
    let (config, accounts) = generate_venue(&dir.path().join("venue"), 8, 21);

    // The next snapshot: every price 7% lower, another id, every account renamed.
    let next = dir.path().join("next");
    fs::create_dir_all(&next).expect("mkdir");
    let mut changed_prices = 0;
    let mut changed_scenario_prices = 0;
    let mut in_scenario_prices = false;
    let toml: Vec<String> = fs::read_to_string(&config)
        .expect("venue.toml")
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            if line.starts_with('[') {
                in_scenario_prices = line == "[scenarios.prices]";
            }
            if in_scenario_prices && line.contains('=') {
                changed_scenario_prices += 1;
                scaled_price(line, key, 0.9)
            } else if key == "margin_ratio_edges" {
                r#"margin_ratio_edges = ["0.9", "1.05", "1.2", "1.6", "3", "8"]"#.to_string()
            } else if key == "price" || key == "mark_price" {
                changed_prices += 1;
                scaled_price(line, key, 0.93)
            } else if key == "id" {
                "id = \"synthetic-2\"".to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_eq!(changed_prices, 3, "2 asset prices and 1 mark price");
    assert_eq!(
        changed_scenario_prices, 5,
        "crash-30 reprices 3 instruments, btc-50 2"
    );
    assert!(
        toml.iter().any(|l| l.contains("\"0.9\", \"1.05\"")),
        "new edges"
    );
    let next_config = next.join("venue.toml");
    fs::write(&next_config, toml.join("\n") + "\n").expect("write venue.toml");
    let csv = fs::read_to_string(&accounts).expect("accounts.csv");
    let next_accounts = next.join("accounts.csv");
    let renamed = csv.replace("acct-", "next-");
    assert_ne!(renamed, csv);
    fs::write(&next_accounts, renamed).expect("write accounts.csv");

    let first = prove(&config, &accounts, &dir.path().join("one"), &cache);
    assert_valid(&first);
    assert!(
        line(&first, "keys").contains("(generated, now cached)"),
        "{}",
        first.stdout
    );
    let second = prove(
        &next_config,
        &next_accounts,
        &dir.path().join("two"),
        &cache,
    );
    assert_valid(&second);
    let keys = line(&second, "keys");
    assert!(
        keys.ends_with("(cached)"),
        "new prices made new keys: {keys}"
    );
    assert_eq!(key_files(&cache, "vk").len(), 1);
    assert_eq!(key_files(&cache, "pk").len(), 1);

    let digest = |bundle: &str| {
        let run = verify(&dir.path().join(bundle), &cache);
        assert_valid(&run);
        let text = line(&run, "key digest")
            .split_whitespace()
            .nth(2)
            .expect("digest");
        assert_eq!(text.len(), 64, "{text}");
        let json = marginproof!(
            "verify",
            dir.path().join(bundle).join("public"),
            "--cache-dir",
            &cache,
            "--json"
        );
        assert_valid(&json);
        let json = json.json();
        assert_eq!(json["verifying_keys"][0].as_str(), Some(text));
        (
            text.to_string(),
            json["root"].as_str().expect("root").to_string(),
        )
    };
    let (key_one, root_one) = digest("one");
    let (key_two, root_two) = digest("two");
    assert_eq!(
        key_one, key_two,
        "one configuration shape, one verifying key"
    );
    assert_ne!(root_one, root_two, "two different snapshots");
    // The shared cached key is the key the second configuration derives itself: verified with no
    // cache, the second bundle has the same key digest.
    let fresh = marginproof!(
        "verify",
        dir.path().join("two/public"),
        "--no-cache",
        "--json"
    );
    assert_valid(&fresh);
    assert_eq!(
        fresh.json()["verifying_keys"][0].as_str(),
        Some(key_one.as_str())
    );
    // The two manifests publish different prices.
    let prices = |bundle: &str| {
        let manifest = read_json(&dir.path().join(bundle).join("public/manifest.json"));
        let config = &manifest["config"];
        (config["assets"].clone(), config["markets"].clone())
    };
    assert_ne!(prices("one"), prices("two"));
}

#[test]
fn damaged_cached_keys_are_generated_again_and_verification_still_succeeds() {
    let dir = tempdir();
    let cache = dir.path().join("cache");
    let (config, accounts) = generate_venue(&dir.path().join("venue"), 8, 22);
    let bundle = dir.path().join("one");
    assert_valid(&prove(&config, &accounts, &bundle, &cache));

    // A flipped byte in the middle of the verifying key file.
    let vk_file = key_files(&cache, "vk")
        .pop()
        .expect("a cached verifying key");
    let good = fs::read(&vk_file).expect("read the vk");
    let mut bad = good.clone();
    bad[good.len() / 2] ^= 0x40;
    fs::write(&vk_file, &bad).expect("damage the vk");
    let run = verify(&bundle, &cache);
    assert_valid(&run);
    let keys = line(&run, "verifying key");
    assert!(
        keys.contains("cached file unusable") && keys.contains("generated again"),
        "{keys}"
    );
    assert_eq!(fs::read(&vk_file).expect("read the vk"), good, "rewritten");
    let run = verify(&bundle, &cache);
    assert_valid(&run);
    assert!(line(&run, "verifying key").ends_with("(cached)"));

    // Garbage of the right length, then an empty file.
    fs::write(&vk_file, vec![0xa5; good.len()]).expect("damage the vk");
    assert_valid(&verify(&bundle, &cache));
    fs::write(&vk_file, b"").expect("empty the vk");
    let run = verify(&bundle, &cache);
    assert_valid(&run);
    assert!(
        line(&run, "verifying key").contains("truncated"),
        "{}",
        run.stdout
    );

    // A truncated proving key: `prove` generates it again, and the bundle verifies.
    let pk_file = key_files(&cache, "pk").pop().expect("a cached proving key");
    let len = fs::metadata(&pk_file).expect("pk").len();
    let file = fs::OpenOptions::new()
        .write(true)
        .open(&pk_file)
        .expect("open the pk");
    file.set_len(len / 3).expect("truncate the pk");
    drop(file);
    let other = dir.path().join("two");
    let run = prove(&config, &accounts, &other, &cache);
    assert_valid(&run);
    assert!(
        line(&run, "keys").contains("generated again"),
        "{}",
        run.stdout
    );
    assert_eq!(fs::metadata(&pk_file).expect("pk").len(), len);
    assert_valid(&verify(&other, &cache));

    // A verifying key file of another configuration shape (three assets) under this one's name
    // is refused (its digest is in the file), regenerated, and verification still succeeds.
    let venue2 = dir.path().join("venue2");
    assert_valid(&marginproof!(
        "generate",
        "--accounts",
        "4",
        "--assets",
        "3",
        "--markets",
        "1",
        "--seed",
        "23",
        "--out",
        &venue2
    ));
    let (config2, accounts2) = (venue2.join("venue.toml"), venue2.join("accounts.csv"));
    let third = dir.path().join("three");
    assert_valid(&prove(&config2, &accounts2, &third, &cache));
    let vks = key_files(&cache, "vk");
    assert_eq!(vks.len(), 2);
    let foreign = vks.iter().find(|p| **p != vk_file).expect("the other vk");
    fs::copy(foreign, &vk_file).expect("swap a vk");
    let run = verify(&bundle, &cache);
    assert_valid(&run);
    assert!(line(&run, "verifying key").contains("generated again"));
}

/// BLAKE2b-512 (first 16 bytes, hex) of the pinned verifying key of the configuration below with
/// batches of 2, and the layout version it was pinned with.
const PINNED: (&str, &str) = (
    "batch-circuit-10-portfolio-margin",
    "776a4ebe0616cecf2c0dce64e1d92b75",
);

/// A small fixed configuration (one asset, no market).
fn pinned_params() -> RiskParams {
    let tier = |up_to: Option<&str>, rate: &str| TierSpec {
        up_to: up_to.map(str::to_string),
        rate: rate.into(),
    };
    let file = RiskConfigFile {
        reserve_chains: Default::default(),
        portfolio_margin: None,
        snapshot: SnapshotSection {
            time: None,
            id: "pinned".into(),
            venue: "Pinned Venue".into(),
            liquidation_threshold: "1.00".into(),
        },
        assets: vec![AssetSection {
            reserve_locations: Vec::new(),
            symbol: "BTC".into(),
            decimals: 8,
            price: "50000".into(),
            haircut: vec![tier(Some("100000"), "1.00"), tier(None, "0.90")],
            maintenance: vec![tier(None, "0.05")],
        }],
        markets: vec![],
        reserves: Default::default(),
        scenarios: Vec::new(),
        distribution: None,
    };
    RiskParams::from_file(&file).expect("the pinned configuration")
}

#[test]
fn circuit_layout_version_is_pinned_with_the_verifying_key() {
    let params = std::sync::Arc::new(pinned_params());
    let shape = BatchCircuit::shape(params.clone(), SlotShape::dense(&params), 2);
    let k = min_k(&shape).expect("k");
    let vk = keygen_vk(&Params::<EqAffine>::new(k), &shape).expect("vk");
    let digest = Blake2b512::digest(format!("{:?}", vk.pinned()).as_bytes());
    let found = (CIRCUIT_LAYOUT_VERSION, hex(&digest[..16]));
    assert!(
        found.0 == PINNED.0 && found.1 == PINNED.1,
        "the circuit's keys changed (verifying key {}, layout version {}): cached keys of the old \
         circuit must not be used, so bump CIRCUIT_LAYOUT_VERSION in circuits/src/lib.rs and pin \
         the new pair in PINNED here (pinned: {PINNED:?})",
        found.1,
        found.0
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The IPA parameter file of `cache` and its `k` (`ipa-pasta-k<k>.params`).
fn params_file(cache: &Path) -> (PathBuf, u32) {
    fs::read_dir(cache)
        .expect("list the cache")
        .flatten()
        .map(|e| e.path())
        .find_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let k = name.strip_prefix("ipa-pasta-k")?.strip_suffix(".params")?;
            Some((p.clone(), k.parse().ok()?))
        })
        .expect("a cached parameter file")
}

/// A cached parameter file that is framed and checksummed exactly as the cache writes it, but
/// holds other points, is what anyone who can write the cache directory could plant: (a) the
/// parameters of `k + 1` under `k`'s size field, cut to the size of `k`'s (every point valid, the
/// first `2^k` generators even equal), (b) the true parameters with two generators swapped. Each is
/// refused by the pinned digest of `Params::new(k)`, generated again (so says standard error, and
/// the report line), and the bundle still verifies; the file is the pinned one afterwards. With
/// `--no-cache`, verification reads and writes no cache file.
#[test]
fn planted_parameter_files_are_regenerated_and_verification_still_succeeds() {
    use marginproof_verifier::params::generate_params;
    use marginproof_verifier::params_cache::{
        load_or_create_params, plant_params_file, ParamsSource,
    };

    let dir = tempdir();
    let cache = dir.path().join("cache");
    let (config, accounts) = generate_venue(&dir.path().join("venue"), 8, 24);
    let bundle = dir.path().join("bundle");
    assert_valid(&prove(&config, &accounts, &bundle, &cache));
    let (path, k) = params_file(&cache);
    let good = fs::read(&path).expect("read the parameters");

    let mut truth = Vec::new();
    generate_params(k)
        .expect("pinned")
        .write(&mut truth)
        .expect("serialize");
    let mut next = Vec::new();
    generate_params(k + 1)
        .expect("pinned")
        .write(&mut next)
        .expect("serialize");
    let mut other_k = k.to_le_bytes().to_vec();
    other_k.extend_from_slice(&next[4..truth.len()]);
    let mut swapped = truth.clone();
    swapped[4..36].copy_from_slice(&truth[36..68]);
    swapped[36..68].copy_from_slice(&truth[4..36]);

    for planted in [other_k, swapped] {
        assert_eq!(planted.len(), truth.len());
        plant_params_file(&cache, k, &planted).expect("plant");
        assert_ne!(fs::read(&path).expect("read"), good, "planted");
        let run = verify(&bundle, &cache);
        assert_valid(&run);
        assert!(
            run.stderr.contains("not the pinned digest") && run.stderr.contains("generated again"),
            "stderr: {}",
            run.stderr
        );
        assert!(
            line(&run, "params").contains("cached file unusable"),
            "{}",
            run.stdout
        );
        assert_eq!(fs::read(&path).expect("read"), good, "regenerated");
        assert_eq!(
            load_or_create_params(&cache, k).expect("params").1,
            ParamsSource::Cached
        );
    }

    // No cache at all: with the default cache pointed at a directory that does not exist,
    // `--no-cache` verifies, says where parameters and key came from, and creates nothing.
    let empty = dir.path().join("no-cache");
    let public = bundle.join("public");
    let no_cache = |extra: &[&str]| {
        let mut args = vec!["verify".as_ref(), public.as_os_str(), "--no-cache".as_ref()];
        args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
        common::run_with_env(&args, &[("MARGINPROOF_CACHE", empty.as_os_str())])
    };
    let run = no_cache(&["--json"]);
    assert_valid(&run);
    assert_eq!(run.json()["valid"], true);
    let run = no_cache(&[]);
    assert_valid(&run);
    assert!(line(&run, "params").contains("generated afresh, no cache"));
    assert!(line(&run, "verifying key").contains("no cache"));
    assert!(!empty.exists(), "--no-cache wrote {}", empty.display());
}
