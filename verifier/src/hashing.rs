//! A reader or writer that hashes the bytes passing through it: the BLAKE2bp checksum of cache
//! files (`keys`) and the BLAKE2b-256 digest of IPA parameters (`params`) use the same one.

use std::io::{self, Read, Write};

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use blake2b_simd::blake2bp;

/// A hash state that absorbs bytes.
pub(crate) trait Absorb {
    /// Adds `bytes` to the state.
    fn absorb(&mut self, bytes: &[u8]);
}

impl Absorb for blake2bp::State {
    fn absorb(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl Absorb for Blake2b<U32> {
    fn absorb(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }
}

/// `inner`, with every byte read from or written to it absorbed into `hash`.
pub(crate) struct Hashing<T, H> {
    /// The reader or writer.
    pub inner: T,
    /// The hash of what passed.
    pub hash: H,
}

impl<R: Read, H: Absorb> Read for Hashing<R, H> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.absorb(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write, H: Absorb> Write for Hashing<W, H> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.absorb(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
