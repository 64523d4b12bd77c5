//! The venue's 32-byte secret and what is derived from it with keyed BLAKE2b: per-snapshot salts,
//! the leaf order, and the running-totals blindings. Nothing derived here is ever logged.

use marginproof_storage::{read_limited, write_atomic, StoreError};
use std::fs;
use std::path::Path;

use blake2::digest::{FixedOutput, KeyInit, Update};
use blake2::Blake2bMac512;
use marginproof_circuits::circuit::batch::BatchSecrets;
use marginproof_circuits::field::{fp_from_digest, Fp};
use marginproof_circuits::hash::unit_encoding;
use marginproof_circuits::model::MarginUnit;
use rand_core::Rng;

use crate::error::ProveError;

/// The venue's secret key for one or many snapshots.
#[derive(Clone)]
pub struct VenueSecret([u8; 32]);

impl std::fmt::Debug for VenueSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VenueSecret(<redacted>)")
    }
}

impl VenueSecret {
    /// A secret from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        VenueSecret(bytes)
    }

    /// A fresh random secret from the operating system.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand_core::UnwrapErr(rand::rngs::SysRng).fill_bytes(&mut bytes);
        VenueSecret(bytes)
    }

    /// Reads exactly 32 bytes from `path`.
    pub fn read(path: &Path) -> Result<Self, ProveError> {
        // At most 33 bytes read: a secret path that names a device or a huge file is refused, not
        // read to the end.
        let bytes = read_limited(path, 32).map_err(|e| match e {
            StoreError::Io { source, .. } => ProveError::io(path, source),
            StoreError::Invalid { .. } => ProveError::BadSecret {
                path: path.display().to_string(),
                len: fs::metadata(path).map_or(33, |m| m.len() as usize),
            },
        })?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| ProveError::BadSecret {
                path: path.display().to_string(),
                len: b.len(),
            })?;
        Ok(VenueSecret(bytes))
    }

    /// Writes the secret to `path` atomically, readable by the owner only (0600).
    pub fn write(&self, path: &Path) -> Result<(), ProveError> {
        Ok(write_atomic(path, &self.0, true)?)
    }

    /// A keyed digest of a fixed label: tells two secrets apart without revealing either.
    pub fn fingerprint(&self) -> [u8; 64] {
        self.derive(b"marginproof/fingerprint/v1", "", b"")
    }

    fn derive(&self, purpose: &[u8], snapshot_id: &str, item: &[u8]) -> [u8; 64] {
        // BLAKE2b takes keys of up to 64 bytes, so a 32-byte key is always accepted.
        let mut mac =
            <Blake2bMac512 as KeyInit>::new_from_slice(&self.0).expect("32-byte BLAKE2b key");
        for part in [purpose, snapshot_id.as_bytes(), item] {
            Update::update(&mut mac, &(part.len() as u64).to_le_bytes());
            Update::update(&mut mac, part);
        }
        mac.finalize_fixed().into()
    }

    /// The salt of margin unit `unit` of `account_id` in `snapshot_id` (SPEC §3, §8): fresh per
    /// snapshot, derived from the unit's [`unit_encoding`] (for a cross unit, the id's bytes).
    pub fn salt(&self, snapshot_id: &str, account_id: &str, unit: &MarginUnit) -> Fp {
        fp_from_digest(&self.derive(
            b"marginproof/salt/v1",
            snapshot_id,
            &unit_encoding(account_id, unit),
        ))
    }

    /// The key that orders leaves: margin units sorted by it are in a keyed shuffle.
    pub fn order_key(&self, snapshot_id: &str, account_id: &str, unit: &MarginUnit) -> [u8; 64] {
        self.derive(
            b"marginproof/order/v1",
            snapshot_id,
            &unit_encoding(account_id, unit),
        )
    }

    /// The snapshot's distinct-key secret `k` (SPEC §3, version 3): every account's distinct key
    /// is `Poseidon(id_hash, k)`, and `Poseidon(k, 0)` is public in every proof.
    pub fn distinct_secret(&self, snapshot_id: &str) -> Fp {
        fp_from_digest(&self.derive(b"marginproof/distinct-key/v1", snapshot_id, b""))
    }

    /// The salt of the padding leaf at `position` of batch `batch` (a batch's padding follows its
    /// accounts): derived in its own domain, so a padding leaf looks like any other leaf to
    /// whoever lacks the secret (SPEC §3, §9).
    pub fn padding_salt(&self, snapshot_id: &str, batch: usize, position: usize) -> Fp {
        let mut item = (batch as u64).to_le_bytes().to_vec();
        item.extend_from_slice(&(position as u64).to_le_bytes());
        fp_from_digest(&self.derive(b"marginproof/padding-salt/v1", snapshot_id, &item))
    }

    /// The padding salts of batch `batch` of `batch_size` leaves holding `accounts` accounts.
    pub fn padding_salts(
        &self,
        snapshot_id: &str,
        batch: usize,
        accounts: usize,
        batch_size: usize,
    ) -> Vec<Fp> {
        (accounts..batch_size)
            .map(|position| self.padding_salt(snapshot_id, batch, position))
            .collect()
    }

    /// Everything batch `index` of `batch_size` leaves holding `accounts` accounts takes from the
    /// secret besides its salts: padding salts, `k`, and its two blindings.
    pub fn batch_secrets(
        &self,
        snapshot_id: &str,
        index: usize,
        accounts: usize,
        batch_size: usize,
    ) -> BatchSecrets {
        BatchSecrets {
            padding_salts: self.padding_salts(snapshot_id, index, accounts, batch_size),
            distinct_secret: self.distinct_secret(snapshot_id),
            blinding_before: match index {
                0 => Fp::zero(),
                _ => self.blinding(snapshot_id, index - 1),
            },
            blinding_after: self.blinding(snapshot_id, index),
        }
    }

    /// The blinding of the running-totals commitment after batch `index` (`C_{index+1}`).
    pub fn blinding(&self, snapshot_id: &str, index: usize) -> Fp {
        fp_from_digest(&self.derive(
            b"marginproof/blinding/v1",
            snapshot_id,
            &(index as u64).to_le_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivations_are_keyed_and_per_snapshot() {
        let a = VenueSecret::from_bytes([1; 32]);
        let b = VenueSecret::from_bytes([2; 32]);
        let cross = MarginUnit::cross();
        let isolated = MarginUnit::parse("x").expect("a label");
        assert_ne!(a.salt("s1", "x", &cross), b.salt("s1", "x", &cross));
        assert_ne!(a.salt("s1", "x", &cross), a.salt("s2", "x", &cross));
        assert_eq!(a.salt("s1", "x", &cross), a.salt("s1", "x", &cross));
        assert_ne!(a.salt("s1", "x", &cross), a.salt("s1", "x", &isolated));
        assert_ne!(a.blinding("s1", 0), a.blinding("s1", 1));
        assert_ne!(a.padding_salt("s1", 0, 3), a.padding_salt("s1", 0, 4));
        assert_ne!(a.padding_salt("s1", 0, 3), a.padding_salt("s1", 1, 3));
        assert_ne!(a.padding_salt("s1", 0, 3), b.padding_salt("s1", 0, 3));
        assert_ne!(a.distinct_secret("s1"), a.distinct_secret("s2"));
        assert_ne!(a.distinct_secret("s1"), b.distinct_secret("s1"));
        assert_eq!(format!("{a:?}"), "VenueSecret(<redacted>)");
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
