//! Errors of the prover.

use std::io;
use std::path::Path;

use marginproof_verifier::store::StoreError;
use thiserror::Error;

use crate::input::InputError;

/// Why proving or writing a bundle failed.
#[derive(Debug, Error)]
pub enum ProveError {
    /// The venue's input files are invalid.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// The secret file is not 32 bytes.
    #[error("{path}: a secret is exactly 32 bytes, this file has {len}")]
    BadSecret {
        /// The file.
        path: String,
        /// Its length.
        len: usize,
    },
    /// The output directory is already there.
    #[error("{0}: already exists; choose a new output directory")]
    OutputExists(String),
    /// An option out of range.
    #[error("{0}")]
    BadOption(String),
    /// The parameter cache or a bundle file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// halo2 refused to build keys or a proof.
    #[error("{stage}: {reason}")]
    Proving {
        /// Which stage.
        stage: &'static str,
        /// halo2's error.
        reason: String,
    },
    /// The account asked for is not in the bundle.
    #[error("account `{0}` is not in this snapshot")]
    UnknownAccount(String),
    /// A private bundle file is inconsistent with the public part.
    #[error("{path}: {problem}")]
    CorruptBundle {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

impl ProveError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: io::Error) -> Self {
        ProveError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
