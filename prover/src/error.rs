//! Errors of the prover.

use std::fmt;
use std::io;
use std::path::Path;

use marginproof_storage::keys::KeyError;
use marginproof_storage::StoreError;
use marginproof_verifier::params::ParamsError;
use marginproof_verifier::params_cache::ParamsCacheError;
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
    /// The output directory holds a complete bundle.
    #[error("{0}: already complete (public/manifest.json exists); choose a new output directory")]
    AlreadyComplete(String),
    /// The output path exists and is not an interrupted `prove` run.
    #[error("{0}: already exists and is not a marginproof job (no private/job.json); choose a new output directory")]
    NotAJob(String),
    /// `private/job.json` cannot be read as a job file.
    #[error("{path}: not a marginproof job file ({problem}); choose a new output directory")]
    CorruptJob {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The interrupted run in the output directory was for other inputs.
    #[error("{path}: cannot resume: this directory is a job for other inputs; {field} differs. Rerun with the same --config, --accounts, --batch-size and secret, or choose a new output directory")]
    JobMismatch {
        /// The output directory.
        path: String,
        /// What differs.
        field: JobField,
    },
    /// An interrupted run is resumed without a secret: no `--secret-file` and none in `private/`.
    #[error("{0}: cannot resume: no secret (this job's secret is not in private/); give the job's --secret-file again, or choose a new output directory")]
    MissingSecret(String),
    /// An option out of range.
    #[error("{0}")]
    BadOption(String),
    /// A job directory (`marginproof plan`) that cannot be used.
    #[error("{path}: not a usable job directory: {problem}")]
    BadJob {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The parameter cache or a bundle file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// IPA parameters that cannot be had (a size without pinned parameters).
    #[error(transparent)]
    Params(#[from] ParamsError),
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

impl From<KeyError> for ProveError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Store(e) => ProveError::Store(e),
            KeyError::Keygen { stage, reason } => ProveError::Proving { stage, reason },
        }
    }
}

impl From<ParamsCacheError> for ProveError {
    fn from(e: ParamsCacheError) -> Self {
        match e {
            ParamsCacheError::Store(e) => ProveError::Store(e),
            ParamsCacheError::Params(e) => ProveError::Params(e),
        }
    }
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

/// The inputs of a run that must match a job being resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobField {
    /// `format_version`.
    FormatVersion,
    /// `config_digest`: the `--config` file.
    Config,
    /// `accounts_digest`: the `--accounts` file.
    Accounts,
    /// `batch_size`: `--batch-size`.
    BatchSize,
    /// `secret_fingerprint`: `--secret-file`, or the secret in `private/`.
    Secret,
}

impl fmt::Display for JobField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JobField::FormatVersion => "the bundle format version (format_version)",
            JobField::Config => "the configuration (config_digest: --config)",
            JobField::Accounts => "the accounts (accounts_digest: --accounts)",
            JobField::BatchSize => "the batch size (batch_size: --batch-size)",
            JobField::Secret => "the secret (secret_fingerprint: --secret-file)",
        })
    }
}
