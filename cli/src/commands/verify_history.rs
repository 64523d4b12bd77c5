//! `marginproof verify-history`: a user checks their account in several snapshots, each pair of an
//! inclusion proof and its manifest on its own, and sees its status, margin ratio and buffer over
//! time (issue 32). A refused pair is shown as refused; the others are still shown.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use marginproof_storage::read_text;
use marginproof_verifier::files::read_manifest;
use marginproof_verifier::history::{history_order, snapshot_key};
use marginproof_verifier::inclusion::{InclusionReport, MAX_PROOF_BYTES};

use crate::commands::verify_inclusion::check_files;
use crate::outcome::Outcome;
use crate::report::health::{history_text, HistoryLine};

/// Arguments of `verify-history`.
#[derive(clap::Args)]
pub struct VerifyHistoryArgs {
    /// An inclusion proof and the `public/manifest.json` of its snapshot; repeat for each
    /// snapshot.
    #[arg(long = "pair", num_args = 2, value_names = ["PROOF", "MANIFEST"], required = true)]
    pairs: Vec<PathBuf>,
    /// Print a JSON array of `verify-inclusion --json` documents, in snapshot order.
    #[arg(long)]
    json: bool,
}

/// What orders a pair: its snapshot id, read from the manifest or else the proof.
fn key_of(proof: &Path, manifest: &Path) -> Option<String> {
    let manifest = read_manifest(manifest).ok();
    let proof = read_text(proof, MAX_PROOF_BYTES).unwrap_or_default();
    snapshot_key(&proof, manifest.as_ref())
}

/// Runs `verify-history`.
pub fn run(args: VerifyHistoryArgs) -> Outcome {
    let pairs: Vec<(&Path, &Path)> = args
        .pairs
        .chunks_exact(2)
        .map(|p| (p[0].as_path(), p[1].as_path()))
        .collect();
    let keys: Vec<Option<String>> = pairs.iter().map(|(p, m)| key_of(p, m)).collect();
    let order = history_order(&keys);
    let results: Vec<Result<InclusionReport, Outcome>> = order
        .iter()
        .map(|&i| check_files(pairs[i].0, pairs[i].1))
        .collect();

    let reason = |outcome: &Outcome| match outcome {
        Outcome::Rejected(e) | Outcome::Unusable(e) => e.to_string(),
        Outcome::Valid => String::new(),
    };
    if args.json {
        let documents: Vec<serde_json::Value> = results
            .iter()
            .map(|r| match r {
                Ok(report) => report.to_json(true),
                Err(outcome) => serde_json::json!({ "valid": false, "reason": reason(outcome) }),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&documents).unwrap_or_default()
        );
    } else {
        let lines: Vec<HistoryLine<'_>> = order
            .iter()
            .zip(&results)
            .map(|(&i, r)| match r {
                Ok(report) => HistoryLine::Verified {
                    snapshot: keys[i].as_deref().unwrap_or("?"),
                    units: &report.units,
                },
                Err(outcome) => HistoryLine::Refused {
                    snapshot: keys[i].as_deref(),
                    reason: reason(outcome),
                },
            })
            .collect();
        let account = results.iter().find_map(|r| r.as_ref().ok());
        if let Some(report) = account {
            println!("account {}, {} snapshots", report.account_id, order.len());
        }
        print!("{}", history_text(&lines));
    }

    let refused = results.iter().filter(|r| r.is_err()).count();
    let unusable = results
        .iter()
        .any(|r| matches!(r, Err(Outcome::Unusable(_))));
    let summary = anyhow!("{refused} of {} pairs refused", results.len());
    match (refused, unusable) {
        (0, _) => Outcome::Valid,
        (_, true) => Outcome::Unusable(summary),
        (_, false) => Outcome::Rejected(summary),
    }
}
