//! Hashing: native Poseidon (the same function the circuit computes), account ids, salts, leaves,
//! the Merkle tree and the running-totals commitment.

pub mod ids;
pub mod leaf;
pub mod merkle;
pub mod poseidon;
pub mod snapshot;

pub use ids::{id_hash, statement_tag};
pub use leaf::{empty_leaf, leaf_words, LeafHasher};
pub use merkle::{node_hash, MerklePath};
pub use poseidon::{totals_commitment, LeafDomain, TotalsDomain};
