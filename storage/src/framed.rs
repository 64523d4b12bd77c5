//! Cache files framed and checksummed, loaded or created.
//!
//! A framed file is a 16-byte magic ([`KEY_MAGIC`] for keys, [`PARAMS_MAGIC`] for IPA
//! parameters), a 32-character digest naming its content, the content (halo2's bytes), and
//! BLAKE2bp-256 of all that. A damaged, truncated or foreign file is detected on reading, and
//! [`load_or_create_framed`] then creates the value again and overwrites the file. Files are
//! written atomically ([`crate::atomic`]).

use std::fs;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic::write_atomic_with;
use crate::checksum::{Checksummed, CHECKSUM_BYTES};
use crate::StoreError;

/// First bytes of every key cache file (format version 1).
pub const KEY_MAGIC: &[u8; 16] = b"marginproof-key1";

/// First bytes of an IPA parameter cache file, framed like a key.
pub const PARAMS_MAGIC: &[u8; 16] = b"marginproof-ipa1";

/// Where a cached value came from.
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
    /// Whether the value was read from the cache.
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

/// How a cached value was had: its source, the time it took and its cache file.
#[derive(Debug, Clone)]
pub struct KeyLoad {
    /// Cached, generated or regenerated.
    pub source: KeySource,
    /// Wall time of reading or generating (and writing) the value.
    pub elapsed: Duration,
    /// The cache file.
    pub path: PathBuf,
}

fn invalid_data(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Reads a file framed with `magic` for `digest` with `read` (the halo2 key or parameter reader):
/// the magic and digest must match, and the checksum, and nothing may follow.
fn read_framed<K>(
    path: &Path,
    magic: &[u8; 16],
    digest: &str,
    read: &dyn Fn(&mut dyn Read) -> io::Result<K>,
) -> io::Result<K> {
    let file = fs::File::open(path)?;
    let mut reader = Checksummed::new(BufReader::with_capacity(1 << 20, file));
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

/// Writes a file framed with `magic` for `digest` atomically, with what `write` writes as its
/// content; creates its directory.
pub fn write_framed(
    path: &Path,
    magic: &[u8; 16],
    digest: &str,
    write: &dyn Fn(&mut dyn Write) -> io::Result<()>,
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    write_atomic_with(path, false, &mut |file| {
        let mut writer = Checksummed::new(BufWriter::with_capacity(1 << 20, file));
        writer.write_all(magic)?;
        writer.write_all(digest.as_bytes())?;
        write(&mut writer)?;
        let checksum = writer.hash.finalize();
        let mut inner = writer.inner;
        inner.write_all(checksum.as_bytes())?;
        inner.flush()
    })
}

/// A value from its framed cache file `path` (`magic`, `digest`, read with `read`), or made by
/// `create` and written there with `write` when the file is absent or unusable (then
/// overwritten), with the error type of `create`.
pub fn load_or_create_framed<K, E: From<StoreError>>(
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
