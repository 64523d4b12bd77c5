//! `marginproof verify`: the auditor verifies a bundle's public part.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marginproof_verifier::bundle::{bundle_shape, verify_bundle_with, ProofCheck, VerifiedBundle};
use marginproof_verifier::keys::{load_or_create_batch_vk, KeyError, KeySource};
use marginproof_verifier::report::totals_report;
use marginproof_verifier::store::{load_or_create_params, read_manifest, read_proof, ParamsSource};

use crate::commands::prove::secs;
use crate::outcome::{finish, print_json, store_outcome, OrExit, Outcome};
use crate::CacheArgs;

/// Arguments of `verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The bundle's `public/` directory.
    public: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    cache: CacheArgs,
}

/// A verified bundle and how long each stage took.
pub struct VerifyRun {
    /// What was verified.
    pub verified: VerifiedBundle,
    /// Reading the manifest.
    pub read: Duration,
    /// Parameters (cached or generated).
    pub params: Duration,
    /// Whether parameters came from the cache.
    pub params_cached: bool,
    /// The verifying key (cached or generated).
    pub keys: Duration,
    /// Where the verifying key came from.
    pub keys_source: KeySource,
    /// Proof verification and the checks of the manifest's values.
    pub verify: Duration,
}

/// Reads and verifies `public_dir`.
pub fn verify_dir(public_dir: &Path, cache_dir: &Path) -> Result<VerifyRun, Outcome> {
    verify_dir_with(public_dir, cache_dir, ProofCheck::default())
}

/// Reads and verifies `public_dir`, checking the batch proofs as `check` says.
pub fn verify_dir_with(
    public_dir: &Path,
    cache_dir: &Path,
    check: ProofCheck,
) -> Result<VerifyRun, Outcome> {
    let started = Instant::now();
    let manifest = read_manifest(&public_dir.join("manifest.json")).map_err(store_outcome)?;
    let read = started.elapsed();
    let started = Instant::now();
    let shape = bundle_shape(&manifest).rejected()?;
    let (ipa, source) = load_or_create_params(cache_dir, shape.k).unusable()?;
    let params = started.elapsed();
    let (vk, keys) = load_or_create_batch_vk(
        cache_dir,
        &ipa,
        shape.params.clone(),
        shape.slots,
        manifest.batch_size,
    )
    .map_err(|e| match e {
        // The manifest's circuit cannot be keyed: a rejection, as in `verify_bundle`.
        KeyError::Keygen { .. } => Outcome::Rejected(e.into()),
        KeyError::Store(e) => Outcome::Unusable(e.into()),
    })?;
    let started = Instant::now();
    let verified = verify_bundle_with(
        &manifest,
        &shape,
        |i, entry| read_proof(public_dir, i, entry),
        &ipa,
        check,
        Some(&vk),
    )
    .rejected()?;
    Ok(VerifyRun {
        verified,
        read,
        params,
        params_cached: source == ParamsSource::Cached,
        keys: keys.elapsed,
        keys_source: keys.source,
        verify: started.elapsed(),
    })
}

/// Runs `verify`.
pub fn run(args: VerifyArgs) -> Outcome {
    let result = verify_dir(&args.public, &args.cache.dir());
    if args.json {
        print_json(&result, |run| {
            let mut json = totals_report(&run.verified.params, &run.verified.totals).to_json();
            if let Some(map) = json.as_object_mut() {
                map.insert("valid".into(), true.into());
                map.insert("root".into(), run.verified.root_hex().into());
                map.insert("batches".into(), run.verified.batches.into());
            }
            json
        });
    }
    finish(result.map(|run| {
        if !args.json {
            print_report(&run);
        }
    }))
}

/// The auditor's text report.
pub fn print_report(run: &VerifyRun) {
    let v = &run.verified;
    println!(
        "VALID: {} batch proofs verified; totals open the commitment chain; root {}",
        v.batches,
        v.root_hex()
    );
    println!("  read manifest     {}", secs(run.read));
    println!(
        "  params            {}{}",
        secs(run.params),
        if run.params_cached {
            " (cached)"
        } else {
            " (generated, now cached)"
        }
    );
    println!(
        "  verifying key     {}{}",
        secs(run.keys),
        run.keys_source.describe()
    );
    println!("  verify proofs     {}", secs(run.verify));
    print!("{}", totals_report(&v.params, &v.totals).to_text());
}
