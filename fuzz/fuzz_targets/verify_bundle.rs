//! The auditor's check end to end: the input is length-prefixed parts (see
//! `marginproof_fuzz::split`): a manifest, then batch proofs. `parse_manifest`, then
//! `verify_bundle` with the fixture's IPA parameters and verifying key for every class (manifests
//! whose classes need another k are skipped), and the report on success. The proof paths are also resolved with
//! `store::read_proof` against the fixture's `public/` directory, as `marginproof verify` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginproof_verifier::bundle::{bundle_shape, verify_bundle, BundleError, ClassKey};
use marginproof_verifier::manifest::parse_manifest;
use marginproof_verifier::store::read_proof;

fuzz_target!(
    init: {
        // IPA parameters and the fixture's verifying key, outside the timed runs.
        let _ = marginproof_fuzz::keys();
    },
    |data: &[u8]| {
        let parts = marginproof_fuzz::split(data, 9);
        let Some((manifest, proofs)) = parts.split_first() else {
            return;
        };
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
            &class_keys,
        );
        if let Ok(verified) = result {
            let _ = verified.root_hex();
        }
    }
);
