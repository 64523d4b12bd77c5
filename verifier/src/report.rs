//! The auditor's report (SPEC §4, §6) from verified totals: every total as an exact decimal string
//! in its natural unit, as JSON (`verify --json`) and as a readable table.
//!
//! Units: asset quantities are atoms, shown in units of the asset (`format_decimal(x, decimals)`);
//! market sizes are size atoms, shown in units of the market; values are ν = 10⁻¹⁸ USD (scale 18);
//! the shortfall is ν·ppm² = 10⁻³⁰ USD (scale 30). Nothing is rounded.

use marginproof_circuits::config::RiskParams;
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::model::totals::Totals;
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// Scale of values in ν (10⁻¹⁸ USD).
const NU_DECIMALS: u32 = 18;
/// Scale of the shortfall, in ν·ppm² (10⁻³⁰ USD).
const NU_PPM2_DECIMALS: u32 = 30;
/// Scale of a rate or threshold in ppm.
const PPM_DECIMALS: u32 = 6;

/// One asset's line of the report, in units of the asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetReport {
    /// Ticker.
    pub symbol: String,
    /// Σ balance.
    pub balance: String,
    /// Σ debt.
    pub debt: String,
    /// Σ balance − Σ debt: what the venue owes its users net of what they owe it.
    pub net: String,
    /// The reserves the configuration declares for this asset, if any.
    pub reserves: Option<String>,
    /// `reserves − (Σ balance − Σ debt)`, where reserves are declared: negative means the venue
    /// holds less of the asset than its users' net claims.
    pub reserves_minus_net: Option<String>,
}

/// One market's line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketReport {
    /// Ticker.
    pub symbol: String,
    /// Σ s (units of the market, signed).
    pub net_size: String,
    /// Σ |s| (units of the market).
    pub open_interest: String,
    /// Σ U (USD, signed).
    pub pnl_usd: String,
}

/// One stress scenario's line of the report (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioReport {
    /// The scenario's name.
    pub name: String,
    /// Accounts liquidatable under it.
    pub liquidatable: BigInt,
    /// Accounts bankrupt under it.
    pub bankrupt: BigInt,
    /// Σ max(E^s, 0), USD.
    pub equity_usd: String,
    /// Σ max(−E^s, 0), USD.
    pub bad_debt_usd: String,
    /// Σ max(0, θ·MR^s − AE^s·RS), USD.
    pub shortfall_usd: String,
}

/// One bucket of the margin-ratio distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketReport {
    /// Its lower edge as configured (`None` for the first bucket).
    pub from: Option<String>,
    /// Its upper edge as configured (`None` for the last bucket).
    pub below: Option<String>,
    /// Accounts in it.
    pub accounts: BigInt,
}

/// The margin-ratio distribution (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionReport {
    /// Accounts with MR = 0.
    pub no_requirement: BigInt,
    /// The buckets, lowest first.
    pub buckets: Vec<BucketReport>,
}

/// The configured portfolio-margin grid in the auditor's report (SPEC §12): no per-shock total
/// is published, nothing per account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioGridReport {
    /// φ as a rate (exact decimal).
    pub floor_rate: String,
    /// Each shock, in configuration order.
    pub shocks: Vec<ShockReport>,
    /// The instruments no shock moves, by symbol (charged only the floor).
    pub unmoved: Vec<String>,
}

/// One shock of the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShockReport {
    /// Its name.
    pub name: String,
    /// Each instrument it moves, by symbol, with its relative move (exact decimal, `-0.2`).
    pub moves: Vec<(String, String)>,
}

impl PortfolioGridReport {
    /// The grid of `params`, if configured.
    pub fn of(params: &RiskParams) -> Option<Self> {
        let grid = params.portfolio_margin.as_ref()?;
        let symbols: Vec<&str> = params
            .assets
            .iter()
            .map(|a| a.symbol.as_str())
            .chain(params.markets.iter().map(|m| m.symbol.as_str()))
            .collect();
        let (assets, markets) = grid.unmoved();
        let unmoved = assets
            .into_iter()
            .chain(markets.into_iter().map(|m| params.assets.len() + m))
            .filter_map(|i| symbols.get(i).map(|s| s.to_string()))
            .collect();
        Some(PortfolioGridReport {
            floor_rate: format_decimal(&BigInt::from(grid.floor_ppm), PPM_DECIMALS),
            shocks: grid
                .shocks
                .iter()
                .map(|s| ShockReport {
                    name: s.name.clone(),
                    moves: s
                        .moves
                        .assets
                        .iter()
                        .chain(&s.moves.markets)
                        .zip(&symbols)
                        .filter(|(m, _)| **m != 0)
                        .map(|(m, sym)| {
                            (
                                sym.to_string(),
                                format_decimal(&BigInt::from(*m), PPM_DECIMALS),
                            )
                        })
                        .collect(),
                })
                .collect(),
            unmoved,
        })
    }
}

/// The auditor's report from verified totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsReport {
    /// The venue's display name.
    pub venue: String,
    /// The snapshot.
    pub snapshot_id: String,
    /// The liquidation threshold θ as a margin ratio (exact decimal).
    pub liquidation_threshold: String,
    /// Number of accounts (padding excluded).
    pub accounts: BigInt,
    /// Number of liquidatable accounts.
    pub liquidatable: BigInt,
    /// Number of bankrupt accounts.
    pub bankrupt: BigInt,
    /// Number of portfolio-margin units (SPEC §12); the others are judged by the standard model.
    pub portfolio_margin_units: BigInt,
    /// The configured portfolio-margin grid, if any (SPEC §12).
    pub portfolio_margin: Option<PortfolioGridReport>,
    /// Σ max(E, 0) in USD: the equity the venue owes its users.
    pub equity_usd: String,
    /// Σ max(−E, 0) in USD: bad debt.
    pub bad_debt_usd: String,
    /// Σ max(0, θ·MR − AE·RS) in USD (the ν·ppm² total read at scale 30): how far the book is
    /// below the threshold, summed over the accounts that are.
    pub shortfall_usd: String,
    /// `Σ_a reserves_a · p_a − Σ max(E, 0)` in USD, summed only over the assets whose reserves the
    /// configuration declares; `None` when it declares none. Positive: the declared reserves, at
    /// the configuration's prices, cover the equity owed to users.
    pub solvency_margin_usd: Option<String>,
    /// Per asset, in configuration order.
    pub assets: Vec<AssetReport>,
    /// Per market, in configuration order.
    pub markets: Vec<MarketReport>,
    /// Per stress scenario, in configuration order.
    pub scenarios: Vec<ScenarioReport>,
    /// The margin-ratio distribution, if configured.
    pub distribution: Option<DistributionReport>,
}

impl TotalsReport {
    /// Each bucket of the distribution with a label (`below 1.0`, `1.0 to 1.1`, `5 and above`)
    /// and its count; empty without a distribution.
    pub fn buckets_labelled(&self) -> Vec<(String, BigInt)> {
        let Some(d) = &self.distribution else {
            return Vec::new();
        };
        d.buckets
            .iter()
            .map(|b| {
                let label = match (&b.from, &b.below) {
                    (None, Some(below)) => format!("below {below}"),
                    (Some(from), Some(below)) => format!("{from} to {below}"),
                    (Some(from), None) => format!("{from} and above"),
                    (None, None) => "all".to_string(),
                };
                (label, b.accounts.clone())
            })
            .collect()
    }
}

/// Builds the report for `totals` under `params`.
///
/// `totals` has the configuration's shape (as [`marginproof_circuits::statement::TotalsFile::to_totals`]
/// returns it); should it not, assets and markets are paired in order and the surplus of either
/// is left out.
pub fn totals_report(params: &RiskParams, totals: &Totals) -> TotalsReport {
    let nu = |x: &BigInt| format_decimal(x, NU_DECIMALS);
    let mut reserves_value: Option<BigInt> = None;
    let assets = params
        .assets
        .iter()
        .zip(&totals.assets)
        .enumerate()
        .map(|(i, (a, t))| {
            let net = &t.balance - &t.debt;
            let reserves = params.reserves.get(i).and_then(Option::as_ref);
            if let Some(r) = reserves {
                *reserves_value.get_or_insert_with(BigInt::zero) += r * BigInt::from(a.price);
            }
            AssetReport {
                symbol: a.symbol.clone(),
                balance: format_decimal(&t.balance, a.decimals),
                debt: format_decimal(&t.debt, a.decimals),
                net: format_decimal(&net, a.decimals),
                reserves: reserves.map(|r| format_decimal(r, a.decimals)),
                reserves_minus_net: reserves.map(|r| format_decimal(&(r - &net), a.decimals)),
            }
        })
        .collect();
    let markets = params
        .markets
        .iter()
        .zip(&totals.markets)
        .map(|(m, t)| MarketReport {
            symbol: m.symbol.clone(),
            net_size: format_decimal(&t.net_size, m.decimals),
            open_interest: format_decimal(&t.open_interest, m.decimals),
            pnl_usd: nu(&t.pnl),
        })
        .collect();
    TotalsReport {
        venue: params.venue.clone(),
        snapshot_id: params.snapshot_id.clone(),
        liquidation_threshold: format_decimal(&BigInt::from(params.threshold_ppm), PPM_DECIMALS),
        accounts: totals.accounts.clone(),
        liquidatable: totals.liquidatable.clone(),
        bankrupt: totals.bankrupt.clone(),
        portfolio_margin_units: totals.portfolio_margin_units.clone(),
        portfolio_margin: PortfolioGridReport::of(params),
        equity_usd: nu(&totals.equity),
        bad_debt_usd: nu(&totals.bad_debt),
        shortfall_usd: format_decimal(&totals.shortfall, NU_PPM2_DECIMALS),
        solvency_margin_usd: reserves_value.map(|v| nu(&(v - &totals.equity))),
        assets,
        markets,
        scenarios: params
            .scenarios
            .iter()
            .zip(&totals.scenarios)
            .map(|(s, t)| ScenarioReport {
                name: s.name.clone(),
                liquidatable: t.liquidatable.clone(),
                bankrupt: t.bankrupt.clone(),
                equity_usd: nu(&t.equity),
                bad_debt_usd: nu(&t.bad_debt),
                shortfall_usd: format_decimal(&t.shortfall, NU_PPM2_DECIMALS),
            })
            .collect(),
        distribution: distribution_report(params, totals),
    }
}

/// The buckets with their edges as the configuration writes them.
fn distribution_report(params: &RiskParams, totals: &Totals) -> Option<DistributionReport> {
    let edges = &params.file.distribution.as_ref()?.margin_ratio_edges;
    let counts = totals.distribution.as_ref()?;
    let buckets = counts
        .buckets
        .iter()
        .enumerate()
        .map(|(j, accounts)| BucketReport {
            from: j.checked_sub(1).and_then(|i| edges.get(i)).cloned(),
            below: edges.get(j).cloned(),
            accounts: accounts.clone(),
        })
        .collect();
    Some(DistributionReport {
        no_requirement: counts.no_requirement.clone(),
        buckets,
    })
}

/// A count: a JSON number; a count no `u64` holds (never from verified totals, which stay below
/// 2^32 accounts) as its decimal string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Count {
    /// Fits a `u64`.
    Number(u64),
    /// Does not.
    Text(String),
}

impl From<&BigInt> for Count {
    fn from(x: &BigInt) -> Self {
        match x.to_u64() {
            Some(n) => Count::Number(n),
            None => Count::Text(x.to_string()),
        }
    }
}

/// One asset in `verify --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetJson {
    /// Σ balance, in units.
    pub balance: String,
    /// Σ debt, in units.
    pub debt: String,
    /// Declared reserves, in units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserves: Option<String>,
    /// Reserves − (Σ balance − Σ debt), in units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserves_minus_net: Option<String>,
}

/// One market in `verify --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketJson {
    /// Σ s, in units of the market.
    pub net_size: String,
    /// Σ |s|, in units of the market.
    pub open_interest: String,
    /// Σ U, in USD.
    pub pnl_usd: String,
}

/// One scenario in `verify --json` (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioJson {
    /// Liquidatable accounts under the scenario.
    pub liquidatable: Count,
    /// Bankrupt accounts under it.
    pub bankrupt: Count,
    /// Σ max(E^s, 0), USD.
    pub equity_usd: String,
    /// Σ max(−E^s, 0), USD.
    pub bad_debt_usd: String,
    /// Σ max(0, θ·MR^s − AE^s·RS), USD.
    pub shortfall_usd: String,
}

/// One bucket in `verify --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketJson {
    /// Lower edge as configured, `null` for the first bucket.
    pub from: Option<String>,
    /// Upper edge as configured, `null` for the last.
    pub below: Option<String>,
    /// Accounts in the bucket.
    pub accounts: Count,
}

/// The distribution in `verify --json` (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistributionJson {
    /// Accounts with MR = 0.
    pub no_requirement: Count,
    /// The buckets, lowest first.
    pub buckets: Vec<BucketJson>,
}

/// The totals of `verify --json` (SPEC §6): what [`TotalsReport::to_json`] serializes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalsJson {
    /// Accounts (margin units), padding excluded.
    pub accounts: Count,
    /// Liquidatable accounts.
    pub liquidatable: Count,
    /// Bankrupt accounts.
    pub bankrupt: Count,
    /// Portfolio-margin units (SPEC §12), 0 without `[portfolio_margin]`.
    pub portfolio_margin_units: Count,
    /// Σ max(E, 0), USD.
    pub equity_usd: String,
    /// Σ max(−E, 0), USD.
    pub bad_debt_usd: String,
    /// Σ max(0, θ·MR − AE·RS), USD.
    pub shortfall_usd: String,
    /// Declared reserves at the configuration's prices minus the equity owed, USD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solvency_margin_usd: Option<String>,
    /// Per asset symbol.
    pub assets: BTreeMap<String, AssetJson>,
    /// Per market symbol.
    pub markets: BTreeMap<String, MarketJson>,
    /// Per scenario name (SPEC §7), where scenarios are configured.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub scenarios: BTreeMap<String, ScenarioJson>,
    /// The margin-ratio distribution, where configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<DistributionJson>,
}

impl TotalsReport {
    /// The `verify --json` totals (SPEC §6) as a typed, serializable value: `accounts`,
    /// `liquidatable`, `bankrupt` as JSON numbers; `equity_usd`, `bad_debt_usd`, `shortfall_usd`,
    /// `solvency_margin_usd` (only when reserves are declared),
    /// `assets.<SYM>.{balance, debt, reserves, reserves_minus_net}` (the last two only for assets
    /// with declared reserves) and `markets.<SYM>.{net_size, open_interest, pnl_usd}` as exact
    /// decimal strings, nested; `scenarios.<name>.{liquidatable, bankrupt, equity_usd,
    /// bad_debt_usd, shortfall_usd}` and `distribution` (SPEC §7) where configured.
    pub fn totals_json(&self) -> TotalsJson {
        TotalsJson {
            accounts: (&self.accounts).into(),
            liquidatable: (&self.liquidatable).into(),
            bankrupt: (&self.bankrupt).into(),
            portfolio_margin_units: (&self.portfolio_margin_units).into(),
            equity_usd: self.equity_usd.clone(),
            bad_debt_usd: self.bad_debt_usd.clone(),
            shortfall_usd: self.shortfall_usd.clone(),
            solvency_margin_usd: self.solvency_margin_usd.clone(),
            assets: self
                .assets
                .iter()
                .map(|a| {
                    (
                        a.symbol.clone(),
                        AssetJson {
                            balance: a.balance.clone(),
                            debt: a.debt.clone(),
                            reserves: a.reserves.clone(),
                            reserves_minus_net: a.reserves_minus_net.clone(),
                        },
                    )
                })
                .collect(),
            markets: self
                .markets
                .iter()
                .map(|m| {
                    (
                        m.symbol.clone(),
                        MarketJson {
                            net_size: m.net_size.clone(),
                            open_interest: m.open_interest.clone(),
                            pnl_usd: m.pnl_usd.clone(),
                        },
                    )
                })
                .collect(),
            scenarios: self
                .scenarios
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        ScenarioJson {
                            liquidatable: (&s.liquidatable).into(),
                            bankrupt: (&s.bankrupt).into(),
                            equity_usd: s.equity_usd.clone(),
                            bad_debt_usd: s.bad_debt_usd.clone(),
                            shortfall_usd: s.shortfall_usd.clone(),
                        },
                    )
                })
                .collect(),
            distribution: self.distribution.as_ref().map(|d| DistributionJson {
                no_requirement: (&d.no_requirement).into(),
                buckets: d
                    .buckets
                    .iter()
                    .map(|b| BucketJson {
                        from: b.from.clone(),
                        below: b.below.clone(),
                        accounts: (&b.accounts).into(),
                    })
                    .collect(),
            }),
        }
    }

    /// [`TotalsReport::totals_json`] as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.totals_json()).unwrap_or(Value::Null)
    }
}
