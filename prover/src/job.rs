//! `private/job.json`: what an output directory is being proven for, so that an interrupted
//! `prove` can be resumed, and only with the same inputs.
//!
//! A run writes it (after `private/secret`, before any proof) and never changes it. A later run on
//! the same directory compares it with its own inputs; any difference, or a file that is not a job
//! file, is refused (the directory belongs to another job).

use std::path::Path;

use blake2::{Blake2b512, Digest};
use marginproof_circuits::hash::unit_encoding;
use marginproof_circuits::model::AccountRecord;
use marginproof_circuits::statement::{SizeClass, FORMAT_VERSION};
use marginproof_circuits::RiskParams;
use marginproof_storage::{read_limited, write_atomic};
use serde::{Deserialize, Serialize};

use crate::bundle::{json, BundlePaths};
use crate::error::{JobField, ProveError};
use crate::secret::VenueSecret;

/// Largest `job.json` read (it is a few hundred bytes).
const MAX_JOB_BYTES: u64 = 64 << 10;

/// `private/job.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFile {
    /// The bundle format version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Hex of [`RiskParams::digest`] of the configuration.
    pub config_digest: String,
    /// Hex of [`accounts_digest`] of the validated accounts.
    pub accounts_digest: String,
    /// `--batch-size`, if given (one class of every record's slots in batches of that size).
    pub batch_size: Option<usize>,
    /// The size classes the job was planned with; a resumed run proves with these (the plan
    /// weighs which keys are cached, which the first run changed).
    pub classes: Vec<SizeClass>,
    /// Whether `prove` generated the secret (kept in `private/secret`) or read it from
    /// `--secret-file`.
    pub secret_generated: bool,
    /// [`VenueSecret::fingerprint`]: tells whether a resumed run uses the same secret, without
    /// revealing it.
    pub secret_fingerprint: String,
}

/// BLAKE2b-512 of the validated accounts, independent of how the CSV is written: the records in
/// atoms (as proven), sorted by account id and margin unit, every field length-prefixed (a unit by
/// its [`unit_encoding`], so a cross-only book digests as before margin units). Two accounts files with the
/// same accounts (in any row order, with any equivalent decimal spelling) give the same digest, and
/// the same proofs.
pub fn accounts_digest(records: &[AccountRecord]) -> [u8; 64] {
    let mut sorted: Vec<&AccountRecord> = records.iter().collect();
    sorted.sort_unstable_by(|a, b| (&a.id, &a.unit).cmp(&(&b.id, &b.unit)));
    let mut h = Blake2b512::new();
    let mut put = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    put(b"marginproof/accounts/v1");
    put(&(sorted.len() as u64).to_le_bytes());
    for r in sorted {
        put(&unit_encoding(&r.id, &r.unit));
        put(&(r.balances.len() as u64).to_le_bytes());
        for b in &r.balances {
            put(&b.to_le_bytes());
        }
        put(&(r.debts.len() as u64).to_le_bytes());
        for d in &r.debts {
            put(&d.to_le_bytes());
        }
        put(&(r.positions.len() as u64).to_le_bytes());
        for p in &r.positions {
            put(&p.size.to_le_bytes());
            put(&p.cost.to_signed_bytes_le());
        }
        put(r.mode.as_str().as_bytes());
    }
    h.finalize().into()
}

impl JobFile {
    /// The job of proving `records` under `params` in `classes` (`--batch-size` as asked) with
    /// `secret`.
    pub fn new(
        params: &RiskParams,
        records: &[AccountRecord],
        batch_size: Option<usize>,
        classes: &[SizeClass],
        secret: &VenueSecret,
        secret_generated: bool,
    ) -> Self {
        JobFile {
            format_version: FORMAT_VERSION,
            config_digest: hex::encode(params.digest()),
            accounts_digest: hex::encode(accounts_digest(records)),
            batch_size,
            classes: classes.to_vec(),
            secret_generated,
            secret_fingerprint: hex::encode(secret.fingerprint()),
        }
    }

    /// The first field in which `self` (recorded) and `current` (this run's) differ, ignoring
    /// `secret_generated` (how the secret was obtained) and `classes` (a resumed run takes the
    /// recorded ones).
    pub fn mismatch(&self, current: &JobFile) -> Option<JobField> {
        if self.format_version != current.format_version {
            Some(JobField::FormatVersion)
        } else if self.config_digest != current.config_digest {
            Some(JobField::Config)
        } else if self.accounts_digest != current.accounts_digest {
            Some(JobField::Accounts)
        } else if self.batch_size != current.batch_size {
            Some(JobField::BatchSize)
        } else if self.secret_fingerprint != current.secret_fingerprint {
            Some(JobField::Secret)
        } else {
            None
        }
    }

    /// Writes `private/job.json` (owner-only, atomically).
    pub fn write(&self, paths: &BundlePaths) -> Result<(), ProveError> {
        Ok(write_atomic(&paths.job(), &json(self), true)?)
    }

    /// Reads `path`; a missing file is an I/O error, anything unreadable as a job file is
    /// [`ProveError::CorruptJob`].
    pub fn read(path: &Path) -> Result<JobFile, ProveError> {
        let corrupt = |problem: String| ProveError::CorruptJob {
            path: path.display().to_string(),
            problem,
        };
        let bytes = read_limited(path, MAX_JOB_BYTES).map_err(|e| corrupt(e.to_string()))?;
        marginproof_verifier::json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))
    }
}

/// What is at the output path.
#[derive(Debug)]
pub enum OutputState {
    /// Nothing: a fresh run.
    Fresh,
    /// An interrupted run: `private/job.json` without `public/manifest.json`.
    Partial(JobFile),
}

/// Looks at `out`: nothing there is [`OutputState::Fresh`]; a job without a manifest is
/// [`OutputState::Partial`]; a manifest is [`ProveError::AlreadyComplete`]; anything else is
/// [`ProveError::NotAJob`] (or [`ProveError::CorruptJob`]).
pub fn inspect_output(out: &Path) -> Result<OutputState, ProveError> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OutputState::Fresh),
        Err(e) => return Err(ProveError::io(out, e)),
        Ok(meta) if !meta.is_dir() => return Err(ProveError::NotAJob(out.display().to_string())),
        Ok(_) => {}
    }
    let paths = BundlePaths::new(out);
    if paths.manifest().exists() {
        return Err(ProveError::AlreadyComplete(out.display().to_string()));
    }
    let job = paths.job();
    match std::fs::symlink_metadata(&job) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(ProveError::NotAJob(out.display().to_string()))
        }
        Err(e) => Err(ProveError::io(&job, e)),
        Ok(_) => Ok(OutputState::Partial(JobFile::read(&job)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_digest_ignores_order_and_sees_values() {
        let a = AccountRecord {
            id: "a".into(),
            unit: Default::default(),
            balances: vec![1],
            debts: vec![0],
            positions: vec![],
            mode: Default::default(),
        };
        let mut b = a.clone();
        b.id = "b".into();
        let d = accounts_digest(&[a.clone(), b.clone()]);
        assert_eq!(d, accounts_digest(&[b.clone(), a.clone()]));
        let isolated = a
            .clone()
            .in_unit(marginproof_circuits::model::MarginUnit::parse("u").expect("a label"));
        assert_ne!(d, accounts_digest(&[isolated, b.clone()]));
        b.balances[0] = 2;
        assert_ne!(d, accounts_digest(&[a, b]));
    }
}
