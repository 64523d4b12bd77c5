//! MockProver tests of the batch circuit: honest witnesses satisfy it; every lie fails the
//! constraint that names it.

mod common;

use halo2_proofs::dev::MockProver;
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::model::{evaluate, Status};

#[test]
fn honest_batch_is_satisfied() {
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let statuses: Vec<Status> = slots
        .iter()
        .map(|s| evaluate(&params, &s.record).status)
        .collect();
    assert_eq!(
        statuses,
        [
            Status::Healthy,
            Status::Healthy,
            Status::Liquidatable,
            Status::Bankrupt
        ]
    );
    let batch = common::prepare(&params, 4, &slots);
    let k = min_k(&batch.circuit).unwrap();
    eprintln!("k = {k}");
    let prover = MockProver::run(k, &batch.circuit, vec![batch.statement.instance()]).unwrap();
    prover.assert_satisfied();
}

#[test]
fn sanity_tampered_balance_fails() {
    let params = common::params();
    let slots = common::mixed_slots(&params);
    let mut batch = common::prepare(&params, 4, &slots);
    batch.circuit.tamper_account(0, |w| {
        w.assets[0].balance += marginproof_circuits::Fp::one()
    });
    let k = min_k(&batch.circuit).unwrap();
    let prover = MockProver::run(k, &batch.circuit, vec![batch.statement.instance()]).unwrap();
    let errs = prover.verify().unwrap_err();
    for e in errs.iter().take(5) {
        eprintln!("{e}");
    }
    assert!(!errs.is_empty());
}
