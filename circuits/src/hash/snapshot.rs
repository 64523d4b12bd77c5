//! The snapshot tree: batch roots are the leaves of the top tree, padded to a power of two with
//! the root of an all-padding batch, and its root is R (SPEC §3).

use crate::field::Fp;
use crate::hash::leaf::empty_leaf;
use crate::hash::merkle::tree_root;
use crate::model::holdings::SlotShape;

/// The root of a batch of `batch_size` padding leaves.
pub fn empty_batch_root(shape: SlotShape, batch_size: usize) -> Fp {
    tree_root(vec![empty_leaf(shape); batch_size])
}

/// The top tree's leaves: the batch roots, then empty batch roots up to a power of two.
pub fn top_tree_leaves(batch_roots: &[Fp], empty_batch_root: Fp) -> Vec<Fp> {
    let size = batch_roots.len().max(1).next_power_of_two();
    let mut leaves = batch_roots.to_vec();
    leaves.resize(size, empty_batch_root);
    leaves
}

/// R from the batch roots.
pub fn snapshot_root(shape: SlotShape, batch_size: usize, batch_roots: &[Fp]) -> Fp {
    tree_root(top_tree_leaves(
        batch_roots,
        empty_batch_root(shape, batch_size),
    ))
}
