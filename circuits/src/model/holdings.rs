//! Sparse holdings: an account as a few `(asset index, balance, debt)` slots and
//! `(market index, size, cost)` slots, in the canonical order the circuit enforces.
//!
//! A venue with 50 assets has accounts that hold two or three of them. The batch circuit values a
//! fixed number of slots per account ([`SlotShape`]) instead of every asset of the configuration:
//! the non-empty holdings in increasing index order, then empty slots (index 0, all zero). That
//! order is the only one the circuit accepts, so a record has exactly one leaf.

use num_bigint::BigInt;
use num_traits::Zero;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::RiskParams;
use crate::model::portfolio::MarginMode;
use crate::model::record::{AccountRecord, Position};

/// Slots per account leaf: how many assets and positions one account may hold in this snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotShape {
    /// Asset slots (at least 1, at most the number of assets).
    pub assets: usize,
    /// Position slots (at most the number of markets).
    pub markets: usize,
    /// The margin model its units are judged by (SPEC §12): part of the class, so of the leaf's
    /// hash domain and of the circuit.
    #[serde(default, skip_serializing_if = "MarginMode::is_standard")]
    pub mode: MarginMode,
}

/// A record holds more than its slots.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("account {account} ({mode} margin) holds {assets} assets and {positions} positions; the leaf has {asset_slots} asset and {position_slots} position slots ({slot_mode} margin)", mode = mode.as_str(), slot_mode = slot_mode.as_str())]
pub struct TooManyHoldings {
    /// The account id.
    pub account: String,
    /// Its margin mode.
    pub mode: MarginMode,
    /// The shape's margin mode.
    pub slot_mode: MarginMode,
    /// Assets it holds.
    pub assets: usize,
    /// Positions it holds.
    pub positions: usize,
    /// Asset slots of the shape.
    pub asset_slots: usize,
    /// Position slots of the shape.
    pub position_slots: usize,
}

/// A slot shape that is not valid for a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("slot shape {assets} asset / {markets} position slots is invalid for {num_assets} assets and {num_markets} markets (need 1 ≤ asset slots ≤ assets, position slots ≤ markets, and `[portfolio_margin]` for a portfolio-margin shape)")]
pub struct InvalidSlotShape {
    /// Asset slots asked for.
    pub assets: usize,
    /// Position slots asked for.
    pub markets: usize,
    /// Assets of the configuration.
    pub num_assets: usize,
    /// Markets of the configuration.
    pub num_markets: usize,
}

impl SlotShape {
    /// A standard-margin shape of `assets` asset and `markets` position slots.
    pub const fn standard(assets: usize, markets: usize) -> Self {
        SlotShape {
            assets,
            markets,
            mode: MarginMode::Standard,
        }
    }

    /// The same slots for units of `mode`.
    pub const fn in_mode(self, mode: MarginMode) -> Self {
        SlotShape { mode, ..self }
    }

    /// One slot per asset and per market: holds any standard record.
    pub fn dense(params: &RiskParams) -> Self {
        SlotShape::standard(params.assets.len().max(1), params.markets.len())
    }

    /// The smallest shape that holds every record: the most assets any account holds (at least
    /// one slot) and the most positions.
    pub fn covering<'a>(records: impl IntoIterator<Item = &'a AccountRecord>) -> Self {
        let mut shape = SlotShape::standard(1, 0);
        for record in records {
            let (assets, positions) = record.holding_counts();
            shape.assets = shape.assets.max(assets);
            shape.markets = shape.markets.max(positions);
        }
        shape
    }

    /// Checks the shape against a configuration.
    pub fn validate(&self, params: &RiskParams) -> Result<(), InvalidSlotShape> {
        if self.assets == 0
            || self.assets > params.assets.len()
            || self.markets > params.markets.len()
            || (self.mode == MarginMode::Portfolio && params.portfolio_margin.is_none())
        {
            return Err(InvalidSlotShape {
                assets: self.assets,
                markets: self.markets,
                num_assets: params.assets.len(),
                num_markets: params.markets.len(),
            });
        }
        Ok(())
    }
}

/// One asset slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetHolding {
    /// Index of the asset in the configuration (0 for an empty slot).
    pub index: usize,
    /// Balance (atoms).
    pub balance: u64,
    /// Debt (atoms).
    pub debt: u64,
}

/// One position slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionHolding {
    /// Index of the market in the configuration (0 for an empty slot).
    pub index: usize,
    /// The position (zero for an empty slot).
    pub position: Position,
}

impl AssetHolding {
    /// Whether the slot is empty (nothing held).
    pub fn is_empty(&self) -> bool {
        self.balance == 0 && self.debt == 0
    }
}

impl PositionHolding {
    /// Whether the slot is empty (no size and no cost).
    pub fn is_empty(&self) -> bool {
        self.position.size == 0 && self.position.cost.is_zero()
    }
}

/// A record's holdings laid out in a [`SlotShape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holdings {
    /// Asset slots: holdings in index order, then empty slots.
    pub assets: Vec<AssetHolding>,
    /// Position slots: positions in index order, then empty slots.
    pub positions: Vec<PositionHolding>,
    /// The margin model of the shape they are laid out in.
    pub mode: MarginMode,
}

impl AccountRecord {
    /// How many assets (balance or debt nonzero) and positions (size or cost nonzero) it holds.
    pub fn holding_counts(&self) -> (usize, usize) {
        let assets = self
            .balances
            .iter()
            .zip(&self.debts)
            .filter(|(b, l)| **b != 0 || **l != 0)
            .count();
        let positions = self
            .positions
            .iter()
            .filter(|p| p.size != 0 || !p.cost.is_zero())
            .count();
        (assets, positions)
    }
}

impl Holdings {
    /// The holdings of `record` in `shape`'s slots.
    pub fn of(record: &AccountRecord, shape: SlotShape) -> Result<Self, TooManyHoldings> {
        let mut assets: Vec<AssetHolding> = record
            .balances
            .iter()
            .zip(&record.debts)
            .enumerate()
            .filter(|(_, (b, l))| **b != 0 || **l != 0)
            .map(|(index, (b, l))| AssetHolding {
                index,
                balance: *b,
                debt: *l,
            })
            .collect();
        let mut positions: Vec<PositionHolding> = record
            .positions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.size != 0 || !p.cost.is_zero())
            .map(|(index, p)| PositionHolding {
                index,
                position: p.clone(),
            })
            .collect();
        if assets.len() > shape.assets
            || positions.len() > shape.markets
            || record.mode != shape.mode
        {
            return Err(TooManyHoldings {
                account: record.name(),
                mode: record.mode,
                slot_mode: shape.mode,
                assets: assets.len(),
                positions: positions.len(),
                asset_slots: shape.assets,
                position_slots: shape.markets,
            });
        }
        assets.resize(
            shape.assets,
            AssetHolding {
                index: 0,
                balance: 0,
                debt: 0,
            },
        );
        positions.resize(
            shape.markets,
            PositionHolding {
                index: 0,
                position: Position {
                    size: 0,
                    cost: BigInt::zero(),
                },
            },
        );
        Ok(Holdings {
            assets,
            positions,
            mode: shape.mode,
        })
    }

    /// The empty holdings of a padding slot.
    pub fn empty(shape: SlotShape) -> Self {
        Holdings {
            assets: vec![
                AssetHolding {
                    index: 0,
                    balance: 0,
                    debt: 0,
                };
                shape.assets
            ],
            positions: vec![
                PositionHolding {
                    index: 0,
                    position: Position::default(),
                };
                shape.markets
            ],
            mode: shape.mode,
        }
    }
}
