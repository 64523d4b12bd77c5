//! The risk configuration file (TOML, SPEC §5).

use std::ops::Range;
use std::path::Path;

use marginproof_circuits::config::{RiskConfigFile, RiskParams};
use toml_edit::{ImDocument, Item, Table, Value};

use super::{line_column, InputError};

/// Reads and validates the risk configuration at `path`.
///
/// TOML errors (syntax, unknown or missing keys, wrong types) and semantic errors (see
/// [`RiskParams::from_file`]) are both reported with the file, line and column of the problem.
pub fn load_config(path: &Path) -> Result<RiskParams, InputError> {
    let bytes = std::fs::read(path).map_err(|error| InputError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let (line, column) = line_column(&prefix, valid);
            return Err(InputError::Toml {
                path: path.to_path_buf(),
                line,
                column,
                message: "the file is not valid UTF-8".into(),
            });
        }
    };
    parse_config(&text, path)
}

/// Validates a risk configuration given as TOML text; `path` is only used to name the source in
/// errors.
pub fn parse_config(text: &str, path: &Path) -> Result<RiskParams, InputError> {
    let file: RiskConfigFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        InputError::Toml {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim_end().to_string(),
        }
    })?;
    RiskParams::from_file(&file).map_err(|error| {
        let (line, column) =
            locate_field(text, &error.field).map_or((1, 1), |span| line_column(text, span.start));
        InputError::Config {
            path: path.to_path_buf(),
            line,
            column,
            error,
        }
    })
}

/// One step of a [`ConfigError`](marginproof_circuits::config::ConfigError) field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Splits `assets[1].haircut[0].rate` into keys and indices. `reserves.<SYM>` and
/// `scenarios[i].prices.<SYM>` keep the symbol whole, since symbols may contain `.`.
fn split_path(path: &str) -> Vec<Segment> {
    if let Some(symbol) = path.strip_prefix("reserves.") {
        return vec![Segment::Key("reserves".into()), Segment::Key(symbol.into())];
    }
    if let Some((scenario, symbol)) = path.split_once(".prices.") {
        let mut segments = split_path(scenario);
        segments.push(Segment::Key("prices".into()));
        segments.push(Segment::Key(symbol.into()));
        return segments;
    }
    let mut segments = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segments.push(Segment::Key(key.to_string()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else { break };
            match inner[..end].parse() {
                Ok(index) => segments.push(Segment::Index(index)),
                Err(_) => return segments,
            }
            rest = &inner[end + 1..];
        }
    }
    segments
}

/// Where a node of the document sits, while walking a path.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

impl<'a> Node<'a> {
    /// The entry `key` of a table or inline table, with the key's span as a fallback position.
    fn entry(&self, key: &str) -> Option<(Option<Range<usize>>, Node<'a>)> {
        let (k, item) = match *self {
            Node::Table(table) | Node::Item(Item::Table(table)) => table.get_key_value(key)?,
            Node::Item(Item::Value(Value::InlineTable(table)))
            | Node::Value(Value::InlineTable(table)) => table.get_key_value(key)?,
            _ => return None,
        };
        Some((k.span(), Node::Item(item)))
    }

    /// Element `index` of an array or array of tables.
    fn element(&self, index: usize) -> Option<(Option<Range<usize>>, Node<'a>)> {
        match *self {
            Node::Item(Item::ArrayOfTables(array)) => {
                array.get(index).map(|t| (None, Node::Table(t)))
            }
            Node::Item(Item::Value(Value::Array(array))) | Node::Value(Value::Array(array)) => {
                array.get(index).map(|v| (None, Node::Value(v)))
            }
            _ => None,
        }
    }

    /// The span of the node's value (for a table, its header).
    fn span(&self) -> Option<Range<usize>> {
        match *self {
            Node::Item(Item::Value(value)) | Node::Value(value) => value.span(),
            Node::Item(Item::Table(table)) | Node::Table(table) => table.span(),
            Node::Item(Item::ArrayOfTables(array)) => array.span(),
            Node::Item(Item::None) => None,
        }
    }
}

/// The byte span of the value at a [`ConfigError`](marginproof_circuits::config::ConfigError) field path, or of its nearest parent that
/// exists in the text.
fn locate_field(text: &str, field: &str) -> Option<Range<usize>> {
    let document = ImDocument::parse(text).ok()?;
    let mut best: Option<Range<usize>> = None;
    let mut node = Node::Item(document.as_item());
    for segment in split_path(field) {
        let next = match &segment {
            Segment::Key(key) => node.entry(key),
            Segment::Index(index) => node.element(*index),
        };
        let Some((key_span, next)) = next else { break };
        if let Some(span) = next.span().or(key_span) {
            best = Some(span);
        }
        node = next;
    }
    best
}
