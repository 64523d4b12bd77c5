//! The constraint index (the module doc of `circuits/src/circuit/mod.rs`: each SPEC formula and
//! the gate and constraints that enforce it) checked against the batch circuit's real gates:
//! every `` `gate` → `constraint`, … `` it names exists, and every constraint of every gate of
//! ours is named there, so the index can neither point at a constraint that is gone nor forget
//! one that was added.

use std::collections::{BTreeMap, BTreeSet};

use halo2_proofs::plonk::{Circuit, ConstraintSystem};
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::field::Fp;

/// The Poseidon gates of halo2_gadgets' `Pow5Chip`: the index names them, not their
/// constraints (the chip's own, unnamed per round).
const POSEIDON_GATES: [&str; 3] = ["full round", "partial rounds", "pad-and-add"];

/// The index's rows: the lines of its table in the module doc.
fn index_rows() -> Vec<&'static str> {
    let source = include_str!("../src/circuit/mod.rs");
    let start = source
        .find("//! # Constraint index")
        .expect("circuit/mod.rs has a constraint index");
    source[start..]
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .filter(|l| l.starts_with("//! | §"))
        .collect()
}

/// The backticked names in `text`.
fn ticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.to_string())
        .collect()
}

/// The real gates: name → constraint names.
fn gates() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut cs = ConstraintSystem::<Fp>::default();
    let _ = BatchCircuit::configure(&mut cs);
    let mut gates: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for (gate, constraints) in cs.gate_constraint_names() {
        gates.entry(gate).or_default().extend(constraints);
    }
    gates
}

/// Whether `named` (as the index writes it) is the constraint `real`: exactly, or with the
/// index's placeholder `t` for a constraint numbered per term (`outcome weight t`).
fn names(named: &str, real: &str) -> bool {
    match named.strip_suffix(" t") {
        Some(stem) => real
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix(' '))
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())),
        None => named == real,
    }
}

/// `text` without what is in parentheses (formulas and notes beside constraint names).
fn outside_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect()
}

/// Every `gate → constraints` claim of the index: (gates, constraint names). The gates are
/// the backticked names of the last clause before the arrow (`` `a` / `b` → `` names both); a
/// list of gates separated by commas before an arrow is refused (it would read as one gate).
fn claims() -> Vec<(Vec<String>, Vec<String>)> {
    let mut claims = Vec::new();
    for row in index_rows() {
        for segment in row.split(';') {
            if let Some((left, right)) = segment.split_once('→') {
                let left = left.rsplit('|').next().unwrap_or(left);
                let (before, last) = left.rsplit_once(',').unwrap_or(("", left));
                assert!(
                    !(before.trim_end().ends_with('`') && last.contains('`')),
                    "gates listed with commas before an arrow: {segment}"
                );
                claims.push((ticked(last), ticked(&outside_parentheses(right))));
            }
        }
    }
    claims
}

#[test]
fn every_constraint_the_index_names_exists() {
    let gates = gates();
    let claims = claims();
    assert!(
        claims.len() > 20,
        "the index parsed to {} claims",
        claims.len()
    );
    let mut wrong = Vec::new();
    for (named_gates, constraints) in &claims {
        for gate in named_gates {
            if !gates.contains_key(gate.as_str()) {
                wrong.push(format!("no gate `{gate}`"));
            }
        }
        for c in constraints {
            // A claim naming several gates says each of them has the constraint.
            let found = named_gates.iter().all(|g| {
                gates
                    .get(g.as_str())
                    .is_some_and(|cs| cs.iter().any(|real| names(c, real)))
            });
            if !found {
                wrong.push(format!("no constraint `{c}` in {named_gates:?}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the constraint index is wrong: {wrong:#?}"
    );
}

#[test]
fn every_constraint_of_every_gate_is_in_the_index() {
    let gates = gates();
    let claims = claims();
    let rows = index_rows().join("\n");
    let mut named: BTreeSet<(String, String)> = BTreeSet::new();
    for (named_gates, constraints) in &claims {
        for g in named_gates {
            for c in constraints {
                named.insert((g.clone(), c.clone()));
            }
        }
    }
    let mut missing = Vec::new();
    for (gate, constraints) in &gates {
        if POSEIDON_GATES.contains(gate) {
            assert!(
                rows.contains(&format!("`{gate}`")),
                "`{gate}` not in the index"
            );
            continue;
        }
        for real in constraints {
            let covered = named
                .iter()
                .any(|(g, c)| g.as_str() == *gate && names(c, real));
            if !covered {
                missing.push(format!("`{gate}` → `{real}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "constraints the index does not name: {missing:#?}"
    );
}
