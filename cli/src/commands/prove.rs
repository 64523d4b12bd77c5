//! `marginproof prove`: the venue proves a snapshot and writes the bundle.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use marginproof_circuits::decimal::format_decimal;
use marginproof_prover::input::{load_accounts, load_config};
use marginproof_prover::prove::{
    prove_snapshot, ClassPlan, ProveOptions, ProvenSnapshot, SecretChoice,
};
use marginproof_prover::secret::VenueSecret;

use crate::outcome::{finish, OrExit, Outcome};
use crate::CacheArgs;

/// The venue's inputs to a proof, shared by `prove` and `plan`.
#[derive(clap::Args)]
pub struct SnapshotInputs {
    /// Risk configuration (TOML).
    #[arg(long)]
    pub config: PathBuf,
    /// Accounts (CSV).
    #[arg(long)]
    pub accounts: PathBuf,
    /// File with the venue's 32-byte secret; without it a new one is made and kept in `private/`.
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// Accounts per proof (a power of two), in one size class holding every account [default:
    /// size classes and batch sizes chosen per snapshot, see README "Size classes"]
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// At most this many size classes (1: one slot shape for every account)
    #[arg(long, default_value_t = marginproof_prover::prove::MAX_CLASSES, value_parser = class_count)]
    pub classes: usize,
}

/// Arguments of `prove`.
#[derive(clap::Args)]
pub struct ProveArgs {
    #[command(flatten)]
    inputs: SnapshotInputs,
    /// Output bundle directory: a new one, or one an interrupted `prove` of the same inputs left
    /// (it is resumed).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    cache: CacheArgs,
}

/// `--classes N`: 1 to [`marginproof_prover::prove::MAX_CLASSES`].
fn class_count(text: &str) -> Result<usize, String> {
    let max = marginproof_prover::prove::MAX_CLASSES;
    match text.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected 1 to {max}")),
    }
}

/// How to plan the classes and batches: `--batch-size` and `--classes`.
#[derive(Debug, Clone, Copy)]
pub struct Planning {
    /// `--batch-size`.
    pub batch_size: Option<usize>,
    /// `--classes`.
    pub max_classes: usize,
}

/// What a prove run did, for the summary.
pub struct ProveRun {
    /// The proven snapshot.
    pub proven: ProvenSnapshot,
    /// Time to load and validate the input files.
    pub load: Duration,
}

/// Loads, proves and writes (or resumes an interrupted run in `out`); every error exits 2: venue
/// input, options, an output directory that is complete or another job's, proving failures.
pub fn prove_files(
    config: &Path,
    accounts: &Path,
    out: &Path,
    secret_file: Option<&Path>,
    planning: Planning,
    cache_dir: PathBuf,
    progress: bool,
) -> Result<ProveRun, Outcome> {
    let started = Instant::now();
    let params = Arc::new(load_config(config).unusable()?);
    let records = load_accounts(accounts, &params).unusable()?;
    let load = started.elapsed();
    if progress {
        // The same form as the prover's stage lines that follow.
        eprintln!("{:<22}{:>10.3} s", "load + validate", load.as_secs_f64());
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|p| !p.is_dir()) {
        return Err(Outcome::Unusable(anyhow::anyhow!(
            "{}: the output's parent directory does not exist",
            parent.display()
        )));
    }
    let secret = match secret_file {
        Some(path) => SecretChoice::Given(VenueSecret::read(path).unusable()?),
        None => SecretChoice::Generate,
    };
    let options = ProveOptions {
        batch_size: planning.batch_size,
        max_classes: planning.max_classes,
        cache_dir,
        progress: crate::progress::drawn(progress),
    };
    let proven = prove_snapshot(out, params, records, secret, &options).unusable()?;
    Ok(ProveRun { proven, load })
}

/// One line per size class: slots, batch size, circuit size, accounts and batches.
pub fn class_lines(plan: &[ClassPlan]) -> Vec<String> {
    plan.iter()
        .enumerate()
        .map(|(c, p)| {
            format!(
                "class {c}: {} asset and {} position slots, {} per proof (k = {}): {} accounts in {} batches",
                p.class.slots.assets,
                p.class.slots.markets,
                p.class.batch_size,
                p.k,
                p.accounts,
                p.batches()
            )
        })
        .collect()
}

/// Seconds with millisecond precision.
pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// The summary printed after proving.
pub fn print_summary(run: &ProveRun, out: &Path) {
    let p = &run.proven;
    let t = &p.timings;
    let m = &p.manifest;
    let accounts = p.layout.slots.len();
    println!("proved {accounts} accounts in {} batches", m.batch_count);
    for line in class_lines(&p.plan) {
        println!("  {line}");
    }
    if let Some(r) = &p.resumed {
        println!(
            "resumed: kept {} of {} batch proofs ({} did not verify and were proven again, {} temporary files removed)",
            r.kept, r.batches, r.discarded, r.temp_files
        );
    }
    println!("  load + validate   {}", secs(run.load));
    println!(
        "  plan              {} ({} size classes)",
        secs(t.plan),
        m.classes.len()
    );
    println!("  shuffle + salts   {}", secs(t.layout));
    println!("  tree (leaves)     {}", secs(t.tree));
    println!("  witness           {}", secs(t.witness));
    println!(
        "  params            {}{}",
        secs(t.params),
        t.params_source.describe()
    );
    println!(
        "  keys (vk + pk)    {}{}",
        secs(t.keygen),
        t.keys_source.describe()
    );
    if p.resumed.is_some() {
        println!("  check kept proofs {}", secs(t.check));
    }
    println!(
        "  prove             {} ({} batches)",
        secs(t.prove),
        m.batch_count - p.resumed.map_or(0, |r| r.kept)
    );
    println!("  write bundle      {}", secs(t.write));
    let proof_bytes: usize = p.proofs.iter().map(Vec::len).sum();
    println!(
        "  proof bytes       {proof_bytes} ({} per proof)",
        proof_bytes / p.proofs.len().max(1)
    );
    println!("root   {}", m.root);
    println!(
        "equity owed {} USD, bad debt {} USD, {} liquidatable, {} bankrupt",
        format_decimal(&p.totals.equity, 18),
        format_decimal(&p.totals.bad_debt, 18),
        p.totals.liquidatable,
        p.totals.bankrupt
    );
    println!("bundle {}", out.display());
}

/// Runs `prove`.
pub fn run(args: ProveArgs) -> Outcome {
    finish((|| {
        let run = prove_files(
            &args.inputs.config,
            &args.inputs.accounts,
            &args.out,
            args.inputs.secret_file.as_deref(),
            Planning {
                batch_size: args.inputs.batch_size,
                max_classes: args.inputs.classes,
            },
            args.cache.dir(),
            true,
        )?;
        print_summary(&run, &args.out);
        Ok(())
    })())
}
