//! The account-health part of the user's text reports (issue 32): each unit's buffer and
//! liquidation prices under `verify-inclusion`, and the history table of `verify-history`.

use marginproof_circuits::model::Status;
use marginproof_verifier::inclusion::UnitReport;
use marginproof_verifier::liquidation::LiquidationPrices;

use crate::table::{table, Align};

/// A price and its move, or why there is none: the unit has that status `already`, or no price
/// gives it (`none`).
fn price_text(price: Option<&str>, moved: Option<&str>, already: bool) -> String {
    match (price, moved) {
        (Some(p), Some(m)) if m.starts_with('-') => format!("{p} ({m}%)"),
        (Some(p), Some(m)) => format!("{p} (+{m}%)"),
        (Some(p), None) => p.to_string(),
        (None, _) if already => "already".to_string(),
        (None, _) => "none".to_string(),
    }
}

/// One unit's liquidation prices: a row per instrument held, or a line saying there is none.
pub fn liquidation_text(unit: &UnitReport) -> String {
    let mut out = format!(
        "buffer before liquidation, AE − θ·MR (USD): {}\n",
        unit.buffer_usd
    );
    if unit.liquidation_prices.is_empty() {
        out.push_str("no holdings: no price changes this unit's status\n");
        return out;
    }
    out.push_str("liquidation prices (every other price as published; none: no price does it)\n");
    let liquidatable = unit.status != Status::Healthy;
    let bankrupt = unit.status == Status::Bankrupt;
    let mut rows = vec![vec![
        "instrument".to_string(),
        "liquidatable at".to_string(),
        "bankrupt at".to_string(),
    ]];
    rows.extend(unit.liquidation_prices.iter().map(
        |(symbol, p): (&String, &LiquidationPrices)| {
            vec![
                symbol.clone(),
                price_text(
                    p.liquidatable.as_deref(),
                    p.liquidatable_move_pct.as_deref(),
                    liquidatable,
                ),
                price_text(
                    p.bankrupt.as_deref(),
                    p.bankrupt_move_pct.as_deref(),
                    bankrupt,
                ),
            ]
        },
    ));
    out.push_str(&table(&rows, &[Align::Left, Align::Right, Align::Right]));
    out
}

/// One snapshot's line of a history: each unit's status, margin ratio and buffer, or the reason
/// the pair was refused.
pub enum HistoryLine<'a> {
    /// A verified pair.
    Verified {
        /// The snapshot id.
        snapshot: &'a str,
        /// Its units.
        units: &'a [UnitReport],
    },
    /// A refused pair.
    Refused {
        /// The snapshot id where the files name one.
        snapshot: Option<&'a str>,
        /// Why.
        reason: String,
    },
}

/// The history table: one row per snapshot and unit, in the order given.
pub fn history_text(lines: &[HistoryLine<'_>]) -> String {
    let mut rows = vec![
        ["snapshot", "unit", "status", "margin ratio", "buffer (USD)"]
            .map(String::from)
            .to_vec(),
    ];
    let mut refusals = String::new();
    for line in lines {
        match line {
            HistoryLine::Verified { snapshot, units } => {
                for unit in *units {
                    let label = if unit.margin_unit.is_cross() {
                        "cross".to_string()
                    } else {
                        unit.margin_unit.label().to_string()
                    };
                    rows.push(vec![
                        snapshot.to_string(),
                        label,
                        unit.status.as_str().to_string(),
                        unit.margin_ratio.clone().unwrap_or_else(|| "none".into()),
                        unit.buffer_usd.clone(),
                    ]);
                }
            }
            HistoryLine::Refused { snapshot, reason } => {
                let name = snapshot.unwrap_or("?");
                rows.push(vec![
                    name.to_string(),
                    "-".into(),
                    "REFUSED".into(),
                    "-".into(),
                    "-".into(),
                ]);
                refusals.push_str(&format!("  {name}: does not verify: {reason}\n"));
            }
        }
    }
    let aligns = [
        Align::Left,
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
    ];
    format!("{}{refusals}", table(&rows, &aligns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_price_says_whether_the_unit_is_there_already() {
        assert_eq!(price_text(Some("95"), Some("-1.4"), false), "95 (-1.4%)");
        assert_eq!(price_text(Some("97"), Some("0.2"), true), "97 (+0.2%)");
        assert_eq!(price_text(None, None, true), "already");
        assert_eq!(price_text(None, None, false), "none");
    }
}
