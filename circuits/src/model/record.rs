//! Account records: exact integers (atoms, ν) and their decimal form in units.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::RiskParams;
use crate::decimal::{format_decimal, parse_decimal, DecimalError};
use crate::model::portfolio::MarginMode;
use crate::model::unit::MarginUnit;
use crate::units::{COST_BITS, QUANTITY_BITS, VALUE_DECIMALS};

/// A perpetual position: signed size in atoms (`|size| < 2^64`) and signed cost in ν (`|cost| < 2^128`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// Signed size in size atoms; negative is short.
    pub size: i128,
    /// Signed value paid to open the position, in ν.
    pub cost: BigInt,
}

/// One margin account (one margin unit of an owner, SPEC §8), in configuration order of assets
/// and markets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// The venue's account id: the owner.
    pub id: String,
    /// Which of the owner's margin units this record is: cross, or an isolated unit.
    pub unit: MarginUnit,
    /// Balance of each asset, in atoms.
    pub balances: Vec<u64>,
    /// Debt of each asset, in atoms.
    pub debts: Vec<u64>,
    /// Position in each market.
    pub positions: Vec<Position>,
    /// Which model judges it (SPEC §12).
    pub mode: MarginMode,
}

/// Why a quantity was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuantityError {
    /// Not an exact decimal, or too many fractional digits for the asset.
    #[error(transparent)]
    Decimal(#[from] DecimalError),
    /// Balances and debts are never negative.
    #[error("must not be negative")]
    Negative,
    /// Outside the range of SPEC §2.
    #[error("out of range: must be below 2^{bits} {unit}")]
    TooLarge {
        /// Bits of the bound.
        bits: usize,
        /// The unit of the bound.
        unit: &'static str,
    },
}

/// A record field that could not be read, with its field name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {problem}")]
pub struct RecordError {
    /// Which field (`balances.BTC`, `positions.BTC-PERP.cost`, …).
    pub field: String,
    /// What is wrong.
    pub problem: RecordProblem,
}

/// What is wrong with one record field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordProblem {
    /// The value itself.
    #[error(transparent)]
    Quantity(#[from] QuantityError),
    /// A symbol the configuration does not have.
    #[error("unknown symbol")]
    UnknownSymbol,
}

/// A balance or debt in units of an asset with `decimals`: an integer count of atoms in `[0, 2^64)`.
pub fn parse_quantity(text: &str, decimals: u32) -> Result<u64, QuantityError> {
    let atoms = parse_decimal(text, decimals)?;
    if atoms.is_negative() {
        return Err(QuantityError::Negative);
    }
    atoms.to_u64().ok_or(QuantityError::TooLarge {
        bits: QUANTITY_BITS,
        unit: "atoms",
    })
}

/// A signed position size in units: `|size| < 2^64` atoms.
pub fn parse_size(text: &str, decimals: u32) -> Result<i128, QuantityError> {
    let atoms = parse_decimal(text, decimals)?;
    if atoms.magnitude().bits() > QUANTITY_BITS as u64 {
        return Err(QuantityError::TooLarge {
            bits: QUANTITY_BITS,
            unit: "atoms",
        });
    }
    atoms.to_i128().ok_or(QuantityError::TooLarge {
        bits: QUANTITY_BITS,
        unit: "atoms",
    })
}

/// A signed position cost in USD: `|cost| < 2^128` ν.
pub fn parse_cost(text: &str) -> Result<BigInt, QuantityError> {
    let nu = parse_decimal(text, VALUE_DECIMALS)?;
    if nu.magnitude().bits() > COST_BITS as u64 {
        return Err(QuantityError::TooLarge {
            bits: COST_BITS,
            unit: "ν (10^-18 USD)",
        });
    }
    Ok(nu)
}

/// A position in units: size in units of the market, cost in USD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionInUnits {
    /// Signed size in units.
    pub size: String,
    /// Signed cost in USD.
    pub cost: String,
}

/// A record in decimal units, as a user sees it (SPEC §5 inclusion proof). Absent entries are zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordInUnits {
    /// Balances by asset symbol.
    #[serde(default)]
    pub balances: BTreeMap<String, String>,
    /// Debts by asset symbol.
    #[serde(default)]
    pub debts: BTreeMap<String, String>,
    /// Positions by market symbol.
    #[serde(default)]
    pub positions: BTreeMap<String, PositionInUnits>,
    /// `standard` (absent) or `portfolio` (SPEC §12).
    #[serde(default, skip_serializing_if = "MarginMode::is_standard")]
    pub margin_mode: MarginMode,
}

impl AccountRecord {
    /// A cross-margin record with nothing in it.
    pub fn empty(id: impl Into<String>, params: &RiskParams) -> Self {
        AccountRecord {
            id: id.into(),
            unit: MarginUnit::cross(),
            balances: vec![0; params.assets.len()],
            debts: vec![0; params.assets.len()],
            positions: vec![Position::default(); params.markets.len()],
            mode: MarginMode::Standard,
        }
    }

    /// The record judged under another margin model.
    pub fn in_mode(mut self, mode: MarginMode) -> Self {
        self.mode = mode;
        self
    }

    /// The record as another margin unit of the same owner.
    pub fn in_unit(mut self, unit: MarginUnit) -> Self {
        self.unit = unit;
        self
    }

    /// `alice`, or `alice (isolated BTC-PERP)`: the record named in messages.
    pub fn name(&self) -> String {
        if self.unit.is_cross() {
            self.id.clone()
        } else {
            format!("{} ({})", self.id, self.unit)
        }
    }

    /// Whether the record's shape matches the configuration and every value is in range.
    pub fn fits(&self, params: &RiskParams) -> bool {
        self.balances.len() == params.assets.len()
            && self.debts.len() == params.assets.len()
            && self.positions.len() == params.markets.len()
            && self.positions.iter().all(|p| {
                p.size.unsigned_abs() < (1u128 << QUANTITY_BITS)
                    && p.cost.magnitude().bits() <= COST_BITS as u64
            })
    }

    /// The record in units; zero entries are left out.
    pub fn to_units(&self, params: &RiskParams) -> RecordInUnits {
        let mut units = RecordInUnits {
            margin_mode: self.mode,
            ..RecordInUnits::default()
        };
        for (i, a) in params.assets.iter().enumerate() {
            if self.balances[i] != 0 {
                units.balances.insert(
                    a.symbol.clone(),
                    format_decimal(&self.balances[i].into(), a.decimals),
                );
            }
            if self.debts[i] != 0 {
                units.debts.insert(
                    a.symbol.clone(),
                    format_decimal(&self.debts[i].into(), a.decimals),
                );
            }
        }
        for (i, m) in params.markets.iter().enumerate() {
            let p = &self.positions[i];
            if p.size != 0 || !p.cost.is_zero() {
                units.positions.insert(
                    m.symbol.clone(),
                    PositionInUnits {
                        size: format_decimal(&p.size.into(), m.decimals),
                        cost: format_decimal(&p.cost, VALUE_DECIMALS),
                    },
                );
            }
        }
        units
    }

    /// Reads a cross-margin record in units against the configuration (set another unit with
    /// [`AccountRecord::in_unit`]).
    pub fn from_units(
        id: &str,
        units: &RecordInUnits,
        params: &RiskParams,
    ) -> Result<Self, RecordError> {
        let mut record = AccountRecord::empty(id, params).in_mode(units.margin_mode);
        let fail = |field: String, problem: RecordProblem| RecordError { field, problem };
        for (kind, map, target) in [
            ("balances", &units.balances, &mut record.balances),
            ("debts", &units.debts, &mut record.debts),
        ] {
            for (symbol, text) in map {
                let field = format!("{kind}.{symbol}");
                let i = params
                    .asset_index(symbol)
                    .ok_or_else(|| fail(field.clone(), RecordProblem::UnknownSymbol))?;
                target[i] = parse_quantity(text, params.assets[i].decimals)
                    .map_err(|e| fail(field.clone(), e.into()))?;
            }
        }
        for (symbol, p) in &units.positions {
            let field = format!("positions.{symbol}");
            let i = params
                .market_index(symbol)
                .ok_or_else(|| fail(field.clone(), RecordProblem::UnknownSymbol))?;
            record.positions[i] = Position {
                size: parse_size(&p.size, params.markets[i].decimals)
                    .map_err(|e| fail(format!("{field}.size"), e.into()))?,
                cost: parse_cost(&p.cost).map_err(|e| fail(format!("{field}.cost"), e.into()))?,
            };
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_bounded() {
        assert_eq!(parse_quantity("1.5", 8), Ok(150_000_000));
        assert_eq!(parse_quantity("-1", 8), Err(QuantityError::Negative));
        assert_eq!(parse_quantity("18446744073709551615", 0), Ok(u64::MAX));
        assert!(matches!(
            parse_quantity("18446744073709551616", 0),
            Err(QuantityError::TooLarge { .. })
        ));
        assert!(matches!(
            parse_quantity("0.123", 2),
            Err(QuantityError::Decimal(_))
        ));
        assert_eq!(
            parse_size("-18446744073709551615", 0),
            Ok(-(u64::MAX as i128))
        );
        assert!(parse_size("-18446744073709551616", 0).is_err());
        assert!(parse_cost("-340282366920938463463.374607431768211455").is_ok());
        assert!(parse_cost("340282366920938463463.374607431768211456").is_err());
    }
}
