//! Reading untrusted files with a size limit, so that no file makes a reader allocate without
//! bound.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::StoreError;

/// Reads at most `limit` bytes of a file; a longer file is invalid.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, StoreError> {
    let file = fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(StoreError::invalid(
            path,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// Reads a text file of at most `limit` bytes; non-UTF-8 content is invalid.
pub fn read_text(path: &Path, limit: usize) -> Result<String, StoreError> {
    let bytes = read_limited(path, limit as u64)?;
    String::from_utf8(bytes).map_err(|_| StoreError::invalid(path, "not UTF-8 text"))
}
