//! The snapshot tree: batch roots are the leaves of the top tree, padded to a power of two with
//! the root of an all-padding batch of the first size class, and its root is R (SPEC §3).

use crate::field::Fp;
use crate::hash::leaf::empty_leaf;
use crate::hash::merkle::tree_root;
use crate::model::holdings::SlotShape;
use crate::statement::SizeClass;

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

/// The top tree's padding: the root of an all-padding batch of the first (smallest) class.
pub fn top_padding(classes: &[SizeClass]) -> Fp {
    match classes.first() {
        Some(c) => empty_batch_root(c.slots, c.batch_size),
        None => Fp::zero(),
    }
}

/// R from the batch roots, padded with [`top_padding`].
pub fn snapshot_root(classes: &[SizeClass], batch_roots: &[Fp]) -> Fp {
    tree_root(top_tree_leaves(batch_roots, top_padding(classes)))
}
