//! Regression tests from fuzzing (`fuzz/`, see the README): each input a fuzz target found is fed
//! here byte for byte and must be refused with an error, never a panic, a hang or an unbounded
//! allocation.

mod common;

use std::time::Instant;

use marginproof_circuits::config::{AssetSection, MarketSection, TierSpec};
use marginproof_verifier::bundle::{bundle_shape, BundleError};

fn tier(rate: &str) -> Vec<TierSpec> {
    vec![TierSpec {
        up_to: None,
        rate: rate.to_string(),
    }]
}

/// The most expensive manifests `bundle_shape` accepts to lay out: it must answer (a size or a
/// refusal) in bounded time. Prints the time of each; run with `--release -- --ignored
/// --nocapture`. Before the layout ladder in `bundle_shape`, the third (a 30 KB manifest) took
/// 528 s to be refused and the first 57 s; with it, 18 s each (release, two busy cores).
#[test]
#[ignore = "a measurement: lays out circuits of up to 2^22 rows"]
fn bundle_shape_worst_cases_are_bounded() {
    for (assets, markets, batch_size) in [(1, 0, 1 << 16), (1, 0, 1 << 12), (254, 256, 1 << 13)] {
        let mut manifest = common::Venue::build().manifest;
        let template = manifest.config.assets[0].clone();
        manifest.config.reserves.clear();
        manifest.config.assets = (0..assets)
            .map(|i| AssetSection {
                reserve_locations: Vec::new(),
                symbol: format!("A{i}"),
                haircut: tier("1"),
                maintenance: tier("0.1"),
                ..template.clone()
            })
            .collect();
        manifest.config.markets = (0..markets)
            .map(|i| MarketSection {
                symbol: format!("M{i}"),
                decimals: 4,
                mark_price: "1".into(),
                maintenance: tier("0.1"),
            })
            .collect();
        manifest.classes[0].batch_size = batch_size;
        let start = Instant::now();
        let result = bundle_shape(&manifest);
        println!(
            "{assets} assets, {markets} markets, batch {batch_size}: {:?} in {:.2?}",
            result
                .as_ref()
                .map(|shape| shape.classes[0].k)
                .map_err(BundleError::to_string),
            start.elapsed()
        );
    }
}

/// Found in review while fuzzing `verify_bundle` (the fuzz target resolves proof paths with
/// `read_proof`): a bundle that ships a FIFO under a proof's name made `marginproof verify` block
/// forever in `open`. A proof path must name a regular file.
#[cfg(unix)]
#[test]
fn a_fifo_named_as_a_proof_is_refused_without_blocking() {
    use std::sync::mpsc;
    use std::time::Duration;

    use marginproof_circuits::statement::BatchEntry;
    use marginproof_verifier::files::read_proof;

    let dir = std::env::temp_dir().join(format!("marginproof-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("batch-0.proof");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let entry = BatchEntry {
        class: 0,
        root: String::new(),
        totals_after: String::new(),
        proof: "batch-0.proof".into(),
    };
    let (send, receive) = mpsc::channel();
    let public = dir.clone();
    std::thread::spawn(move || {
        let _ = send.send(read_proof(&public, 0, &entry).map(|_| ()));
    });
    let result = receive
        .recv_timeout(Duration::from_secs(10))
        .expect("read_proof blocked on a FIFO");
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Err(BundleError::ProofFile { reason, .. }) => {
            assert!(reason.contains("not a regular file"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
