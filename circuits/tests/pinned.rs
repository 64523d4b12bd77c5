//! Pins the verifying key and the proof size of a small configuration, so that any change to the
//! circuit (a gate, a column, a layout) is a deliberate one. The key is pinned as text,
//! `tests/pinned/batch-b4.vk.txt` (halo2's pinned verifying key: the constraint system, every gate
//! and lookup as an expression, the fixed and permutation commitments), so a review sees what
//! changed. After a deliberate change, run this test with `MARGINPROOF_UPDATE_PINS=1` to rewrite
//! the file, and update the constants below.

mod common;

use std::path::Path;

use blake2::{Blake2b512, Digest};
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk, verify_proof, SingleVerifier};
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::transcript::{Blake2bRead, Blake2bWrite, Challenge255};
use marginproof_circuits::circuit::layout::{min_k, rows_used};
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::model::SlotShape;

/// The pinned verifying key of the test configuration, B = 4, as text.
const PINNED_VK_FILE: &str = "tests/pinned/batch-b4.vk.txt";
/// BLAKE2b-512 (first 16 bytes) of its compact `{:?}` form.
const PINNED_VK: &str = "679600d3c1a81fd13cabfda7b8430033";
/// Circuit size and rows of the test configuration, B = 4.
const PINNED_K: u32 = 9;
/// Bytes of one proof of the test configuration, B = 4.
const PINNED_PROOF_BYTES: usize = 10944;

#[test]
fn verifying_key_and_proof_size_are_pinned() {
    let params = common::params();
    let batch = common::prepare(&params, 4, &common::mixed_slots(&params));
    let k = min_k(&batch.circuit).unwrap();
    eprintln!("rows used: {}", rows_used(&batch.circuit).unwrap());
    assert_eq!(k, PINNED_K, "circuit size changed");
    let ipa = Params::<EqAffine>::new(k);
    let shape = BatchCircuit::shape(params.clone(), SlotShape::dense(&params), 4);
    let vk = keygen_vk(&ipa, &shape).unwrap();
    let digest = Blake2b512::digest(format!("{:?}", vk.pinned()).as_bytes());
    let vk_hash = hex::encode(&digest[..16]);
    let text = format!("{:#?}\n", vk.pinned());
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(PINNED_VK_FILE);
    if std::env::var_os("MARGINPROOF_UPDATE_PINS").is_some() {
        std::fs::write(&file, &text).expect("write the pinned verifying key");
    }
    let pinned = std::fs::read_to_string(&file).expect("the pinned verifying key file");
    if pinned != text {
        let first = pinned
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(pinned.lines().count().min(text.lines().count()));
        panic!(
            "verifying key changed from {PINNED_VK_FILE} at line {}: pinned `{}`, now `{}` \
             (rerun with MARGINPROOF_UPDATE_PINS=1 after a deliberate change and review the diff)",
            first + 1,
            pinned.lines().nth(first).unwrap_or("<end>"),
            text.lines().nth(first).unwrap_or("<end>"),
        );
    }

    let pk = keygen_pk(&ipa, vk, &shape).unwrap();
    let instance = batch.statement.instance();
    let mut transcript = Blake2bWrite::<_, EqAffine, Challenge255<_>>::init(vec![]);
    create_proof(
        &ipa,
        &pk,
        std::slice::from_ref(&batch.circuit),
        &[&[&instance]],
        rand_core::UnwrapErr(rand::rngs::SysRng),
        &mut transcript,
    )
    .unwrap();
    let proof = transcript.finalize();
    let mut reader = Blake2bRead::<_, EqAffine, Challenge255<_>>::init(&proof[..]);
    verify_proof(
        &ipa,
        pk.get_vk(),
        SingleVerifier::new(&ipa),
        &[&[&instance]],
        &mut reader,
    )
    .unwrap();
    eprintln!("vk {vk_hash}, proof {} bytes", proof.len());
    assert_eq!(vk_hash, PINNED_VK, "verifying key changed");
    assert_eq!(proof.len(), PINNED_PROOF_BYTES, "proof size changed");
}
