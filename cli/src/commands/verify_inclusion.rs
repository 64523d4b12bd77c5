//! `marginproof verify-inclusion`: a user checks their account against the published root.

use std::path::{Path, PathBuf};

use marginproof_storage::read_text;
use marginproof_verifier::files::read_manifest;
use marginproof_verifier::inclusion::{verify_inclusion, InclusionReport, MAX_PROOF_BYTES};

use crate::outcome::{finish, print_json, store_outcome, OrExit, Outcome};

/// Arguments of `verify-inclusion`.
#[derive(clap::Args)]
pub struct VerifyInclusionArgs {
    /// The inclusion proof (JSON).
    proof: PathBuf,
    /// The published `public/manifest.json`.
    #[arg(long)]
    manifest: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Checks `proof` against `manifest`.
pub fn check_files(proof: &Path, manifest: &Path) -> Result<InclusionReport, Outcome> {
    let proof_text = read_text(proof, MAX_PROOF_BYTES).map_err(store_outcome)?;
    let manifest = read_manifest(manifest).map_err(store_outcome)?;
    verify_inclusion(&proof_text, &manifest)
        .map_err(|e| anyhow::anyhow!("{}: {e}", proof.display()))
        .rejected()
}

/// Runs `verify-inclusion`.
pub fn run(args: VerifyInclusionArgs) -> Outcome {
    let result = check_files(&args.proof, &args.manifest);
    if args.json {
        print_json(&result, |report| report.to_json(true));
    }
    finish(result.map(|report| {
        if !args.json {
            print!("{}", crate::report::text::inclusion_text(&report));
        }
    }))
}
