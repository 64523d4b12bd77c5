//! The report page: one self-contained HTML document (inline CSS and SVG, no script, and a
//! Content-Security-Policy that forbids any request), from a verified bundle.
//!
//! Every exact total is a table cell marked `data-total="KEY"`, with `KEY` the dotted path of the
//! same value in `verify --json` (`equity_usd`, `assets.BTC.balance`, …), so the page and the
//! JSON can be compared field by field.

use std::fmt::Write as _;

use marginproof_circuits::config::RiskParams;
use marginproof_circuits::model::Totals;
use marginproof_verifier::bundle::VerifiedBundle;
use marginproof_verifier::report::{totals_report, TotalsReport};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::charts::{bar_chart, Series, BLUE, GREEN, ORANGE};
use super::reserves::reserves_section;
use crate::commands::reserves::Evidence;

pub use super::escape::escape;

/// `value · 10^-scale` as an `f64`, for charts only.
fn approx(value: &BigInt, scale: i32) -> f64 {
    value.to_f64().unwrap_or(0.0) / 10f64.powi(scale)
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d2330}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5d9e0;padding-bottom:.3rem}\
#verdict{display:inline-block;font-weight:700;padding:.2rem .7rem;border-radius:.3rem;background:#e2f4e8;color:#1e6b3a}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#5b6475}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}\
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}th,td{padding:.25rem .7rem;border-bottom:1px solid #eceef2;text-align:right}\
th:first-child,td:first-child{text-align:left}th{color:#5b6475;font-weight:600}td.neg{color:#a12a2a}\
figure{margin:1rem 0;overflow-x:auto}figcaption{color:#5b6475;font-size:.85rem}.note{color:#5b6475}";

/// The report page of a verified bundle.
pub fn report_html(verified: &VerifiedBundle, evidence: &Evidence) -> String {
    let params = &verified.params;
    let report = totals_report(params, &verified.totals);
    let mut page = String::new();
    let title = format!(
        "Solvency report: {} — snapshot {}",
        report.venue, report.snapshot_id
    );
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    header(&mut page, verified, &report);
    book(&mut page, &report);
    assets(&mut page, params, &verified.totals, &report);
    reserves_section(&mut page, params, &verified.totals, evidence);
    markets(&mut page, params, &verified.totals, &report);
    scenarios(&mut page, &verified.totals, &report);
    portfolio_grid(&mut page, &report);
    distribution(&mut page, &report);
    page.push_str(
        "<h2>How this was checked</h2><p class=\"note\">Written by <code>marginproof report</code> after verifying every batch \
         proof against the verifying key derived from the published configuration, the chain of totals commitments and its \
         opening, and the root of the batch roots, exactly as <code>marginproof verify</code> does. Tables hold the exact \
         totals; charts are rounded USD for reading at a glance.</p>\n</body></html>\n",
    );
    page
}

fn cell(key: &str, value: &str) -> String {
    let class = if value.starts_with('-') {
        " class=\"neg\""
    } else {
        ""
    };
    format!(
        "<td data-total=\"{}\"{class}>{}</td>",
        escape(key),
        escape(value)
    )
}

fn header(page: &mut String, verified: &VerifiedBundle, report: &TotalsReport) {
    let _ = write!(
        page,
        "<h1>Solvency report: {}</h1>\n<p id=\"verdict\">valid</p>\n<dl>\
         <dt>snapshot</dt><dd id=\"snapshot-id\">{}</dd>\
         <dt>root</dt><dd id=\"root\" data-total=\"root\">{}</dd>\
         <dt>batch proofs</dt><dd id=\"batches\" data-total=\"batches\">{}</dd>\
         {}\
         <dt>liquidation threshold</dt><dd>margin ratio {}</dd></dl>\n",
        escape(&report.venue),
        escape(&report.snapshot_id),
        verified.root_hex(),
        verified.batches,
        verified
            .verifying_keys
            .iter()
            .enumerate()
            .map(|(c, digest)| format!(
                "<dt>verifying key digest, size class {c}</dt>\
                 <dd id=\"verifying-key-{c}\" data-total=\"verifying_keys.{c}\">{}</dd>",
                escape(digest)
            ))
            .collect::<String>(),
        escape(&report.liquidation_threshold),
    );
}

fn book(page: &mut String, report: &TotalsReport) {
    page.push_str("<h2>Book</h2>\n<table><tbody>");
    let rows: Vec<(&str, &str, String)> = [
        (
            "margin units (accounts)",
            "accounts",
            report.accounts.to_string(),
        ),
        (
            "liquidatable",
            "liquidatable",
            report.liquidatable.to_string(),
        ),
        ("bankrupt", "bankrupt", report.bankrupt.to_string()),
        (
            "judged by the standard model",
            "standard_units",
            (&report.accounts - &report.portfolio_margin_units).to_string(),
        ),
        (
            "judged by portfolio margin",
            "portfolio_margin_units",
            report.portfolio_margin_units.to_string(),
        ),
        (
            "equity owed to users (USD)",
            "equity_usd",
            report.equity_usd.clone(),
        ),
        (
            "bad debt (USD)",
            "bad_debt_usd",
            report.bad_debt_usd.clone(),
        ),
        (
            "shortfall to the threshold (USD)",
            "shortfall_usd",
            report.shortfall_usd.clone(),
        ),
    ]
    .into_iter()
    .chain(
        report
            .solvency_margin_usd
            .clone()
            .map(|m| ("solvency margin (USD)", "solvency_margin_usd", m)),
    )
    .collect();
    for (label, key, value) in rows {
        let _ = write!(page, "<tr><th>{label}</th>{}</tr>", cell(key, &value));
    }
    page.push_str("</tbody></table>\n");
}

fn figure(page: &mut String, svg: Result<Option<String>, String>, caption: &str) {
    match svg {
        Ok(Some(svg)) => {
            let _ = writeln!(
                page,
                "<figure>{svg}<figcaption>{}</figcaption></figure>",
                escape(caption)
            );
        }
        Ok(None) => {}
        Err(e) => {
            let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(&e));
        }
    }
}

fn assets(page: &mut String, params: &RiskParams, totals: &Totals, report: &TotalsReport) {
    page.push_str(
        "<h2>Assets</h2>\n<table><thead><tr><th>asset</th><th>Σ balance</th><th>Σ debt</th><th>net (balance − debt)</th>\
         <th>reserves</th><th>reserves − net</th><th>coverage</th></tr></thead><tbody>",
    );
    let mut labels = Vec::new();
    let mut reserves_usd = Vec::new();
    let mut net_usd = Vec::new();
    for (i, line) in report.assets.iter().enumerate() {
        let key = |field: &str| format!("assets.{}.{field}", line.symbol);
        let asset = &params.assets[i];
        let net = totals
            .assets
            .get(i)
            .map(|t| &t.balance - &t.debt)
            .unwrap_or_default();
        let reserves = params.reserves.get(i).and_then(Option::as_ref);
        let coverage = match reserves {
            Some(r) if net > BigInt::from(0) => {
                format!(
                    "{:.2}%",
                    100.0 * r.to_f64().unwrap_or(0.0) / net.to_f64().unwrap_or(1.0)
                )
            }
            Some(_) => "no net liability".to_string(),
            None => "—".to_string(),
        };
        let optional = |key: String, value: &Option<String>| match value {
            Some(v) => cell(&key, v),
            None => "<td>—</td>".to_string(),
        };
        let _ = write!(
            page,
            "<tr><td>{}</td>{}{}{}{}{}<td>{}</td></tr>",
            escape(&line.symbol),
            cell(&key("balance"), &line.balance),
            cell(&key("debt"), &line.debt),
            cell(&key("net"), &line.net),
            optional(key("reserves"), &line.reserves),
            optional(key("reserves_minus_net"), &line.reserves_minus_net),
            coverage
        );
        labels.push(line.symbol.clone());
        let price = BigInt::from(asset.price);
        net_usd.push(approx(&(&net * &price), 18));
        reserves_usd.push(reserves.map_or(0.0, |r| approx(&(r * &price), 18)));
    }
    page.push_str("</tbody></table>\n");
    let mut series = Vec::new();
    if params.reserves.iter().any(Option::is_some) {
        series.push(Series {
            name: "reserves",
            color: GREEN,
            values: reserves_usd,
        });
    }
    series.push(Series {
        name: "net liabilities (balance − debt)",
        color: BLUE,
        values: net_usd,
    });
    figure(
        page,
        bar_chart("Coverage per asset", "USD at the published prices", &labels, &series),
        "Reserves against net liabilities per asset, valued at the configuration's prices (rounded).",
    );
}

fn markets(page: &mut String, params: &RiskParams, totals: &Totals, report: &TotalsReport) {
    page.push_str("<h2>Markets</h2>\n");
    if report.markets.is_empty() {
        page.push_str("<p class=\"note\">The configuration lists no perpetual markets.</p>\n");
        return;
    }
    page.push_str(
        "<table><thead><tr><th>market</th><th>net size</th><th>open interest</th><th>unrealized PnL (USD)</th></tr></thead><tbody>",
    );
    let mut labels = Vec::new();
    let mut pnl = Vec::new();
    let mut open_interest = Vec::new();
    for (i, line) in report.markets.iter().enumerate() {
        let key = |field: &str| format!("markets.{}.{field}", line.symbol);
        let _ = write!(
            page,
            "<tr><td>{}</td>{}{}{}</tr>",
            escape(&line.symbol),
            cell(&key("net_size"), &line.net_size),
            cell(&key("open_interest"), &line.open_interest),
            cell(&key("pnl_usd"), &line.pnl_usd),
        );
        labels.push(line.symbol.clone());
        let t = totals.markets.get(i);
        pnl.push(t.map_or(0.0, |t| approx(&t.pnl, 18)));
        let mark = BigInt::from(params.markets[i].mark_price);
        open_interest.push(t.map_or(0.0, |t| approx(&(&t.open_interest * &mark), 18)));
    }
    page.push_str("</tbody></table>\n");
    figure(
        page,
        bar_chart(
            "Unrealized PnL per market",
            "USD",
            &labels,
            &[Series {
                name: "Σ PnL of users",
                color: ORANGE,
                values: pnl,
            }],
        ),
        "Users' unrealized profit (positive) or loss (negative) per market at the mark price (rounded).",
    );
    figure(
        page,
        bar_chart(
            "Open interest per market",
            "USD notional at the mark price",
            &labels,
            &[Series {
                name: "Σ |size| · mark",
                color: BLUE,
                values: open_interest,
            }],
        ),
        "Open interest per market, as notional value at the mark price (rounded).",
    );
}

fn scenarios(page: &mut String, totals: &Totals, report: &TotalsReport) {
    page.push_str("<h2>Stress scenarios</h2>\n");
    if report.scenarios.is_empty() {
        page.push_str(
            "<p class=\"note\" id=\"scenarios\">The published configuration defines no stress scenarios.</p>\n",
        );
        return;
    }
    page.push_str(
        "<p class=\"note\">Every account valued again at each scenario's prices with the same tiers, rates and \
         threshold; the counts and sums are proven like the base totals.</p>\n\
         <table id=\"scenarios\"><thead><tr><th>scenario</th><th>liquidatable</th><th>bankrupt</th>\
         <th>equity owed (USD)</th><th>bad debt (USD)</th><th>shortfall (USD)</th></tr></thead><tbody>",
    );
    let base = (
        "base prices".to_string(),
        &report.liquidatable,
        &report.bankrupt,
    );
    let _ = write!(
        page,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(&base.0),
        base.1,
        base.2,
        escape(&report.equity_usd),
        escape(&report.bad_debt_usd),
        escape(&report.shortfall_usd)
    );
    let mut labels = vec![base.0];
    let mut bad_debt = vec![approx(&totals.bad_debt, 18)];
    let mut shortfall = vec![approx(&totals.shortfall, 30)];
    for (s, line) in report.scenarios.iter().enumerate() {
        let key = |field: &str| format!("scenarios.{}.{field}", line.name);
        let _ = write!(
            page,
            "<tr><td>{}</td>{}{}{}{}{}</tr>",
            escape(&line.name),
            cell(&key("liquidatable"), &line.liquidatable.to_string()),
            cell(&key("bankrupt"), &line.bankrupt.to_string()),
            cell(&key("equity_usd"), &line.equity_usd),
            cell(&key("bad_debt_usd"), &line.bad_debt_usd),
            cell(&key("shortfall_usd"), &line.shortfall_usd),
        );
        labels.push(line.name.clone());
        let t = totals.scenarios.get(s);
        bad_debt.push(t.map_or(0.0, |t| approx(&t.bad_debt, 18)));
        shortfall.push(t.map_or(0.0, |t| approx(&t.shortfall, 30)));
    }
    page.push_str("</tbody></table>\n");
    figure(
        page,
        bar_chart(
            "Bad debt and shortfall per scenario",
            "USD",
            &labels,
            &[
                Series {
                    name: "bad debt (deficits of bankrupt accounts)",
                    color: ORANGE,
                    values: bad_debt,
                },
                Series {
                    name: "shortfall to the threshold",
                    color: BLUE,
                    values: shortfall,
                },
            ],
        ),
        "What the book loses under each shock: the bad debt of bankrupt accounts and how far accounts fall below the liquidation threshold, at the base prices and under each scenario (rounded).",
    );
}

/// The configured portfolio-margin grid (SPEC §12): no per-shock total is published, nothing per
/// account; the instruments no shock moves are charged only the floor.
fn portfolio_grid(page: &mut String, report: &TotalsReport) {
    let Some(grid) = &report.portfolio_margin else {
        return;
    };
    let _ = write!(
        page,
        "<h2>Portfolio margin</h2>\n<p class=\"note\">A portfolio-margin unit's requirement is its worst loss \
         over these shocks, at least {} of its gross value. {} units are judged this way, {} by the standard \
         model.</p>\n<table id=\"portfolio-grid\"><thead><tr><th>shock</th><th>moves</th></tr></thead><tbody>",
        escape(&grid.floor_rate),
        report.portfolio_margin_units,
        &report.accounts - &report.portfolio_margin_units,
    );
    for shock in &grid.shocks {
        let moves: Vec<String> = shock
            .moves
            .iter()
            .map(|(sym, m)| format!("{} {}", escape(sym), escape(m)))
            .collect();
        let _ = write!(
            page,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&shock.name),
            moves.join(", ")
        );
    }
    let unmoved = if grid.unmoved.is_empty() {
        "none".to_string()
    } else {
        grid.unmoved
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        page,
        "</tbody></table>\n<p id=\"unmoved\">Instruments no shock moves (charged only the floor): {unmoved}</p>\n"
    );
}

fn distribution(page: &mut String, report: &TotalsReport) {
    page.push_str("<h2>Margin distribution</h2>\n");
    let Some(d) = &report.distribution else {
        page.push_str(
            "<p class=\"note\" id=\"distribution\">The published configuration defines no margin distribution.</p>\n",
        );
        return;
    };
    page.push_str(
        "<p class=\"note\">Accounts by margin ratio (adjusted equity over maintenance requirement) at the base prices, \
         each bucket decided exactly; proven like the totals.</p>\n\
         <table id=\"distribution\"><thead><tr><th>margin ratio</th><th>from</th><th>below</th><th>accounts</th></tr></thead><tbody>",
    );
    let mut labels = Vec::new();
    let mut counts = Vec::new();
    for (j, (label, accounts)) in report.buckets_labelled().into_iter().enumerate() {
        let key = |field: &str| format!("distribution.buckets.{j}.{field}");
        let edge = |field: &str, edge: &Option<String>| match edge {
            Some(e) => cell(&key(field), e),
            None => "<td>—</td>".to_string(),
        };
        let bucket = &d.buckets[j];
        let _ = write!(
            page,
            "<tr><td>{}</td>{}{}{}</tr>",
            escape(&label),
            edge("from", &bucket.from),
            edge("below", &bucket.below),
            cell(&key("accounts"), &accounts.to_string())
        );
        counts.push(accounts.to_f64().unwrap_or(0.0));
        labels.push(label);
    }
    let _ = writeln!(
        page,
        "<tr><td>no requirement (MR = 0)</td><td>—</td><td>—</td>{}</tr></tbody></table>",
        cell("distribution.no_requirement", &d.no_requirement.to_string())
    );
    figure(
        page,
        bar_chart(
            "Accounts by margin ratio",
            "accounts",
            &labels,
            &[Series {
                name: "accounts",
                color: GREEN,
                values: counts,
            }],
        ),
        "How many accounts fall in each margin-ratio bucket at the base prices; accounts with no requirement are counted apart.",
    );
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn text_from_the_bundle_is_escaped() {
        assert_eq!(
            escape("<script>a & 'b'\"</script>"),
            "&lt;script&gt;a &amp; &#39;b&#39;&quot;&lt;/script&gt;"
        );
    }
}
