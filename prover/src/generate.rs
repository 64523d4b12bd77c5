//! Synthetic venues: a risk configuration (TOML) and an accounts file (CSV) in the formats of
//! SPEC §5, for tests, benchmarks and the demo.
//!
//! The venue is deterministic in [`GenerateOptions`] (seeded RNG, no clock, no floats: every
//! value is built from integers and written as an exact decimal). Its book is a realistic mix of
//! margin units (SPEC §8): about 35% spot-only accounts, 25% borrowers, 20% perpetual traders, 8%
//! liquidatable, 4% bankrupt and 3% empty accounts, each status checked with the native risk
//! model, and 5% isolated units: one perpetual position with its own stablecoin collateral,
//! belonging to one of the perpetual traders (each unit labelled by its market's symbol, its row
//! right after the owner's cross row). With `portfolio_ppm`, that share of the units are
//! portfolio-margin cross units (SPEC §12), taken from the spot-only share.
//!
//! Leverage is spread as on a real venue: every levered healthy unit (borrower, trader, isolated
//! unit, portfolio-margin unit) is sized to a margin ratio `AE / MR` drawn from bands of the
//! buckets of [`DISTRIBUTION_EDGES`]: about 5% just above the threshold (1.0 to 1.1), 7% from 1.1
//! to 1.25, 10% to 1.5, 13% to 2, 30% to 5 and 35% from 5 to 100, each unit's debt or notional
//! found by bisection with the exact model (so it is healthy by construction, and at least one
//! unit falls in each band when there are enough). The liquidatable and bankrupt accounts are
//! below 1.0, and spot-only and empty accounts have no requirement.
//!
//! Portfolio-margin units are few and wide: mostly real hedges, (a) long spot of BTC, ETH or SOL
//! against a short perpetual of the same underlying within 3% of the spot's value (so of its
//! quantity, give or take the basis), entered within 1% of the mark, with some
//! stablecoin (or a stablecoin debt where levered), (b) a stablecoin debt of 40% to 80% of its
//! collateral (2 to 5 BTC, or other coins), (c) pairs of perpetuals, long one and short another
//! of about the same notional; beside them unhedged directional perpetuals on stablecoin
//! collateral. Each is sized to a band of `MR_pm`'s margin ratio, about 6% of them just below
//! the threshold (liquidatable, never bankrupt by construction). They hold at most
//! [`MAX_PORTFOLIO_ASSETS`] assets and [`MAX_PORTFOLIO_POSITIONS`] positions, and they are
//! judged by the grid of [`portfolio_section`].
//!
//! Holdings are sparse, as on a real venue, however wide it is: each standard account holds (has
//! a balance or a debt in) at most [`MAX_HELD_ASSETS`] assets, typically 1 to 4, and at most
//! [`MAX_HELD_POSITIONS`] perpetual positions, typically none to 2. With `--whales F`, the tail is
//! long (SPEC §9): a fraction F of the accounts hold 10 to 50 assets and up to 8 positions, and
//! one market maker holds every asset and every market. The first four assets and
//! first three markets are the popular ones; the others are picked less often.

use std::collections::BTreeMap;

use marginproof_circuits::config::{
    AssetSection, DistributionSection, MarketSection, PortfolioMarginSection, RiskConfigFile,
    RiskParams, ScenarioSection, ShockSection, SnapshotSection, TierSpec,
};
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::model::stress::edge_test;
use marginproof_circuits::model::{
    evaluate, AccountRecord, MarginMode, MarginUnit, Position, Status,
};
use marginproof_circuits::units::{
    MAX_ASSETS, MAX_MARKETS, MAX_SHOCKS, RATE_DECIMALS, VALUE_DECIMALS,
};
use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

/// Most assets one generated account holds (a balance or a debt).
pub const MAX_HELD_ASSETS: usize = 4;
/// Most perpetual positions one generated account holds.
pub const MAX_HELD_POSITIONS: usize = 2;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of margin units (rows): cross accounts and isolated units together.
    pub accounts: usize,
    /// Number of assets, clamped to `1..=1024`: BTC, ETH, USDT, SOL, then synthetic `A05`, `A06`, ….
    pub assets: usize,
    /// Number of perpetual markets, clamped to `0..=256`: BTC-PERP, ETH-PERP, SOL-PERP, then
    /// synthetic `M04-PERP`, `M05-PERP`, ….
    pub markets: usize,
    /// Seed of the random generator; the same options always give the same venue.
    pub seed: u64,
    /// `--whales`: parts per million of the cross accounts that are whales, holding
    /// [`WHALE_ASSETS`] assets and up to [`WHALE_POSITIONS`] positions; with any, one more cross
    /// account is a market maker holding every asset and every market (a long tail, SPEC §9).
    pub whales_ppm: u32,
    /// How many stress scenarios to configure (at most [`SCENARIO_NAMES`]'s 8): `crash-30` (every
    /// asset but the stablecoin and every market down 30%), `btc-50` (BTC and its perp down 50%),
    /// then more shocks ([`scenario_sections`]).
    pub scenarios: usize,
    /// Whether to configure the margin-ratio distribution ([`DISTRIBUTION_EDGES`]).
    pub distribution: bool,
    /// Parts per million of the margin units that are portfolio-margin cross units (SPEC §12),
    /// at least one if any: mostly hedges, some unhedged, written `portfolio` in a `margin_mode`
    /// column (present only when some unit is one). They need `[portfolio_margin]`: with
    /// `shocks` 0, [`DEFAULT_PORTFOLIO_SHOCKS`] are configured.
    pub portfolio_ppm: u32,
    /// How many shocks `[portfolio_margin]` has (at most [`MAX_SHOCKS`]'s 16; 0 for no section
    /// unless `portfolio_ppm` asks for one): the grid of [`portfolio_section`].
    pub shocks: usize,
}

/// The generated scenarios' names, in order.
pub const SCENARIO_NAMES: [&str; 8] = [
    "crash-30",
    "btc-50",
    "eth-40",
    "rally-20",
    "usdt-depeg",
    "crash-50",
    "alts-60",
    "perps-25",
];

/// The generated distribution's margin-ratio edges.
pub const DISTRIBUTION_EDGES: [&str; 6] = ["1.0", "1.1", "1.25", "1.5", "2", "5"];

/// Scenario `s`'s price shock of instrument `symbol` as `(numerator, denominator)` of the base
/// price, or `None` where the instrument keeps its base price.
fn shock(s: usize, symbol: &str, is_market: bool) -> Option<(u64, u64)> {
    let stable = symbol == "USDT";
    let btc = symbol == "BTC" || symbol == "BTC-PERP";
    let eth = symbol == "ETH" || symbol == "ETH-PERP";
    match *SCENARIO_NAMES.get(s)? {
        "crash-30" if !stable => Some((70, 100)),
        "btc-50" if btc => Some((50, 100)),
        "eth-40" if eth => Some((60, 100)),
        "rally-20" if !stable => Some((120, 100)),
        "usdt-depeg" if stable => Some((95, 100)),
        "crash-50" if !stable => Some((50, 100)),
        "alts-60" if !stable && !btc && !eth => Some((40, 100)),
        "perps-25" if is_market => Some((75, 100)),
        _ => None,
    }
}

/// The first `count` generated scenarios for `params`: each shocked price `p·num/den` in ν per
/// atom (at least 1), written back in USD per unit, so it is exactly representable.
pub fn scenario_sections(params: &RiskParams, count: usize) -> Vec<ScenarioSection> {
    (0..count.min(SCENARIO_NAMES.len()))
        .map(|s| {
            let mut prices = BTreeMap::new();
            let instruments = params
                .assets
                .iter()
                .map(|a| (&a.symbol, a.price, a.decimals, false))
                .chain(
                    params
                        .markets
                        .iter()
                        .map(|m| (&m.symbol, m.mark_price, m.decimals, true)),
                );
            for (symbol, price, decimals, is_market) in instruments {
                if let Some((num, den)) = shock(s, symbol, is_market) {
                    let shocked = (u128::from(price) * u128::from(num) / u128::from(den))
                        .clamp(1, u128::from(u64::MAX));
                    let usd = format_decimal(&BigInt::from(shocked), VALUE_DECIMALS - decimals);
                    prices.insert(symbol.clone(), usd);
                }
            }
            ScenarioSection {
                name: SCENARIO_NAMES[s].to_string(),
                prices,
            }
        })
        .collect()
}

/// How many assets a whale holds (at most the configuration's).
pub const WHALE_ASSETS: std::ops::RangeInclusive<usize> = 10..=50;
/// Most positions a whale holds (at most the configuration's markets).
pub const WHALE_POSITIONS: usize = 8;

/// The floor rate φ of the generated `[portfolio_margin]`: 0.1% of gross value. The floor counts
/// both legs of a hedge, so a floor of 1% would charge a spot-against-perpetual hedge more than
/// the standard model's 0.5% of the perpetual's notional alone.
pub const PORTFOLIO_FLOOR_RATE: &str = "0.001";
/// How many shocks the grid has when portfolio-margin units are asked for without a count.
pub const DEFAULT_PORTFOLIO_SHOCKS: usize = 8;
/// Most assets one generated portfolio-margin unit holds (a balance or a debt).
pub const MAX_PORTFOLIO_ASSETS: usize = 4;
/// Most perpetual positions one generated portfolio-margin unit holds.
pub const MAX_PORTFOLIO_POSITIONS: usize = 4;

/// The generated venues' stablecoin.
const STABLE: &str = "USDT";

/// Which instruments a generated portfolio-margin shock moves.
#[derive(Debug, Clone, Copy)]
enum Moved {
    /// Every asset but the stablecoin, and every market.
    Risky,
    /// One underlying: the asset of that symbol and its perpetual `SYM-PERP`.
    Underlying(&'static str),
    /// Every asset and market but the stablecoin, BTC, ETH and their perpetuals.
    Alts,
    /// The stablecoin.
    Stable,
    /// Every market (spot unmoved: the basis).
    Perps,
}

impl Moved {
    /// Whether the instrument `symbol` moves.
    fn moves(self, symbol: &str, is_market: bool) -> bool {
        let underlying = symbol.strip_suffix("-PERP").unwrap_or(symbol);
        match self {
            Moved::Risky => symbol != STABLE,
            Moved::Underlying(u) => underlying == u,
            Moved::Alts => symbol != STABLE && !["BTC", "ETH"].contains(&underlying),
            Moved::Stable => symbol == STABLE,
            Moved::Perps => is_market,
        }
    }
}

/// The generated grid's candidate shocks in order: name, what moves, the move in ppm. A
/// candidate that moves none of the configuration's instruments is left out; BTC, in every
/// generated configuration, leaves at least [`MAX_SHOCKS`] candidates.
const SHOCK_GRID: [(&str, Moved, i64); 27] = [
    ("crash-20", Moved::Risky, -200_000),
    ("rally-20", Moved::Risky, 200_000),
    ("btc-down-30", Moved::Underlying("BTC"), -300_000),
    ("btc-up-30", Moved::Underlying("BTC"), 300_000),
    ("eth-down-30", Moved::Underlying("ETH"), -300_000),
    ("eth-up-30", Moved::Underlying("ETH"), 300_000),
    ("alts-down-40", Moved::Alts, -400_000),
    ("usdt-depeg-10", Moved::Stable, -100_000),
    ("btc-down-15", Moved::Underlying("BTC"), -150_000),
    ("btc-up-15", Moved::Underlying("BTC"), 150_000),
    ("eth-down-15", Moved::Underlying("ETH"), -150_000),
    ("eth-up-15", Moved::Underlying("ETH"), 150_000),
    ("sol-down-15", Moved::Underlying("SOL"), -150_000),
    ("sol-up-15", Moved::Underlying("SOL"), 150_000),
    ("perps-up-5", Moved::Perps, 50_000),
    ("perps-down-5", Moved::Perps, -50_000),
    ("crash-40", Moved::Risky, -400_000),
    ("rally-40", Moved::Risky, 400_000),
    ("alts-up-40", Moved::Alts, 400_000),
    ("crash-10", Moved::Risky, -100_000),
    ("rally-10", Moved::Risky, 100_000),
    ("btc-down-50", Moved::Underlying("BTC"), -500_000),
    ("btc-up-50", Moved::Underlying("BTC"), 500_000),
    ("crash-5", Moved::Risky, -50_000),
    ("rally-5", Moved::Risky, 50_000),
    ("crash-30", Moved::Risky, -300_000),
    ("rally-30", Moved::Risky, 300_000),
];

/// The generated `[portfolio_margin]` for `params` with `shocks` shocks (at most
/// [`MAX_SHOCKS`]), or `None` for 0: floor rate [`PORTFOLIO_FLOOR_RATE`] and a named grid, in
/// order `crash-20` and `rally-20` (every asset but the stablecoin and every market −20%, +20%),
/// `btc-down-30`, `btc-up-30` (BTC and BTC-PERP), `eth-down-30`, `eth-up-30`, `alts-down-40`
/// (every other risky asset and market), `usdt-depeg-10` (the stablecoin −10%), then ±15% on
/// BTC, ETH and SOL, the perpetuals ±5% against spot, and wider or smaller market-wide moves. A
/// shock that would move none of the configuration's instruments is skipped, so a configuration
/// without BTC may get fewer than asked; a generated one always gets `min(shocks, 16)`.
pub fn portfolio_section(params: &RiskParams, shocks: usize) -> Option<PortfolioMarginSection> {
    if shocks == 0 {
        return None;
    }
    let instruments: Vec<(&str, bool)> = params
        .assets
        .iter()
        .map(|a| (a.symbol.as_str(), false))
        .chain(params.markets.iter().map(|m| (m.symbol.as_str(), true)))
        .collect();
    let shocks = SHOCK_GRID
        .iter()
        .filter_map(|(name, moved, ppm)| {
            let moves: BTreeMap<String, String> = instruments
                .iter()
                .filter(|(symbol, is_market)| moved.moves(symbol, *is_market))
                .map(|(symbol, _)| {
                    let text = format_decimal(&BigInt::from(*ppm), RATE_DECIMALS);
                    (symbol.to_string(), text)
                })
                .collect();
            (!moves.is_empty()).then(|| ShockSection {
                name: name.to_string(),
                moves,
            })
        })
        .take(shocks.min(MAX_SHOCKS))
        .collect();
    Some(PortfolioMarginSection {
        floor_rate: PORTFOLIO_FLOOR_RATE.to_string(),
        shocks,
    })
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            accounts: 1000,
            assets: 4,
            markets: 3,
            seed: 1,
            whales_ppm: 0,
            scenarios: 0,
            distribution: false,
            portfolio_ppm: 0,
            shocks: 0,
        }
    }
}

/// Generates a synthetic venue: `(configuration TOML text, accounts CSV text)`.
///
/// The configuration passes [`RiskParams::from_file`] and the accounts file passes
/// [`load_accounts`](crate::input::load_accounts) against it. With at least two assets or one
/// market, the book contains liquidatable and bankrupt accounts (at least one of each when there
/// are enough accounts), and with three accounts or more at least one empty account. Every
/// standard account holds at most `min(MAX_HELD_ASSETS, assets)` assets and
/// `min(MAX_HELD_POSITIONS, markets)` positions (whales aside), every portfolio-margin unit at most
/// [`MAX_PORTFOLIO_ASSETS`] and [`MAX_PORTFOLIO_POSITIONS`].
pub fn generate(opts: &GenerateOptions) -> (String, String) {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let assets = opts.assets.clamp(1, MAX_ASSETS);
    let markets = opts.markets.min(MAX_MARKETS);
    let mut file = RiskConfigFile {
        reserve_chains: Default::default(),
        portfolio_margin: None,
        snapshot: SnapshotSection {
            time: None,
            id: format!("synthetic-{}", opts.seed),
            venue: "Synthetic Venue".to_string(),
            liquidation_threshold: "1.00".to_string(),
        },
        assets: (0..assets).map(|i| asset_section(i, &mut rng)).collect(),
        markets: (0..markets).map(|i| market_section(i, &mut rng)).collect(),
        reserves: BTreeMap::new(),
        scenarios: Vec::new(),
        distribution: None,
    };
    // The configuration is built from the fixed tables below, within every bound of SPEC §2.
    let base = RiskParams::from_file(&file).expect("the synthetic configuration is valid");
    file.scenarios = scenario_sections(&base, opts.scenarios);
    if opts.distribution {
        file.distribution = Some(DistributionSection {
            margin_ratio_edges: DISTRIBUTION_EDGES.iter().map(|e| e.to_string()).collect(),
        });
    }
    let shocks = if opts.shocks == 0 && opts.portfolio_ppm > 0 {
        DEFAULT_PORTFOLIO_SHOCKS
    } else {
        opts.shocks
    };
    file.portfolio_margin = portfolio_section(&base, shocks);
    let params = RiskParams::from_file(&file).expect("the synthetic stress configuration is valid");

    let kinds = allocate(opts.accounts, assets, markets, opts.portfolio_ppm, &mut rng);
    let bands = assign_bands(&kinds, &mut rng);
    let drawn: Vec<AccountRecord> = kinds
        .iter()
        .zip(&bands)
        .map(|(kind, band)| make_account(String::new(), *kind, *band, &params, &mut rng))
        .collect();
    let mut records = assign_owners(&kinds, drawn, &params);
    add_long_tail(&mut records, opts.whales_ppm, &params, &mut rng);

    for (a, asset) in params.assets.iter().enumerate() {
        let balance: i128 = records.iter().map(|r| i128::from(r.balances[a])).sum();
        let debt: i128 = records.iter().map(|r| i128::from(r.debts[a])).sum();
        // The customers' net claim and up to 5% more; where customers owe the venue on net,
        // some float of 5% to 20% of their balances.
        let net = balance - debt;
        let reserves = if net > 0 {
            net / 1000 * (1000 + rng.random_range(0..=50)) + net % 1000
        } else {
            balance / 100 * rng.random_range(5..=20)
        };
        file.reserves.insert(
            asset.symbol.clone(),
            format_decimal(&BigInt::from(reserves), asset.decimals),
        );
    }

    (config_toml(&file), accounts_csv(&params, &records))
}

/// Turns healthy standard cross accounts into whales (`whales_ppm` of the accounts, at least one
/// if any) and one more into the market maker, keeping their ids: a whale holds 10 to 50 assets
/// (each worth an account-sized value) and up to 8 small positions, the market maker a balance
/// in every asset and a small position in every market. Both are drawn well collateralised.
fn add_long_tail(
    records: &mut [AccountRecord],
    whales_ppm: u32,
    params: &RiskParams,
    rng: &mut StdRng,
) {
    if whales_ppm == 0 {
        return;
    }
    let mut candidates: Vec<usize> = (0..records.len())
        .filter(|&i| {
            records[i].unit.is_cross()
                && records[i].mode == MarginMode::Standard
                && evaluate(params, &records[i]).status == Status::Healthy
        })
        .collect();
    candidates.shuffle(rng);
    let wanted = (records.len() as u64 * u64::from(whales_ppm)).div_ceil(1_000_000) as usize;
    let assets = params.assets.len();
    let markets = params.markets.len();
    let fill_long_tail =
        |record: &mut AccountRecord, held: Vec<usize>, positions: Vec<usize>, rng: &mut StdRng| {
            clear_holdings(record);
            let mut collateral = 0u128;
            for a in held {
                record.balances[a] = atoms(usd_value(rng), params.assets[a].price);
                collateral += u128::from(record.balances[a]) * u128::from(params.assets[a].price);
            }
            // Positions of 1/50 of the collateral each: healthy whatever the haircuts.
            let notional = (collateral / 50).max(usd(100));
            for m in positions {
                record.positions[m] =
                    position_near_mark(rng, params.markets[m].mark_price, notional, 5);
            }
        };
    for (n, &i) in candidates.iter().take(wanted + 1).enumerate() {
        if n == 0 {
            // The market maker: everything.
            fill_long_tail(
                &mut records[i],
                (0..assets).collect(),
                (0..markets).collect(),
                rng,
            );
            continue;
        }
        let count = rng.random_range(WHALE_ASSETS).min(assets);
        let held = pick_assets(rng, assets, count);
        let mut positions: Vec<usize> = (0..markets).collect();
        positions.shuffle(rng);
        positions.truncate(rng.random_range(0..=WHALE_POSITIONS.min(markets)));
        fill_long_tail(&mut records[i], held, positions, rng);
    }
}

/// A tier table in whole USD boundaries and ppm rates; the last tier has no boundary.
type Tiers = Vec<(Option<u64>, u64)>;

/// The asset at position `i` (0-based).
fn asset_section(i: usize, rng: &mut StdRng) -> AssetSection {
    let (symbol, decimals, price_micro, haircut, maintenance): (String, u32, u64, Tiers, Tiers) =
        match i {
            0 => (
                "BTC".into(),
                8,
                97_123_450_000,
                vec![
                    (Some(30_000_000), 1_000_000),
                    (Some(50_000_000), 980_000),
                    (None, 950_000),
                ],
                vec![(Some(1_000_000), 50_000), (None, 100_000)],
            ),
            1 => (
                "ETH".into(),
                8,
                3_456_780_000,
                vec![
                    (Some(20_000_000), 1_000_000),
                    (Some(40_000_000), 970_000),
                    (None, 930_000),
                ],
                vec![
                    (Some(1_000_000), 50_000),
                    (Some(5_000_000), 80_000),
                    (None, 120_000),
                ],
            ),
            2 => (
                "USDT".into(),
                6,
                1_000_000,
                vec![(Some(100_000_000), 1_000_000), (None, 990_000)],
                vec![(Some(10_000_000), 20_000), (None, 40_000)],
            ),
            3 => (
                "SOL".into(),
                6,
                187_654_000,
                vec![
                    (Some(2_000_000), 1_000_000),
                    (Some(10_000_000), 950_000),
                    (None, 900_000),
                ],
                vec![(Some(500_000), 80_000), (None, 150_000)],
            ),
            _ => {
                let first = [100_000, 250_000, 500_000, 1_000_000][rng.random_range(0..4)];
                let second = first * rng.random_range(3..=6);
                let r1 = if chance(rng, 1, 3) {
                    980_000
                } else {
                    1_000_000
                };
                let r2 = r1 - 10_000 * rng.random_range(2..=8);
                let r3 = r2 - 10_000 * rng.random_range(2..=10);
                let boundary = [250_000, 1_000_000][rng.random_range(0..2)];
                let m1 = 10_000 * rng.random_range(5..=15);
                let m2 = m1 + 10_000 * rng.random_range(5..=10);
                (
                    format!("A{:02}", i + 1),
                    6,
                    synthetic_price_micro(rng),
                    vec![(Some(first), r1), (Some(second), r2), (None, r3)],
                    vec![(Some(boundary), m1), (None, m2)],
                )
            }
        };
    AssetSection {
        reserve_locations: Vec::new(),
        symbol,
        decimals,
        price: format_decimal(&BigInt::from(price_micro), 6),
        haircut: tier_specs(&haircut),
        maintenance: tier_specs(&maintenance),
    }
}

/// The market at position `i` (0-based): size decimals 4, mark price near the spot price.
fn market_section(i: usize, rng: &mut StdRng) -> MarketSection {
    let (symbol, spot_micro) = match i {
        0 => ("BTC-PERP".to_string(), 97_123_450_000),
        1 => ("ETH-PERP".to_string(), 3_456_780_000),
        2 => ("SOL-PERP".to_string(), 187_654_000),
        _ => (format!("M{:02}-PERP", i + 1), synthetic_price_micro(rng)),
    };
    // Within ±0.25% of spot, rounded to 6 significant digits.
    let mark = spot_micro / 10_000 * (10_000 + rng.random_range(0..=50) - 25);
    let mut granularity = 1;
    while mark / granularity >= 1_000_000 {
        granularity *= 10;
    }
    let mark = (mark / granularity * granularity).max(1);
    MarketSection {
        symbol,
        decimals: 4,
        mark_price: format_decimal(&BigInt::from(mark), 6),
        maintenance: tier_specs(&[(Some(1_000_000), 5_000), (None, 10_000)]),
    }
}

/// A plausible price in micro-USD: 4 significant digits, from 0.001 to 9999 USD.
fn synthetic_price_micro(rng: &mut StdRng) -> u64 {
    rng.random_range(1_000..=9_999) * 10u64.pow(rng.random_range(0..=6))
}

fn tier_specs(tiers: &[(Option<u64>, u64)]) -> Vec<TierSpec> {
    tiers
        .iter()
        .map(|(up_to, rate)| TierSpec {
            up_to: up_to.map(|usd| usd.to_string()),
            rate: rate_text(*rate),
        })
        .collect()
}

/// A rate in ppm as a decimal with at least two fractional digits (`1.00`, `0.98`, `0.005`).
fn rate_text(ppm: u64) -> String {
    let text = format_decimal(&BigInt::from(ppm), RATE_DECIMALS);
    match text.split_once('.') {
        None => format!("{text}.00"),
        Some((_, fraction)) if fraction.len() == 1 => format!("{text}0"),
        Some(_) => text,
    }
}

/// `true` with probability `numerator / denominator` (integers only).
fn chance(rng: &mut StdRng, numerator: u32, denominator: u32) -> bool {
    rng.random_range(0..denominator) < numerator
}

/// The kind of account to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 1 to 4 assets, no debt.
    Spot,
    /// Collateral in one asset, a healthy debt in another, sometimes 1 or 2 holdings on the side.
    Borrower,
    /// Stablecoin collateral and 1 or 2 perpetual positions.
    Perp,
    /// Debt or losses close to the collateral: not bankrupt, below the threshold.
    Liquidatable,
    /// Debt or losses above the collateral.
    Bankrupt,
    /// Nothing at all.
    Empty,
    /// An isolated unit of a perpetual trader: one position, its own stablecoin collateral.
    Isolated,
    /// A portfolio-margin cross unit (SPEC §12): a hedge or a directional book ([`Shape`]).
    Portfolio,
}

impl Kind {
    /// The status a unit of this kind is drawn to have, sized into `band` where it is levered.
    fn target(self, band: Option<Band>, threshold_ppm: u64) -> Status {
        match self {
            Kind::Liquidatable => Status::Liquidatable,
            Kind::Bankrupt => Status::Bankrupt,
            _ if band.is_some_and(|b| b.below <= threshold_ppm) => Status::Liquidatable,
            _ => Status::Healthy,
        }
    }
}

/// The kinds of `n` margin units in random order: 8% liquidatable, 4% bankrupt, 3% empty (each at
/// least one while units remain), `portfolio_ppm` portfolio-margin units (at least one if any),
/// 20% perpetual traders, 25% borrowers, 5% isolated units, the rest spot.
fn allocate(
    n: usize,
    assets: usize,
    markets: usize,
    portfolio_ppm: u32,
    rng: &mut StdRng,
) -> Vec<Kind> {
    let portfolio = (n as u64 * u64::from(portfolio_ppm)).div_ceil(1_000_000) as usize;
    let mut kinds = Vec::with_capacity(n);
    for (kind, count, at_least) in [
        (Kind::Liquidatable, n * 8 / 100, 1),
        (Kind::Bankrupt, n * 4 / 100, 1),
        (Kind::Empty, n * 3 / 100, 1),
        (Kind::Portfolio, portfolio, 0),
        (Kind::Perp, n * 20 / 100, 0),
        (Kind::Borrower, n * 25 / 100, 0),
        (Kind::Isolated, n * 5 / 100, 0),
    ] {
        let count = count.max(at_least).min(n - kinds.len());
        kinds.extend(std::iter::repeat_n(kind, count));
    }
    kinds.resize(n, Kind::Spot);
    for kind in &mut kinds {
        if *kind == Kind::Perp && markets == 0 {
            *kind = Kind::Borrower;
        }
        if *kind == Kind::Isolated && markets == 0 {
            *kind = Kind::Spot;
        }
        if *kind == Kind::Borrower && assets < 2 {
            *kind = Kind::Spot;
        }
    }
    kinds.shuffle(rng);
    kinds
}

/// A margin-ratio band `[from, below)` in ppm that a levered unit is sized into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Band {
    /// Lowest margin ratio of the band (ppm).
    from: u64,
    /// The band's end, excluded (ppm).
    below: u64,
}

/// A table of bands: `(from, below, share)`, the band `[from, below)` in ppm and its share of
/// the units in percent.
type BandTable = [(u64, u64, usize)];

/// The bands of levered standard units and their shares in percent: the buckets of
/// [`DISTRIBUTION_EDGES`] from 1.0 up, the last one cut in three (5 to 10, 10 to 30, 30 to 100).
const BANDS: [(u64, u64, usize); 8] = [
    (1_000_000, 1_100_000, 5),
    (1_100_000, 1_250_000, 7),
    (1_250_000, 1_500_000, 10),
    (1_500_000, 2_000_000, 13),
    (2_000_000, 5_000_000, 30),
    (5_000_000, 10_000_000, 17),
    (10_000_000, 30_000_000, 11),
    (30_000_000, 100_000_000, 7),
];

/// The bands of portfolio-margin units: 6% just below the threshold (liquidatable under `MR_pm`,
/// not bankrupt), then as [`BANDS`] up to 30 (a stablecoin shock caps most of them near 10).
const PORTFOLIO_BANDS: [(u64, u64, usize); 8] = [
    (900_000, 1_000_000, 6),
    (1_000_000, 1_100_000, 5),
    (1_100_000, 1_250_000, 7),
    (1_250_000, 1_500_000, 10),
    (1_500_000, 2_000_000, 13),
    (2_000_000, 5_000_000, 30),
    (5_000_000, 10_000_000, 17),
    (10_000_000, 30_000_000, 12),
];

/// The band of each unit in `kinds` (`None` where it is not levered on purpose): borrowers,
/// traders and isolated units share [`BANDS`], portfolio-margin units [`PORTFOLIO_BANDS`], each
/// band getting its share of them and at least one while they last, in random order.
fn assign_bands(kinds: &[Kind], rng: &mut StdRng) -> Vec<Option<Band>> {
    let mut bands = vec![None; kinds.len()];
    let groups: [(&[Kind], &BandTable); 2] = [
        (&[Kind::Borrower, Kind::Perp, Kind::Isolated], &BANDS),
        (&[Kind::Portfolio], &PORTFOLIO_BANDS),
    ];
    for (members, table) in groups {
        let units: Vec<usize> = (0..kinds.len())
            .filter(|&i| members.contains(&kinds[i]))
            .collect();
        let n = units.len();
        let mut drawn: Vec<Band> = Vec::with_capacity(n);
        for &(from, below, percent) in table {
            let count = (n * percent / 100).max(1).min(n - drawn.len());
            drawn.extend(std::iter::repeat_n(Band { from, below }, count));
        }
        // What rounding left: bands drawn by their shares.
        while drawn.len() < n {
            let mut pick = rng.random_range(0..100);
            for &(from, below, percent) in table {
                if pick < percent {
                    drawn.push(Band { from, below });
                    break;
                }
                pick -= percent;
            }
        }
        drawn.shuffle(rng);
        for (i, band) in units.into_iter().zip(drawn) {
            bands[i] = Some(band);
        }
    }
    bands
}

/// A margin ratio to size a unit to, in ppm: inside `band`, away from its ends by a twentieth of
/// its width.
fn draw_target(band: Band, rng: &mut StdRng) -> u64 {
    let width = band.below - band.from;
    band.from + width / 20 + rng.random_range(0..=width * 9 / 10)
}

/// Names the drawn units in `kinds` order: every unit but an isolated one is a cross account of
/// its own, `acct-000001`, `acct-000002`, … in order; an isolated unit belongs to the nearest
/// perpetual trader (before it, else after it) that has no isolated unit in its market yet, is
/// labelled by that market's symbol, and is listed right after its owner. An isolated unit with
/// no such trader stays a cross account of its own.
fn assign_owners(
    kinds: &[Kind],
    drawn: Vec<AccountRecord>,
    params: &RiskParams,
) -> Vec<AccountRecord> {
    let traders: Vec<usize> = (0..kinds.len())
        .filter(|&i| kinds[i] == Kind::Perp)
        .collect();
    let mut taken: std::collections::BTreeSet<(usize, usize)> = Default::default();
    let mut owner_of: Vec<Option<usize>> = vec![None; kinds.len()];
    for i in (0..kinds.len()).filter(|&i| kinds[i] == Kind::Isolated) {
        let Some(market) = drawn[i].positions.iter().position(|p| p.size != 0) else {
            continue;
        };
        let before = traders.iter().rev().filter(|&&t| t < i);
        let after = traders.iter().filter(|&&t| t > i);
        if let Some(&owner) = before
            .chain(after)
            .find(|&&t| !taken.contains(&(t, market)))
        {
            taken.insert((owner, market));
            owner_of[i] = Some(owner);
        }
    }
    let mut units_of: Vec<Vec<usize>> = vec![Vec::new(); kinds.len()];
    for (i, owner) in owner_of.iter().enumerate() {
        if let Some(owner) = owner {
            units_of[*owner].push(i);
        }
    }
    let mut slots: Vec<Option<AccountRecord>> = drawn.into_iter().map(Some).collect();
    let mut records = Vec::with_capacity(kinds.len());
    let mut number = 0;
    for i in 0..kinds.len() {
        if owner_of[i].is_some() {
            continue;
        }
        number += 1;
        let id = format!("acct-{number:06}");
        let Some(mut record) = slots[i].take() else {
            continue;
        };
        record.id = id.clone();
        records.push(record);
        let mut units: Vec<AccountRecord> = units_of[i]
            .iter()
            .filter_map(|&u| slots[u].take())
            .map(|mut unit| {
                let market = unit.positions.iter().position(|p| p.size != 0).unwrap_or(0);
                let label = MarginUnit::parse(&params.markets[market].symbol)
                    .expect("a generated market symbol is a valid unit label");
                unit.id = id.clone();
                unit.in_unit(label)
            })
            .collect();
        units.sort_by(|a, b| a.unit.cmp(&b.unit));
        records.extend(units);
    }
    records
}

/// One account of the given kind, drawn again until the risk model gives it the intended status
/// (a bounded number of times: with a single asset and no market, nothing can be liquidatable).
/// A levered unit is sized into its `band`.
fn make_account(
    id: String,
    kind: Kind,
    band: Option<Band>,
    params: &RiskParams,
    rng: &mut StdRng,
) -> AccountRecord {
    let mut record = AccountRecord::empty(id, params);
    if kind == Kind::Portfolio {
        record.mode = MarginMode::Portfolio;
    }
    let target = kind.target(band, params.threshold_ppm);
    for _ in 0..64 {
        clear_holdings(&mut record);
        fill(&mut record, kind, band, params, rng);
        if evaluate(params, &record).status == target {
            break;
        }
    }
    debug_assert!(
        if kind == Kind::Portfolio {
            held_assets(&record) <= MAX_PORTFOLIO_ASSETS
                && held_positions(&record) <= MAX_PORTFOLIO_POSITIONS
        } else {
            held_assets(&record) <= MAX_HELD_ASSETS && held_positions(&record) <= MAX_HELD_POSITIONS
        },
        "a generated account is not sparse: {record:?}"
    );
    record
}

/// Sets every balance, debt and position of `record` to zero.
fn clear_holdings(record: &mut AccountRecord) {
    record.balances.iter_mut().for_each(|b| *b = 0);
    record.debts.iter_mut().for_each(|d| *d = 0);
    record
        .positions
        .iter_mut()
        .for_each(|p| *p = Position::default());
}

/// Assets in which `record` has a balance or a debt.
fn held_assets(record: &AccountRecord) -> usize {
    record
        .balances
        .iter()
        .zip(&record.debts)
        .filter(|(b, d)| **b != 0 || **d != 0)
        .count()
}

/// Markets in which `record` has a position.
fn held_positions(record: &AccountRecord) -> usize {
    record
        .positions
        .iter()
        .filter(|p| p.size != 0 || !p.cost.is_zero())
        .count()
}

/// How far debt or losses go, in per mille of the collateral value, and the leverage of a
/// distressed perpetual position.
struct Distress {
    ratio: std::ops::RangeInclusive<u128>,
    leverage: std::ops::RangeInclusive<u128>,
}

/// Draws the holdings of one unit of `kind` into the cleared `record`, a levered one sized into
/// `band`.
fn fill(
    record: &mut AccountRecord,
    kind: Kind,
    band: Option<Band>,
    params: &RiskParams,
    rng: &mut StdRng,
) {
    let assets = params.assets.len();
    let markets = params.markets.len();
    let target = draw_target(band.unwrap_or(FALLBACK_BAND), rng);
    match kind {
        Kind::Empty => {}
        Kind::Spot => {
            // 1 asset for 35%, 2 for 30%, 3 for 20%, 4 for 15%.
            let count = match rng.random_range(0..100) {
                0..35 => 1,
                35..65 => 2,
                65..85 => 3,
                _ => MAX_HELD_ASSETS,
            };
            for a in pick_assets(rng, assets, count) {
                record.balances[a] = atoms(usd_value(rng), params.assets[a].price);
            }
        }
        Kind::Borrower => {
            // Collateral in one asset, spot holdings on the side (one for a third of borrowers,
            // two for a sixth), and a debt in another asset sized to the target.
            let picked = pick_assets(rng, assets, MAX_HELD_ASSETS);
            let mut layout = Layout::new(Lever::Borrow(picked[1]));
            let collateral = layout.hold(params, picked[0], usd_value(rng));
            let side = match rng.random_range(0..6) {
                0 | 1 => 1,
                2 => 2,
                _ => 0,
            };
            for &a in picked.iter().skip(2).take(side) {
                layout.hold(params, a, collateral / 10 * rng.random_range(1..=10));
            }
            let total = layout.value(params);
            fit(record, params, &layout, target, total / 1000, total);
        }
        Kind::Perp | Kind::Isolated => {
            // Stablecoin collateral of 100 USD and more; one or two positions (an isolated unit:
            // one), their notional sized to the target.
            let count = if kind == Kind::Perp {
                rng.random_range(1..=MAX_HELD_POSITIONS).min(markets)
            } else {
                1
            };
            let mut layout = Layout::new(Lever::Legs(Vec::new()));
            let value = layout.hold(
                params,
                perp_collateral(params),
                usd_value(rng).max(usd(100)),
            );
            let split = rng.random_range(200..=800);
            let chosen = pick_markets(rng, markets, count);
            let legs = chosen
                .iter()
                .enumerate()
                .map(|(i, &market)| Leg {
                    market,
                    short: chance(rng, 1, 2),
                    share: match (count, i) {
                        (1, _) => 1000,
                        (_, 0) => split,
                        _ => 1000 - split,
                    },
                    pnl: draw_pnl(target, rng),
                })
                .collect();
            layout.lever = Lever::Legs(legs);
            fit(record, params, &layout, target, value / 100, value * 1000);
        }
        Kind::Portfolio => fill_portfolio(record, target, params, rng),
        Kind::Liquidatable | Kind::Bankrupt => {
            let distress = if kind == Kind::Liquidatable {
                Distress {
                    ratio: 985..=998,
                    leverage: 6..=10,
                }
            } else {
                Distress {
                    ratio: 1010..=1300,
                    leverage: 8..=10,
                }
            };
            let value = usd_value(rng).max(usd(1000));
            let use_perp = markets > 0 && (assets < 2 || chance(rng, 1, 2));
            if use_perp {
                let collateral = perp_collateral(params);
                record.balances[collateral] = atoms(value, params.assets[collateral].price);
                let value = u128::from(record.balances[collateral])
                    * u128::from(params.assets[collateral].price);
                let m = pick_market(rng, markets);
                let mark = params.markets[m].mark_price;
                let size = size_for(
                    value * rng.random_range(distress.leverage),
                    mark,
                    chance(rng, 1, 2),
                );
                // A loss of `ratio` per mille of the collateral: `U = s·P − c = −loss`.
                let loss = value / 1000 * rng.random_range(distress.ratio);
                record.positions[m] = Position {
                    size,
                    cost: BigInt::from(size) * BigInt::from(mark) + BigInt::from(loss),
                };
            } else if assets >= 2 {
                let picked = pick_assets(rng, assets, 2);
                borrow(
                    record,
                    params,
                    picked[0],
                    picked[1],
                    value,
                    rng.random_range(distress.ratio),
                );
            } else {
                record.balances[0] = atoms(value, params.assets[0].price);
            }
        }
    }
}

/// The band of a levered unit that was given none (never, by [`assign_bands`]): 5 to 10.
const FALLBACK_BAND: Band = Band {
    from: 5_000_000,
    below: 10_000_000,
};

/// A position's unrealized PnL in per mille of its notional: a loss of up to 3% or a gain of up
/// to 0.3% for a margin ratio below 10 (a larger gain would keep the ratio above it at any
/// leverage), up to ±3% above.
fn draw_pnl(target_ppm: u64, rng: &mut StdRng) -> i64 {
    if target_ppm < 10_000_000 {
        rng.random_range(-30..=3)
    } else {
        rng.random_range(-30..=30)
    }
}

/// `count` distinct markets (at most `markets`), the first three more likely.
fn pick_markets(rng: &mut StdRng, markets: usize, count: usize) -> Vec<usize> {
    let count = count.min(markets);
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    while chosen.len() < count {
        let m = pick_market(rng, markets);
        if !chosen.contains(&m) {
            chosen.push(m);
        }
    }
    chosen
}

/// A levered unit's holdings but for one free quantity `x` (ν), its leverage: fixed balances
/// and positions, and a [`Lever`].
#[derive(Debug, Clone)]
struct Layout {
    /// Fixed balances: asset, atoms.
    balances: Vec<(usize, u64)>,
    /// Fixed positions: market, position.
    positions: Vec<(usize, Position)>,
    /// What `x` sets.
    lever: Lever,
}

/// What a layout's free quantity `x` (ν) sets.
#[derive(Debug, Clone)]
enum Lever {
    /// Nothing: the layout is fixed.
    Fixed,
    /// `x` worth of this asset is taken out: its fixed balance first, then as a debt.
    Borrow(usize),
    /// Perpetual positions sharing a notional of `x`.
    Legs(Vec<Leg>),
}

/// One perpetual position of a [`Lever::Legs`].
#[derive(Debug, Clone)]
struct Leg {
    /// The market.
    market: usize,
    /// Short rather than long.
    short: bool,
    /// Its part of the notional, per mille.
    share: u128,
    /// Its unrealized PnL, per mille of its notional (negative: a loss).
    pnl: i64,
}

impl Layout {
    /// Nothing fixed yet.
    fn new(lever: Lever) -> Self {
        Layout {
            balances: Vec::new(),
            positions: Vec::new(),
            lever,
        }
    }

    /// Adds a fixed balance of asset `a` worth about `value` ν; returns its exact value.
    fn hold(&mut self, params: &RiskParams, a: usize, value: u128) -> u128 {
        let price = params.assets[a].price;
        let quantity = atoms(value, price);
        self.balances.push((a, quantity));
        u128::from(quantity) * u128::from(price)
    }

    /// The value of the fixed balances (ν).
    fn value(&self, params: &RiskParams) -> u128 {
        self.balances
            .iter()
            .map(|&(a, q)| u128::from(q) * u128::from(params.assets[a].price))
            .sum()
    }

    /// Writes the holdings at leverage `x` into `record` (cleared first).
    fn apply(&self, record: &mut AccountRecord, params: &RiskParams, x: u128) {
        clear_holdings(record);
        for &(a, quantity) in &self.balances {
            record.balances[a] = quantity;
        }
        for (m, position) in &self.positions {
            record.positions[*m] = position.clone();
        }
        match &self.lever {
            Lever::Fixed => {}
            Lever::Borrow(a) => {
                let taken = if x == 0 {
                    0
                } else {
                    atoms(x, params.assets[*a].price)
                };
                let held = record.balances[*a];
                record.balances[*a] = held.saturating_sub(taken);
                record.debts[*a] = taken.saturating_sub(held);
            }
            Lever::Legs(legs) => {
                for leg in legs {
                    let mark = params.markets[leg.market].mark_price;
                    record.positions[leg.market] =
                        leg_position(x / 1000 * leg.share, mark, leg.short, leg.pnl);
                }
            }
        }
    }
}

/// A long or short position of about `notional` ν at `mark`, entered where its unrealized PnL is
/// `pnl` per mille of the notional (`|pnl| < 1000`).
fn leg_position(notional: u128, mark: u64, short: bool, pnl: i64) -> Position {
    let size = size_for(notional, mark, short);
    let direction = if short { -1 } else { 1 };
    // `U = s·(P − entry) = |s|·P·pnl/1000` for either side.
    let entry = i128::from(mark) * (1000 - direction * i128::from(pnl)) / 1000;
    Position {
        size,
        cost: BigInt::from(size) * BigInt::from(entry),
    }
}

/// Sets `record` to `layout` at the largest leverage `x` in `[lo, hi]` (within 1/1024 of `hi`'s
/// bracket) whose margin ratio, by the exact model, is at least `target_ppm` and which is not
/// bankrupt; at `lo` if even that one is not. The margin ratio falls as `x` grows, so a bisection
/// finds it, and every step it keeps is checked.
fn fit(
    record: &mut AccountRecord,
    params: &RiskParams,
    layout: &Layout,
    target_ppm: u64,
    lo: u128,
    hi: u128,
) {
    let (mut lo, mut hi) = (lo, hi.max(lo));
    layout.apply(record, params, lo);
    if !meets(params, record, target_ppm) {
        return;
    }
    for _ in 0..64 {
        if hi - lo <= hi / 1024 {
            break;
        }
        let mid = lo + (hi - lo) / 2;
        layout.apply(record, params, mid);
        if meets(params, record, target_ppm) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    layout.apply(record, params, lo);
}

/// Whether `record` is not bankrupt and its margin ratio is at least `target_ppm`
/// (`AE·RS ≥ target·MR`, exactly; with `MR = 0`, whether `AE ≥ 0`).
fn meets(params: &RiskParams, record: &AccountRecord, target_ppm: u64) -> bool {
    let risk = evaluate(params, record);
    risk.status != Status::Bankrupt
        && !edge_test(&risk.adjusted_equity, &risk.maintenance, target_ppm).is_negative()
}

/// What a portfolio-margin unit holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Long spot of an underlying against a short perpetual of it (one or two underlyings), with
    /// a stablecoin balance, or a stablecoin debt where levered.
    Carry,
    /// Coins (2 to 5 BTC, or others) against a stablecoin debt of 40% to 80% of their value.
    Loan,
    /// Long one perpetual, short another of about the same notional (one or two pairs), on
    /// stablecoin collateral.
    Pairs,
    /// Unhedged: one to three perpetuals in the same direction on stablecoin collateral.
    Directional,
    /// Coins only, where the configuration allows nothing else.
    Spot,
}

/// The portfolio-margin shapes in the order they stand in for each other.
const SHAPES: [Shape; 4] = [Shape::Carry, Shape::Loan, Shape::Pairs, Shape::Directional];

/// The underlyings that have both spot and a perpetual: `(asset, market)` for each market
/// `SYM-PERP` whose asset `SYM` exists.
fn underlyings(params: &RiskParams) -> Vec<(usize, usize)> {
    params
        .markets
        .iter()
        .enumerate()
        .filter_map(|(m, market)| {
            let symbol = market.symbol.strip_suffix("-PERP")?;
            Some((params.asset_index(symbol)?, m))
        })
        .collect()
}

/// A portfolio-margin unit's size in ν: 20 thousand to 20 million USD, log-uniform-ish, in whole
/// dollars.
fn portfolio_value(rng: &mut StdRng) -> u128 {
    let exponent = match rng.random_range(0..100) {
        0..45 => 4,
        45..85 => 5,
        85..97 => 6,
        _ => 7,
    };
    let low = 2 * 10u128.pow(exponent);
    usd(rng.random_range(low..low * 10))
}

/// Draws a portfolio-margin unit into the cleared `record`, sized to a margin ratio (under
/// `MR_pm`) of at least `target_ppm` where its shape can reach it: 35% carry hedges, 20% loans,
/// 15% pairs, 30% directional, each standing in for the next where the configuration lacks its
/// instruments.
fn fill_portfolio(record: &mut AccountRecord, target: u64, params: &RiskParams, rng: &mut StdRng) {
    let assets = params.assets.len();
    let markets = params.markets.len();
    let pairs = underlyings(params);
    let stable = params.asset_index(STABLE);
    let risky: Vec<usize> = (0..assets).filter(|&a| Some(a) != stable).collect();
    let available = |shape: Shape| match shape {
        Shape::Carry => !pairs.is_empty(),
        Shape::Loan => !risky.is_empty() && (stable.is_some() || risky.len() >= 2),
        Shape::Pairs => markets >= 2,
        Shape::Directional => markets >= 1,
        Shape::Spot => true,
    };
    let drawn = match rng.random_range(0..100) {
        0..35 => 0,
        35..55 => 1,
        55..70 => 2,
        _ => 3,
    };
    let shape = (0..SHAPES.len())
        .map(|i| SHAPES[(drawn + i) % SHAPES.len()])
        .find(|s| available(*s))
        .unwrap_or(Shape::Spot);
    let value = portfolio_value(rng);
    // Another risky asset than those in `taken`, for a holding on the side.
    let other = |rng: &mut StdRng, taken: &[usize]| {
        let free: Vec<usize> = risky
            .iter()
            .copied()
            .filter(|a| !taken.contains(a))
            .collect();
        (!free.is_empty()).then(|| free[rng.random_range(0..free.len().min(4))])
    };
    match shape {
        Shape::Carry => {
            let mut chosen = vec![if chance(rng, 3, 5) {
                pairs[0]
            } else {
                pairs[rng.random_range(0..pairs.len())]
            }];
            if pairs.len() >= 2 && chance(rng, 2, 5) {
                while chosen.len() < 2 {
                    let pair = pairs[rng.random_range(0..pairs.len())];
                    if !chosen.contains(&pair) {
                        chosen.push(pair);
                    }
                }
            }
            let lever = match stable {
                Some(s) => Lever::Borrow(s),
                None => Lever::Fixed,
            };
            let mut layout = Layout::new(lever);
            let first = value / 10 * rng.random_range(5..=8);
            for (i, &(a, m)) in chosen.iter().enumerate() {
                let part = match (chosen.len(), i) {
                    (1, _) => value,
                    (_, 0) => first,
                    _ => value - first,
                };
                // The short perpetual within 3% of the spot quantity, entered within ±1%.
                let spot = layout.hold(params, a, part);
                let hedge = spot / 1000 * rng.random_range(970..=1030);
                let mark = params.markets[m].mark_price;
                let pnl = rng.random_range(-10..=10);
                layout
                    .positions
                    .push((m, leg_position(hedge, mark, true, pnl)));
            }
            if let Some(s) = stable {
                layout.hold(params, s, value / 1000 * rng.random_range(50..=300));
            }
            let taken: Vec<usize> = layout.balances.iter().map(|&(a, _)| a).collect();
            if taken.len() < MAX_PORTFOLIO_ASSETS && chance(rng, 1, 4) {
                if let Some(a) = other(rng, &taken) {
                    layout.hold(params, a, value / 20 * rng.random_range(1..=4));
                }
            }
            let total = layout.value(params);
            fit(record, params, &layout, target, 0, total);
        }
        Shape::Loan => {
            let debt = stable.unwrap_or(risky[risky.len() - 1]);
            let pool: Vec<usize> = risky.iter().copied().filter(|&a| a != debt).collect();
            let btc = params.asset_index("BTC").filter(|a| pool.contains(a));
            let mut layout = Layout::new(Lever::Borrow(debt));
            let primary = match btc {
                Some(b) if chance(rng, 3, 5) => {
                    // 2 to 5 BTC, in hundredths.
                    let hundredths: u64 = rng.random_range(200..=500);
                    let quantity = hundredths * 10u64.pow(params.assets[b].decimals) / 100;
                    layout.balances.push((b, quantity));
                    u128::from(quantity) * u128::from(params.assets[b].price)
                }
                _ => {
                    let a = pool[rng.random_range(0..pool.len().min(3))];
                    layout.hold(params, a, value)
                }
            };
            let extra = rng.random_range(0..=2usize).min(MAX_PORTFOLIO_ASSETS - 2);
            for _ in 0..extra {
                let taken: Vec<usize> = layout
                    .balances
                    .iter()
                    .map(|&(a, _)| a)
                    .chain([debt])
                    .collect();
                if let Some(a) = other(rng, &taken) {
                    layout.hold(params, a, primary / 10 * rng.random_range(1..=5));
                }
            }
            let total = layout.value(params);
            fit(
                record,
                params,
                &layout,
                target,
                total / 5 * 2,
                total / 5 * 4,
            );
        }
        Shape::Pairs | Shape::Directional => {
            let c = perp_collateral(params);
            let mut layout = Layout::new(Lever::Fixed);
            let collateral = layout.hold(params, c, value);
            let legs = if shape == Shape::Pairs {
                let mut chosen = if chance(rng, 3, 5) {
                    vec![0, 1]
                } else {
                    pick_markets(rng, markets, 2)
                };
                if markets >= 4 && chance(rng, 1, 3) {
                    while chosen.len() < 4 {
                        let m = pick_market(rng, markets);
                        if !chosen.contains(&m) {
                            chosen.push(m);
                        }
                    }
                }
                // Long the first of each pair, short the second (or the other way round), of
                // about the same notional.
                let flip = chance(rng, 1, 2);
                let share = 1000 / chosen.len() as u128;
                chosen
                    .iter()
                    .enumerate()
                    .map(|(i, &market)| Leg {
                        market,
                        short: (i % 2 == 1) != flip,
                        share: if i % 2 == 1 {
                            share * rng.random_range(950..=1050) / 1000
                        } else {
                            share
                        },
                        pnl: rng.random_range(-20..=20),
                    })
                    .collect()
            } else {
                let count = rng.random_range(1..=3usize);
                let chosen = pick_markets(rng, markets, count);
                let short = chance(rng, 2, 5);
                let share = 1000 / chosen.len() as u128;
                chosen
                    .iter()
                    .map(|&market| Leg {
                        market,
                        short,
                        share,
                        pnl: draw_pnl(target, rng),
                    })
                    .collect()
            };
            layout.lever = Lever::Legs(legs);
            if chance(rng, 2, 5) {
                if let Some(a) = other(rng, &[c]) {
                    layout.hold(params, a, collateral / 10 * rng.random_range(1..=4));
                }
            }
            fit(
                record,
                params,
                &layout,
                target,
                collateral / 100,
                collateral * 200,
            );
        }
        Shape::Spot => {
            let mut layout = Layout::new(Lever::Fixed);
            let count = rng.random_range(1..=MAX_PORTFOLIO_ASSETS);
            for a in pick_assets(rng, assets, count) {
                layout.hold(params, a, value / count as u128);
            }
            layout.apply(record, params, 0);
        }
    }
}

/// A long or short position of about `notional` ν at `mark`, entered within ±`spread` per mille
/// of the mark.
fn position_near_mark(rng: &mut StdRng, mark: u64, notional: u128, spread: u128) -> Position {
    let size = size_for(notional, mark, chance(rng, 1, 2));
    let entry = u128::from(mark) * (1000 + rng.random_range(0..=2 * spread) - spread) / 1000;
    Position {
        size,
        cost: BigInt::from(size) * BigInt::from(entry),
    }
}

/// Collateral worth about `value` ν in asset `c` and a debt of `ratio` per mille of it in asset
/// `d`; returns the collateral value.
fn borrow(
    record: &mut AccountRecord,
    params: &RiskParams,
    c: usize,
    d: usize,
    value: u128,
    ratio: u128,
) -> u128 {
    record.balances[c] = atoms(value, params.assets[c].price);
    let collateral = u128::from(record.balances[c]) * u128::from(params.assets[c].price);
    record.debts[d] = atoms(collateral / 1000 * ratio, params.assets[d].price);
    collateral
}

/// The collateral asset of perpetual traders: USDT where there is one.
fn perp_collateral(params: &RiskParams) -> usize {
    params.asset_index("USDT").unwrap_or(0)
}

/// `usd` whole dollars in ν.
fn usd(usd: u128) -> u128 {
    usd * 10u128.pow(VALUE_DECIMALS)
}

/// An account-sized value in ν, log-uniform-ish from 10 USD to 10 million USD, in cents.
fn usd_value(rng: &mut StdRng) -> u128 {
    let exponent = match rng.random_range(0..100) {
        0..10 => 1,
        10..30 => 2,
        30..60 => 3,
        60..85 => 4,
        85..97 => 5,
        _ => 6,
    };
    let low = 10u128.pow(exponent) * 100;
    rng.random_range(low..low * 10) * 10u128.pow(VALUE_DECIMALS - 2)
}

/// The atoms worth about `value` ν at `price` ν per atom: at least one, below 2^64.
fn atoms(value: u128, price: u64) -> u64 {
    u64::try_from(value / u128::from(price))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// A signed size with notional about `notional` ν at `mark` ν per atom.
fn size_for(notional: u128, mark: u64, short: bool) -> i128 {
    let size = i128::from(atoms(notional, mark));
    if short {
        -size
    } else {
        size
    }
}

/// `count` distinct assets (at most `assets`), the first four more likely.
fn pick_assets(rng: &mut StdRng, assets: usize, count: usize) -> Vec<usize> {
    let count = count.min(assets);
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let a = if assets > 4 && chance(rng, 3, 10) {
            rng.random_range(0..assets)
        } else {
            rng.random_range(0..assets.min(4))
        };
        if !picked.contains(&a) {
            picked.push(a);
        }
    }
    picked
}

/// A market, the first three more likely.
fn pick_market(rng: &mut StdRng, markets: usize) -> usize {
    if markets > 3 && chance(rng, 3, 10) {
        rng.random_range(0..markets)
    } else {
        rng.random_range(0..markets.min(3))
    }
}

/// The configuration as TOML (SPEC §5), written by the `toml` crate's serializer, under a
/// comment that says it is synthetic.
fn config_toml(file: &RiskConfigFile) -> String {
    // Every field is a string, an integer, a table or an array of tables: always serializable.
    let body = toml::to_string(file).expect("a configuration serializes to TOML");
    format!("# A synthetic venue: generated, not real data.\n{body}")
}

/// The accounts in the CSV layout of SPEC §5, §8 and §12, every column present (`margin_mode`
/// only if some unit is a portfolio-margin unit), zero cells, cross units and the standard mode
/// empty.
fn accounts_csv(params: &RiskParams, records: &[AccountRecord]) -> String {
    let modes = records.iter().any(|r| r.mode != MarginMode::Standard);
    let mut header = vec!["account_id".to_string(), "margin_unit".to_string()];
    if modes {
        header.push("margin_mode".to_string());
    }
    for a in &params.assets {
        header.push(a.symbol.clone());
        header.push(format!("{}_debt", a.symbol));
    }
    for m in &params.markets {
        header.push(format!("{}_size", m.symbol));
        header.push(format!("{}_cost", m.symbol));
    }
    let quantity = |atoms: u64, decimals: u32| {
        if atoms == 0 {
            String::new()
        } else {
            format_decimal(&BigInt::from(atoms), decimals)
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    out.write_record(&header).expect("write to memory");
    for record in records {
        let mut row = vec![record.id.clone(), record.unit.label().to_string()];
        if modes {
            row.push(match record.mode {
                MarginMode::Standard => String::new(),
                mode => mode.as_str().to_string(),
            });
        }
        for (a, asset) in params.assets.iter().enumerate() {
            row.push(quantity(record.balances[a], asset.decimals));
            row.push(quantity(record.debts[a], asset.decimals));
        }
        for (m, market) in params.markets.iter().enumerate() {
            let p = &record.positions[m];
            if p.size == 0 && p.cost.is_zero() {
                row.push(String::new());
                row.push(String::new());
            } else {
                row.push(format_decimal(&BigInt::from(p.size), market.decimals));
                row.push(format_decimal(&p.cost, VALUE_DECIMALS));
            }
        }
        out.write_record(&row).expect("write to memory");
    }
    let bytes = out.into_inner().expect("flush to memory");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

/// A generated venue, parsed as `prove` would parse its files (the unit tests' fixture).
#[cfg(test)]
pub(crate) fn parsed_venue(
    options: &GenerateOptions,
) -> (
    std::sync::Arc<marginproof_circuits::RiskParams>,
    Vec<AccountRecord>,
) {
    use crate::input::{parse_accounts, parse_config};
    use std::path::Path;
    let (config, csv) = generate(options);
    let params =
        std::sync::Arc::new(parse_config(&config, Path::new("venue.toml")).expect("config"));
    let records =
        parse_accounts(csv.as_bytes(), Path::new("accounts.csv"), &params).expect("accounts");
    (params, records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_accounts;
    use marginproof_circuits::decimal::parse_decimal;
    use marginproof_circuits::model::stress::margin_bucket;
    use marginproof_circuits::model::{AccountRisk, MarginBucket, WorstShock};
    use std::path::Path;

    /// A venue of `accounts` units, `assets` assets and `markets` markets, nothing else on.
    fn options(accounts: usize, assets: usize, markets: usize, seed: u64) -> GenerateOptions {
        GenerateOptions {
            accounts,
            assets,
            markets,
            seed,
            whales_ppm: 0,
            scenarios: 0,
            distribution: false,
            portfolio_ppm: 0,
            shocks: 0,
        }
    }

    /// `n` in USD with two decimals, for messages.
    fn usd_text(nu_ppm: &BigInt) -> String {
        let cents = nu_ppm / BigInt::from(10u128.pow(VALUE_DECIMALS - 2) * 1_000_000);
        format_decimal(&cents, 2)
    }

    /// The margin ratio as a decimal, or `none`.
    fn ratio_text(risk: &AccountRisk) -> String {
        risk.margin_ratio_ppm()
            .map_or("none".into(), |r| format_decimal(&r, RATE_DECIMALS))
    }

    #[test]
    fn generate_is_deterministic_in_every_option() {
        let opts = GenerateOptions {
            accounts: 300,
            assets: 8,
            markets: 4,
            seed: 9,
            whales_ppm: 10_000,
            scenarios: 3,
            distribution: true,
            portfolio_ppm: 50_000,
            shocks: 12,
        };
        let first = generate(&opts);
        assert_eq!(first, generate(&opts), "same options, same bytes");
        for other in [
            GenerateOptions {
                seed: 10,
                ..opts.clone()
            },
            GenerateOptions {
                portfolio_ppm: 60_000,
                ..opts.clone()
            },
            GenerateOptions {
                shocks: 11,
                ..opts.clone()
            },
        ] {
            assert_ne!(generate(&other), first, "{other:?}");
        }
    }

    #[test]
    fn generate_bands_lie_within_the_distribution_buckets() {
        let edges: Vec<u64> = DISTRIBUTION_EDGES
            .iter()
            .map(|e| parse_decimal(e, RATE_DECIMALS).unwrap().try_into().unwrap())
            .collect();
        for table in [&BANDS, &PORTFOLIO_BANDS] {
            assert_eq!(table.iter().map(|b| b.2).sum::<usize>(), 100);
            for pair in table.windows(2) {
                assert_eq!(pair[0].1, pair[1].0, "bands are contiguous");
            }
            for &(from, below, _) in table.iter() {
                assert!(
                    edges.iter().all(|&e| e <= from || e >= below),
                    "[{from}, {below}) straddles an edge"
                );
            }
        }
        // Every bucket from 1.0 up starts a band of the standard units.
        for &e in &edges {
            assert!(BANDS.iter().any(|b| b.0 == e), "no band starts at {e}");
        }
        // A drawn target keeps a twentieth of its band's width from either end.
        let mut rng = StdRng::seed_from_u64(1);
        for &(from, below, _) in &BANDS {
            for _ in 0..100 {
                let t = draw_target(Band { from, below }, &mut rng);
                assert!(from + (below - from) / 20 <= t && t < below - (below - from) / 20);
            }
        }
    }

    #[test]
    fn generate_shock_grids_have_the_asked_number_of_shocks() {
        for (assets, markets) in [(1, 0), (2, 1), (4, 3), (50, 8), (300, 40)] {
            let (config, _) = generate(&options(0, assets, markets, 2));
            let file: RiskConfigFile = toml::from_str(&config).expect("generated TOML");
            let params = RiskParams::from_file(&file).expect("generated configuration");
            assert!(portfolio_section(&params, 0).is_none());
            for n in [1, 2, 8, 15, 16, 17, 40] {
                let section = portfolio_section(&params, n).expect("a section");
                assert_eq!(
                    section.shocks.len(),
                    n.min(MAX_SHOCKS),
                    "{assets}/{markets}"
                );
                assert_eq!(section.floor_rate, PORTFOLIO_FLOOR_RATE);
                let with = RiskConfigFile {
                    portfolio_margin: Some(section.clone()),
                    ..file.clone()
                };
                let grid = RiskParams::from_file(&with)
                    .expect("a valid grid")
                    .portfolio_margin
                    .expect("the grid");
                assert_eq!(grid.floor_ppm, 1_000);
                // Every shock moves something.
                for shock in &grid.shocks {
                    assert!(
                        shock
                            .moves
                            .assets
                            .iter()
                            .chain(&shock.moves.markets)
                            .any(|m| *m != 0),
                        "{} moves nothing",
                        shock.name
                    );
                }
            }
        }
    }

    #[test]
    fn generate_round_trips_the_grid_and_the_modes() {
        let opts = GenerateOptions {
            portfolio_ppm: 100_000,
            ..options(500, 6, 4, 3)
        };
        let (config, csv) = generate(&opts);
        let file: RiskConfigFile = toml::from_str(&config).expect("generated TOML");
        let params = RiskParams::from_file(&file).expect("generated configuration");
        // Portfolio units without a shock count: the default grid of 8.
        let section = file.portfolio_margin.as_ref().expect("[portfolio_margin]");
        assert_eq!(section.floor_rate, "0.001");
        let names: Vec<&str> = section.shocks.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "crash-20",
                "rally-20",
                "btc-down-30",
                "btc-up-30",
                "eth-down-30",
                "eth-up-30",
                "alts-down-40",
                "usdt-depeg-10"
            ]
        );
        let moves = |g: usize| -> Vec<(&str, &str)> {
            section.shocks[g]
                .moves
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect()
        };
        assert_eq!(
            moves(2),
            [("BTC", "-0.3"), ("BTC-PERP", "-0.3")],
            "btc-down-30"
        );
        assert_eq!(moves(7), [("USDT", "-0.1")], "usdt-depeg-10");
        // crash-20 moves every asset but USDT and every market.
        assert_eq!(moves(0).len(), 5 + 4);
        assert!(moves(0).iter().all(|(k, v)| *k != "USDT" && *v == "-0.2"));
        // alts-down-40: SOL, A05, A06, SOL-PERP and M04-PERP.
        let alts: Vec<&str> = moves(6).iter().map(|(k, _)| *k).collect();
        assert_eq!(alts, ["A05", "A06", "M04-PERP", "SOL", "SOL-PERP"]);
        let grid = params.portfolio_margin.as_ref().expect("parsed grid");
        assert_eq!(grid.floor_ppm, 1_000);
        assert_eq!(grid.shocks[0].moves.assets[0], -200_000);
        assert_eq!(grid.shocks[0].moves.assets[2], 0, "USDT");
        assert_eq!(grid.shocks[7].moves.assets[2], -100_000);

        // The modes: a `margin_mode` column, `portfolio` exactly on the portfolio-margin rows.
        let records =
            parse_accounts(csv.as_bytes(), Path::new("accounts.csv"), &params).expect("accounts");
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        assert_eq!(header[..3], ["account_id", "margin_unit", "margin_mode"]);
        let mut portfolio = 0;
        for (line, record) in lines.zip(&records) {
            let cell = line.split(',').nth(2).expect("a margin_mode cell");
            match record.mode {
                MarginMode::Portfolio => {
                    portfolio += 1;
                    assert_eq!(cell, "portfolio", "{line}");
                    assert!(record.unit.is_cross(), "{line}");
                }
                MarginMode::Standard => assert_eq!(cell, "", "{line}"),
            }
        }
        assert_eq!(portfolio, 50, "10% of 500 units");
        // Written back, the records are the same.
        assert_eq!(accounts_csv(&params, &records), csv);

        // Without portfolio units: no column, every unit standard; a grid only if asked for.
        for shocks in [0, 5] {
            let (config, csv) = generate(&GenerateOptions {
                shocks,
                ..options(200, 6, 4, 3)
            });
            let params = crate::input::parse_config(&config, Path::new("venue.toml"))
                .expect("generated configuration");
            assert_eq!(
                params.portfolio_margin.map(|g| g.shocks.len()),
                (shocks > 0).then_some(shocks)
            );
            assert!(!csv.lines().next().unwrap_or("").contains("margin_mode"));
            let records = parse_accounts(csv.as_bytes(), Path::new("a.csv"), &params_of(&config))
                .expect("accounts");
            assert!(records.iter().all(|r| r.mode == MarginMode::Standard));
        }
    }

    /// The parsed configuration of a generated venue.
    fn params_of(config: &str) -> RiskParams {
        crate::input::parse_config(config, Path::new("venue.toml")).expect("configuration")
    }

    /// How a portfolio-margin unit is built, as read back from its holdings.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Seen {
        /// A long spot and a short perpetual of the same underlying within 5%.
        Carry,
        /// A stablecoin debt against coins worth more, no position.
        Loan,
        /// Perpetuals both long and short, no spot hedge.
        Pairs,
        /// Perpetuals all one way, no spot hedge.
        Directional,
        /// Anything else.
        Other,
    }

    /// The carry pairs `(asset, market)` of `record`: spot long, perpetual short, notional
    /// within 5% of the spot value.
    fn carry_legs(params: &RiskParams, record: &AccountRecord) -> Vec<(usize, usize)> {
        underlyings(params)
            .into_iter()
            .filter(|&(a, m)| {
                let spot = u128::from(record.balances[a]) * u128::from(params.assets[a].price);
                let p = &record.positions[m];
                let perp = p.size.unsigned_abs() * u128::from(params.markets[m].mark_price);
                record.debts[a] == 0 && p.size < 0 && spot > 0 && spot.abs_diff(perp) * 20 <= spot
            })
            .collect()
    }

    fn seen(params: &RiskParams, record: &AccountRecord) -> Seen {
        let usdt = params.asset_index(STABLE).expect("USDT");
        let sizes: Vec<i128> = record
            .positions
            .iter()
            .map(|p| p.size)
            .filter(|s| *s != 0)
            .collect();
        if !carry_legs(params, record).is_empty() {
            return Seen::Carry;
        }
        if sizes.is_empty() && record.debts[usdt] > 0 {
            let debt = u128::from(record.debts[usdt]) * u128::from(params.assets[usdt].price);
            let coins: u128 = (0..params.assets.len())
                .filter(|&a| a != usdt)
                .map(|a| u128::from(record.balances[a]) * u128::from(params.assets[a].price))
                .sum();
            return if coins > debt {
                Seen::Loan
            } else {
                Seen::Other
            };
        }
        match (sizes.iter().any(|s| *s > 0), sizes.iter().any(|s| *s < 0)) {
            (true, true) => Seen::Pairs,
            (true, false) | (false, true) => Seen::Directional,
            _ => Seen::Other,
        }
    }

    #[test]
    fn generate_portfolio_units_are_mostly_real_hedges() {
        let opts = GenerateOptions {
            portfolio_ppm: 50_000,
            shocks: 8,
            ..options(2000, 50, 8, 1)
        };
        let (params, records) = parsed_venue(&opts);
        assert_eq!(
            params.portfolio_margin.as_ref().map(|g| g.shocks.len()),
            Some(8)
        );
        let mut by_seen: BTreeMap<String, usize> = BTreeMap::new();
        let (mut liquidatable, mut wide) = (0, 0);
        let mut example = None;
        // Spot-against-perpetual hedges, and those charged less than by the standard model.
        let (mut hedges, mut cheaper) = (0usize, 0usize);
        for record in &records {
            let risk = evaluate(&params, record);
            if record.mode == MarginMode::Standard {
                assert!(risk.portfolio.is_none(), "{}", record.name());
                continue;
            }
            assert!(record.unit.is_cross(), "{}", record.name());
            let pm = risk.portfolio.as_ref().expect("a portfolio valuation");
            assert_eq!(pm.requirement, risk.maintenance);
            assert!(held_assets(record) <= MAX_PORTFOLIO_ASSETS, "{record:?}");
            assert!(
                held_positions(record) <= MAX_PORTFOLIO_POSITIONS,
                "{record:?}"
            );
            if held_positions(record) > MAX_HELD_POSITIONS {
                wide += 1;
            }
            assert_ne!(risk.status, Status::Bankrupt, "{record:?}");
            if risk.status == Status::Liquidatable {
                liquidatable += 1;
            }
            let standard = evaluate(&params, &record.clone().in_mode(MarginMode::Standard));
            let kind = seen(&params, record);
            *by_seen.entry(format!("{kind:?}")).or_default() += 1;
            match kind {
                Seen::Carry => {
                    // The hedge: the spot legs alone would lose over ten times what the spot
                    // legs and their short perpetuals lose together under the worst shock.
                    let (mut hedged, mut spot) = (
                        AccountRecord::empty("hedge", &params).in_mode(MarginMode::Portfolio),
                        AccountRecord::empty("spot", &params).in_mode(MarginMode::Portfolio),
                    );
                    for (a, m) in carry_legs(&params, record) {
                        hedged.balances[a] = record.balances[a];
                        hedged.positions[m] = record.positions[m].clone();
                        spot.balances[a] = record.balances[a];
                    }
                    let worst = |r: &AccountRecord| {
                        let risk = evaluate(&params, r);
                        let pm = risk.portfolio.expect("a portfolio valuation");
                        pm.losses.into_iter().max().expect("shocks")
                    };
                    let (hedge_loss, spot_loss) = (worst(&hedged), worst(&spot));
                    assert!(
                        &hedge_loss * 10 < spot_loss,
                        "{record:?}: hedged {hedge_loss} vs spot alone {spot_loss}"
                    );
                    // The whole unit without its short perpetuals needs more.
                    let mut naked = record.clone();
                    for (_, m) in carry_legs(&params, record) {
                        naked.positions[m] = Position::default();
                    }
                    let naked = evaluate(&params, &naked);
                    assert!(risk.maintenance < naked.maintenance, "{record:?}");
                    hedges += 1;
                    cheaper += usize::from(risk.maintenance < standard.maintenance);
                    if example.is_none() && risk.status == Status::Healthy {
                        example = Some(format!(
                            "{}: MR_pm {} USD ({:?}, ratio {}); standard MR {} USD (ratio {}); \
                             MR_pm without the hedge {} USD",
                            record.name(),
                            usd_text(&risk.maintenance),
                            pm.worst,
                            ratio_text(&risk),
                            usd_text(&standard.maintenance),
                            ratio_text(&standard),
                            usd_text(&naked.maintenance),
                        ));
                    }
                }
                Seen::Loan => {
                    // A price shock on the collateral sets it: no hedge, no floor.
                    assert!(matches!(pm.worst, WorstShock::Shock(_)), "{record:?}");
                    assert!(risk.maintenance > standard.maintenance, "{record:?}");
                }
                Seen::Directional => {
                    // Unhedged: charged a whole shock, far above the standard model's rate.
                    assert!(
                        risk.maintenance > &standard.maintenance * 5,
                        "{record:?}: {} vs {}",
                        risk.maintenance,
                        standard.maintenance
                    );
                }
                Seen::Pairs | Seen::Other => {}
            }
        }
        // With a floor of 0.1% of gross value, most hedges need less than the standard model's
        // charge on their perpetual legs.
        eprintln!("hedges charged less than by the standard model: {cheaper} of {hedges}");
        assert!(cheaper * 2 > hedges, "{cheaper} of {hedges}");
        eprintln!("portfolio units by shape: {by_seen:?}");
        eprintln!("liquidatable {liquidatable}; more than two positions {wide}");
        if let Some(example) = &example {
            eprintln!("example hedge: {example}");
        }
        let count = |k: &str| by_seen.get(k).copied().unwrap_or(0);
        let portfolio: usize = by_seen.values().sum();
        assert_eq!(portfolio, 100, "5% of 2000 units");
        for kind in ["Carry", "Loan", "Pairs", "Directional"] {
            assert!(count(kind) > 0, "no {kind}: {by_seen:?}");
        }
        assert_eq!(count("Other"), 0, "{by_seen:?}");
        // Mostly hedges.
        assert!(
            count("Carry") + count("Loan") + count("Pairs") > 2 * count("Directional"),
            "{by_seen:?}"
        );
        assert!(wide > 0, "no portfolio unit wider than a standard one");
        assert!(
            (1..=10).contains(&liquidatable),
            "{liquidatable} liquidatable"
        );
    }

    /// Units per margin-ratio bucket of [`DISTRIBUTION_EDGES`] and with no requirement; the
    /// number liquidatable and bankrupt.
    fn spread(opts: &GenerateOptions) -> (Vec<usize>, usize, usize, usize) {
        let (params, records) = parsed_venue(opts);
        let edges = &params
            .distribution
            .as_ref()
            .expect("distribution")
            .edges_ppm;
        let mut buckets = vec![0; edges.len() + 1];
        let (mut none, mut liquidatable, mut bankrupt) = (0, 0, 0);
        for record in &records {
            let risk = evaluate(&params, record);
            match margin_bucket(edges, &risk.adjusted_equity, &risk.maintenance) {
                MarginBucket::NoRequirement => none += 1,
                MarginBucket::Ratio(j) => buckets[j] += 1,
            }
            match risk.status {
                Status::Liquidatable => liquidatable += 1,
                Status::Bankrupt => bankrupt += 1,
                Status::Healthy => {}
            }
        }
        (buckets, none, liquidatable, bankrupt)
    }

    #[test]
    fn generate_spreads_margin_ratios_over_every_bucket() {
        let mut cases = vec![
            options(4096, 50, 8, 1),
            GenerateOptions {
                portfolio_ppm: 50_000,
                shocks: 8,
                ..options(4096, 50, 8, 1)
            },
            GenerateOptions::default(),
        ];
        cases.extend((1..=4).map(|seed| options(100, 4, 3, seed)));
        cases.push(options(100, 2, 0, 5));
        for opts in cases {
            let opts = GenerateOptions {
                distribution: true,
                ..opts
            };
            let (buckets, none, liquidatable, bankrupt) = spread(&opts);
            eprintln!(
                "{} units, {} assets, {} markets, portfolio {} ppm: buckets {buckets:?}, \
                 no requirement {none}, liquidatable {liquidatable}, bankrupt {bankrupt}",
                opts.accounts, opts.assets, opts.markets, opts.portfolio_ppm
            );
            assert!(buckets.iter().all(|&n| n > 0), "{opts:?}: {buckets:?}");
            assert!(none > 0, "{opts:?}");
            let n = opts.accounts;
            // The kinds' shares hold: every levered healthy standard unit is healthy.
            assert_eq!(bankrupt, n * 4 / 100, "{opts:?}");
            if opts.portfolio_ppm == 0 {
                assert_eq!(liquidatable, n * 8 / 100, "{opts:?}");
                assert_eq!(buckets[0], liquidatable + bankrupt, "{opts:?}");
            }
            // Realistic: no bucket of the levered ones holds most of the book, and the thin
            // ones near the threshold still hold a few units in a large book.
            assert!(buckets.iter().all(|&b| b < n / 2), "{opts:?}: {buckets:?}");
            if n >= 1000 {
                assert!(
                    buckets.iter().all(|&b| b >= n / 200),
                    "{opts:?}: {buckets:?}"
                );
            }
        }
    }

    #[test]
    fn generate_portfolio_units_at_the_edges() {
        // Configurations short of some instruments: each shape stands in for the next, and with
        // nothing to hedge or borrow a portfolio unit holds coins only.
        for (assets, markets) in [(1, 0), (2, 0), (3, 0), (2, 1), (4, 1), (6, 2), (30, 300)] {
            let opts = GenerateOptions {
                portfolio_ppm: 300_000,
                ..options(60, assets, markets, 4)
            };
            let (params, records) = parsed_venue(&opts);
            assert_eq!(records.len(), 60);
            let portfolio: Vec<&AccountRecord> = records
                .iter()
                .filter(|r| r.mode == MarginMode::Portfolio)
                .collect();
            assert_eq!(portfolio.len(), 18, "{opts:?}");
            for record in portfolio {
                let risk = evaluate(&params, record);
                assert!(risk.portfolio.is_some(), "{record:?}");
                assert_ne!(risk.status, Status::Bankrupt, "{record:?}");
                assert!(held_assets(record) >= 1, "{record:?}");
                assert!(held_assets(record) <= MAX_PORTFOLIO_ASSETS, "{record:?}");
                assert!(
                    held_positions(record) <= MAX_PORTFOLIO_POSITIONS,
                    "{record:?}"
                );
            }
        }
    }
}
