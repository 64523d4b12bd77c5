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
use serde_json::{json, Map, Value};

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
        equity_usd: nu(&totals.equity),
        bad_debt_usd: nu(&totals.bad_debt),
        shortfall_usd: format_decimal(&totals.shortfall, NU_PPM2_DECIMALS),
        solvency_margin_usd: reserves_value.map(|v| nu(&(v - &totals.equity))),
        assets,
        markets,
    }
}

/// A count as a JSON number; a count no `u64` holds (never from verified totals, which stay below
/// 2^32 accounts) as its decimal string.
fn count(x: &BigInt) -> Value {
    match x.to_u64() {
        Some(n) => Value::from(n),
        None => Value::from(x.to_string()),
    }
}

impl TotalsReport {
    /// The `verify --json` object (SPEC §6): `accounts`, `liquidatable`, `bankrupt` as JSON
    /// numbers; `equity_usd`, `bad_debt_usd`, `shortfall_usd`, `solvency_margin_usd` (only when
    /// reserves are declared), `assets.<SYM>.{balance, debt, reserves, reserves_minus_net}` (the
    /// last two only for assets with declared reserves) and
    /// `markets.<SYM>.{net_size, open_interest, pnl_usd}` as exact decimal strings, nested.
    pub fn to_json(&self) -> Value {
        let mut assets = Map::new();
        for a in &self.assets {
            let mut entry = Map::new();
            entry.insert("balance".into(), Value::from(a.balance.clone()));
            entry.insert("debt".into(), Value::from(a.debt.clone()));
            if let Some(r) = &a.reserves {
                entry.insert("reserves".into(), Value::from(r.clone()));
            }
            if let Some(r) = &a.reserves_minus_net {
                entry.insert("reserves_minus_net".into(), Value::from(r.clone()));
            }
            assets.insert(a.symbol.clone(), Value::Object(entry));
        }
        let mut markets = Map::new();
        for m in &self.markets {
            markets.insert(
                m.symbol.clone(),
                json!({
                    "net_size": m.net_size,
                    "open_interest": m.open_interest,
                    "pnl_usd": m.pnl_usd,
                }),
            );
        }
        let mut out = Map::new();
        out.insert("accounts".into(), count(&self.accounts));
        out.insert("liquidatable".into(), count(&self.liquidatable));
        out.insert("bankrupt".into(), count(&self.bankrupt));
        out.insert("equity_usd".into(), Value::from(self.equity_usd.clone()));
        out.insert(
            "bad_debt_usd".into(),
            Value::from(self.bad_debt_usd.clone()),
        );
        out.insert(
            "shortfall_usd".into(),
            Value::from(self.shortfall_usd.clone()),
        );
        if let Some(m) = &self.solvency_margin_usd {
            out.insert("solvency_margin_usd".into(), Value::from(m.clone()));
        }
        out.insert("assets".into(), Value::Object(assets));
        out.insert("markets".into(), Value::Object(markets));
        Value::Object(out)
    }

    /// The report as aligned text: a header, the account-level totals, then one table of assets
    /// and one of markets (numbers right-aligned).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str("marginproof solvency report\n\n");
        let mut summary = vec![
            vec!["venue".to_string(), self.venue.clone()],
            vec!["snapshot".to_string(), self.snapshot_id.clone()],
            vec![
                "liquidation threshold".to_string(),
                format!("{} (margin ratio)", self.liquidation_threshold),
            ],
            vec!["accounts".to_string(), self.accounts.to_string()],
            vec!["liquidatable".to_string(), self.liquidatable.to_string()],
            vec!["bankrupt".to_string(), self.bankrupt.to_string()],
            vec!["equity owed (USD)".to_string(), self.equity_usd.clone()],
            vec!["bad debt (USD)".to_string(), self.bad_debt_usd.clone()],
            vec![
                "shortfall to threshold (USD)".to_string(),
                self.shortfall_usd.clone(),
            ],
        ];
        if let Some(m) = &self.solvency_margin_usd {
            summary.push(vec!["solvency margin (USD)".to_string(), m.clone()]);
        }
        out.push_str(&table(&summary, &[Align::Left, Align::Left]));

        if !self.assets.is_empty() {
            let with_reserves = self.assets.iter().any(|a| a.reserves.is_some());
            let mut header = vec!["asset", "balance", "debt", "net (balance - debt)"];
            if with_reserves {
                header.extend(["reserves", "reserves - net"]);
            }
            let mut rows = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
            for a in &self.assets {
                let mut row = vec![
                    a.symbol.clone(),
                    a.balance.clone(),
                    a.debt.clone(),
                    a.net.clone(),
                ];
                if with_reserves {
                    let dash = || "-".to_string();
                    row.push(a.reserves.clone().unwrap_or_else(dash));
                    row.push(a.reserves_minus_net.clone().unwrap_or_else(dash));
                }
                rows.push(row);
            }
            out.push('\n');
            out.push_str(&table(&rows, &[Align::Left]));
        }

        if !self.markets.is_empty() {
            let mut rows = vec![["market", "net size", "open interest", "PnL (USD)"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()];
            for m in &self.markets {
                rows.push(vec![
                    m.symbol.clone(),
                    m.net_size.clone(),
                    m.open_interest.clone(),
                    m.pnl_usd.clone(),
                ]);
            }
            out.push('\n');
            out.push_str(&table(&rows, &[Align::Left]));
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Lays out `rows` in columns two spaces apart, each line indented by two. Column `i` is aligned
/// as `aligns[i]`, right when not given.
fn table(rows: &[Vec<String>], aligns: &[Align]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(" ");
        for (c, (cell, width)) in row.iter().zip(&widths).enumerate() {
            line.push(' ');
            match aligns.get(c).copied().unwrap_or(Align::Right) {
                Align::Left => line.push_str(&format!("{cell:<width$}")),
                Align::Right => line.push_str(&format!("{cell:>width$}")),
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
