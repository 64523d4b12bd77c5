//! The Poseidon Merkle tree: inner node `Poseidon(left, right)` with `ConstantLength<2>`.

use halo2_gadgets::poseidon::primitives::ConstantLength;

use crate::field::Fp;
use crate::hash::poseidon::sponge;

/// `Poseidon(left, right)` on the narrow instance (`P128Pow5T3`, `ConstantLength<2>`).
pub fn node_hash(left: Fp, right: Fp) -> Fp {
    sponge::<ConstantLength<2>>(&[left, right])
}

/// All levels of a tree over `leaves` (a power of two, at least 1): level 0 is the leaves, the
/// last level is `[root]`. Every tree of the project has a power of two of leaves, and every
/// public shape is checked to have one before a tree is built from it (`tree_shape` in the
/// verifier); other input does not panic: it is padded with zero leaves to the next power of two
/// (none: one zero leaf).
pub fn tree_levels(mut leaves: Vec<Fp>) -> Vec<Vec<Fp>> {
    let size = leaves.len().max(1).next_power_of_two();
    leaves.resize(size, Fp::zero());
    let mut levels = vec![leaves];
    while levels.last().map_or(0, Vec::len) > 1 {
        let below = levels.last().map(Vec::as_slice).unwrap_or_default();
        let above = below
            .chunks_exact(2)
            .map(|p| node_hash(p[0], p[1]))
            .collect();
        levels.push(above);
    }
    levels
}

/// The root of a tree over `leaves` (a power of two; see [`tree_levels`] for other input).
pub fn tree_root(leaves: Vec<Fp>) -> Fp {
    tree_levels(leaves)
        .last()
        .and_then(|l| l.first().copied())
        .unwrap_or_default()
}

/// A leaf's path: its index and the siblings from the leaf level up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerklePath {
    /// Position of the leaf; bit `i` says whether the node at level `i` is a right child.
    pub index: u64,
    /// Sibling at each level, bottom first.
    pub siblings: Vec<Fp>,
}

impl MerklePath {
    /// The path of leaf `index` in `levels` (from [`tree_levels`]).
    pub fn from_levels(levels: &[Vec<Fp>], index: u64) -> Option<Self> {
        let mut siblings = Vec::with_capacity(levels.len().saturating_sub(1));
        let mut i = index;
        for level in &levels[..levels.len().saturating_sub(1)] {
            siblings.push(*level.get(usize::try_from(i ^ 1).ok()?)?);
            i >>= 1;
        }
        Some(MerklePath { index, siblings })
    }

    /// The root this path leads to from `leaf`. `None` if the path is longer than an index has
    /// bits (64) or the index has bits above the path.
    pub fn root(&self, leaf: Fp) -> Option<Fp> {
        let depth = self.siblings.len();
        if depth > 64 || (depth < 64 && self.index >> depth != 0) {
            return None;
        }
        let mut node = leaf;
        for (level, sibling) in self.siblings.iter().enumerate() {
            node = if (self.index >> level) & 1 == 1 {
                node_hash(*sibling, node)
            } else {
                node_hash(node, *sibling)
            };
        }
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_leads_to_the_root() {
        let leaves: Vec<Fp> = (0..8u64).map(Fp::from).collect();
        let levels = tree_levels(leaves.clone());
        let root = levels[3][0];
        for (i, leaf) in leaves.iter().enumerate() {
            let path = MerklePath::from_levels(&levels, i as u64).unwrap();
            assert_eq!(path.root(*leaf), Some(root));
            assert_ne!(path.root(*leaf + Fp::one()), Some(root));
        }
        let bad = MerklePath {
            index: 8,
            siblings: vec![Fp::zero(); 3],
        };
        assert_eq!(bad.root(leaves[0]), None);
    }

    #[test]
    fn a_tree_of_any_size_is_padded_with_zero_leaves_not_a_panic() {
        let three: Vec<Fp> = (1..=3u64).map(Fp::from).collect();
        let four = vec![Fp::from(1), Fp::from(2), Fp::from(3), Fp::zero()];
        assert_eq!(tree_root(three), tree_root(four));
        assert_eq!(tree_root(vec![]), Fp::zero());
        assert_eq!(tree_levels(vec![Fp::one(); 5]).len(), 4);
    }
}
