//! `marginproof verify-inclusion`: a user checks their account against the published root.

use std::path::{Path, PathBuf};

use marginproof_verifier::inclusion::{
    parse_manifest, verify_inclusion, InclusionReport, MAX_MANIFEST_BYTES, MAX_PROOF_BYTES,
};
use marginproof_verifier::store::read_limited;

use crate::outcome::{finish, OrExit, Outcome};

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

fn read_text(path: &Path, limit: usize) -> Result<String, Outcome> {
    let bytes = read_limited(path, limit as u64).map_err(|e| {
        if e.is_invalid() {
            Outcome::Rejected(e.into())
        } else {
            Outcome::Unusable(e.into())
        }
    })?;
    String::from_utf8(bytes)
        .map_err(|_| Outcome::Rejected(anyhow::anyhow!("{}: not UTF-8 text", path.display())))
}

/// Checks `proof` against `manifest`.
pub fn check_files(proof: &Path, manifest: &Path) -> Result<InclusionReport, Outcome> {
    let proof_text = read_text(proof, MAX_PROOF_BYTES)?;
    let manifest_text = read_text(manifest, MAX_MANIFEST_BYTES)?;
    let manifest = parse_manifest(&manifest_text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", manifest_path_display(manifest)))
        .rejected()?;
    verify_inclusion(&proof_text, &manifest)
        .map_err(|e| anyhow::anyhow!("{}: {e}", proof.display()))
        .rejected()
}

fn manifest_path_display(path: &Path) -> String {
    path.display().to_string()
}

/// Runs `verify-inclusion`.
pub fn run(args: VerifyInclusionArgs) -> Outcome {
    let result = check_files(&args.proof, &args.manifest);
    if args.json {
        match &result {
            Ok(report) => println!(
                "{}",
                serde_json::to_string_pretty(&report.to_json(true)).unwrap_or_default()
            ),
            Err(Outcome::Rejected(e)) => {
                let json = serde_json::json!({ "valid": false, "reason": format!("{e:#}") });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                );
            }
            Err(_) => {}
        }
    }
    finish(result.map(|report| {
        if !args.json {
            print!("{}", report.to_text());
        }
    }))
}
