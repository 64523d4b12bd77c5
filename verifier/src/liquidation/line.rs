//! The model along one instrument's price. Every other instrument's part of AE, E and MR does not
//! change as this price moves, so it is summed once, and each price only values the one
//! instrument: with the model's own functions (`value_asset_at`, `value_position_at`,
//! `adjusted_equity`, `raw_equity`, `maintenance_requirement`, `status`, `margin_test`), given the
//! others' sum and this instrument's part. A price then costs the same whatever the unit holds.

use marginproof_circuits::config::{PriceVector, RiskParams};
use marginproof_circuits::model::risk::{
    adjusted_equity, maintenance_requirement, margin_test, raw_equity, status, value_asset_at,
    value_position_at,
};
use marginproof_circuits::model::{evaluate_at, AccountRecord, AccountRisk, Position, Status};
use num_bigint::BigInt;
use num_traits::Zero;

/// One instrument of the configuration, by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Instrument {
    /// An asset (its USD price moves).
    Asset(usize),
    /// A perpetual market (its mark price moves).
    Market(usize),
}

/// The unit at one price of the moving instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePoint {
    /// E (ν).
    pub equity: BigInt,
    /// `AE · RS − θ · MR` (ν·ppm²).
    pub margin_test: BigInt,
    /// The status.
    pub status: Status,
    /// Where the instrument's valued amount is in its tier: `x − lower`.
    pub offset: u128,
    /// The room left in that tier.
    pub room: u128,
}

/// The sums of every other instrument's parts, at their prices.
#[derive(Debug, Clone, Default)]
struct Others {
    collateral: BigInt,
    net_value: BigInt,
    borrow: BigInt,
    pnl: BigInt,
    position_requirement: BigInt,
}

/// What moves: an asset's holding or a market's position, with its parameters.
enum Moving<'a> {
    Asset {
        balance: u64,
        debt: u64,
        params: &'a marginproof_circuits::config::AssetParams,
    },
    Market {
        position: &'a Position,
        params: &'a marginproof_circuits::config::MarketParams,
    },
}

/// One unit's valuation as a function of one instrument's price.
pub struct MovingPrice<'a> {
    moving: Moving<'a>,
    others: Others,
    threshold_ppm: u64,
}

impl<'a> MovingPrice<'a> {
    /// The unit `record` at `prices`, `instrument`'s price free; `None` if the configuration has no
    /// such instrument.
    pub fn new(
        params: &'a RiskParams,
        prices: &PriceVector,
        record: &'a AccountRecord,
        instrument: Instrument,
    ) -> Option<Self> {
        Self::from_base(
            params,
            &evaluate_at(params, prices, record),
            record,
            instrument,
        )
    }

    /// [`MovingPrice::new`] from the model's valuation `base` of `record` at the other prices.
    pub fn from_base(
        params: &'a RiskParams,
        base: &AccountRisk,
        record: &'a AccountRecord,
        instrument: Instrument,
    ) -> Option<Self> {
        let mut others = Others::default();
        for (i, a) in base.assets.iter().enumerate() {
            if instrument != Instrument::Asset(i) {
                others.collateral += a.collateral();
                others.net_value += a.net_value();
                others.borrow += a.requirement();
            }
        }
        for (m, p) in base.positions.iter().enumerate() {
            if instrument != Instrument::Market(m) {
                others.pnl += &p.pnl;
                others.position_requirement += &p.tier.value;
            }
        }
        let moving = match instrument {
            Instrument::Asset(i) => Moving::Asset {
                balance: *record.balances.get(i)?,
                debt: *record.debts.get(i)?,
                params: params.assets.get(i)?,
            },
            Instrument::Market(m) => Moving::Market {
                position: record.positions.get(m)?,
                params: params.markets.get(m)?,
            },
        };
        Some(MovingPrice {
            moving,
            others,
            threshold_ppm: params.threshold_ppm,
        })
    }

    /// The unit with the instrument at `price`.
    pub fn at(&self, price: u64) -> LinePoint {
        let zero = BigInt::zero();
        let o = &self.others;
        let (collateral, net_value, borrow, pnl, position_requirement, tier) = match &self.moving {
            Moving::Asset {
                balance,
                debt,
                params,
            } => {
                let a = value_asset_at(*balance, *debt, params, price);
                let parts = (a.collateral(), a.net_value(), a.requirement());
                (parts.0, parts.1, parts.2, zero.clone(), zero, a.tier)
            }
            Moving::Market { position, params } => {
                let p = value_position_at(position, params, price);
                let requirement = p.tier.value.clone();
                (zero.clone(), zero.clone(), zero, p.pnl, requirement, p.tier)
            }
        };
        let pnl = [o.pnl.clone(), pnl];
        let ae = adjusted_equity(&[o.collateral.clone(), collateral], &pnl);
        let equity = raw_equity(&[o.net_value.clone(), net_value], &pnl);
        let mr = maintenance_requirement(
            &[o.borrow.clone(), borrow],
            &[o.position_requirement.clone(), position_requirement],
        );
        LinePoint {
            status: status(&equity, &ae, &mr, self.threshold_ppm),
            margin_test: margin_test(&ae, &mr, self.threshold_ppm),
            equity,
            offset: tier.offset,
            room: tier.room,
        }
    }
}
