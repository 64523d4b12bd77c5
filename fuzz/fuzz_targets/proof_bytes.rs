//! `verify_batch_proof` of arbitrary bytes against batch 0 of the fixture bundle (its real
//! statement, verifying key and IPA parameters, built once).
#![no_main]

use std::sync::OnceLock;

use halo2_proofs::pasta::Fp;
use libfuzzer_sys::fuzz_target;
use marginproof_circuits::circuit::batch::{commit_totals, RunningTotals};
use marginproof_circuits::hash::statement_tag;
use marginproof_circuits::model::distinct::list_digest;
use marginproof_circuits::statement::{
    instrument_prices, layout_digest, read_fp, snapshot_challenges, BatchStatement, SnapshotBinding,
};
use marginproof_verifier::bundle::verify_batch_proof;

fn statement() -> &'static BatchStatement {
    static S: OnceLock<BatchStatement> = OnceLock::new();
    S.get_or_init(|| {
        let keys = marginproof_fuzz::keys();
        let params = &keys.params;
        let entry = &marginproof_fuzz::manifest().batches[0];
        let manifest = marginproof_fuzz::manifest();
        let root = read_fp("root", &manifest.root).unwrap();
        let totals = manifest.totals.to_totals(params).unwrap();
        let binding = SnapshotBinding {
            layout: layout_digest(&manifest.classes, manifest.batches.iter().map(|b| b.class)),
            distinct_commitment: read_fp(
                "distinct_keys.commitment",
                &manifest.distinct_keys.commitment,
            )
            .unwrap(),
            distinct_keys: list_digest(marginproof_fuzz::distinct_keys()).unwrap().1,
        };
        BatchStatement {
            statement_tag: statement_tag(params),
            batch_root: read_fp("root", &entry.root).unwrap(),
            totals_before: commit_totals(params, &RunningTotals::zero(params), Fp::zero()),
            totals_after: read_fp("totals_after", &entry.totals_after).unwrap(),
            challenges: snapshot_challenges(statement_tag(params), root, &totals, &binding),
            class_code: manifest.classes[entry.class].code(),
            distinct_commitment: binding.distinct_commitment,
            prices: instrument_prices(params),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let keys = marginproof_fuzz::keys();
    let _ = verify_batch_proof(&keys.ipa, &keys.vk, 0, statement(), data);
});
