//! `marginproof verify`: the auditor verifies a bundle's public part.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use marginproof_storage::framed::KeySource;
use marginproof_storage::keys::{load_or_create_batch_vk, KeyError};
use marginproof_verifier::bundle::{
    bundle_shape, verify_bundle_with, verifying_key, ClassKey, ProofCheck, VerifiedBundle,
};
use marginproof_verifier::files::{read_manifest, read_proof, DistinctKeysFile};
use marginproof_verifier::params_cache::{fresh_params, load_or_create_params, ParamsSource};
use marginproof_verifier::report::{totals_report, TotalsJson};

use crate::commands::prove::secs;
use crate::commands::reserves::check_evidence;
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
    /// Use no cache: generate the IPA parameters (checked against their pinned digests) and
    /// derive the verifying key from the published configuration, reading and writing no file
    /// but the bundle's.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
    /// Check every `ethereum` wallet of `public/reserves.json` at the configured block against
    /// this JSON-RPC node (SPEC §13).
    #[arg(long, value_name = "URL")]
    eth_rpc: Option<String>,
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
    /// Where the parameters came from.
    pub params_source: ParamsSource,
    /// The verifying key (cached or generated).
    pub keys: Duration,
    /// Where the verifying key came from (`None`: derived with no cache).
    pub keys_source: Option<KeySource>,
    /// Proof verification and the checks of the manifest's values.
    pub verify: Duration,
}

/// Reads and verifies `public_dir` with parameters and keys from `cache_dir` (`None`: no cache).
pub fn verify_dir(public_dir: &Path, cache_dir: Option<&Path>) -> Result<VerifyRun, Outcome> {
    verify_dir_with(public_dir, cache_dir, ProofCheck::default())
}

/// Reads and verifies `public_dir`, checking the batch proofs as `check` says.
pub fn verify_dir_with(
    public_dir: &Path,
    cache_dir: Option<&Path>,
    check: ProofCheck,
) -> Result<VerifyRun, Outcome> {
    let started = Instant::now();
    let manifest = read_manifest(&public_dir.join("manifest.json")).map_err(store_outcome)?;
    let read = started.elapsed();
    let shape = bundle_shape(&manifest).rejected()?;
    // Each class's parameters and verifying key, re-derived from the published configuration
    // (or their cached copies): the proofs are then checked class by class.
    let mut keys = Vec::with_capacity(shape.classes.len());
    let mut params_source = ParamsSource::Cached;
    let mut keys_source = cache_dir.map(|_| KeySource::Cached);
    let mut params_time = Duration::ZERO;
    let keys_started = Instant::now();
    for class in &shape.classes {
        let started = Instant::now();
        let (ipa, source) = match cache_dir {
            Some(dir) => load_or_create_params(dir, class.k),
            None => fresh_params(class.k),
        }
        .unusable()?;
        if let ParamsSource::Regenerated(why) = &source {
            eprintln!("warning: cached IPA parameters for k = {} not used ({why}): generated again and re-cached", class.k);
        }
        if !source.is_cached() {
            params_source = source;
        }
        params_time += started.elapsed();
        let vk = match cache_dir {
            Some(dir) => {
                let (vk, load) = load_or_create_batch_vk(
                    dir,
                    &ipa,
                    shape.params.clone(),
                    class.class.slots,
                    class.class.batch_size,
                )
                .map_err(|e| match e {
                    // The manifest's circuit cannot be keyed: a rejection, as in `verify_bundle`.
                    KeyError::Keygen { .. } => Outcome::Rejected(e.into()),
                    KeyError::Store(e) => Outcome::Unusable(e.into()),
                })?;
                if !load.source.is_cached() {
                    keys_source = Some(load.source);
                }
                vk
            }
            None => verifying_key(
                &ipa,
                shape.params.clone(),
                class.class.slots,
                class.class.batch_size,
            )
            .rejected()?,
        };
        keys.push(ClassKey { ipa, vk });
    }
    let params = params_time;
    let keys_time = keys_started.elapsed().saturating_sub(params_time);
    let started = Instant::now();
    let verified = verify_bundle_with(
        &manifest,
        &shape,
        |i, entry| read_proof(public_dir, i, entry),
        &mut DistinctKeysFile::new(public_dir),
        &keys,
        check,
    )
    .rejected()?;
    Ok(VerifyRun {
        verified,
        read,
        params,
        params_source,
        keys: keys_time,
        keys_source,
        verify: started.elapsed(),
    })
}

/// `verify --json` of a valid bundle: SPEC §6's totals and the verdict, root, batch count and
/// verifying-key digest.
#[derive(serde::Serialize)]
struct VerifyJson<'a> {
    valid: bool,
    root: String,
    batches: usize,
    verifying_keys: &'a [String],
    #[serde(flatten)]
    totals: TotalsJson,
    /// SPEC §13: `null` without `reserves.json`.
    reserves: serde_json::Value,
}

/// Runs `verify`.
pub fn run(args: VerifyArgs) -> Outcome {
    let cache_dir = args.cache.dir();
    let result = verify_dir(
        &args.public,
        (!args.no_cache).then_some(cache_dir.as_path()),
    )
    .and_then(|run| {
        let evidence = check_evidence(&args.public, &run.verified, args.eth_rpc.as_deref())?;
        Ok((run, evidence))
    });
    if args.json {
        print_json(&result, |(run, evidence)| {
            let v = &run.verified;
            serde_json::to_value(VerifyJson {
                valid: true,
                root: v.root_hex(),
                batches: v.batches,
                verifying_keys: &v.verifying_keys,
                totals: totals_report(&v.params, &v.totals).totals_json(),
                reserves: evidence.to_json(&v.params),
            })
            .unwrap_or_default()
        });
    }
    finish(result.map(|(run, evidence)| {
        if !args.json {
            print_report(&run);
            print!("{}", evidence.text(&run.verified.params));
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
        run.params_source.describe()
    );
    println!(
        "  verifying key     {}{}",
        secs(run.keys),
        match &run.keys_source {
            Some(source) => source.describe(),
            None => " (derived from the published configuration, no cache)".into(),
        }
    );
    println!("  verify proofs     {}", secs(run.verify));
    for (c, digest) in v.verifying_keys.iter().enumerate() {
        println!(
            "  key digest        {digest} (class {c}; BLAKE2b-256 of the pinned verifying key; the same across snapshots of one configuration shape, slot shape and batch size)"
        );
    }
    print!(
        "{}",
        crate::report::text::totals_text(&totals_report(&v.params, &v.totals))
    );
}
