//! The venue input files (SPEC §5): every refusal names the file, line and column; the synthetic
//! venue passes both loaders.

use std::path::PathBuf;

use marginproof_circuits::config::{ConfigProblem, RiskParams};
use marginproof_circuits::decimal::{format_decimal, DecimalError};
use marginproof_circuits::model::{
    evaluate, AccountRecord, MarginUnit, QuantityError, Status, UnitLabelError,
};
use marginproof_circuits::units::{MAX_ASSETS, MAX_MARKETS, VALUE_DECIMALS};
use marginproof_prover::generate::{
    generate, GenerateOptions, MAX_HELD_ASSETS, MAX_HELD_POSITIONS,
};
use marginproof_prover::input::{
    load_accounts, load_config, AccountsProblem, CsvColumn, InputError,
};
use num_bigint::BigInt;
use num_traits::Zero;
use tempfile::TempDir;

const CONFIG: &str = r#"[snapshot]
id = "2026-11-21T00:00Z"
venue = "Example Exchange"
liquidation_threshold = "1.00"

[[assets]]
symbol = "BTC"
decimals = 8
price = "97123.45"
haircut = [ { up_to = "30000000", rate = "1.00" }, { up_to = "50000000", rate = "0.98" }, { rate = "0.95" } ]
maintenance = [ { up_to = "1000000", rate = "0.05" }, { rate = "0.10" } ]

[[assets]]
symbol = "ETH"
decimals = 8
price = "3456.78"
haircut = [ { up_to = "20000000", rate = "1.00" }, { rate = "0.97" } ]
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
maintenance = [ { up_to = "1000000", rate = "0.005" }, { rate = "0.01" } ]

[reserves]
BTC = "12000.5"
"#;

/// The header of the accounts files below: columns 1 to 9.
const HEADER: &str =
    "account_id,BTC,BTC_debt,ETH,ETH_debt,USDT,USDT_debt,BTC-PERP_size,BTC-PERP_cost";

fn write(dir: &TempDir, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// 1-based line and column (in characters) of the first `needle` in `text`, after `after`.
fn position(text: &str, after: &str, needle: &str) -> (usize, usize) {
    let start = text.find(after).expect("anchor in text");
    let offset = start + text[start..].find(needle).expect("needle in text");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

fn params() -> RiskParams {
    let dir = TempDir::new().expect("tempdir");
    load_config(&write(&dir, "venue.toml", CONFIG)).expect("the base configuration is valid")
}

fn config_error(text: &str) -> (PathBuf, InputError) {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "venue.toml", text);
    let error = load_config(&path).expect_err("configuration must be refused");
    assert_eq!(error.path(), path);
    (path, error)
}

/// Asserts a semantic configuration error at the given field and position.
fn assert_config_error(text: &str, field: &str, at: (usize, usize)) -> ConfigProblem {
    let (path, error) = config_error(text);
    let message = error.to_string();
    match error {
        InputError::Config {
            path: p,
            line,
            column,
            error,
        } => {
            assert_eq!(p, path);
            assert_eq!(error.field, field, "{message}");
            assert_eq!((line, column), at, "{message}");
            assert!(
                message.starts_with(&format!("{}:{}:{}: {field}: ", path.display(), at.0, at.1)),
                "{message}"
            );
            error.problem
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

/// Asserts a TOML-level error at the given position; returns its message.
fn assert_toml_error(text: &str, at: (usize, usize)) -> String {
    let (path, error) = config_error(text);
    let display = error.to_string();
    match error {
        InputError::Toml {
            path: p,
            line,
            column,
            message,
        } => {
            assert_eq!(p, path);
            assert_eq!((line, column), at, "{display}");
            assert!(
                display.starts_with(&format!("{}:{}:{}: ", path.display(), at.0, at.1)),
                "{display}"
            );
            message
        }
        other => panic!("expected a TOML error, got {other:?}"),
    }
}

#[test]
fn base_config_loads() {
    let params = params();
    assert_eq!(params.assets.len(), 3);
    assert_eq!(params.markets.len(), 1);
    // 97123.45 USD per BTC is 97123.45 · 10^10 ν per satoshi.
    assert_eq!(params.assets[0].price, 971_234_500_000_000);
    assert!(params.reserves[0].is_some());
}

#[test]
fn config_missing_file_is_a_read_error() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("absent.toml");
    let error = load_config(&path).expect_err("missing file");
    assert!(
        matches!(&error, InputError::Read { path: p, .. } if p == &path),
        "{error:?}"
    );
    assert!(error.to_string().starts_with(&path.display().to_string()));
}

#[test]
fn config_malformed_toml() {
    let text = CONFIG.replace("venue = \"Example Exchange\"", "venue = \"Example Exchange");
    // The unterminated string is reported on its own line.
    let (line, _) = position(&text, "", "venue = ");
    let (path, error) = config_error(&text);
    match error {
        InputError::Toml {
            path: p, line: l, ..
        } => {
            assert_eq!(p, path);
            assert_eq!(l, line);
            assert_eq!(l, 3);
        }
        other => panic!("expected a TOML error, got {other:?}"),
    }

    let text = CONFIG.replace("decimals = 6", "decimals = = 6");
    let at = position(&text, "symbol = \"USDT\"", "= 6");
    assert_toml_error(&text, at);
}

#[test]
fn config_unknown_key() {
    let text = CONFIG.replace(
        "symbol = \"ETH\"\n",
        "symbol = \"ETH\"\ncolour = \"blue\"\n",
    );
    let at = position(&text, "", "colour");
    assert_eq!(at, (15, 1));
    let message = assert_toml_error(&text, at);
    assert!(message.contains("colour"), "{message}");

    // Inside an inline table.
    let text = CONFIG.replace("{ rate = \"0.97\" }", "{ rate = \"0.97\", cap = \"1\" }");
    let at = position(&text, "", "cap = ");
    assert_toml_error(&text, at);
}

#[test]
fn config_missing_key() {
    let text = CONFIG.replace("price = \"3456.78\"\n", "");
    // Reported at the header of the table that lacks it.
    let at = position(&text, "symbol = \"BTC\"", "[[assets]]");
    assert_eq!(at, (13, 1));
    let message = assert_toml_error(&text, at);
    assert!(message.contains("price"), "{message}");
}

#[test]
fn config_wrong_type() {
    let text = CONFIG.replace(
        "decimals = 8\nprice = \"3456.78\"",
        "decimals = \"8\"\nprice = \"3456.78\"",
    );
    assert_toml_error(&text, position(&text, "symbol = \"ETH\"", "\"8\""));
}

#[test]
fn config_not_utf8() {
    let mut bytes = CONFIG.as_bytes().to_vec();
    let offset = CONFIG.find("Example").expect("venue");
    bytes[offset] = 0xff;
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "venue.toml", &bytes);
    match load_config(&path) {
        Err(InputError::Toml { line, column, .. }) => assert_eq!((line, column), (3, 10)),
        other => panic!("expected a TOML error, got {other:?}"),
    }
}

#[test]
fn config_price_not_representable() {
    let text = CONFIG.replace("price = \"97123.45\"", "price = \"1.1234567891234\"");
    let at = position(&text, "", "\"1.1234567891234\"");
    assert_eq!(at, (9, 9));
    let problem = assert_config_error(&text, "assets[0].price", at);
    assert!(
        matches!(problem, ConfigProblem::PriceNotRepresentable(_)),
        "{problem:?}"
    );

    // A market's mark price, size decimals 4: at most 14 fractional digits.
    let text = CONFIG.replace(
        "mark_price = \"97100\"",
        "mark_price = \"97100.000000000000001\"",
    );
    let at = position(&text, "", "\"97100.000000000000001\"");
    let problem = assert_config_error(&text, "markets[0].mark_price", at);
    assert!(
        matches!(problem, ConfigProblem::PriceNotRepresentable(_)),
        "{problem:?}"
    );
}

#[test]
fn config_haircut_rates_increase() {
    let text = CONFIG.replace(
        "{ up_to = \"20000000\", rate = \"1.00\" }, { rate = \"0.97\" }",
        "{ up_to = \"20000000\", rate = \"0.97\" }, { rate = \"0.99\" }",
    );
    let at = position(&text, "symbol = \"ETH\"", "\"0.99\"");
    assert_eq!(at, (17, 61));
    let problem = assert_config_error(&text, "assets[1].haircut[1].rate", at);
    assert_eq!(
        problem,
        ConfigProblem::HaircutIncreasing {
            tier: 1,
            previous: 0
        }
    );
}

#[test]
fn config_maintenance_rates_decrease() {
    let text = CONFIG.replace(
        "{ up_to = \"1000000\", rate = \"0.005\" }, { rate = \"0.01\" }",
        "{ up_to = \"1000000\", rate = \"0.01\" }, { rate = \"0.005\" }",
    );
    let at = position(&text, "[[markets]]", "\"0.005\"");
    let problem = assert_config_error(&text, "markets[0].maintenance[1].rate", at);
    assert_eq!(
        problem,
        ConfigProblem::MaintenanceDecreasing {
            tier: 1,
            previous: 0
        }
    );
}

#[test]
fn config_threshold_and_reserves_are_located() {
    let text = CONFIG.replace(
        "liquidation_threshold = \"1.00\"",
        "liquidation_threshold = \"1.0000001\"",
    );
    let at = position(&text, "", "\"1.0000001\"");
    let problem = assert_config_error(&text, "snapshot.liquidation_threshold", at);
    assert!(matches!(
        problem,
        ConfigProblem::Decimal(DecimalError::TooManyDecimals { .. })
    ));

    let text = CONFIG.replace("BTC = \"12000.5\"", "XRP = \"1\"");
    let at = position(&text, "[reserves]", "\"1\"");
    let problem = assert_config_error(&text, "reserves.XRP", at);
    assert!(
        matches!(problem, ConfigProblem::BadSymbol(_)),
        "{problem:?}"
    );

    // A symbol with a dot is one key.
    let text = CONFIG.replace("BTC = \"12000.5\"", "\"X.Y\" = \"1\"");
    let at = position(&text, "[reserves]", "\"1\"");
    assert_config_error(&text, "reserves.X.Y", at);

    let text = CONFIG.replace("BTC = \"12000.5\"", "BTC = \"12000.000000001\"");
    let at = position(&text, "[reserves]", "\"12000.000000001\"");
    assert_config_error(&text, "reserves.BTC", at);

    let text = CONFIG.replace("id = \"2026-11-21T00:00Z\"", "id = \" \"");
    assert_config_error(&text, "snapshot.id", (2, 6));
}

#[test]
fn config_absent_key_falls_back_to_its_parent() {
    // The middle tier has no `up_to`: the error points at its inline table.
    let text = CONFIG.replace(
        "{ up_to = \"50000000\", rate = \"0.98\" }",
        "{ rate = \"0.98\" }",
    );
    let at = position(&text, "", "{ rate = \"0.98\" }");
    let problem = assert_config_error(&text, "assets[0].haircut[1].up_to", at);
    assert!(
        matches!(problem, ConfigProblem::BadTierShape(_)),
        "{problem:?}"
    );

    // An empty table list points at its array.
    let text = CONFIG.replace("maintenance = [ { rate = \"0.02\" } ]", "maintenance = []");
    let at = position(&text, "symbol = \"USDT\"", "[]");
    assert_config_error(&text, "assets[2].maintenance", at);

    // A duplicate symbol in an array of tables.
    let text = CONFIG.replace("symbol = \"ETH\"", "symbol = \"BTC\"");
    let at = position(&text, "decimals = 8\nprice = \"97123.45\"", "\"BTC\"");
    assert_config_error(&text, "assets[1].symbol", at);
}

fn accounts_error(text: &str) -> (PathBuf, u64, Option<CsvColumn>, AccountsProblem, String) {
    let dir = TempDir::new().expect("tempdir");
    let path = write(&dir, "accounts.csv", text);
    let error = load_accounts(&path, &params()).expect_err("accounts must be refused");
    let display = error.to_string();
    match error {
        InputError::Accounts {
            path: p,
            line,
            column,
            problem,
        } => {
            assert_eq!(p, path);
            assert!(
                display.starts_with(&format!("{}:{line}: ", path.display())),
                "{display}"
            );
            (path, line, column, problem, display)
        }
        other => panic!("expected an accounts error, got {other:?}"),
    }
}

fn column(name: &str, number: usize) -> Option<CsvColumn> {
    Some(CsvColumn {
        name: Some(name.to_string()),
        number,
    })
}

/// Asserts a value error in row `line` at the named column.
fn assert_value_error(cells: &str, line: u64, name: &str, number: usize) -> QuantityError {
    let mut text = format!("{HEADER}\nacct-1,1,,,,,,,\nacct-2,,,,,,,,\n");
    while text.lines().count() < line as usize - 1 {
        text.push_str(&format!("acct-pad-{},,,,,,,,\n", text.lines().count()));
    }
    text.push_str(cells);
    text.push('\n');
    let (_, l, c, problem, display) = accounts_error(&text);
    assert_eq!(l, line, "{display}");
    assert_eq!(c, column(name, number), "{display}");
    assert!(
        display.contains(&format!(":{line}: column `{name}` ({number}): ")),
        "{display}"
    );
    match problem {
        AccountsProblem::Value(e) => e,
        other => panic!("expected a value error, got {other:?}"),
    }
}

#[test]
fn accounts_load_in_file_order_with_zeros_for_gaps() {
    let dir = TempDir::new().expect("tempdir");
    let params = params();
    // Columns in any order, some absent, whitespace trimmed, empty cells zero.
    let text = "BTC-PERP_cost, account_id ,BTC,USDT_debt,BTC-PERP_size\n\
                -9710.5, zed , 0.5 ,,-0.1\n\
                ,alice,,12.000001,\n\
                \n\
                ,bob,1.00000000,,\n";
    let path = write(&dir, "accounts.csv", text);
    let records = load_accounts(&path, &params).expect("valid accounts");
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["zed", "alice", "bob"]);
    assert_eq!(records[0].balances, [50_000_000, 0, 0]);
    assert_eq!(records[0].positions[0].size, -1_000);
    assert_eq!(
        records[0].positions[0].cost,
        BigInt::from(-9_710_500_000_000_000_000_000i128)
    );
    assert_eq!(records[1].debts, [0, 0, 12_000_001]);
    assert_eq!(records[2].balances, [100_000_000, 0, 0]);
    assert_eq!(records[2], {
        let mut r = AccountRecord::empty("bob", &params);
        r.balances[0] = 100_000_000;
        r
    });

    // A header only is zero accounts.
    let path = write(&dir, "empty.csv", format!("{HEADER}\n"));
    assert!(load_accounts(&path, &params).expect("valid").is_empty());
}

#[test]
fn accounts_missing_file_is_a_read_error() {
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("absent.csv");
    let error = load_accounts(&path, &params()).expect_err("missing file");
    assert!(
        matches!(&error, InputError::Read { path: p, .. } if p == &path),
        "{error:?}"
    );
}

#[test]
fn accounts_unknown_column() {
    let text = "account_id,BTC,DOGE,BTC_debt\nacct-1,1,2,0\n";
    let (_, line, c, problem, display) = accounts_error(text);
    assert_eq!(
        (line, c, problem),
        (1, column("DOGE", 3), AccountsProblem::UnknownColumn)
    );
    assert!(
        display.contains(":1: column `DOGE` (3): unknown column"),
        "{display}"
    );
    // A suffix on a market, or on something that is not an asset.
    let (_, line, c, problem, _) = accounts_error("account_id,BTC-PERP_debt\n");
    assert_eq!(
        (line, c, problem),
        (
            1,
            column("BTC-PERP_debt", 2),
            AccountsProblem::UnknownColumn
        )
    );
    let (_, line, c, problem, _) = accounts_error("account_id,BTC_size\n");
    assert_eq!(
        (line, c, problem),
        (1, column("BTC_size", 2), AccountsProblem::UnknownColumn)
    );
}

#[test]
fn accounts_duplicate_column() {
    let text = "account_id,BTC,ETH, BTC\nacct-1,1,2,3\n";
    let (_, line, c, problem, _) = accounts_error(text);
    assert_eq!(
        (line, c, problem),
        (
            1,
            column("BTC", 4),
            AccountsProblem::DuplicateColumn { first: 2 }
        )
    );
}

#[test]
fn accounts_missing_account_id_column() {
    let (_, line, c, problem, display) = accounts_error("BTC,ETH\n1,2\n");
    assert_eq!(
        (line, c, problem),
        (1, None, AccountsProblem::MissingAccountIdColumn)
    );
    assert!(
        display.ends_with(":1: the header has no `account_id` column"),
        "{display}"
    );
    // An empty file has no header at all.
    let (_, line, _, problem, _) = accounts_error("");
    assert_eq!(
        (line, problem),
        (1, AccountsProblem::MissingAccountIdColumn)
    );
}

#[test]
fn accounts_empty_account_id() {
    let text = format!("{HEADER}\nacct-1,1,,,,,,,\n  ,1,,,,,,,\n");
    let (_, line, c, problem, _) = accounts_error(&text);
    assert_eq!(
        (line, c, problem),
        (3, column("account_id", 1), AccountsProblem::EmptyAccountId)
    );
}

#[test]
fn accounts_negative_balance_and_debt() {
    assert_eq!(
        assert_value_error("acct-9,-1,,,,,,,", 4, "BTC", 2),
        QuantityError::Negative
    );
    let e = assert_value_error("acct-9,1,-0.5,,,,,,", 7, "BTC_debt", 3);
    assert_eq!(e, QuantityError::Negative);
    let (path, _, _, _, display) = accounts_error(&format!(
        "{HEADER}\na,,,,,,,,\nb,,,,,,,,\nc,,,,,,,,\nd,,,,,,,,\ne,,,,,,,,\nf,,,1,-2,,,,\n"
    ));
    assert_eq!(
        display,
        format!(
            "{}:7: column `ETH_debt` (5): must not be negative",
            path.display()
        )
    );
}

#[test]
fn accounts_too_many_decimals() {
    let e = assert_value_error("acct-9,,,,,1.0000001,,,", 4, "USDT", 6);
    assert!(
        matches!(
            e,
            QuantityError::Decimal(DecimalError::TooManyDecimals { max: 6, .. })
        ),
        "{e:?}"
    );
    let e = assert_value_error("acct-9,,,,,,,0.00001,", 4, "BTC-PERP_size", 8);
    assert!(
        matches!(
            e,
            QuantityError::Decimal(DecimalError::TooManyDecimals { max: 4, .. })
        ),
        "{e:?}"
    );
    let e = assert_value_error("acct-9,,,,,,,,1.0000000000000000001", 4, "BTC-PERP_cost", 9);
    assert!(
        matches!(
            e,
            QuantityError::Decimal(DecimalError::TooManyDecimals { max: 18, .. })
        ),
        "{e:?}"
    );
}

#[test]
fn accounts_values_out_of_range() {
    // 2^64 atoms of BTC is 184467440737.09551616 BTC; one atom less is allowed.
    let e = assert_value_error("acct-9,184467440737.09551616,,,,,,,", 4, "BTC", 2);
    assert!(
        matches!(e, QuantityError::TooLarge { bits: 64, .. }),
        "{e:?}"
    );
    let e = assert_value_error("acct-9,,,,,,18446744073709.551616,,", 4, "USDT_debt", 7);
    assert!(
        matches!(e, QuantityError::TooLarge { bits: 64, .. }),
        "{e:?}"
    );
    let e = assert_value_error(
        "acct-9,,,,,,,-1844674407370955.1616,",
        4,
        "BTC-PERP_size",
        8,
    );
    assert!(
        matches!(e, QuantityError::TooLarge { bits: 64, .. }),
        "{e:?}"
    );
    // |cost| = 2^128 ν.
    let e = assert_value_error(
        "acct-9,,,,,,,,-340282366920938463463.374607431768211456",
        4,
        "BTC-PERP_cost",
        9,
    );
    assert!(
        matches!(e, QuantityError::TooLarge { bits: 128, .. }),
        "{e:?}"
    );

    let dir = TempDir::new().expect("tempdir");
    let text = format!(
        "{HEADER}\nmax,184467440737.09551615,,,,,,-1844674407370955.1615,-340282366920938463463.374607431768211455\n"
    );
    let records =
        load_accounts(&write(&dir, "a.csv", text), &params()).expect("largest values are valid");
    assert_eq!(records[0].balances[0], u64::MAX);
    assert_eq!(records[0].positions[0].size, -i128::from(u64::MAX));
}

#[test]
fn accounts_malformed_number() {
    for bad in ["1e5", "1,5", "0x10", "1.2.3", "--1", "."] {
        let cells = format!("acct-9,,,\"{bad}\",,,,,");
        let e = assert_value_error(&cells, 4, "ETH", 4);
        assert!(
            matches!(e, QuantityError::Decimal(DecimalError::Malformed(_))),
            "{bad}: {e:?}"
        );
    }
    let e = assert_value_error("acct-9,,,,,,,,-", 4, "BTC-PERP_cost", 9);
    assert_eq!(e, QuantityError::Decimal(DecimalError::Empty));
}

#[test]
fn accounts_duplicate_account_id() {
    let text = format!("{HEADER}\nacct-1,1,,,,,,,\nacct-2,,,,,,,,\nacct-1 ,2,,,,,,,\n");
    let (_, line, c, problem, display) = accounts_error(&text);
    assert_eq!(
        (line, c, problem),
        (
            4,
            column("account_id", 1),
            AccountsProblem::DuplicateAccountId {
                id: "acct-1".into(),
                unit: MarginUnit::cross(),
                first_line: 2
            }
        )
    );
    assert!(display.contains(
        ":4: column `account_id` (1): duplicate account id `acct-1` (already on line 2)"
    ));
}

/// `HEADER` with a `margin_unit` column after `account_id`.
const UNIT_HEADER: &str =
    "account_id,margin_unit,BTC,BTC_debt,ETH,ETH_debt,USDT,USDT_debt,BTC-PERP_size,BTC-PERP_cost";

#[test]
fn accounts_margin_units_are_records_of_their_own() {
    let text = format!(
        "{UNIT_HEADER}\nalice,,1,,,,,,,\nalice,BTC-PERP,,,,,100,,0.5,30000\nalice,hedge_2,,,2,,,,,\nbob,BTC-PERP,,,,,5,,,\n"
    );
    let dir = TempDir::new().expect("tempdir");
    let records = load_accounts(&write(&dir, "a.csv", text), &params()).expect("valid units");
    let names: Vec<(String, String)> = records
        .iter()
        .map(|r| (r.id.clone(), r.unit.label().to_string()))
        .collect();
    assert_eq!(
        names,
        [
            ("alice", ""),
            ("alice", "BTC-PERP"),
            ("alice", "hedge_2"),
            ("bob", "BTC-PERP")
        ]
        .map(|(a, u)| (a.to_string(), u.to_string()))
    );
    // Each unit holds only its own row.
    assert_eq!(records[0].balances[0], 100_000_000);
    assert_eq!(records[1].balances[0], 0);
    assert_eq!(records[1].positions[0].size, 5_000);
    assert!(records[2].positions[0].size == 0 && records[2].balances[1] != 0);
}

#[test]
fn accounts_repeated_margin_unit_names_both_lines() {
    let text = format!(
        "{UNIT_HEADER}\nalice,,1,,,,,,,\nalice,BTC-PERP,,,,,100,,0.5,30000\nbob,,1,,,,,,,\nalice,BTC-PERP,,,,,1,,,\n"
    );
    let (path, line, c, problem, display) = accounts_error(&text);
    assert_eq!(
        (line, c, problem),
        (
            5,
            column("margin_unit", 2),
            AccountsProblem::DuplicateAccountId {
                id: "alice".into(),
                unit: MarginUnit::parse("BTC-PERP").expect("a label"),
                first_line: 3
            }
        )
    );
    assert!(
        display.contains(&format!(
            "{}:5: column `margin_unit` (2): duplicate margin unit `BTC-PERP` of account `alice` (already on line 3)",
            path.display()
        )),
        "{display}"
    );
    // The same label under two owners, and a cross and an isolated unit of one owner, are fine.
    let text = format!("{UNIT_HEADER}\na,x,,,,,1,,,\nb,x,,,,,1,,,\na,,,,,,1,,,\n");
    let dir = TempDir::new().expect("tempdir");
    assert_eq!(
        load_accounts(&write(&dir, "a.csv", text), &params())
            .expect("distinct pairs")
            .len(),
        3
    );
    // A repeated cross unit is named at the id column even with a `margin_unit` column.
    let text = format!("{UNIT_HEADER}\na,,,,,,1,,,\na, ,,,,,2,,,\n");
    let (_, line, c, problem, _) = accounts_error(&text);
    assert_eq!((line, c), (3, column("account_id", 1)), "{problem:?}");
}

#[test]
fn accounts_malformed_margin_unit_label() {
    for (label, expected) in [
        (
            "BTC PERP",
            UnitLabelError::BadCharacter {
                character: ' ',
                position: 4,
            },
        ),
        (
            "a/b",
            UnitLabelError::BadCharacter {
                character: '/',
                position: 2,
            },
        ),
        (
            "é",
            UnitLabelError::BadCharacter {
                character: 'é',
                position: 1,
            },
        ),
        (
            "x123456789012345678901234567890123",
            UnitLabelError::TooLong { chars: 34 },
        ),
    ] {
        let text = format!("{UNIT_HEADER}\nalice,,1,,,,,,,\nalice,{label},,,,,1,,,\n");
        let (path, line, c, problem, display) = accounts_error(&text);
        assert_eq!(
            (line, c, problem),
            (
                3,
                column("margin_unit", 2),
                AccountsProblem::MarginUnit(expected)
            ),
            "{label}"
        );
        assert!(
            display.starts_with(&format!(
                "{}:3: column `margin_unit` (2): margin unit label",
                path.display()
            )),
            "{display}"
        );
    }
}

#[test]
fn accounts_wrong_number_of_fields() {
    let text = format!("{HEADER}\nacct-1,1,,,,,,,\nacct-2,1,2\n");
    let (_, line, c, problem, _) = accounts_error(&text);
    assert_eq!(
        (line, c, problem),
        (
            3,
            column("ETH", 4),
            AccountsProblem::FieldCount {
                expected: 9,
                found: 3
            }
        )
    );
    let text = format!("{HEADER}\nacct-1,1,,,,,,,,\n");
    let (_, line, c, problem, _) = accounts_error(&text);
    assert_eq!(
        (line, c, problem),
        (
            2,
            Some(CsvColumn {
                name: None,
                number: 10
            }),
            AccountsProblem::FieldCount {
                expected: 9,
                found: 10
            }
        )
    );
}

#[test]
fn accounts_lines_count_quoted_newlines() {
    // A quoted field spanning two lines: the next row starts on line 4.
    let text = format!("{HEADER}\n\"acct\n1\",1,,,,,,,\nacct-2,-1,,,,,,,\n");
    let (_, line, c, problem, _) = accounts_error(&text);
    assert_eq!(
        (line, c, problem),
        (
            4,
            column("BTC", 2),
            AccountsProblem::Value(QuantityError::Negative)
        )
    );
}

#[test]
fn accounts_not_utf8() {
    let dir = TempDir::new().expect("tempdir");
    let mut bytes = format!("{HEADER}\nacct-1,1,,,,,,,\nacct-").into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b",1,,,,,,,\n");
    let path = write(&dir, "accounts.csv", bytes);
    match load_accounts(&path, &params()) {
        Err(InputError::Accounts {
            line: 3,
            problem: AccountsProblem::Malformed(_),
            ..
        }) => {}
        other => panic!("expected a malformed-file error on line 3, got {other:?}"),
    }
}

/// Loads a generated venue from files and checks the CSV cells against the loaded records.
fn round_trip(opts: &GenerateOptions) -> (RiskParams, Vec<AccountRecord>) {
    let (config, accounts) = generate(opts);
    let dir = TempDir::new().expect("tempdir");
    let params = load_config(&write(&dir, "venue.toml", &config))
        .unwrap_or_else(|e| panic!("{opts:?}: {e}\n{config}"));
    assert_eq!(params.assets.len(), opts.assets.clamp(1, MAX_ASSETS));
    assert_eq!(params.markets.len(), opts.markets.min(MAX_MARKETS));
    assert_eq!(params.snapshot_id, format!("synthetic-{}", opts.seed));
    assert!(params.reserves.iter().all(Option::is_some));
    let records = load_accounts(&write(&dir, "accounts.csv", &accounts), &params)
        .unwrap_or_else(|e| panic!("{opts:?}: {e}"));
    assert_eq!(records.len(), opts.accounts);

    let mut lines = accounts.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(
        header.len(),
        2 + 2 * params.assets.len() + 2 * params.markets.len()
    );
    assert_eq!(header[..2], ["account_id", "margin_unit"]);
    let mut owners = 0;
    let mut previous: Option<&AccountRecord> = None;
    for (line, record) in lines.zip(&records) {
        if record.unit.is_cross() {
            owners += 1;
            assert_eq!(record.id, format!("acct-{owners:06}"));
        } else {
            // An isolated unit: right after its owner's other units, labelled by its only
            // position's market, with its own collateral and nothing else.
            let before = previous.expect("an isolated unit follows its owner");
            assert_eq!(record.id, before.id, "{line}");
            assert!(before.unit < record.unit, "{line}");
            let held: Vec<usize> = (0..params.markets.len())
                .filter(|&m| record.positions[m].size != 0)
                .collect();
            assert_eq!(held.len(), 1, "{line}");
            assert_eq!(
                record.unit.label(),
                params.markets[held[0]].symbol,
                "{line}"
            );
            assert!(record.balances.iter().any(|&b| b != 0), "{line}");
            assert!(record.debts.iter().all(|&d| d == 0), "{line}");
        }
        previous = Some(record);
        let cells: Vec<&str> = line.split(',').collect();
        let mut expected = vec![record.id.clone(), record.unit.label().to_string()];
        let text = |atoms: u64, decimals| {
            if atoms == 0 {
                String::new()
            } else {
                format_decimal(&BigInt::from(atoms), decimals)
            }
        };
        for (a, asset) in params.assets.iter().enumerate() {
            expected.push(text(record.balances[a], asset.decimals));
            expected.push(text(record.debts[a], asset.decimals));
        }
        for (m, market) in params.markets.iter().enumerate() {
            let p = &record.positions[m];
            if p.size == 0 {
                expected.push(String::new());
                expected.push(String::new());
            } else {
                expected.push(format_decimal(&BigInt::from(p.size), market.decimals));
                expected.push(format_decimal(&p.cost, VALUE_DECIMALS));
            }
        }
        assert_eq!(cells, expected);
        // Realistic shape: at most 4 assets and 2 positions per account, no floats in sight.
        let held = (0..params.assets.len())
            .filter(|&a| record.balances[a] != 0 || record.debts[a] != 0)
            .count();
        assert!(held <= 4, "{line}");
        assert!(
            record.positions.iter().filter(|p| p.size != 0).count() <= 2,
            "{line}"
        );
    }
    (params, records)
}

fn statuses(params: &RiskParams, records: &[AccountRecord]) -> (usize, usize, usize, usize) {
    let mut counts = (0, 0, 0, 0);
    for record in records {
        match evaluate(params, record).status {
            Status::Healthy => counts.0 += 1,
            Status::Liquidatable => counts.1 += 1,
            Status::Bankrupt => counts.2 += 1,
        }
        if *record == AccountRecord::empty(record.id.clone(), params) {
            counts.3 += 1;
        }
    }
    counts
}

#[test]
fn generated_venues_round_trip_with_a_realistic_mix() {
    for seed in [1, 2, 3, 0xdead_beef] {
        for (accounts, assets, markets) in [(100, 3, 2), (100, 50, 8), (100, 4, 3)] {
            let opts = GenerateOptions {
                accounts,
                assets,
                markets,
                seed,
                whales_ppm: 0,
                scenarios: 0,
                distribution: false,
                portfolio_ppm: 0,
                shocks: 0,
            };
            let (params, records) = round_trip(&opts);
            let (healthy, liquidatable, bankrupt, empty) = statuses(&params, &records);
            assert_eq!(liquidatable, 8, "{opts:?}");
            assert_eq!(bankrupt, 4, "{opts:?}");
            assert_eq!(empty, 3, "{opts:?}");
            assert_eq!(healthy, 88, "{opts:?}");
            let borrowers = records
                .iter()
                .filter(|r| r.debts.iter().any(|&d| d != 0))
                .count();
            let traders = records
                .iter()
                .filter(|r| r.positions.iter().any(|p| p.size != 0))
                .count();
            assert!(borrowers >= 25, "{opts:?}: {borrowers} borrowers");
            assert!(traders >= 20, "{opts:?}: {traders} traders");
            assert_eq!(
                records
                    .iter()
                    .filter(|r| r.debts.iter().all(|&d| d == 0)
                        && r.positions.iter().all(|p| p.size == 0))
                    .count(),
                35 + 3,
                "{opts:?}"
            );
            let isolated = records.iter().filter(|r| !r.unit.is_cross()).count();
            assert_eq!(isolated, 5, "{opts:?}");
        }
    }
}

#[test]
fn generated_venues_at_the_edges() {
    for (accounts, assets, markets) in [
        (0, 4, 3),
        (1, 4, 3),
        (5, 1, 0),
        (7, 2, 0),
        (20, 1, 1),
        (30, 300, 300),
        (10, 1100, 300),
    ] {
        let opts = GenerateOptions {
            accounts,
            assets,
            markets,
            seed: 7,
            whales_ppm: 0,
            scenarios: 0,
            distribution: false,
            portfolio_ppm: 0,
            shocks: 0,
        };
        let (params, records) = round_trip(&opts);
        let (_, liquidatable, bankrupt, _) = statuses(&params, &records);
        if accounts >= 3 && (assets >= 2 || markets >= 1) {
            assert!(liquidatable >= 1 && bankrupt >= 1, "{opts:?}");
        }
    }
}

#[test]
fn generated_wide_venues_hold_few_assets_and_positions() {
    for seed in [1, 5, 99] {
        let opts = GenerateOptions {
            accounts: 400,
            assets: 50,
            markets: 8,
            seed,
            whales_ppm: 0,
            scenarios: 0,
            distribution: false,
            portfolio_ppm: 0,
            shocks: 0,
        };
        let (params, records) = round_trip(&opts);
        let mut by_assets = [0usize; 5];
        let mut by_positions = [0usize; 3];
        for record in &records {
            let held = (0..params.assets.len())
                .filter(|&a| record.balances[a] != 0 || record.debts[a] != 0)
                .count();
            let positions = record
                .positions
                .iter()
                .filter(|p| p.size != 0 || !p.cost.is_zero())
                .count();
            assert!(held <= MAX_HELD_ASSETS, "{opts:?}: {record:?}");
            assert!(positions <= MAX_HELD_POSITIONS, "{opts:?}: {record:?}");
            by_assets[held] += 1;
            by_positions[positions] += 1;
        }
        // Typically 1 to 4 assets (every count occurs), empty accounts aside; 0 to 2 positions.
        assert!(by_assets.iter().all(|&n| n > 0), "{opts:?}: {by_assets:?}");
        assert!(by_assets[0] < records.len() / 10, "{opts:?}: {by_assets:?}");
        assert!(
            by_positions.iter().all(|&n| n > 0),
            "{opts:?}: {by_positions:?}"
        );
        // Assets beyond the popular four are held too.
        let wide = (4..params.assets.len())
            .filter(|&a| {
                records
                    .iter()
                    .any(|r| r.balances[a] != 0 || r.debts[a] != 0)
            })
            .count();
        assert!(wide >= 10, "{opts:?}: {wide} of the other 46 assets held");
        let (healthy, liquidatable, bankrupt, empty) = statuses(&params, &records);
        assert_eq!(liquidatable, 32, "{opts:?}");
        assert_eq!(bankrupt, 16, "{opts:?}");
        assert_eq!(empty, 12, "{opts:?}");
        assert_eq!(healthy, 400 - 32 - 16, "{opts:?}");
    }
}

#[test]
fn generation_is_deterministic() {
    let opts = GenerateOptions {
        accounts: 50,
        assets: 6,
        markets: 4,
        seed: 42,
        whales_ppm: 0,
        scenarios: 0,
        distribution: false,
        portfolio_ppm: 0,
        shocks: 0,
    };
    assert_eq!(generate(&opts), generate(&opts));
    let other = GenerateOptions {
        seed: 43,
        ..opts.clone()
    };
    assert_ne!(generate(&opts).1, generate(&other).1);
    let (config, _) = generate(&opts);
    for needle in [
        "symbol = \"A05\"",
        "symbol = \"A06\"",
        "symbol = \"M04-PERP\"",
        "[reserves]",
        "id = \"synthetic-42\"",
    ] {
        assert!(config.contains(needle), "{needle}\n{config}");
    }
}

#[test]
fn accounts_with_a_byte_order_mark() {
    let dir = TempDir::new().expect("tempdir");
    let path = write(
        &dir,
        "bom.csv",
        format!("\u{feff}{HEADER}\nacct-1,1,,,,,,,\n"),
    );
    let records = load_accounts(&path, &params()).expect("a BOM is not part of the header");
    assert_eq!(records[0].balances[0], 100_000_000);
}

#[test]
fn config_errors_are_located_in_every_toml_layout() {
    // Tiers as arrays of tables, the snapshot as an inline table, reserves as dotted keys.
    let text = r#"snapshot = { id = "s", venue = "v", liquidation_threshold = "1" }
reserves.BTC = "1"

[[assets]]
symbol = "BTC"
decimals = 8
price = "97123.45"
maintenance = [ { rate = "0.05" } ]

[[assets.haircut]]
up_to = "100"
rate = "0.90"

[[assets.haircut]]
rate = "0.95"
"#;
    let at = position(text, "", "\"0.95\"");
    assert_eq!(at, (15, 8));
    let problem = assert_config_error(text, "assets[0].haircut[1].rate", at);
    assert_eq!(
        problem,
        ConfigProblem::HaircutIncreasing {
            tier: 1,
            previous: 0
        }
    );

    let good = text.replace("rate = \"0.95\"", "rate = \"0.85\"");
    let dir = TempDir::new().expect("tempdir");
    load_config(&write(&dir, "venue.toml", &good)).expect("valid in this layout");

    // An absent key in a table of an array of tables: its header.
    let bad = good.replace("up_to = \"100\"\n", "");
    let at = position(&bad, "", "[[assets.haircut]]");
    assert_config_error(&bad, "assets[0].haircut[0].up_to", at);

    let bad = good.replace(
        "liquidation_threshold = \"1\"",
        "liquidation_threshold = \"-1\"",
    );
    let at = position(&bad, "", "\"-1\"");
    assert_config_error(&bad, "snapshot.liquidation_threshold", at);

    let bad = good.replace("reserves.BTC = \"1\"", "reserves.BTC = \"-1\"");
    let at = position(&bad, "", "\"-1\"");
    assert_config_error(&bad, "reserves.BTC", at);
}

/// The base configuration with two scenarios and a distribution appended.
fn stressed(scenarios: &str, edges: &str) -> String {
    format!("{CONFIG}\n{scenarios}\n[distribution]\nmargin_ratio_edges = {edges}\n")
}

const SCENARIOS: &str = r#"[[scenarios]]
name = "crash-30"
prices = { BTC = "67986.415", ETH = "2400", "BTC-PERP" = "67970" }

[[scenarios]]
name = "btc-50"
prices = { BTC = "48561.725" }
"#;

#[test]
fn scenarios_and_distribution_load() {
    let dir = TempDir::new().expect("tempdir");
    let text = stressed(SCENARIOS, r#"["1.0", "1.1", "1.25", "1.5", "2", "5"]"#);
    let params = load_config(&write(&dir, "venue.toml", &text)).expect("valid configuration");
    assert_eq!(params.scenarios.len(), 2);
    let crash = &params.scenarios[0];
    assert_eq!(crash.name, "crash-30");
    // BTC has 8 decimals: 67986.415 USD per unit is 67986.415·10^10 ν per atom.
    assert_eq!(crash.prices.assets[0], 679_864_150_000_000);
    assert_eq!(
        crash.prices.assets[2], params.assets[2].price,
        "USDT keeps its base price"
    );
    assert_eq!(crash.prices.markets[0], 67_970 * 10u64.pow(14));
    let btc = &params.scenarios[1];
    assert_eq!(btc.prices.assets[1], params.assets[1].price);
    assert_eq!(btc.prices.markets[0], params.markets[0].mark_price);
    let d = params.distribution.as_ref().expect("distribution");
    assert_eq!(
        d.edges_ppm,
        [1_000_000, 1_100_000, 1_250_000, 1_500_000, 2_000_000, 5_000_000]
    );
    assert_eq!(params.distribution_buckets(), 7);
}

#[test]
fn scenario_errors_are_located() {
    let edges = r#"["1.0"]"#;
    // An unknown symbol.
    let text = stressed(
        &SCENARIOS.replace("ETH = \"2400\"", "XRP = \"2400\""),
        edges,
    );
    let at = position(&text, "crash-30", "\"2400\"");
    let problem = assert_config_error(&text, "scenarios[0].prices.XRP", at);
    assert!(
        matches!(problem, ConfigProblem::BadSymbol(_)),
        "{problem:?}"
    );
    // A price not representable in ν per atom (USDT has 6 decimals: 12 fractional digits at most).
    let text = stressed(
        &SCENARIOS.replace("BTC = \"48561.725\"", "USDT = \"0.9999999999999\""),
        edges,
    );
    let at = position(&text, "btc-50", "\"0.9999999999999\"");
    let problem = assert_config_error(&text, "scenarios[1].prices.USDT", at);
    assert!(
        matches!(problem, ConfigProblem::PriceNotRepresentable(_)),
        "{problem:?}"
    );
    // A zero price is out of range, as for the base prices.
    let text = stressed(&SCENARIOS.replace("\"67970\"", "\"0\""), edges);
    let at = position(&text, "crash-30", "\"0\"");
    let problem = assert_config_error(&text, "scenarios[0].prices.BTC-PERP", at);
    assert!(
        matches!(problem, ConfigProblem::OutOfRange(_)),
        "{problem:?}"
    );
    // A duplicate name.
    let text = stressed(&SCENARIOS.replace("\"btc-50\"", "\"crash-30\""), edges);
    let at = position(
        &text,
        "name = \"crash-30\"\nprices = { BTC = \"48",
        "\"crash-30\"",
    );
    let problem = assert_config_error(&text, "scenarios[1].name", at);
    assert!(
        problem
            .to_string()
            .contains("already the name of scenarios[0]"),
        "{problem}"
    );
    // Malformed names: upper case, empty, too long.
    for bad in ["Crash", "", "crash_30", &"x".repeat(33)] {
        let text = stressed(
            &SCENARIOS.replace("\"btc-50\"", &format!("\"{bad}\"")),
            edges,
        );
        let at = position(&text, "prices = { BTC = \"67986", &format!("\"{bad}\""));
        assert_config_error(&text, "scenarios[1].name", at);
    }
    // Too many.
    let many: String = (0..9)
        .map(|i| format!("[[scenarios]]\nname = \"s{i}\"\n\n"))
        .collect();
    let text = stressed(&many, edges);
    let at = position(&text, "", "[[scenarios]]");
    let problem = assert_config_error(&text, "scenarios", at);
    assert!(problem.to_string().contains("at most 8"), "{problem}");
}

#[test]
fn distribution_errors_are_located() {
    // Not increasing.
    let text = stressed(SCENARIOS, r#"["1.0", "1.5", "1.5"]"#);
    let at = position(&text, "margin_ratio_edges", "\"1.5\", \"1.5\"");
    let at = (at.0, at.1 + 7);
    let problem = assert_config_error(&text, "distribution.margin_ratio_edges[2]", at);
    assert!(
        problem.to_string().contains("strictly increase"),
        "{problem}"
    );
    // Too many decimals.
    let text = stressed(SCENARIOS, r#"["1.0000001"]"#);
    let at = position(&text, "margin_ratio_edges", "\"1.0000001\"");
    let problem = assert_config_error(&text, "distribution.margin_ratio_edges[0]", at);
    assert!(matches!(
        problem,
        ConfigProblem::Decimal(DecimalError::TooManyDecimals { .. })
    ));
    // Negative, or too large.
    for bad in ["-1", "4294.967296"] {
        let text = stressed(SCENARIOS, &format!("[\"{bad}\"]"));
        let at = position(&text, "margin_ratio_edges", &format!("\"{bad}\""));
        assert_config_error(&text, "distribution.margin_ratio_edges[0]", at);
    }
    // None, or more than 16.
    let text = stressed(SCENARIOS, "[]");
    let at = position(&text, "margin_ratio_edges", "[]");
    assert_config_error(&text, "distribution.margin_ratio_edges", at);
    let many: Vec<String> = (1..=17).map(|i| format!("\"{i}\"")).collect();
    let text = stressed(SCENARIOS, &format!("[{}]", many.join(", ")));
    let at = position(&text, "margin_ratio_edges", "[");
    let problem = assert_config_error(&text, "distribution.margin_ratio_edges", at);
    assert!(
        problem.to_string().contains("between 1 and 16"),
        "{problem}"
    );
}

#[test]
fn generated_scenarios_and_distribution_load_and_shock_their_prices() {
    let opts = GenerateOptions {
        accounts: 20,
        assets: 6,
        markets: 3,
        seed: 3,
        scenarios: 8,
        distribution: true,
        ..GenerateOptions::default()
    };
    let (config, accounts) = generate(&opts);
    let dir = TempDir::new().expect("tempdir");
    let params = load_config(&write(&dir, "venue.toml", &config)).expect("generated config");
    load_accounts(&write(&dir, "accounts.csv", &accounts), &params).expect("generated accounts");
    let names: Vec<&str> = params.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, marginproof_prover::generate::SCENARIO_NAMES);
    // crash-30: BTC at 70% (rounded down in ν per atom), USDT unchanged.
    let crash = &params.scenarios[0].prices;
    assert_eq!(crash.assets[0], params.assets[0].price / 10 * 7);
    assert_eq!(crash.assets[2], params.assets[2].price);
    assert_eq!(crash.markets[0], params.markets[0].mark_price / 10 * 7);
    // btc-50 moves only BTC and its perp.
    let btc = &params.scenarios[1].prices;
    assert_eq!(btc.assets[0], params.assets[0].price / 2);
    assert_eq!(btc.assets[1], params.assets[1].price);
    assert_eq!(params.distribution_buckets(), 7);
    // Without the options, neither.
    let (config, _) = generate(&GenerateOptions::default());
    let params = load_config(&write(&dir, "plain.toml", &config)).expect("generated config");
    assert!(params.scenarios.is_empty() && params.distribution.is_none());
}
