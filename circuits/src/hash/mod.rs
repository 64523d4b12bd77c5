//! Hashing: native Poseidon (the same function the circuit computes), account ids, salts, leaves,
//! the Merkle tree and the running-totals commitment.

pub mod ids;
pub mod leaf;
pub mod merkle;
pub mod p128pow5t9;
pub mod poseidon;
pub mod poseidon_params;
pub mod snapshot;

pub use ids::{id_hash, statement_tag, unit_encoding};
pub use leaf::{asset_word, empty_leaf, leaf_words, position_word, LeafHasher};
pub use merkle::{node_hash, MerklePath};
pub use poseidon::{
    totals_commitment, ChallengeDomain, InstrumentTotalsDomain, KeyDomain, LeafDomain, TotalsDomain,
};
