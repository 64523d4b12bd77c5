//! `[portfolio_margin]` (SPEC §12): the floor rate and the grid of price shocks, in file form
//! and in exact integers.
//!
//! A shock moves each instrument's price by a relative move μ in ppm (`−10^6 ≤ μ ≤ 10^7`, up to
//! 6 decimals); an instrument a shock does not name does not move under it. The moves and the
//! floor rate are public inputs of every proof (rows of the instrument table,
//! [`crate::chips::instruments`]); only the number of shocks is part of the circuit's shape, so
//! a new grid with as many shocks keeps the keys.

use std::collections::BTreeMap;

use num_traits::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::{invalid, AssetParams, ConfigError, ConfigProblem, MarketParams};
use crate::decimal::parse_decimal;
use crate::units::{MAX_SHOCKS, MOVE_MAX_PPM, MOVE_MIN_PPM, RATE_DECIMALS, RATE_SCALE};

/// The name `worst_shock` gives the floor (SPEC §12): no shock may take it.
pub const FLOOR_NAME: &str = "floor";

/// `[portfolio_margin]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioMarginSection {
    /// The floor rate φ: the requirement is at least this rate of gross value (0..=1, up to 6
    /// decimals).
    pub floor_rate: String,
    /// `[[portfolio_margin.shocks]]`: 1 to [`MAX_SHOCKS`] shocks.
    pub shocks: Vec<ShockSection>,
}

/// `[[portfolio_margin.shocks]]`: one shock of the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShockSection {
    /// 1–32 characters of `[a-z0-9-]`, unique among the shocks, never `floor`.
    pub name: String,
    /// Relative price move per instrument symbol, in `[-1, 10]`, up to 6 decimals.
    #[serde(default)]
    pub moves: BTreeMap<String, String>,
}

/// Every instrument's relative move under one shock, ppm, in configuration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveVector {
    /// Per asset.
    pub assets: Vec<i64>,
    /// Per market.
    pub markets: Vec<i64>,
}

/// One shock in integer form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShockParams {
    /// Its name.
    pub name: String,
    /// Every instrument's move (0 where the shock does not name it).
    pub moves: MoveVector,
}

/// The validated `[portfolio_margin]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioParams {
    /// φ in ppm, `0 ≤ φ ≤ 10^6`.
    pub floor_ppm: u64,
    /// The shocks, in configuration order (1 to [`MAX_SHOCKS`]).
    pub shocks: Vec<ShockParams>,
}

/// The code a move has in the instrument table: `μ + RS`, in `[0, 11·10^6]`.
pub fn move_code(move_ppm: i64) -> u64 {
    (move_ppm + RATE_SCALE as i64) as u64
}

impl PortfolioParams {
    /// Indices of the assets and markets no shock moves (they are charged only the floor).
    pub fn unmoved(&self) -> (Vec<usize>, Vec<usize>) {
        let still = |pick: &dyn Fn(&ShockParams) -> &Vec<i64>, n: usize| {
            (0..n)
                .filter(|&i| self.shocks.iter().all(|s| pick(s)[i] == 0))
                .collect::<Vec<_>>()
        };
        let assets = self.shocks.first().map_or(0, |s| s.moves.assets.len());
        let markets = self.shocks.first().map_or(0, |s| s.moves.markets.len());
        (
            still(&|s| &s.moves.assets, assets),
            still(&|s| &s.moves.markets, markets),
        )
    }
}

/// Validates `[portfolio_margin]` against the configuration's instruments.
pub(super) fn parse_portfolio(
    section: &PortfolioMarginSection,
    assets: &[AssetParams],
    markets: &[MarketParams],
) -> Result<PortfolioParams, ConfigError> {
    let at = "portfolio_margin";
    let floor = parse_decimal(&section.floor_rate, RATE_DECIMALS)
        .map_err(|e| invalid(format!("{at}.floor_rate"), e))?;
    let floor_ppm = floor.to_u64().filter(|f| *f <= RATE_SCALE).ok_or_else(|| {
        invalid(
            format!("{at}.floor_rate"),
            ConfigProblem::OutOfRange("the floor rate must be between 0 and 1".into()),
        )
    })?;
    if section.shocks.is_empty() || section.shocks.len() > MAX_SHOCKS {
        return Err(invalid(
            format!("{at}.shocks"),
            ConfigProblem::OutOfRange(format!("between 1 and {MAX_SHOCKS} shocks are required")),
        ));
    }
    let mut names = BTreeMap::new();
    let mut shocks = Vec::with_capacity(section.shocks.len());
    for (g, shock) in section.shocks.iter().enumerate() {
        let at = format!("{at}.shocks[{g}]");
        let name = &shock.name;
        let well_formed = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed || name == FLOOR_NAME {
            return Err(invalid(
                format!("{at}.name"),
                ConfigProblem::BadSymbol(format!(
                    "`{name}`: shock names are 1 to 32 characters of a-z, 0-9 and `-`, and never `{FLOOR_NAME}`"
                )),
            ));
        }
        if let Some(first) = names.insert(name.clone(), g) {
            return Err(invalid(
                format!("{at}.name"),
                ConfigProblem::BadSymbol(format!(
                    "`{name}` is already the name of portfolio_margin.shocks[{first}]"
                )),
            ));
        }
        let mut moves = MoveVector {
            assets: vec![0; assets.len()],
            markets: vec![0; markets.len()],
        };
        for (symbol, text) in &shock.moves {
            let field = format!("{at}.moves.{symbol}");
            let ppm = parse_decimal(text, RATE_DECIMALS)
                .map_err(|e| invalid(&field, e))?
                .to_i64()
                .filter(|m| (MOVE_MIN_PPM..=MOVE_MAX_PPM).contains(m))
                .ok_or_else(|| {
                    invalid(
                        &field,
                        ConfigProblem::OutOfRange("a move must be between -1 and 10".into()),
                    )
                })?;
            if let Some(a) = assets.iter().position(|a| &a.symbol == symbol) {
                moves.assets[a] = ppm;
            } else if let Some(m) = markets.iter().position(|m| &m.symbol == symbol) {
                moves.markets[m] = ppm;
            } else {
                return Err(invalid(
                    field,
                    ConfigProblem::BadSymbol(format!("`{symbol}` is not an asset or a market")),
                ));
            }
        }
        shocks.push(ShockParams {
            name: name.clone(),
            moves,
        });
    }
    Ok(PortfolioParams { floor_ppm, shocks })
}
