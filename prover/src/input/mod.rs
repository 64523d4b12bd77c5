//! Reading the venue's input files (SPEC §5): the risk configuration (TOML) and the accounts
//! (CSV), with errors that name the file, the line and the column of the problem.
//!
//! Nothing here rounds: every number is read as an exact decimal by the parsers of
//! `marginproof_circuits`, and anything they refuse is reported where it was written.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use marginproof_circuits::config::ConfigError;
use marginproof_circuits::model::{MarginUnit, QuantityError, UnitLabelError};
use thiserror::Error;

mod accounts;
mod config;

pub use accounts::{load_accounts, parse_accounts};
pub use config::{load_config, parse_config};

/// Why a venue input file was refused.
///
/// Every variant keeps the file path exactly as the caller gave it. Lines and columns are 1-based.
#[derive(Debug, Error)]
pub enum InputError {
    /// The file could not be read: missing, unreadable, or a directory.
    #[error("{}: cannot read the file: {error}", path.display())]
    Read {
        /// The file, as given.
        path: PathBuf,
        /// What the operating system said.
        error: io::Error,
    },
    /// The configuration is not valid TOML, or does not have the shape of SPEC §5 (an unknown
    /// key, a missing key, a value of the wrong type, text that is not UTF-8).
    #[error("{}:{line}:{column}: {message}", path.display())]
    Toml {
        /// The file, as given.
        path: PathBuf,
        /// Line of the problem (1-based).
        line: usize,
        /// Column of the problem (1-based, in characters).
        column: usize,
        /// What the TOML reader said.
        message: String,
    },
    /// The configuration is well-formed but not valid (a price that is not representable, tiers
    /// out of order, …); the position is that of the offending key's value in the file.
    #[error("{}:{line}:{column}: {error}", path.display())]
    Config {
        /// The file, as given.
        path: PathBuf,
        /// Line of the offending value (1-based), or of its nearest existing parent.
        line: usize,
        /// Column of the offending value (1-based, in characters).
        column: usize,
        /// The field path (for example `assets[1].haircut[0].rate`) and the problem.
        error: ConfigError,
    },
    /// The accounts file has a problem on this line.
    #[error("{}:{line}: {}{problem}", path.display(), ColumnPrefix(column.as_ref()))]
    Accounts {
        /// The file, as given.
        path: PathBuf,
        /// Line of the problem (1-based; the header is line 1).
        line: u64,
        /// The column of the problem, where there is one.
        column: Option<CsvColumn>,
        /// What is wrong.
        problem: AccountsProblem,
    },
}

impl InputError {
    /// The file the error is about, as given by the caller.
    pub fn path(&self) -> &Path {
        match self {
            InputError::Read { path, .. }
            | InputError::Toml { path, .. }
            | InputError::Config { path, .. }
            | InputError::Accounts { path, .. } => path,
        }
    }
}

/// A column of the accounts file: its header name and its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvColumn {
    /// The header name, or `None` for a field beyond the last header column.
    pub name: Option<String>,
    /// 1-based column number.
    pub number: usize,
}

impl fmt::Display for CsvColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "column `{name}` ({})", self.number),
            None => write!(f, "column {}", self.number),
        }
    }
}

struct ColumnPrefix<'a>(Option<&'a CsvColumn>);

impl fmt::Display for ColumnPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(column) => write!(f, "{column}: "),
            None => Ok(()),
        }
    }
}

/// What is wrong at one place of the accounts file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccountsProblem {
    /// A header name that is not `account_id`, `margin_unit`, `margin_mode`, an asset `SYM` or
    /// `SYM_debt`, or a market `SYM_size` or `SYM_cost`.
    #[error("unknown column: expected `account_id`, `margin_unit`, `margin_mode`, an asset `SYM` or `SYM_debt`, or a market `SYM_size` or `SYM_cost`")]
    UnknownColumn,
    /// A header name used twice.
    #[error("duplicate column (already column {first})")]
    DuplicateColumn {
        /// 1-based number of the first column with this name.
        first: usize,
    },
    /// The header has no `account_id` column (or the file is empty).
    #[error("the header has no `account_id` column")]
    MissingAccountIdColumn,
    /// An account id that is empty (after trimming).
    #[error("empty account id")]
    EmptyAccountId,
    /// An (account id, margin unit) pair that an earlier row already used (SPEC §8).
    #[error("{}", duplicate_unit(id, unit, *first_line))]
    DuplicateAccountId {
        /// The account id.
        id: String,
        /// The margin unit (cross for a file without `margin_unit`).
        unit: MarginUnit,
        /// The line where the pair first appears.
        first_line: u64,
    },
    /// A `margin_unit` cell that is not a label of 1 to 32 characters of `[A-Za-z0-9_-]`.
    #[error(transparent)]
    MarginUnit(#[from] UnitLabelError),
    /// A `margin_mode` cell that is not empty, `standard` or `portfolio` (SPEC §12).
    #[error("unknown margin mode `{0}`: expected `standard`, `portfolio` or an empty cell")]
    MarginMode(String),
    /// A portfolio-margin unit in a configuration without `[portfolio_margin]` (SPEC §12).
    #[error("a portfolio-margin unit needs the configuration's `[portfolio_margin]`")]
    NoPortfolioMargin,
    /// A balance, debt, size or cost that is malformed, negative, too precise or out of range.
    #[error(transparent)]
    Value(#[from] QuantityError),
    /// A row with more or fewer fields than the header.
    #[error("the row has {found} fields but the header has {expected}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// The file is not readable CSV (for example not UTF-8).
    #[error("{0}")]
    Malformed(String),
}

/// The message of a repeated (account id, margin unit) pair, naming the first line.
fn duplicate_unit(id: &str, unit: &MarginUnit, first_line: u64) -> String {
    if unit.is_cross() {
        format!("duplicate account id `{id}` (already on line {first_line})")
    } else {
        format!(
            "duplicate margin unit `{}` of account `{id}` (already on line {first_line})",
            unit.label()
        )
    }
}

/// The 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "ab\ncd\r\né f\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 1), (1, 2));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 7), (3, 1));
        // `é` is two bytes but one column.
        assert_eq!(line_column(text, 9), (3, 2));
        assert_eq!(line_column(text, 10), (3, 3));
        assert_eq!(line_column(text, 1000), (4, 1));
    }
}
