//! The snapshot tree: batch roots are the leaves of the top tree, padded to a power of two with
//! the root of an all-padding batch of the first size class, and its root is R (SPEC §3). The
//! batch count is public, so this padding is a public constant ([`public_padding_leaf`]); a
//! batch's own padding leaves are not.

use crate::field::Fp;
use crate::hash::leaf::public_padding_leaf;
use crate::hash::merkle::tree_root;
use crate::statement::SizeClass;

/// The root of a batch of `class`'s public padding leaves.
pub fn empty_batch_root(class: &SizeClass) -> Fp {
    tree_root(vec![
        public_padding_leaf(class.code(), class.slots);
        class.batch_size
    ])
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
        Some(c) => empty_batch_root(c),
        None => Fp::zero(),
    }
}

/// R from the batch roots, padded with [`top_padding`].
pub fn snapshot_root(classes: &[SizeClass], batch_roots: &[Fp]) -> Fp {
    tree_root(top_tree_leaves(batch_roots, top_padding(classes)))
}
