//! A strict JSON reader: like `serde_json`, but a repeated key in any object is an error naming
//! the key, its line and its column (`serde_json` keeps the last value silently, so two readers
//! of one file could see different wallets).

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeSet;
use std::fmt;
use thiserror::Error;

/// A JSON text that was refused, with the 1-based line and column of the problem.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}, column {column}: {message}")]
pub struct JsonError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> Self {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position is in the fields.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        JsonError {
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// Parses `text` as `T`, refusing a repeated key in any object (first pass), then reading the
/// typed value with `serde_json` (second pass: unknown fields, types, trailing text).
pub fn from_str_strict<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    NoRepeatedKeys::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(serde_json::from_str(text)?)
}

/// Any JSON value whose objects have distinct keys; holds nothing.
struct NoRepeatedKeys;

impl<'de> Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoRepeatedKeysVisitor)
    }
}

struct NoRepeatedKeysVisitor;

impl<'de> Visitor<'de> for NoRepeatedKeysVisitor {
    type Value = NoRepeatedKeys;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoRepeatedKeys)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoRepeatedKeys)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoRepeatedKeys)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoRepeatedKeys)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoRepeatedKeys)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(NoRepeatedKeys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoRepeatedKeys>()?.is_some() {}
        Ok(NoRepeatedKeys)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("repeated key `{key}`")));
            }
            map.next_value::<NoRepeatedKeys>()?;
        }
        Ok(NoRepeatedKeys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_repeated_key_is_named_with_its_position() {
        let e = from_str_strict::<Value>("{\"a\": 1,\n \"b\": {\"c\": 2, \"c\": 3}}").unwrap_err();
        assert!(e.message.contains("repeated key `c`"), "{e}");
        assert_eq!(e.line, 2);
        // Also inside arrays, and with an escaped spelling of the same key.
        let e = from_str_strict::<Value>("[{\"x\": 1, \"\\u0078\": 2}]").unwrap_err();
        assert!(e.message.contains("repeated key `x`"), "{e}");
    }

    #[test]
    fn distinct_keys_and_trailing_text() {
        let v: Value = from_str_strict("{\"a\": [1, {\"a\": 2}], \"b\": null}").expect("valid");
        assert_eq!(v["a"][1]["a"], 2);
        assert!(from_str_strict::<Value>("{} x").is_err());
        assert!(from_str_strict::<Value>(&"[".repeat(100_000)).is_err());
    }
}
