//! The configuration of reserves evidence (SPEC §13): `snapshot.time`, `[reserve_chains]`, each
//! asset's `reserve_locations`, and no control characters in `snapshot.venue` and `snapshot.id`.
//! Every refusal names the file, line, column and field; every field changes the digest that the
//! statement tag binds.

use std::path::PathBuf;

use marginproof_circuits::config::{parse_utc_time, RiskParams};
use marginproof_prover::input::{load_config, InputError};
use tempfile::TempDir;

const CONFIG: &str = r#"[snapshot]
id = "2026-11-21T00:00Z"
venue = "Example Exchange"
time = "2026-11-21T00:00:00Z"

[reserve_chains]
ethereum = 21000000
bitcoin = 870000

[[assets]]
symbol = "BTC"
decimals = 8
price = "97123.45"
haircut = [ { rate = "0.95" } ]
maintenance = [ { rate = "0.10" } ]
reserve_locations = [ { chain = "bitcoin" } ]

[[assets]]
symbol = "USDT"
decimals = 6
price = "1"
haircut = [ { rate = "1.00" } ]
maintenance = [ { rate = "0.02" } ]
reserve_locations = [ { chain = "ethereum", token = "0xdAC17F958D2ee523a2206206994597C13D831ec7", decimals = 6 } ]

[reserves]
BTC = "12000.5"
USDT = "3000000"
"#;

fn load(text: &str) -> Result<RiskParams, Box<(PathBuf, InputError)>> {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("venue.toml");
    std::fs::write(&path, text).expect("write");
    load_config(&path).map_err(|e| Box::new((path, e)))
}

/// 1-based line and column of the first `needle` after `after`.
fn position(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).expect("anchor");
    let offset = start + text[start..].find(needle).expect("needle");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The configuration with `from` replaced by `to` is refused at `field`, located at the first
/// `needle` after `after` in the new text; returns the problem's message.
fn refused(from: &str, to: &str, field: &str, after: &str, needle: &str) -> String {
    assert!(CONFIG.contains(from), "{from}");
    let text = CONFIG.replacen(from, to, 1);
    let (path, error) = *load(&text).expect_err("refused");
    let message = error.to_string();
    match error {
        InputError::Config {
            line,
            column,
            error,
            ..
        } => {
            assert_eq!(error.field, field, "{message}");
            let at = position(&text, after, needle);
            assert_eq!((line, column), at, "{message}");
            assert!(
                message.starts_with(&format!("{}:{}:{}: {field}: ", path.display(), at.0, at.1)),
                "{message}"
            );
            error.problem.to_string()
        }
        other => panic!("expected a configuration error, got {other}"),
    }
}

#[test]
fn the_configuration_loads_with_its_locations() {
    let params = load(CONFIG).expect("valid");
    assert_eq!(params.snapshot_time, Some(1_795_219_200));
    assert_eq!(params.reserve_chains["ethereum"], 21_000_000);
    let btc = &params.assets[0].reserve_locations[0];
    assert_eq!(
        (btc.chain.as_str(), btc.token, btc.decimals),
        ("bitcoin", None, 8)
    );
    let usdt = &params.assets[1].reserve_locations[0];
    assert_eq!(usdt.decimals, 6);
    assert_eq!(
        hex::encode(usdt.token.expect("a token")),
        "dac17f958d2ee523a2206206994597c13d831ec7"
    );
}

#[test]
fn times_are_rfc3339_utc() {
    assert_eq!(parse_utc_time("1970-01-01T00:00:00Z"), Ok(0));
    assert_eq!(parse_utc_time("2000-03-01T00:00:00Z"), Ok(951_868_800));
    assert_eq!(parse_utc_time("2024-02-29T23:59:59Z"), Ok(1_709_251_199));
    for bad in [
        "2023-02-29T00:00:00Z",
        "2026-11-21T00:00:00",
        "2026-11-21 00:00:00Z",
        "2026-11-21T24:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-11-21T00:00:00+01:00",
        "+026-11-21T00:00:00Z",
    ] {
        assert!(parse_utc_time(bad).is_err(), "{bad}");
    }
    let problem = refused(
        "time = \"2026-11-21T00:00:00Z\"",
        "time = \"21 Nov 2026\"",
        "snapshot.time",
        "time",
        "\"21 Nov",
    );
    assert!(problem.contains("RFC 3339"), "{problem}");
    let problem = refused(
        "time = \"2026-11-21T00:00:00Z\"\n",
        "",
        "snapshot.time",
        "[snapshot]",
        "[snapshot]",
    );
    assert!(problem.contains("needs `snapshot.time`"), "{problem}");
}

#[test]
fn control_characters_in_venue_or_id_are_refused() {
    let problem = refused(
        "venue = \"Example Exchange\"",
        "venue = \"Example\\nroot: 00\"",
        "snapshot.venue",
        "venue",
        "\"Example",
    );
    assert!(problem.contains("U+000A"), "{problem}");
    refused(
        "id = \"2026-11-21T00:00Z\"",
        "id = \"2026\\u0007\"",
        "snapshot.id",
        "id",
        "\"2026",
    );
}

#[test]
fn chains_and_locations_are_checked() {
    let problem = refused(
        "bitcoin = 870000",
        "bitcoin = 870000\nsolana = 5",
        "reserve_chains.solana",
        "solana",
        "5",
    );
    assert!(problem.contains("unknown chain `solana`"), "{problem}");
    let problem = refused(
        "bitcoin = 870000\n",
        "",
        "assets[0].reserve_locations[0].chain",
        "symbol = \"BTC\"",
        "\"bitcoin\"",
    );
    assert!(problem.contains("has no block"), "{problem}");
    let problem = refused(
        "[ { chain = \"bitcoin\" } ]",
        "[ { chain = \"bitcoin\", token = \"0x00\" } ]",
        "assets[0].reserve_locations[0].token",
        "symbol = \"BTC\"",
        "\"0x00\"",
    );
    assert!(problem.contains("no tokens"), "{problem}");
    let problem = refused(
        "[ { chain = \"bitcoin\" } ]",
        "[ { chain = \"bitcoin\", decimals = 18 } ]",
        "assets[0].reserve_locations[0].decimals",
        "symbol = \"BTC\"",
        "18",
    );
    assert!(problem.contains("8 decimals"), "{problem}");
    let problem = refused(
        "[ { chain = \"bitcoin\" } ]",
        "[ { chain = \"bitcoin\" }, { chain = \"bitcoin\" } ]",
        "assets[0].reserve_locations[1].chain",
        "}, {",
        "\"bitcoin\"",
    );
    assert!(
        problem.contains("at most one location per chain"),
        "{problem}"
    );
    let problem = refused(
        "token = \"0xdAC17F958D2ee523a2206206994597C13D831ec7\"",
        "token = \"0xdAC17F958D2ee523a2206206994597C13D831ec\"",
        "assets[1].reserve_locations[0].token",
        "symbol = \"USDT\"",
        "\"0xdAC",
    );
    assert!(problem.contains("not a contract address"), "{problem}");
    let problem = refused(
        ", decimals = 6 } ]",
        " } ]",
        "assets[1].reserve_locations[0]",
        "symbol = \"USDT\"",
        "{ chain",
    );
    assert!(problem.contains("needs `decimals`"), "{problem}");
}

#[test]
fn every_reserves_field_changes_the_digest() {
    let base = load(CONFIG).expect("valid").digest();
    for (from, to) in [
        ("00:00:00Z", "00:00:01Z"),
        ("ethereum = 21000000", "ethereum = 21000001"),
        ("bitcoin = 870000", "bitcoin = 870001"),
        ("decimals = 6 }", "decimals = 7 }"),
        (
            "0xdAC17F958D2ee523a2206206994597C13D831ec7",
            "0xdAC17F958D2ee523a2206206994597C13D831ec8",
        ),
        ("reserve_locations = [ { chain = \"bitcoin\" } ]\n", ""),
    ] {
        let text = CONFIG.replacen(from, to, 1);
        assert_ne!(text, CONFIG, "{from}");
        let digest = load(&text).expect(from).digest();
        assert_ne!(digest, base, "{from} → {to} keeps the digest");
    }
}
