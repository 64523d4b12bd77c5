//! Native Poseidon over `Fp`: two instances and the sponge domains of the project.
//!
//! | instance | width / rate | hashes | why |
//! |---|---|---|---|
//! | [`NodeSpec`] = `P128Pow5T3` | 3 / 2 | tree nodes `(left, right)`, distinct keys `(id_hash, k)` and their secret's commitment `(k, 0)`, bucket challenges | two-word messages; the user's inclusion check hashes one node per level |
//! | [`WideSpec`] = [`P128Pow5T9`] | 9 / 8 | leaves `(id_hash, salt, words…)` under their size class's capacity, totals commitments `(tag, totals…, blinding)` | a leaf of up to 6 slot words is one permutation; a commitment to `n` words `⌈(n + 1)/8⌉` |
//!
//! Capacities (the initial value of the state's last word) keep every use apart: `L·2^64` for
//! halo2's `ConstantLength<L>` (tree nodes), `2^128 + n` for this crate's variable-length domains,
//! `2^130 + code` for a leaf of size class `code` ([`leaf_capacity`]), `2^131` and `2^131 + 1`
//! for distinct keys and their secret's commitment ([`distinct_key`], [`distinct_commitment`]).
//! The leaf and distinct-key hashes have a fixed message length per capacity, so they pad with
//! zeros only ([`sponge_with_capacity`]).
//!
//! The width-9 instance's round numbers and constants are derived in [`crate::hash::poseidon_params`]
//! (the Poseidon paper's bounds, the Grain procedure, a checked MDS matrix); it is a deviation
//! SPEC §3 allows ("a wider Poseidon instance if it is faster").
//!
//! The permutation is written here from the public `Spec` constants because `halo2_poseidon`
//! keeps its sponge private; `tests::native_sponge_matches_halo2_poseidon` pins both instances to
//! the library's own `ConstantLength` hash, and the circuit tests pin the circuit to them.

use std::sync::OnceLock;

use ff::{Field, PrimeField};
use halo2_gadgets::poseidon::primitives::{Domain, Mds, P128Pow5T3, Spec};

use crate::field::Fp;
pub use crate::hash::poseidon_params::P128Pow5T9;

/// The narrow instance: tree nodes, distinct keys and their secret's commitment, challenges.
pub type NodeSpec = P128Pow5T3;
/// State width of [`NodeSpec`].
pub const NODE_WIDTH: usize = 3;
/// Rate of [`NodeSpec`].
pub const NODE_RATE: usize = 2;

/// The wide instance: leaves and totals commitments.
pub type WideSpec = P128Pow5T9;
/// State width of [`WideSpec`].
pub const WIDE_WIDTH: usize = 9;
/// Rate of [`WideSpec`].
pub const WIDE_RATE: usize = 8;

/// A Poseidon instance's constants, computed once.
struct Constants<const W: usize> {
    round_constants: Vec<[Fp; W]>,
    mds: Mds<Fp, W>,
    full_rounds: usize,
    partial_rounds: usize,
}

impl<const W: usize> Constants<W> {
    fn of<S: Spec<Fp, W, R>, const R: usize>() -> Self {
        let (round_constants, mds, _) = S::constants();
        Constants {
            round_constants,
            mds,
            full_rounds: S::full_rounds(),
            partial_rounds: S::partial_rounds(),
        }
    }

    /// The permutation (`x^5` S-box, as both instances use).
    fn permute(&self, state: &mut [Fp; W]) {
        let half_full = self.full_rounds / 2;
        for (round, rc) in self.round_constants.iter().enumerate() {
            let is_full = round < half_full || round >= half_full + self.partial_rounds;
            for (word, k) in state.iter_mut().zip(rc) {
                *word += k;
            }
            if is_full {
                for word in state.iter_mut() {
                    *word = word.pow_vartime([5]);
                }
            } else {
                state[0] = state[0].pow_vartime([5]);
            }
            let mut out = [Fp::ZERO; W];
            for (o, row) in out.iter_mut().zip(self.mds.iter()) {
                for (m, s) in row.iter().zip(state.iter()) {
                    *o += *m * s;
                }
            }
            *state = out;
        }
    }

    /// `message` absorbed `R` words at a time from a state whose capacity is `capacity`, the
    /// last chunk padded with zeros, one permutation per chunk; the first word out.
    fn absorb_zero_padded(&self, capacity: Fp, message: &[Fp]) -> Fp {
        let mut state = [Fp::ZERO; W];
        state[W - 1] = capacity;
        let rate = W - 1;
        for chunk in message.chunks(rate) {
            for (word, value) in state.iter_mut().zip(chunk) {
                *word += value;
            }
            self.permute(&mut state);
        }
        state[0]
    }

    /// The sponge `halo2_gadgets::poseidon::Sponge` computes for domain `D`: the message and
    /// `D`'s padding absorbed `R` words at a time, one permutation per chunk, first word out.
    fn sponge<D: Domain<Fp, R>, const R: usize>(&self, message: &[Fp]) -> Fp {
        let mut state = [Fp::ZERO; W];
        state[W - 1] = D::initial_capacity_element();
        let padded: Vec<Fp> = message
            .iter()
            .copied()
            .chain(D::padding(message.len()))
            .collect();
        for chunk in padded.chunks(R) {
            for (word, value) in state.iter_mut().zip(chunk) {
                *word += value;
            }
            self.permute(&mut state);
        }
        state[0]
    }
}

fn node_constants() -> &'static Constants<NODE_WIDTH> {
    static CONSTANTS: OnceLock<Constants<NODE_WIDTH>> = OnceLock::new();
    CONSTANTS.get_or_init(Constants::of::<NodeSpec, NODE_RATE>)
}

fn wide_constants() -> &'static Constants<WIDE_WIDTH> {
    static CONSTANTS: OnceLock<Constants<WIDE_WIDTH>> = OnceLock::new();
    CONSTANTS.get_or_init(Constants::of::<WideSpec, WIDE_RATE>)
}

/// The narrow permutation ([`NodeSpec`]).
pub fn permute(state: &mut [Fp; NODE_WIDTH]) {
    node_constants().permute(state)
}

/// The narrow sponge ([`NodeSpec`]) over domain `D`.
pub fn sponge<D: Domain<Fp, NODE_RATE>>(message: &[Fp]) -> Fp {
    node_constants().sponge::<D, NODE_RATE>(message)
}

/// The wide sponge ([`WideSpec`]) over domain `D`.
pub fn wide_sponge<D: Domain<Fp, WIDE_RATE>>(message: &[Fp]) -> Fp {
    wide_constants().sponge::<D, WIDE_RATE>(message)
}

/// Padding shared by this crate's variable-length domains: a single 1, then zeros up to a
/// multiple of the rate `R`. Injective on messages of any length; the capacity tags (at least
/// 2^128) keep these domains apart from `ConstantLength<L>` (tag `L · 2^64 < 2^128`) and each other.
fn one_then_zeros<const R: usize>(input_len: usize) -> Vec<Fp> {
    let total = (input_len + 1).div_ceil(R) * R;
    let mut pad = vec![Fp::ZERO; total - input_len];
    pad[0] = Fp::ONE;
    pad
}

fn tag(n: u64) -> Fp {
    Fp::from_u128(1u128 << 127) * Fp::from(2) + Fp::from(n)
}

/// `2^n` as a field element.
fn power_of_two(n: u32) -> Fp {
    Fp::from(2).pow_vartime([u64::from(n)])
}

/// The capacity of a leaf of the size class whose code is `class_code`
/// ([`crate::statement::SizeClass::code`]): `2^130 + code`. A leaf's hash domain is its class, so
/// the same words under another slot shape (an asset word read as a position word) are another
/// leaf (SPEC §3, version 3).
pub fn leaf_capacity(class_code: u64) -> Fp {
    power_of_two(130) + Fp::from(class_code)
}

/// The capacity of a distinct key `(id_hash, k)`: `2^131`.
pub fn distinct_key_capacity() -> Fp {
    power_of_two(131)
}

/// The capacity of the commitment to the distinct-key secret `(k, 0)`: `2^131 + 1`.
pub fn distinct_commitment_capacity() -> Fp {
    power_of_two(131) + Fp::ONE
}

/// The wide sponge with a given capacity and zero padding to a multiple of the rate: the
/// function of a message whose length the capacity fixes (a leaf of one size class). The
/// circuit computes the same ([`crate::chips::hashing::HashChip::leaf`]).
pub fn sponge_with_capacity(capacity: Fp, message: &[Fp]) -> Fp {
    wide_constants().absorb_zero_padded(capacity, message)
}

/// The distinct key of an account: `Poseidon(id_hash, k)` under [`distinct_key_capacity`], with
/// `k` the snapshot's distinct-key secret (SPEC §3, version 3). A PRF of `id_hash` under `k`: the
/// published list of distinct keys says nothing about any account to whoever lacks `k`, and a
/// venue cannot give two copies of one account two keys, since `k` is committed in every proof.
pub fn distinct_key(id_hash: Fp, k: Fp) -> Fp {
    let mut state = [id_hash, k, distinct_key_capacity()];
    permute(&mut state);
    state[0]
}

/// The commitment `K = Poseidon(k, 0)` to the distinct-key secret, under
/// [`distinct_commitment_capacity`]: a public input of every batch proof.
pub fn distinct_commitment(k: Fp) -> Fp {
    let mut state = [k, Fp::ZERO, distinct_commitment_capacity()];
    permute(&mut state);
    state[0]
}

/// Domain of the bucket challenges: `(statement tag, root R, instrument totals digest, n)`, on the
/// narrow instance.
#[derive(Debug, Clone, Copy)]
pub struct ChallengeDomain;

impl Domain<Fp, NODE_RATE> for ChallengeDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof challenge".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(4)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros::<NODE_RATE>(input_len)
    }
}

/// Domain of the digest of the published instrument totals (the challenges' input), on the wide
/// instance.
#[derive(Debug, Clone, Copy)]
pub struct InstrumentTotalsDomain;

impl Domain<Fp, WIDE_RATE> for InstrumentTotalsDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof instrument totals".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(5)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros::<WIDE_RATE>(input_len)
    }
}

/// Domain of running-totals commitments: `(statement tag, totals…, blinding)`, on the wide
/// instance.
#[derive(Debug, Clone, Copy)]
pub struct TotalsDomain;

impl Domain<Fp, WIDE_RATE> for TotalsDomain {
    type Padding = Vec<Fp>;
    fn name() -> String {
        "marginproof totals".into()
    }
    fn initial_capacity_element() -> Fp {
        tag(2)
    }
    fn padding(input_len: usize) -> Vec<Fp> {
        one_then_zeros::<WIDE_RATE>(input_len)
    }
}

/// `C = Poseidon_totals(tag, totals…, blinding)`: the hiding commitment to running totals (SPEC §3).
pub fn totals_commitment(statement_tag: Fp, totals: &[Fp], blinding: Fp) -> Fp {
    let mut message = Vec::with_capacity(totals.len() + 2);
    message.push(statement_tag);
    message.extend_from_slice(totals);
    message.push(blinding);
    wide_sponge::<TotalsDomain>(&message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_gadgets::poseidon::primitives::{ConstantLength, Hash};

    #[test]
    fn native_sponge_matches_halo2_poseidon() {
        let a = Fp::from(7);
        let b = Fp::from(11);
        let theirs =
            Hash::<_, NodeSpec, ConstantLength<2>, NODE_WIDTH, NODE_RATE>::init().hash([a, b]);
        assert_eq!(sponge::<ConstantLength<2>>(&[a, b]), theirs);
        let c = Fp::from(13);
        let theirs3 =
            Hash::<_, NodeSpec, ConstantLength<3>, NODE_WIDTH, NODE_RATE>::init().hash([a, b, c]);
        assert_eq!(sponge::<ConstantLength<3>>(&[a, b, c]), theirs3);
        let seven: [Fp; 7] = std::array::from_fn(|i| Fp::from(100 + i as u64));
        let wide =
            Hash::<_, WideSpec, ConstantLength<7>, WIDE_WIDTH, WIDE_RATE>::init().hash(seven);
        assert_eq!(wide_sponge::<ConstantLength<7>>(&seven), wide);
        let eleven: [Fp; 11] = std::array::from_fn(|i| Fp::from(200 + i as u64));
        let wide11 =
            Hash::<_, WideSpec, ConstantLength<11>, WIDE_WIDTH, WIDE_RATE>::init().hash(eleven);
        assert_eq!(wide_sponge::<ConstantLength<11>>(&eleven), wide11);
    }

    /// The capacity-only sponge is halo2's sponge with that capacity: the same permutations over
    /// the same zero-padded chunks (checked against `ConstantLength`, whose capacity is
    /// `L·2^64` and whose padding is zeros).
    #[test]
    fn capacity_sponge_matches_constant_length() {
        let eleven: [Fp; 11] = std::array::from_fn(|i| Fp::from(300 + i as u64));
        let capacity = Fp::from(11) * power_of_two(64);
        let theirs =
            Hash::<_, WideSpec, ConstantLength<11>, WIDE_WIDTH, WIDE_RATE>::init().hash(eleven);
        assert_eq!(sponge_with_capacity(capacity, &eleven), theirs);
        let pair = [Fp::from(3), Fp::from(4)];
        let node = Hash::<_, NodeSpec, ConstantLength<2>, NODE_WIDTH, NODE_RATE>::init().hash(pair);
        let mut state = [pair[0], pair[1], Fp::from(2) * power_of_two(64)];
        permute(&mut state);
        assert_eq!(state[0], node);
        // Leaves of two classes, distinct keys and the commitment are apart.
        assert_ne!(
            sponge_with_capacity(leaf_capacity(1), &pair),
            sponge_with_capacity(leaf_capacity(2), &pair)
        );
        assert_ne!(distinct_key(pair[0], pair[1]), node);
        assert_ne!(
            distinct_key(Fp::ZERO, pair[0]),
            distinct_commitment(pair[0])
        );
    }

    #[test]
    fn padding_separates_lengths() {
        let x = Fp::from(5);
        assert_ne!(
            wide_sponge::<TotalsDomain>(&[x]),
            wide_sponge::<TotalsDomain>(&[x, Fp::ONE])
        );
        assert_ne!(
            sponge::<ChallengeDomain>(&[x]),
            sponge::<ChallengeDomain>(&[x, x])
        );
        assert_ne!(
            wide_sponge::<InstrumentTotalsDomain>(&[x]),
            wide_sponge::<TotalsDomain>(&[x])
        );
        assert_eq!(TotalsDomain::padding(2).len(), 6);
        assert_eq!(TotalsDomain::padding(7).len(), 1);
        assert_eq!(TotalsDomain::padding(8).len(), 8);
        assert_eq!(ChallengeDomain::padding(3).len(), 1);
    }
}
