//! A small stored bundle, committed with the repository (`fuzz/seeds/small/`: three accounts in
//! two batch proofs, with one user's inclusion proof), verified by today's binary. It anchors the
//! formats: a change to the circuit, the leaf, the tree, the commitments or the manifest that
//! would make yesterday's published bundles unverifiable fails here. After a deliberate change,
//! rebuild it with `bash fuzz/make_seeds.sh` (it also rebuilds the fuzz seeds), review the diff,
//! and pin the new figures below.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;

use common::{assert_valid, cache_dir, marginproof, workspace_root};

/// Bytes of each of the stored bundle's batch proofs.
const STORED_PROOF_BYTES: u64 = 10048;
/// `verify`'s key digest of the stored bundle's configuration shape, slot shape and batch size
/// (its one size class).
const STORED_KEY_DIGEST: &str = "e635c1e38b6e6d5ffac10b7f878e20d903335284e8c52c111dc3995295d26abc";
/// Its root R.
const STORED_ROOT: &str = "b096aa94129f4634feb3079163afddaf8b4ed8718c771a5a02a8b8525e7d0308";

#[test]
fn the_stored_bundle_and_its_inclusion_proof_verify() {
    let small = workspace_root().join("fuzz/seeds/small");
    let public = small.join("public");
    for i in 0..2 {
        let proof = public.join(format!("batches/batch-{i:06}.proof"));
        let len = fs::metadata(&proof).expect("a stored proof").len();
        assert_eq!(len, STORED_PROOF_BYTES, "{}", proof.display());
    }
    let run = marginproof!("verify", &public, "--json", "--cache-dir", cache_dir());
    assert_valid(&run);
    let report = run.json();
    assert_eq!(report["valid"], true);
    assert_eq!(report["batches"], 2);
    assert_eq!(report["root"].as_str(), Some(STORED_ROOT));
    assert_eq!(report["accounts"], 3);
    assert_eq!(report["liquidatable"], 1);
    assert_eq!(report["bankrupt"], 1);
    assert_eq!(
        report["verifying_keys"][0].as_str(),
        Some(STORED_KEY_DIGEST),
        "the stored bundle's verifying key changed: {report}"
    );

    let inclusion = marginproof!(
        "verify-inclusion",
        small.join("incl.json"),
        "--manifest",
        public.join("manifest.json"),
        "--json"
    );
    assert_valid(&inclusion);
    assert_eq!(inclusion.json()["valid"], true, "{}", inclusion.stdout);
}
