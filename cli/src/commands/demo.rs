//! `marginproof demo`: the whole path on a synthetic venue, end to end.

use std::path::PathBuf;
use std::time::Instant;

use marginproof_prover::generate::GenerateOptions;

use crate::commands::generate::{write_venue, KEYS_FILE};
use crate::commands::inclusion::write_inclusion;
use crate::commands::prove::{print_summary, prove_files, secs, Planning};
use crate::commands::reserves::{check_evidence, message_of, RESERVES_FILE};
use crate::commands::verify::{print_report, verify_dir};
use crate::commands::verify_inclusion::check_files;
use crate::outcome::{finish, OrExit, Outcome};
use crate::write::write_atomically;
use crate::CacheArgs;
use marginproof_reserves::check_reserves;
use marginproof_reserves::sign::KeyFile;

/// Arguments of `demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Number of synthetic accounts.
    #[arg(long, default_value_t = 64)]
    accounts: usize,
    /// Accounts per proof (a power of two); the default makes two batches of the default venue.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Working directory (must not hold a previous demo) [default: a new temporary directory]
    #[arg(long)]
    dir: Option<PathBuf>,
    #[command(flatten)]
    cache: CacheArgs,
}

/// Runs `demo`.
pub fn run(args: DemoArgs) -> Outcome {
    finish((|| {
        let started = Instant::now();
        let dir = match &args.dir {
            Some(dir) => dir.clone(),
            None => std::env::temp_dir().join(format!("marginproof-demo-{}", std::process::id())),
        };
        println!(
            "== 1. venue: {} synthetic accounts in {}",
            args.accounts,
            dir.display()
        );
        let options = GenerateOptions {
            accounts: args.accounts,
            scenarios: 2,
            distribution: true,
            // 5% portfolio-margin units (hedges beside unhedged ones) under an 8-shock grid.
            portfolio_ppm: 50_000,
            shocks: 8,
            ..GenerateOptions::default()
        };
        let (config, accounts) = write_venue(&dir, &options).unusable()?;

        println!("== 2. venue proves the snapshot");
        let bundle = dir.join("bundle");
        let run = prove_files(
            &config,
            &accounts,
            &bundle,
            None,
            Planning {
                batch_size: Some(args.batch_size),
                max_classes: 1,
            },
            args.cache.dir(),
            true,
        )?;
        print_summary(&run, &bundle);

        println!("== 3. auditor verifies bundle/public");
        let verified = verify_dir(&bundle.join("public"), Some(&args.cache.dir()))?;
        print_report(&verified);

        println!("== 3b. the venue's wallets sign the reserves message; attach-reserves checks and publishes them");
        let public = bundle.join("public");
        let message = message_of(&public)?;
        println!("{message}");
        let keys =
            KeyFile::parse(&std::fs::read_to_string(dir.join(KEYS_FILE)).unusable()?).unusable()?;
        let signed = keys.sign(&message).unusable()?;
        let r_json = dir.join("R.json");
        write_atomically(&r_json, &signed.to_json()).unusable()?;
        let (params, root) = (&verified.verified.params, verified.verified.root_hex());
        check_reserves(params, &root, &signed).unusable()?;
        write_atomically(&public.join(RESERVES_FILE), &signed.to_json()).unusable()?;
        let evidence = check_evidence(&public, &verified.verified, None)?;
        print!("{}", evidence.text(params));

        // The user: an owner with an isolated unit beside their cross unit where the venue has
        // one (SPEC §8), else the first account.
        let slots = &run.proven.layout.slots;
        let ids = |isolated_only: bool| {
            slots
                .iter()
                .filter(move |s| !isolated_only || !s.record.unit.is_cross())
                .map(|s| s.record.id.clone())
                .min()
        };
        let account = ids(true)
            .or_else(|| ids(false))
            .ok_or_else(|| Outcome::Unusable(anyhow::anyhow!("the demo venue has no accounts")))?;
        println!(
            "== 4. user `{account}` receives an inclusion proof of every margin unit and checks it"
        );
        let proof_path = dir.join(format!("{account}.inclusion.json"));
        write_inclusion(&bundle, &account, &proof_path)?;
        let report = check_files(&proof_path, &bundle.join("public").join("manifest.json"))?;
        print!("{}", crate::report::text::inclusion_text(&report));
        println!("== demo finished in {}", secs(started.elapsed()));
        Ok(())
    })())
}
