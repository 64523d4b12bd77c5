//! The leaf encoding: `leaf = Poseidon_leaf(id_hash, salt, w_1 … w_A, w'_1 … w'_M)`.
//!
//! | word | packing (each field range-checked in the circuit, so the packing is injective) |
//! |---|---|
//! | asset `a` | `b_a + 2^64 · l_a` (two 64-bit fields) |
//! | market `m` | `code(s_m) + 2^64 · code(c_m) + 2^192 · [s_m < 0] + 2^193 · [c_m < 0]` |
//!
//! where `code(x)` is `|x|` for `x ≥ 0` and `|x| − 1` for `x < 0` (see [`SignedCode`]), 64 bits for
//! sizes and 128 for costs. The empty leaf (padding) is the leaf of the all-zero record with
//! `id_hash = 0` and `salt = 0`; a real account's `id_hash` is a BLAKE2b output, never 0 except
//! with probability 2^-254.

use num_bigint::BigInt;

use crate::config::RiskParams;
use crate::field::{fp_from_bigint, Fp};
use crate::hash::poseidon::{sponge, LeafDomain};
use crate::model::record::AccountRecord;
use crate::signed::SignedCode;

/// Computes account leaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeafHasher;

impl LeafHasher {
    /// The leaf of one account.
    pub fn hash(id_hash: Fp, salt: Fp, record: &AccountRecord) -> Fp {
        sponge::<LeafDomain>(&leaf_words(id_hash, salt, record))
    }
}

/// `2^n` as a field element.
pub fn pow2(n: u32) -> Fp {
    fp_from_bigint(&(BigInt::from(1) << n))
}

/// The packed message of a leaf.
pub fn leaf_words(id_hash: Fp, salt: Fp, record: &AccountRecord) -> Vec<Fp> {
    let mut words = Vec::with_capacity(2 + record.balances.len() + record.positions.len());
    words.push(id_hash);
    words.push(salt);
    for (b, l) in record.balances.iter().zip(&record.debts) {
        words.push(Fp::from(*b) + pow2(64) * Fp::from(*l));
    }
    for p in &record.positions {
        let size = SignedCode::of(&BigInt::from(p.size));
        let cost = SignedCode::of(&p.cost);
        words.push(
            fp_from_bigint(&size.code)
                + pow2(64) * fp_from_bigint(&cost.code)
                + pow2(192) * Fp::from(u64::from(size.negative))
                + pow2(193) * Fp::from(u64::from(cost.negative)),
        );
    }
    words
}

/// The padding leaf for a configuration's shape.
pub fn empty_leaf(params: &RiskParams) -> Fp {
    LeafHasher::hash(Fp::zero(), Fp::zero(), &AccountRecord::empty("", params))
}
