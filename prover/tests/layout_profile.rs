//! A measurement, not a check: where the batch circuit's rows and advice cells go at the issue-10
//! bench venue (50 assets, 8 markets, 4 asset and 2 position slots, 256 accounts per batch). Run
//! with `PROFILE_SCENARIOS=S PROFILE_DISTRIBUTION=1 PROFILE_BATCH=B PROFILE_ASSET_SLOTS=a
//! PROFILE_POSITION_SLOTS=m` (all optional) and
//! `cargo test --release -p marginproof-prover --test layout_profile -- --ignored --nocapture`.

use std::path::Path;
use std::sync::Arc;

use marginproof_circuits::circuit::layout::layout_profile;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::model::SlotShape;
use marginproof_prover::generate::{generate, GenerateOptions};
use marginproof_prover::input::parse_config;

#[test]
#[ignore = "a measurement: prints the layout profile of the bench venue's batch circuit"]
fn layout_profile_of_the_bench_venue() {
    let env_or = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (toml, _) = generate(&GenerateOptions {
        accounts: 1,
        assets: 50,
        markets: 8,
        seed: 1,
        whales_ppm: 0,
        scenarios: env_or("PROFILE_SCENARIOS", 0),
        distribution: std::env::var("PROFILE_DISTRIBUTION").is_ok(),
        portfolio_ppm: 0,
        shocks: 0,
    });
    let params = Arc::new(parse_config(&toml, Path::new("venue.toml")).expect("config"));
    let batch = env_or("PROFILE_BATCH", 256);
    let shape = SlotShape::standard(
        env_or("PROFILE_ASSET_SLOTS", 4),
        env_or("PROFILE_POSITION_SLOTS", 2),
    );
    let profile = layout_profile(&BatchCircuit::shape(params, shape, batch)).expect("layout");
    println!(
        "rows used {} ({:.1} per account)",
        profile.rows,
        profile.rows as f64 / batch as f64
    );
    println!("| advice column | cells | last row | cells per account |");
    for (column, (cells, last)) in profile.advice.iter().enumerate() {
        println!(
            "| {column} | {cells} | {last} | {:.1} |",
            *cells as f64 / batch as f64
        );
    }
    println!("| region kind | regions | rows | advice cells | cells per account |");
    for (kind, use_) in &profile.regions {
        println!(
            "| {kind} | {} | {} | {} | {:.1} |",
            use_.regions,
            use_.rows,
            use_.cells,
            use_.cells as f64 / batch as f64
        );
    }
    assert!(profile.rows > 0);
}
