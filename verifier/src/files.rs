//! A bundle's files on disk, read with the checks of this crate: the manifest, the batch proofs
//! (contained in the bundle, size-limited, regular files) and the distinct-key list.

use std::fs;
use std::io::Read;
use std::path::{Component, Path};

use marginproof_circuits::statement::{BatchEntry, Manifest};
use marginproof_storage::{read_limited, read_text, StoreError};

use crate::bundle::{BundleError, MAX_PROOF_BYTES};
use crate::manifest::{parse_manifest, MAX_MANIFEST_BYTES};

/// Reads and checks `manifest.json` ([`parse_manifest`]).
pub fn read_manifest(path: &Path) -> Result<Manifest, StoreError> {
    let text = read_text(path, MAX_MANIFEST_BYTES)?;
    parse_manifest(&text).map_err(|e| StoreError::invalid(path, e.to_string()))
}

/// The published distinct keys of the bundle in `public_dir`, read from disk in chunks each time
/// the verifier scans them ([`crate::bundle::DistinctKeySource`]).
#[derive(Debug, Clone)]
pub struct DistinctKeysFile {
    path: std::path::PathBuf,
}

impl DistinctKeysFile {
    /// The list of the bundle in `public_dir`, under the name the manifest gives (checked to be
    /// [`marginproof_circuits::statement::DISTINCT_KEYS_FILE`] by the verifier).
    pub fn new(public_dir: &Path) -> Self {
        DistinctKeysFile {
            path: public_dir.join(marginproof_circuits::statement::DISTINCT_KEYS_FILE),
        }
    }
}

impl crate::bundle::DistinctKeySource for DistinctKeysFile {
    fn scan(&mut self, each: &mut dyn FnMut(&[u8])) -> Result<(), BundleError> {
        let failed =
            |e: std::io::Error| BundleError::DistinctFile(format!("{}: {e}", self.path.display()));
        match fs::metadata(&self.path) {
            Ok(meta) if !meta.is_file() => {
                return Err(BundleError::DistinctFile(format!(
                    "{}: not a regular file",
                    self.path.display()
                )))
            }
            Err(e) => return Err(failed(e)),
            Ok(_) => {}
        }
        let mut file = fs::File::open(&self.path).map_err(failed)?;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buffer).map_err(failed)?;
            if n == 0 {
                return Ok(());
            }
            each(&buffer[..n]);
        }
    }
}

/// Reads batch `batch`'s proof file named by `entry`, relative to `public_dir`: the path must stay
/// inside the directory and the file must exist and be at most [`MAX_PROOF_BYTES`]. Every problem
/// is a rejection of the bundle.
pub fn read_proof(
    public_dir: &Path,
    batch: usize,
    entry: &BatchEntry,
) -> Result<Vec<u8>, BundleError> {
    let relative = Path::new(&entry.proof);
    let contained = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !contained {
        return Err(BundleError::ProofFile {
            batch,
            reason: format!("proof path `{}` leaves the bundle", entry.proof),
        });
    }
    let path = public_dir.join(relative);
    // Only a regular file (after symlinks): opening a FIFO the bundle ships under a proof's name
    // would block forever, and a device or directory is not a proof either.
    match fs::metadata(&path) {
        Ok(meta) if !meta.is_file() => {
            return Err(BundleError::ProofFile {
                batch,
                reason: format!("{}: not a regular file", path.display()),
            })
        }
        _ => {}
    }
    read_limited(&path, MAX_PROOF_BYTES as u64).map_err(|e| BundleError::ProofFile {
        batch,
        reason: e.to_string(),
    })
}
