//! Liquidation prices of a margin unit (issue 32): for each instrument the unit holds, the price at
//! which it would stop being healthy and the one at which it would be bankrupt, every other price
//! at the snapshot's value, computed exactly with the published model (SPEC §2).
//!
//! Prices are searched on the configuration's grid: ν per atom, `0 < p < 2^64` (SPEC §2), shown
//! as the instrument's USD price (or mark price) with `18 − decimals` fractional digits at most.
//! Of the prices giving the status, the one shown is the first moving outward from today's on
//! either side, the lower on a tie; none when no price gives it or the unit has it today.
//! [`search`] does the search; this module names and formats what it finds.

pub mod line;
pub mod search;

use std::collections::BTreeMap;

use marginproof_circuits::config::RiskParams;
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::model::{evaluate, AccountRecord};
use marginproof_circuits::units::VALUE_DECIMALS;
use num_bigint::BigInt;
use num_traits::Zero;
use serde::Serialize;

pub use line::{Instrument, LinePoint, MovingPrice};
pub use search::{GridPrices, PriceLine, Target, MAX_GRID_PRICE};

/// Fractional digits of a move in percent.
pub const MOVE_PCT_DECIMALS: u32 = 2;

/// `liquidation_prices.<instrument>` of `verify-inclusion --json`: exact decimal prices and the
/// moves from today's price in percent (rounded toward zero), `None` where no price applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiquidationPrices {
    /// The first price at which the unit is not healthy (liquidatable or bankrupt).
    pub liquidatable: Option<String>,
    /// The first price at which the unit is bankrupt.
    pub bankrupt: Option<String>,
    /// `(liquidatable − today) / today` in percent.
    pub liquidatable_move_pct: Option<String>,
    /// `(bankrupt − today) / today` in percent.
    pub bankrupt_move_pct: Option<String>,
}

/// The grid prices of every instrument `record` holds (an asset with a balance or a debt, a
/// market with a size or a cost), at the configuration's base prices, by symbol.
///
/// A portfolio-margin unit (SPEC §12) gets none: its requirement is not a sum of per-instrument
/// parts, which [`line`] relies on (`docs/deviations.md`).
pub fn grid_prices(params: &RiskParams, record: &AccountRecord) -> BTreeMap<String, GridPrices> {
    let prices = params.base_prices();
    let base = evaluate(params, record);
    if base.portfolio.is_some() {
        return BTreeMap::new();
    }
    held(params, record)
        .into_iter()
        .filter_map(|instrument| {
            let found = PriceLine::from_base(params, &prices, &base, record, instrument)?.search();
            Some((symbol(params, instrument)?.to_string(), found))
        })
        .collect()
}

/// The instruments `record` holds: each asset with a balance or a debt, then each market with a
/// size or a cost.
fn held(params: &RiskParams, record: &AccountRecord) -> Vec<Instrument> {
    let asset = |i: &usize| {
        record.balances.get(*i).is_some_and(|b| *b != 0)
            || record.debts.get(*i).is_some_and(|d| *d != 0)
    };
    let market = |m: &usize| {
        record
            .positions
            .get(*m)
            .is_some_and(|p| p.size != 0 || !p.cost.is_zero())
    };
    let assets = (0..params.assets.len())
        .filter(asset)
        .map(Instrument::Asset);
    let markets = (0..params.markets.len())
        .filter(market)
        .map(Instrument::Market);
    assets.chain(markets).collect()
}

/// [`grid_prices`] as exact decimals with the moves in percent: `liquidation_prices` of one unit.
pub fn liquidation_prices(
    params: &RiskParams,
    record: &AccountRecord,
) -> BTreeMap<String, LiquidationPrices> {
    grid_prices(params, record)
        .into_iter()
        .filter_map(|(name, found)| {
            let (decimals, today) = grid_of(params, &name)?;
            let price = |p: Option<u64>| p.map(|p| format_price(p, decimals));
            let moved = |p: Option<u64>| p.map(|p| move_pct(today, p));
            let view = LiquidationPrices {
                liquidatable: price(found.liquidatable),
                bankrupt: price(found.bankrupt),
                liquidatable_move_pct: moved(found.liquidatable),
                bankrupt_move_pct: moved(found.bankrupt),
            };
            Some((name, view))
        })
        .collect()
}

/// An instrument's symbol.
fn symbol(params: &RiskParams, instrument: Instrument) -> Option<&str> {
    match instrument {
        Instrument::Asset(i) => params.assets.get(i).map(|a| a.symbol.as_str()),
        Instrument::Market(m) => params.markets.get(m).map(|m| m.symbol.as_str()),
    }
}

/// An instrument's decimals and base price, by symbol (symbols are unique across assets and
/// markets).
fn grid_of(params: &RiskParams, symbol: &str) -> Option<(u32, u64)> {
    let asset = params
        .assets
        .iter()
        .find(|a| a.symbol == symbol)
        .map(|a| (a.decimals, a.price));
    asset.or_else(|| {
        params
            .markets
            .iter()
            .find(|m| m.symbol == symbol)
            .map(|m| (m.decimals, m.mark_price))
    })
}

/// A grid price (ν per atom) as USD per unit: exact, with at most `18 − decimals` fractional
/// digits.
pub fn format_price(price: u64, decimals: u32) -> String {
    format_decimal(
        &BigInt::from(price),
        VALUE_DECIMALS.saturating_sub(decimals),
    )
}

/// `(price − today) / today` in percent, to [`MOVE_PCT_DECIMALS`] digits, rounded toward zero.
pub fn move_pct(today: u64, price: u64) -> String {
    let scale = BigInt::from(10u64.pow(MOVE_PCT_DECIMALS + 2));
    // `/` on BigInt truncates toward zero.
    let moved = (BigInt::from(price) - BigInt::from(today)) * scale / BigInt::from(today.max(1));
    format_decimal(&moved, MOVE_PCT_DECIMALS)
}
