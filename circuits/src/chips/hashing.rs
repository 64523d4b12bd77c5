//! Poseidon in the circuit: account leaves and running-totals commitments on a width-9
//! `Pow5Chip`, tree nodes on a width-3 one, distinct keys on a second width-3 one (halo2_gadgets),
//! the same functions as [`crate::hash`] computes natively.
//!
//! | use | instance | capacity / domain | message |
//! |---|---|---|---|
//! | leaf | [`WideSpec`] (9 / 8) | `2^130 + class` ([`crate::hash::poseidon::leaf_capacity`]), zero padding | `id_hash, salt, words…` |
//! | node | [`NodeSpec`] (3 / 2) | `ConstantLength<2>` | `left, right` |
//! | distinct key | [`NodeSpec`] (3 / 2) | `2^131` | `id_hash, k` |
//! | distinct-key commitment | [`NodeSpec`] (3 / 2) | `2^131 + 1` | `k, 0` |
//! | commitment | [`WideSpec`] (9 / 8) | [`TotalsDomain`] | `tag, totals…, blinding` |
//!
//! A leaf's and a distinct key's first chunk is the permutation's initial state itself (the
//! message words and the capacity, loaded by copy constraints), without the sponge's
//! `initial state` and `pad-and-add` rows; later chunks of a long leaf are added by
//! `pad-and-add`. The three chips have their own state columns, so a tree node's and a distinct
//! key's rows sit beside the next leaf's ([`BatchTree`] hands out at most one node per leaf):
//! neither costs rows of its own on the leaf's columns. The gates and their bounds are
//! `Pow5Chip`'s (full and partial rounds, degree-5 S-box, `pad-and-add`).

use std::collections::VecDeque;

use halo2_gadgets::poseidon::{
    primitives::{Absorbing, ConstantLength, Domain},
    Hash, PaddedWord, PoseidonInstructions, PoseidonSpongeInstructions, Pow5Chip, Pow5Config,
    Sponge, StateWord,
};
use halo2_proofs::{
    circuit::{AssignedCell, Layouter},
    plonk::{Advice, Column, ConstraintSystem, Error, Fixed},
};

use crate::field::Fp;
use crate::hash::poseidon::{
    NodeSpec, TotalsDomain, WideSpec, NODE_RATE, NODE_WIDTH, WIDE_RATE, WIDE_WIDTH,
};

/// The three Poseidon configurations of the circuit.
#[derive(Debug, Clone)]
pub struct PoseidonConfig {
    wide: Pow5Config<Fp, WIDE_WIDTH, WIDE_RATE>,
    node: Pow5Config<Fp, NODE_WIDTH, NODE_RATE>,
    distinct: Pow5Config<Fp, NODE_WIDTH, NODE_RATE>,
}

/// The constant cells a batch's leaves and distinct keys start from (assigned once per batch,
/// copied into each permutation): zero, the leaf capacity of the batch's class, and the two
/// distinct-key capacities.
#[derive(Debug, Clone)]
pub struct HashConstants {
    /// 0: a leaf's zero padding.
    pub zero: AssignedCell<Fp, Fp>,
    /// `2^130 + class`.
    pub leaf_capacity: AssignedCell<Fp, Fp>,
    /// `2^131`.
    pub distinct_capacity: AssignedCell<Fp, Fp>,
    /// `2^131 + 1`.
    pub commitment_capacity: AssignedCell<Fp, Fp>,
}

/// Hashes the circuit needs.
#[derive(Debug)]
pub struct HashChip {
    config: PoseidonConfig,
}

type Cell = AssignedCell<Fp, Fp>;

impl HashChip {
    /// Configures the width-9 chip on `wide_state` and `wide_partial`, the width-3 node chip on
    /// `node_state` and `node_partial`, and the width-3 distinct-key chip on `distinct_state` and
    /// `distinct_partial` (the three sets must be disjoint for nodes and keys to sit beside
    /// leaves); each gets its own round-constant fixed columns.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        wide: ([Column<Advice>; WIDE_WIDTH], Column<Advice>),
        node: ([Column<Advice>; NODE_WIDTH], Column<Advice>),
        distinct: ([Column<Advice>; NODE_WIDTH], Column<Advice>),
    ) -> PoseidonConfig {
        let wide_a: [Column<Fixed>; WIDE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
        let wide_b: [Column<Fixed>; WIDE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
        let wide = Pow5Chip::configure::<WideSpec>(meta, wide.0, wide.1, wide_a, wide_b);
        let mut narrow = |(state, partial): ([Column<Advice>; NODE_WIDTH], Column<Advice>)| {
            let a: [Column<Fixed>; NODE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
            let b: [Column<Fixed>; NODE_WIDTH] = std::array::from_fn(|_| meta.fixed_column());
            Pow5Chip::configure::<NodeSpec>(meta, state, partial, a, b)
        };
        let node = narrow(node);
        let distinct = narrow(distinct);
        PoseidonConfig {
            wide,
            node,
            distinct,
        }
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

    /// The leaf of `message` (`id_hash, salt, words…`) under the capacity cell of its class,
    /// padded with the zero cell ([`crate::hash::poseidon::sponge_with_capacity`]): the first
    /// chunk is the initial state of the first permutation; each later chunk is added by
    /// `pad-and-add`.
    pub fn leaf(
        &self,
        mut layouter: impl Layouter<Fp>,
        constants: &HashConstants,
        message: &[Cell],
    ) -> Result<Cell, Error> {
        let chip = Pow5Chip::construct(self.config.wide.clone());
        let mut chunks = message.chunks(WIDE_RATE);
        let first = chunks.next().ok_or(Error::Synthesis)?;
        let state: [StateWord<Fp>; WIDE_WIDTH] = std::array::from_fn(|i| {
            let cell = match (first.get(i), i) {
                (Some(word), _) => word,
                (None, WIDE_RATE) => &constants.leaf_capacity,
                (None, _) => &constants.zero,
            };
            StateWord::from(cell.clone())
        });
        let mut state = <Pow5Chip<Fp, WIDE_WIDTH, WIDE_RATE> as PoseidonInstructions<
            Fp,
            WideSpec,
            WIDE_WIDTH,
            WIDE_RATE,
        >>::permute(&chip, &mut layouter.namespace(|| "leaf"), &state)?;
        for (n, chunk) in chunks.enumerate() {
            let mut input = Absorbing::<PaddedWord<Fp>, WIDE_RATE>::init_empty();
            for i in 0..WIDE_RATE {
                let word = match chunk.get(i) {
                    Some(word) => PaddedWord::Message(word.clone()),
                    None => PaddedWord::Padding(Fp::zero()),
                };
                // The chunk has RATE free places: absorbing one of them cannot fail.
                let _ = input.absorb(word);
            }
            let added = <Pow5Chip<Fp, WIDE_WIDTH, WIDE_RATE> as PoseidonSpongeInstructions<
                Fp,
                WideSpec,
                TotalsDomain,
                WIDE_WIDTH,
                WIDE_RATE,
            >>::add_input(
                &chip,
                &mut layouter.namespace(|| format!("leaf chunk {}", n + 1)),
                &state,
                &input,
            )?;
            state = <Pow5Chip<Fp, WIDE_WIDTH, WIDE_RATE> as PoseidonInstructions<
                Fp,
                WideSpec,
                WIDE_WIDTH,
                WIDE_RATE,
            >>::permute(&chip, &mut layouter.namespace(|| "leaf"), &added)?;
        }
        let [out, ..] = state;
        Ok(out.into())
    }

    /// One permutation of the distinct-key chip from `[a, b, capacity]`; its first word.
    fn distinct_permutation(
        &self,
        mut layouter: impl Layouter<Fp>,
        state: [&Cell; NODE_WIDTH],
    ) -> Result<Cell, Error> {
        let chip = Pow5Chip::construct(self.config.distinct.clone());
        let state: [StateWord<Fp>; NODE_WIDTH] =
            std::array::from_fn(|i| StateWord::from(state[i].clone()));
        let [out, ..] = <Pow5Chip<Fp, NODE_WIDTH, NODE_RATE> as PoseidonInstructions<
            Fp,
            NodeSpec,
            NODE_WIDTH,
            NODE_RATE,
        >>::permute(&chip, &mut layouter, &state)?;
        Ok(out.into())
    }

    /// The distinct key `Poseidon(id_hash, k)` ([`crate::hash::distinct_key`]).
    pub fn distinct_key(
        &self,
        layouter: impl Layouter<Fp>,
        constants: &HashConstants,
        id_hash: &Cell,
        k: &Cell,
    ) -> Result<Cell, Error> {
        self.distinct_permutation(layouter, [id_hash, k, &constants.distinct_capacity])
    }

    /// The commitment `K = Poseidon(k, 0)` ([`crate::hash::distinct_commitment`]).
    pub fn distinct_commitment(
        &self,
        layouter: impl Layouter<Fp>,
        constants: &HashConstants,
        k: &Cell,
    ) -> Result<Cell, Error> {
        self.distinct_permutation(
            layouter,
            [k, &constants.zero, &constants.commitment_capacity],
        )
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
