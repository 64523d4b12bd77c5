//! The auditor's and the user's checks on a small proven bundle: verifying every batch proof of a
//! bundle (merged into one batch check, and one by one), and one user's inclusion proof.
//!
//! The bundle (32 accounts, 2 assets, 1 market, 8 batches of 4) is proven once in setup with the
//! prover; the verifier crate itself does not depend on the prover (the prover depends on it),
//! so these benches live in the tests crate. `cargo bench -p marginproof-tests --bench
//! verify_bundle`; IPA parameters come from the usual cache. The auditor derives each class's
//! verifying key first (measured alone as `verifying_key`); the bundle checks are measured with
//! the keys already derived.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use marginproof_circuits::statement::DISTINCT_KEYS_FILE;
use marginproof_prover::generate::{generate, GenerateOptions};
use marginproof_prover::inclusion::inclusion_proof;
use marginproof_prover::input::{parse_accounts, parse_config};
use marginproof_prover::prove::{prove_snapshot, ProveOptions, SecretChoice};
use marginproof_prover::secret::VenueSecret;
use marginproof_storage::cache_dir::default_cache_dir;
use marginproof_verifier::bundle::{
    bundle_shape, derive_class_keys, verify_bundle_with, verifying_key, ProofCheck,
};
use marginproof_verifier::inclusion::verify_inclusion;
use marginproof_verifier::params_cache::load_or_create_params;

const ACCOUNTS: usize = 32;
const BATCH_SIZE: usize = 4;

fn verify(c: &mut Criterion) {
    let (config, accounts) = generate(&GenerateOptions {
        accounts: ACCOUNTS,
        assets: 2,
        markets: 1,
        seed: 3,
        whales_ppm: 0,
        scenarios: 0,
        distribution: false,
        portfolio_ppm: 0,
        shocks: 0,
    });
    let params = Arc::new(
        parse_config(&config, Path::new("venue.toml")).expect("the generated venue is valid"),
    );
    let records = parse_accounts(accounts.as_bytes(), Path::new("accounts.csv"), &params)
        .expect("the generated accounts are valid");
    let dir = tempfile::TempDir::new().expect("a temporary directory");
    let bundle = dir.path().join("bundle");
    let cache_dir = default_cache_dir();
    let proven = prove_snapshot(
        &bundle,
        params,
        records,
        SecretChoice::Given(VenueSecret::from_bytes([9; 32])),
        &ProveOptions {
            batch_size: Some(BATCH_SIZE),
            max_classes: 1,
            cache_dir: cache_dir.clone(),
            progress: Default::default(),
        },
    )
    .expect("the venue proves");
    let manifest = proven.manifest.clone();
    let proofs = proven.proofs.clone();
    // The published distinct keys, held in memory as the proofs are.
    let distinct_keys =
        std::fs::read(bundle.join("public").join(DISTINCT_KEYS_FILE)).expect("the distinct keys");
    let shape = bundle_shape(&manifest).expect("the manifest's shape");
    let class = shape.classes[0];
    let (ipa, _) = load_or_create_params(&cache_dir, class.k).expect("IPA parameters");
    let keys = derive_class_keys(&shape, |k| {
        load_or_create_params(&cache_dir, k)
            .expect("IPA parameters")
            .0
    })
    .expect("the keys");

    let mut group = c.benchmark_group("verify_bundle");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15));
    let batches = manifest.batch_count;
    group.bench_function("verifying_key", |b| {
        b.iter(|| {
            verifying_key(
                &ipa,
                shape.params.clone(),
                class.class.slots,
                class.class.batch_size,
            )
            .expect("the key")
        })
    });
    for (name, check) in [
        ("batched", ProofCheck::Batched),
        ("one_by_one", ProofCheck::OneByOne),
    ] {
        group.bench_function(format!("{batches}_batches_of_{BATCH_SIZE}/{name}"), |b| {
            b.iter(|| {
                verify_bundle_with(
                    &manifest,
                    &shape,
                    |i, _| Ok(proofs[i].clone()),
                    &mut distinct_keys.as_slice(),
                    &keys,
                    check,
                )
                .expect("the bundle verifies")
            })
        });
    }
    group.finish();

    let account = &proven.layout.slots[0].record.id;
    let proof = serde_json::to_string(&inclusion_proof(&bundle, account).expect("an account"))
        .expect("JSON");
    let mut group = c.benchmark_group("inclusion");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    group.bench_function("verify_inclusion", |b| {
        b.iter(|| verify_inclusion(&proof, &manifest).expect("the proof verifies"))
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
