//! The checksum of framed cache files: BLAKE2bp-256 (the 4-way parallel BLAKE2b: a proving key is
//! hundreds of MB, and hashing it is a good part of reading it), and a reader or writer that
//! hashes the bytes passing through it.

use std::io::{self, Read, Write};

use blake2b_simd::blake2bp;

/// Bytes of the checksum at the end of a framed file.
pub(crate) const CHECKSUM_BYTES: usize = 32;

/// A fresh checksum state.
pub(crate) fn checksum() -> blake2bp::State {
    blake2bp::Params::new()
        .hash_length(CHECKSUM_BYTES)
        .to_state()
}

/// `inner`, with every byte read from or written to it absorbed into `hash`.
pub(crate) struct Checksummed<T> {
    /// The reader or writer.
    pub inner: T,
    /// The checksum of what passed.
    pub hash: blake2bp::State,
}

impl<T> Checksummed<T> {
    /// `inner` with a fresh checksum.
    pub fn new(inner: T) -> Self {
        Checksummed {
            inner,
            hash: checksum(),
        }
    }
}

impl<R: Read> Read for Checksummed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write> Write for Checksummed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
