//! The leaf encoding (SPEC §3, sparse form):
//!
//! ```text
//! key  = Poseidon_key(id_hash, salt)
//! leaf = Poseidon_leaf(key, asset word_1 … asset word_S, position word_1 … position word_P)
//! ```
//!
//! over the record's [`Holdings`] in a [`SlotShape`] of `S` asset and `P` position slots:
//!
//! | word | packing (each field range-checked in the circuit, so the packing is injective) |
//! |---|---|
//! | asset slot | `a + 2^10 · b + 2^74 · l` (index < 2^10, two 64-bit quantities) |
//! | position slot | `m + 2^10 · code(s) + 2^74 · code(c) + 2^202 · [s < 0] + 2^203 · [c < 0]` |
//!
//! where `code(x)` is `|x|` for `x ≥ 0` and `|x| − 1` for `x < 0` (see [`SignedCode`]), 64 bits
//! for sizes and 128 for costs. Slots hold the non-empty holdings in increasing index order, then
//! empty slots (all zero); the circuit accepts no other order, so a record has one leaf.
//!
//! The key is computed natively by the venue and the user; the circuit only binds it. The empty
//! leaf (padding) has `key = 0` and every slot empty; a real account's key is a Poseidon output,
//! 0 only with probability 2^-254.

use num_bigint::BigInt;

use crate::field::{fp_from_bigint, Fp};
use crate::hash::poseidon::{sponge, wide_sponge, KeyDomain, LeafDomain};
use crate::model::holdings::{AssetHolding, Holdings, PositionHolding, SlotShape};
use crate::signed::SignedCode;

/// Bits of a slot's instrument index in its word.
pub const INDEX_BITS: u32 = 10;

/// Computes account leaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeafHasher;

impl LeafHasher {
    /// The account key `Poseidon_key(id_hash, salt)`.
    pub fn key(id_hash: Fp, salt: Fp) -> Fp {
        sponge::<KeyDomain>(&[id_hash, salt])
    }

    /// The leaf of one account from its key and holdings.
    pub fn hash(key: Fp, holdings: &Holdings) -> Fp {
        wide_sponge::<LeafDomain>(&leaf_words(key, holdings))
    }
}

/// `2^n` as a field element.
pub fn pow2(n: u32) -> Fp {
    fp_from_bigint(&(BigInt::from(1) << n))
}

/// The word of an asset slot.
pub fn asset_word(slot: &AssetHolding) -> Fp {
    Fp::from(slot.index as u64)
        + pow2(INDEX_BITS) * Fp::from(slot.balance)
        + pow2(INDEX_BITS + 64) * Fp::from(slot.debt)
}

/// The word of a position slot.
pub fn position_word(slot: &PositionHolding) -> Fp {
    let size = SignedCode::of(&BigInt::from(slot.position.size));
    let cost = SignedCode::of(&slot.position.cost);
    Fp::from(slot.index as u64)
        + pow2(INDEX_BITS) * fp_from_bigint(&size.code)
        + pow2(INDEX_BITS + 64) * fp_from_bigint(&cost.code)
        + pow2(INDEX_BITS + 192) * Fp::from(u64::from(size.negative))
        + pow2(INDEX_BITS + 193) * Fp::from(u64::from(cost.negative))
}

/// The packed message of a leaf: the key, then one word per slot.
pub fn leaf_words(key: Fp, holdings: &Holdings) -> Vec<Fp> {
    let mut words = Vec::with_capacity(1 + holdings.assets.len() + holdings.positions.len());
    words.push(key);
    words.extend(holdings.assets.iter().map(asset_word));
    words.extend(holdings.positions.iter().map(position_word));
    words
}

/// The padding leaf of a slot shape.
pub fn empty_leaf(shape: SlotShape) -> Fp {
    LeafHasher::hash(Fp::zero(), &Holdings::empty(shape))
}
