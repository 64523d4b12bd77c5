//! Proving on many machines (SPEC §10): `plan` writes a job directory, workers prove fixed shards
//! of its batches, `assemble` checks every proof and writes the bundle. The stages are those of
//! [`crate::prove::prove_snapshot`] ([`plan_snapshot`], [`prepare_snapshot`], [`prove_batches`],
//! [`finish_bundle`]), so a bundle assembled from any number of shards has the same manifest, byte
//! for byte, as `prove`'s with the same secret.
//!
//! ```text
//! JOB/                      owner-only (0700)
//! JOB/plan.json             batch count, the size classes and their k, the challenges, the inputs'
//!                           digests and every batch's class and statement (batch root,
//!                           commitments): nothing about any account
//! JOB/private/secret        the venue's secret (0600)
//! JOB/private/config.json   the validated configuration (0600)
//! JOB/private/accounts.json the validated accounts, in units (0600; for `assemble`)
//! JOB/private/batches/batch-NNNNNN.json   one batch's accounts (leaf order, with salts) and the
//!                           running totals and bucket sum before it (0600): all a worker needs
//! JOB/proofs/batch-NNNNNN.proof   worker outputs, each written atomically
//! ```
//!
//! A worker reads `plan.json`, the configuration, the secret and the input files of its own
//! batches only, so its memory and start-up do not grow with the snapshot. It rebuilds each batch's
//! tree and witness and checks that it derived exactly the statement in `plan.json`, so a worker
//! with another binary or edited inputs stops before it proves anything. Workers write only proof
//! files; they print no account id or salt. `assemble` re-derives the whole snapshot from
//! `private/accounts.json` (it writes the bundle's private files, as `prove` does).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use marginproof_circuits::circuit::batch::{AccountSlot, PreparedBatch, RunningTotals};
use marginproof_circuits::config::RiskConfigFile;
use marginproof_circuits::field::fp_to_hex;
use marginproof_circuits::hash::id_hash;
use marginproof_circuits::model::buckets::BucketChallenges;
use marginproof_circuits::model::{AccountRecord, MarginUnit, RecordInUnits};
use marginproof_circuits::statement::{read_fp, Manifest, SizeClass, TotalsFile, FORMAT_VERSION};
use marginproof_circuits::RiskParams;
use marginproof_storage::keys::load_or_create_batch_vk;
use marginproof_storage::{read_limited, write_atomic, StoreError};
use marginproof_verifier::bundle::{verify_batch_proof, BundleError, MAX_PROOF_BYTES};
use marginproof_verifier::params::MAX_K;
use marginproof_verifier::params_cache::load_or_create_params;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bundle::{create_bundle_dirs, create_dir, json};
use crate::error::ProveError;
use crate::job::JobFile;
use crate::plan::{plan_for, SEQUENTIAL_FROM_K};
use crate::progress::ProgressSink;
use crate::prove::{
    classes_of, finish_bundle, load_proving_key, plan_of_classes, plan_snapshot, prepare_snapshot,
    prove_batches, ClassPlan, PreparedSnapshot, SecretChoice, StageTimings,
};
use crate::secret::VenueSecret;

/// Largest `plan.json` read (about 200 bytes per batch).
const MAX_PLAN_BYTES: u64 = 1 << 30;
/// Largest private input file of a job read.
const MAX_PRIVATE_BYTES: u64 = 16 << 30;

/// A shard: `index` of `count` workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This worker, `0..count`.
    pub index: usize,
    /// Number of workers.
    pub count: usize,
}

impl Shard {
    /// The batches of this shard among `batches`: a contiguous, fixed range, so two workers never
    /// write the same file and every batch has one worker; shards beyond the batches are empty.
    pub fn batches(&self, batches: usize) -> Vec<usize> {
        let at = |i: usize| (i as u128 * batches as u128 / self.count as u128) as usize;
        (at(self.index)..at(self.index + 1)).collect()
    }

    /// The shard of worker `index` (from `JOB_COMPLETION_INDEX` or `SLURM_ARRAY_TASK_ID`) of
    /// `count`.
    pub fn new(index: usize, count: usize) -> Result<Shard, ProveError> {
        if count == 0 || index >= count {
            return Err(ProveError::BadOption(format!(
                "shard {index}/{count}: the shard index must be 0 to {}",
                count.saturating_sub(1)
            )));
        }
        Ok(Shard { index, count })
    }
}

impl FromStr for Shard {
    type Err = ProveError;
    /// `I/N`.
    fn from_str(text: &str) -> Result<Shard, ProveError> {
        let bad = || ProveError::BadOption(format!("--shard {text}: expected I/N, e.g. 0/4"));
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        Shard::new(
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        )
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One batch's statement in `plan.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedBatch {
    /// Index of its class in [`PlanFile::classes`].
    pub class: usize,
    /// Batch root (hex).
    pub root: String,
    /// `C_i` (hex).
    pub totals_before: String,
    /// `C_{i+1}` (hex).
    pub totals_after: String,
}

/// `JOB/plan.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// The job: format version, the inputs' digests, batch size, the secret's fingerprint (the
    /// same record `prove` keeps in `private/job.json`).
    pub job: JobFile,
    /// Batch proofs.
    pub batch_count: usize,
    /// The size classes and the circuit size of each.
    pub classes: Vec<PlannedClass>,
    /// The snapshot's bucket challenges `(r, ρ, γ)` (hex), public inputs of every batch.
    pub challenges: [String; 3],
    /// Every batch's statement, in order.
    pub batches: Vec<PlannedBatch>,
}

/// One size class in `plan.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedClass {
    /// Slot shape and batch size.
    pub class: SizeClass,
    /// Circuit size of its proofs.
    pub k: u32,
}

/// A job directory's paths.
#[derive(Debug, Clone)]
pub struct JobPaths {
    /// The job directory.
    pub root: PathBuf,
}

impl JobPaths {
    /// The paths of the job at `root`.
    pub fn new(root: &Path) -> Self {
        JobPaths {
            root: root.to_path_buf(),
        }
    }
    /// `plan.json`.
    pub fn plan(&self) -> PathBuf {
        self.root.join("plan.json")
    }
    /// `private/`.
    pub fn private(&self) -> PathBuf {
        self.root.join("private")
    }
    /// `private/secret`.
    pub fn secret(&self) -> PathBuf {
        self.private().join("secret")
    }
    /// `private/config.json`.
    pub fn config(&self) -> PathBuf {
        self.private().join("config.json")
    }
    /// `private/accounts.json`.
    pub fn accounts(&self) -> PathBuf {
        self.private().join("accounts.json")
    }
    /// `private/batches/`.
    pub fn batch_inputs(&self) -> PathBuf {
        self.private().join("batches")
    }
    /// Batch `index`'s input file.
    pub fn batch_input(&self, index: usize) -> PathBuf {
        self.batch_inputs().join(format!("batch-{index:06}.json"))
    }
    /// `proofs/`.
    pub fn proofs(&self) -> PathBuf {
        self.root.join("proofs")
    }
    /// Batch `index`'s proof.
    pub fn proof(&self, index: usize) -> PathBuf {
        self.proofs().join(format!("batch-{index:06}.proof"))
    }
}

/// One account in `JOB/private/accounts.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobAccount {
    account_id: String,
    #[serde(default, skip_serializing_if = "MarginUnit::is_cross")]
    margin_unit: MarginUnit,
    record: RecordInUnits,
}

/// One account of a batch input file, in leaf order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchAccount {
    account_id: String,
    #[serde(default, skip_serializing_if = "MarginUnit::is_cross")]
    margin_unit: MarginUnit,
    salt: String,
    record: RecordInUnits,
}

/// `JOB/private/batches/batch-NNNNNN.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchInput {
    /// The batch's accounts in leaf order (the rest of the batch is padding).
    accounts: Vec<BatchAccount>,
    /// The running totals before the batch.
    totals_before: TotalsFile,
    /// The running bucket sum before the batch (hex).
    bucket_sum_before: String,
}

/// Why `assemble` refuses a job's proofs.
#[derive(Debug, Error)]
pub enum AssembleError {
    /// A batch has no proof file.
    #[error("batch {batch}: no proof ({path}); run the worker of its shard again")]
    Missing {
        /// Batch index.
        batch: usize,
        /// Where it should be.
        path: String,
    },
    /// A batch's proof does not verify against its statement (another job's, another batch's,
    /// truncated or damaged).
    #[error("{0}; run the worker of its shard again (it keeps the proofs that verify)")]
    Invalid(BundleError),
    /// Anything else (the job directory, the inputs, the keys, writing the bundle).
    #[error(transparent)]
    Prove(#[from] ProveError),
}

/// A job loaded from its directory and prepared again.
#[derive(Debug)]
pub struct LoadedJob {
    /// `plan.json`.
    pub plan: PlanFile,
    /// The batches, re-derived and checked against `plan.json`.
    pub prepared: PreparedSnapshot,
    /// The secret.
    pub secret: VenueSecret,
    /// Stage times of the re-derivation.
    pub timings: StageTimings,
}

fn corrupt(path: &Path, problem: impl fmt::Display) -> ProveError {
    ProveError::BadJob {
        path: path.display().to_string(),
        problem: problem.to_string(),
    }
}

fn planned_batches(prepared: &PreparedSnapshot) -> Vec<PlannedBatch> {
    prepared
        .batches
        .iter()
        .zip(&prepared.layout.batches)
        .map(|(b, l)| PlannedBatch {
            class: l.class,
            root: fp_to_hex(&b.statement.batch_root),
            totals_before: fp_to_hex(&b.statement.totals_before),
            totals_after: fp_to_hex(&b.statement.totals_after),
        })
        .collect()
}

/// `marginproof plan`: validates and prepares everything but the proofs, and writes the job
/// directory `out` (which must not exist; its parent must). Returns what was planned.
pub fn plan_job(
    out: &Path,
    params: Arc<RiskParams>,
    records: Vec<AccountRecord>,
    secret: SecretChoice,
    batch_size: Option<usize>,
    max_classes: usize,
    cache_dir: &Path,
) -> Result<(PlanFile, StageTimings), ProveError> {
    let mut timings = StageTimings::default();
    let started = Instant::now();
    let planned = plan_snapshot(&params, &records, batch_size, max_classes, cache_dir)?;
    timings.plan = started.elapsed();
    if out.exists() {
        return Err(ProveError::BadOption(format!(
            "{}: already exists; plan writes a new job directory",
            out.display()
        )));
    }
    let (secret, generated) = match secret {
        SecretChoice::Given(secret) => (secret, false),
        SecretChoice::Generate => (VenueSecret::generate(), true),
    };
    let job = JobFile::new(
        &params,
        &records,
        batch_size,
        &classes_of(&planned),
        &secret,
        generated,
    );
    let accounts: Vec<JobAccount> = records
        .iter()
        .map(|r| JobAccount {
            account_id: r.id.clone(),
            margin_unit: r.unit.clone(),
            record: r.to_units(&params),
        })
        .collect();
    let config = params.file.clone();
    let prepared = prepare_snapshot(params, records, &secret, &planned, &mut timings, &|_, _| {})?;
    let plan = plan_file(job, &prepared);

    let paths = JobPaths::new(out);
    create_dir(out, true)?;
    create_dir(&paths.private(), true)?;
    create_dir(&paths.batch_inputs(), true)?;
    create_dir(&paths.proofs(), true)?;
    secret.write(&paths.secret())?;
    write_atomic(&paths.config(), &json(&config), true)?;
    write_atomic(&paths.accounts(), &json(&accounts), true)?;
    let params = &prepared.layout.params;
    let zero = RunningTotals::zero(params);
    for i in 0..prepared.batches.len() {
        let before = match i {
            0 => &zero,
            _ => &prepared.batches[i - 1].after,
        };
        let input = BatchInput {
            accounts: prepared
                .layout
                .batch(i)
                .iter()
                .map(|slot| BatchAccount {
                    account_id: slot.record.id.clone(),
                    margin_unit: slot.record.unit.clone(),
                    salt: fp_to_hex(&slot.salt),
                    record: slot.record.to_units(params),
                })
                .collect(),
            totals_before: TotalsFile::from_totals(&before.totals, params),
            bucket_sum_before: fp_to_hex(&before.bucket_sum),
        };
        write_atomic(&paths.batch_input(i), &json(&input), true)?;
    }
    // Last: a job directory without plan.json is not a job.
    write_atomic(&paths.plan(), &json(&plan), true)?;
    Ok((plan, timings))
}

fn plan_file(job: JobFile, prepared: &PreparedSnapshot) -> PlanFile {
    let challenges = prepared
        .batches
        .first()
        .map(|b| b.statement.challenges)
        .map(|c| [fp_to_hex(&c.r), fp_to_hex(&c.rho), fp_to_hex(&c.gamma)])
        .unwrap_or_default();
    PlanFile {
        job,
        batch_count: prepared.batches.len(),
        classes: prepared
            .plan
            .iter()
            .map(|c| PlannedClass {
                class: c.class,
                k: c.k,
            })
            .collect(),
        challenges,
        batches: planned_batches(prepared),
    }
}

/// Reads a job directory and derives its batches again; refuses a job whose inputs or derived
/// statements differ from `plan.json` (another binary, edited files).
pub fn load_job(dir: &Path) -> Result<LoadedJob, ProveError> {
    let paths = JobPaths::new(dir);
    let plan_path = paths.plan();
    let (plan, params, secret) = load_plan(dir)?;
    let accounts_path = paths.accounts();
    let bytes =
        read_limited(&accounts_path, MAX_PRIVATE_BYTES).map_err(|e| corrupt(&accounts_path, e))?;
    let accounts: Vec<JobAccount> =
        marginproof_verifier::json::from_slice(&bytes).map_err(|e| corrupt(&accounts_path, e))?;
    let records = accounts
        .iter()
        .map(|a| {
            AccountRecord::from_units(&a.account_id, &a.record, &params)
                .map(|r| r.in_unit(a.margin_unit.clone()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt(&accounts_path, e))?;
    let job = JobFile::new(
        &params,
        &records,
        plan.job.batch_size,
        &plan.job.classes,
        &secret,
        plan.job.secret_generated,
    );
    if let Some(field) = plan.job.mismatch(&job) {
        return Err(corrupt(
            &plan_path,
            format!("{field} differs from the job's private files"),
        ));
    }
    let mut timings = StageTimings::default();
    let started = Instant::now();
    let planned = plan_of_classes(&params, &records, &plan.job.classes)?;
    timings.plan = started.elapsed();
    let prepared = prepare_snapshot(params, records, &secret, &planned, &mut timings, &|_, _| {})?;
    let derived = plan_file(plan.job.clone(), &prepared);
    if derived != plan {
        let what = if derived.classes != plan.classes {
            "the circuits (classes, k)".to_string()
        } else if derived.challenges != plan.challenges {
            "challenges".to_string()
        } else {
            match derived
                .batches
                .iter()
                .zip(&plan.batches)
                .position(|(a, b)| a != b)
            {
                Some(i) => format!("batch {i}'s statement"),
                None => "the batch count".to_string(),
            }
        };
        return Err(corrupt(
            &plan_path,
            format!("this binary derives another {what} from the job's inputs"),
        ));
    }
    Ok(LoadedJob {
        plan,
        prepared,
        secret,
        timings,
    })
}

/// What a worker did.
#[derive(Debug, Clone)]
pub struct ShardReport {
    /// The shard.
    pub shard: Shard,
    /// Its batches.
    pub batches: Vec<usize>,
    /// Proofs already there that verify, kept.
    pub kept: usize,
    /// Proof files that did not verify, proven again.
    pub discarded: usize,
    /// Stage times (re-derivation, parameters, keys, proving).
    pub timings: StageTimings,
}

/// Reads `plan.json`, the configuration and the secret of the job in `dir`, and checks them
/// against each other (the plan's configuration digest and secret fingerprint).
fn load_plan(dir: &Path) -> Result<(PlanFile, Arc<RiskParams>, VenueSecret), ProveError> {
    let paths = JobPaths::new(dir);
    let plan_path = paths.plan();
    let bytes = read_limited(&plan_path, MAX_PLAN_BYTES).map_err(|e| match e {
        StoreError::Io { source, .. } => corrupt(
            &plan_path,
            format!("{source} (not a job that `marginproof plan` wrote)"),
        ),
        other => corrupt(&plan_path, other),
    })?;
    let plan: PlanFile =
        marginproof_verifier::json::from_slice(&bytes).map_err(|e| corrupt(&plan_path, e))?;
    if plan.job.format_version != FORMAT_VERSION {
        return Err(corrupt(
            &plan_path,
            format!(
                "format_version {}, this binary proves {FORMAT_VERSION}",
                plan.job.format_version
            ),
        ));
    }
    if plan.batches.len() != plan.batch_count {
        return Err(corrupt(
            &plan_path,
            "batch_count differs from the batches listed",
        ));
    }
    let config_path = paths.config();
    let bytes =
        read_limited(&config_path, MAX_PRIVATE_BYTES).map_err(|e| corrupt(&config_path, e))?;
    let config: RiskConfigFile =
        marginproof_verifier::json::from_slice(&bytes).map_err(|e| corrupt(&config_path, e))?;
    let params = Arc::new(RiskParams::from_file(&config).map_err(|e| corrupt(&config_path, e))?);
    if hex::encode(params.digest()) != plan.job.config_digest {
        return Err(corrupt(
            &config_path,
            "the configuration differs from the plan's",
        ));
    }
    let secret = VenueSecret::read(&paths.secret())?;
    if hex::encode(secret.fingerprint()) != plan.job.secret_fingerprint {
        return Err(corrupt(
            &paths.secret(),
            "the secret differs from the plan's",
        ));
    }
    Ok((plan, params, secret))
}

/// Batch `index` of the job from its input file, checked against its statement in the plan.
fn prepare_planned_batch(
    paths: &JobPaths,
    plan: &PlanFile,
    params: &Arc<RiskParams>,
    secret: &VenueSecret,
    index: usize,
) -> Result<PreparedBatch, ProveError> {
    let path = paths.batch_input(index);
    let bytes = read_limited(&path, MAX_PRIVATE_BYTES).map_err(|e| corrupt(&path, e))?;
    let input: BatchInput =
        marginproof_verifier::json::from_slice(&bytes).map_err(|e| corrupt(&path, e))?;
    let slots = input
        .accounts
        .iter()
        .map(|a| {
            Ok(AccountSlot {
                record: AccountRecord::from_units(&a.account_id, &a.record, params)
                    .map_err(|e| corrupt(&path, e))?
                    .in_unit(a.margin_unit.clone()),
                id_hash: id_hash(&a.account_id, &a.margin_unit),
                salt: read_fp("salt", &a.salt).map_err(|e| corrupt(&path, e))?,
            })
        })
        .collect::<Result<Vec<_>, ProveError>>()?;
    let class = plan
        .batches
        .get(index)
        .and_then(|b| plan.classes.get(b.class))
        .ok_or_else(|| corrupt(&paths.plan(), format!("batch {index} names no class")))?
        .class;
    if slots.len() > class.batch_size {
        return Err(corrupt(&path, "more accounts than the batch size"));
    }
    let before = RunningTotals {
        totals: input
            .totals_before
            .to_totals(params)
            .map_err(|e| corrupt(&path, e))?,
        bucket_sum: read_fp("bucket_sum_before", &input.bucket_sum_before)
            .map_err(|e| corrupt(&path, e))?,
    };
    let challenge = |n: usize| {
        read_fp(&format!("challenges[{n}]"), &plan.challenges[n])
            .map_err(|e| corrupt(&paths.plan(), e))
    };
    let challenges = BucketChallenges {
        r: challenge(0)?,
        rho: challenge(1)?,
        gamma: challenge(2)?,
    };
    let secrets = secret.batch_secrets(&params.snapshot_id, index, slots.len(), class.batch_size);
    let batch = PreparedBatch::new(params.clone(), class, &slots, &before, challenges, &secrets)
        .map_err(|e| corrupt(&path, e))?;
    let derived = PlannedBatch {
        class: plan.batches[index].class,
        root: fp_to_hex(&batch.statement.batch_root),
        totals_before: fp_to_hex(&batch.statement.totals_before),
        totals_after: fp_to_hex(&batch.statement.totals_after),
    };
    if plan.batches.get(index) != Some(&derived) {
        return Err(corrupt(
            &path,
            format!("batch {index}'s input does not give the statement in plan.json"),
        ));
    }
    Ok(batch)
}

/// `marginproof prove-batches`: proves the batches of `shard` of the job in `dir` into
/// `dir/proofs/`, keeping the proofs already there that verify against their statements. Reads
/// only its own batches' inputs.
pub fn prove_shard(
    dir: &Path,
    shard: Shard,
    cache_dir: &Path,
    progress: &ProgressSink,
) -> Result<ShardReport, ProveError> {
    let mut timings = StageTimings::default();
    let started = Instant::now();
    let (plan, params, secret) = load_plan(dir)?;
    let paths = JobPaths::new(dir);
    let batches = shard.batches(plan.batch_count);
    if batches.is_empty() {
        return Ok(ShardReport {
            shard,
            batches,
            kept: 0,
            discarded: 0,
            timings,
        });
    }
    // Class by class: one proving key in memory at a time.
    let (mut kept, mut discarded) = (0, 0);
    let mut prove_time = Duration::ZERO;
    for (c, planned) in plan.classes.iter().enumerate() {
        let members: Vec<usize> = batches
            .iter()
            .copied()
            .filter(|&i| plan.batches.get(i).map(|b| b.class) == Some(c))
            .collect();
        if members.is_empty() {
            continue;
        }
        let class = class_plan_of(&paths, &params, planned)?;
        timings.plan += started.elapsed();
        let (ipa, pk) = load_proving_key(&params, &class, cache_dir, &mut timings, &|_, _| {})?;
        // Batches are prepared just before they are proven: from SEQUENTIAL_FROM_K on (proofs one
        // at a time) one batch at a time, so a worker holds one witness whatever its shard's
        // size; below it, the class's whole share at once (small circuits, proven in parallel).
        let chunk = if class.k >= SEQUENTIAL_FROM_K {
            1
        } else {
            members.len()
        };
        let started = Instant::now();
        for part in members.chunks(chunk) {
            let prepared = part
                .par_iter()
                .map(|&i| prepare_planned_batch(&paths, &plan, &params, &secret, i))
                .collect::<Result<Vec<_>, _>>()?;
            let list: Vec<(usize, &PreparedBatch)> = part.iter().copied().zip(&prepared).collect();
            let proven = prove_batches(&list, class.k, &ipa, &pk, &|i| paths.proof(i), progress)?;
            kept += proven.kept;
            discarded += proven.discarded;
        }
        prove_time += started.elapsed();
    }
    timings.prove = prove_time;
    Ok(ShardReport {
        shard,
        batches,
        kept,
        discarded,
        timings,
    })
}

/// A class of `plan.json`, checked before any circuit is laid out for it (a valid slot shape, a
/// batch that can fit the largest circuit), then laid out and checked against its `k`.
fn class_plan_of(
    paths: &JobPaths,
    params: &Arc<RiskParams>,
    planned: &PlannedClass,
) -> Result<ClassPlan, ProveError> {
    let class = planned.class;
    class
        .slots
        .validate(params)
        .map_err(|e| corrupt(&paths.plan(), e))?;
    let rows = class
        .batch_size
        .saturating_mul(2 + class.slots.assets + class.slots.markets);
    if rows > 1 << MAX_K {
        return Err(corrupt(
            &paths.plan(),
            format!("batches of {} cannot fit 2^{MAX_K} rows", class.batch_size),
        ));
    }
    let circuit = plan_for(params, class.slots, class.batch_size)?;
    if circuit.k != planned.k {
        return Err(corrupt(
            &paths.plan(),
            format!(
                "this binary lays the circuit of {} out at k = {}, the plan says {}",
                class.describe(),
                circuit.k,
                planned.k
            ),
        ));
    }
    Ok(ClassPlan {
        class,
        accounts: 0,
        k: circuit.k,
        rows: circuit.rows,
    })
}

/// What `assemble` wrote.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// The manifest.
    pub manifest: Manifest,
    /// Checking every proof.
    pub check: Duration,
}

/// `marginproof assemble`: checks every batch's proof in the job `dir` against its statement
/// (the first missing or failing one is named), then writes the bundle `out` (a new directory)
/// exactly as `prove` does: the proofs, `private/` (the secret if `plan` generated it, the job
/// record, accounts, leaves) and the manifest last.
pub fn assemble_job(dir: &Path, out: &Path, cache_dir: &Path) -> Result<Assembled, AssembleError> {
    if out.exists() {
        return Err(ProveError::BadOption(format!(
            "{}: already exists; assemble writes a new bundle directory",
            out.display()
        ))
        .into());
    }
    let job = load_job(dir)?;
    let paths = JobPaths::new(dir);
    let started = Instant::now();
    // The verifying key only: assembling needs no 1 GB proving key.
    let prepared = &job.prepared;
    let mut keys = Vec::with_capacity(prepared.plan.len());
    for class in &prepared.plan {
        let (ipa, _) = load_or_create_params(cache_dir, class.k).map_err(ProveError::from)?;
        let (vk, _) = load_or_create_batch_vk(
            cache_dir,
            &ipa,
            prepared.layout.params.clone(),
            class.class.slots,
            class.class.batch_size,
        )
        .map_err(|e| ProveError::Proving {
            stage: "verifying key",
            reason: e.to_string(),
        })?;
        keys.push((ipa, vk));
    }
    // Every proof read and checked, in parallel; the first failing batch in batch order is named.
    let checked: Vec<Result<Vec<u8>, AssembleError>> = job
        .prepared
        .batches
        .par_iter()
        .enumerate()
        .map(|(i, batch)| {
            let path = paths.proof(i);
            let bytes = match read_limited(&path, MAX_PROOF_BYTES as u64) {
                Ok(bytes) => bytes,
                Err(StoreError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    return Err(AssembleError::Missing {
                        batch: i,
                        path: path.display().to_string(),
                    })
                }
                Err(e) => {
                    return Err(AssembleError::Invalid(BundleError::ProofFile {
                        batch: i,
                        reason: e.to_string(),
                    }))
                }
            };
            let (ipa, vk) = &keys[prepared.layout.batches[i].class];
            verify_batch_proof(ipa, vk, i, &batch.statement, &bytes)
                .map_err(AssembleError::Invalid)?;
            Ok(bytes)
        })
        .collect();
    let proofs = checked.into_iter().collect::<Result<Vec<_>, _>>()?;
    let check = started.elapsed();
    let bundle = create_bundle_dirs(out)?;
    if job.plan.job.secret_generated {
        job.secret.write(&bundle.secret())?;
    }
    job.plan.job.write(&bundle)?;
    for (i, bytes) in proofs.iter().enumerate() {
        write_atomic(&bundle.proof(i), bytes, false).map_err(ProveError::from)?;
    }
    let (manifest, _) = finish_bundle(&bundle, &job.prepared, &job.secret)?;
    Ok(Assembled { manifest, check })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_batch_once_and_extra_shards_are_empty() {
        for batches in [0, 1, 3, 5, 16] {
            for count in [1, 2, 4, 7] {
                let mut seen: Vec<usize> = (0..count)
                    .flat_map(|i| Shard::new(i, count).expect("shard").batches(batches))
                    .collect();
                seen.sort_unstable();
                assert_eq!(
                    seen,
                    (0..batches).collect::<Vec<_>>(),
                    "{batches} / {count}"
                );
            }
        }
        assert!(Shard::new(3, 3).is_err());
        assert!(Shard::new(0, 0).is_err());
        assert_eq!(
            "2/7".parse::<Shard>().expect("shard"),
            Shard { index: 2, count: 7 }
        );
        assert!("2".parse::<Shard>().is_err());
        assert!("-1/3".parse::<Shard>().is_err());
    }
}
