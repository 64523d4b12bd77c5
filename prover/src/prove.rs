//! Proving a snapshot: lay out, prepare every batch natively, derive keys once, prove batches in
//! parallel with a progress bar, and assemble the bundle's contents.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk, ProvingKey};
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::transcript::{Blake2bWrite, Challenge255};
use indicatif::{ProgressBar, ProgressStyle};
use marginproof_circuits::circuit::batch::PreparedBatch;
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::field::{fp_to_hex, Fp};
use marginproof_circuits::hash::snapshot::snapshot_root;
use marginproof_circuits::model::{AccountRecord, Totals};
use marginproof_circuits::statement::{BatchEntry, Manifest, TotalsFile, FORMAT_VERSION};
use marginproof_circuits::RiskParams;
use marginproof_verifier::store::{load_or_create_params, ParamsSource};
use rayon::prelude::*;

use crate::error::ProveError;
use crate::secret::VenueSecret;
use crate::snapshot::SnapshotLayout;

/// Largest batch size accepted.
pub const MAX_BATCH_SIZE: usize = 1 << 12;
/// Batch size when none is given: up to 64 accounts per proof.
pub const DEFAULT_MAX_BATCH_SIZE: usize = 64;

/// How to prove.
#[derive(Debug, Clone)]
pub struct ProveOptions {
    /// Accounts per proof (a power of two); `None` picks one.
    pub batch_size: Option<usize>,
    /// Where IPA parameters are cached.
    pub cache_dir: PathBuf,
    /// Show a progress bar.
    pub progress: bool,
}

/// Wall time of each stage.
#[derive(Debug, Clone, Default)]
pub struct StageTimings {
    /// Shuffle, salts.
    pub layout: Duration,
    /// Witnesses, leaves, batch roots, commitments (native).
    pub witness: Duration,
    /// IPA parameters (read from cache or generated).
    pub params: Duration,
    /// Whether the parameters were cached.
    pub params_cached: bool,
    /// Verifying and proving keys.
    pub keygen: Duration,
    /// All batch proofs.
    pub prove: Duration,
}

/// A proven snapshot, ready to be written.
#[derive(Debug, Clone)]
pub struct ProvenSnapshot {
    /// The public manifest.
    pub manifest: Manifest,
    /// Proof bytes per batch.
    pub proofs: Vec<Vec<u8>>,
    /// The layout (private: records, salts).
    pub layout: SnapshotLayout,
    /// Every leaf, padding included (private).
    pub leaves: Vec<Fp>,
    /// The totals.
    pub totals: Totals,
    /// Circuit size.
    pub k: u32,
    /// Stage timings.
    pub timings: StageTimings,
}

/// The batch size used when none is given: the smallest power of two that holds every account,
/// at most [`DEFAULT_MAX_BATCH_SIZE`].
pub fn default_batch_size(accounts: usize) -> usize {
    accounts
        .max(1)
        .next_power_of_two()
        .min(DEFAULT_MAX_BATCH_SIZE)
}

fn proving_error(stage: &'static str) -> impl Fn(halo2_proofs::plonk::Error) -> ProveError {
    move |e| ProveError::Proving {
        stage,
        reason: format!("{e:?}"),
    }
}

/// Proves one batch.
pub fn prove_batch(
    ipa: &Params<EqAffine>,
    pk: &ProvingKey<EqAffine>,
    batch: &PreparedBatch,
) -> Result<Vec<u8>, ProveError> {
    let instance = batch.statement.instance();
    let mut transcript = Blake2bWrite::<_, EqAffine, Challenge255<_>>::init(vec![]);
    create_proof(
        ipa,
        pk,
        std::slice::from_ref(&batch.circuit),
        &[&[&instance]],
        rand_core::UnwrapErr(rand::rngs::SysRng),
        &mut transcript,
    )
    .map_err(proving_error("proving"))?;
    Ok(transcript.finalize())
}

/// Prepares every batch of a layout in order, chaining the running totals.
pub fn prepare_batches(
    layout: &SnapshotLayout,
    secret: &VenueSecret,
) -> (Vec<PreparedBatch>, Totals) {
    let params = &layout.params;
    let snapshot = &params.snapshot_id;
    let mut totals = Totals::zero(params.assets.len(), params.markets.len());
    let mut batches = Vec::with_capacity(layout.batch_count());
    for i in 0..layout.batch_count() {
        let blinding_before = if i == 0 {
            Fp::zero()
        } else {
            secret.blinding(snapshot, i - 1)
        };
        let batch = PreparedBatch::new(
            params.clone(),
            layout.batch_size,
            layout.batch(i),
            &totals,
            blinding_before,
            secret.blinding(snapshot, i),
        );
        totals = batch.totals_after.clone();
        batches.push(batch);
    }
    (batches, totals)
}

/// Proves a snapshot end to end (without writing it).
pub fn prove_snapshot(
    params: Arc<RiskParams>,
    records: Vec<AccountRecord>,
    secret: &VenueSecret,
    options: &ProveOptions,
) -> Result<ProvenSnapshot, ProveError> {
    let batch_size = options
        .batch_size
        .unwrap_or_else(|| default_batch_size(records.len()));
    if !batch_size.is_power_of_two() || batch_size > MAX_BATCH_SIZE {
        return Err(ProveError::BadOption(format!(
            "--batch-size {batch_size}: must be a power of two from 1 to {MAX_BATCH_SIZE}"
        )));
    }
    let mut timings = StageTimings::default();

    let started = Instant::now();
    let layout = SnapshotLayout::new(params.clone(), records, secret, batch_size);
    timings.layout = started.elapsed();

    let started = Instant::now();
    let (batches, totals) = prepare_batches(&layout, secret);
    timings.witness = started.elapsed();

    let started = Instant::now();
    let shape = BatchCircuit::shape(params.clone(), batch_size);
    let k = min_k(&shape).map_err(proving_error("layout"))?;
    let (ipa, source) = load_or_create_params(&options.cache_dir, k)?;
    timings.params = started.elapsed();
    timings.params_cached = source == ParamsSource::Cached;

    let started = Instant::now();
    let vk = keygen_vk(&ipa, &shape).map_err(proving_error("verifying key"))?;
    let pk = keygen_pk(&ipa, vk, &shape).map_err(proving_error("proving key"))?;
    timings.keygen = started.elapsed();

    let started = Instant::now();
    let bar = if options.progress {
        let bar = ProgressBar::new(batches.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "proving {bar:40} {pos}/{len} batches [{elapsed_precise}, eta {eta}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let proofs = batches
        .par_iter()
        .map(|batch| {
            let proof = prove_batch(&ipa, &pk, batch);
            bar.inc(1);
            proof
        })
        .collect::<Result<Vec<_>, _>>()?;
    bar.finish_and_clear();
    timings.prove = started.elapsed();

    let batch_roots: Vec<Fp> = batches.iter().map(|b| b.statement.batch_root).collect();
    let root = snapshot_root(&params, batch_size, &batch_roots);
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        config: params.file.clone(),
        batch_size,
        batch_count: batches.len(),
        root: fp_to_hex(&root),
        totals: TotalsFile::from_totals(&totals, &params),
        totals_blinding: fp_to_hex(&secret.blinding(&params.snapshot_id, batches.len() - 1)),
        batches: batches
            .iter()
            .enumerate()
            .map(|(i, b)| BatchEntry {
                root: fp_to_hex(&b.statement.batch_root),
                totals_after: fp_to_hex(&b.statement.totals_after),
                proof: proof_file_name(i),
            })
            .collect(),
    };
    let leaves = batches
        .iter()
        .flat_map(|b| b.leaves.iter().copied())
        .collect();
    Ok(ProvenSnapshot {
        manifest,
        proofs,
        layout,
        leaves,
        totals,
        k,
        timings,
    })
}

/// The proof file of batch `index`, relative to `public/`.
pub fn proof_file_name(index: usize) -> String {
    format!("batches/batch-{index:06}.proof")
}
