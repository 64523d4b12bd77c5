//! Poseidon in the circuit: account leaves and running-totals commitments on a width-9
//! `Pow5Chip`, tree nodes on a width-3 one (halo2_gadgets), the same functions as
//! [`crate::hash`] computes natively.
//!
//! | use | instance | domain | message |
//! |---|---|---|---|
//! | leaf | [`WideSpec`] (9 / 8) | [`LeafDomain`] | `key, words…` (`key = Poseidon_key(id_hash, salt)`, computed natively by the venue and the user; the circuit binds it as the first word) |
//! | node | [`NodeSpec`] (3 / 2) | `ConstantLength<2>` | `left, right` |
//! | commitment | [`WideSpec`] (9 / 8) | [`TotalsDomain`] | `tag, totals…, blinding` |
//!
//! The two chips have their own state columns, so a tree node's rows sit beside the next leaf's
//! ([`BatchTree`] hands out at most one node per leaf): the tree costs no rows of its own on the
//! leaf's columns. The gates and their bounds are `Pow5Chip`'s (full and partial rounds, degree-5
//! S-box, `pad-and-add`).

use std::collections::VecDeque;

use halo2_gadgets::poseidon::{
    primitives::{Absorbing, ConstantLength, Domain},
    Hash, PaddedWord, Pow5Chip, Pow5Config, Sponge,
};
use halo2_proofs::{
    circuit::{AssignedCell, Layouter},
    plonk::{Advice, Column, ConstraintSystem, Error, Fixed},
};

use crate::field::Fp;
use crate::hash::poseidon::{
    LeafDomain, NodeSpec, TotalsDomain, WideSpec, NODE_RATE, NODE_WIDTH, WIDE_RATE, WIDE_WIDTH,
};

/// The two Poseidon configurations of the circuit.
#[derive(Debug, Clone)]
pub struct PoseidonConfig {
    wide: Pow5Config<Fp, WIDE_WIDTH, WIDE_RATE>,
    node: Pow5Config<Fp, NODE_WIDTH, NODE_RATE>,
}

/// Hashes the circuit needs.
#[derive(Debug)]
pub struct HashChip {
    config: PoseidonConfig,
}

type Cell = AssignedCell<Fp, Fp>;

impl HashChip {
    /// Configures the width-9 chip on `wide_state` and `wide_partial`, and the width-3 chip on
    /// `node_state` and `node_partial` (the two sets must be disjoint for nodes to sit beside
    /// leaves); each gets its own round-constant fixed columns.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        wide_state: [Column<Advice>; WIDE_WIDTH],
        wide_partial: Column<Advice>,
        node_state: [Column<Advice>; NODE_WIDTH],
        node_partial: Column<Advice>,
    ) -> PoseidonConfig {
        let wide_a: [Column<Fixed>; WIDE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
        let wide_b: [Column<Fixed>; WIDE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
        let wide = Pow5Chip::configure::<WideSpec>(meta, wide_state, wide_partial, wide_a, wide_b);
        let node_a: [Column<Fixed>; NODE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
        let node_b: [Column<Fixed>; NODE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
        let node = Pow5Chip::configure::<NodeSpec>(meta, node_state, node_partial, node_a, node_b);
        PoseidonConfig { wide, node }
    }

    /// Builds the chip on its configuration.
    pub fn construct(config: PoseidonConfig) -> Self {
        HashChip { config }
    }

    fn wide_sponge<D: Domain<Fp, WIDE_RATE>>(
        &self,
        mut layouter: impl Layouter<Fp>,
        message: &[Cell],
    ) -> Result<Cell, Error> {
        let chip = Pow5Chip::construct(self.config.wide.clone());
        let mut sponge = Sponge::<
            Fp,
            _,
            WideSpec,
            Absorbing<PaddedWord<Fp>, WIDE_RATE>,
            D,
            WIDE_WIDTH,
            WIDE_RATE,
        >::new(chip, layouter.namespace(|| "init"))?;
        let words = message.iter().cloned().map(PaddedWord::Message).chain(
            D::padding(message.len())
                .into_iter()
                .map(PaddedWord::Padding),
        );
        for (i, word) in words.enumerate() {
            sponge.absorb(layouter.namespace(|| format!("absorb {i}")), word)?;
        }
        sponge
            .finish_absorbing(layouter.namespace(|| "finish"))?
            .squeeze(layouter.namespace(|| "squeeze"))
    }

    /// `leaf(key, words…)`.
    pub fn leaf(&self, layouter: impl Layouter<Fp>, message: &[Cell]) -> Result<Cell, Error> {
        self.wide_sponge::<LeafDomain>(layouter, message)
    }

    /// The totals commitment `C(tag, totals…, blinding)`.
    pub fn commitment(&self, layouter: impl Layouter<Fp>, message: &[Cell]) -> Result<Cell, Error> {
        self.wide_sponge::<TotalsDomain>(layouter, message)
    }

    /// The inner node `Poseidon(left, right)`.
    pub fn node(
        &self,
        mut layouter: impl Layouter<Fp>,
        left: &Cell,
        right: &Cell,
    ) -> Result<Cell, Error> {
        let chip = Pow5Chip::construct(self.config.node.clone());
        let hasher = Hash::<Fp, _, NodeSpec, ConstantLength<2>, NODE_WIDTH, NODE_RATE>::init(
            chip,
            layouter.namespace(|| "init"),
        )?;
        hasher.hash(layouter.namespace(|| "node"), [left.clone(), right.clone()])
    }

    /// The root of a tree over `leaves` (a power of two, else `Error::Synthesis`), all nodes at once.
    pub fn root(&self, mut layouter: impl Layouter<Fp>, leaves: Vec<Cell>) -> Result<Cell, Error> {
        let mut tree = BatchTree::new(leaves.len())?;
        for leaf in leaves {
            tree.push_leaf(leaf);
        }
        tree.finish(self, layouter.namespace(|| "nodes"))
    }
}

/// A batch tree built while its leaves are hashed: each pushed leaf may make a node ready
/// (its two children known); [`BatchTree::step`] hashes the oldest ready node. Called once per
/// leaf, it lays one node beside each leaf. Nodes at each level are paired in leaf order, so the
/// root is [`crate::hash::merkle::tree_root`]'s.
#[derive(Debug)]
pub struct BatchTree {
    leaves: usize,
    /// Per level, a node waiting for its right sibling.
    waiting: Vec<Option<Cell>>,
    /// Nodes whose children are known, oldest first: `(level of the children, left, right)`.
    ready: VecDeque<(usize, Cell, Cell)>,
    hashed: usize,
    root: Option<Cell>,
}

impl BatchTree {
    /// A tree over `leaves` leaves (a power of two, else `Error::Synthesis`).
    pub fn new(leaves: usize) -> Result<Self, Error> {
        if !leaves.is_power_of_two() {
            return Err(Error::Synthesis);
        }
        Ok(BatchTree {
            leaves,
            waiting: vec![None; leaves.trailing_zeros() as usize + 1],
            ready: VecDeque::new(),
            hashed: 0,
            root: None,
        })
    }

    fn place(&mut self, level: usize, cell: Cell) {
        if (1usize << level) == self.leaves {
            self.root = Some(cell);
            return;
        }
        match self.waiting[level].take() {
            Some(left) => self.ready.push_back((level, left, cell)),
            None => self.waiting[level] = Some(cell),
        }
    }

    /// Adds the next leaf.
    pub fn push_leaf(&mut self, leaf: Cell) {
        self.place(0, leaf);
    }

    /// Hashes the oldest ready node, if any.
    pub fn step(&mut self, chip: &HashChip, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        if let Some((level, left, right)) = self.ready.pop_front() {
            let node = chip.node(
                layouter.namespace(|| format!("node {}", self.hashed)),
                &left,
                &right,
            )?;
            self.hashed += 1;
            self.place(level + 1, node);
        }
        Ok(())
    }

    /// Hashes every node left and returns the root (`Error::Synthesis` if a leaf is missing).
    pub fn finish(
        mut self,
        chip: &HashChip,
        mut layouter: impl Layouter<Fp>,
    ) -> Result<Cell, Error> {
        while !self.ready.is_empty() {
            self.step(chip, layouter.namespace(|| "rest"))?;
        }
        self.root.ok_or(Error::Synthesis)
    }
}
