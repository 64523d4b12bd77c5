//! Writing a bundle (SPEC §5) atomically: everything goes to a temporary directory beside the
//! output, which is renamed into place only when complete. `private/` files are owner-only.
//!
//! ```text
//! BUNDLE/public/manifest.json            config, root, totals, opening, batch entries
//! BUNDLE/public/batches/batch-NNNNNN.proof
//! BUNDLE/private/accounts.json           per account: leaf index, salt, record in units
//! BUNDLE/private/leaves.json             every leaf, padding included
//! BUNDLE/private/secret                  the 32-byte secret, when prove generated it
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use marginproof_circuits::field::fp_to_hex;
use marginproof_circuits::model::RecordInUnits;
use serde::{Deserialize, Serialize};

use crate::error::ProveError;
use crate::prove::ProvenSnapshot;
use crate::secret::VenueSecret;

/// One account in `private/accounts.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateAccount {
    /// Account id.
    pub account_id: String,
    /// Global leaf index.
    pub leaf_index: u64,
    /// Salt (hex).
    pub salt: String,
    /// The record in units.
    pub record: RecordInUnits,
}

/// `private/accounts.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateAccounts {
    /// Snapshot id.
    pub snapshot_id: String,
    /// Accounts in leaf order.
    pub accounts: Vec<PrivateAccount>,
}

/// `private/leaves.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateLeaves {
    /// Every leaf (hex), padding included, in order.
    pub leaves: Vec<String>,
}

fn write_file(path: &Path, bytes: &[u8], private: bool) -> Result<(), ProveError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| ProveError::io(path, e))?;
    file.write_all(bytes).map_err(|e| ProveError::io(path, e))?;
    file.sync_all().map_err(|e| ProveError::io(path, e))
}

fn create_dir(path: &Path, private: bool) -> Result<(), ProveError> {
    fs::create_dir_all(path).map_err(|e| ProveError::io(path, e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))
            .map_err(|e| ProveError::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain structs cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Removes a temporary directory when dropped, unless disarmed.
struct TempDir(Option<PathBuf>);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_dir_all(path);
        }
    }
}

/// Writes `proven` to `out`, which must not exist; `keep_secret` goes to `private/secret`.
pub fn write_bundle(
    out: &Path,
    proven: &ProvenSnapshot,
    keep_secret: Option<&VenueSecret>,
) -> Result<(), ProveError> {
    if out.exists() {
        return Err(ProveError::OutputExists(out.display().to_string()));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let mut guard = TempDir(Some(tmp.clone()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| ProveError::io(&tmp, e))?;
    }
    create_dir(&tmp.join("public").join("batches"), false)?;
    create_dir(&tmp.join("private"), true)?;

    for (i, proof) in proven.proofs.iter().enumerate() {
        let path = tmp.join("public").join(&proven.manifest.batches[i].proof);
        write_file(&path, proof, false)?;
    }
    write_file(
        &tmp.join("public").join("manifest.json"),
        &json(&proven.manifest),
        false,
    )?;

    let params = &proven.layout.params;
    let accounts = PrivateAccounts {
        snapshot_id: params.snapshot_id.clone(),
        accounts: proven
            .layout
            .slots
            .iter()
            .enumerate()
            .map(|(i, slot)| PrivateAccount {
                account_id: slot.record.id.clone(),
                leaf_index: i as u64,
                salt: fp_to_hex(&slot.salt),
                record: slot.record.to_units(params),
            })
            .collect(),
    };
    write_file(
        &tmp.join("private").join("accounts.json"),
        &json(&accounts),
        true,
    )?;
    let leaves = PrivateLeaves {
        leaves: proven.leaves.iter().map(fp_to_hex).collect(),
    };
    write_file(
        &tmp.join("private").join("leaves.json"),
        &json(&leaves),
        true,
    )?;
    if let Some(secret) = keep_secret {
        secret.write(&tmp.join("private").join("secret"))?;
    }
    fs::rename(&tmp, out).map_err(|e| ProveError::io(out, e))?;
    guard.0 = None;
    Ok(())
}
