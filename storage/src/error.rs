//! The error of every file operation here.

use std::io;
use std::path::Path;

use thiserror::Error;

/// A file that could not be read or written, or whose content is not what it must be.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file is missing, unreadable or unwritable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// The file is there but is not valid.
    #[error("{path}: {problem}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

impl StoreError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: io::Error) -> Self {
        StoreError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// `path` is present but wrong: `problem`.
    pub fn invalid(path: &Path, problem: impl Into<String>) -> Self {
        StoreError::Invalid {
            path: path.display().to_string(),
            problem: problem.into(),
        }
    }

    /// Whether the file is present but wrong (a rejection) rather than missing or unreadable.
    pub fn is_invalid(&self) -> bool {
        matches!(self, StoreError::Invalid { .. })
    }
}
