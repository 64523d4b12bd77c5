//! `marginproof inclusion`: the venue answers one user's inclusion request, with every margin
//! unit of the user's account.

use std::path::{Path, PathBuf};

use marginproof_prover::inclusion::inclusion_proof;
use marginproof_prover::ProveError;

use crate::outcome::{finish, OrExit, Outcome};
use crate::write::write_atomically;

/// Arguments of `inclusion`.
#[derive(clap::Args)]
pub struct InclusionArgs {
    /// The bundle directory (with `public/` and `private/`).
    #[arg(long)]
    bundle: PathBuf,
    /// The account id: the file holds every margin unit of this owner.
    #[arg(long)]
    account: String,
    /// Write the proof here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn proof_json(bundle: &Path, account: &str) -> Result<String, Outcome> {
    let proof = inclusion_proof(bundle, account).map_err(|e| match e {
        ProveError::CorruptBundle { .. } => Outcome::Rejected(e.into()),
        other => Outcome::Unusable(other.into()),
    })?;
    Ok(serde_json::to_string_pretty(&proof).unusable()? + "\n")
}

/// Writes `account`'s inclusion proof from `bundle` to `out`.
pub fn write_inclusion(bundle: &Path, account: &str, out: &Path) -> Result<(), Outcome> {
    let json = proof_json(bundle, account)?;
    write_atomically(out, &json).unusable()
}

/// Runs `inclusion`.
pub fn run(args: InclusionArgs) -> Outcome {
    finish((|| {
        match &args.out {
            Some(path) => {
                write_inclusion(&args.bundle, &args.account, path)?;
                eprintln!("wrote {}", path.display());
            }
            None => print!("{}", proof_json(&args.bundle, &args.account)?),
        }
        Ok(())
    })())
}
