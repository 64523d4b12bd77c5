//! Writing the command line's text outputs.

use std::path::Path;

/// Writes `text` to `path` atomically, with the project's one helper
/// ([`marginproof_storage::write_atomic`]).
pub fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    Ok(marginproof_storage::write_atomic(
        path,
        text.as_bytes(),
        false,
    )?)
}
