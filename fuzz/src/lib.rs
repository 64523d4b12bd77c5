//! Fixtures shared by the fuzz targets: a small real bundle (1 asset, 1 market, 2 batches of 2
//! accounts) proven once by the release CLI and kept in `seeds/small/` (its manifest, proofs and
//! published distinct keys), and helpers to split one fuzz input into several files.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::VerifyingKey;
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::statement::Manifest;
use marginproof_circuits::RiskParams;

/// A file of the fixture bundle (`fuzz/seeds/small/…`).
pub fn seed_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("seeds/small")
        .join(name)
}

/// Reads a fixture file; the fixture is part of the crate, so a missing one is a setup error.
pub fn seed_text(name: &str) -> String {
    std::fs::read_to_string(seed_path(name))
        .unwrap_or_else(|e| panic!("fixture {}: {e}", seed_path(name).display()))
}

/// The fixture's published distinct keys (`public/distinct-keys.bin`), read once.
pub fn distinct_keys() -> &'static [u8] {
    static D: OnceLock<Vec<u8>> = OnceLock::new();
    D.get_or_init(|| {
        let path = seed_path("public").join(marginproof_circuits::statement::DISTINCT_KEYS_FILE);
        std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
    })
}

/// The fixture's manifest, parsed once.
pub fn manifest() -> &'static Manifest {
    static M: OnceLock<Manifest> = OnceLock::new();
    M.get_or_init(|| {
        marginproof_verifier::manifest::parse_manifest(&seed_text("public/manifest.json"))
            .expect("fixture manifest parses")
    })
}

/// The fixture's configuration (from `venue.toml`), validated once.
pub fn risk_params() -> &'static RiskParams {
    static P: OnceLock<RiskParams> = OnceLock::new();
    P.get_or_init(|| {
        marginproof_prover::input::parse_config(
            &seed_text("venue.toml"),
            std::path::Path::new("venue.toml"),
        )
        .expect("fixture venue.toml is valid")
    })
}

/// The fixture bundle's configuration, circuit size, IPA parameters and verifying key, built once.
pub struct Keys {
    /// Configuration of the manifest.
    pub params: Arc<RiskParams>,
    /// Circuit size.
    pub k: u32,
    /// IPA parameters for `k`.
    pub ipa: Params<EqAffine>,
    /// Verifying key.
    pub vk: VerifyingKey<EqAffine>,
}

/// [`Keys`] of the fixture bundle.
pub fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let m = manifest();
        let marginproof_verifier::bundle::BundleShape { params, classes } =
            marginproof_verifier::bundle::bundle_shape(m).expect("fixture bundle shape");
        let (class, k) = (classes[0].class, classes[0].k);
        let ipa = Params::<EqAffine>::new(k);
        let vk = marginproof_verifier::bundle::verifying_key(
            &ipa,
            params.clone(),
            class.slots,
            class.batch_size,
        )
        .expect("fixture verifying key");
        Keys { params, k, ipa, vk }
    })
}

/// Splits `data` into length-prefixed parts: each part is a 4-byte little-endian length and that
/// many bytes (a length past the end takes the rest). At most `max_parts` parts.
pub fn split(mut data: &[u8], max_parts: usize) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    while !data.is_empty() && parts.len() < max_parts {
        if data.len() < 4 {
            parts.push(data);
            break;
        }
        let len = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
        let rest = &data[4..];
        let len = len.min(rest.len());
        parts.push(&rest[..len]);
        data = &rest[len..];
    }
    parts
}

/// A distinct-key list handed to the verifier in chunks of `chunk` bytes (at least 1), as
/// `files::DistinctKeysFile` hands a file over in reads that need not end on a key: the chunked
/// reading of the list is fuzzed along with its contents.
pub struct ChunkedKeys<'a> {
    /// The list's bytes.
    pub bytes: &'a [u8],
    /// Bytes per chunk.
    pub chunk: usize,
}

impl marginproof_verifier::bundle::DistinctKeySource for ChunkedKeys<'_> {
    fn scan(
        &mut self,
        each: &mut dyn FnMut(&[u8]),
    ) -> Result<(), marginproof_verifier::bundle::BundleError> {
        for piece in self.bytes.chunks(self.chunk.max(1)) {
            each(piece);
        }
        Ok(())
    }
}

/// Joins parts in the format [`split`] reads (to write seeds).
pub fn join(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u32).to_le_bytes());
        out.extend_from_slice(p);
    }
    out
}
