//! The public risk configuration: its file form (exact decimal strings, SPEC §5) and its validated
//! integer form [`RiskParams`] that the model, the circuit and the verifier all use.
//!
//! The prover reads the file form from TOML, the verifier from the manifest's JSON; both turn it
//! into [`RiskParams`] with [`RiskParams::from_file`], so they cannot disagree on a single unit.

use std::collections::BTreeMap;

use blake2::{Blake2b512, Digest};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};
use thiserror::Error;

mod portfolio;

pub use portfolio::{
    move_code, MoveVector, PortfolioMarginSection, PortfolioParams, ShockParams, ShockSection,
    FLOOR_NAME,
};

use crate::decimal::{parse_decimal, DecimalError};
use crate::model::tiers::{TierTable, TierTableKind};
use crate::units::{
    MAX_ASSETS, MAX_EDGES, MAX_MARKETS, MAX_SCENARIOS, MAX_TIERS, RATE_DECIMALS, RATE_SCALE,
    THRESHOLD_BITS, VALUE_BITS, VALUE_DECIMALS,
};

/// The risk configuration as written by the venue (TOML) and published in the manifest (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskConfigFile {
    /// The snapshot this configuration belongs to.
    pub snapshot: SnapshotSection,
    /// Collateral and borrowable assets.
    pub assets: Vec<AssetSection>,
    /// Perpetual markets.
    #[serde(default)]
    pub markets: Vec<MarketSection>,
    /// Optional reserves per asset symbol, in units of that asset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reserves: BTreeMap<String, String>,
    /// Optional price-shock scenarios (SPEC §7), at most [`MAX_SCENARIOS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioSection>,
    /// Optional margin-ratio distribution (SPEC §7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<DistributionSection>,
    /// `[reserve_chains]` (SPEC §13): the one block per chain at which every reserve wallet's
    /// balance is read, by chain name (`ethereum`, `bitcoin`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reserve_chains: BTreeMap<String, u64>,
    /// `[portfolio_margin]` (SPEC §12): the floor rate and the shock grid that judge
    /// portfolio-margin units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio_margin: Option<PortfolioMarginSection>,
}

/// `[[scenarios]]`: one price-shock scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    /// 1–32 characters of `[a-z0-9-]`, unique.
    pub name: String,
    /// Scenario prices by instrument symbol: USD per unit for an asset, the mark price for a
    /// market. An instrument not named keeps its base price.
    #[serde(default)]
    pub prices: BTreeMap<String, String>,
}

/// `[distribution]`: the margin-ratio bucket edges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionSection {
    /// Strictly increasing margin ratios, at most 6 decimals, 1 to [`MAX_EDGES`] of them.
    pub margin_ratio_edges: Vec<String>,
}

/// `[snapshot]`: identity of the snapshot and the liquidation threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSection {
    /// Unique per snapshot; bound into every proof.
    pub id: String,
    /// The venue's display name.
    pub venue: String,
    /// Margin ratio below which an account is liquidatable, as an exact decimal (default `1.00`).
    #[serde(default = "default_threshold")]
    pub liquidation_threshold: String,
    /// When the books were taken, RFC 3339 in UTC (`2026-11-21T00:00:00Z`); required with
    /// `[reserve_chains]` (SPEC §13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

fn default_threshold() -> String {
    "1.00".to_string()
}

/// `[[assets]]`: one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSection {
    /// Ticker, also the CSV column name.
    pub symbol: String,
    /// Decimal digits of one atom (0..=18).
    pub decimals: u32,
    /// USD per unit, exact decimal.
    pub price: String,
    /// Collateral haircut tiers on net value in USD (rates non-increasing).
    pub haircut: Vec<TierSpec>,
    /// Maintenance tiers on net borrowed value in USD (rates non-decreasing).
    pub maintenance: Vec<TierSpec>,
    /// Where the venue keeps this asset's reserves: at most one location per chain (SPEC §13).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserve_locations: Vec<ReserveLocationSection>,
}

/// One entry of an asset's `reserve_locations` (SPEC §13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveLocationSection {
    /// A chain of `[reserve_chains]`.
    pub chain: String,
    /// The token contract (`0x` and 40 hex digits, Ethereum only); absent: the chain's native coin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Decimal digits of one on-chain unit: required for a token (0..=36); for the native coin
    /// 18 on Ethereum and 8 on Bitcoin, which may be written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u32>,
}

/// `[[markets]]`: one perpetual market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSection {
    /// Ticker; CSV columns are `SYM_size` and `SYM_cost`.
    pub symbol: String,
    /// Decimal digits of one size atom (0..=18).
    pub decimals: u32,
    /// USD per unit of size, exact decimal.
    pub mark_price: String,
    /// Maintenance tiers on notional in USD (rates non-decreasing).
    pub maintenance: Vec<TierSpec>,
}

/// One tier: `up_to` (USD, absent on the last tier) and its marginal rate (`1.00` = 100%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    /// Upper boundary of this tier in USD; absent on the last, unbounded tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<String>,
    /// Marginal rate as a decimal fraction, up to 6 decimals.
    pub rate: String,
}

/// A configuration that is not valid, with the path of the offending field
/// (for example `assets[1].haircut[0].rate`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    /// Path of the field, in the file's own structure.
    pub field: String,
    /// What is wrong with it.
    pub problem: ConfigProblem,
}

/// What is wrong with one configuration field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigProblem {
    /// Not an exact decimal, or too many fractional digits.
    #[error(transparent)]
    Decimal(#[from] DecimalError),
    /// A price with more precision than ν per atom can hold.
    #[error("price `{0}` is not representable in 10^-18 USD per atom (too many decimals for the asset's decimals)")]
    PriceNotRepresentable(String),
    /// A number outside its allowed range.
    #[error("{0}")]
    OutOfRange(String),
    /// Haircut rates must not increase from one tier to the next.
    #[error(
        "haircut rates must be non-increasing (tier {tier} has a higher rate than tier {previous})"
    )]
    HaircutIncreasing {
        /// The tier whose rate is higher.
        tier: usize,
        /// The tier before it.
        previous: usize,
    },
    /// Maintenance rates must not decrease from one tier to the next.
    #[error("maintenance rates must be non-decreasing (tier {tier} has a lower rate than tier {previous})")]
    MaintenanceDecreasing {
        /// The tier whose rate is lower.
        tier: usize,
        /// The tier before it.
        previous: usize,
    },
    /// Tier boundaries must strictly increase; only the last tier is unbounded.
    #[error("{0}")]
    BadTierShape(String),
    /// A symbol that is empty, malformed, or used twice.
    #[error("{0}")]
    BadSymbol(String),
    /// A snapshot field that is empty.
    #[error("must not be empty")]
    Empty,
    /// A snapshot field with a control character (SPEC §13: it is part of the reserves message).
    #[error("must not contain control characters (found U+{0:04X})")]
    ControlCharacter(u32),
    /// A reserves field (SPEC §13) that is malformed or inconsistent.
    #[error("{0}")]
    Reserves(String),
}

fn invalid(field: impl Into<String>, problem: impl Into<ConfigProblem>) -> ConfigError {
    ConfigError {
        field: field.into(),
        problem: problem.into(),
    }
}

/// One asset in integer form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetParams {
    /// Ticker.
    pub symbol: String,
    /// Decimal digits of one atom.
    pub decimals: u32,
    /// Price in ν per atom, `0 < price < 2^64`.
    pub price: u64,
    /// Haircut table H_a on net value (ν).
    pub haircut: TierTable,
    /// Maintenance table G_a on net borrowed value (ν).
    pub maintenance: TierTable,
    /// Where its reserves are kept (SPEC §13), at most one location per chain.
    pub reserve_locations: Vec<ReserveLocation>,
}

/// The chains a reserve location may name (SPEC §13, format 1).
pub const RESERVE_CHAINS: [&str; 2] = ["bitcoin", "ethereum"];

/// Most decimal digits of a token's on-chain unit.
pub const MAX_LOCATION_DECIMALS: u32 = 36;

/// A validated reserve location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveLocation {
    /// `ethereum` or `bitcoin`.
    pub chain: String,
    /// The token contract's 20 bytes (Ethereum only); `None`: the native coin.
    pub token: Option<[u8; 20]>,
    /// Decimal digits of one on-chain unit.
    pub decimals: u32,
}

/// One perpetual market in integer form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketParams {
    /// Ticker.
    pub symbol: String,
    /// Decimal digits of one size atom.
    pub decimals: u32,
    /// Mark price in ν per size atom, `0 < mark_price < 2^64`.
    pub mark_price: u64,
    /// Maintenance table G_m on notional (ν).
    pub maintenance: TierTable,
}

/// One scenario in integer form: every instrument's price under it (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioParams {
    /// The scenario's name.
    pub name: String,
    /// The prices it values accounts at.
    pub prices: PriceVector,
}

/// Every instrument's price (ν per atom): each asset's, then each market's mark price, in
/// configuration order. The base prices and each scenario's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceVector {
    /// Per asset.
    pub assets: Vec<u64>,
    /// Per market.
    pub markets: Vec<u64>,
}

/// The margin-ratio distribution's edges (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionParams {
    /// Edges in ppm, strictly increasing, each below 2^32 (as the threshold).
    pub edges_ppm: Vec<u64>,
}

/// The validated public risk configuration, in exact integers (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskParams {
    /// Snapshot id, bound into every proof.
    pub snapshot_id: String,
    /// Venue display name.
    pub venue: String,
    /// Liquidation threshold θ in ppm, `θ < 2^32`.
    pub threshold_ppm: u64,
    /// Assets in configuration order.
    pub assets: Vec<AssetParams>,
    /// Markets in configuration order.
    pub markets: Vec<MarketParams>,
    /// Reserves per asset in atoms, where the venue published them.
    pub reserves: Vec<Option<BigInt>>,
    /// The stress scenarios, in configuration order.
    pub scenarios: Vec<ScenarioParams>,
    /// The margin-ratio distribution, if configured.
    pub distribution: Option<DistributionParams>,
    /// `snapshot.time` in seconds since 1970-01-01T00:00:00Z (SPEC §13).
    pub snapshot_time: Option<i64>,
    /// `[reserve_chains]`: the block of each chain (SPEC §13).
    pub reserve_chains: BTreeMap<String, u64>,
    /// `[portfolio_margin]`, if configured (SPEC §12).
    pub portfolio_margin: Option<PortfolioParams>,
    /// The file form this was made from (published verbatim in the manifest).
    pub file: RiskConfigFile,
}

impl RiskParams {
    /// Validates a configuration file and converts it to exact integers.
    pub fn from_file(file: &RiskConfigFile) -> Result<Self, ConfigError> {
        if file.snapshot.id.trim().is_empty() {
            return Err(invalid("snapshot.id", ConfigProblem::Empty));
        }
        for (field, text) in [
            ("snapshot.id", &file.snapshot.id),
            ("snapshot.venue", &file.snapshot.venue),
        ] {
            if let Some(c) = text.chars().find(|c| c.is_control()) {
                return Err(invalid(
                    field,
                    ConfigProblem::ControlCharacter(u32::from(c)),
                ));
            }
        }
        let snapshot_time = file
            .snapshot
            .time
            .as_deref()
            .map(|t| {
                parse_utc_time(t).map_err(|m| invalid("snapshot.time", ConfigProblem::Reserves(m)))
            })
            .transpose()?;
        for chain in file.reserve_chains.keys() {
            if !RESERVE_CHAINS.contains(&chain.as_str()) {
                return Err(invalid(
                    format!("reserve_chains.{chain}"),
                    ConfigProblem::Reserves(format!(
                        "unknown chain `{chain}`: format 1 knows `bitcoin` and `ethereum`"
                    )),
                ));
            }
        }
        if !file.reserve_chains.is_empty() && snapshot_time.is_none() {
            return Err(invalid(
                "snapshot.time",
                ConfigProblem::Reserves(
                    "`[reserve_chains]` needs `snapshot.time` (RFC 3339, UTC)".into(),
                ),
            ));
        }
        let threshold = parse_decimal(&file.snapshot.liquidation_threshold, RATE_DECIMALS)
            .map_err(|e| invalid("snapshot.liquidation_threshold", e))?;
        let threshold_ppm = bounded_u64(&threshold, THRESHOLD_BITS).ok_or_else(|| {
            invalid(
                "snapshot.liquidation_threshold",
                ConfigProblem::OutOfRange("must be at least 0 and below 4294.967296".into()),
            )
        })?;
        if file.assets.is_empty() || file.assets.len() > MAX_ASSETS {
            return Err(invalid(
                "assets",
                ConfigProblem::OutOfRange(format!(
                    "between 1 and {MAX_ASSETS} assets are required"
                )),
            ));
        }
        if file.markets.len() > MAX_MARKETS {
            return Err(invalid(
                "markets",
                ConfigProblem::OutOfRange(format!("at most {MAX_MARKETS} markets are allowed")),
            ));
        }
        let mut seen = BTreeMap::new();
        let mut assets = Vec::with_capacity(file.assets.len());
        for (i, a) in file.assets.iter().enumerate() {
            let at = format!("assets[{i}]");
            check_symbol(&a.symbol, &format!("{at}.symbol"), &mut seen)?;
            let decimals = check_decimals(a.decimals, &format!("{at}.decimals"))?;
            let price = parse_price(&a.price, decimals, &format!("{at}.price"))?;
            let haircut =
                parse_table(&a.haircut, TierTableKind::Haircut, &format!("{at}.haircut"))?;
            let maintenance = parse_table(
                &a.maintenance,
                TierTableKind::Maintenance,
                &format!("{at}.maintenance"),
            )?;
            let reserve_locations =
                parse_locations(&a.reserve_locations, &file.reserve_chains, &at)?;
            assets.push(AssetParams {
                symbol: a.symbol.clone(),
                decimals,
                price,
                haircut,
                maintenance,
                reserve_locations,
            });
        }
        let mut markets = Vec::with_capacity(file.markets.len());
        for (i, m) in file.markets.iter().enumerate() {
            let at = format!("markets[{i}]");
            check_symbol(&m.symbol, &format!("{at}.symbol"), &mut seen)?;
            let decimals = check_decimals(m.decimals, &format!("{at}.decimals"))?;
            let mark_price = parse_price(&m.mark_price, decimals, &format!("{at}.mark_price"))?;
            let maintenance = parse_table(
                &m.maintenance,
                TierTableKind::Maintenance,
                &format!("{at}.maintenance"),
            )?;
            markets.push(MarketParams {
                symbol: m.symbol.clone(),
                decimals,
                mark_price,
                maintenance,
            });
        }
        let mut reserves = vec![None; assets.len()];
        for (symbol, text) in &file.reserves {
            let field = format!("reserves.{symbol}");
            let index = assets
                .iter()
                .position(|a| &a.symbol == symbol)
                .ok_or_else(|| {
                    invalid(
                        &field,
                        ConfigProblem::BadSymbol(format!("`{symbol}` is not an asset")),
                    )
                })?;
            let atoms =
                parse_decimal(text, assets[index].decimals).map_err(|e| invalid(&field, e))?;
            if atoms.is_negative() || atoms.bits() > 128 {
                return Err(invalid(
                    &field,
                    ConfigProblem::OutOfRange(
                        "reserves must be at least 0 and below 2^128 atoms".into(),
                    ),
                ));
            }
            reserves[index] = Some(atoms);
        }
        let scenarios = parse_scenarios(&file.scenarios, &assets, &markets)?;
        let distribution = file
            .distribution
            .as_ref()
            .map(parse_distribution)
            .transpose()?;
        let portfolio_margin = file
            .portfolio_margin
            .as_ref()
            .map(|p| portfolio::parse_portfolio(p, &assets, &markets))
            .transpose()?;
        Ok(RiskParams {
            portfolio_margin,
            snapshot_id: file.snapshot.id.clone(),
            venue: file.snapshot.venue.clone(),
            threshold_ppm,
            assets,
            markets,
            reserves,
            scenarios,
            distribution,
            snapshot_time,
            reserve_chains: file.reserve_chains.clone(),
            file: file.clone(),
        })
    }

    /// The base prices.
    pub fn base_prices(&self) -> PriceVector {
        PriceVector {
            assets: self.assets.iter().map(|a| a.price).collect(),
            markets: self.markets.iter().map(|m| m.mark_price).collect(),
        }
    }

    /// Number of margin-ratio buckets: one more than the edges (0 without a distribution).
    pub fn distribution_buckets(&self) -> usize {
        self.distribution
            .as_ref()
            .map_or(0, |d| d.edges_ppm.len() + 1)
    }

    /// A digest of every public parameter (snapshot, venue, threshold, assets, markets, tiers,
    /// reserves, scenarios, edges), bound into every proof through the statement tag.
    pub fn digest(&self) -> [u8; 64] {
        let mut h = FramedDigest::new(b"marginproof/config/v1");
        h.put(self.snapshot_id.as_bytes());
        h.put(self.venue.as_bytes());
        h.put(&self.threshold_ppm.to_le_bytes());
        h.put(&(self.assets.len() as u64).to_le_bytes());
        for a in &self.assets {
            h.put(a.symbol.as_bytes());
            h.put(&a.decimals.to_le_bytes());
            h.put(&a.price.to_le_bytes());
            h.put_table(&a.haircut);
            h.put_table(&a.maintenance);
        }
        h.put(&(self.markets.len() as u64).to_le_bytes());
        for m in &self.markets {
            h.put(m.symbol.as_bytes());
            h.put(&m.decimals.to_le_bytes());
            h.put(&m.mark_price.to_le_bytes());
            h.put_table(&m.maintenance);
        }
        for r in &self.reserves {
            match r {
                Some(v) => h.put(&v.to_signed_bytes_le()),
                None => h.put(b"none"),
            }
        }
        h.put_stress(self);
        if let Some(d) = &self.distribution {
            for e in &d.edges_ppm {
                h.put(&e.to_le_bytes());
            }
        }
        for s in &self.scenarios {
            h.put(s.name.as_bytes());
            for price in s.prices.assets.iter().chain(&s.prices.markets) {
                h.put(&price.to_le_bytes());
            }
        }
        // SPEC §13, after everything else (whose part count the counts above fix): absent from
        // a configuration without reserves evidence, so its digest is unchanged.
        let locations: usize = self.assets.iter().map(|a| a.reserve_locations.len()).sum();
        if self.snapshot_time.is_some() || !self.reserve_chains.is_empty() || locations > 0 {
            h.put(b"reserves evidence v1");
            match self.snapshot_time {
                Some(t) => h.put(&t.to_le_bytes()),
                None => h.put(b"no time"),
            }
            h.put(&(self.reserve_chains.len() as u64).to_le_bytes());
            for (chain, block) in &self.reserve_chains {
                h.put(chain.as_bytes());
                h.put(&block.to_le_bytes());
            }
            for a in &self.assets {
                h.put(&(a.reserve_locations.len() as u64).to_le_bytes());
                for l in &a.reserve_locations {
                    h.put(l.chain.as_bytes());
                    match &l.token {
                        Some(token) => h.put(token),
                        None => h.put(b"native"),
                    }
                    h.put(&l.decimals.to_le_bytes());
                }
            }
        }
        // SPEC §12, last: absent from a configuration without portfolio margin.
        if let Some(p) = &self.portfolio_margin {
            h.put(b"portfolio margin v1");
            h.put(&p.floor_ppm.to_le_bytes());
            h.put(&(p.shocks.len() as u64).to_le_bytes());
            for s in &p.shocks {
                h.put(s.name.as_bytes());
                for m in s.moves.assets.iter().chain(&s.moves.markets) {
                    h.put(&m.to_le_bytes());
                }
            }
        }
        h.finish()
    }

    /// A digest of what fixes the batch circuit of this configuration, and so its keys: the
    /// threshold, how many assets and markets, every tier table, how many scenarios, edges and
    /// portfolio-margin shocks.
    /// Prices (base and scenario), edges, symbols, decimals, scenario names, reserves, the
    /// snapshot id and the venue are left out: prices and edges are public inputs, the rest
    /// never enters the circuit (the statement tag binds all of them, [`Self::digest`]). Two
    /// snapshots with the same shape digest share verifying and proving keys.
    pub fn shape_digest(&self) -> [u8; 64] {
        let mut h = FramedDigest::new(b"marginproof/config-shape/v1");
        h.put(&self.threshold_ppm.to_le_bytes());
        h.put(&(self.assets.len() as u64).to_le_bytes());
        for a in &self.assets {
            h.put_table(&a.haircut);
            h.put_table(&a.maintenance);
        }
        h.put(&(self.markets.len() as u64).to_le_bytes());
        for m in &self.markets {
            h.put_table(&m.maintenance);
        }
        h.put_stress(self);
        // The number of shocks fixes the portfolio-margin blocks; the moves and the floor rate
        // are public inputs.
        if let Some(p) = &self.portfolio_margin {
            h.put(b"portfolio margin shocks");
            h.put(&(p.shocks.len() as u64).to_le_bytes());
        }
        h.finish()
    }

    /// The number of portfolio-margin shocks (0 without `[portfolio_margin]`).
    pub fn shock_count(&self) -> usize {
        self.portfolio_margin.as_ref().map_or(0, |p| p.shocks.len())
    }

    /// Index of an asset by symbol.
    pub fn asset_index(&self, symbol: &str) -> Option<usize> {
        self.assets.iter().position(|a| a.symbol == symbol)
    }

    /// Index of a market by symbol.
    pub fn market_index(&self, symbol: &str) -> Option<usize> {
        self.markets.iter().position(|m| m.symbol == symbol)
    }
}

/// BLAKE2b-512 over length-prefixed parts (each part's length as 8 little-endian bytes, then
/// the part), so that no two sequences of parts collide; the first part is the domain tag.
struct FramedDigest(Blake2b512);

impl FramedDigest {
    fn new(tag: &[u8]) -> Self {
        let mut h = FramedDigest(Blake2b512::new());
        h.put(tag);
        h
    }

    fn put(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// A tier table: its tier count, then each tier's lower bound, width and rate.
    fn put_table(&mut self, t: &TierTable) {
        self.put(&(t.tiers().len() as u64).to_le_bytes());
        for tier in t.tiers() {
            self.put(&tier.lower.to_le_bytes());
            self.put(&tier.max_offset.to_le_bytes());
            self.put(&tier.rate.to_le_bytes());
        }
    }

    /// What scenarios and the distribution add to the circuit's shape: how many scenarios and how
    /// many edges. Scenario prices and edges are public inputs (rows of the instrument table's
    /// instance column, [`crate::chips::instruments`]), so a configuration with other scenario
    /// prices or other edges, of the same counts, keeps the keys.
    fn put_stress(&mut self, params: &RiskParams) {
        self.put(&(params.scenarios.len() as u64).to_le_bytes());
        match &params.distribution {
            Some(d) => self.put(&(d.edges_ppm.len() as u64).to_le_bytes()),
            None => self.put(b"no distribution"),
        }
    }

    fn finish(self) -> [u8; 64] {
        self.0.finalize().into()
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 in UTC, whole seconds) as seconds since the Unix epoch.
pub fn parse_utc_time(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not an RFC 3339 UTC time of the form 2026-11-21T00:00:00Z");
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = &b[range];
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        Ok(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1970 || day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    // Days from 1970-01-01 to the first of the month (civil calendar, proleptic Gregorian).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// An asset's `reserve_locations`: each on a chain of `[reserve_chains]`, at most one per chain,
/// a token only on Ethereum.
fn parse_locations(
    sections: &[ReserveLocationSection],
    chains: &BTreeMap<String, u64>,
    asset_at: &str,
) -> Result<Vec<ReserveLocation>, ConfigError> {
    let mut out: Vec<ReserveLocation> = Vec::with_capacity(sections.len());
    for (j, section) in sections.iter().enumerate() {
        let at = format!("{asset_at}.reserve_locations[{j}]");
        let chain = &section.chain;
        if !chains.contains_key(chain) {
            return Err(invalid(
                format!("{at}.chain"),
                ConfigProblem::Reserves(format!(
                    "chain `{chain}` has no block in `[reserve_chains]`"
                )),
            ));
        }
        if out.iter().any(|l| &l.chain == chain) {
            return Err(invalid(
                format!("{at}.chain"),
                ConfigProblem::Reserves(format!(
                    "a second location on `{chain}`: an asset has at most one location per chain"
                )),
            ));
        }
        let token = match &section.token {
            None => None,
            Some(text) if chain == "ethereum" => Some(parse_token(text).ok_or_else(|| {
                invalid(
                    format!("{at}.token"),
                    ConfigProblem::Reserves(format!(
                        "`{text}` is not a contract address (`0x` and 40 hex digits)"
                    )),
                )
            })?),
            Some(_) => {
                return Err(invalid(
                    format!("{at}.token"),
                    ConfigProblem::Reserves(format!("chain `{chain}` has no tokens")),
                ))
            }
        };
        let native = if chain == "ethereum" { 18 } else { 8 };
        let decimals = match (token, section.decimals) {
            (Some(_), None) => {
                return Err(invalid(
                    &at,
                    ConfigProblem::Reserves("a token location needs `decimals`".into()),
                ))
            }
            (Some(_), Some(d)) if d > MAX_LOCATION_DECIMALS => {
                return Err(invalid(
                    format!("{at}.decimals"),
                    ConfigProblem::OutOfRange(format!(
                        "decimals must be 0..={MAX_LOCATION_DECIMALS}, got {d}"
                    )),
                ))
            }
            (Some(_), Some(d)) => d,
            (None, Some(d)) if d != native => {
                return Err(invalid(
                    format!("{at}.decimals"),
                    ConfigProblem::Reserves(format!(
                        "the native coin of `{chain}` has {native} decimals, not {d}"
                    )),
                ))
            }
            (None, _) => native,
        };
        out.push(ReserveLocation {
            chain: chain.clone(),
            token,
            decimals,
        });
    }
    Ok(out)
}

/// `0x` and 40 hex digits (either case) as 20 bytes.
fn parse_token(text: &str) -> Option<[u8; 20]> {
    let digits = text.strip_prefix("0x")?;
    if digits.len() != 40 {
        return None;
    }
    let mut out = [0u8; 20];
    hex::decode_to_slice(digits, &mut out).ok()?;
    Some(out)
}

fn bounded_u64(v: &BigInt, bits: usize) -> Option<u64> {
    if v.is_negative() || v.bits() > bits as u64 {
        None
    } else {
        v.to_u64()
    }
}

fn check_symbol(
    symbol: &str,
    field: &str,
    seen: &mut BTreeMap<String, ()>,
) -> Result<(), ConfigError> {
    let ok = !symbol.is_empty()
        && symbol.len() <= 32
        && symbol
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !ok {
        return Err(invalid(
            field,
            ConfigProblem::BadSymbol(format!(
                "`{symbol}`: symbols are 1 to 32 characters of A-Z, a-z, 0-9, `-` and `.`"
            )),
        ));
    }
    if seen.insert(symbol.to_string(), ()).is_some() {
        return Err(invalid(
            field,
            ConfigProblem::BadSymbol(format!("`{symbol}` is used twice")),
        ));
    }
    Ok(())
}

fn check_decimals(decimals: u32, field: &str) -> Result<u32, ConfigError> {
    if decimals > VALUE_DECIMALS {
        return Err(invalid(
            field,
            ConfigProblem::OutOfRange(format!("decimals must be 0..=18, got {decimals}")),
        ));
    }
    Ok(decimals)
}

/// A price in USD per unit, as ν per atom: `USD · 10^(18 − decimals)`, an integer in (0, 2^64).
fn parse_price(text: &str, decimals: u32, field: &str) -> Result<u64, ConfigError> {
    let scaled = match parse_decimal(text, VALUE_DECIMALS - decimals) {
        Ok(v) => v,
        Err(DecimalError::TooManyDecimals { .. }) => {
            return Err(invalid(
                field,
                ConfigProblem::PriceNotRepresentable(text.to_string()),
            ))
        }
        Err(e) => return Err(invalid(field, e)),
    };
    if scaled.is_zero() || scaled.is_negative() || scaled.bits() > 64 {
        return Err(invalid(
            field,
            ConfigProblem::OutOfRange(format!(
                "price `{text}` must be above 0 and below 2^64 in 10^-18 USD per atom"
            )),
        ));
    }
    scaled
        .to_u64()
        .ok_or_else(|| invalid(field, ConfigProblem::OutOfRange("price too large".into())))
}

/// The `[[scenarios]]`: names, then each named price with its instrument's decimals.
fn parse_scenarios(
    sections: &[ScenarioSection],
    assets: &[AssetParams],
    markets: &[MarketParams],
) -> Result<Vec<ScenarioParams>, ConfigError> {
    if sections.len() > MAX_SCENARIOS {
        return Err(invalid(
            "scenarios",
            ConfigProblem::OutOfRange(format!("at most {MAX_SCENARIOS} scenarios are allowed")),
        ));
    }
    let mut names = BTreeMap::new();
    let mut out = Vec::with_capacity(sections.len());
    for (i, section) in sections.iter().enumerate() {
        let at = format!("scenarios[{i}]");
        let name = &section.name;
        let well_formed = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed {
            return Err(invalid(
                format!("{at}.name"),
                ConfigProblem::BadSymbol(format!(
                    "`{name}`: scenario names are 1 to 32 characters of a-z, 0-9 and `-`"
                )),
            ));
        }
        if let Some(first) = names.insert(name.clone(), i) {
            return Err(invalid(
                format!("{at}.name"),
                ConfigProblem::BadSymbol(format!(
                    "`{name}` is already the name of scenarios[{first}]"
                )),
            ));
        }
        let mut prices = PriceVector {
            assets: assets.iter().map(|a| a.price).collect(),
            markets: markets.iter().map(|m| m.mark_price).collect(),
        };
        for (symbol, text) in &section.prices {
            let field = format!("{at}.prices.{symbol}");
            if let Some(a) = assets.iter().position(|a| &a.symbol == symbol) {
                prices.assets[a] = parse_price(text, assets[a].decimals, &field)?;
            } else if let Some(m) = markets.iter().position(|m| &m.symbol == symbol) {
                prices.markets[m] = parse_price(text, markets[m].decimals, &field)?;
            } else {
                return Err(invalid(
                    field,
                    ConfigProblem::BadSymbol(format!("`{symbol}` is not an asset or a market")),
                ));
            }
        }
        out.push(ScenarioParams {
            name: name.clone(),
            prices,
        });
    }
    Ok(out)
}

/// The `[distribution]` edges: exact ratios in ppm, strictly increasing, below 2^32 ppm.
fn parse_distribution(section: &DistributionSection) -> Result<DistributionParams, ConfigError> {
    let edges = &section.margin_ratio_edges;
    if edges.is_empty() || edges.len() > MAX_EDGES {
        return Err(invalid(
            "distribution.margin_ratio_edges",
            ConfigProblem::OutOfRange(format!("between 1 and {MAX_EDGES} edges are required")),
        ));
    }
    let mut edges_ppm: Vec<u64> = Vec::with_capacity(edges.len());
    for (i, text) in edges.iter().enumerate() {
        let field = format!("distribution.margin_ratio_edges[{i}]");
        let ppm = parse_decimal(text, RATE_DECIMALS).map_err(|e| invalid(&field, e))?;
        let ppm = bounded_u64(&ppm, THRESHOLD_BITS).ok_or_else(|| {
            invalid(
                &field,
                ConfigProblem::OutOfRange(format!(
                    "edge `{text}` must be at least 0 and below 4294.967296"
                )),
            )
        })?;
        if let Some(&previous) = edges_ppm.last() {
            if ppm <= previous {
                return Err(invalid(
                    &field,
                    ConfigProblem::OutOfRange(format!(
                        "edges must strictly increase: `{text}` is not above `{}`",
                        edges[i - 1]
                    )),
                ));
            }
        }
        edges_ppm.push(ppm);
    }
    Ok(DistributionParams { edges_ppm })
}

fn parse_table(
    specs: &[TierSpec],
    kind: TierTableKind,
    field: &str,
) -> Result<TierTable, ConfigError> {
    if specs.is_empty() || specs.len() > MAX_TIERS {
        return Err(invalid(
            field,
            ConfigProblem::BadTierShape(format!("a tier table has 1 to {MAX_TIERS} tiers")),
        ));
    }
    let mut boundaries = Vec::with_capacity(specs.len() - 1);
    let mut rates = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let last = i + 1 == specs.len();
        match (&spec.up_to, last) {
            (Some(_), true) => {
                return Err(invalid(
                    format!("{at}.up_to"),
                    ConfigProblem::BadTierShape(
                        "the last tier is unbounded: remove `up_to`".into(),
                    ),
                ))
            }
            (None, false) => {
                return Err(invalid(
                    format!("{at}.up_to"),
                    ConfigProblem::BadTierShape("every tier but the last needs `up_to`".into()),
                ))
            }
            (Some(text), false) => {
                let nu = parse_decimal(text, VALUE_DECIMALS)
                    .map_err(|e| invalid(format!("{at}.up_to"), e))?;
                let previous = boundaries.last().copied().unwrap_or(0u128);
                if nu.is_negative() || nu.bits() > VALUE_BITS as u64 - 1 {
                    return Err(invalid(
                        format!("{at}.up_to"),
                        ConfigProblem::OutOfRange("tier boundaries must be below 2^127 ν".into()),
                    ));
                }
                let nu = nu.to_u128().unwrap_or(u128::MAX);
                if nu <= previous {
                    return Err(invalid(
                        format!("{at}.up_to"),
                        ConfigProblem::BadTierShape(
                            "tier boundaries must strictly increase from 0".into(),
                        ),
                    ));
                }
                boundaries.push(nu);
            }
            (None, true) => {}
        }
        let rate = parse_decimal(&spec.rate, RATE_DECIMALS)
            .map_err(|e| invalid(format!("{at}.rate"), e))?;
        let rate = bounded_u64(&rate, 20)
            .filter(|r| *r <= RATE_SCALE)
            .ok_or_else(|| {
                invalid(
                    format!("{at}.rate"),
                    ConfigProblem::OutOfRange("rates are between 0 and 1".into()),
                )
            })?;
        if let Some(&previous) = rates.last() {
            match kind {
                TierTableKind::Haircut if rate > previous => {
                    return Err(invalid(
                        format!("{at}.rate"),
                        ConfigProblem::HaircutIncreasing {
                            tier: i,
                            previous: i - 1,
                        },
                    ))
                }
                TierTableKind::Maintenance if rate < previous => {
                    return Err(invalid(
                        format!("{at}.rate"),
                        ConfigProblem::MaintenanceDecreasing {
                            tier: i,
                            previous: i - 1,
                        },
                    ))
                }
                _ => {}
            }
        }
        rates.push(rate);
    }
    Ok(TierTable::new(
        &boundaries,
        &rates.iter().map(|r| *r as u32).collect::<Vec<_>>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(up_to: Option<&str>, rate: &str) -> TierSpec {
        TierSpec {
            up_to: up_to.map(str::to_string),
            rate: rate.into(),
        }
    }

    fn file() -> RiskConfigFile {
        RiskConfigFile {
            reserve_chains: Default::default(),
            portfolio_margin: None,
            snapshot: SnapshotSection {
                time: None,
                id: "shape".into(),
                venue: "Shape Venue".into(),
                liquidation_threshold: "1.00".into(),
            },
            assets: vec![AssetSection {
                reserve_locations: Vec::new(),
                symbol: "BTC".into(),
                decimals: 8,
                price: "50000".into(),
                haircut: vec![tier(Some("100000"), "1.00"), tier(None, "0.90")],
                maintenance: vec![tier(None, "0.05")],
            }],
            markets: vec![MarketSection {
                symbol: "BTC-PERP".into(),
                decimals: 4,
                mark_price: "50000".into(),
                maintenance: vec![tier(None, "0.01")],
            }],
            reserves: BTreeMap::new(),
            scenarios: Vec::new(),
            distribution: None,
        }
    }

    /// A change to the configuration file.
    type Edit = Box<dyn FnOnce(&mut RiskConfigFile)>;

    fn shape(edit: impl FnOnce(&mut RiskConfigFile)) -> [u8; 64] {
        let mut f = file();
        edit(&mut f);
        RiskParams::from_file(&f).expect("valid").shape_digest()
    }

    /// The shape digest names the keys: everything the circuit's fixed columns and tables hold
    /// changes it, nothing else does (two configurations must never share a key wrongly).
    #[test]
    fn shape_digest_covers_exactly_what_the_circuit_fixes() {
        let base = shape(|_| {});
        let same: [(&str, Edit); 7] = [
            ("price", Box::new(|f| f.assets[0].price = "61000.5".into())),
            (
                "mark price",
                Box::new(|f| f.markets[0].mark_price = "1".into()),
            ),
            ("symbol", Box::new(|f| f.assets[0].symbol = "XBT".into())),
            ("decimals", Box::new(|f| f.assets[0].decimals = 6)),
            ("snapshot id", Box::new(|f| f.snapshot.id = "other".into())),
            ("venue", Box::new(|f| f.snapshot.venue = "Other".into())),
            (
                "reserves",
                Box::new(|f| {
                    f.reserves.insert("BTC".into(), "12.5".into());
                }),
            ),
        ];
        for (what, edit) in same {
            assert_eq!(shape(edit), base, "{what} changed the shape digest");
        }
        let other: [(&str, Edit); 7] = [
            (
                "threshold",
                Box::new(|f| f.snapshot.liquidation_threshold = "1.10".into()),
            ),
            (
                "haircut rate",
                Box::new(|f| f.assets[0].haircut[1].rate = "0.80".into()),
            ),
            (
                "haircut boundary",
                Box::new(|f| f.assets[0].haircut[0].up_to = Some("200000".into())),
            ),
            (
                "asset maintenance",
                Box::new(|f| f.assets[0].maintenance[0].rate = "0.06".into()),
            ),
            (
                "market maintenance",
                Box::new(|f| f.markets[0].maintenance[0].rate = "0.02".into()),
            ),
            ("no market", Box::new(|f| f.markets.clear())),
            (
                "another asset",
                Box::new(|f| {
                    let mut second = f.assets[0].clone();
                    second.symbol = "ETH".into();
                    f.assets.push(second);
                }),
            ),
        ];
        for (what, edit) in other {
            assert_ne!(shape(edit), base, "{what} left the shape digest unchanged");
        }
        // The full digest, which the statement tag binds, does change with the price.
        let mut repriced = file();
        repriced.assets[0].price = "61000.5".into();
        assert_ne!(
            RiskParams::from_file(&repriced).expect("valid").digest(),
            RiskParams::from_file(&file()).expect("valid").digest()
        );
    }

    fn stressed() -> RiskConfigFile {
        let mut f = file();
        f.scenarios = vec![ScenarioSection {
            name: "crash-30".into(),
            prices: BTreeMap::from([("BTC".to_string(), "35000".to_string())]),
        }];
        f.distribution = Some(DistributionSection {
            margin_ratio_edges: vec!["1.0".into(), "2".into()],
        });
        f
    }

    fn digests(edit: impl FnOnce(&mut RiskConfigFile)) -> ([u8; 64], [u8; 64]) {
        let mut f = stressed();
        edit(&mut f);
        let params = RiskParams::from_file(&f).expect("valid");
        (params.shape_digest(), params.digest())
    }

    /// Scenario prices and edges are public inputs: a configuration that changes them (same
    /// counts) keeps the shape digest, so the keys, but not the full digest, so not the tag; a
    /// scenario or an edge more or less changes both.
    #[test]
    fn shape_digest_counts_scenarios_and_edges_but_not_their_values() {
        let (shape, full) = digests(|_| {});
        let same: [(&str, Edit); 3] = [
            (
                "scenario price",
                Box::new(|f| {
                    f.scenarios[0].prices.insert("BTC".into(), "20000".into());
                }),
            ),
            (
                "scenario name",
                Box::new(|f| f.scenarios[0].name = "crash-60".into()),
            ),
            (
                "edges",
                Box::new(|f| {
                    f.distribution = Some(DistributionSection {
                        margin_ratio_edges: vec!["1.1".into(), "1.5".into()],
                    })
                }),
            ),
        ];
        for (what, edit) in same {
            let (s, d) = digests(edit);
            assert_eq!(s, shape, "{what} changed the shape digest");
            assert_ne!(d, full, "{what} left the full digest unchanged");
        }
        let other: [(&str, Edit); 4] = [
            (
                "another scenario",
                Box::new(|f| {
                    let mut second = f.scenarios[0].clone();
                    second.name = "btc-50".into();
                    f.scenarios.push(second);
                }),
            ),
            ("no scenario", Box::new(|f| f.scenarios.clear())),
            (
                "another edge",
                Box::new(|f| {
                    if let Some(d) = &mut f.distribution {
                        d.margin_ratio_edges.push("5".into());
                    }
                }),
            ),
            ("no distribution", Box::new(|f| f.distribution = None)),
        ];
        for (what, edit) in other {
            let (s, d) = digests(edit);
            assert_ne!(s, shape, "{what} left the shape digest unchanged");
            assert_ne!(d, full, "{what} left the full digest unchanged");
        }
    }
}
