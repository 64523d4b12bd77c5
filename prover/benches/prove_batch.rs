//! One batch proof of a small synthetic venue (8 accounts, 3 assets, 2 markets, one batch of 8).
//! Generating, laying out, preparing the witness, parameters and keys happen once, outside the
//! timed loop: only `prove_batch` is measured.
//!
//! `cargo bench -p marginproof-prover --bench prove_batch`; IPA parameters come from the usual
//! cache (`$MARGINPROOF_CACHE`, else `~/.cache/marginproof`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use halo2_proofs::plonk::{keygen_pk, keygen_vk};
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::model::SlotShape;
use marginproof_circuits::statement::SizeClass;
use marginproof_prover::generate::{generate, GenerateOptions};
use marginproof_prover::input::{parse_accounts, parse_config};
use marginproof_prover::prepare::{build_tree, prepare_batches};
use marginproof_prover::prove::prove_batch;
use marginproof_prover::secret::VenueSecret;
use marginproof_prover::snapshot::SnapshotLayout;
use marginproof_storage::cache_dir::default_cache_dir;
use marginproof_verifier::params_cache::load_or_create_params;

const ACCOUNTS: usize = 8;
const BATCH_SIZE: usize = 8;

fn prove_one_batch(c: &mut Criterion) {
    let (config, accounts) = generate(&GenerateOptions {
        accounts: ACCOUNTS,
        assets: 3,
        markets: 2,
        seed: 1,
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
    let secret = VenueSecret::from_bytes([7; 32]);
    let slots = SlotShape::covering(&records);
    let class = SizeClass {
        slots,
        batch_size: BATCH_SIZE,
    };
    let layout = SnapshotLayout::new(params.clone(), records, &secret, &[class]);
    let tree = build_tree(&layout, &secret).expect("the batches hold their accounts");
    let batches = prepare_batches(&layout, &secret, tree.root, tree.batches, false)
        .expect("distinct accounts")
        .batches;
    let shape = BatchCircuit::shape(params, slots, BATCH_SIZE);
    let k = min_k(&shape).expect("the circuit lays out");
    let (ipa, _) = load_or_create_params(&default_cache_dir(), k).expect("IPA parameters");
    let vk = keygen_vk(&ipa, &shape).expect("verifying key");
    let pk = keygen_pk(&ipa, vk, &shape).expect("proving key");

    let mut group = c.benchmark_group("prove");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    group.bench_function(format!("batch_of_{BATCH_SIZE}_k{k}"), |b| {
        b.iter(|| prove_batch(&ipa, &pk, &batches[0]).expect("the batch proves"))
    });
    group.finish();
}

criterion_group!(benches, prove_one_batch);
criterion_main!(benches);
