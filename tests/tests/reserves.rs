//! Reserves evidence (SPEC §13) end to end: the reserves message, `attach-reserves` refusing
//! every bad file with exit 2 and writing nothing, `verify` and `report` checking
//! `public/reserves.json`, and `--eth-rpc` against a real local Ethereum node (Foundry's `anvil`,
//! from `npm ci --prefix tests/anvil`) started by the tests, with balances set and a token
//! contract deployed and funded on it.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use marginproof_reserves::reserves_message;
use marginproof_reserves::sign::KeyFile;
use num_bigint::BigInt;
use serde_json::{json, Value};

use common::{
    assert_exit, assert_json_rejection, assert_valid, cache_dir, copy_dir, marginproof, scaled,
    tempdir, workspace_root,
};

/// `snapshot.time` of the generated venue, 2026-11-21T00:00:00Z, in Unix seconds.
const SNAPSHOT_TIME: i64 = 1_795_219_200;
/// The Ethereum block the test venue's configuration names.
const ETH_BLOCK: u64 = 5;
/// Tether's contract, where the generated configuration keeps USDT.
const USDT: &str = "0xdAC17F958D2ee523a2206206994597C13D831ec7";
/// The generated wallets, in file order: BTC P2WPKH (BIP-322), P2TR, P2PKH (BIP-137), P2WPKH
/// (BIP-137); ETH twice; USDT.
const ETH_WALLETS: [usize; 2] = [4, 5];
const USDT_WALLET: usize = 6;

/// The proven venue (BTC, ETH, USDT; Ethereum block 5) and its reserves file signed with the
/// test wallets `generate` made.
struct Fixture {
    public: PathBuf,
    keys: String,
    signed: Value,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempdir().keep();
        let venue = dir.join("venue");
        assert_valid(&marginproof!(
            "generate",
            "--accounts",
            "8",
            "--assets",
            "3",
            "--markets",
            "1",
            "--seed",
            "11",
            "--out",
            venue,
        ));
        let config = venue.join("venue.toml");
        let text = fs::read_to_string(&config).expect("venue.toml");
        assert!(text.contains("ethereum = 23850000"), "{text}");
        fs::write(
            &config,
            text.replace("ethereum = 23850000", &format!("ethereum = {ETH_BLOCK}")),
        )
        .expect("write venue.toml");
        let bundle = dir.join("bundle");
        assert_valid(&common::prove(
            &config,
            &venue.join("accounts.csv"),
            &bundle,
        ));
        let signed = dir.join("R.json");
        assert_valid(&marginproof!(
            "sign-reserves",
            bundle.join("public"),
            "--keys",
            venue.join("reserve-keys.json"),
            "--out",
            signed,
        ));
        Fixture {
            public: bundle.join("public"),
            keys: fs::read_to_string(venue.join("reserve-keys.json")).expect("keys"),
            signed: common::read_json(&signed),
        }
    })
}

fn root() -> String {
    let manifest = common::read_json(&fixture().public.join("manifest.json"));
    manifest["root"].as_str().expect("root").to_string()
}

/// A fresh bundle directory holding a copy of the fixture's `public/`.
fn bundle_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let bundle = dir.path().join("bundle");
    copy_dir(&fixture().public, &bundle.join("public"));
    (dir, bundle)
}

/// `attach-reserves` of `file` (JSON text) to a fresh copy of the bundle.
fn attach_text(text: &str) -> (common::Run, tempfile::TempDir, PathBuf) {
    let (dir, bundle) = bundle_copy();
    let r = dir.path().join("R.json");
    fs::write(&r, text).expect("write R.json");
    let run = marginproof!("attach-reserves", bundle, "--reserves", r);
    (run, dir, bundle)
}

fn attach(file: &Value) -> (common::Run, tempfile::TempDir, PathBuf) {
    attach_text(&serde_json::to_string_pretty(file).expect("json"))
}

/// Attaching `file` is refused with exit 2 naming `reason`, and writes nothing; the same on a
/// bundle that already has a valid `reserves.json`, which stays byte for byte.
fn assert_refused_text(text: &str, reason: &str) {
    let (run, _dir, bundle) = attach_text(text);
    assert_exit(&run, 2, reason);
    assert!(
        !bundle.join("public/reserves.json").exists(),
        "attach-reserves wrote a refused file"
    );
    let (run, dir, bundle) = attach(&fixture().signed);
    assert_valid(&run);
    let published = fs::read(bundle.join("public/reserves.json")).expect("published");
    let r = dir.path().join("bad.json");
    fs::write(&r, text).expect("write");
    assert_exit(
        &marginproof!("attach-reserves", bundle, "--reserves", r),
        2,
        reason,
    );
    assert_eq!(
        fs::read(bundle.join("public/reserves.json")).expect("still there"),
        published
    );
}

fn assert_refused(file: &Value, reason: &str) {
    assert_refused_text(&serde_json::to_string_pretty(file).expect("json"), reason);
}

fn signed() -> Value {
    fixture().signed.clone()
}

fn wallet(file: &mut Value, i: usize) -> &mut Value {
    &mut file["wallets"][i]
}

fn text(v: &Value) -> String {
    v.as_str().expect("a string").to_string()
}

fn verify_json(public: &Path, extra: &[&str]) -> common::Run {
    let mut args: Vec<std::ffi::OsString> = vec![
        "verify".into(),
        public.into(),
        "--json".into(),
        "--cache-dir".into(),
        cache_dir().into(),
    ];
    args.extend(extra.iter().map(Into::into));
    common::run(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>())
}

// ---------------------------------------------------------------------------------------------
// The message and the offline checks
// ---------------------------------------------------------------------------------------------

#[test]
fn the_message_is_four_lines_without_a_trailing_newline() {
    let expected = format!(
        "marginproof reserves v1\nvenue: Synthetic Venue\nsnapshot: synthetic-11\nroot: {}",
        root()
    );
    let run = marginproof!("reserves-message", fixture().public);
    assert_valid(&run);
    assert_eq!(run.stdout, expected);
    let dir = tempdir();
    let out = dir.path().join("message.txt");
    assert_valid(&marginproof!(
        "reserves-message",
        fixture().public,
        "--out",
        out
    ));
    assert_eq!(fs::read_to_string(&out).expect("message"), expected);
}

#[test]
fn a_signed_file_attaches_and_verifies_with_balances_declared() {
    // Without reserves.json: `reserves` is null, the reserves are declared only.
    let run = verify_json(&fixture().public, &[]);
    assert_valid(&run);
    assert_eq!(run.json()["reserves"], Value::Null);
    let run = marginproof!("verify", fixture().public, "--cache-dir", cache_dir());
    assert!(run.stdout.contains("declared only"), "{}", run.stdout);

    let (run, dir, bundle) = attach(&fixture().signed);
    assert_valid(&run);
    let public = bundle.join("public");
    let run = verify_json(&public, &[]);
    assert_valid(&run);
    let reserves = &run.json()["reserves"];
    let file = &fixture().signed["wallets"];
    for (asset, wallets, scale) in [("BTC", 4, 8), ("ETH", 2, 8), ("USDT", 1, 6)] {
        let entry = &reserves[asset];
        assert_eq!(entry["wallets"], wallets, "{reserves:#}");
        assert_eq!(entry["signatures"], "verified");
        assert_eq!(entry["balances"], "declared");
        // The sum of the file's balances, added here without the product's parser.
        let sum: BigInt = file
            .as_array()
            .expect("wallets")
            .iter()
            .filter(|w| w["asset"] == asset)
            .map(|w| scaled(w["balance"].as_str().expect("balance"), scale))
            .sum();
        assert_eq!(scaled(&text(&entry["balance"]), scale), sum, "{asset}");
    }
    // The report lists every wallet and both coverages, labelled.
    let html = dir.path().join("report.html");
    assert_valid(&marginproof!(
        "report",
        public,
        "--out",
        html,
        "--cache-dir",
        cache_dir()
    ));
    let page = fs::read_to_string(&html).expect("report");
    for w in file.as_array().expect("wallets") {
        let address = text(&w["address"]);
        let address = if address.starts_with("0x") {
            address.to_lowercase()
        } else {
            address
        };
        assert!(page.contains(&address), "{address} not in the report");
    }
    for needle in [
        "gross coverage",
        "net coverage",
        "declared at block 5",
        "BIP-322 simple",
        "BIP-137",
        "EIP-191",
        "signs for two venues",
    ] {
        assert!(page.contains(needle), "`{needle}` not in the report");
    }
    assert!(!page.contains("verified against a node at block"));
    // Every figure of `verify --json`'s `reserves` is a `data-total` cell of the page.
    for (asset, entry) in reserves.as_object().expect("per asset") {
        for (field, value) in entry.as_object().expect("fields") {
            let shown = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let cell = format!("data-total=\"reserves.{asset}.{field}\">{shown}</td>");
            assert!(page.contains(&cell), "{cell} not in the report");
        }
    }
}

#[test]
fn a_tampered_published_file_does_not_verify() {
    let (run, _dir, bundle) = attach(&fixture().signed);
    assert_valid(&run);
    let public = bundle.join("public");
    let path = public.join("reserves.json");
    let mut file = common::read_json(&path);
    // Wallet 5 (ETH) now declares wallet 6's balance plus one atom: its signature still holds,
    // the sum does not.
    let mut balance = text(&wallet(&mut file, 4)["balance"]);
    balance.push('1');
    if !balance.contains('.') {
        balance.insert(balance.len() - 1, '.');
    }
    wallet(&mut file, 4)["balance"] = json!(balance);
    fs::write(&path, serde_json::to_string(&file).expect("json")).expect("write");
    assert_json_rejection(&verify_json(&public, &[]), "asset ETH");
    let report = bundle.join("report.html");
    assert_exit(
        &marginproof!(
            "report",
            public,
            "--out",
            report,
            "--cache-dir",
            cache_dir()
        ),
        1,
        "asset ETH",
    );
    assert!(!report.exists());
    // A repeated key in the published file.
    let original = serde_json::to_string_pretty(&fixture().signed).expect("json");
    let repeated = original.replacen("\"format\": 1,", "\"format\": 1, \"format\": 1,", 1);
    fs::write(&path, repeated).expect("write");
    assert_json_rejection(&verify_json(&public, &[]), "repeated key `format`");
}

#[test]
fn a_wallet_listed_twice_is_refused_in_any_spelling() {
    let mut file = signed();
    let copy = file["wallets"][0].clone();
    file["wallets"].as_array_mut().expect("wallets").push(copy);
    assert_refused(&file, "is already wallet 1");

    // The same P2WPKH address in upper-case bech32.
    let mut file = signed();
    let mut copy = file["wallets"][0].clone();
    copy["address"] = json!(text(&copy["address"]).to_uppercase());
    file["wallets"].as_array_mut().expect("wallets").push(copy);
    assert_refused(&file, "is already wallet 1");

    // The same Ethereum address, lower case instead of EIP-55.
    let mut file = signed();
    let mut copy = file["wallets"][ETH_WALLETS[0]].clone();
    copy["address"] = json!(text(&copy["address"]).to_lowercase());
    file["wallets"].as_array_mut().expect("wallets").push(copy);
    assert_refused(&file, "is already wallet 5");
}

#[test]
fn sums_must_equal_the_configured_reserve() {
    let mut file = signed();
    let w = wallet(&mut file, 1);
    let more = scaled(&text(&w["balance"]), 8) + 1;
    w["balance"] = json!(format_units(&more, 8));
    assert_refused(&file, "asset BTC: its wallets sum to");

    // Balances are plain decimals: no sign, no blank, no exponent.
    for odd in ["+1", " 1", "1e3", "-0"] {
        let mut file = signed();
        wallet(&mut file, 1)["balance"] = json!(odd);
        assert_refused(&file, "is not a plain decimal");
    }
    // More decimals than the location has (BTC: 8).
    let mut file = signed();
    wallet(&mut file, 1)["balance"] = json!("0.000000001");
    assert_refused(&file, "fractional digits");

    // A configured reserve with no wallet.
    let mut file = signed();
    file["wallets"]
        .as_array_mut()
        .expect("wallets")
        .retain(|w| w["asset"] != "USDT");
    assert_refused(&file, "asset USDT: the configured reserve has no wallet");
}

/// `value · 10^-scale` as a decimal string (test-side, no product code).
fn format_units(value: &BigInt, scale: usize) -> String {
    let digits = format!("{:0>width$}", value.to_string(), width = scale + 1);
    let (int, frac) = digits.split_at(digits.len() - scale);
    format!("{int}.{frac}")
}

#[test]
fn a_wallet_needs_a_location_on_its_chain_and_a_well_formed_address() {
    let mut file = signed();
    wallet(&mut file, USDT_WALLET)["chain"] = json!("bitcoin");
    assert_refused(&file, "wallet 7 (USDT on bitcoin, 0x");
    assert_refused(&file, "has no reserve location on chain `bitcoin`");

    let mut file = signed();
    wallet(&mut file, ETH_WALLETS[1])["address"] = json!("0x12345");
    assert_refused(&file, "is not an Ethereum address");
    let mut file = signed();
    wallet(&mut file, 0)["address"] = json!("bc1qnotanaddress");
    assert_refused(
        &file,
        "wallet 1 (BTC on bitcoin, bc1qnotanaddress): `bc1qnotanaddress` is not a Bitcoin address",
    );
    // A P2SH address: multisig is not supported in format 1.
    let mut file = signed();
    wallet(&mut file, 2)["address"] = json!("3HSVzEhCFuH9Z3wvoWTexy7BMVVp3PjS6f");
    assert_refused(&file, "not supported in format 1");
}

#[test]
fn a_repeated_json_key_is_refused_with_its_name() {
    let original = serde_json::to_string_pretty(&fixture().signed).expect("json");
    let needle = "\"chain\": \"bitcoin\",";
    assert!(original.contains(needle));
    let repeated = original.replacen(
        needle,
        "\"chain\": \"bitcoin\", \"chain\": \"ethereum\",",
        1,
    );
    assert_refused_text(&repeated, "repeated key `chain`");
}

#[test]
fn signatures_over_another_message_by_another_key_or_altered_are_refused() {
    // Every wallet signs another snapshot's message with its own key.
    let keys = KeyFile::parse(&fixture().keys).expect("keys");
    let other = keys
        .sign(&reserves_message(
            "Synthetic Venue",
            "synthetic-12",
            &root(),
        ))
        .expect("sign");
    for i in 0..7 {
        let mut file = signed();
        wallet(&mut file, i)["signature"] = json!(other.wallets[i].signature);
        assert_refused(&file, &format!("wallet {}", i + 1));
    }
    // Another address's signature over the right message: P2WPKH and P2TR swapped, the two
    // BIP-137 wallets swapped, the two Ethereum wallets swapped.
    for (a, b) in [(0, 1), (2, 3), (ETH_WALLETS[0], ETH_WALLETS[1])] {
        let mut file = signed();
        let sa = file["wallets"][a]["signature"].clone();
        let sb = file["wallets"][b]["signature"].clone();
        wallet(&mut file, a)["signature"] = sb;
        wallet(&mut file, b)["signature"] = sa;
        assert_refused(&file, &format!("wallet {}", a + 1));
    }
    // One flipped byte (of the signature's bytes, every scheme).
    for i in [0, 1, 2, 3, ETH_WALLETS[0], USDT_WALLET] {
        let mut file = signed();
        let signature = text(&file["wallets"][i]["signature"]);
        let flipped = match signature.strip_prefix("0x") {
            Some(digits) => {
                let mut raw = hex::decode(digits).expect("hex");
                raw[10] ^= 0x01;
                format!("0x{}", hex::encode(raw))
            }
            None => {
                let mut raw = BASE64.decode(&signature).expect("base64");
                let at = raw.len() / 2;
                raw[at] ^= 0x01;
                BASE64.encode(raw)
            }
        };
        wallet(&mut file, i)["signature"] = json!(flipped);
        assert_refused(&file, &format!("wallet {}", i + 1));
    }
}

// ---------------------------------------------------------------------------------------------
// A real Ethereum node
// ---------------------------------------------------------------------------------------------

/// The anvil binary of `npm ci --prefix tests/anvil` (`.ci/run` installs it).
fn anvil_bin() -> PathBuf {
    let path =
        workspace_root().join("tests/anvil/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(
        path.exists(),
        "{} is missing: run `npm ci --prefix tests/anvil` (.ci/run does) to install Foundry's anvil",
        path.display()
    );
    path
}

/// A local anvil node on a free port, killed when dropped.
struct Anvil {
    child: Child,
    url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Anvil {
    /// Starts anvil as chain `chain_id` (1: Ethereum mainnet) with its genesis at `genesis_time`.
    fn start(genesis_time: i64, chain_id: u64) -> Anvil {
        let port = free_port();
        let child = Command::new(anvil_bin())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--chain-id", &chain_id.to_string()])
            .args(["--timestamp", &genesis_time.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start anvil");
        let node = Anvil {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while node.try_rpc("eth_chainId", json!([])).is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "anvil did not answer within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        node
    }

    fn try_rpc(&self, method: &str, params: Value) -> Option<Value> {
        let answer: Value = ureq::post(&self.url)
            .timeout(Duration::from_secs(10))
            .send_json(json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
            .ok()?
            .into_json()
            .ok()?;
        answer.get("result").cloned()
    }

    fn rpc(&self, method: &str, params: Value) -> Value {
        self.try_rpc(method, params.clone())
            .unwrap_or_else(|| panic!("anvil: {method} {params} failed"))
    }

    fn accounts(&self) -> Vec<String> {
        self.rpc("eth_accounts", json!([]))
            .as_array()
            .expect("accounts")
            .iter()
            .map(text)
            .collect()
    }

    /// Mines blocks up to [`ETH_BLOCK`], the last at `block_time`, 12 s apart.
    fn mine_to_block(&self, block_time: i64) {
        for n in 1..=ETH_BLOCK {
            let time = block_time - 12 * (ETH_BLOCK - n) as i64;
            self.rpc("evm_setNextBlockTimestamp", json!([time]));
            self.rpc("evm_mine", json!([]));
        }
        let head = self.rpc("eth_blockNumber", json!([]));
        assert_eq!(head, json!(format!("0x{ETH_BLOCK:x}")));
    }
}

/// A minimal ERC-20 `balanceOf`: returns storage slot `address` for selector 0x70a08231, reverts
/// otherwise (hand-assembled: CALLDATALOAD(0) >> 224 == selector ? SLOAD(CALLDATALOAD(4)) :
/// REVERT).
const BALANCE_OF_CODE: &str = "0x60003560e01c6370a0823114601357600080fd5b6004355460005260206000f3";

fn word(value: &BigInt) -> String {
    format!("0x{:0>64}", value.to_str_radix(16))
}

fn address_word(address: &str) -> String {
    format!("0x{:0>64}", address.trim_start_matches("0x").to_lowercase())
}

/// The fixture's reserves file with its Ethereum wallets replaced by anvil's first three
/// accounts, signed by anvil itself (`eth_sign`, EIP-191: an independent implementation).
fn node_file(node: &Anvil) -> Value {
    static FILE: OnceLock<Value> = OnceLock::new();
    FILE.get_or_init(|| {
        let accounts = node.accounts();
        let message = format!(
            "0x{}",
            hex::encode(reserves_message("Synthetic Venue", "synthetic-11", &root()))
        );
        let mut file = signed();
        for (i, account) in [ETH_WALLETS[0], ETH_WALLETS[1], USDT_WALLET]
            .into_iter()
            .zip(&accounts)
        {
            let signature = node.rpc("eth_sign", json!([account, message]));
            wallet(&mut file, i)["address"] = json!(account);
            wallet(&mut file, i)["signature"] = signature;
        }
        file
    })
    .clone()
}

/// The on-chain state the file declares, at block 5 whose time is `block_time`; the USDT
/// holder's token balance is off by `token_delta` base units. After block 5 every balance
/// changes (block 7): only block 5's are the evidence.
fn node_with(block_time: i64, token_delta: i64) -> (Anvil, Value) {
    let node = Anvil::start(block_time - 1_000, 1);
    let file = node_file(&node);
    let wallets = &file["wallets"];
    for i in ETH_WALLETS {
        let wei = scaled(&text(&wallets[i]["balance"]), 18);
        node.rpc(
            "anvil_setBalance",
            json!([wallets[i]["address"], word(&wei)]),
        );
    }
    node.rpc("anvil_setCode", json!([USDT, BALANCE_OF_CODE]));
    let holder = text(&wallets[USDT_WALLET]["address"]);
    let units = scaled(&text(&wallets[USDT_WALLET]["balance"]), 6) + token_delta;
    node.rpc(
        "anvil_setStorageAt",
        json!([USDT, address_word(&holder), word(&units)]),
    );
    node.mine_to_block(block_time);
    // The token answers balanceOf at block 5 exactly as set.
    let call = node.rpc(
        "eth_call",
        json!([{"to": USDT, "data": format!("0x70a08231{}", &address_word(&holder)[2..])}, "0x5"]),
    );
    assert_eq!(call, json!(word(&units)));
    // Block 6 keeps block 5's state; then every balance moves (block 7).
    node.rpc("evm_mine", json!([]));
    for i in ETH_WALLETS {
        node.rpc("anvil_setBalance", json!([wallets[i]["address"], "0x1"]));
    }
    node.rpc(
        "anvil_setStorageAt",
        json!([USDT, address_word(&holder), word(&BigInt::from(7))]),
    );
    node.rpc("evm_mine", json!([]));
    let first = &wallets[ETH_WALLETS[0]]["address"];
    let at = |block: &str| node.rpc("eth_getBalance", json!([first, block]));
    assert_eq!(at("latest"), json!("0x1"));
    let wei = scaled(&text(&wallets[ETH_WALLETS[0]]["balance"]), 18);
    assert_eq!(at("0x5"), json!(format!("0x{}", wei.to_str_radix(16))));
    (node, file)
}

#[test]
fn the_node_confirms_the_true_balances() {
    let (node, file) = node_with(SNAPSHOT_TIME + 60, 0);
    let (run, dir, bundle) = attach(&file);
    assert_valid(&run);
    let public = bundle.join("public");
    let run = verify_json(&public, &["--eth-rpc", &node.url]);
    assert_valid(&run);
    let reserves = &run.json()["reserves"];
    assert_eq!(reserves["ETH"]["balances"], "verified", "{reserves:#}");
    assert_eq!(reserves["USDT"]["balances"], "verified");
    // No Bitcoin node is asked: BTC stays declared.
    assert_eq!(reserves["BTC"]["balances"], "declared");
    assert_eq!(reserves["BTC"]["signatures"], "verified");
    let html = dir.path().join("report.html");
    assert_valid(&marginproof!(
        "report",
        public,
        "--out",
        html,
        "--cache-dir",
        cache_dir(),
        "--eth-rpc",
        node.url
    ));
    let page = fs::read_to_string(&html).expect("report");
    assert!(page.contains("verified against a node at block 5"));
    assert!(page.contains("declared at block"), "BTC stays declared");
}

#[test]
fn the_node_refuses_balances_moved_between_two_wallets() {
    let (node, mut file) = node_with(SNAPSHOT_TIME + 60, 0);
    // 0.1 ETH moves from wallet 5 to wallet 6 in the file: the sum and the signatures hold.
    let [a, b] = ETH_WALLETS;
    let tenth = BigInt::from(10_000_000);
    let from = scaled(&text(&file["wallets"][a]["balance"]), 8) - &tenth;
    let to = scaled(&text(&file["wallets"][b]["balance"]), 8) + &tenth;
    wallet(&mut file, a)["balance"] = json!(format_units(&from, 8));
    wallet(&mut file, b)["balance"] = json!(format_units(&to, 8));
    let (run, _dir, bundle) = attach(&file);
    assert_valid(&run);
    let public = bundle.join("public");
    assert_valid(&verify_json(&public, &[]));
    let run = verify_json(&public, &["--eth-rpc", &node.url]);
    assert_json_rejection(&run, "wallet 5 (ETH on ethereum");
    assert!(run.stderr.contains("the node has"), "{}", run.stderr);
}

#[test]
fn the_node_refuses_a_token_balance_that_differs() {
    let (node, file) = node_with(SNAPSHOT_TIME + 60, -1);
    let (run, _dir, bundle) = attach(&file);
    assert_valid(&run);
    let run = verify_json(&bundle.join("public"), &["--eth-rpc", &node.url]);
    assert_json_rejection(&run, "wallet 7 (USDT on ethereum");
}

#[test]
fn the_node_refuses_a_block_far_from_the_snapshot_time() {
    let (node, file) = node_with(SNAPSHOT_TIME + 3_601, 0);
    let (run, _dir, bundle) = attach(&file);
    assert_valid(&run);
    let run = verify_json(&bundle.join("public"), &["--eth-rpc", &node.url]);
    assert_json_rejection(&run, "more than an hour");
    // An hour exactly is within.
    let (node, _) = node_with(SNAPSHOT_TIME - 3_600, 0);
    assert_valid(&verify_json(
        &bundle.join("public"),
        &["--eth-rpc", &node.url],
    ));
}

#[test]
fn an_unreachable_node_is_exit_2() {
    let (run, _dir, bundle) = attach(&fixture().signed);
    assert_valid(&run);
    let url = format!("http://127.0.0.1:{}", free_port());
    let run = verify_json(&bundle.join("public"), &["--eth-rpc", &url]);
    assert_exit(&run, 2, "does not answer");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // A node of another chain (anvil's default id) is not used either.
    let node = Anvil::start(SNAPSHOT_TIME - 1_000, 31_337);
    node.mine_to_block(SNAPSHOT_TIME);
    let run = verify_json(&bundle.join("public"), &["--eth-rpc", &node.url]);
    assert_exit(&run, 2, "chain id 31337, not mainnet");
}
