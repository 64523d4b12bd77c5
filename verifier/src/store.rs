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
use crate::keys::{load_or_create_framed, PARAMS_MAGIC};
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
    /// Generated (and written to the cache): there was no cached file, or it was unusable.
    Generated,
}

/// The name of the cached parameters for `k` inside their file (a 32-hex-digit digest, like a
/// key's).
fn params_digest(k: u32) -> String {
    let mut h = Blake2b::<U16>::new();
    h.update(b"marginproof/ipa-params/v1/pasta-eq");
    h.update(k.to_le_bytes());
    hex::encode(h.finalize())
}

/// IPA parameters for `k` from `cache_dir`, generating and caching them when absent. They are
/// deterministic (no setup ceremony), so a cache is only a speed-up. The file
/// `ipa-pasta-k<k>.params` is framed and checksummed like a cached key (`keys`): a damaged,
/// truncated or foreign file, or one holding parameters for another `k`, is regenerated and
/// overwritten, never used (a venue proving with damaged parameters would publish proofs that no
/// one else can verify). The size in the file is checked before anything is allocated for it.
pub fn load_or_create_params(
    cache_dir: &Path,
    k: u32,
) -> Result<(Params<EqAffine>, ParamsSource), StoreError> {
    let path = cache_dir.join(format!("ipa-pasta-k{k}.params"));
    let (params, load) = load_or_create_framed(
        &path,
        PARAMS_MAGIC,
        &params_digest(k),
        &|reader| {
            let mut size = [0u8; 4];
            reader.read_exact(&mut size)?;
            if u32::from_le_bytes(size) != k {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("parameters for k = {}, not {k}", u32::from_le_bytes(size)),
                ));
            }
            Params::<EqAffine>::read(&mut (&size[..]).chain(reader))
        },
        || Ok::<_, StoreError>(Params::<EqAffine>::new(k)),
        &|params, mut writer| params.write(&mut writer),
    )?;
    let source = if load.source.is_cached() {
        ParamsSource::Cached
    } else {
        ParamsSource::Generated
    };
    Ok((params, source))
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
            assert_eq!(source, ParamsSource::Generated);
            let mut again = Vec::new();
            params.write(&mut again).expect("write");
            assert_eq!(again, expected);
            assert_eq!(fs::read(&path).expect("read"), bytes);
        }
        // An unframed file (the format before framing) is regenerated as well.
        fs::write(&path, &expected).expect("write");
        assert_eq!(
            load_or_create_params(&dir, k).expect("params").1,
            ParamsSource::Generated
        );
        assert_eq!(
            load_or_create_params(&dir, k).expect("params").1,
            ParamsSource::Cached
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
