//! Every leaf is one account, once (SPEC §3, version 3): the published list of distinct keys and
//! the native side of the argument that every real leaf's key is in it exactly once.
//!
//! Each real leaf carries, through its `id_hash`, a **distinct key** `u = Poseidon(id_hash, k)`
//! ([`crate::hash::distinct_key`]) under a snapshot-wide secret `k` whose commitment
//! `K = Poseidon(k, 0)` ([`crate::hash::distinct_commitment`]) is a public input of every batch
//! proof. The batch circuit computes `u` from the leaf's own `id_hash` and the `k` that opens `K`,
//! so the venue cannot give two copies of one account (same `id_hash`, in any batch or class,
//! with any salt or record) two keys. The venue publishes the keys of all real leaves as one list
//! sorted strictly increasing (`public/distinct-keys.bin`, [`KEY_BYTES`] bytes per key, the
//! field element's canonical little-endian bytes; strictly increasing as integers), and each
//! account adds `γ·is_real/(r − u)` to the bucket identity ([`crate::model::buckets`]) while the
//! verifier adds `−Σ_list γ/(r − w)` on the other side ([`list_side`]):
//!
//! ```text
//! Σ_leaves γ·is_real/(r − u)  =  Σ_{w in the list} γ/(r − w)
//! ```
//!
//! As rational functions of `r` the two sides are equal only if the multiset of real leaves' keys
//! is the list; the list has no repeated key (the verifier checks it is strictly increasing), so
//! no key, and so no `id_hash`, is on two real leaves. The weight `γ` keeps these terms apart from
//! every other pole's numerator as polynomials in `(ρ, γ)` (those have no `γ`), whatever a key's
//! value. The challenges are drawn after the root, the class list, `K` and the list's digest
//! ([`list_digest`]) are fixed ([`crate::statement::snapshot_challenges`]), so the identity holds
//! at them with probability at most `(2N + …)/p` if the multisets differ (the bound of
//! [`crate::model::buckets`], with `N` more poles per side).
//!
//! What the list reveals: the number of accounts (public anyway) and values that are a PRF of
//! each `id_hash` under `k`. Without `k` nobody can tell which key belongs to which account, in
//! which batch or class it is, or link keys across snapshots (`k` is fresh per snapshot); a user
//! cannot find their own key. Whoever learns the venue's secret (and so `k`) can test whether a
//! given id was an account of that snapshot: the same exposure a leaked secret gives through the
//! salts.

use std::cmp::Ordering;

use blake2::{Blake2b512, Digest};
use ff::{BatchInvert, Field, PrimeField};
use thiserror::Error;

use crate::field::{fp_from_digest, Fp};
use crate::model::buckets::BucketChallenges;

/// Bytes per key in the list: a field element's canonical little-endian representation.
pub const KEY_BYTES: usize = 32;

/// Why a distinct-key list is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DistinctError {
    /// Its length is not a whole number of keys.
    #[error("distinct keys: {len} bytes is not a whole number of {KEY_BYTES}-byte keys")]
    Length {
        /// Its length.
        len: u64,
    },
    /// A key is not a canonical field element.
    #[error("distinct keys: key {index} is not a canonical field element")]
    NotCanonical {
        /// Its position.
        index: u64,
    },
    /// A key is not above the one before: a repeated key (one account counted twice) or an
    /// unsorted list.
    #[error("distinct keys: key {index} is not greater than key {}: an account is listed twice or the list is not sorted", index - 1)]
    NotIncreasing {
        /// Its position.
        index: u64,
    },
    /// The list holds another number of keys than the manifest or the totals say.
    #[error("distinct keys: the list holds {found} keys, but {what} says {expected}")]
    Count {
        /// Keys in the list.
        found: u64,
        /// Keys expected.
        expected: u64,
        /// Who says so.
        what: &'static str,
    },
}

/// Orders keys as integers (the list's order).
pub fn key_order(a: &Fp, b: &Fp) -> Ordering {
    a.to_repr().iter().rev().cmp(b.to_repr().iter().rev())
}

/// The list's bytes from keys in any order: sorted as integers. Repeated keys are kept (an honest
/// prover has none; a verifier refuses them).
pub fn encode(mut keys: Vec<Fp>) -> Vec<u8> {
    keys.sort_unstable_by(key_order);
    let mut bytes = Vec::with_capacity(keys.len() * KEY_BYTES);
    for key in keys {
        bytes.extend_from_slice(&key.to_repr());
    }
    bytes
}

/// Reads a list in chunks of any size: checks every key is canonical and above the one before,
/// and digests it ([`list_digest`]).
#[derive(Debug, Clone)]
pub struct ListScan {
    digest: Blake2b512,
    pending: Vec<u8>,
    last: Option<Fp>,
    count: u64,
}

/// The domain tag the list's digest starts with.
const DIGEST_TAG: &[u8] = b"marginproof/distinct-keys/v1";

/// The digest [`list_digest`] gives, of any bytes, without checking them as a list (a dishonest
/// prover's list that repeats a key, which the verifier then refuses).
pub fn digest_unchecked(bytes: &[u8]) -> Fp {
    let mut digest = Blake2b512::new();
    digest.update(DIGEST_TAG);
    digest.update(bytes);
    fp_from_digest(&digest.finalize().into())
}

impl Default for ListScan {
    fn default() -> Self {
        let mut digest = Blake2b512::new();
        digest.update(DIGEST_TAG);
        ListScan {
            digest,
            pending: Vec::with_capacity(KEY_BYTES),
            last: None,
            count: 0,
        }
    }
}

fn key_of(bytes: &[u8], index: u64) -> Result<Fp, DistinctError> {
    let mut repr = [0u8; KEY_BYTES];
    repr.copy_from_slice(bytes);
    Option::from(Fp::from_repr(repr)).ok_or(DistinctError::NotCanonical { index })
}

impl ListScan {
    /// Reads the next bytes of the list.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), DistinctError> {
        self.digest.update(bytes);
        while !bytes.is_empty() {
            let take = (KEY_BYTES - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == KEY_BYTES {
                let key = key_of(&self.pending, self.count)?;
                if let Some(last) = &self.last {
                    if key_order(&key, last) != Ordering::Greater {
                        return Err(DistinctError::NotIncreasing { index: self.count });
                    }
                }
                self.last = Some(key);
                self.count += 1;
                self.pending.clear();
            }
        }
        Ok(())
    }

    /// The number of keys read and the list's digest, if it ended on a whole key.
    pub fn finish(self) -> Result<(u64, Fp), DistinctError> {
        if !self.pending.is_empty() {
            return Err(DistinctError::Length {
                len: self.count * KEY_BYTES as u64 + self.pending.len() as u64,
            });
        }
        let digest: [u8; 64] = self.digest.finalize().into();
        Ok((self.count, fp_from_digest(&digest)))
    }
}

/// The digest of a list's bytes: BLAKE2b-512 of a domain tag and the bytes, reduced into the field.
/// Checks the list as [`ListScan`] does.
pub fn list_digest(bytes: &[u8]) -> Result<(u64, Fp), DistinctError> {
    let mut scan = ListScan::default();
    scan.feed(bytes)?;
    scan.finish()
}

/// Sums `γ/(r − w)` over a list read in chunks (of whole keys or not), with one batch inversion
/// per chunk. Feed it only a list [`ListScan`] accepted.
#[derive(Debug, Clone)]
pub struct ListSum {
    challenges: BucketChallenges,
    pending: Vec<u8>,
    sum: Fp,
}

impl ListSum {
    /// An empty sum under `challenges`.
    pub fn new(challenges: BucketChallenges) -> Self {
        ListSum {
            challenges,
            pending: Vec::with_capacity(KEY_BYTES),
            sum: Fp::ZERO,
        }
    }

    /// Adds the next bytes' keys (a key that is not canonical counts as 0: [`ListScan`] refuses it).
    pub fn feed(&mut self, mut bytes: &[u8]) {
        let mut denominators = Vec::with_capacity(bytes.len() / KEY_BYTES + 1);
        while !bytes.is_empty() {
            let take = (KEY_BYTES - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == KEY_BYTES {
                let key = key_of(&self.pending, 0).unwrap_or(Fp::ZERO);
                denominators.push(self.challenges.r - key);
                self.pending.clear();
            }
        }
        denominators.iter_mut().batch_invert();
        let total = denominators.iter().fold(Fp::ZERO, |acc, d| acc + d);
        self.sum += self.challenges.gamma * total;
    }

    /// `Σ γ/(r − w)`.
    pub fn finish(self) -> Fp {
        self.sum
    }
}

/// `Σ_{w in the list} γ/(r − w)`: the list's side of the identity, from its bytes.
pub fn list_side(challenges: BucketChallenges, bytes: &[u8]) -> Fp {
    let mut sum = ListSum::new(challenges);
    sum.feed(bytes);
    sum.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::buckets::distinct_fraction;

    fn challenges() -> BucketChallenges {
        BucketChallenges {
            r: Fp::from(1_000_003),
            rho: Fp::from(7),
            gamma: Fp::from(11),
        }
    }

    #[test]
    fn a_sorted_list_reads_back_and_matches_the_leaves_side() {
        let keys: Vec<Fp> = (0..50u64)
            .map(|i| Fp::from(i * 7919 + 3).square())
            .collect();
        let bytes = encode(keys.clone());
        let (count, digest) = list_digest(&bytes).expect("a valid list");
        assert_eq!(count, 50);
        // Chunked reads give the same digest and sum as a whole read.
        let mut scan = ListScan::default();
        let mut sum = ListSum::new(challenges());
        for chunk in bytes.chunks(13) {
            scan.feed(chunk).expect("valid");
            sum.feed(chunk);
        }
        assert_eq!(scan.finish().expect("whole"), (50, digest));
        let leaves = keys.iter().fold(Fp::ZERO, |acc, k| {
            acc + distinct_fraction(challenges(), Fp::ONE, *k)
        });
        assert_eq!(sum.finish(), leaves);
        assert_eq!(list_side(challenges(), &bytes), leaves);
    }

    #[test]
    fn repeated_unsorted_short_and_noncanonical_lists_are_refused() {
        let a = Fp::from(5);
        let b = Fp::from(9);
        let twice = encode(vec![a, b, b]);
        assert_eq!(
            list_digest(&twice),
            Err(DistinctError::NotIncreasing { index: 2 })
        );
        let mut unsorted = b.to_repr().to_vec();
        unsorted.extend_from_slice(&a.to_repr());
        assert_eq!(
            list_digest(&unsorted),
            Err(DistinctError::NotIncreasing { index: 1 })
        );
        let mut short = encode(vec![a, b]);
        short.pop();
        assert_eq!(list_digest(&short), Err(DistinctError::Length { len: 63 }));
        let big = [0xFFu8; KEY_BYTES];
        assert_eq!(
            list_digest(&big),
            Err(DistinctError::NotCanonical { index: 0 })
        );
        // Keys compare as integers, not by their first byte.
        assert_eq!(key_order(&Fp::from(256), &Fp::from(1)), Ordering::Greater);
        assert!(list_digest(&encode(vec![Fp::from(256), Fp::from(1)])).is_ok());
    }
}
