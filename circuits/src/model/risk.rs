//! SPEC §2, one function per formula, over exact integers.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use crate::config::{AssetParams, MarketParams, PriceVector, RiskParams};
use crate::model::portfolio::{portfolio_risk, MarginMode, PortfolioRisk};
use crate::model::record::{AccountRecord, Position};
use crate::model::tiers::{TierPoint, TierTable};
use crate::units::RATE_SCALE;

/// An account's liquidation state: exactly one holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Neither of the others.
    Healthy,
    /// Not bankrupt, and `AE · RS < θ · MR`.
    Liquidatable,
    /// Raw equity below zero; its deficit is bad debt.
    Bankrupt,
}

impl Status {
    /// The name used in reports and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Liquidatable => "liquidatable",
            Status::Bankrupt => "bankrupt",
        }
    }
}

/// One asset of one account, valued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetValuation {
    /// Whether `b − l < 0`.
    pub net_negative: bool,
    /// `|b − l|` in atoms.
    pub net_magnitude: u64,
    /// `|v_a| = |b − l| · p_a` in ν.
    pub value: u128,
    /// Where `|v_a|` falls: in the haircut table H_a if `v_a ≥ 0`, else in the maintenance table G_a.
    pub tier: TierPoint,
}

impl AssetValuation {
    /// `W_a`: haircut collateral (ν·ppm).
    pub fn collateral(&self) -> BigInt {
        if self.net_negative {
            -BigInt::from(RATE_SCALE) * BigInt::from(self.value)
        } else {
            self.tier.value.clone()
        }
    }

    /// `G_a(max(0, −v_a))`: this asset's part of the requirement (ν·ppm).
    pub fn requirement(&self) -> BigInt {
        if self.net_negative {
            self.tier.value.clone()
        } else {
            BigInt::zero()
        }
    }

    /// `v_a` in ν.
    pub fn net_value(&self) -> BigInt {
        signed(self.net_negative, self.value)
    }
}

/// One position of one account, valued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionValuation {
    /// `|s_m| · P_m` in ν.
    pub notional: u128,
    /// `U_m = s_m · P_m − c_m` in ν.
    pub pnl: BigInt,
    /// Where the notional falls in G_m; its value is this position's requirement (ν·ppm).
    pub tier: TierPoint,
}

/// Everything the model says about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRisk {
    /// Per asset, in configuration order.
    pub assets: Vec<AssetValuation>,
    /// Per market, in configuration order.
    pub positions: Vec<PositionValuation>,
    /// AE (ν·ppm).
    pub adjusted_equity: BigInt,
    /// E (ν).
    pub equity: BigInt,
    /// MR (ν·ppm): SPEC §2's, or for a portfolio-margin unit `MR_pm` (SPEC §12).
    pub maintenance: BigInt,
    /// A portfolio-margin unit's losses, gross value and worst shock (SPEC §12).
    pub portfolio: Option<PortfolioRisk>,
    /// `AE · RS − θ · MR` (ν·ppm²): negative exactly when the margin ratio is below θ.
    pub margin_test: BigInt,
    /// The status.
    pub status: Status,
}

impl AccountRisk {
    /// Margin ratio `AE / MR` in ppm, rounded toward −∞; `None` when `MR = 0`.
    pub fn margin_ratio_ppm(&self) -> Option<BigInt> {
        if self.maintenance.is_zero() {
            None
        } else {
            Some((&self.adjusted_equity * BigInt::from(RATE_SCALE)).div_floor(&self.maintenance))
        }
    }
}

fn signed(negative: bool, magnitude: u128) -> BigInt {
    if negative {
        -BigInt::from(magnitude)
    } else {
        BigInt::from(magnitude)
    }
}

/// `v_a = (b_a − l_a) · p_a` (ν, signed).
pub fn net_value(balance: u64, debt: u64, price: u64) -> BigInt {
    (BigInt::from(balance) - BigInt::from(debt)) * BigInt::from(price)
}

/// `W_a = H_a(v_a)` if `v_a ≥ 0`, else `RS · v_a` (ν·ppm).
pub fn haircut_collateral(net_value: &BigInt, haircut: &TierTable) -> BigInt {
    if net_value.is_negative() {
        net_value * BigInt::from(RATE_SCALE)
    } else {
        haircut.locate(to_u128(net_value)).value
    }
}

/// `G_a(max(0, −v_a))` (ν·ppm).
pub fn borrow_requirement(net_value: &BigInt, maintenance: &TierTable) -> BigInt {
    if net_value.is_negative() {
        maintenance.locate(to_u128(&-net_value)).value
    } else {
        BigInt::zero()
    }
}

/// `U_m = s_m · P_m − c_m` (ν, signed).
pub fn unrealized_pnl(position: &Position, mark_price: u64) -> BigInt {
    BigInt::from(position.size) * BigInt::from(mark_price) - &position.cost
}

/// `G_m(|s_m| · P_m)` (ν·ppm) at the base mark price.
pub fn position_requirement(position: &Position, market: &MarketParams) -> BigInt {
    market
        .maintenance
        .locate(notional(position, market.mark_price))
        .value
}

/// `AE = Σ W_a + RS · Σ U_m` (ν·ppm).
pub fn adjusted_equity(collateral: &[BigInt], pnl: &[BigInt]) -> BigInt {
    collateral.iter().sum::<BigInt>() + BigInt::from(RATE_SCALE) * pnl.iter().sum::<BigInt>()
}

/// `E = Σ v_a + Σ U_m` (ν).
pub fn raw_equity(net_values: &[BigInt], pnl: &[BigInt]) -> BigInt {
    net_values.iter().sum::<BigInt>() + pnl.iter().sum::<BigInt>()
}

/// `MR = Σ G_a(max(0, −v_a)) + Σ G_m(|s_m| · P_m)` (ν·ppm).
pub fn maintenance_requirement(borrow: &[BigInt], positions: &[BigInt]) -> BigInt {
    borrow.iter().sum::<BigInt>() + positions.iter().sum::<BigInt>()
}

/// Bankrupt iff `E < 0`; else liquidatable iff `AE · RS < θ · MR`; else healthy.
pub fn status(
    equity: &BigInt,
    adjusted_equity: &BigInt,
    maintenance: &BigInt,
    threshold_ppm: u64,
) -> Status {
    if equity.is_negative() {
        Status::Bankrupt
    } else if margin_test(adjusted_equity, maintenance, threshold_ppm).is_negative() {
        Status::Liquidatable
    } else {
        Status::Healthy
    }
}

/// `AE · RS − θ · MR` (ν·ppm²).
pub fn margin_test(adjusted_equity: &BigInt, maintenance: &BigInt, threshold_ppm: u64) -> BigInt {
    adjusted_equity * BigInt::from(RATE_SCALE) - BigInt::from(threshold_ppm) * maintenance
}

fn notional(position: &Position, mark_price: u64) -> u128 {
    position.size.unsigned_abs() * mark_price as u128
}

fn to_u128(v: &BigInt) -> u128 {
    // Values are |b − l| · p < 2^64 · 2^64 by the ranges of SPEC §2.
    v.to_u128().unwrap_or(u128::MAX)
}

/// Values one holding of an asset (balance, debt) under its parameters at its base price.
pub fn value_asset(balance: u64, debt: u64, asset: &AssetParams) -> AssetValuation {
    value_asset_at(balance, debt, asset, asset.price)
}

/// Values one holding of an asset (balance, debt) under its tables at `price` (ν per atom).
pub fn value_asset_at(balance: u64, debt: u64, asset: &AssetParams, price: u64) -> AssetValuation {
    let net_negative = debt > balance;
    let net_magnitude = balance.abs_diff(debt);
    let value = net_magnitude as u128 * price as u128;
    let table = if net_negative {
        &asset.maintenance
    } else {
        &asset.haircut
    };
    AssetValuation {
        net_negative,
        net_magnitude,
        value,
        tier: table.locate(value),
    }
}

/// Values one position under its market's parameters at the base mark price.
pub fn value_position(position: &Position, market: &MarketParams) -> PositionValuation {
    value_position_at(position, market, market.mark_price)
}

/// Values one position under its market's maintenance table at `mark_price`.
pub fn value_position_at(
    position: &Position,
    market: &MarketParams,
    mark_price: u64,
) -> PositionValuation {
    let notional = notional(position, mark_price);
    PositionValuation {
        notional,
        pnl: unrealized_pnl(position, mark_price),
        tier: market.maintenance.locate(notional),
    }
}

/// Values one account under the public configuration at its base prices. The record must fit
/// the configuration ([`AccountRecord::fits`]).
pub fn evaluate(params: &RiskParams, record: &AccountRecord) -> AccountRisk {
    evaluate_at(params, &params.base_prices(), record)
}

/// Values one account with the whole model of SPEC §2 at `prices` (the base prices or a
/// scenario's, SPEC §7): same tiers, rates and threshold.
pub fn evaluate_at(
    params: &RiskParams,
    prices: &PriceVector,
    record: &AccountRecord,
) -> AccountRisk {
    let assets: Vec<AssetValuation> = params
        .assets
        .iter()
        .zip(&prices.assets)
        .enumerate()
        .map(|(i, (a, p))| value_asset_at(record.balances[i], record.debts[i], a, *p))
        .collect();
    let positions: Vec<PositionValuation> = params
        .markets
        .iter()
        .zip(&prices.markets)
        .zip(&record.positions)
        .map(|((m, price), p)| value_position_at(p, m, *price))
        .collect();
    let collateral: Vec<BigInt> = assets.iter().map(AssetValuation::collateral).collect();
    let net_values: Vec<BigInt> = assets.iter().map(AssetValuation::net_value).collect();
    let borrow: Vec<BigInt> = assets.iter().map(AssetValuation::requirement).collect();
    let pnl: Vec<BigInt> = positions.iter().map(|p| p.pnl.clone()).collect();
    let position_req: Vec<BigInt> = positions.iter().map(|p| p.tier.value.clone()).collect();
    let adjusted_equity = adjusted_equity(&collateral, &pnl);
    let equity = raw_equity(&net_values, &pnl);
    let portfolio = match (record.mode, &params.portfolio_margin) {
        (MarginMode::Portfolio, Some(grid)) => {
            let net: Vec<(usize, BigInt)> = net_values.iter().cloned().enumerate().collect();
            let notionals: Vec<(usize, BigInt)> = record
                .positions
                .iter()
                .zip(&prices.markets)
                .map(|(p, price)| BigInt::from(p.size) * BigInt::from(*price))
                .enumerate()
                .collect();
            Some(portfolio_risk(grid, &net, &notionals))
        }
        // A portfolio-margin record needs `[portfolio_margin]`: the loader refuses one
        // without it, so this arm is the standard model.
        _ => None,
    };
    let maintenance = match &portfolio {
        Some(p) => p.requirement.clone(),
        None => maintenance_requirement(&borrow, &position_req),
    };
    let status = status(
        &equity,
        &adjusted_equity,
        &maintenance,
        params.threshold_ppm,
    );
    let margin_test = margin_test(&adjusted_equity, &maintenance, params.threshold_ppm);
    AccountRisk {
        assets,
        positions,
        adjusted_equity,
        equity,
        maintenance,
        portfolio,
        margin_test,
        status,
    }
}
