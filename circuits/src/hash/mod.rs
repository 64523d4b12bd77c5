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
pub use leaf::{asset_word, leaf, leaf_words, position_word, public_padding_leaf};
pub use merkle::{node_hash, MerklePath};
pub use poseidon::{
    distinct_commitment, distinct_key, totals_commitment, ChallengeDomain, InstrumentTotalsDomain,
    TotalsDomain,
};
