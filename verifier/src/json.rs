//! Reading JSON as the project's formats need it: a JSON object with a repeated key is refused
//! (serde would keep the last value silently, so one file could show a reader one value and the
//! tool another: a reserve, a scenario price, a record's balance).
//!
//! Every JSON file the verifier, the prover or the reserves checks read (the manifest, an
//! inclusion file, the job files, a reserves file, a wallet key file) goes through [`from_str`] or
//! [`from_slice`]: the document is walked once for repeated keys (the key, and its path when it is
//! nested, in the error), then deserialized as usual.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;

use thiserror::Error;

/// A JSON document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("malformed JSON at line {line}, column {column}: {message}")]
pub struct JsonError {
    /// Line of the problem (1-based; 0 when serde gives no position).
    pub line: usize,
    /// Column of the problem (1-based; 0 when serde gives no position).
    pub column: usize,
    /// serde's description, without the position.
    pub message: String,
}

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> Self {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        JsonError {
            line,
            column,
            message,
        }
    }
}

/// Walks a JSON value and refuses an object that repeats a key; `path` names where it is.
struct UniqueKeys<'p> {
    path: &'p str,
}

impl UniqueKeys<'_> {
    fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            let path = format!("{}[{index}]", self.path);
            if seq.next_element_seed(UniqueKeys { path: &path })?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.child(&key);
            if seen.contains(&key) {
                return Err(A::Error::custom(if path == key {
                    format!("repeated key `{key}`")
                } else {
                    format!("repeated key `{key}` (at `{path}`)")
                }));
            }
            seen.insert(key);
            map.next_value_seed(UniqueKeys { path: &path })?;
        }
        Ok(())
    }
}

/// Refuses a JSON document with a repeated key in any object (malformed JSON is refused too).
pub fn check_unique_keys(json: &str) -> Result<(), JsonError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    UniqueKeys { path: "" }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(())
}

/// Deserializes `json` after [`check_unique_keys`].
pub fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, JsonError> {
    check_unique_keys(json)?;
    Ok(serde_json::from_str(json)?)
}

/// [`from_str`] of bytes (which must be UTF-8).
pub fn from_slice<T: DeserializeOwned>(json: &[u8]) -> Result<T, JsonError> {
    let text = std::str::from_utf8(json).map_err(|e| JsonError {
        line: 0,
        column: 0,
        message: format!("not UTF-8: {e}"),
    })?;
    from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_repeated_key_is_refused_with_its_path() {
        let twice = r#"{"config": {"reserves": {"BTC": "1", "ETH": "2", "BTC": "900"}}}"#;
        let e = check_unique_keys(twice).expect_err("repeated");
        assert!(
            e.message
                .contains("repeated key `BTC` (at `config.reserves.BTC`)"),
            "{e}"
        );
        assert_eq!(e.line, 1);
        let nested = r#"{"a": [{"x": 1}, {"x": 2, "x": 3}]}"#;
        let e = check_unique_keys(nested).expect_err("repeated");
        assert!(e.message.contains("`a[1].x`"), "{e}");
        // serde alone would have kept the last value.
        let map: BTreeMap<String, u32> =
            serde_json::from_str(r#"{"k": 1, "k": 2}"#).expect("serde");
        assert_eq!(map["k"], 2);
        assert!(from_str::<BTreeMap<String, u32>>(r#"{"k": 1, "k": 2}"#).is_err());
        assert_eq!(
            from_str::<BTreeMap<String, u32>>(r#"{"k": 1, "K": 2}"#).expect("distinct keys")["K"],
            2
        );
        assert!(check_unique_keys("{\"a\": 1} trailing").is_err());
    }

    #[test]
    fn a_repeated_key_is_named_with_its_position_whatever_its_spelling() {
        let e = from_str::<serde_json::Value>("{\"a\": 1, \"a\": 2}").expect_err("repeated");
        assert_eq!(e.message, "repeated key `a`");
        let e = from_str::<serde_json::Value>("{\"a\": 1,\n \"b\": {\"c\": 2, \"c\": 3}}")
            .expect_err("repeated");
        assert!(e.message.contains("repeated key `c`"), "{e}");
        assert_eq!(e.line, 2);
        // An escaped spelling of the same key is the same key.
        let e =
            from_str::<serde_json::Value>("[{\"x\": 1, \"\\u0078\": 2}]").expect_err("repeated");
        assert!(e.message.contains("repeated key `x`"), "{e}");
        // Distinct keys pass; trailing text and deep nesting do not.
        let v: serde_json::Value =
            from_str("{\"a\": [1, {\"a\": 2}], \"b\": null}").expect("valid");
        assert_eq!(v["a"][1]["a"], 2);
        assert!(from_str::<serde_json::Value>("{} x").is_err());
        assert!(from_str::<serde_json::Value>(&"[".repeat(100_000)).is_err());
    }
}
