//! The leaf encoding (SPEC §3, sparse form, version 3):
//!
//! ```text
//! leaf = Poseidon_{2^130 + class}(id_hash, salt, asset word_1 … asset word_S, position word_1 … position word_P)
//! ```
//!
//! on the wide instance, with the leaf's size class ([`crate::statement::SizeClass::code`]: its
//! slot shape `S × P` and batch size) in the capacity ([`leaf_capacity`]) and the message padded
//! with zeros (its length is fixed by the class), over the record's [`Holdings`] in the class's
//! slots:
//!
//! | word | packing (each field range-checked in the circuit, so the packing is injective) |
//! |---|---|
//! | asset slot | `a + 2^10 · b + 2^74 · l` (index < 2^10, two 64-bit quantities) |
//! | position slot | `m + 2^10 · code(s) + 2^74 · code(c) + 2^202 · [s < 0] + 2^203 · [c < 0]` |
//!
//! where `code(x)` is `|x|` for `x ≥ 0` and `|x| − 1` for `x < 0` (see [`SignedCode`]), 64 bits
//! for sizes and 128 for costs. Slots hold the non-empty holdings in increasing index order, then
//! empty slots (all zero); the circuit accepts no other order, so a record has one leaf in its
//! class. An asset word and a position word can have the same bits (a position with both signs 0
//! and a cost below 2^64 reads as an asset); the class in the capacity makes the same words under
//! two shapes two different leaves, so a batch root says which shape its words have.
//!
//! A padding leaf has `id_hash = 0`, every slot empty and a salt derived from the venue's secret
//! for its place (its own derivation domain, `prover::secret`): to anyone without the secret it
//! looks like any other leaf, so an inclusion path says nothing of how many accounts its batch
//! holds (SPEC §9). A real account's `id_hash` is a BLAKE2b output, 0 only with probability
//! 2^-254. The top tree's padding (the batch count is public) is [`public_padding_leaf`]'s tree.

use num_bigint::BigInt;

use crate::field::{fp_from_bigint, Fp};
use crate::hash::poseidon::{leaf_capacity, sponge_with_capacity};
use crate::model::holdings::{AssetHolding, Holdings, PositionHolding};
use crate::relations;
use crate::signed::SignedCode;

pub use crate::field::pow2;
pub use crate::relations::INDEX_BITS;

/// The word of an asset slot ([`relations::asset_word`]).
pub fn asset_word(slot: &AssetHolding) -> Fp {
    relations::asset_word(
        Fp::from(slot.index as u64),
        Fp::from(slot.balance),
        Fp::from(slot.debt),
    )
}

/// The word of a position slot ([`relations::position_word`]).
pub fn position_word(slot: &PositionHolding) -> Fp {
    let size = SignedCode::of(&BigInt::from(slot.position.size));
    let cost = SignedCode::of(&slot.position.cost);
    relations::position_word(
        Fp::from(slot.index as u64),
        fp_from_bigint(&size.code),
        fp_from_bigint(&cost.code),
        Fp::from(u64::from(size.negative)),
        Fp::from(u64::from(cost.negative)),
    )
}

/// The message of a leaf: `id_hash`, the salt, then one word per slot.
pub fn leaf_words(id_hash: Fp, salt: Fp, holdings: &Holdings) -> Vec<Fp> {
    let mut words = Vec::with_capacity(2 + holdings.assets.len() + holdings.positions.len());
    words.push(id_hash);
    words.push(salt);
    words.extend(holdings.assets.iter().map(asset_word));
    words.extend(holdings.positions.iter().map(position_word));
    words
}

/// The leaf of an account (or, with `id_hash = 0` and empty holdings, a padding leaf) of the size
/// class whose code is `class_code`.
pub fn leaf(class_code: u64, id_hash: Fp, salt: Fp, holdings: &Holdings) -> Fp {
    sponge_with_capacity(
        leaf_capacity(class_code),
        &leaf_words(id_hash, salt, holdings),
    )
}

/// The public padding leaf of a class (salt 0), used only for the top tree's padding: the
/// batch count is public, so the roots of the all-padding batches that fill the top tree to a
/// power of two may be public constants. Never a leaf of a batch.
pub fn public_padding_leaf(class_code: u64, shape: crate::model::holdings::SlotShape) -> Fp {
    leaf(class_code, Fp::zero(), Fp::zero(), &Holdings::empty(shape))
}
