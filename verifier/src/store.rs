//! Files: the IPA parameter cache and reading a bundle's `public/` files with size limits.
//! (With `keys`, the key cache, the only code of the crate that touches the file system.)

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::statement::{BatchEntry, Manifest};
use thiserror::Error;

use crate::bundle::{BundleError, MAX_PROOF_BYTES};
use crate::keys::{load_or_create_framed, write_framed, KeySource, PARAMS_MAGIC};
use crate::manifest::{parse_manifest, MAX_MANIFEST_BYTES};
use crate::params::{generate_params, read_params, ParamsError};

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
    /// IPA parameters that cannot be had: a size without pinned parameters, or generated
    /// parameters that are not the pinned ones (another halo2).
    #[error(transparent)]
    Params(#[from] ParamsError),
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
        use std::io::Read;
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

/// Where the parameters came from. Every source gives the pinned parameters
/// ([`crate::params`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ParamsSource {
    /// Read from the cache.
    Cached,
    /// Generated and written to the cache: there was no cached file.
    #[default]
    Generated,
    /// Generated and written to the cache over a cached file that was unusable (the reason:
    /// damaged, truncated, for another `k`, or not the pinned parameters).
    Regenerated(String),
    /// Generated, with no cache read or written.
    Fresh,
}

impl ParamsSource {
    /// Whether they were read from the cache.
    pub fn is_cached(&self) -> bool {
        matches!(self, ParamsSource::Cached)
    }

    /// A short note for a report line.
    pub fn describe(&self) -> String {
        match self {
            ParamsSource::Cached => " (cached)".into(),
            ParamsSource::Generated => " (generated, now cached)".into(),
            ParamsSource::Regenerated(why) => {
                format!(" (cached file unusable: {why}; generated again)")
            }
            ParamsSource::Fresh => " (generated afresh, no cache)".into(),
        }
    }
}

/// The name of the cached parameters for `k` inside their file (a 32-hex-digit digest, like a
/// key's).
fn params_file_name_digest(k: u32) -> String {
    let mut h = Blake2b::<U16>::new();
    h.update(b"marginproof/ipa-params/v1/pasta-eq");
    h.update(k.to_le_bytes());
    hex::encode(h.finalize())
}

fn params_path(cache_dir: &Path, k: u32) -> PathBuf {
    cache_dir.join(format!("ipa-pasta-k{k}.params"))
}

/// IPA parameters for `k` from `cache_dir`, generating and caching them when absent. They are
/// deterministic (no setup ceremony), so a cache is only a speed-up, and whatever is read or
/// generated must have the pinned digest of `Params::new(k)` ([`crate::params`]). The file
/// `ipa-pasta-k<k>.params` is framed and checksummed like a cached key (`keys`): a damaged,
/// truncated or foreign file, one holding parameters for another `k`, or a well-formed file whose
/// points are not the pinned ones, is regenerated and overwritten, never used (the source says
/// why). The size in the file is checked before anything is allocated for it. A `k` without
/// pinned parameters is an error.
pub fn load_or_create_params(
    cache_dir: &Path,
    k: u32,
) -> Result<(Params<EqAffine>, ParamsSource), StoreError> {
    crate::params::pinned_digest(k)?;
    let (params, load) = load_or_create_framed(
        &params_path(cache_dir, k),
        PARAMS_MAGIC,
        &params_file_name_digest(k),
        &|reader| read_params(reader, k),
        || generate_params(k).map_err(StoreError::from),
        &|params, mut writer| params.write(&mut writer),
    )?;
    let source = match load.source {
        KeySource::Cached => ParamsSource::Cached,
        KeySource::Generated => ParamsSource::Generated,
        KeySource::Regenerated(why) => ParamsSource::Regenerated(why),
    };
    Ok((params, source))
}

/// IPA parameters for `k` with no cache: generated and checked against the pinned digest
/// (an auditor who trusts no file on the machine; `marginproof verify --no-cache`).
pub fn fresh_params(k: u32) -> Result<(Params<EqAffine>, ParamsSource), StoreError> {
    Ok((generate_params(k)?, ParamsSource::Fresh))
}

/// Writes `payload` as the cached parameter file for `k` in `cache_dir`, framed and checksummed
/// as the cache writes it, whatever it holds. For tests that plant what someone who can write the
/// cache directory could plant; [`load_or_create_params`] must refuse anything but the pinned
/// parameters.
#[doc(hidden)]
pub fn plant_params_file(cache_dir: &Path, k: u32, payload: &[u8]) -> Result<PathBuf, StoreError> {
    let path = params_path(cache_dir, k);
    write_framed(&path, PARAMS_MAGIC, &params_file_name_digest(k), &|w| {
        w.write_all(payload)
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_cached_and_damaged_files_regenerated() {
        let dir =
            std::env::temp_dir().join(format!("marginproof-params-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let k = 4;
        let (generated, first) = load_or_create_params(&dir, k).expect("params");
        assert_eq!(first, ParamsSource::Generated);
        let mut expected = Vec::new();
        generated.write(&mut expected).expect("write");
        let (cached, second) = load_or_create_params(&dir, k).expect("params");
        assert_eq!(second, ParamsSource::Cached);
        let mut read_back = Vec::new();
        cached.write(&mut read_back).expect("write");
        assert_eq!(read_back, expected);

        let path = dir.join(format!("ipa-pasta-k{k}.params"));
        let bytes = fs::read(&path).expect("read");
        // The size field right after the 48-byte header claims k = 5, then 64 (halo2's `1 << k`
        // would overflow), then the last point byte is flipped, then the file is cut short: each is
        // regenerated and the file restored.
        let header = 16 + 32;
        let mut damaged = Vec::new();
        for size in [5u32, 64] {
            let mut b = bytes.clone();
            b[header..header + 4].copy_from_slice(&size.to_le_bytes());
            damaged.push(b);
        }
        let mut flipped = bytes.clone();
        let last_point = bytes.len() - 32 - 1;
        flipped[last_point] ^= 0x01;
        damaged.push(flipped);
        damaged.push(bytes[..bytes.len() / 2].to_vec());
        damaged.push(Vec::new());
        for b in damaged {
            fs::write(&path, &b).expect("write");
            let (params, source) = load_or_create_params(&dir, k).expect("params");
            assert!(matches!(source, ParamsSource::Regenerated(_)), "{source:?}");
            let mut again = Vec::new();
            params.write(&mut again).expect("write");
            assert_eq!(again, expected);
            assert_eq!(fs::read(&path).expect("read"), bytes);
        }
        // An unframed file (the format before framing) is regenerated as well.
        fs::write(&path, &expected).expect("write");
        assert!(matches!(
            load_or_create_params(&dir, k).expect("params").1,
            ParamsSource::Regenerated(_)
        ));
        assert_eq!(
            load_or_create_params(&dir, k).expect("params").1,
            ParamsSource::Cached
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
