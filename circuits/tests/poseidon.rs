//! The circuit's Poseidon (`HashChip` on halo2_gadgets' `Pow5Chip`) and the native Poseidon of
//! `hash::poseidon` are the same function: leaves (one class's capacity, any length), tree nodes,
//! distinct keys, their secret's commitment and totals commitments computed in a circuit are
//! constrained to equal the native values as public inputs.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::dev::MockProver;
use halo2_proofs::plonk::{Advice, Circuit, Column, ConstraintSystem, Error, Instance};
use marginproof_circuits::chips::hashing::{HashChip, HashConstants, PoseidonConfig};
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::merkle::{node_hash, tree_root};
use marginproof_circuits::hash::poseidon::{
    distinct_commitment_capacity, distinct_key_capacity, leaf_capacity, sponge_with_capacity,
};
use marginproof_circuits::hash::{distinct_commitment, distinct_key, totals_commitment};

/// A class code for the leaves of this test (4 asset and 2 position slots, 256 per batch).
const CLASS_CODE: u64 = 4 + (2 << 16) + (8 << 32);

/// Hashes `message` three ways (leaf, commitment, tree of the message) and exposes the results.
#[derive(Clone)]
struct HashCircuit {
    message: Vec<Value<Fp>>,
}

#[derive(Clone)]
struct HashConfig {
    input: Column<Advice>,
    instance: Column<Instance>,
    poseidon: PoseidonConfig,
}

impl Circuit<Fp> for HashCircuit {
    type Config = HashConfig;
    type FloorPlanner = SimpleFloorPlanner;

    fn without_witnesses(&self) -> Self {
        HashCircuit {
            message: vec![Value::unknown(); self.message.len()],
        }
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> HashConfig {
        let input = meta.advice_column();
        meta.enable_equality(input);
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        let wide: [Column<Advice>; 9] = std::array::from_fn(|_| meta.advice_column());
        let wide_partial = meta.advice_column();
        let node: [Column<Advice>; 3] = std::array::from_fn(|_| meta.advice_column());
        let node_partial = meta.advice_column();
        let distinct: [Column<Advice>; 3] = std::array::from_fn(|_| meta.advice_column());
        let distinct_partial = meta.advice_column();
        let poseidon = HashChip::configure(
            meta,
            (wide, wide_partial),
            (node, node_partial),
            (distinct, distinct_partial),
        );
        HashConfig {
            input,
            instance,
            poseidon,
        }
    }

    fn synthesize(&self, config: HashConfig, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        let (cells, constants) = layouter.assign_region(
            || "message",
            |mut region| {
                let cells = self
                    .message
                    .iter()
                    .enumerate()
                    .map(|(i, v)| region.assign_advice(|| "word", config.input, i, || *v))
                    .collect::<Result<Vec<_>, _>>()?;
                let n = cells.len();
                let mut constant = |i: usize, value: Fp| {
                    region.assign_advice_from_constant(|| "constant", config.input, n + i, value)
                };
                let constants = HashConstants {
                    zero: constant(0, Fp::zero())?,
                    leaf_capacity: constant(1, leaf_capacity(CLASS_CODE))?,
                    distinct_capacity: constant(2, distinct_key_capacity())?,
                    commitment_capacity: constant(3, distinct_commitment_capacity())?,
                };
                Ok((cells, constants))
            },
        )?;
        let chip = HashChip::construct(config.poseidon.clone());
        let leaf = chip.leaf(layouter.namespace(|| "leaf"), &constants, &cells)?;
        let commitment = chip.commitment(layouter.namespace(|| "commitment"), &cells)?;
        let root = chip.root(layouter.namespace(|| "tree"), cells[..4].to_vec())?;
        let node = chip.node(layouter.namespace(|| "node"), &cells[0], &cells[1])?;
        let key = chip.distinct_key(
            layouter.namespace(|| "distinct key"),
            &constants,
            &cells[0],
            &cells[1],
        )?;
        let secret = chip.distinct_commitment(
            layouter.namespace(|| "distinct commitment"),
            &constants,
            &cells[2],
        )?;
        for (row, cell) in [leaf, commitment, root, node, key, secret]
            .iter()
            .enumerate()
        {
            layouter.constrain_instance(cell.cell(), config.instance, row)?;
        }
        Ok(())
    }
}

fn native(message: &[Fp]) -> Vec<Fp> {
    let (tag, rest) = message.split_first().expect("non-empty");
    let (blinding, totals) = rest.split_last().expect("two or more");
    vec![
        sponge_with_capacity(leaf_capacity(CLASS_CODE), message),
        totals_commitment(*tag, totals, *blinding),
        tree_root(message[..4].to_vec()),
        node_hash(message[0], message[1]),
        distinct_key(message[0], message[1]),
        distinct_commitment(message[2]),
    ]
}

#[test]
fn circuit_and_native_poseidon_agree() {
    for len in [4usize, 5, 6, 7, 8, 9, 15, 16, 17] {
        let message: Vec<Fp> = (0..len as u64)
            .map(|i| Fp::from(1000 + i * 7919) - Fp::from(3))
            .collect();
        let circuit = HashCircuit {
            message: message.iter().copied().map(Value::known).collect(),
        };
        let prover = MockProver::run(10, &circuit, vec![native(&message)]).expect("synthesis");
        assert_eq!(prover.verify(), Ok(()), "message length {len}");
    }
}

#[test]
fn a_different_native_value_is_refused() {
    let message: Vec<Fp> = (1..=6u64).map(Fp::from).collect();
    let circuit = HashCircuit {
        message: message.iter().copied().map(Value::known).collect(),
    };
    let mut expected = native(&message);
    expected[0] += Fp::one();
    let prover = MockProver::run(10, &circuit, vec![expected]).expect("synthesis");
    assert!(prover.verify().is_err());
}
