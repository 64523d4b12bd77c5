//! Proving a snapshot into its bundle directory: lay out, prepare every batch natively, load the
//! keys from the cache (or derive and cache them), prove batches in parallel, reporting each through the progress callback,
//! writing each proof as soon as it is proven, then the private files and the manifest. An
//! interrupted run is resumed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpu_time::ProcessTime;
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{create_proof, ProvingKey, VerifyingKey};
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::transcript::{Blake2bWrite, Challenge255};
use marginproof_circuits::circuit::batch::PreparedBatch;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::field::{fp_to_hex, Fp};
use marginproof_circuits::hash::distinct_commitment;
use marginproof_circuits::model::distinct::KEY_BYTES;
use marginproof_circuits::model::{AccountRecord, Totals};
use marginproof_circuits::statement::{
    BatchEntry, BatchStatement, DistinctKeysEntry, Manifest, SizeClass, TotalsFile,
    DISTINCT_KEYS_FILE, FORMAT_VERSION,
};
use marginproof_circuits::RiskParams;
use marginproof_storage::framed::KeySource;
use marginproof_storage::keys::{batch_identity, key_digest, key_path};
use marginproof_storage::proving_keys::load_or_create_pk;
use marginproof_storage::{read_limited, write_atomic, StoreError};
use marginproof_verifier::bundle::{verify_batch_proof, MAX_PROOF_BYTES};
use marginproof_verifier::params_cache::{load_or_create_params, ParamsSource};
use rayon::prelude::*;

pub use crate::bundle::proof_file_name;
use crate::bundle::{
    create_bundle_dirs, json, remove_temp_files, write_private_files, BundlePaths,
};
use crate::error::ProveError;
use crate::job::{inspect_output, JobFile, OutputState};
pub use crate::plan::{
    plan_batches, plan_classes, BatchPlan, ClassOptions, ClassPlan, MAX_AUTO_K, MAX_BATCH_SIZE,
    MAX_CLASSES, SEQUENTIAL_FROM_K,
};
use crate::prepare::{build_tree, prepare_batches};
use crate::progress::{ProgressEvent, ProgressSink};
use crate::secret::VenueSecret;
use crate::snapshot::SnapshotLayout;

/// How to prove.
#[derive(Debug, Clone)]
pub struct ProveOptions {
    /// Accounts per proof (a power of two) in one class of every record's slots; `None` plans
    /// the classes.
    pub batch_size: Option<usize>,
    /// At most this many size classes (1: one shape for all; see [`crate::plan::plan_classes`]).
    pub max_classes: usize,
    /// Where IPA parameters and keys are cached.
    pub cache_dir: PathBuf,
    /// Where progress goes (stage ends, each batch proven).
    pub progress: ProgressSink,
}

/// Wall time of each stage.
#[derive(Debug, Clone, Default)]
pub struct StageTimings {
    /// Slot shape and batch size choice (circuit layouts).
    pub plan: Duration,
    /// Shuffle, salts.
    pub layout: Duration,
    /// Holdings, distinct keys, leaves, batch roots and the snapshot root (native Poseidon).
    pub tree: Duration,
    /// Valuations, running totals, totals commitments, circuit witnesses.
    pub witness: Duration,
    /// IPA parameters (read from cache or generated).
    pub params: Duration,
    /// Where the parameters came from (cached, generated, or generated again over an unusable
    /// cached file).
    pub params_source: ParamsSource,
    /// Verifying and proving keys (read from the cache or generated).
    pub keygen: Duration,
    /// Where the proving key came from (cached, generated, or generated again over an unusable
    /// cached file).
    pub keys_source: KeySource,
    /// Cleaning up what an interrupted run left (temporary files, proofs beyond the last batch;
    /// zero on a fresh run). The proofs it left are checked in the prove stage.
    pub check: Duration,
    /// Batch proofs made by this run (each written as soon as it is proven).
    pub prove: Duration,
    /// CPU time (user and system, all threads: core·seconds) of the process during the prove
    /// stage (proving, and checking the proofs a resumed run finds); `None` where the platform has no process CPU clock.
    pub prove_cpu: Option<Duration>,
    /// Private files and manifest.
    pub write: Duration,
}

/// A proven snapshot, as written to its bundle directory.
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
    /// The size classes proven, with their circuit sizes and accounts.
    pub plan: Vec<ClassPlan>,
    /// Stage timings.
    pub timings: StageTimings,
    /// What a resumed run kept; `None` on a fresh run.
    pub resumed: Option<Resumed>,
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

/// Where the secret comes from.
#[derive(Debug, Clone)]
pub enum SecretChoice {
    /// Given by the venue (`--secret-file`).
    Given(VenueSecret),
    /// Made by `prove` and kept in `private/secret`; a resumed run reads it back from there.
    Generate,
}

/// What a resumed run found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resumed {
    /// Batch proofs already on disk that verify against their statements, kept.
    pub kept: usize,
    /// Batch proofs in the bundle.
    pub batches: usize,
    /// Proof files that did not verify (or could not be read), deleted and proven again.
    pub discarded: usize,
    /// Temporary files of the interrupted run, deleted.
    pub temp_files: usize,
}

/// Opens the output directory: creates a fresh one (directories, the generated secret, then
/// `private/job.json`), or checks an interrupted one's job against this run's inputs. Returns the
/// secret to use and whether the run resumes.
fn open_output(
    out: &Path,
    params: &RiskParams,
    records: &[AccountRecord],
    batch_size: Option<usize>,
    classes: &[SizeClass],
    secret: SecretChoice,
) -> Result<(BundlePaths, VenueSecret, Option<JobFile>), ProveError> {
    match inspect_output(out)? {
        OutputState::Fresh => {
            let (secret, generated) = match secret {
                SecretChoice::Given(secret) => (secret, false),
                SecretChoice::Generate => (VenueSecret::generate(), true),
            };
            let paths = create_bundle_dirs(out)?;
            if generated {
                // Before any proof, so that a resumed run proves with the same secret.
                secret.write(&paths.secret())?;
            }
            JobFile::new(params, records, batch_size, classes, &secret, generated).write(&paths)?;
            Ok((paths, secret, None))
        }
        OutputState::Partial(job) => {
            let paths = BundlePaths::new(out);
            let secret = match secret {
                SecretChoice::Given(secret) => secret,
                SecretChoice::Generate if paths.secret().exists() => {
                    VenueSecret::read(&paths.secret())?
                }
                SecretChoice::Generate => {
                    return Err(ProveError::MissingSecret(out.display().to_string()))
                }
            };
            let current = JobFile::new(
                params,
                records,
                batch_size,
                &job.classes,
                &secret,
                job.secret_generated,
            );
            if let Some(field) = job.mismatch(&current) {
                return Err(ProveError::JobMismatch {
                    path: out.display().to_string(),
                    field,
                });
            }
            Ok((paths, secret, Some(job)))
        }
    }
}

/// Removes what an interrupted run left that is not a whole file of this bundle: temporary files
/// everywhere, and proof files beyond the last batch. Returns how many temporary files.
fn clean_partial(paths: &BundlePaths, batch_count: usize) -> Result<usize, ProveError> {
    let mut removed = 0;
    for dir in [paths.batches(), paths.public(), paths.private()] {
        removed += remove_temp_files(&dir)?;
    }
    let dir = paths.batches();
    let entries = fs::read_dir(&dir).map_err(|e| ProveError::io(&dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| ProveError::io(&dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let index = name
            .strip_prefix("batch-")
            .and_then(|rest| rest.strip_suffix(".proof"))
            .and_then(|digits| digits.parse::<usize>().ok());
        if index.is_some_and(|i| i >= batch_count) {
            remove_file(&entry.path())?;
        }
    }
    Ok(removed)
}

fn remove_file(path: &Path) -> Result<(), ProveError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ProveError::io(path, e)),
    }
}

/// The proof already at `path` for batch `index`, if it is there and verifies against
/// `statement`; a file that does not (truncated, corrupt, from another run) is deleted.
fn existing_proof(
    path: &Path,
    ipa: &Params<EqAffine>,
    vk: &VerifyingKey<EqAffine>,
    index: usize,
    statement: &BatchStatement,
) -> Result<Option<Vec<u8>>, ProveError> {
    let bytes = match read_limited(path, MAX_PROOF_BYTES as u64) {
        Ok(bytes) => Some(bytes),
        Err(StoreError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Ok(None)
        }
        Err(_) => None,
    };
    match bytes {
        Some(bytes) if verify_batch_proof(ipa, vk, index, statement, &bytes).is_ok() => {
            Ok(Some(bytes))
        }
        _ => {
            remove_file(path)?;
            Ok(None)
        }
    }
}

/// A snapshot planned for proving: the size classes, the layout (classes, shuffle, salts), the
/// tree and every batch's witness and statement. Everything but proving; deterministic in the
/// configuration, the accounts, the secret and the classes, so a worker that prepares the same
/// job gets the same batches ([`crate::shard`]).
#[derive(Debug, Clone)]
pub struct PreparedSnapshot {
    /// The size classes, with their circuit sizes.
    pub plan: Vec<ClassPlan>,
    /// Accounts in leaf order with their salts.
    pub layout: SnapshotLayout,
    /// The snapshot root R.
    pub root: Fp,
    /// Every batch, ready to prove.
    pub batches: Vec<PreparedBatch>,
    /// The totals after the last batch.
    pub totals: Totals,
    /// `public/distinct-keys.bin`.
    pub distinct_keys: Vec<u8>,
}

/// Whether the proving key of `class` at size `k` is in `cache_dir`.
pub fn proving_key_cached(
    cache_dir: &Path,
    params: &RiskParams,
    class: &SizeClass,
    k: u32,
) -> bool {
    let identity = batch_identity(params, class.slots, class.batch_size);
    key_path(cache_dir, "pk", &key_digest::<BatchCircuit>(k, &identity)).exists()
}

/// The size classes of `records` (stage *plan*, before anything is written): one class of every
/// record's slots in batches of `batch_size` if given, else [`plan_classes`] with at most
/// `max_classes`, counting key generation for the keys not in `cache_dir`.
pub fn plan_snapshot(
    params: &Arc<RiskParams>,
    records: &[AccountRecord],
    batch_size: Option<usize>,
    max_classes: usize,
    cache_dir: &Path,
) -> Result<Vec<ClassPlan>, ProveError> {
    let cached = |class: &SizeClass, k: u32| proving_key_cached(cache_dir, params, class, k);
    plan_classes(
        params,
        records,
        &ClassOptions {
            batch_size,
            max_classes,
            keys_cached: &cached,
        },
    )
}

/// The plan of given classes (a resumed job's, a worker's): each class's accounts and circuit
/// size, from exact layouts.
pub fn plan_of_classes(
    params: &Arc<RiskParams>,
    records: &[AccountRecord],
    classes: &[SizeClass],
) -> Result<Vec<ClassPlan>, ProveError> {
    let mut accounts = vec![0usize; classes.len()];
    for r in records {
        let c = crate::snapshot::class_of(classes, r).unwrap_or(classes.len().saturating_sub(1));
        if let Some(n) = accounts.get_mut(c) {
            *n += 1;
        }
    }
    classes
        .iter()
        .zip(accounts)
        .map(|(class, accounts)| {
            let plan = crate::plan::plan_for(params, class.slots, class.batch_size)?;
            Ok(ClassPlan {
                class: *class,
                accounts,
                k: plan.k,
                rows: plan.rows,
            })
        })
        .collect()
}

/// The classes of a plan.
pub fn classes_of(plan: &[ClassPlan]) -> Vec<SizeClass> {
    plan.iter().map(|c| c.class).collect()
}

/// Stages *shuffle*, *tree* and *witness*: lays `records` out in the classes of `plan` with
/// `secret`, builds every batch tree and the root, and every batch's witness and statement.
/// `announce` is called as each stage ends.
pub fn prepare_snapshot(
    params: Arc<RiskParams>,
    records: Vec<AccountRecord>,
    secret: &VenueSecret,
    plan: &[ClassPlan],
    timings: &mut StageTimings,
    announce: &dyn Fn(&str, Duration),
) -> Result<PreparedSnapshot, ProveError> {
    let started = Instant::now();
    let layout = SnapshotLayout::new(params, records, secret, &classes_of(plan));
    timings.layout = started.elapsed();
    announce("shuffle + salts", timings.layout);

    let started = Instant::now();
    let tree = build_tree(&layout, secret)?;
    let root = tree.root;
    timings.tree = started.elapsed();
    announce("tree (leaves, roots)", timings.tree);

    let started = Instant::now();
    let prepared = prepare_batches(
        &layout,
        secret,
        root,
        tree.batches,
        crate::test_support::dishonest(),
    )?;
    timings.witness = started.elapsed();
    announce("witness", timings.witness);
    Ok(PreparedSnapshot {
        plan: plan.to_vec(),
        layout,
        root,
        batches: prepared.batches,
        totals: prepared.totals,
        distinct_keys: prepared.distinct_keys,
    })
}

/// IPA parameters for `k` and the proving key of the batch circuit of `params` and `class`, from
/// the cache in `cache_dir` (or generated and cached); their times add to `timings`, and their
/// sources are kept where they were generated.
pub fn load_proving_key(
    params: &Arc<RiskParams>,
    class: &ClassPlan,
    cache_dir: &Path,
    timings: &mut StageTimings,
    announce: &dyn Fn(&str, Duration),
) -> Result<(Params<EqAffine>, ProvingKey<EqAffine>), ProveError> {
    let started = Instant::now();
    let (ipa, source) = load_or_create_params(cache_dir, class.k)?;
    timings.params += started.elapsed();
    if !source.is_cached() || timings.params_source.is_cached() {
        timings.params_source = source;
    }
    announce("params", started.elapsed());
    let slots = class.class.slots;
    let batch_size = class.class.batch_size;
    let shape = BatchCircuit::shape(params.clone(), slots, batch_size);
    let (pk, keys) = load_or_create_pk(
        cache_dir,
        &ipa,
        &shape,
        &batch_identity(params, slots, batch_size),
    )?;
    timings.keygen += keys.elapsed;
    if !keys.source.is_cached() || timings.keys_source.is_cached() {
        timings.keys_source = keys.source;
    }
    announce("keys", keys.elapsed);
    Ok((ipa, pk))
}

/// What [`prove_batches`] did with the batches it was given.
#[derive(Debug, Clone, Default)]
pub struct BatchesProven {
    /// `(batch, proof)` for every batch given, in order.
    pub proofs: Vec<(usize, Vec<u8>)>,
    /// Proofs already on disk that verify against their statements, kept.
    pub kept: usize,
    /// Proof files on disk that did not verify (or could not be read), deleted and proven again.
    pub discarded: usize,
}

/// Stage *prove*: for each `(batch, prepared batch)` of `batches`, keeps the proof at
/// `proof_path(batch)` if it is there and verifies against the batch's statement, and otherwise
/// proves the batch and writes its proof there atomically, as soon as it is proven (a crash keeps
/// every finished proof). Proofs are made in parallel below [`SEQUENTIAL_FROM_K`], one at a time
/// from it on (`k` is the circuit size).
pub fn prove_batches(
    batches: &[(usize, &PreparedBatch)],
    k: u32,
    ipa: &Params<EqAffine>,
    pk: &ProvingKey<EqAffine>,
    proof_path: &(dyn Fn(usize) -> PathBuf + Sync),
    progress: &ProgressSink,
) -> Result<BatchesProven, ProveError> {
    let indices: Vec<usize> = batches.iter().map(|(i, _)| *i).collect();
    let present = indices.iter().filter(|&&i| proof_path(i).exists()).count();
    let existing = batches
        .par_iter()
        .map(|(i, b)| existing_proof(&proof_path(*i), ipa, pk.get_vk(), *i, &b.statement))
        .collect::<Result<Vec<_>, _>>()?;
    let kept = existing.iter().filter(|p| p.is_some()).count();
    let todo: Vec<(usize, &PreparedBatch)> = batches
        .iter()
        .zip(&existing)
        .filter(|(_, p)| p.is_none())
        .map(|(b, _)| *b)
        .collect();
    progress.report(ProgressEvent::ProvingStarted {
        batches: todo.len(),
    });
    let prove_one = |&(i, batch): &(usize, &PreparedBatch)| {
        let proof = prove_batch(ipa, pk, batch)?;
        write_atomic(&proof_path(i), &proof, false)?;
        progress.report(ProgressEvent::BatchProven { index: i });
        Ok((i, proof))
    };
    // Large circuits one at a time (each proof is parallel inside): two in flight would pass the
    // memory bound (see `plan::SEQUENTIAL_FROM_K`).
    let proven = if k >= SEQUENTIAL_FROM_K {
        todo.iter()
            .map(prove_one)
            .collect::<Result<Vec<_>, ProveError>>()
    } else {
        todo.par_iter()
            .map(prove_one)
            .collect::<Result<Vec<_>, ProveError>>()
    };
    progress.report(ProgressEvent::ProvingDone);
    let mut proven = proven?.into_iter();
    let mut proofs = Vec::with_capacity(indices.len());
    let mut next = proven.next();
    for (&i, found) in indices.iter().zip(existing) {
        match found {
            Some(bytes) => proofs.push((i, bytes)),
            None => match next.take() {
                Some((j, bytes)) if j == i => {
                    proofs.push((i, bytes));
                    next = proven.next();
                }
                _ => {
                    return Err(ProveError::Proving {
                        stage: "prove",
                        reason: format!("batch {i} was not proven"),
                    })
                }
            },
        }
    }
    Ok(BatchesProven {
        proofs,
        kept,
        discarded: present.saturating_sub(kept),
    })
}

/// The manifest of a prepared snapshot with its proofs (stage *assemble*): one function for
/// `prove` and `assemble`, so their manifests are the same bytes.
pub fn snapshot_manifest(prepared: &PreparedSnapshot, secret: &VenueSecret) -> Manifest {
    let params = &prepared.layout.params;
    let batches = &prepared.batches;
    Manifest {
        format_version: FORMAT_VERSION,
        config: params.file.clone(),
        classes: prepared.layout.classes.clone(),
        batch_count: batches.len(),
        root: fp_to_hex(&prepared.root),
        totals: TotalsFile::from_totals(&prepared.totals, params),
        totals_blinding: fp_to_hex(&secret.blinding(&params.snapshot_id, batches.len() - 1)),
        distinct_keys: DistinctKeysEntry {
            file: DISTINCT_KEYS_FILE.into(),
            count: (prepared.distinct_keys.len() / KEY_BYTES) as u64,
            commitment: fp_to_hex(&distinct_commitment(
                secret.distinct_secret(&params.snapshot_id),
            )),
        },
        batches: batches
            .iter()
            .enumerate()
            .map(|(i, b)| BatchEntry {
                class: prepared.layout.batches[i].class,
                root: fp_to_hex(&b.statement.batch_root),
                totals_after: fp_to_hex(&b.statement.totals_after),
                proof: proof_file_name(i),
            })
            .collect(),
    }
}

/// Writes the rest of a bundle whose proofs are in place: the private files, then the manifest
/// (last: its presence marks a complete bundle). Returns the manifest and the leaves.
pub fn finish_bundle(
    paths: &BundlePaths,
    prepared: &PreparedSnapshot,
    secret: &VenueSecret,
) -> Result<(Manifest, Vec<Fp>), ProveError> {
    let manifest = snapshot_manifest(prepared, secret);
    let leaves: Vec<Fp> = prepared
        .batches
        .iter()
        .flat_map(|b| b.leaves.iter().copied())
        .collect();
    write_private_files(paths, &prepared.layout, &leaves)?;
    write_atomic(
        &paths.public().join(DISTINCT_KEYS_FILE),
        &prepared.distinct_keys,
        false,
    )?;
    write_atomic(&paths.manifest(), &json(&manifest), false)?;
    Ok((manifest, leaves))
}

/// Proves a snapshot into the bundle directory `out`, writing as it goes so that a crash loses
/// nothing (see [`crate::bundle`]): the stages of [`crate::shard`]'s `plan`, `prove-batches` and
/// `assemble` in one process ([`plan_snapshot`], [`prepare_snapshot`], [`prove_batches`] over
/// every batch, [`finish_bundle`]).
///
/// - `out` absent: creates it, writes the generated secret (if any) and `private/job.json`, then
///   each batch proof as soon as it is proven, then the private files, then the manifest.
/// - `out` holds an interrupted run (`private/job.json`, no manifest): checks that the job is for
///   these inputs ([`ProveError::JobMismatch`] if not), keeps every proof on disk that verifies
///   against its recomputed statement, proves the rest, and finishes the bundle.
/// - otherwise: [`ProveError::AlreadyComplete`] or [`ProveError::NotAJob`].
///
/// Invalid options are refused before anything is written.
pub fn prove_snapshot(
    out: &Path,
    params: Arc<RiskParams>,
    records: Vec<AccountRecord>,
    secret: SecretChoice,
    options: &ProveOptions,
) -> Result<ProvenSnapshot, ProveError> {
    let mut timings = StageTimings::default();
    // Each stage is reported as it ends (a large snapshot spends minutes before the first
    // proof); the caller prints the summary.
    let announce = |stage: &str, took: Duration| {
        options
            .progress
            .report(ProgressEvent::StageDone { stage, took });
    };
    let started = Instant::now();
    let planned = plan_snapshot(
        &params,
        &records,
        options.batch_size,
        options.max_classes,
        &options.cache_dir,
    )?;
    timings.plan = started.elapsed();
    announce("plan", timings.plan);
    let (paths, secret, job) = open_output(
        out,
        &params,
        &records,
        options.batch_size,
        &classes_of(&planned),
        secret,
    )?;
    // A resumed run keeps the classes its job was planned with (the plan weighs which keys are
    // cached, and the first run cached some).
    let planned = match &job {
        Some(job) if classes_of(&planned) != job.classes => {
            plan_of_classes(&params, &records, &job.classes)?
        }
        _ => planned,
    };
    let resuming = job.is_some();
    let prepared = prepare_snapshot(
        params.clone(),
        records,
        &secret,
        &planned,
        &mut timings,
        &announce,
    )?;

    let started = Instant::now();
    let batch_count = prepared.batches.len();
    let mut temp_files = 0;
    if resuming {
        // An interrupted run made these first; recreate them if they were removed since.
        fs::create_dir_all(paths.batches()).map_err(|e| ProveError::io(&paths.batches(), e))?;
        temp_files = clean_partial(&paths, batch_count)?;
    }
    timings.check = started.elapsed();

    // Class by class: one proving key in memory at a time.
    timings.keys_source = KeySource::Cached;
    timings.params_source = ParamsSource::Cached;
    let mut proofs: Vec<Vec<u8>> = vec![Vec::new(); batch_count];
    let (mut kept, mut discarded) = (0, 0);
    let mut prove_time = Duration::ZERO;
    let mut cpu = Some(Duration::ZERO);
    for (c, class) in prepared.plan.iter().enumerate() {
        let (ipa, pk) =
            load_proving_key(&params, class, &options.cache_dir, &mut timings, &announce)?;
        let started = Instant::now();
        let cpu_started = ProcessTime::try_now().ok();
        let members: Vec<(usize, &PreparedBatch)> = prepared
            .batches
            .iter()
            .enumerate()
            .filter(|(i, _)| prepared.layout.batches[*i].class == c)
            .collect();
        let proven = prove_batches(
            &members,
            class.k,
            &ipa,
            &pk,
            &|i| paths.proof(i),
            &options.progress,
        )?;
        prove_time += started.elapsed();
        cpu = match (cpu, cpu_started.and_then(|t| t.try_elapsed().ok())) {
            (Some(total), Some(t)) => Some(total + t),
            _ => None,
        };
        kept += proven.kept;
        discarded += proven.discarded;
        for (i, proof) in proven.proofs {
            proofs[i] = proof;
        }
    }
    timings.prove = prove_time;
    timings.prove_cpu = cpu;
    let resumed = resuming.then_some(Resumed {
        kept,
        batches: batch_count,
        discarded,
        temp_files,
    });

    let started = Instant::now();
    let (manifest, leaves) = finish_bundle(&paths, &prepared, &secret)?;
    timings.write = started.elapsed();
    Ok(ProvenSnapshot {
        manifest,
        proofs,
        layout: prepared.layout,
        leaves,
        totals: prepared.totals,
        plan: prepared.plan,
        timings,
        resumed,
    })
}
