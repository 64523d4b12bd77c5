//! Where the caches live, and the name of a cached IPA parameter file in it.

use std::path::{Path, PathBuf};

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};

/// The cache directory: `$MARGINPROOF_CACHE`, else `$XDG_CACHE_HOME/marginproof`, else
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

/// The cached IPA parameters for `k`: `ipa-pasta-k<k>.params` in `cache_dir`.
pub fn params_path(cache_dir: &Path, k: u32) -> PathBuf {
    cache_dir.join(format!("ipa-pasta-k{k}.params"))
}

/// The digest that names the parameters for `k` inside their framed file (32 hex digits, like a
/// key's: [`crate::framed`]).
pub fn params_digest_name(k: u32) -> String {
    let mut h = Blake2b::<U16>::new();
    h.update(b"marginproof/ipa-params/v1/pasta-eq");
    h.update(k.to_le_bytes());
    hex::encode(h.finalize())
}
