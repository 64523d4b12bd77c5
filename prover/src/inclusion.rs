//! A user's inclusion proof (SPEC §5, §8), answered from a bundle's `private/` part.

use std::path::Path;

use marginproof_circuits::field::{fp_to_hex, Fp};
use marginproof_circuits::hash::merkle::{tree_levels, MerklePath};
use marginproof_circuits::hash::snapshot::{top_padding, top_tree_leaves};
use marginproof_circuits::statement::{
    read_fp, InclusionProof, UnitInclusion, INCLUSION_FORMAT_VERSION,
};
use marginproof_circuits::RiskParams;
use marginproof_storage::read_limited;
use marginproof_verifier::files::read_manifest;
use serde::de::DeserializeOwned;

use crate::bundle::{PrivateAccount, PrivateAccounts, PrivateLeaves};
use crate::error::ProveError;

/// Largest private file read.
const MAX_PRIVATE_BYTES: u64 = 4 << 30;

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ProveError> {
    let bytes = read_limited(path, MAX_PRIVATE_BYTES)?;
    marginproof_verifier::json::from_slice(&bytes).map_err(|e| ProveError::CorruptBundle {
        path: path.display().to_string(),
        problem: e.to_string(),
    })
}

/// The inclusion proof of owner `account_id` from the bundle at `bundle_dir`: every margin unit
/// of that owner (SPEC §8), the cross unit first, then isolated units by label.
pub fn inclusion_proof(bundle_dir: &Path, account_id: &str) -> Result<InclusionProof, ProveError> {
    let manifest_path = bundle_dir.join("public").join("manifest.json");
    let manifest = read_manifest(&manifest_path)?;
    let corrupt = |path: &Path, problem: String| ProveError::CorruptBundle {
        path: path.display().to_string(),
        problem,
    };
    let params = RiskParams::from_file(&manifest.config)
        .map_err(|e| corrupt(&manifest_path, e.to_string()))?;
    let accounts_path = bundle_dir.join("private").join("accounts.json");
    let accounts: PrivateAccounts = read_json(&accounts_path)?;
    let leaves_path = bundle_dir.join("private").join("leaves.json");
    let leaves: PrivateLeaves = read_json(&leaves_path)?;

    let mut owned: Vec<&PrivateAccount> = accounts
        .accounts
        .iter()
        .filter(|a| a.account_id == account_id)
        .collect();
    if owned.is_empty() {
        return Err(ProveError::UnknownAccount(account_id.to_string()));
    }
    owned.sort_by(|a, b| a.margin_unit.cmp(&b.margin_unit));

    let batch_roots: Vec<Fp> = manifest
        .batches
        .iter()
        .map(|e| read_fp("batch root", &e.root))
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt(&manifest_path, e.to_string()))?;
    let top_levels = tree_levels(top_tree_leaves(
        &batch_roots,
        top_padding(&manifest.classes),
    ));
    let mut units = Vec::with_capacity(owned.len());
    for account in owned {
        let (batch, position) = manifest
            .locate_leaf(account.leaf_index)
            .ok_or_else(|| corrupt(&accounts_path, "leaf index outside every batch".into()))?;
        let class = manifest.batches[batch].class;
        let b = manifest.classes[class].batch_size;
        let start = (account.leaf_index as usize) - position;
        let batch_leaves: Vec<Fp> = leaves
            .leaves
            .get(start..start + b)
            .ok_or_else(|| corrupt(&leaves_path, format!("no leaves for batch {batch}")))?
            .iter()
            .map(|h| read_fp("leaf", h))
            .collect::<Result<_, _>>()
            .map_err(|e| corrupt(&leaves_path, e.to_string()))?;
        let lower = MerklePath::from_levels(&tree_levels(batch_leaves), position as u64)
            .ok_or_else(|| corrupt(&leaves_path, "leaf index outside its batch".into()))?;
        let upper = MerklePath::from_levels(&top_levels, batch as u64)
            .ok_or_else(|| corrupt(&manifest_path, "batch index outside the top tree".into()))?;
        let path = lower
            .siblings
            .iter()
            .chain(&upper.siblings)
            .map(fp_to_hex)
            .collect();
        units.push(UnitInclusion {
            margin_unit: account.margin_unit.clone(),
            class,
            salt: account.salt.clone(),
            record: account.record.clone(),
            leaf_index: account.leaf_index,
            path,
        });
    }
    Ok(InclusionProof {
        format_version: INCLUSION_FORMAT_VERSION,
        snapshot_id: params.snapshot_id.clone(),
        account_id: account_id.to_string(),
        units,
        root: manifest.root.clone(),
    })
}
