//! A reader or writer that hashes the bytes passing through it: the BLAKE2b-256 digest of IPA
//! parameters (`params`), computed as they are written or read.

use std::io::{self, Read, Write};

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

/// `inner`, with every byte read from or written to it absorbed into `hash`.
pub(crate) struct Hashing<T> {
    /// The reader or writer.
    pub inner: T,
    /// The hash of what passed.
    pub hash: Blake2b<U32>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
