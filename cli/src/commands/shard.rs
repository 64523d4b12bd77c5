//! `marginproof plan`, `prove-batches` and `assemble`: proving on many machines (SPEC §10).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use marginproof_prover::input::{load_accounts, load_config};
use marginproof_prover::prove::SecretChoice;
use marginproof_prover::secret::VenueSecret;
use marginproof_prover::shard::{assemble_job, plan_job, prove_shard, AssembleError, Shard};

use crate::commands::prove::{secs, SnapshotInputs};
use crate::outcome::{finish, OrExit, Outcome};
use crate::CacheArgs;

/// Arguments of `plan`.
#[derive(clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    inputs: SnapshotInputs,
    /// The job directory to write (new; owner-only).
    #[arg(long)]
    out: PathBuf,
    /// Where keys are cached (the plan counts generating the keys that are not).
    #[command(flatten)]
    cache: CacheArgs,
}

/// Runs `plan`.
pub fn plan(args: PlanArgs) -> Outcome {
    finish((|| {
        let inputs = &args.inputs;
        let params = Arc::new(load_config(&inputs.config).unusable()?);
        let records = load_accounts(&inputs.accounts, &params).unusable()?;
        let secret = match &inputs.secret_file {
            Some(path) => SecretChoice::Given(VenueSecret::read(path).unusable()?),
            None => SecretChoice::Generate,
        };
        let (plan, timings) = plan_job(
            &args.out,
            params,
            records,
            secret,
            inputs.batch_size,
            inputs.classes,
            &args.cache.dir(),
        )
        .unusable()?;
        println!(
            "planned {} batches in {} size classes in {}",
            plan.batch_count,
            plan.classes.len(),
            args.out.display()
        );
        for (c, p) in plan.classes.iter().enumerate() {
            let batches = plan.batches.iter().filter(|b| b.class == c).count();
            println!(
                "  class {c}: {} asset and {} position slots, {} per proof (k = {}): {batches} batches",
                p.class.slots.assets, p.class.slots.markets, p.class.batch_size, p.k
            );
        }
        println!(
            "  plan {}, shuffle + salts {}, tree {}, witness {}",
            secs(timings.plan),
            secs(timings.layout),
            secs(timings.tree),
            secs(timings.witness)
        );
        Ok(())
    })())
}

/// Arguments of `prove-batches`.
#[derive(clap::Args)]
pub struct ProveBatchesArgs {
    /// The job directory (`marginproof plan`).
    job: PathBuf,
    /// This worker's shard, `I/N` (I in 0..N).
    #[arg(
        long,
        conflicts_with = "shard_from_env",
        required_unless_present = "shard_from_env"
    )]
    shard: Option<Shard>,
    /// N workers, this one's index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
    /// SLURM_ARRAY_TASK_ID (Slurm job array).
    #[arg(long, value_name = "N")]
    shard_from_env: Option<usize>,
    /// Show a progress bar.
    #[arg(long)]
    progress: bool,
    #[command(flatten)]
    cache: CacheArgs,
}

/// The shard of `--shard-from-env N`.
fn shard_from_env(count: usize) -> Result<Shard, Outcome> {
    for var in ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"] {
        if let Ok(text) = std::env::var(var) {
            let index = text.trim().parse::<usize>().map_err(|_| {
                Outcome::Unusable(anyhow::anyhow!("{var}={text}: not a shard index"))
            })?;
            return Shard::new(index, count).unusable();
        }
    }
    Err(Outcome::Unusable(anyhow::anyhow!(
        "--shard-from-env: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"
    )))
}

/// Runs `prove-batches`.
pub fn prove_batches(args: ProveBatchesArgs) -> Outcome {
    finish((|| {
        let shard = match (args.shard, args.shard_from_env) {
            (Some(shard), _) => shard,
            (None, Some(count)) => shard_from_env(count)?,
            (None, None) => {
                return Err(Outcome::Unusable(anyhow::anyhow!(
                    "give --shard I/N or --shard-from-env N"
                )))
            }
        };
        let report = prove_shard(
            &args.job,
            shard,
            &args.cache.dir(),
            &crate::progress::drawn(args.progress),
        )
        .unusable()?;
        let t = &report.timings;
        match (report.batches.first(), report.batches.last()) {
            (Some(first), Some(last)) => println!(
                "shard {}: batches {first}..={last}: proved {}, kept {} (discarded {})",
                report.shard,
                report.batches.len() - report.kept,
                report.kept,
                report.discarded
            ),
            _ => println!(
                "shard {}: no batches (more shards than batches)",
                report.shard
            ),
        }
        println!(
            "  check the plan {}, params {}{}, keys {}{}, rebuild and prove {}",
            secs(t.plan),
            secs(t.params),
            t.params_source.describe(),
            secs(t.keygen),
            t.keys_source.describe(),
            secs(t.prove)
        );
        Ok(())
    })())
}

/// Arguments of `assemble`.
#[derive(clap::Args)]
pub struct AssembleArgs {
    /// The job directory (`marginproof plan`), every shard proven.
    job: PathBuf,
    /// The bundle directory to write (new).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    cache: CacheArgs,
}

/// Runs `assemble`: exit 1 naming the batch if a proof is missing or does not verify.
pub fn assemble(args: AssembleArgs) -> Outcome {
    finish((|| {
        let assembled =
            assemble_job(&args.job, &args.out, &args.cache.dir()).map_err(|e| match e {
                AssembleError::Prove(e) => Outcome::Unusable(e.into()),
                rejected => Outcome::Rejected(rejected.into()),
            })?;
        println!(
            "assembled {} batch proofs into {} (checked in {}); root {}",
            assembled.manifest.batch_count,
            Path::new(&args.out).display(),
            secs(assembled.check),
            assembled.manifest.root
        );
        Ok(())
    })())
}
