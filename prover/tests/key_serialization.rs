//! The key serialization added to the vendored halo2_proofs (vendor/halo2_proofs/PATCHES.md), on
//! a small circuit with simple selectors (compressed together), a complex selector in a lookup, a
//! fixed column, copies and an instance: round trips, proofs across read-back keys, and refusal
//! (never a panic) of truncated, corrupted or mismatched key files.
#![allow(missing_docs)]

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::pasta::{EqAffine, Fp};
use halo2_proofs::plonk::{
    create_proof, keygen_pk, keygen_vk, verify_proof, Advice, Circuit, Column, ConstraintSystem,
    Error, Fixed, Instance, ProvingKey, Selector, SingleVerifier, TableColumn, VerifyingKey,
};
use halo2_proofs::poly::commitment::Params;
use halo2_proofs::poly::Rotation;
use halo2_proofs::transcript::{Blake2bRead, Blake2bWrite, Challenge255};
use std::io;

const K: u32 = 5;

#[derive(Clone, Debug)]
struct SmallConfig {
    a: Column<Advice>,
    b: Column<Advice>,
    fixed: Column<Fixed>,
    instance: Column<Instance>,
    s_add: Selector,
    s_mul: Selector,
    s_range: Selector,
    table: TableColumn,
}

/// Proves `out = (x + y) * 3 * fixed` with `x` below 8 (lookup) for public `out`.
#[derive(Clone, Debug)]
struct Small {
    x: Value<Fp>,
    y: Value<Fp>,
    scale: u64,
}

impl Circuit<Fp> for Small {
    type Config = SmallConfig;
    type FloorPlanner = SimpleFloorPlanner;

    fn without_witnesses(&self) -> Self {
        Small {
            x: Value::unknown(),
            y: Value::unknown(),
            scale: self.scale,
        }
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> SmallConfig {
        let a = meta.advice_column();
        let b = meta.advice_column();
        let fixed = meta.fixed_column();
        let instance = meta.instance_column();
        meta.enable_equality(a);
        meta.enable_equality(b);
        meta.enable_equality(instance);
        let s_add = meta.selector();
        let s_mul = meta.selector();
        let s_range = meta.complex_selector();
        let table = meta.lookup_table_column();
        meta.create_gate("add", |m| {
            let s = m.query_selector(s_add);
            let x = m.query_advice(a, Rotation::cur());
            let y = m.query_advice(b, Rotation::cur());
            let sum = m.query_advice(a, Rotation::next());
            vec![s * (x + y - sum)]
        });
        meta.create_gate("mul", |m| {
            let s = m.query_selector(s_mul);
            let x = m.query_advice(a, Rotation::cur());
            let f = m.query_fixed(fixed);
            let out = m.query_advice(b, Rotation::cur());
            vec![s * (x * f * halo2_proofs::plonk::Expression::Constant(Fp::from(3)) - out)]
        });
        meta.lookup(|m| {
            let s = m.query_selector(s_range);
            let x = m.query_advice(a, Rotation::cur());
            vec![(s * x, table)]
        });
        SmallConfig {
            a,
            b,
            fixed,
            instance,
            s_add,
            s_mul,
            s_range,
            table,
        }
    }

    fn synthesize(&self, c: SmallConfig, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        layouter.assign_table(
            || "0..8",
            |mut t| {
                for i in 0..8 {
                    t.assign_cell(|| "v", c.table, i, || Value::known(Fp::from(i as u64)))?;
                }
                Ok(())
            },
        )?;
        let sum = layouter.assign_region(
            || "add",
            |mut r| {
                c.s_add.enable(&mut r, 0)?;
                c.s_range.enable(&mut r, 0)?;
                r.assign_advice(|| "x", c.a, 0, || self.x)?;
                r.assign_advice(|| "y", c.b, 0, || self.y)?;
                r.assign_advice(|| "sum", c.a, 1, || self.x + self.y)
            },
        )?;
        let out = layouter.assign_region(
            || "mul",
            |mut r| {
                c.s_mul.enable(&mut r, 0)?;
                let x = sum.copy_advice(|| "sum", &mut r, c.a, 0)?;
                r.assign_fixed(
                    || "scale",
                    c.fixed,
                    0,
                    || Value::known(Fp::from(self.scale)),
                )?;
                r.assign_advice(
                    || "out",
                    c.b,
                    0,
                    || x.value().map(|x| x * Fp::from(3 * self.scale)),
                )
            },
        )?;
        layouter.constrain_instance(out.cell(), c.instance, 0)
    }
}

/// The same columns, but one more gate: another constraint system.
#[derive(Clone, Debug)]
struct Other(Small);

impl Circuit<Fp> for Other {
    type Config = SmallConfig;
    type FloorPlanner = SimpleFloorPlanner;

    fn without_witnesses(&self) -> Self {
        Other(self.0.without_witnesses())
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> SmallConfig {
        let config = Small::configure(meta);
        let a = config.a;
        meta.create_gate("extra", |m| {
            let x = m.query_advice(a, Rotation::cur());
            vec![x.clone() - x]
        });
        config
    }

    fn synthesize(&self, c: SmallConfig, layouter: impl Layouter<Fp>) -> Result<(), Error> {
        self.0.synthesize(c, layouter)
    }
}

fn shape(scale: u64) -> Small {
    Small {
        x: Value::unknown(),
        y: Value::unknown(),
        scale,
    }
}

struct Keys {
    params: Params<EqAffine>,
    pk: ProvingKey<EqAffine>,
    vk_bytes: Vec<u8>,
    pk_bytes: Vec<u8>,
}

fn keys() -> Keys {
    let params = Params::<EqAffine>::new(K);
    let circuit = shape(5);
    let vk = keygen_vk(&params, &circuit).expect("keygen_vk");
    let pk = keygen_pk(&params, vk, &circuit).expect("keygen_pk");
    let mut vk_bytes = vec![];
    pk.get_vk()
        .write(&mut vk_bytes, &params, &circuit)
        .expect("write vk");
    let mut pk_bytes = vec![];
    pk.write(&mut pk_bytes, &params, &circuit)
        .expect("write pk");
    Keys {
        params,
        pk,
        vk_bytes,
        pk_bytes,
    }
}

fn read_vk(bytes: &[u8], params: &Params<EqAffine>) -> io::Result<VerifyingKey<EqAffine>> {
    VerifyingKey::read::<_, Small>(&mut &bytes[..], params)
}

fn read_pk(bytes: &[u8], params: &Params<EqAffine>) -> io::Result<ProvingKey<EqAffine>> {
    ProvingKey::read::<_, Small>(&mut &bytes[..], params)
}

fn pinned(vk: &VerifyingKey<EqAffine>) -> String {
    format!("{:?}", vk.pinned())
}

fn prove(params: &Params<EqAffine>, pk: &ProvingKey<EqAffine>, out: Fp) -> Vec<u8> {
    let circuit = Small {
        x: Value::known(Fp::from(2)),
        y: Value::known(Fp::from(4)),
        scale: 5,
    };
    let mut transcript = Blake2bWrite::<_, EqAffine, Challenge255<_>>::init(vec![]);
    create_proof(
        params,
        pk,
        &[circuit],
        &[&[&[out]]],
        rand_core::UnwrapErr(rand::rngs::SysRng),
        &mut transcript,
    )
    .expect("proof");
    transcript.finalize()
}

fn verifies(params: &Params<EqAffine>, vk: &VerifyingKey<EqAffine>, proof: &[u8], out: Fp) -> bool {
    let mut transcript = Blake2bRead::<_, EqAffine, Challenge255<_>>::init(proof);
    verify_proof(
        params,
        vk,
        SingleVerifier::new(params),
        &[&[&[out]]],
        &mut transcript,
    )
    .is_ok()
}

#[test]
fn verifying_key_round_trips() {
    let keys = keys();
    let vk = read_vk(&keys.vk_bytes, &keys.params).expect("read vk");
    assert_eq!(pinned(&vk), pinned(keys.pk.get_vk()));
    let mut again = vec![];
    vk.write(&mut again, &keys.params, &shape(5))
        .expect("write");
    assert_eq!(again, keys.vk_bytes);
}

#[test]
fn proving_key_round_trips() {
    let keys = keys();
    let pk = read_pk(&keys.pk_bytes, &keys.params).expect("read pk");
    assert_eq!(format!("{pk:?}"), format!("{:?}", keys.pk));
    let mut again = vec![];
    pk.write(&mut again, &keys.params, &shape(5))
        .expect("write");
    assert_eq!(again, keys.pk_bytes);
}

#[test]
fn proof_with_read_back_pk_verifies_with_read_back_vk() {
    let keys = keys();
    let pk = read_pk(&keys.pk_bytes, &keys.params).expect("read pk");
    let vk = read_vk(&keys.vk_bytes, &keys.params).expect("read vk");
    let out = Fp::from(6 * 3 * 5);
    let proof = prove(&keys.params, &pk, out);
    assert!(verifies(&keys.params, &vk, &proof, out));
    assert!(verifies(&keys.params, keys.pk.get_vk(), &proof, out));
    assert!(!verifies(&keys.params, &vk, &proof, out + Fp::one()));
    // And a proof made with the generated key verifies under the read-back one.
    let proof = prove(&keys.params, &keys.pk, out);
    assert!(verifies(&keys.params, &vk, &proof, out));
}

#[test]
fn truncated_keys_are_refused() {
    let keys = keys();
    for len in 0..keys.vk_bytes.len() {
        assert!(
            read_vk(&keys.vk_bytes[..len], &keys.params).is_err(),
            "{len}"
        );
    }
    let step = (keys.pk_bytes.len() / 997).max(1);
    for len in (0..keys.pk_bytes.len()).step_by(step) {
        assert!(
            read_pk(&keys.pk_bytes[..len], &keys.params).is_err(),
            "{len}"
        );
    }
}

#[test]
fn corrupted_verifying_key_is_refused_or_unchanged() {
    // A flipped bit is refused, except in selector activations that compress to the same
    // constraint system: then the key read is the same key.
    let keys = keys();
    let original = pinned(keys.pk.get_vk());
    let mut accepted = 0;
    for i in 0..keys.vk_bytes.len() {
        for bit in [0u8, 3, 7] {
            let mut bytes = keys.vk_bytes.clone();
            bytes[i] ^= 1 << bit;
            if let Ok(vk) = read_vk(&bytes, &keys.params) {
                assert_eq!(pinned(&vk), original, "byte {i} bit {bit}");
                accepted += 1;
            }
        }
    }
    // Only selector bytes can be accepted: 3 selectors of 2^K / 8 bytes.
    assert!(accepted <= 3 * 3 * (1 << K) / 8, "{accepted}");
}

#[test]
fn corrupted_proving_key_lengths_and_elements_are_refused() {
    let keys = keys();
    let vk_len = keys.vk_bytes.len();
    // Just after the magic and the verifying key: l0's length.
    let l0_len = 8 + vk_len;
    let mut bytes = keys.pk_bytes.clone();
    bytes[l0_len] ^= 1;
    let e = read_pk(&bytes, &keys.params).expect_err("wrong length");
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    // A huge length is refused before allocating.
    let mut bytes = keys.pk_bytes.clone();
    bytes[l0_len..l0_len + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        read_pk(&bytes, &keys.params).expect_err("huge").kind(),
        io::ErrorKind::InvalidData
    );
    // A non-canonical element (all ones is above the modulus).
    let mut bytes = keys.pk_bytes.clone();
    bytes[l0_len + 4..l0_len + 4 + 32].fill(0xff);
    assert_eq!(
        read_pk(&bytes, &keys.params)
            .expect_err("non-canonical")
            .kind(),
        io::ErrorKind::InvalidData
    );
    // The wrong magic.
    let mut bytes = keys.pk_bytes.clone();
    bytes[0] ^= 1;
    assert!(read_pk(&bytes, &keys.params).is_err());
    assert!(read_pk(&keys.vk_bytes, &keys.params).is_err());
    assert!(read_vk(&keys.pk_bytes, &keys.params).is_err());
}

#[test]
fn keys_for_another_circuit_or_size_are_refused() {
    let keys = keys();
    // Same constraint system, another fixed column value: the transcript representation
    // written is that key's own, so the file reads back as that key, not as ours.
    let params = &keys.params;
    let other_scale = shape(6);
    let vk6 = keygen_vk(params, &other_scale).expect("vk");
    let mut bytes = vec![];
    vk6.write(&mut bytes, params, &other_scale).expect("write");
    assert_ne!(
        pinned(&read_vk(&bytes, params).expect("read")),
        pinned(keys.pk.get_vk())
    );
    // Read as another circuit type.
    let e = VerifyingKey::<EqAffine>::read::<_, Other>(&mut &keys.vk_bytes[..], params)
        .expect_err("another circuit");
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(ProvingKey::<EqAffine>::read::<_, Other>(&mut &keys.pk_bytes[..], params).is_err());
    // Written with a circuit that does not lead to the key.
    let other = Other(shape(5));
    assert!(keys.pk.get_vk().write(&mut vec![], params, &other).is_err());
    // Parameters of another size.
    let bigger = Params::<EqAffine>::new(K + 1);
    assert!(read_vk(&keys.vk_bytes, &bigger).is_err());
    assert!(read_pk(&keys.pk_bytes, &bigger).is_err());
    assert!(keys
        .pk
        .get_vk()
        .write(&mut vec![], &bigger, &shape(5))
        .is_err());
}
