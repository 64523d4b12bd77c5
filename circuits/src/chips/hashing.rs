//! Poseidon in the circuit: account leaves, tree nodes and running-totals commitments, all on one
//! `Pow5Chip` (halo2_gadgets), the same functions as [`crate::hash`] computes natively.
//!
//! | use | domain | message |
//! |---|---|---|
//! | leaf | [`LeafDomain`] | `key, words…` (`key = Poseidon_key(id_hash, salt)`, computed natively by the venue and the user; the circuit binds it as the first word) |
//! | node | `ConstantLength<2>` | `left, right` |
//! | commitment | [`TotalsDomain`] | `tag, totals…, blinding` |
//!
//! The gates and their bounds are `Pow5Chip`'s (full and partial rounds, degree 5 S-box).

use halo2_gadgets::poseidon::{
    primitives::{Absorbing, ConstantLength, Domain},
    Hash, PaddedWord, Pow5Chip, Pow5Config, Sponge,
};
use halo2_proofs::{
    circuit::{AssignedCell, Layouter},
    plonk::Error,
};

use crate::field::Fp;
use crate::hash::poseidon::{LeafDomain, PoseidonSpec, TotalsDomain, RATE, WIDTH};

/// The Poseidon configuration shared by every hash of the circuit.
pub type PoseidonConfig = Pow5Config<Fp, WIDTH, RATE>;

/// Hashes the circuit needs.
#[derive(Debug)]
pub struct HashChip {
    config: PoseidonConfig,
}

type Cell = AssignedCell<Fp, Fp>;

impl HashChip {
    /// Builds the chip on a configured `Pow5Chip`.
    pub fn construct(config: PoseidonConfig) -> Self {
        HashChip { config }
    }

    fn sponge<D: Domain<Fp, RATE>>(
        &self,
        mut layouter: impl Layouter<Fp>,
        message: &[Cell],
    ) -> Result<Cell, Error> {
        let chip = Pow5Chip::construct(self.config.clone());
        let mut sponge =
            Sponge::<Fp, _, PoseidonSpec, Absorbing<PaddedWord<Fp>, RATE>, D, WIDTH, RATE>::new(
                chip,
                layouter.namespace(|| "init"),
            )?;
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

    /// `leaf(id_hash, salt, words…)`.
    pub fn leaf(&self, layouter: impl Layouter<Fp>, message: &[Cell]) -> Result<Cell, Error> {
        self.sponge::<LeafDomain>(layouter, message)
    }

    /// The totals commitment `C(tag, totals…, blinding)`.
    pub fn commitment(&self, layouter: impl Layouter<Fp>, message: &[Cell]) -> Result<Cell, Error> {
        self.sponge::<TotalsDomain>(layouter, message)
    }

    /// The inner node `Poseidon(left, right)`.
    pub fn node(
        &self,
        mut layouter: impl Layouter<Fp>,
        left: &Cell,
        right: &Cell,
    ) -> Result<Cell, Error> {
        let chip = Pow5Chip::construct(self.config.clone());
        let hasher = Hash::<Fp, _, PoseidonSpec, ConstantLength<2>, WIDTH, RATE>::init(
            chip,
            layouter.namespace(|| "init"),
        )?;
        hasher.hash(layouter.namespace(|| "node"), [left.clone(), right.clone()])
    }

    /// The root of a tree over `leaves` (a power of two, else `Error::Synthesis`).
    pub fn root(&self, mut layouter: impl Layouter<Fp>, leaves: Vec<Cell>) -> Result<Cell, Error> {
        if !leaves.len().is_power_of_two() {
            return Err(Error::Synthesis);
        }
        let mut level = leaves;
        let mut depth = 0;
        while level.len() > 1 {
            let mut above = Vec::with_capacity(level.len() / 2);
            for (i, pair) in level.chunks(2).enumerate() {
                above.push(self.node(
                    layouter.namespace(|| format!("node {depth}.{i}")),
                    &pair[0],
                    &pair[1],
                )?);
            }
            level = above;
            depth += 1;
        }
        level.pop().ok_or(Error::Synthesis)
    }
}
