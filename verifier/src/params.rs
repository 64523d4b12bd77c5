//! IPA parameters, checked against pinned digests.
//!
//! IPA over Pasta needs no trusted setup: `Params::new(k)` derives every generator by hashing to
//! the curve, so the parameters for a circuit size `k` are one fixed value. This module pins the
//! BLAKE2b-256 digest of that value's serialization (`Params::write`) for every `k` the project
//! can use ([`MIN_K`]`..=`[`MAX_K`]), and every set of parameters the prover or the verifier
//! uses is checked against it, whether it was read from a cache file or just generated. A cached
//! file that is framed and checksummed correctly but holds other points (written by anyone who can
//! write the cache directory: another `k`'s points, one point changed) is therefore never used,
//! and a halo2 release that generated other parameters would be caught before it proved or
//! verified anything. `bundle::verify_bundle_with` checks the parameters it is given as well;
//! the lower-level `verify_batch_proof` and `verifying_key` take parameters as they are (the
//! callers here pass only checked ones).
//!
//! No file system here: `params_cache::load_or_create_params` reads and writes the cache.

use std::io::{self, Read};

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::poly::commitment::Params;
use thiserror::Error;

use crate::hashing::Hashing;

/// Smallest circuit size with pinned parameters.
pub const MIN_K: u32 = 1;
/// Largest circuit size the project proves or verifies: one proof at `k = 18` already needs
/// about 14 GB to prove (3.5 GB at `k = 16`, doubling with each `k`), so nothing larger is
/// planned, and no manifest can make the verifier build a larger key.
pub const MAX_K: u32 = 18;

/// BLAKE2b-256 of `Params::<EqAffine>::new(k).write(..)`, hex, for `k = MIN_K..=MAX_K` (index
/// `k − MIN_K`). Recomputed from halo2 by `params::tests::pinned_digests_are_those_of_params_new`
/// (small `k` in every test run; every `k` with `--ignored`).
pub const PINNED_DIGESTS: [&str; (MAX_K - MIN_K + 1) as usize] = [
    // k = 1
    "62290256fcaa8cfe0c2869d61ec803096ec86e546e123f480ee24f6a606c2cf3",
    // k = 2
    "6c93cbe647cb919807794d2edabd4456991cacbabe2a4e487dc08b8cfe9b6a8e",
    // k = 3
    "4a946b9cca6559df285a4599178171986314f443e7cb401250ea88351568ce23",
    // k = 4
    "e578a050edb789194aa31b2960d0a5a29b421e3141a9b4afe1eb6aa3b9a85e5f",
    // k = 5
    "1a8448e63afa4030a472d31cc01d87a34b7d6a35d0b0629a660bbbf868559a24",
    // k = 6
    "512676d8451d8d320d9c8f94b5a28a9a8758ddb1f6b6848c40b6290b2dc081f5",
    // k = 7
    "0933a610f4969ef1f4ecb63454dc8f7e91dc7e181e0c86f1814a82f767683f5a",
    // k = 8
    "4e2600d2146e0356001d39e1cf3f0048c75a428251afd0c03fbc6d5e3b90c2a9",
    // k = 9
    "e8e5479981383bf74da627a6a3fa6f77463a36d9184372c1023f1cde66f80750",
    // k = 10
    "7cb87405f41de2a0f0b640d702482629d77a15c469d79d864407c0494d4e75ed",
    // k = 11
    "773ee1d3dcc65a13e97e4d88119d1d20fb12a8db4443361f370c75bdc2c91382",
    // k = 12
    "8d715ccc1bbb447a03a53ef53866f060ce574c0d76e00ed7aea35f8be6fc0af5",
    // k = 13
    "c2ecc4e0390ee1c5ed97822aa97119721bd01a3008a127113fa84de347e994c6",
    // k = 14
    "7e77bf05488d7e8514ef5dcbe9326091994853a7bbb1e39272a0b8fe53c6d40c",
    // k = 15
    "1eef393892a47e431d6385d684efe3fc0011382011ca878b596da2ad3b89e400",
    // k = 16
    "96148e6086e2a9d113583a62a6bbc1e1faae9f9ab5c3fa6ec545601ea5fcd802",
    // k = 17
    "375331e30b21a0188a9dcc63a67a11979ac7df716c93148a09bff27cd6c743c7",
    // k = 18
    "663977f311205eb942bd53700d0cad4e19bd17cfa20b375933d66d8e658f8598",
];

/// Parameters that are not the pinned ones.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParamsError {
    /// No parameters are pinned for this size.
    #[error("no IPA parameters are pinned for k = {k} (the project uses k = {MIN_K}..={MAX_K})")]
    UnpinnedSize {
        /// The size asked for.
        k: u32,
    },
    /// The parameters' digest is not the pinned one.
    #[error("IPA parameters for k = {k} have digest {found}, not the pinned digest {pinned} of Params::new({k})")]
    DigestMismatch {
        /// The size.
        k: u32,
        /// BLAKE2b-256 of the parameters found.
        found: String,
        /// The pinned digest.
        pinned: &'static str,
    },
}

/// The pinned digest for `k`.
pub fn pinned_digest(k: u32) -> Result<&'static str, ParamsError> {
    if !(MIN_K..=MAX_K).contains(&k) {
        return Err(ParamsError::UnpinnedSize { k });
    }
    Ok(PINNED_DIGESTS[(k - MIN_K) as usize])
}

/// BLAKE2b-256 (hex) of the parameters' serialization.
pub fn params_digest(params: &Params<EqAffine>) -> String {
    let mut hashing = Hashing {
        inner: io::sink(),
        hash: Blake2b::<U32>::new(),
    };
    // Writing to a sink cannot fail.
    let _ = params.write(&mut hashing);
    hex::encode(hashing.hash.finalize())
}

fn check(k: u32, found: String) -> Result<(), ParamsError> {
    let pinned = pinned_digest(k)?;
    if found != pinned {
        return Err(ParamsError::DigestMismatch { k, found, pinned });
    }
    Ok(())
}

/// Checks parameters (of any source) against the pinned digest of their size.
pub fn check_params(params: &Params<EqAffine>) -> Result<(), ParamsError> {
    check(params.k(), params_digest(params))
}

/// `Params::new(k)`, checked against its pinned digest.
pub fn generate_params(k: u32) -> Result<Params<EqAffine>, ParamsError> {
    pinned_digest(k)?;
    let params = Params::<EqAffine>::new(k);
    check(k, params_digest(&params))?;
    Ok(params)
}

/// Reads parameters for `k` in halo2's format from `reader` and checks them against the pinned
/// digest. The size in the input is checked before anything is allocated for it (halo2 would
/// compute `1 << k` for any `k` the input names). Every problem is an `InvalidData` error naming
/// it; a short input is `UnexpectedEof`.
pub fn read_params(reader: &mut dyn Read, k: u32) -> io::Result<Params<EqAffine>> {
    pinned_digest(k).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let mut size = [0u8; 4];
    reader.read_exact(&mut size)?;
    let found = u32::from_le_bytes(size);
    if found != k {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("parameters for k = {found}, not {k}"),
        ));
    }
    let mut hashing = Hashing {
        inner: (&size[..]).chain(reader),
        hash: Blake2b::<U32>::new(),
    };
    let params = Params::<EqAffine>::read(&mut hashing)?;
    check(k, hex::encode(hashing.hash.finalize()))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Largest `k` checked in every test run (the rest take minutes: `--ignored`).
    const QUICK_MAX_K: u32 = 12;

    fn assert_pinned(ks: impl Iterator<Item = u32>) {
        for k in ks {
            let digest = params_digest(&Params::<EqAffine>::new(k));
            assert_eq!(pinned_digest(k), Ok(digest.as_str()), "k = {k}: {digest}");
        }
    }

    #[test]
    fn pinned_digests_are_those_of_params_new() {
        assert_pinned(MIN_K..=QUICK_MAX_K);
    }

    #[test]
    #[ignore = "generates the parameters for every k up to MAX_K: about 6 minutes"]
    fn every_pinned_digest_is_that_of_params_new() {
        assert_pinned(QUICK_MAX_K + 1..=MAX_K);
    }

    #[test]
    fn parameters_with_one_point_changed_or_another_size_are_refused() {
        let k = 5;
        let mut bytes = Vec::new();
        generate_params(k)
            .expect("pinned")
            .write(&mut bytes)
            .expect("write");
        let read = |b: &[u8]| {
            read_params(&mut &b[..], k)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(read(&bytes), Ok(()));

        // Two generators swapped: every point is still a valid point.
        let mut swapped = bytes.clone();
        let (first, second) = (4..36, 36..68);
        let a = bytes[first.clone()].to_vec();
        swapped.copy_within(second.clone(), first.start);
        swapped[second].copy_from_slice(&a);
        assert!(read(&swapped)
            .unwrap_err()
            .contains("not the pinned digest"));

        // k + 1's points under k's size, cut to k's length: well-formed, but not Params::new(k).
        let mut other = Vec::new();
        generate_params(k + 1)
            .expect("pinned")
            .write(&mut other)
            .expect("write");
        let mut planted = k.to_le_bytes().to_vec();
        planted.extend_from_slice(&other[4..bytes.len()]);
        assert!(read(&planted)
            .unwrap_err()
            .contains("not the pinned digest"));

        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(
            generate_params(MAX_K + 1).map(|_| ()),
            Err(ParamsError::UnpinnedSize { k: MAX_K + 1 })
        );
    }
}
