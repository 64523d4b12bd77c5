//! A small stored bundle, committed with the repository (`fuzz/seeds/small/`: three accounts in
//! two batch proofs, one stress scenario and a margin distribution, with one user's inclusion
//! proof), verified by today's binary. It anchors the
//! formats: a change to the circuit, the leaf, the tree, the commitments or the manifest that
//! would make yesterday's published bundles unverifiable fails here. After a deliberate change,
//! rebuild it with `bash fuzz/make_seeds.sh` (it also rebuilds the fuzz seeds), review the diff,
//! and pin the new figures below.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;

use common::{assert_valid, cache_dir, marginproof, workspace_root};

/// Bytes of each of the stored bundle's batch proofs.
const STORED_PROOF_BYTES: u64 = 10912;
/// `verify`'s key digest of the stored bundle's configuration shape, slot shape and batch size
/// (its one size class).
const STORED_KEY_DIGEST: &str = "ad6950321350752a0ba240c5da684714d1992cd40fb9d57bafaeb39f4ab6d66e";
/// Its root R.
const STORED_ROOT: &str = "201e0b9b771100cc040086936432b3c6320b97aa46facdbaed2abaadaf115930";

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
    // Its one scenario (the shorts gain in a crash) and its distribution (SPEC §7).
    let crash = &report["scenarios"]["crash-30"];
    assert_eq!(crash["bankrupt"], 0, "{report}");
    assert_eq!(crash["equity_usd"], "22066.471824777807", "{report}");
    let buckets = &report["distribution"]["buckets"];
    assert_eq!(buckets[0]["accounts"], 2, "{report}");
    assert_eq!(buckets[2]["from"], "2", "{report}");
    assert_eq!(report["distribution"]["no_requirement"], 1, "{report}");
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
