//! `marginproof generate`: a synthetic venue.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use marginproof_circuits::config::RiskConfigFile;
use marginproof_prover::generate::{generate, GenerateOptions};
use marginproof_reserves::synthetic::add_synthetic_reserves;

use crate::outcome::{finish, OrExit, Outcome};
use crate::write::write_atomically;

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
    /// This fraction of the margin units are portfolio-margin units (0 to 1, e.g. 0.05): hedges
    /// (spot against short perpetuals, stablecoin loans against collateral, pairs) beside
    /// unhedged ones (SPEC §12)
    #[arg(long, default_value_t = 0.0)]
    portfolio: f64,
    /// Shocks of the `[portfolio_margin]` grid, 0 to 16 (0: none, or 8 with `--portfolio`)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=16))]
    shocks: u8,
}

/// `--whales F` in parts per million, refused outside 0 to 1.
pub fn whales_ppm(fraction: f64) -> Result<u32, Outcome> {
    fraction_ppm("--whales", fraction)
}

/// A fraction option in parts per million, refused outside 0 to 1.
pub fn fraction_ppm(option: &str, fraction: f64) -> Result<u32, Outcome> {
    if !(0.0..=1.0).contains(&fraction) {
        return Err(Outcome::Unusable(anyhow!(
            "{option} {fraction}: a fraction from 0 to 1 is required"
        )));
    }
    Ok((fraction * 1e6).round() as u32)
}

/// The test wallets' key file `generate` writes beside the venue (SPEC §13).
pub const KEYS_FILE: &str = "reserve-keys.json";

/// Writes a synthetic venue into `out`; returns the config and accounts paths. The configuration
/// gets reserve locations and `out/reserve-keys.json` fresh test wallets holding exactly its
/// reserves ([`marginproof_reserves::synthetic`]): `sign-reserves` signs a proven bundle's
/// reserves message with them.
pub fn write_venue(out: &Path, options: &GenerateOptions) -> anyhow::Result<(PathBuf, PathBuf)> {
    fs::create_dir_all(out).map_err(|e| anyhow!("{}: {e}", out.display()))?;
    let (config, accounts) = generate(options);
    let mut file: RiskConfigFile = toml::from_str(&config)?;
    let keys = add_synthetic_reserves(&mut file)?;
    let config = format!(
        "# A synthetic venue: generated, not real data.\n{}",
        toml::to_string(&file)?
    );
    let config_path = out.join("venue.toml");
    let accounts_path = out.join("accounts.csv");
    write_atomically(&config_path, &config)?;
    write_atomically(&accounts_path, &accounts)?;
    write_atomically(&out.join(KEYS_FILE), &keys.to_json())?;
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
            whales_ppm: whales_ppm(args.whales)?,
            scenarios: usize::from(args.scenarios),
            distribution: !args.no_distribution,
            portfolio_ppm: fraction_ppm("--portfolio", args.portfolio)?,
            shocks: usize::from(args.shocks),
        };
        let (config, accounts) = write_venue(&args.out, &options).unusable()?;
        println!(
            "wrote {}, {} and {} (test wallets: `sign-reserves` signs a proven bundle's reserves message with them)",
            config.display(),
            accounts.display(),
            args.out.join(KEYS_FILE).display()
        );
        Ok(())
    })())
}
