//! The text reports of `verify` and `verify-inclusion`, laid out with the one table printer.

use marginproof_verifier::inclusion::InclusionReport;
use marginproof_verifier::report::TotalsReport;

use crate::table::{pairs, table, Align};

/// The auditor's report as aligned text: a header, the account-level totals, then one table of
/// assets and one of markets (numbers right-aligned).
pub fn totals_text(report: &TotalsReport) -> String {
    let mut out = String::from("marginproof solvency report\n\n");
    let mut summary = vec![
        ("venue", report.venue.clone()),
        ("snapshot", report.snapshot_id.clone()),
        (
            "liquidation threshold",
            format!("{} (margin ratio)", report.liquidation_threshold),
        ),
        ("accounts (margin units)", report.accounts.to_string()),
        (
            "judged by each model",
            format!(
                "{} standard, {} portfolio margin",
                &report.accounts - &report.portfolio_margin_units,
                report.portfolio_margin_units
            ),
        ),
        ("liquidatable", report.liquidatable.to_string()),
        ("bankrupt", report.bankrupt.to_string()),
        ("equity owed (USD)", report.equity_usd.clone()),
        ("bad debt (USD)", report.bad_debt_usd.clone()),
        ("shortfall to threshold (USD)", report.shortfall_usd.clone()),
    ];
    if let Some(m) = &report.solvency_margin_usd {
        summary.push(("solvency margin (USD)", m.clone()));
    }
    out.push_str(&table(&pairs(&summary), &[Align::Left, Align::Left]));

    if !report.assets.is_empty() {
        let with_reserves = report.assets.iter().any(|a| a.reserves.is_some());
        let mut header = vec!["asset", "balance", "debt", "net (balance - debt)"];
        if with_reserves {
            header.extend(["reserves", "reserves - net"]);
        }
        let mut rows = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
        for a in &report.assets {
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

    if !report.markets.is_empty() {
        let mut rows = vec![["market", "net size", "open interest", "PnL (USD)"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()];
        for m in &report.markets {
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

    if !report.scenarios.is_empty() {
        out.push_str("\nstress scenarios (proven; same tiers, rates and threshold)\n");
        let mut rows = vec![[
            "scenario",
            "liquidatable",
            "bankrupt",
            "equity owed (USD)",
            "bad debt (USD)",
            "shortfall (USD)",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()];
        for s in &report.scenarios {
            rows.push(vec![
                s.name.clone(),
                s.liquidatable.to_string(),
                s.bankrupt.to_string(),
                s.equity_usd.clone(),
                s.bad_debt_usd.clone(),
                s.shortfall_usd.clone(),
            ]);
        }
        out.push_str(&table(&rows, &[Align::Left]));
    }

    if let Some(grid) = &report.portfolio_margin {
        out.push_str(&format!(
            "\nportfolio-margin grid (requirement: the worst loss, at least {} of gross value)\n",
            grid.floor_rate
        ));
        let mut rows = vec![vec!["shock".to_string(), "moves".to_string()]];
        for shock in &grid.shocks {
            let moves: Vec<String> = shock
                .moves
                .iter()
                .map(|(s, m)| format!("{s} {m}"))
                .collect();
            rows.push(vec![shock.name.clone(), moves.join(", ")]);
        }
        out.push_str(&table(&rows, &[Align::Left, Align::Left]));
        let unmoved = if grid.unmoved.is_empty() {
            "none".to_string()
        } else {
            grid.unmoved.join(", ")
        };
        out.push_str(&format!(
            "instruments no shock moves (charged only the floor): {unmoved}\n"
        ));
    }

    if let Some(d) = &report.distribution {
        out.push_str("\nmargin-ratio distribution (proven, base prices)\n");
        let mut rows = vec![vec!["margin ratio".to_string(), "accounts".to_string()]];
        for b in &report.buckets_labelled() {
            rows.push(vec![b.0.clone(), b.1.to_string()]);
        }
        rows.push(vec![
            "no requirement (MR = 0)".to_string(),
            d.no_requirement.to_string(),
        ]);
        out.push_str(&table(&rows, &[Align::Left]));
    }
    out
}

/// A user's verified inclusion proof as text: each margin unit's valuation and status, then the
/// units taken together.
pub fn inclusion_text(report: &InclusionReport) -> String {
    let mut out = format!(
        "inclusion proof verified: every margin unit of the account is under the published root\n{}",
        table(
            &pairs(&[
                ("account", report.account_id.clone()),
                ("root", report.root_hex.clone())
            ]),
            &[Align::Left, Align::Left]
        )
    );
    let left = [Align::Left, Align::Left];
    for unit in &report.units {
        let ratio = match &unit.margin_ratio {
            Some(r) => format!("{r} (AE / MR, rounded down to 6 decimals)"),
            None => "none (no maintenance requirement)".to_string(),
        };
        out.push_str(&format!("  {} margin unit\n", unit.margin_unit));
        let mut rows = vec![
            ("margin mode", unit.margin_mode.as_str().to_string()),
            ("status", unit.status.as_str().to_string()),
            ("equity (USD)", unit.equity_usd.clone()),
            ("adjusted equity (USD)", unit.adjusted_equity_usd.clone()),
            ("maintenance (USD)", unit.maintenance_usd.clone()),
            ("margin ratio", ratio),
            ("leaf index", unit.leaf_index.to_string()),
        ];
        if let Some(pm) = &unit.portfolio {
            rows.push((
                "worst shock",
                pm.worst_shock
                    .clone()
                    .unwrap_or_else(|| "none (no requirement)".to_string()),
            ));
        }
        out.push_str(&indent(&table(&pairs(&rows), &left)));
        if let Some(pm) = &unit.portfolio {
            let rows: Vec<(String, String)> = pm
                .shock_losses_usd
                .iter()
                .map(|(name, loss)| (format!("loss under {name} (USD)"), loss.clone()))
                .collect();
            let rows: Vec<(&str, String)> =
                rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            out.push_str(&indent(&table(&pairs(&rows), &left)));
        }
        if !unit.scenarios.is_empty() {
            let rows: Vec<(String, String)> = unit
                .scenarios
                .iter()
                .map(|(name, v)| {
                    let ratio = v.margin_ratio.as_deref().unwrap_or("none");
                    (
                        format!("scenario {name}"),
                        format!(
                            "{}, margin ratio {ratio}, equity {} USD",
                            v.status.as_str(),
                            v.equity_usd
                        ),
                    )
                })
                .collect();
            let rows: Vec<(&str, String)> =
                rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            out.push_str(&indent(&table(&pairs(&rows), &left)));
        }
        out.push_str(&indent(&indent(&super::health::liquidation_text(unit))));
    }
    let owner = report.owner();
    out.push_str(&format!("  all {} units taken together\n", owner.units));
    let rows = pairs(&[
        (
            "statuses",
            format!(
                "{} healthy, {} liquidatable, {} bankrupt",
                owner.healthy, owner.liquidatable, owner.bankrupt
            ),
        ),
        ("equity owed (USD)", owner.equity_owed_usd.clone()),
        ("bad debt (USD)", owner.bad_debt_usd.clone()),
    ]);
    out.push_str(&indent(&table(&rows, &left)));
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use marginproof_circuits::model::{MarginUnit, Status};
    use marginproof_verifier::inclusion::ScenarioView;
    use marginproof_verifier::inclusion::UnitReport;
    use marginproof_verifier::report::{
        AssetReport, BucketReport, DistributionReport, MarketReport, ScenarioReport,
    };
    use num_bigint::BigInt;

    fn unit(label: &str, status: Status, equity: i64, ratio: Option<&str>) -> UnitReport {
        UnitReport {
            margin_unit: MarginUnit::parse(label).expect("a label"),
            margin_mode: Default::default(),
            portfolio: None,
            status,
            adjusted_equity_usd: equity.to_string(),
            equity_usd: equity.to_string(),
            maintenance_usd: "0".into(),
            margin_ratio: ratio.map(String::from),
            leaf_index: 3,
            scenarios: Default::default(),
            buffer_usd: equity.to_string(),
            liquidation_prices: Default::default(),
            equity: BigInt::from(equity) * BigInt::from(10).pow(18),
        }
    }

    #[test]
    fn an_inclusion_report_names_each_unit_and_the_owner_view() {
        let mut cross = unit("", Status::Healthy, 60000, None);
        cross.scenarios.insert(
            "crash-30".into(),
            ScenarioView {
                status: Status::Liquidatable,
                adjusted_equity_usd: "40000".into(),
                equity_usd: "41000".into(),
                maintenance_usd: "50000".into(),
                margin_ratio: Some("0.8".into()),
            },
        );
        let report = InclusionReport {
            account_id: "ivan".into(),
            units: vec![
                cross,
                unit("BTC-PERP", Status::Bankrupt, -1000, Some("-9.285715")),
            ],
            root_hex: "ab".repeat(32),
        };
        let text = inclusion_text(&report);
        for needle in [
            "ivan",
            "cross margin unit",
            "isolated BTC-PERP margin unit",
            "none (no maintenance requirement)",
            "-9.285715 (AE / MR, rounded down to 6 decimals)",
            "1 healthy, 0 liquidatable, 1 bankrupt",
            "scenario crash-30",
            "liquidatable, margin ratio 0.8",
        ] {
            assert!(text.contains(needle), "{needle}\n{text}");
        }
        let line = |label: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(label))
                .unwrap_or_else(|| panic!("{label}\n{text}"))
                .split_whitespace()
                .last()
                .map(str::to_string)
        };
        assert_eq!(line("equity owed (USD)").as_deref(), Some("60000"));
        assert_eq!(line("bad debt (USD)").as_deref(), Some("1000"));
    }

    #[test]
    fn a_totals_report_has_its_tables() {
        let report = TotalsReport {
            venue: "Test Venue".into(),
            snapshot_id: "2026-11-21T00:00Z".into(),
            liquidation_threshold: "1".into(),
            accounts: BigInt::from(5),
            liquidatable: BigInt::from(1),
            bankrupt: BigInt::from(1),
            portfolio_margin_units: BigInt::from(0),
            portfolio_margin: None,
            equity_usd: "91000".into(),
            bad_debt_usd: "1000".into(),
            shortfall_usd: "126".into(),
            solvency_margin_usd: None,
            assets: vec![AssetReport {
                symbol: "BTC".into(),
                balance: "1.5".into(),
                debt: "0".into(),
                net: "1.5".into(),
                reserves: None,
                reserves_minus_net: None,
            }],
            markets: vec![MarketReport {
                symbol: "BTC-PERP".into(),
                net_size: "-0.0001".into(),
                open_interest: "12.5".into(),
                pnl_usd: "-0.5".into(),
            }],
            scenarios: vec![ScenarioReport {
                name: "crash-30".into(),
                liquidatable: BigInt::from(3),
                bankrupt: BigInt::from(2),
                equity_usd: "50000".into(),
                bad_debt_usd: "7000.5".into(),
                shortfall_usd: "900".into(),
            }],
            distribution: Some(DistributionReport {
                no_requirement: BigInt::from(2),
                buckets: vec![
                    BucketReport {
                        from: None,
                        below: Some("1.0".into()),
                        accounts: BigInt::from(1),
                    },
                    BucketReport {
                        from: Some("1.0".into()),
                        below: None,
                        accounts: BigInt::from(2),
                    },
                ],
            }),
        };
        let text = totals_text(&report);
        for needle in [
            "crash-30",
            "7000.5",
            "below 1.0",
            "1.0 and above",
            "no requirement (MR = 0)",
        ] {
            assert!(text.contains(needle), "{needle}\n{text}");
        }
        for needle in [
            "Test Venue",
            "2026-11-21T00:00Z",
            "BTC-PERP",
            "12.5",
            "91000",
        ] {
            assert!(text.contains(needle), "{needle}\n{text}");
        }
        assert!(!text.contains("reserves"), "{text}");
    }
}
