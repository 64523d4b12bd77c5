//! The IPA parameter cache, checked: parameters read from the cache directory or generated are
//! the pinned ones ([`crate::params`]), whatever the file held. The file itself is storage's
//! (`marginproof_storage::cache_dir::params_path`, framed by `marginproof_storage::framed`).

use std::path::Path;
#[cfg(feature = "test-support")]
use std::path::PathBuf;

use halo2_proofs::pasta::EqAffine;
use halo2_proofs::poly::commitment::Params;
use marginproof_storage::cache_dir::{params_digest_name, params_path};
#[cfg(feature = "test-support")]
use marginproof_storage::framed::write_framed;
use marginproof_storage::framed::{load_or_create_framed, KeySource, PARAMS_MAGIC};
use marginproof_storage::StoreError;
use thiserror::Error;

use crate::params::{generate_params, pinned_digest, read_params, ParamsError};

/// IPA parameters that cannot be had.
#[derive(Debug, Error)]
pub enum ParamsCacheError {
    /// The cache file could not be written (or read, other than a damaged file, which is
    /// regenerated).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A size without pinned parameters, or generated parameters that are not the pinned ones
    /// (another halo2).
    #[error(transparent)]
    Params(#[from] ParamsError),
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

/// IPA parameters for `k` from `cache_dir`, generating and caching them when absent. They are
/// deterministic (no setup ceremony), so a cache is only a speed-up, and whatever is read or
/// generated must have the pinned digest of `Params::new(k)` ([`crate::params`]). The file
/// `ipa-pasta-k<k>.params` is framed and checksummed like a cached key (`marginproof_storage::keys`): a damaged,
/// truncated or foreign file, one holding parameters for another `k`, or a well-formed file whose
/// points are not the pinned ones, is regenerated and overwritten, never used (the source says
/// why). The size in the file is checked before anything is allocated for it. A `k` without
/// pinned parameters is an error.
pub fn load_or_create_params(
    cache_dir: &Path,
    k: u32,
) -> Result<(Params<EqAffine>, ParamsSource), ParamsCacheError> {
    pinned_digest(k)?;
    let (params, load) = load_or_create_framed(
        &params_path(cache_dir, k),
        PARAMS_MAGIC,
        &params_digest_name(k),
        &|reader| read_params(reader, k),
        || generate_params(k).map_err(ParamsCacheError::from),
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
pub fn fresh_params(k: u32) -> Result<(Params<EqAffine>, ParamsSource), ParamsCacheError> {
    Ok((generate_params(k)?, ParamsSource::Fresh))
}

/// Writes `payload` as the cached parameter file for `k` in `cache_dir`, framed and checksummed
/// as the cache writes it, whatever it holds. For tests that plant what someone who can write the
/// cache directory could plant; [`load_or_create_params`] must refuse anything but the pinned
/// parameters. Only with the feature `test-support`.
#[cfg(feature = "test-support")]
pub fn plant_params_file(cache_dir: &Path, k: u32, payload: &[u8]) -> Result<PathBuf, StoreError> {
    let path = params_path(cache_dir, k);
    write_framed(&path, PARAMS_MAGIC, &params_digest_name(k), &|w| {
        w.write_all(payload)
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use std::fs;

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
