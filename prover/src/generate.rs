//! Synthetic venues: a risk configuration (TOML) and an accounts file (CSV) in the formats of
//! SPEC §5, for tests, benchmarks and the demo.
//!
//! The venue is deterministic in [`GenerateOptions`] (seeded RNG, no clock, no floats: every
//! value is built from integers and written as an exact decimal). Its book is a realistic mix of
//! margin units (SPEC §8): about 35% spot-only accounts, 25% borrowers, 20% perpetual traders, 8%
//! liquidatable, 4% bankrupt and 3% empty accounts, each status checked with the native risk
//! model, and 5% isolated units: one perpetual position with its own stablecoin collateral,
//! belonging to one of the perpetual traders (each unit labelled by its market's symbol, its row
//! right after the owner's cross row).
//!
//! Holdings are sparse, as on a real venue, however wide it is: each account holds (has a balance
//! or a debt in) at most [`MAX_HELD_ASSETS`] assets, typically 1 to 4, and at most
//! [`MAX_HELD_POSITIONS`] perpetual positions, typically none to 2. With `--whales F`, the tail is
//! long (SPEC §9): a fraction F of the accounts hold 10 to 50 assets and up to 8 positions, and
//! one market maker holds every asset and every market. The first four assets and
//! first three markets are the popular ones; the others are picked less often.

use std::collections::BTreeMap;

use marginproof_circuits::config::{
    AssetSection, DistributionSection, MarketSection, RiskConfigFile, RiskParams, ScenarioSection,
    SnapshotSection, TierSpec,
};
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::model::{evaluate, AccountRecord, MarginUnit, Position, Status};
use marginproof_circuits::units::{MAX_ASSETS, MAX_MARKETS, RATE_DECIMALS, VALUE_DECIMALS};
use num_bigint::BigInt;
use num_traits::Zero;
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
        }
    }
}

/// Generates a synthetic venue: `(configuration TOML text, accounts CSV text)`.
///
/// The configuration passes [`RiskParams::from_file`] and the accounts file passes
/// [`load_accounts`](crate::input::load_accounts) against it. With at least two assets or one
/// market, the book contains liquidatable and bankrupt accounts (at least one of each when there
/// are enough accounts), and with three accounts or more at least one empty account. Every account
/// holds at most `min(MAX_HELD_ASSETS, assets)` assets and `min(MAX_HELD_POSITIONS, markets)`
/// positions.
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
    let params = RiskParams::from_file(&file).expect("the synthetic stress configuration is valid");

    let kinds = allocate(opts.accounts, assets, markets, &mut rng);
    let drawn: Vec<AccountRecord> = kinds
        .iter()
        .map(|kind| make_account(String::new(), *kind, &params, &mut rng))
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

/// Turns healthy cross accounts into whales (`whales_ppm` of the accounts, at least one if any)
/// and one more into the market maker, keeping their ids: a whale holds 10 to 50 assets (each
/// worth an account-sized value) and up to 8 small positions, the market maker a balance in
/// every asset and a small position in every market. Both are drawn well collateralised.
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
            records[i].unit.is_cross() && evaluate(params, &records[i]).status == Status::Healthy
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
}

impl Kind {
    fn target(self) -> Status {
        match self {
            Kind::Liquidatable => Status::Liquidatable,
            Kind::Bankrupt => Status::Bankrupt,
            _ => Status::Healthy,
        }
    }
}

/// The kinds of `n` margin units in random order: 8% liquidatable, 4% bankrupt, 3% empty (each at
/// least one while units remain), 20% perpetual traders, 25% borrowers, 5% isolated units, the
/// rest spot.
fn allocate(n: usize, assets: usize, markets: usize, rng: &mut StdRng) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(n);
    for (kind, percent, at_least) in [
        (Kind::Liquidatable, 8, 1),
        (Kind::Bankrupt, 4, 1),
        (Kind::Empty, 3, 1),
        (Kind::Perp, 20, 0),
        (Kind::Borrower, 25, 0),
        (Kind::Isolated, 5, 0),
    ] {
        let count = (n * percent / 100).max(at_least).min(n - kinds.len());
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
fn make_account(id: String, kind: Kind, params: &RiskParams, rng: &mut StdRng) -> AccountRecord {
    let mut record = AccountRecord::empty(id, params);
    for _ in 0..64 {
        clear_holdings(&mut record);
        fill(&mut record, kind, params, rng);
        if evaluate(params, &record).status == kind.target() {
            break;
        }
    }
    debug_assert!(
        held_assets(&record) <= MAX_HELD_ASSETS && held_positions(&record) <= MAX_HELD_POSITIONS,
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

fn fill(record: &mut AccountRecord, kind: Kind, params: &RiskParams, rng: &mut StdRng) {
    let assets = params.assets.len();
    let markets = params.markets.len();
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
            let picked = pick_assets(rng, assets, MAX_HELD_ASSETS);
            let collateral = borrow(
                record,
                params,
                picked[0],
                picked[1],
                usd_value(rng),
                rng.random_range(100..=600),
            );
            // Spot holdings on the side: one for a third of borrowers, two for a sixth.
            let side = match rng.random_range(0..6) {
                0 | 1 => 1,
                2 => 2,
                _ => 0,
            };
            for &a in picked.iter().skip(2).take(side) {
                record.balances[a] = atoms(
                    collateral / 10 * rng.random_range(1..=10),
                    params.assets[a].price,
                );
            }
        }
        Kind::Perp => {
            let collateral = perp_collateral(params);
            let value = usd_value(rng).max(usd(100));
            record.balances[collateral] = atoms(value, params.assets[collateral].price);
            let value = u128::from(record.balances[collateral])
                * u128::from(params.assets[collateral].price);
            let count = rng.random_range(1..=MAX_HELD_POSITIONS).min(markets);
            let mut chosen: Vec<usize> = Vec::with_capacity(count);
            while chosen.len() < count {
                let m = pick_market(rng, markets);
                if !chosen.contains(&m) {
                    chosen.push(m);
                }
            }
            for m in chosen {
                // Notional 0.2x to 2x the collateral, entry within ±20% of the mark.
                let notional = value / 10 * rng.random_range(2..=20);
                record.positions[m] =
                    position_near_mark(rng, params.markets[m].mark_price, notional, 200);
            }
        }
        Kind::Isolated => {
            // Collateral of 100 USD and more, one position of 0.5x to 3x it, entry within ±10%.
            let collateral = perp_collateral(params);
            let value = usd_value(rng).max(usd(100));
            record.balances[collateral] = atoms(value, params.assets[collateral].price);
            let value = u128::from(record.balances[collateral])
                * u128::from(params.assets[collateral].price);
            let m = pick_market(rng, markets);
            let notional = value / 10 * rng.random_range(5..=30);
            record.positions[m] =
                position_near_mark(rng, params.markets[m].mark_price, notional, 100);
        }
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

/// The accounts in the CSV layout of SPEC §5 and §8, every column present, zero cells and cross
/// units empty.
fn accounts_csv(params: &RiskParams, records: &[AccountRecord]) -> String {
    let mut header = vec!["account_id".to_string(), "margin_unit".to_string()];
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
