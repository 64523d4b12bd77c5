//! The report's reserves section (SPEC §13): per asset its wallets and what was checked, gross
//! coverage (against Σ b) beside net coverage (against Σ b − Σ l), each figure labelled proven,
//! verified against a node, or declared.

use std::fmt::Write as _;

use marginproof_circuits::config::RiskParams;
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::model::Totals;
use marginproof_reserves::signature::scheme;
use num_bigint::BigInt;
use num_traits::Signed;

use super::escape::escape;
use crate::commands::reserves::Evidence;

/// `part / whole` as a percentage with two decimals, exactly truncated; `None` if `whole ≤ 0`.
pub fn percent(part: &BigInt, whole: &BigInt) -> Option<String> {
    if !whole.is_positive() {
        return None;
    }
    let hundredths: BigInt = part * BigInt::from(10_000) / whole;
    Some(format!("{}%", format_decimal(&hundredths, 2)))
}

/// Appends the reserves section.
pub fn reserves_section(
    page: &mut String,
    params: &RiskParams,
    totals: &Totals,
    evidence: &Evidence,
) {
    page.push_str("<h2 id=\"reserves\">Reserves</h2>\n");
    let per_asset = evidence.per_asset(params);
    match evidence {
        Evidence::Absent => page.push_str(
            "<p id=\"reserves-evidence\" class=\"note\">Reserves are <strong>declared only</strong>: the bundle has no \
             <code>reserves.json</code>, so no wallet, ownership signature or balance backs the figures below; they are \
             numbers the venue wrote in its configuration.</p>\n",
        ),
        Evidence::Checked { node, .. } => {
            let _ = writeln!(
                page,
                "<p id=\"reserves-evidence\" class=\"note\">Every wallet of <code>reserves.json</code> signed this snapshot's \
                 reserves message (venue, snapshot id, root), each signature was verified against its address, no address is \
                 listed twice, and each asset's wallets sum exactly to its configured reserve. {}</p>",
                match node {
                    Some(n) => format!(
                        "Every Ethereum wallet's balance was verified against a node at block {} (block time within an hour \
                         of the snapshot time); other chains' balances are declared at their block.",
                        n.block
                    ),
                    None => "No balance was checked against a node: balances are declared at each chain's block \
                             (<code>--eth-rpc</code> checks the Ethereum ones)."
                        .to_string(),
                }
            );
        }
    }
    page.push_str(
        "<table id=\"coverage\"><thead><tr><th>asset</th><th>reserves</th><th>Σ balance (proven)</th>\
         <th>gross coverage</th><th>Σ balance − Σ debt (proven)</th><th>net coverage</th></tr></thead><tbody>",
    );
    for (a, asset) in params.assets.iter().enumerate() {
        let Some(reserve) = params.reserves.get(a).and_then(Option::as_ref) else {
            continue;
        };
        let Some(t) = totals.assets.get(a) else {
            continue;
        };
        let net = &t.balance - &t.debt;
        let label = match per_asset.iter().find(|e| e.asset == a) {
            Some(e) if e.node_verified => "verified against a node".to_string(),
            Some(_) => "signed wallets, balances declared".to_string(),
            None => "declared".to_string(),
        };
        let show = |v: &BigInt| escape(&format_decimal(v, asset.decimals));
        let _ = write!(
            page,
            "<tr><td>{}</td><td data-reserves=\"{}\">{} <span class=\"note\">({})</span></td><td>{}</td><td>{} \
             <span class=\"note\">({})</span></td><td>{}</td><td>{}</td></tr>",
            escape(&asset.symbol),
            escape(&asset.symbol),
            show(reserve),
            escape(&label),
            show(&t.balance),
            percent(reserve, &t.balance).unwrap_or_else(|| "no balances".into()),
            escape(&label),
            show(&net),
            percent(reserve, &net).unwrap_or_else(|| "no net liability".into()),
        );
    }
    page.push_str(
        "</tbody></table>\n<p class=\"note\">Gross coverage compares reserves with what users hold (Σ balance): no invented \
         or copied borrower can improve it. Net coverage compares them with Σ balance − Σ debt, which debts lower. Σ balance \
         and Σ debt are proven by the bundle; reserves are only as strong as their label.</p>\n",
    );
    if let Evidence::Checked { reserves, .. } = evidence {
        // The same figures as `verify --json`'s `reserves`, cell by cell (`data-total`).
        page.push_str(
            "<table id=\"reserves-summary\"><thead><tr><th>asset</th><th>wallets</th><th>Σ wallets</th>\
             <th>signatures</th><th>balances</th></tr></thead><tbody>",
        );
        for a in &per_asset {
            let symbol = &params.assets[a.asset].symbol;
            let td = |field: &str, value: &str| {
                format!(
                    "<td data-total=\"reserves.{}.{field}\">{}</td>",
                    escape(symbol),
                    escape(value)
                )
            };
            let _ = write!(
                page,
                "<tr><td>{}</td>{}{}{}{}</tr>",
                escape(symbol),
                td("wallets", &a.wallets.to_string()),
                td("balance", &a.balance),
                td("signatures", "verified"),
                td(
                    "balances",
                    if a.node_verified {
                        "verified"
                    } else {
                        "declared"
                    }
                ),
            );
        }
        page.push_str("</tbody></table>\n");
        page.push_str(
            "<table id=\"wallets\"><thead><tr><th>asset</th><th>chain</th><th>address</th><th>balance</th>\
             <th>signature</th><th>balance checked</th></tr></thead><tbody>",
        );
        for w in &reserves.wallets {
            let _ = write!(
                page,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>verified ({})</td><td>{}</td></tr>",
                escape(&params.assets[w.asset].symbol),
                escape(&w.entry.chain),
                escape(&w.address.canonical()),
                escape(&w.entry.balance),
                scheme(&w.address, &w.entry.signature),
                escape(&evidence.balance_status(params, &w.entry.chain)),
            );
        }
        page.push_str("</tbody></table>\n");
    }
    page.push_str(
        "<p class=\"note\">A wallet that signs for two venues cannot be seen from one bundle: each venue's signature is over \
         its own message, so the same coins could be shown twice; compare addresses across venues' reports.</p>\n",
    );
}
