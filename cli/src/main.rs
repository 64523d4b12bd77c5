//! `marginproof`: prove a margin venue's solvency in zero knowledge, and check it.
//!
//! Exit codes (SPEC §6): 0 valid; 1 does not verify (with the reason); 2 bad usage, a missing or
//! unreadable file, or invalid venue input.

mod commands;
mod outcome;
mod progress;
mod report;
mod table;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "marginproof",
    version,
    about = "Zero-knowledge solvency proofs for margin venues"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure a synthetic venue: prove, verify and inclusion-check costs per account.
    Bench(commands::bench::BenchArgs),
    /// Make a synthetic venue, prove it, verify it, and check one user's inclusion proof.
    Demo(commands::demo::DemoArgs),
    /// Write a synthetic configuration and accounts CSV.
    Generate(commands::generate::GenerateArgs),
    /// Prove a snapshot and write the bundle (venue).
    Prove(commands::prove::ProveArgs),
    /// Plan a snapshot for proving on many machines: write the job directory (venue).
    Plan(commands::shard::PlanArgs),
    /// Prove one shard of a planned job's batches (a worker).
    ProveBatches(commands::shard::ProveBatchesArgs),
    /// Check every proof of a planned job and write the bundle (venue).
    Assemble(commands::shard::AssembleArgs),
    /// Verify a bundle's public part and print the report (auditor).
    Verify(commands::verify::VerifyArgs),
    /// Verify a bundle's public part and write the auditor's report as one HTML file (auditor).
    Report(commands::report::ReportArgs),
    /// Print the reserves message the venue's wallets sign (SPEC §13; no trailing newline).
    ReservesMessage(commands::reserves::MessageArgs),
    /// Check a reserves file offline and attach it to a bundle as public/reserves.json (venue).
    AttachReserves(commands::reserves::AttachArgs),
    /// Sign a bundle's reserves message with the test wallets `generate` made (tester).
    SignReserves(commands::reserves::SignArgs),
    /// Write the inclusion proof of every margin unit of one account (venue).
    Inclusion(commands::inclusion::InclusionArgs),
    /// Check an inclusion proof against a manifest and value each margin unit (user).
    VerifyInclusion(commands::verify_inclusion::VerifyInclusionArgs),
    /// Check an account's inclusion proofs of several snapshots and show it over time (user).
    VerifyHistory(commands::verify_history::VerifyHistoryArgs),
    /// Run `marginproof ARGS` and write its wall time and peak memory (used by `bench`).
    #[command(hide = true)]
    MeasureProcess(commands::bench::MeasureProcessArgs),
}

/// Where IPA parameters are cached, shared by the commands that prove or verify.
#[derive(clap::Args, Clone)]
pub struct CacheArgs {
    /// Directory of cached IPA parameters and keys [default: $MARGINPROOF_CACHE or ~/.cache/marginproof]
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    fn dir(&self) -> PathBuf {
        self.cache_dir
            .clone()
            .unwrap_or_else(marginproof_storage::cache_dir::default_cache_dir)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Bench(args) => commands::bench::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Generate(args) => commands::generate::run(args),
        Command::Prove(args) => commands::prove::run(args),
        Command::Plan(args) => commands::shard::plan(args),
        Command::ProveBatches(args) => commands::shard::prove_batches(args),
        Command::Assemble(args) => commands::shard::assemble(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::ReservesMessage(args) => commands::reserves::message(args),
        Command::AttachReserves(args) => commands::reserves::attach(args),
        Command::SignReserves(args) => commands::reserves::sign(args),
        Command::Inclusion(args) => commands::inclusion::run(args),
        Command::VerifyInclusion(args) => commands::verify_inclusion::run(args),
        Command::VerifyHistory(args) => commands::verify_history::run(args),
        Command::MeasureProcess(args) => commands::bench::measure_process(args),
    };
    outcome.report()
}
