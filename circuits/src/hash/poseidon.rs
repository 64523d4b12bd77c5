//! Native Poseidon over `Fp` with `P128Pow5T3` (width 3, rate 2), and the two sponge domains the
//! circuit uses besides `ConstantLength<2>` for tree nodes.
//!
//! The permutation is written here from the public `Spec` constants because `halo2_poseidon`
//! keeps its sponge private; `tests::native_sponge_matches_halo2_poseidon` pins it to the
//! library's own `ConstantLength` hash, and the circuit tests pin the circuit to it.

use std::sync::OnceLock;

use ff::{Field, PrimeField};
use halo2_gadgets::poseidon::primitives::{Domain, Mds, P128Pow5T3, Spec};

use crate::field::Fp;

/// The Poseidon instance.
pub type PoseidonSpec = P128Pow5T3;
/// State width.
pub const WIDTH: usize = 3;
/// Sponge rate.
pub const RATE: usize = 2;

struct Constants {
    round_constants: Vec<[Fp; WIDTH]>,
    mds: Mds<Fp, WIDTH>,
}

fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let (round_constants, mds, _) = <PoseidonSpec as Spec<Fp, WIDTH, RATE>>::constants();
        Constants {
            round_constants,
            mds,
        }
    })
}

/// The Poseidon permutation.
pub fn permute(state: &mut [Fp; WIDTH]) {
    let c = constants();
    let full = <PoseidonSpec as Spec<Fp, WIDTH, RATE>>::full_rounds() / 2;
    let partial = <PoseidonSpec as Spec<Fp, WIDTH, RATE>>::partial_rounds();
    let sbox = <PoseidonSpec as Spec<Fp, WIDTH, RATE>>::sbox;
    let mds = |state: &mut [Fp; WIDTH]| {
        let mut out = [Fp::ZERO; WIDTH];
        for (i, o) in out.iter_mut().enumerate() {
            for (j, s) in state.iter().enumerate() {
                *o += c.mds[i][j] * s;
            }
        }
        *state = out;
    };
    for (round, rc) in c.round_constants.iter().enumerate() {
        let is_full = round < full || round >= full + partial;
        for (word, k) in state.iter_mut().zip(rc) {
            *word += k;
        }
        if is_full {
            for word in state.iter_mut() {
                *word = sbox(*word);
            }
        } else {
            state[0] = sbox(state[0]);
        }
        mds(state);
    }
}

/// The sponge the circuit's `halo2_gadgets::poseidon::Sponge` computes for domain `D`: message
/// then `D`'s padding, absorbed `RATE` words at a time, one permutation per chunk, first word out.
pub fn sponge<D: Domain<Fp, RATE>>(message: &[Fp]) -> Fp {
    let mut state = [Fp::ZERO, Fp::ZERO, D::initial_capacity_element()];
    let padded: Vec<Fp> = message
        .iter()
        .copied()
        .chain(D::padding(message.len()))
        .collect();
    for chunk in padded.chunks(RATE) {
        for (word, value) in state.iter_mut().zip(chunk) {
            *word += value;
        }
        permute(&mut state);
    }
    state[0]
}

/// Padding shared by this crate's variable-length domains: a single 1, then zeros up to a
/// multiple of the rate. Injective on messages of any length; the capacity tags (at least 2^128)
/// keep these domains apart from `ConstantLength<L>` (tag `L · 2^64 < 2^128`) and each other.
fn one_then_zeros(input_len: usize) -> Vec<Fp> {
    let total = (input_len + 1).div_ceil(RATE) * RATE;
    let mut pad = vec![Fp::ZERO; total - input_len];
    pad[0] = Fp::ONE;
    pad
}

fn tag(n: u64) -> Fp {
    Fp::from_u128(1u128 << 127) * Fp::from(2) + Fp::from(n)
}

/// Domain of account leaves: `(key, words…)`.
#[derive(Debug, Clone, Copy)]
pub struct LeafDomain;

impl Domain<Fp, RATE> for LeafDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof leaf".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(1)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros(input_len)
    }
}

/// Domain of account keys: `(id_hash, salt)`.
#[derive(Debug, Clone, Copy)]
pub struct KeyDomain;

impl Domain<Fp, RATE> for KeyDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof key".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(3)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros(input_len)
    }
}

/// Domain of the bucket challenges: `(statement tag, batch root, C_i, C_{i+1}, n)`.
#[derive(Debug, Clone, Copy)]
pub struct ChallengeDomain;

impl Domain<Fp, RATE> for ChallengeDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof challenge".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(4)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros(input_len)
    }
}

/// Domain of running-totals commitments: `(statement tag, totals…, blinding)`.
#[derive(Debug, Clone, Copy)]
pub struct TotalsDomain;

impl Domain<Fp, RATE> for TotalsDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof totals".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(2)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros(input_len)
    }
}

/// `C = Poseidon_totals(tag, totals…, blinding)`: the hiding commitment to running totals (SPEC §3).
pub fn totals_commitment(statement_tag: Fp, totals: &[Fp], blinding: Fp) -> Fp {
    let mut message = Vec::with_capacity(totals.len() + 2);
    message.push(statement_tag);
    message.extend_from_slice(totals);
    message.push(blinding);
    sponge::<TotalsDomain>(&message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_gadgets::poseidon::primitives::{ConstantLength, Hash};

    #[test]
    fn native_sponge_matches_halo2_poseidon() {
        let a = Fp::from(7);
        let b = Fp::from(11);
        let theirs = Hash::<_, PoseidonSpec, ConstantLength<2>, WIDTH, RATE>::init().hash([a, b]);
        assert_eq!(sponge::<ConstantLength<2>>(&[a, b]), theirs);
        let c = Fp::from(13);
        let theirs3 =
            Hash::<_, PoseidonSpec, ConstantLength<3>, WIDTH, RATE>::init().hash([a, b, c]);
        assert_eq!(sponge::<ConstantLength<3>>(&[a, b, c]), theirs3);
    }

    #[test]
    fn padding_separates_lengths() {
        let x = Fp::from(5);
        assert_ne!(
            sponge::<LeafDomain>(&[x]),
            sponge::<LeafDomain>(&[x, Fp::ONE])
        );
        assert_ne!(sponge::<LeafDomain>(&[x]), sponge::<TotalsDomain>(&[x]));
        assert_eq!(LeafDomain::padding(2).len(), 2);
        assert_eq!(LeafDomain::padding(3).len(), 1);
    }
}
