//! Margin units (SPEC §8): the cross-margin unit of an owner, or one of their isolated units.
//!
//! Each `(account id, margin unit)` is its own record, leaf, salt and status: an isolated unit's
//! collateral backs only its own positions, and its losses never reach the owner's other units.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest isolated unit label, in characters.
pub const MAX_UNIT_LABEL_CHARS: usize = 32;

/// A margin unit: the cross unit (empty label) or an isolated unit named by a label of 1 to
/// [`MAX_UNIT_LABEL_CHARS`] characters of `[A-Za-z0-9_-]`.
///
/// Units order the cross unit first, then isolated units by label (byte order), the order of an
/// owner's units in an inclusion file.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MarginUnit(String);

/// Why a margin unit label was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnitLabelError {
    /// More than [`MAX_UNIT_LABEL_CHARS`] characters.
    #[error("margin unit label has {chars} characters, at most {MAX_UNIT_LABEL_CHARS} allowed")]
    TooLong {
        /// Characters in the label.
        chars: usize,
    },
    /// A character outside `[A-Za-z0-9_-]`.
    #[error(
        "margin unit label: character {position} ({character:?}) is not one of A-Z a-z 0-9 _ -"
    )]
    BadCharacter {
        /// The character.
        character: char,
        /// 1-based position in the label.
        position: usize,
    },
}

impl MarginUnit {
    /// The owner's cross-margin unit.
    pub fn cross() -> Self {
        MarginUnit(String::new())
    }

    /// The unit named by `label`: the cross unit when it is empty, else an isolated unit whose
    /// label must be 1 to 32 characters of `[A-Za-z0-9_-]`.
    pub fn parse(label: &str) -> Result<Self, UnitLabelError> {
        let chars = label.chars().count();
        if chars > MAX_UNIT_LABEL_CHARS {
            return Err(UnitLabelError::TooLong { chars });
        }
        if let Some((i, character)) = label
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return Err(UnitLabelError::BadCharacter {
                character,
                position: i + 1,
            });
        }
        Ok(MarginUnit(label.to_string()))
    }

    /// The label: empty for the cross unit.
    pub fn label(&self) -> &str {
        &self.0
    }

    /// Whether this is the owner's cross-margin unit.
    pub fn is_cross(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<String> for MarginUnit {
    type Error = UnitLabelError;

    fn try_from(label: String) -> Result<Self, Self::Error> {
        MarginUnit::parse(&label)
    }
}

impl From<MarginUnit> for String {
    fn from(unit: MarginUnit) -> String {
        unit.0
    }
}

/// `cross`, or `isolated BTC-PERP`.
impl fmt::Display for MarginUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_cross() {
            f.write_str("cross")
        } else {
            write!(f, "isolated {}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked() {
        assert!(MarginUnit::parse("").unwrap().is_cross());
        assert_eq!(MarginUnit::parse("BTC-PERP").unwrap().label(), "BTC-PERP");
        assert_eq!(
            MarginUnit::parse(&"a".repeat(32)).unwrap().label().len(),
            32
        );
        assert_eq!(
            MarginUnit::parse(&"a".repeat(33)),
            Err(UnitLabelError::TooLong { chars: 33 })
        );
        assert_eq!(
            MarginUnit::parse("btc perp"),
            Err(UnitLabelError::BadCharacter {
                character: ' ',
                position: 4
            })
        );
        assert_eq!(
            MarginUnit::parse("é"),
            Err(UnitLabelError::BadCharacter {
                character: 'é',
                position: 1
            })
        );
        assert!(MarginUnit::cross() < MarginUnit::parse("A").unwrap());
        let json = serde_json::to_string(&MarginUnit::parse("x_1").unwrap()).unwrap();
        assert_eq!(json, "\"x_1\"");
        assert!(serde_json::from_str::<MarginUnit>("\"a/b\"").is_err());
    }
}
