//! The accounts file (CSV, SPEC §5).

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use marginproof_circuits::config::RiskParams;
use marginproof_circuits::model::record::{parse_cost, parse_quantity, parse_size};
use marginproof_circuits::model::{AccountRecord, MarginMode, MarginUnit};

use super::{AccountsProblem, CsvColumn, InputError};

/// The name of the account id column.
const ACCOUNT_ID: &str = "account_id";
/// The name of the margin unit column (SPEC §8): empty for the cross unit, else a label.
const MARGIN_UNIT: &str = "margin_unit";
/// The name of the margin mode column (SPEC §12): empty or `standard`, or `portfolio`.
const MARGIN_MODE: &str = "margin_mode";

/// What one header column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    AccountId,
    MarginUnit,
    MarginMode,
    Balance(usize),
    Debt(usize),
    Size(usize),
    Cost(usize),
}

/// Reads the accounts CSV at `path` against the configuration: one record (one margin unit of an
/// owner, SPEC §8) per row, in file order. An absent column or an empty cell is zero; an absent
/// `margin_unit` column or an empty cell in it is the owner's cross unit; an absent
/// `margin_mode` column or an empty cell in it is the standard model (SPEC §12).
pub fn load_accounts(path: &Path, params: &RiskParams) -> Result<Vec<AccountRecord>, InputError> {
    let file = File::open(path).map_err(|error| InputError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    parse_accounts(file, path, params)
}

/// Reads accounts CSV from `reader`; `path` is only used to name the source in errors.
pub fn parse_accounts<R: Read>(
    reader: R,
    path: &Path,
    params: &RiskParams,
) -> Result<Vec<AccountRecord>, InputError> {
    let fail =
        |line: u64, column: Option<CsvColumn>, problem: AccountsProblem| InputError::Accounts {
            path: path.to_path_buf(),
            line,
            column,
            problem,
        };
    let csv_error = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(io) => InputError::Read {
            path: path.to_path_buf(),
            error: std::io::Error::new(io.kind(), io.to_string()),
        },
        _ => fail(
            e.position().map_or(1, |p| p.line()),
            None,
            AccountsProblem::Malformed(csv_message(&e)),
        ),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);

    let headers = reader.headers().map_err(csv_error)?.clone();
    let header_line = headers.position().map_or(1, |p| p.line());
    let mut fields = Vec::with_capacity(headers.len());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut id_column = None;
    let mut unit_column = None;
    for (i, name) in headers.iter().enumerate() {
        let column = || CsvColumn {
            name: Some(name.to_string()),
            number: i + 1,
        };
        if let Some(&first) = seen.get(name) {
            return Err(fail(
                header_line,
                Some(column()),
                AccountsProblem::DuplicateColumn { first },
            ));
        }
        seen.insert(name, i + 1);
        let field = classify(name, params)
            .ok_or_else(|| fail(header_line, Some(column()), AccountsProblem::UnknownColumn))?;
        match field {
            Field::AccountId => id_column = Some(i),
            Field::MarginUnit => unit_column = Some(i),
            _ => {}
        }
        fields.push(field);
    }
    let id_column = id_column
        .ok_or_else(|| fail(header_line, None, AccountsProblem::MissingAccountIdColumn))?;

    let mut records = Vec::new();
    let mut first_lines: HashMap<(String, MarginUnit), u64> = HashMap::new();
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).map_err(csv_error)? {
        let line = row.position().map_or(0, |p| p.line());
        if row.len() == 1 && row.get(0).is_some_and(str::is_empty) {
            // A blank (whitespace-only) line.
            continue;
        }
        let column = |i: usize| CsvColumn {
            name: headers.get(i).map(str::to_string),
            number: i + 1,
        };
        if row.len() != fields.len() {
            return Err(fail(
                line,
                Some(column(row.len().min(fields.len()))),
                AccountsProblem::FieldCount {
                    expected: fields.len(),
                    found: row.len(),
                },
            ));
        }
        let id = row.get(id_column).unwrap_or_default();
        if id.is_empty() {
            return Err(fail(
                line,
                Some(column(id_column)),
                AccountsProblem::EmptyAccountId,
            ));
        }
        let unit = match unit_column {
            Some(i) => MarginUnit::parse(row.get(i).unwrap_or_default())
                .map_err(|e| fail(line, Some(column(i)), AccountsProblem::MarginUnit(e)))?,
            None => MarginUnit::cross(),
        };
        let key = (id.to_string(), unit);
        match first_lines.get(&key) {
            Some(_) if crate::test_support::allow_duplicates() => {}
            Some(&first_line) => {
                let (id, unit) = key;
                let at = match unit_column {
                    Some(i) if !unit.is_cross() => i,
                    _ => id_column,
                };
                return Err(fail(
                    line,
                    Some(column(at)),
                    AccountsProblem::DuplicateAccountId {
                        id,
                        unit,
                        first_line,
                    },
                ));
            }
            None => {}
        }
        first_lines.insert(key.clone(), line);

        let mut record = AccountRecord::empty(id, params).in_unit(key.1);
        for (i, (field, text)) in fields.iter().zip(row.iter()).enumerate() {
            if text.is_empty() {
                continue;
            }
            let bad = |e| fail(line, Some(column(i)), AccountsProblem::Value(e));
            match *field {
                Field::AccountId | Field::MarginUnit => {}
                Field::MarginMode => {
                    let mode = MarginMode::parse(text).ok_or_else(|| {
                        fail(
                            line,
                            Some(column(i)),
                            AccountsProblem::MarginMode(text.to_string()),
                        )
                    })?;
                    if mode == MarginMode::Portfolio && params.portfolio_margin.is_none() {
                        return Err(fail(
                            line,
                            Some(column(i)),
                            AccountsProblem::NoPortfolioMargin,
                        ));
                    }
                    record.mode = mode;
                }
                Field::Balance(a) => {
                    record.balances[a] =
                        parse_quantity(text, params.assets[a].decimals).map_err(bad)?
                }
                Field::Debt(a) => {
                    record.debts[a] =
                        parse_quantity(text, params.assets[a].decimals).map_err(bad)?
                }
                Field::Size(m) => {
                    record.positions[m].size =
                        parse_size(text, params.markets[m].decimals).map_err(bad)?
                }
                Field::Cost(m) => record.positions[m].cost = parse_cost(text).map_err(bad)?,
            }
        }
        records.push(record);
    }
    Ok(records)
}

/// What a header name refers to, if anything.
fn classify(name: &str, params: &RiskParams) -> Option<Field> {
    if name == ACCOUNT_ID {
        return Some(Field::AccountId);
    }
    if name == MARGIN_UNIT {
        return Some(Field::MarginUnit);
    }
    if name == MARGIN_MODE {
        return Some(Field::MarginMode);
    }
    if let Some(a) = params.asset_index(name) {
        return Some(Field::Balance(a));
    }
    if let Some(a) = name
        .strip_suffix("_debt")
        .and_then(|s| params.asset_index(s))
    {
        return Some(Field::Debt(a));
    }
    if let Some(m) = name
        .strip_suffix("_size")
        .and_then(|s| params.market_index(s))
    {
        return Some(Field::Size(m));
    }
    name.strip_suffix("_cost")
        .and_then(|s| params.market_index(s))
        .map(Field::Cost)
}

/// A CSV reader error without its position (the position is reported separately).
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        _ => e.to_string(),
    }
}
