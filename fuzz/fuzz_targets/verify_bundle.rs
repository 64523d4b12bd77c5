//! The auditor's check end to end: the input is length-prefixed parts (see
//! `marginproof_fuzz::split`): a manifest, the published distinct-key list
//! (`public/distinct-keys.bin`), then batch proofs. `parse_manifest`, then `verify_bundle` with
//! the fixture's IPA parameters and verifying key for every class (manifests whose classes need
//! another k are skipped), the list handed over in chunks whose size the input picks (reads that
//! need not end on a key, as from a file), and the report on success. The list's digest and sum
//! read in those chunks are checked against a whole read. The proof paths are also resolved with
//! `files::read_proof` against the fixture's `public/` directory, as `marginproof verify` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginproof_circuits::model::buckets::BucketChallenges;
use marginproof_circuits::model::distinct::{list_digest, list_side, ListScan, ListSum};
use marginproof_fuzz::ChunkedKeys;
use marginproof_verifier::bundle::{bundle_shape, verify_bundle, BundleError, ClassKey};
use marginproof_verifier::manifest::parse_manifest;
use marginproof_verifier::files::read_proof;

/// Reading the list in chunks of `chunk` bytes gives the same verdict, digest and sum as reading
/// it whole.
fn chunked_reads_agree(bytes: &[u8], chunk: usize) {
    let mut scan = ListScan::default();
    let mut refused = None;
    for piece in bytes.chunks(chunk) {
        if refused.is_none() {
            refused = scan.feed(piece).err();
        }
    }
    let chunked = match refused {
        Some(e) => Err(e),
        None => scan.finish(),
    };
    let whole = list_digest(bytes);
    assert_eq!(chunked, whole, "chunks of {chunk} bytes");
    if whole.is_ok() {
        let challenges = BucketChallenges {
            r: halo2_proofs::pasta::Fp::from(0x5eed),
            rho: halo2_proofs::pasta::Fp::from(3),
            gamma: halo2_proofs::pasta::Fp::from(5),
        };
        let mut sum = ListSum::new(challenges);
        for piece in bytes.chunks(chunk) {
            sum.feed(piece);
        }
        assert_eq!(
            sum.finish(),
            list_side(challenges, bytes),
            "chunks of {chunk} bytes"
        );
    }
}

fuzz_target!(
    init: {
        // IPA parameters and the fixture's verifying key, outside the timed runs.
        let _ = marginproof_fuzz::keys();
    },
    |data: &[u8]| {
        let parts = marginproof_fuzz::split(data, 10);
        let Some((manifest, rest)) = parts.split_first() else {
            return;
        };
        let Some((distinct_keys, proofs)) = rest.split_first() else {
            return;
        };
        // A chunk size from 1 to 97 bytes, picked by the input (not by the list's own bytes).
        let chunk = 1 + manifest.len() % 97;
        chunked_reads_agree(distinct_keys, chunk);
        let Ok(text) = std::str::from_utf8(manifest) else {
            return;
        };
        let Ok(manifest) = parse_manifest(text) else {
            return;
        };
        let public = marginproof_fuzz::seed_path("public");
        for (i, entry) in manifest.batches.iter().take(8).enumerate() {
            let _ = read_proof(&public, i, entry);
        }
        let keys = marginproof_fuzz::keys();
        let Ok(shape) = bundle_shape(&manifest) else {
            return;
        };
        // Only manifests of the fixture's circuit size: every class gets the fixture's key (a
        // class of another circuit then fails its proofs, which is what is fuzzed).
        if shape.classes.iter().any(|c| c.k != keys.k) {
            return;
        }
        let class_keys: Vec<ClassKey> = shape
            .classes
            .iter()
            .map(|_| ClassKey {
                ipa: keys.ipa.clone(),
                vk: keys.vk.clone(),
            })
            .collect();
        let result = verify_bundle(
            &manifest,
            &shape,
            |i, _| {
                proofs
                    .get(i)
                    .map(|p| p.to_vec())
                    .ok_or_else(|| BundleError::ProofFile {
                        batch: i,
                        reason: "missing".into(),
                    })
            },
            &mut ChunkedKeys {
                bytes: distinct_keys,
                chunk,
            },
            &class_keys,
        );
        if let Ok(verified) = result {
            let _ = verified.root_hex();
        }
    }
);
