//! `marginproof bench`: what a venue of a given shape costs, per account. Generates a synthetic
//! venue, warms the parameter cache, proves it with the `prove` command's code, verifies the
//! bundle as the auditor does (batched and one by one), and times one user's inclusion check as a
//! separate `marginproof verify-inclusion` process (started through the hidden `measure-process`
//! command, see [`measure_process`]). The figures are printed by
//! [`bench_table`](super::bench_table).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use marginproof_circuits::config::RiskConfigFile;
use marginproof_circuits::model::MarginMode;
use marginproof_prover::generate::GenerateOptions;
use marginproof_prover::input::{load_accounts, load_config};
use marginproof_prover::prove::plan_snapshot;
use marginproof_verifier::bundle::ProofCheck;
use marginproof_verifier::params_cache::load_or_create_params;

use crate::commands::bench_table::{ClassFigures, Figures, Stages};
use crate::commands::generate::{fraction_ppm, whales_ppm, write_venue};
use crate::commands::inclusion::write_inclusion;
use crate::commands::prove::{prove_files, Planning};
use crate::commands::verify::verify_dir_with;
use crate::outcome::{finish, OrExit, Outcome};
use crate::write::write_atomically;
use crate::CacheArgs;

/// Arguments of `bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Number of assets of the synthetic venue.
    #[arg(long)]
    assets: usize,
    /// Number of perpetual markets of the synthetic venue.
    #[arg(long)]
    markets: usize,
    /// Number of synthetic accounts.
    #[arg(long)]
    accounts: usize,
    /// Accounts per proof (a power of two), one class for all [default: as `prove`]
    #[arg(long)]
    batch_size: Option<usize>,
    /// At most this many size classes (1: one slot shape for every account) [default: as `prove`]
    #[arg(long, default_value_t = marginproof_prover::prove::MAX_CLASSES)]
    classes: usize,
    /// A long tail: this fraction of the accounts hold 10 to 50 assets and up to 8 positions,
    /// and one market maker holds every asset and market (0 to 1, e.g. 0.02)
    #[arg(long, default_value_t = 0.0)]
    whales: f64,
    /// Stress scenarios to configure and prove, 0 to 8 (SPEC §7)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=8))]
    scenarios: u8,
    /// Configure and prove the margin-ratio distribution (SPEC §7)
    #[arg(long)]
    distribution: bool,
    /// This fraction of the units are portfolio-margin units (0 to 1, e.g. 0.05; SPEC §12)
    #[arg(long, default_value_t = 0.0)]
    portfolio: f64,
    /// Shocks of the portfolio-margin grid, 0 to 16 (0: none, or 8 with `--portfolio`)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=16))]
    shocks: u8,
    /// Judge every unit of the same book by the standard model, without `[portfolio_margin]`
    /// (the baseline of `--portfolio F`)
    #[arg(long)]
    standard: bool,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
    /// Keep the venue, bundle and inclusion file in DIR (a new or empty directory) instead of a
    /// temporary directory that is removed.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    #[command(flatten)]
    cache: CacheArgs,
}

/// Whose resource usage to read.
#[derive(Debug, Clone, Copy)]
enum Usage {
    /// This process.
    Own,
    /// The children it has waited for.
    Children,
}

/// Peak resident set size in KiB (`getrusage`'s `ru_maxrss`); `None` where unavailable.
#[cfg(unix)]
fn peak_rss_kib(who: Usage) -> Option<u64> {
    let who = match who {
        Usage::Own => libc::RUSAGE_SELF,
        Usage::Children => libc::RUSAGE_CHILDREN,
    };
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` only writes a `rusage` through the pointer, which is valid for that
    // write; the all-zero bit pattern is a valid `rusage` besides.
    let rc = unsafe { libc::getrusage(who, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: initialised (zeroed, then filled by a successful `getrusage`).
    let usage = unsafe { usage.assume_init() };
    let raw = u64::try_from(usage.ru_maxrss).ok()?;
    // Linux reports KiB, macOS bytes.
    Some(if cfg!(target_os = "macos") {
        raw / 1024
    } else {
        raw
    })
}

#[cfg(not(unix))]
fn peak_rss_kib(_: Usage) -> Option<u64> {
    None
}

/// The working directory: `--keep DIR` (created, must be empty) or a temporary one.
enum WorkDir {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl WorkDir {
    fn new(keep: Option<&Path>) -> anyhow::Result<WorkDir> {
        match keep {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
                let mut entries =
                    std::fs::read_dir(dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
                if entries.next().is_some() {
                    return Err(anyhow!(
                        "--keep {}: the directory is not empty",
                        dir.display()
                    ));
                }
                Ok(WorkDir::Kept(dir.to_path_buf()))
            }
            None => tempfile::Builder::new()
                .prefix("marginproof-bench-")
                .tempdir()
                .map(WorkDir::Temporary)
                .map_err(|e| anyhow!("cannot create a temporary directory: {e}")),
        }
    }

    fn path(&self) -> &Path {
        match self {
            WorkDir::Kept(dir) => dir,
            WorkDir::Temporary(dir) => dir.path(),
        }
    }
}

/// Arguments of the hidden `measure-process` command, which `bench` runs to measure a process.
#[derive(clap::Args)]
pub struct MeasureProcessArgs {
    /// Where to write the measurement (JSON: `wall_ns`, `peak_rss_kib`).
    #[arg(long)]
    out: PathBuf,
    /// The `marginproof` arguments to run.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
    args: Vec<OsString>,
}

/// Runs `marginproof ARGS` as a child, standard streams inherited, and writes how long it took
/// from start to exit and its peak resident set. Linux counts in a child's peak resident set that
/// of the process it was started from (exec records the old address space's peak), so `bench`,
/// which is large by then, starts this small process to start the one it measures: the figure is
/// at most this process's few MiB above the child's own.
pub fn measure_process(args: MeasureProcessArgs) -> Outcome {
    finish((|| {
        let exe = current_exe().unusable()?;
        let started = Instant::now();
        let status = Command::new(&exe)
            .args(&args.args)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| anyhow!("{}: {e}", exe.display()))
            .unusable()?;
        let wall = started.elapsed();
        let json = serde_json::json!({
            "wall_ns": u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX),
            "peak_rss_kib": peak_rss_kib(Usage::Children),
            "exit_code": status.code(),
        });
        std::fs::write(&args.out, json.to_string())
            .map_err(|e| anyhow!("{}: {e}", args.out.display()))
            .unusable()?;
        if status.success() {
            Ok(())
        } else {
            Err(Outcome::Rejected(anyhow!(
                "the measured process ended with {status}"
            )))
        }
    })())
}

/// This executable (`marginproof`).
fn current_exe() -> anyhow::Result<PathBuf> {
    std::env::current_exe().map_err(|e| anyhow!("cannot find the marginproof binary: {e}"))
}

/// How the separate inclusion-check process went.
struct ProcessFigures {
    /// From its start to its verdict.
    wall: Duration,
    /// Its peak resident set, KiB.
    peak_rss_kib: Option<u64>,
}

/// Runs `marginproof verify-inclusion PROOF --manifest MANIFEST --json` as a separate process
/// (started by `measure-process`), checks that it says valid, and returns its figures.
fn inclusion_process(
    proof: &Path,
    manifest: &Path,
    work: &Path,
) -> Result<ProcessFigures, Outcome> {
    let exe = current_exe().unusable()?;
    let figures_path = work.join("inclusion-process.json");
    let output = Command::new(&exe)
        .arg("measure-process")
        .arg("--out")
        .arg(&figures_path)
        .arg("--")
        .arg("verify-inclusion")
        .arg(proof)
        .arg("--manifest")
        .arg(manifest)
        .arg("--json")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| anyhow!("{}: {e}", exe.display()))
        .unusable()?;
    let verdict: Option<serde_json::Value> = serde_json::from_slice(&output.stdout).ok();
    let valid = verdict
        .as_ref()
        .and_then(|v| v.get("valid"))
        .and_then(serde_json::Value::as_bool);
    if !output.status.success() || valid != Some(true) {
        return Err(Outcome::Rejected(anyhow!(
            "verify-inclusion {}: {} {}",
            proof.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = std::fs::read_to_string(&figures_path)
        .map_err(|e| anyhow!("{}: {e}", figures_path.display()))
        .unusable()?;
    let figures: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: {e}", figures_path.display()))
        .unusable()?;
    let wall = figures["wall_ns"]
        .as_u64()
        .map(Duration::from_nanos)
        .ok_or_else(|| anyhow!("{}: no `wall_ns`", figures_path.display()))
        .unusable()?;
    Ok(ProcessFigures {
        wall,
        peak_rss_kib: figures["peak_rss_kib"].as_u64(),
    })
}

/// `--standard`: the same book with every unit judged by the standard model, and no
/// `[portfolio_margin]` in the configuration.
fn all_standard(config: &Path, accounts: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(config)?;
    let mut file: RiskConfigFile = toml::from_str(&text)?;
    file.portfolio_margin = None;
    write_atomically(config, &toml::to_string(&file)?)?;
    let text = std::fs::read_to_string(accounts)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let Some(mode) = header.iter().position(|c| *c == "margin_mode") else {
        return Ok(());
    };
    // Generated cells hold no comma: drop the column from every row.
    let drop = |line: &str| {
        line.split(',')
            .enumerate()
            .filter(|(i, _)| *i != mode)
            .map(|(_, c)| c)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out: Vec<String> = vec![drop(&header.join(","))];
    out.extend(lines.map(drop));
    write_atomically(accounts, &(out.join("\n") + "\n"))?;
    Ok(())
}

/// Generates, proves, verifies and checks inclusion; returns the figures.
fn measure(args: &BenchArgs, work: &Path) -> Result<Figures, Outcome> {
    let cache_dir = args.cache.dir();
    let options = GenerateOptions {
        accounts: args.accounts,
        assets: args.assets,
        markets: args.markets,
        seed: args.seed,
        whales_ppm: whales_ppm(args.whales)?,
        scenarios: usize::from(args.scenarios),
        distribution: args.distribution,
        portfolio_ppm: fraction_ppm("--portfolio", args.portfolio)?,
        shocks: usize::from(args.shocks),
    };
    let (config, accounts) = write_venue(&work.join("venue"), &options).unusable()?;
    if args.standard {
        all_standard(&config, &accounts).unusable()?;
    }

    // The circuit of one batch: its rows, its size, and parameters warmed outside the figures.
    let params = Arc::new(load_config(&config).unusable()?);
    let records = load_accounts(&accounts, &params).unusable()?;
    let plan =
        plan_snapshot(&params, &records, args.batch_size, args.classes, &cache_dir).unusable()?;
    drop(records);
    let started = Instant::now();
    let mut generated = false;
    let mut ks: Vec<u32> = plan.iter().map(|c| c.k).collect();
    ks.sort_unstable();
    ks.dedup();
    for k in ks {
        let (_, source) = load_or_create_params(&cache_dir, k).unusable()?;
        generated |= !source.is_cached();
    }
    let params_warm = started.elapsed();

    // Prove: the `prove` command's code.
    let bundle = work.join("bundle");
    let run = prove_files(
        &config,
        &accounts,
        &bundle,
        None,
        Planning {
            batch_size: args.batch_size,
            max_classes: args.classes,
        },
        cache_dir.clone(),
        false,
    )?;
    let proven = &run.proven;
    let t = &proven.timings;

    // Verify: the auditor's code, batched (the default) and one by one.
    let public = bundle.join("public");
    let started = Instant::now();
    let verified = verify_dir_with(&public, Some(&cache_dir), ProofCheck::Batched)?;
    let verify = started.elapsed();
    let started = Instant::now();
    verify_dir_with(&public, Some(&cache_dir), ProofCheck::OneByOne)?;
    let verify_one_by_one = started.elapsed();

    // One user's inclusion check, as a separate process.
    let account = proven
        .layout
        .slots
        .iter()
        .map(|s| s.record.id.clone())
        .min()
        .ok_or_else(|| Outcome::Unusable(anyhow!("--accounts 0: nothing to measure")))?;
    let inclusion = work.join("inclusion.json");
    write_inclusion(&bundle, &account, &inclusion)?;
    let inclusion_check = inclusion_process(&inclusion, &public.join("manifest.json"), work)?;

    let accounts = proven.layout.slots.len();
    Ok(Figures {
        accounts,
        assets: params.assets.len(),
        markets: params.markets.len(),
        whales_ppm: options.whales_ppm,
        scenarios: params.scenarios.len(),
        distribution: params.distribution.is_some(),
        portfolio_units: proven
            .layout
            .slots
            .iter()
            .filter(|s| s.record.mode == MarginMode::Portfolio)
            .count(),
        shocks: params.shock_count(),
        classes: proven
            .plan
            .iter()
            .map(|c| ClassFigures {
                asset_slots: c.class.slots.assets,
                position_slots: c.class.slots.markets,
                batch_size: c.class.batch_size,
                k: c.k,
                rows_used: c.rows,
                accounts: c.accounts,
                batches: c.batches(),
                portfolio: c.class.slots.mode == MarginMode::Portfolio,
            })
            .collect(),
        batches: proven.manifest.batch_count,
        prove_cpu: t.prove_cpu,
        prove_wall: t.prove,
        verify,
        verify_one_by_one,
        verified_batches: verified.verified.batches,
        inclusion_check: inclusion_check.wall,
        proof_bytes: proven.proofs.iter().map(Vec::len).sum(),
        peak_rss_kib: peak_rss_kib(Usage::Own),
        inclusion_peak_rss_kib: inclusion_check.peak_rss_kib,
        params_warm,
        params_generated: generated,
        stages: Stages {
            load: run.load,
            layout: t.layout,
            tree: t.tree,
            witness: t.witness,
            params: t.params,
            keygen: t.keygen,
            prove: t.prove,
            write: t.write,
            verify_read: verified.read,
            verify_params: verified.params,
            verify: verified.verify,
        },
        kept: None,
    })
}

/// Runs `bench`.
pub fn run(args: BenchArgs) -> Outcome {
    finish((|| {
        if args.accounts == 0 {
            return Err(Outcome::Unusable(anyhow!(
                "--accounts 0: nothing to measure"
            )));
        }
        let work = WorkDir::new(args.keep.as_deref()).unusable()?;
        let mut figures = measure(&args, work.path())?;
        if let WorkDir::Kept(dir) = &work {
            figures.kept = Some(dir.clone());
        }
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&figures.to_json()).unusable()?
            );
        } else {
            print!("{}", figures.to_table());
        }
        Ok(())
    })())
}
