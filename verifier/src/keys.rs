//! Files: the verifying and proving key cache, next to the IPA parameter cache (`store`).
//!
//! halo2_proofs (vendored with a serialization API, see `vendor/halo2_proofs/PATCHES.md`) writes
//! and reads keys; this module names the files, frames them and writes them atomically:
//!
//! - `vk-<digest>.bin`, `pk-<digest>.bin` in the cache directory, where `<digest>` ([`key_digest`])
//!   is BLAKE2b-128 (hex) of [`CIRCUIT_LAYOUT_VERSION`], `k`, the caller's identity of the circuit
//!   (for the batch circuit [`batch_identity`]: batch size, slot shape and the configuration's shape digest) and the debug
//!   form of the circuit's freshly configured constraint system (so a changed column or gate never
//!   finds an old key, even if the layout version was not bumped);
//! - a file is [`FILE_MAGIC`], the digest, the halo2 key bytes, and BLAKE2bp-256 of all that (the
//!   4-way parallel BLAKE2b: a proving key is hundreds of MB, and hashing it is a good part of
//!   reading it): a damaged, truncated or foreign file is detected and the key generated again,
//!   overwriting it;
//! - files are written to a temporary name in the same directory and renamed;
//! - the IPA parameter cache (`store::load_or_create_params`) uses the same framing under
//!   [`PARAMS_MAGIC`], so a damaged parameter file is regenerated too, rather than making proofs
//!   nobody else can verify.
//!
//! Like `store`, this is the file-system side of the crate; `bundle` takes keys as values.

use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};
use blake2b_simd::blake2bp;
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{keygen_vk, Circuit, ConstraintSystem, VerifyingKey};
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::field::Fp;
use marginproof_circuits::model::SlotShape;
use marginproof_circuits::{RiskParams, CIRCUIT_LAYOUT_VERSION};
use thiserror::Error;

use crate::atomic::write_atomic_with;
use crate::hashing::Hashing;
use crate::store::StoreError;

/// First bytes of every key cache file (format version 1).
pub const FILE_MAGIC: &[u8; 16] = b"marginproof-key1";

/// First bytes of an IPA parameter cache file (`store::load_or_create_params`), framed like a key.
pub const PARAMS_MAGIC: &[u8; 16] = b"marginproof-ipa1";

/// Bytes of the checksum at the end of a key file.
const CHECKSUM_BYTES: usize = 32;

fn checksum() -> blake2bp::State {
    blake2bp::Params::new()
        .hash_length(CHECKSUM_BYTES)
        .to_state()
}

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

/// Where a key came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KeySource {
    /// Read from the cache.
    Cached,
    /// Generated, and written to the cache (there was no cached file).
    #[default]
    Generated,
    /// The cached file could not be used (the reason given); generated again, file overwritten.
    Regenerated(String),
}

impl KeySource {
    /// Whether the key was read from the cache.
    pub fn is_cached(&self) -> bool {
        matches!(self, KeySource::Cached)
    }

    /// How a stage summary describes it: ` (cached)`, ` (generated, now cached)` or
    /// ` (cached file unusable: …; generated again, now cached)`.
    pub fn describe(&self) -> String {
        match self {
            KeySource::Cached => " (cached)".into(),
            KeySource::Generated => " (generated, now cached)".into(),
            KeySource::Regenerated(reason) => {
                format!(" (cached file unusable: {reason}; generated again, now cached)")
            }
        }
    }
}

/// How a key was had: its source, the time it took and its cache file.
#[derive(Debug, Clone)]
pub struct KeyLoad {
    /// Cached, generated or regenerated.
    pub source: KeySource,
    /// Wall time of reading or generating (and writing) the key.
    pub elapsed: Duration,
    /// The cache file.
    pub path: PathBuf,
}

/// The identity of a batch circuit's keys beyond its type: the batch size, the slot shape and
/// the configuration's shape digest ([`RiskParams::shape_digest`]: what the circuit's fixed
/// columns hold; prices are public inputs, so snapshots at new prices share keys).
pub fn batch_identity(params: &RiskParams, slots: SlotShape, batch_size: usize) -> Vec<u8> {
    let mut identity = b"marginproof/batch-circuit/shape".to_vec();
    identity.extend_from_slice(&(batch_size as u64).to_le_bytes());
    identity.extend_from_slice(&(slots.assets as u64).to_le_bytes());
    identity.extend_from_slice(&(slots.markets as u64).to_le_bytes());
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

fn invalid_data(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Reads a cache file framed with `magic` for `digest` with `read` (the halo2 key or parameter
/// reader): the magic and digest must match, and the checksum, and nothing may follow.
fn read_framed<K>(
    path: &Path,
    magic: &[u8; 16],
    digest: &str,
    read: &dyn Fn(&mut dyn Read) -> io::Result<K>,
) -> io::Result<K> {
    let file = fs::File::open(path)?;
    let mut reader = Hashing {
        inner: BufReader::with_capacity(1 << 20, file),
        hash: checksum(),
    };
    let mut header = [0u8; 16 + 32];
    reader.read_exact(&mut header)?;
    if &header[..16] != magic || &header[16..] != digest.as_bytes() {
        return Err(invalid_data("not a cache file of this format and digest"));
    }
    let key = read(&mut reader)?;
    let expected = reader.hash.finalize();
    let mut inner = reader.inner;
    let mut stored = [0u8; CHECKSUM_BYTES];
    inner.read_exact(&mut stored)?;
    if stored[..] != expected.as_bytes()[..] {
        return Err(invalid_data("checksum mismatch"));
    }
    let mut rest = [0u8; 1];
    if inner.read(&mut rest)? != 0 {
        return Err(invalid_data("bytes after the checksum"));
    }
    Ok(key)
}

/// Writes a cache file framed with `magic` for `digest` atomically ([`write_atomic_with`]).
pub(crate) fn write_framed(
    path: &Path,
    magic: &[u8; 16],
    digest: &str,
    write: &dyn Fn(&mut dyn Write) -> io::Result<()>,
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| store_io(dir, e))?;
    write_atomic_with(path, false, &mut |file| {
        let mut writer = Hashing {
            inner: BufWriter::with_capacity(1 << 20, file),
            hash: checksum(),
        };
        writer.write_all(magic)?;
        writer.write_all(digest.as_bytes())?;
        write(&mut writer)?;
        let checksum = writer.hash.finalize();
        let mut inner = writer.inner;
        inner.write_all(checksum.as_bytes())?;
        inner.flush()
    })
}

fn store_io(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
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
    load_or_create_framed(path, FILE_MAGIC, digest, read, create, write)
}

/// [`load_or_create_key`] for any cached value framed with `magic` (keys, IPA parameters), with
/// the error type of its `create`.
pub(crate) fn load_or_create_framed<K, E: From<StoreError>>(
    path: &Path,
    magic: &[u8; 16],
    digest: &str,
    read: &dyn Fn(&mut dyn Read) -> io::Result<K>,
    create: impl FnOnce() -> Result<K, E>,
    write: &dyn Fn(&K, &mut dyn Write) -> io::Result<()>,
) -> Result<(K, KeyLoad), E> {
    let started = Instant::now();
    let source = match read_framed(path, magic, digest, read) {
        Ok(key) => {
            return Ok((
                key,
                KeyLoad {
                    source: KeySource::Cached,
                    elapsed: started.elapsed(),
                    path: path.to_path_buf(),
                },
            ))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => KeySource::Generated,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            KeySource::Regenerated("truncated".into())
        }
        Err(e) => KeySource::Regenerated(e.to_string()),
    };
    let key = create()?;
    write_framed(path, magic, digest, &|w| write(&key, w))?;
    Ok((
        key,
        KeyLoad {
            source,
            elapsed: started.elapsed(),
            path: path.to_path_buf(),
        },
    ))
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
/// `bundle::verifying_key` derives).
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
    use marginproof_circuits::circuit::layout::min_k;
    use marginproof_circuits::config::{AssetSection, RiskConfigFile, SnapshotSection, TierSpec};

    use super::*;

    /// A one-asset configuration at `price` whose haircut rate is `haircut` (its shape).
    fn priced(price: &str, haircut: &str) -> Arc<RiskParams> {
        let tier = |rate: &str| TierSpec {
            up_to: None,
            rate: rate.into(),
        };
        let file = RiskConfigFile {
            reserve_chains: Default::default(),
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
