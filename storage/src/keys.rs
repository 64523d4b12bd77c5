//! The verifying and proving key cache.
//!
//! halo2_proofs (vendored with a serialization API, see `vendor/halo2_proofs/PATCHES.md`) writes
//! and reads keys; this module names their files and keeps them framed ([`crate::framed`]):
//! `vk-<digest>.bin`, `pk-<digest>.bin` in the cache directory, where `<digest>` ([`key_digest`])
//! is BLAKE2b-128 (hex) of [`CIRCUIT_LAYOUT_VERSION`], `k`, the caller's identity of the circuit
//! (for the batch circuit [`batch_identity`]: batch size, slot shape and the configuration's shape
//! digest) and the debug form of the circuit's freshly configured constraint system (so a changed
//! column or gate never finds an old key, even if the layout version was not bumped).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{keygen_vk, Circuit, ConstraintSystem, VerifyingKey};
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::field::Fp;
use marginproof_circuits::model::SlotShape;
use marginproof_circuits::{RiskParams, CIRCUIT_LAYOUT_VERSION};
use thiserror::Error;

use crate::framed::{load_or_create_framed, KeyLoad, KEY_MAGIC};
use crate::StoreError;

/// Why a key could not be had.
#[derive(Debug, Error)]
pub enum KeyError {
    /// The cache directory or a key file could not be written (or read, other than a damaged
    /// file, which is regenerated).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// halo2 could not generate the key (the circuit does not fit, for instance).
    #[error("{stage}: {reason}")]
    Keygen {
        /// Which key.
        stage: &'static str,
        /// halo2's error.
        reason: String,
    },
}

/// The identity of a batch circuit's keys beyond its type: the batch size, the slot shape (its
/// slots and its margin mode: a portfolio-margin class of the same slots is another circuit) and
/// the configuration's shape digest ([`RiskParams::shape_digest`]: what the circuit's fixed
/// columns hold; prices are public inputs, so snapshots at new prices share keys).
pub fn batch_identity(params: &RiskParams, slots: SlotShape, batch_size: usize) -> Vec<u8> {
    let mut identity = b"marginproof/batch-circuit/shape".to_vec();
    identity.extend_from_slice(&(batch_size as u64).to_le_bytes());
    identity.extend_from_slice(&(slots.assets as u64).to_le_bytes());
    identity.extend_from_slice(&(slots.markets as u64).to_le_bytes());
    identity.extend_from_slice(slots.mode.as_str().as_bytes());
    identity.extend_from_slice(&params.shape_digest());
    identity
}

/// The digest naming the cached keys of circuit type `C` at size `k` with identity `identity`
/// (32 hex characters): BLAKE2b-128 of [`CIRCUIT_LAYOUT_VERSION`], `k`, `identity` and
/// `format!("{:?}", cs)` of a freshly configured constraint system of `C`.
pub fn key_digest<C: Circuit<Fp>>(k: u32, identity: &[u8]) -> String {
    let mut cs = ConstraintSystem::<Fp>::default();
    let _ = C::configure(&mut cs);
    let mut h = Blake2b::<U16>::new();
    let mut put = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    put(b"marginproof/key-cache/v1");
    put(CIRCUIT_LAYOUT_VERSION.as_bytes());
    put(&k.to_le_bytes());
    put(identity);
    put(format!("{cs:?}").as_bytes());
    hex::encode(h.finalize())
}

/// The cache file of a key: `<kind>-<digest>.bin` in `cache_dir`.
pub fn key_path(cache_dir: &Path, kind: &str, digest: &str) -> PathBuf {
    cache_dir.join(format!("{kind}-{digest}.bin"))
}

/// A key from its cache file `path` (framed for `digest`, read with `read`), or made by `create`
/// and written there with `write` when the file is absent or unusable (then overwritten). The
/// building block of [`load_or_create_vk`] and of the prover's proving key cache.
pub fn load_or_create_key<K>(
    path: &Path,
    digest: &str,
    read: &dyn Fn(&mut dyn Read) -> io::Result<K>,
    create: impl FnOnce() -> Result<K, KeyError>,
    write: &dyn Fn(&K, &mut dyn Write) -> io::Result<()>,
) -> Result<(K, KeyLoad), KeyError> {
    load_or_create_framed(path, KEY_MAGIC, digest, read, create, write)
}

/// The verifying key of `circuit` (its keygen shape: no witnesses needed) under `ipa`, from the
/// cache in `cache_dir` or generated and cached. `identity` must tell apart every circuit of type
/// `C` whose keys differ at the same size (for the batch circuit, [`batch_identity`]); it names
/// the file together with the circuit's constraint system ([`key_digest`]).
pub fn load_or_create_vk<C: Circuit<Fp>>(
    cache_dir: &Path,
    ipa: &Params<EqAffine>,
    circuit: &C,
    identity: &[u8],
) -> Result<(VerifyingKey<EqAffine>, KeyLoad), KeyError> {
    let digest = key_digest::<C>(ipa.k(), identity);
    load_or_create_key(
        &key_path(cache_dir, "vk", &digest),
        &digest,
        &|mut r| VerifyingKey::read::<_, C>(&mut r, ipa),
        || {
            keygen_vk(ipa, circuit).map_err(|e| KeyError::Keygen {
                stage: "verifying key",
                reason: format!("{e:?}"),
            })
        },
        &|vk, mut w| vk.write(&mut w, ipa, circuit),
    )
}

/// [`load_or_create_vk`] for the batch circuit of a configuration and batch size (the key
/// `marginproof_verifier::bundle::verifying_key` derives).
pub fn load_or_create_batch_vk(
    cache_dir: &Path,
    ipa: &Params<EqAffine>,
    params: Arc<RiskParams>,
    slots: SlotShape,
    batch_size: usize,
) -> Result<(VerifyingKey<EqAffine>, KeyLoad), KeyError> {
    let identity = batch_identity(&params, slots, batch_size);
    load_or_create_vk(
        cache_dir,
        ipa,
        &BatchCircuit::shape(params, slots, batch_size),
        &identity,
    )
}

#[cfg(test)]
mod tests {
    use std::fs;

    use marginproof_circuits::circuit::layout::min_k;
    use marginproof_circuits::config::{AssetSection, RiskConfigFile, SnapshotSection, TierSpec};

    use super::*;
    use crate::framed::KeySource;

    /// A one-asset configuration at `price` whose haircut rate is `haircut` (its shape).
    fn priced(price: &str, haircut: &str) -> Arc<RiskParams> {
        let tier = |rate: &str| TierSpec {
            up_to: None,
            rate: rate.into(),
        };
        let file = RiskConfigFile {
            reserve_chains: Default::default(),
            portfolio_margin: None,
            snapshot: SnapshotSection {
                time: None,
                id: "keys-test".into(),
                venue: "Test Venue".into(),
                liquidation_threshold: "1.00".into(),
            },
            assets: vec![AssetSection {
                reserve_locations: Vec::new(),
                symbol: "USDT".into(),
                decimals: 6,
                price: price.into(),
                haircut: vec![tier(haircut)],
                maintenance: vec![tier("0.02")],
            }],
            markets: vec![],
            reserves: Default::default(),
            scenarios: Vec::new(),
            distribution: None,
        };
        Arc::new(RiskParams::from_file(&file).expect("config"))
    }

    fn params(shape: &str) -> Arc<RiskParams> {
        match shape {
            "1" => priced("1", "0.99"),
            _ => priced("1", "0.98"),
        }
    }

    fn load(
        dir: &Path,
        ipa: &Params<EqAffine>,
        params: &Arc<RiskParams>,
    ) -> (VerifyingKey<EqAffine>, KeyLoad) {
        load_or_create_batch_vk(dir, ipa, params.clone(), SlotShape::dense(params), 1).expect("vk")
    }

    fn pinned(vk: &VerifyingKey<EqAffine>) -> String {
        format!("{:?}", vk.pinned())
    }

    #[test]
    fn a_portfolio_margin_class_of_the_same_slots_has_other_keys() {
        // Its circuit lays out the shock rows: the cached keys of the standard class of the same
        // slots must never be loaded for it (they were, once, and every proof failed).
        let config = params("1");
        let standard = SlotShape::dense(&config);
        let portfolio = standard.in_mode(marginproof_circuits::model::MarginMode::Portfolio);
        assert_ne!(
            batch_identity(&config, standard, 4),
            batch_identity(&config, portfolio, 4)
        );
    }

    #[test]
    fn verifying_keys_are_cached_and_damaged_files_regenerated() {
        let dir =
            std::env::temp_dir().join(format!("marginproof-keys-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let config = params("1");
        let k = min_k(&BatchCircuit::shape(
            config.clone(),
            SlotShape::dense(&config),
            1,
        ))
        .expect("k");
        let ipa = Params::<EqAffine>::new(k);

        let (generated, first) = load(&dir, &ipa, &config);
        assert_eq!(first.source, KeySource::Generated);
        let name = first
            .path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with("vk-") && name.ends_with(".bin") && name.len() == 3 + 32 + 4);
        let (cached, second) = load(&dir, &ipa, &config);
        assert_eq!(second.source, KeySource::Cached);
        assert_eq!(second.path, first.path);
        assert_eq!(pinned(&cached), pinned(&generated));

        // A flipped byte anywhere: regenerated, overwritten, then cached again.
        let bytes = fs::read(&first.path).expect("read");
        for at in [0, 20, bytes.len() / 2, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            fs::write(&first.path, &damaged).expect("write");
            let (vk, load_) = load(&dir, &ipa, &config);
            assert!(
                matches!(load_.source, KeySource::Regenerated(_)),
                "{at}: {load_:?}"
            );
            assert_eq!(pinned(&vk), pinned(&generated));
            assert_eq!(fs::read(&first.path).expect("read"), bytes);
        }
        // Truncated, empty, or longer.
        for damaged in [
            &bytes[..bytes.len() - 1],
            &[][..],
            &[bytes.clone(), vec![0]].concat()[..],
        ] {
            fs::write(&first.path, damaged).expect("write");
            let (vk, load_) = load(&dir, &ipa, &config);
            assert!(
                matches!(load_.source, KeySource::Regenerated(_)),
                "{load_:?}"
            );
            assert_eq!(pinned(&vk), pinned(&generated));
        }
        assert_eq!(load(&dir, &ipa, &config).1.source, KeySource::Cached);

        // The same shape at another price: the same file, the same key.
        let repriced = priced("1.05", "0.99");
        let (vk, load_) = load(&dir, &ipa, &repriced);
        assert_eq!(load_.source, KeySource::Cached);
        assert_eq!(load_.path, first.path);
        assert_eq!(pinned(&vk), pinned(&generated));
        // And the key it names is the key keygen makes at that price: no fixed column holds one.
        let fresh = keygen_vk(
            &ipa,
            &BatchCircuit::shape(repriced.clone(), SlotShape::dense(&repriced), 1),
        )
        .expect("vk");
        assert_eq!(pinned(&fresh), pinned(&generated));

        // Another configuration shape (another haircut table): another file, another key.
        let other = params("2");
        let (vk, load_) = load(&dir, &ipa, &other);
        assert_eq!(load_.source, KeySource::Generated);
        assert_ne!(load_.path, first.path);
        assert_ne!(pinned(&vk), pinned(&generated));
        // No temporary file is left behind.
        let names: Vec<String> = fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn digest_depends_on_every_part() {
        let params = params("1");
        let a =
            key_digest::<BatchCircuit>(11, &batch_identity(&params, SlotShape::dense(&params), 4));
        assert_eq!(a.len(), 32);
        assert_eq!(
            a,
            key_digest::<BatchCircuit>(11, &batch_identity(&params, SlotShape::dense(&params), 4))
        );
        assert_ne!(
            a,
            key_digest::<BatchCircuit>(12, &batch_identity(&params, SlotShape::dense(&params), 4))
        );
        assert_ne!(
            a,
            key_digest::<BatchCircuit>(11, &batch_identity(&params, SlotShape::dense(&params), 8))
        );
        assert_ne!(
            a,
            key_digest::<BatchCircuit>(
                11,
                &batch_identity(&self::params("2"), SlotShape::dense(&params), 4)
            )
        );
        // Prices are public inputs, not part of the key.
        assert_eq!(
            a,
            key_digest::<BatchCircuit>(
                11,
                &batch_identity(&priced("2", "0.99"), SlotShape::dense(&params), 4)
            )
        );
    }
}
