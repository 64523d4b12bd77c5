//! Files: the IPA parameter cache and reading a bundle's `public/` files with size limits.
//! (The rest of the crate is free of the file system.)

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use halo2_proofs::pasta::EqAffine;
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::statement::{BatchEntry, Manifest};
use thiserror::Error;

use crate::bundle::{BundleError, MAX_PROOF_BYTES};
use crate::manifest::{parse_manifest, MAX_MANIFEST_BYTES};

/// A file that could not be read, or whose content is not what it must be.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file is missing or unreadable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// The file is there but is not valid.
    #[error("{path}: {problem}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

impl StoreError {
    /// Whether the file is present but wrong (a rejection) rather than missing or unreadable.
    pub fn is_invalid(&self) -> bool {
        matches!(self, StoreError::Invalid { .. })
    }
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn invalid(path: &Path, problem: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

/// Reads at most `limit` bytes of a file; a longer file is invalid.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, StoreError> {
    let file = fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(invalid(path, format!("larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// Reads a text file of at most `limit` bytes; non-UTF-8 content is invalid.
pub fn read_text(path: &Path, limit: usize) -> Result<String, StoreError> {
    let bytes = read_limited(path, limit as u64)?;
    String::from_utf8(bytes).map_err(|_| invalid(path, "not UTF-8 text"))
}

/// Reads and checks `manifest.json` ([`parse_manifest`]).
pub fn read_manifest(path: &Path) -> Result<Manifest, StoreError> {
    let text = read_text(path, MAX_MANIFEST_BYTES)?;
    parse_manifest(&text).map_err(|e| invalid(path, e.to_string()))
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

/// The parameter cache directory: `$MARGINPROOF_CACHE`, else `$XDG_CACHE_HOME/marginproof`, else
/// `$HOME/.cache/marginproof`, else `.marginproof-cache`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MARGINPROOF_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("marginproof");
    }
    if let Some(home) = std::env::var_os("HOME") {
        return PathBuf::from(home).join(".cache").join("marginproof");
    }
    PathBuf::from(".marginproof-cache")
}

/// Whether the parameters came from the cache or were generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamsSource {
    /// Read from the cache.
    Cached,
    /// Generated (and written to the cache).
    Generated,
}

/// IPA parameters for `k` from `cache_dir`, generating and caching them when absent. They are
/// deterministic (no setup ceremony), so a cache is only a speed-up; a cached file that does not
/// read back as parameters for `k` is regenerated.
pub fn load_or_create_params(
    cache_dir: &Path,
    k: u32,
) -> Result<(Params<EqAffine>, ParamsSource), StoreError> {
    let path = cache_dir.join(format!("ipa-pasta-k{k}.params"));
    if let Ok(file) = fs::File::open(&path) {
        let mut reader = io::BufReader::new(file);
        if let Ok(params) = Params::<EqAffine>::read(&mut reader) {
            if params.k() == k {
                return Ok((params, ParamsSource::Cached));
            }
        }
    }
    let params = Params::<EqAffine>::new(k);
    fs::create_dir_all(cache_dir).map_err(|e| io_error(cache_dir, e))?;
    let tmp = cache_dir.join(format!(".ipa-pasta-k{k}.params.{}", std::process::id()));
    {
        let file = fs::File::create(&tmp).map_err(|e| io_error(&tmp, e))?;
        let mut writer = io::BufWriter::new(file);
        params.write(&mut writer).map_err(|e| io_error(&tmp, e))?;
        io::Write::flush(&mut writer).map_err(|e| io_error(&tmp, e))?;
    }
    fs::rename(&tmp, &path).map_err(|e| io_error(&path, e))?;
    Ok((params, ParamsSource::Generated))
}
