//! `marginproof generate`: a synthetic venue.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use marginproof_prover::generate::{generate, GenerateOptions};

use crate::outcome::{finish, OrExit, Outcome};

/// Arguments of `generate`.
#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Number of accounts.
    #[arg(long)]
    accounts: usize,
    /// Output directory (gets `venue.toml` and `accounts.csv`).
    #[arg(long)]
    out: PathBuf,
    /// Number of assets.
    #[arg(long, default_value_t = 4)]
    assets: usize,
    /// Number of perpetual markets.
    #[arg(long, default_value_t = 2)]
    markets: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A long tail: this fraction of the accounts hold 10 to 50 assets and up to 8 positions,
    /// and one market maker holds every asset and market (0 to 1, e.g. 0.02)
    #[arg(long, default_value_t = 0.0)]
    whales: f64,
    /// Stress scenarios to configure, 0 to 8: crash-30, btc-50, then more shocks (SPEC §7)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=8))]
    scenarios: u8,
    /// Leave out the margin-ratio distribution (SPEC §7)
    #[arg(long)]
    no_distribution: bool,
}

/// Writes `text` to `path` atomically, with the project's one helper (`verifier::atomic`).
pub fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    Ok(marginproof_verifier::atomic::write_atomic(
        path,
        text.as_bytes(),
        false,
    )?)
}

/// Writes a synthetic venue into `out`; returns the config and accounts paths.
pub fn write_venue(out: &Path, options: &GenerateOptions) -> anyhow::Result<(PathBuf, PathBuf)> {
    fs::create_dir_all(out).map_err(|e| anyhow!("{}: {e}", out.display()))?;
    let (config, accounts) = generate(options);
    let config_path = out.join("venue.toml");
    let accounts_path = out.join("accounts.csv");
    write_atomically(&config_path, &config)?;
    write_atomically(&accounts_path, &accounts)?;
    Ok((config_path, accounts_path))
}

/// Runs `generate`.
pub fn run(args: GenerateArgs) -> Outcome {
    finish((|| {
        let options = GenerateOptions {
            accounts: args.accounts,
            assets: args.assets,
            markets: args.markets,
            seed: args.seed,
            whales_ppm: crate::commands::bench::whales_ppm(args.whales)?,
            scenarios: usize::from(args.scenarios),
            distribution: !args.no_distribution,
        };
        let (config, accounts) = write_venue(&args.out, &options).unusable()?;
        println!("wrote {} and {}", config.display(), accounts.display());
        Ok(())
    })())
}
