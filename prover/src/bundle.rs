//! The bundle on disk (SPEC §5), written so that a crash loses nothing: every file is written to a
//! temporary name in its directory, synced, and renamed into place, so a killed run leaves only
//! whole files. `private/` is owner-only (directory 0700, files 0600).
//!
//! ```text
//! BUNDLE/private/secret                  the 32-byte secret, when prove generated it (first)
//! BUNDLE/private/job.json                what the run is for (second): see `job`
//! BUNDLE/public/batches/batch-NNNNNN.proof   each batch proof, as soon as it is proven
//! BUNDLE/private/accounts.json           per account: leaf index, salt, record in units
//! BUNDLE/private/leaves.json             every leaf, padding included
//! BUNDLE/public/manifest.json            config, root, totals, opening, batch entries (LAST)
//! ```
//!
//! The manifest is written last: its presence marks a complete bundle. A directory with
//! `private/job.json` and no manifest is an interrupted run, which `prove` resumes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use marginproof_circuits::field::fp_to_hex;
use marginproof_circuits::model::{MarginUnit, RecordInUnits};
use marginproof_storage::{is_temp_name, write_atomic};
use serde::{Deserialize, Serialize};

use crate::error::ProveError;
use crate::snapshot::SnapshotLayout;

/// One account in `private/accounts.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateAccount {
    /// Account id: the owner.
    pub account_id: String,
    /// The owner's margin unit (absent for the cross unit).
    #[serde(default, skip_serializing_if = "MarginUnit::is_cross")]
    pub margin_unit: MarginUnit,
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

/// The paths of a bundle directory.
#[derive(Debug, Clone)]
pub struct BundlePaths {
    /// The bundle directory.
    pub root: PathBuf,
}

impl BundlePaths {
    /// The paths of the bundle at `root`.
    pub fn new(root: &Path) -> Self {
        BundlePaths {
            root: root.to_path_buf(),
        }
    }
    /// `public/`.
    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }
    /// `public/batches/`.
    pub fn batches(&self) -> PathBuf {
        self.public().join("batches")
    }
    /// `public/manifest.json`.
    pub fn manifest(&self) -> PathBuf {
        self.public().join("manifest.json")
    }
    /// `private/`.
    pub fn private(&self) -> PathBuf {
        self.root.join("private")
    }
    /// `private/job.json`.
    pub fn job(&self) -> PathBuf {
        self.private().join("job.json")
    }
    /// `private/secret`.
    pub fn secret(&self) -> PathBuf {
        self.private().join("secret")
    }
    /// `private/accounts.json`.
    pub fn accounts(&self) -> PathBuf {
        self.private().join("accounts.json")
    }
    /// `private/leaves.json`.
    pub fn leaves(&self) -> PathBuf {
        self.private().join("leaves.json")
    }
    /// Batch `index`'s proof file.
    pub fn proof(&self, index: usize) -> PathBuf {
        self.public().join(proof_file_name(index))
    }
}

/// The proof file of batch `index`, relative to `public/`.
pub fn proof_file_name(index: usize) -> String {
    format!("batches/batch-{index:06}.proof")
}

/// Syncs a directory, so that a new entry in it survives a crash of the machine.
fn sync_dir(dir: &Path) -> Result<(), ProveError> {
    #[cfg(unix)]
    {
        let handle = fs::File::open(dir).map_err(|e| ProveError::io(dir, e))?;
        handle.sync_all().map_err(|e| ProveError::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates the directory `path` (its parent must exist); 0700 when `private`.
pub fn create_dir(path: &Path, private: bool) -> Result<(), ProveError> {
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| ProveError::io(path, e))?;
    #[cfg(unix)]
    if private {
        // The mode above is filtered by the umask; set it exactly.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))
            .map_err(|e| ProveError::io(path, e))?;
    }
    Ok(())
}

/// Creates a fresh bundle directory at `out` (which must not exist; its parent must):
/// `public/batches/` and the owner-only `private/`.
pub fn create_bundle_dirs(out: &Path) -> Result<BundlePaths, ProveError> {
    let paths = BundlePaths::new(out);
    create_dir(out, false)?;
    create_dir(&paths.public(), false)?;
    create_dir(&paths.batches(), false)?;
    create_dir(&paths.private(), true)?;
    sync_dir(out)?;
    Ok(paths)
}

/// Removes the temporary files an interrupted run left in `dir`; returns how many.
pub fn remove_temp_files(dir: &Path) -> Result<usize, ProveError> {
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(ProveError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| ProveError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temp_name(&name) {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| ProveError::io(&path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Pretty JSON with a final newline.
pub(crate) fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain structs cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Writes `private/accounts.json` and `private/leaves.json` (owner-only, atomically).
pub fn write_private_files(
    paths: &BundlePaths,
    layout: &SnapshotLayout,
    leaves: &[marginproof_circuits::field::Fp],
) -> Result<(), ProveError> {
    let params = &layout.params;
    let accounts = PrivateAccounts {
        snapshot_id: params.snapshot_id.clone(),
        accounts: layout
            .batches
            .iter()
            .flat_map(|b| {
                let slots = &layout.slots[b.start..b.start + b.len];
                slots
                    .iter()
                    .enumerate()
                    .map(move |(j, slot)| PrivateAccount {
                        account_id: slot.record.id.clone(),
                        margin_unit: slot.record.unit.clone(),
                        leaf_index: (b.first_leaf + j) as u64,
                        salt: fp_to_hex(&slot.salt),
                        record: slot.record.to_units(params),
                    })
            })
            .collect(),
    };
    write_atomic(&paths.accounts(), &json(&accounts), true)?;
    let leaves = PrivateLeaves {
        leaves: leaves.iter().map(fp_to_hex).collect(),
    };
    Ok(write_atomic(&paths.leaves(), &json(&leaves), true)?)
}
