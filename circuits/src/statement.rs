//! The public statement: what one batch proof exposes (its public inputs, at named offsets) and
//! the published files built from them (SPEC §5): the manifest and a user's inclusion proof.

use num_bigint::{BigInt, Sign};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::{RiskConfigFile, RiskParams};
use crate::field::{fp_from_bigint, fp_from_hex, FieldError, Fp};
use crate::hash::poseidon::{sponge, wide_sponge, ChallengeDomain, InstrumentTotalsDomain};
use crate::model::buckets::BucketChallenges;
use crate::model::holdings::SlotShape;
use crate::model::portfolio::MarginMode;
use crate::model::record::RecordInUnits;
use crate::model::totals::{
    AccountTotal, AssetTotals, MarketTotals, OutcomeFields, OutcomeTotal, Totals,
};
use crate::model::unit::MarginUnit;

/// Version of the bundle format (7: portfolio margin, SPEC §12: `[portfolio_margin]` in the
/// configuration, portfolio-margin classes (`"mode": "portfolio"` in a class's slots, bit 40 of
/// its code) and the `portfolio_margin_units` total; 6: every leaf one account, once, in its own class, SPEC §3
/// version 3: the published sorted list of distinct keys `public/distinct-keys.bin` with its
/// count and the commitment to its secret in the manifest, each batch's class and the class list in
/// the challenges and each proof's statement; 5: stress scenarios and the margin distribution, SPEC §7, in the
/// totals and the challenges; 4: size classes, SPEC §9, each batch naming its class, and one
/// pair of bucket challenges per snapshot, so the commitments hold no per-instrument total; 3 had
/// one slot shape and batch size for the whole bundle; 2 had leaves and commitments on
/// `P128Pow5T3`).
pub const FORMAT_VERSION: u32 = 7;
/// Version of the inclusion file (7: a record's `margin_mode`, SPEC §12, where it is
/// `portfolio`; 6: leaves of `id_hash`, salt and words under the class's
/// capacity, padding leaves that look like any other; 5: each unit names its size class; 4 had one slot shape per
/// bundle; 3 added every margin unit of the owner, SPEC §8; 2 was one account per file).
pub const INCLUSION_FORMAT_VERSION: u32 = 7;

pub use crate::instance::{
    BATCH_ROOT, CHALLENGE, CHALLENGE_WEIGHT, CLASS_CODE, DISTINCT_COMMITMENT, DISTINCT_WEIGHT,
    INSTRUMENT_PRICES, STATEMENT_TAG, TOTALS_AFTER, TOTALS_BEFORE,
};

/// Number of public inputs of a batch proof of a configuration with `instruments` assets and
/// markets.
pub fn num_public_inputs(instruments: usize) -> usize {
    INSTRUMENT_PRICES + instruments
}

/// The instrument prices as public inputs, in instance order.
pub fn instrument_prices(params: &RiskParams) -> Vec<Fp> {
    crate::chips::instruments::instrument_rows(params)
        .iter()
        .map(|row| Fp::from(row.price))
        .collect()
}

/// What, besides the root and the totals, a snapshot's challenges are drawn after (SPEC §3,
/// version 3): the classes and each batch's class, and the distinct keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotBinding {
    /// [`layout_digest`] of the classes and each batch's class.
    pub layout: Fp,
    /// `K`, the commitment to the distinct-key secret.
    pub distinct_commitment: Fp,
    /// [`crate::model::distinct::list_digest`] of the published sorted distinct keys.
    pub distinct_keys: Fp,
}

/// The digest of a snapshot's size classes and of each batch's class, in order:
/// `Poseidon_totals_digest(n_classes, code_0 … code_{n−1}, class of batch 0, …)`.
pub fn layout_digest(classes: &[SizeClass], batch_classes: impl IntoIterator<Item = usize>) -> Fp {
    let mut words = vec![Fp::from(classes.len() as u64)];
    words.extend(classes.iter().map(|c| Fp::from(c.code())));
    words.extend(batch_classes.into_iter().map(|c| Fp::from(c as u64)));
    wide_sponge::<InstrumentTotalsDomain>(&words)
}

/// The bucket identity's challenges `(r, ρ, γ)` of a snapshot, the same for every batch:
/// `Poseidon_challenge(tag, R, Poseidon_instrument_totals(T_instruments), layout, K, keys, n)` for
/// `n = 0, 1, 2`, with `R` the snapshot root, `T_instruments` the published per-instrument and
/// stress totals ([`Totals::instrument_entries`]) and the rest the [`SnapshotBinding`]. Computed
/// by the verifier from the manifest and the distinct-key list, never chosen by the prover: the
/// root, the totals, the classes and the sorted distinct keys are fixed before the challenges
/// exist ([`crate::model::buckets`]).
pub fn snapshot_challenges(
    tag: Fp,
    root: Fp,
    totals: &Totals,
    binding: &SnapshotBinding,
) -> BucketChallenges {
    let entries: Vec<Fp> = totals
        .instrument_entries()
        .iter()
        .chain(&totals.stress_entries())
        .map(fp_from_bigint)
        .collect();
    let digest = wide_sponge::<InstrumentTotalsDomain>(&entries);
    let challenge = |n: u64| {
        sponge::<ChallengeDomain>(&[
            tag,
            root,
            digest,
            binding.layout,
            binding.distinct_commitment,
            binding.distinct_keys,
            Fp::from(n),
        ])
    };
    BucketChallenges {
        r: challenge(0),
        rho: challenge(1),
        gamma: challenge(2),
    }
}

/// The public inputs of one batch proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStatement {
    /// [`crate::hash::statement_tag`] of the configuration.
    pub statement_tag: Fp,
    /// Root of the batch's `B` leaves.
    pub batch_root: Fp,
    /// `C_i`.
    pub totals_before: Fp,
    /// `C_{i+1}`.
    pub totals_after: Fp,
    /// The snapshot's challenges ([`snapshot_challenges`]).
    pub challenges: BucketChallenges,
    /// [`SizeClass::code`] of the batch's class.
    pub class_code: u64,
    /// `K`, the commitment to the distinct-key secret.
    pub distinct_commitment: Fp,
    /// The published prices ([`instrument_prices`]).
    pub prices: Vec<Fp>,
}

impl BatchStatement {
    /// The instance column, in offset order.
    pub fn instance(&self) -> Vec<Fp> {
        let mut column = vec![Fp::zero(); num_public_inputs(self.prices.len())];
        column[INSTRUMENT_PRICES..].copy_from_slice(&self.prices);
        column[STATEMENT_TAG] = self.statement_tag;
        column[BATCH_ROOT] = self.batch_root;
        column[TOTALS_BEFORE] = self.totals_before;
        column[TOTALS_AFTER] = self.totals_after;
        column[CHALLENGE] = self.challenges.r;
        column[CHALLENGE_WEIGHT] = self.challenges.rho;
        column[DISTINCT_WEIGHT] = self.challenges.gamma;
        column[CLASS_CODE] = Fp::from(self.class_code);
        column[DISTINCT_COMMITMENT] = self.distinct_commitment;
        column
    }
}

/// `public/manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The risk configuration, verbatim.
    pub config: RiskConfigFile,
    /// The size classes (SPEC §9), smallest first: each a slot shape and a batch size with its own
    /// circuit and keys. Every class has at least one batch.
    pub classes: Vec<SizeClass>,
    /// Number of batch proofs.
    pub batch_count: usize,
    /// The tree root R (hex field element).
    pub root: String,
    /// The totals T of SPEC §4, exact integers in base units.
    pub totals: TotalsFile,
    /// The blinding of the last running-totals commitment (hex), which opens it to `totals`.
    pub totals_blinding: String,
    /// The published distinct keys (SPEC §3, version 3).
    pub distinct_keys: DistinctKeysEntry,
    /// One entry per batch, in order.
    pub batches: Vec<BatchEntry>,
}

/// The name of the sorted distinct-key list in `public/`.
pub const DISTINCT_KEYS_FILE: &str = "distinct-keys.bin";

/// The manifest's entry for the distinct keys: every real leaf's key
/// ([`crate::hash::distinct_key`]) once, sorted, in [`DISTINCT_KEYS_FILE`]
/// ([`crate::model::distinct`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistinctKeysEntry {
    /// The file, relative to `public/`.
    pub file: String,
    /// How many keys it holds: the number of accounts.
    pub count: u64,
    /// `K`, the commitment to the secret the keys are derived under (hex).
    pub commitment: String,
}

/// A size class (SPEC §9): the slot shape of its leaves and the accounts per batch proof, which
/// fix its circuit and keys. An account is proven in the first class whose shape holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeClass {
    /// Holding slots per account leaf.
    pub slots: SlotShape,
    /// Accounts per batch proof (a power of two).
    pub batch_size: usize,
}

impl SizeClass {
    /// The class as one integer, `S + 2^16·P + 2^32·log2(B) + 2^40·[portfolio]`: the capacity
    /// of its leaves ([`crate::hash::poseidon::leaf_capacity`]) and the public input
    /// [`CLASS_CODE`] of its proofs. Injective over valid classes (`S ≤ 1024`, `P ≤ 256`, `B` a
    /// power of two), so a unit's margin mode is part of its leaf's hash domain (SPEC §12).
    pub fn code(&self) -> u64 {
        self.slots.assets as u64
            + ((self.slots.markets as u64) << 16)
            + (u64::from(self.batch_size.trailing_zeros()) << 32)
            + (u64::from(self.slots.mode == MarginMode::Portfolio) << 40)
    }

    /// Whether this class's slots hold a unit of `mode` with `assets` assets and `positions`
    /// positions.
    pub fn holds(&self, mode: MarginMode, assets: usize, positions: usize) -> bool {
        mode == self.slots.mode && assets <= self.slots.assets && positions <= self.slots.markets
    }

    /// A short name for messages and reports: `4×2 slots, 256 per proof`, or `4×2 portfolio
    /// slots, 16 per proof`.
    pub fn describe(&self) -> String {
        let mode = match self.slots.mode {
            MarginMode::Standard => "",
            MarginMode::Portfolio => " portfolio",
        };
        format!(
            "{}×{}{mode} slots, {} per proof",
            self.slots.assets, self.slots.markets, self.batch_size
        )
    }
}

impl Manifest {
    /// The class of batch `index`, if the batch names one the manifest lists.
    pub fn batch_class(&self, index: usize) -> Option<&SizeClass> {
        self.batches
            .get(index)
            .and_then(|b| self.classes.get(b.class))
    }

    /// Where global leaf `leaf_index` is: `(batch, position in the batch)`, the batches' leaves
    /// laid end to end, each batch as many as its class's batch size. `None` past the last
    /// batch, or if a batch before it names no listed class.
    pub fn locate_leaf(&self, leaf_index: u64) -> Option<(usize, usize)> {
        let mut first: u64 = 0;
        for i in 0..self.batches.len() {
            let size = self.batch_class(i)?.batch_size as u64;
            if leaf_index < first + size {
                return Some((i, (leaf_index - first) as usize));
            }
            first += size;
        }
        None
    }

    /// The first global leaf of every batch, in order (the running sum of the batch sizes), if
    /// every batch names a listed class: with it, [`locate_leaf_in`] finds a leaf's batch by
    /// binary search (a file of many units against a manifest of many batches).
    pub fn batch_first_leaves(&self) -> Option<Vec<u64>> {
        let mut first = 0u64;
        (0..self.batches.len())
            .map(|i| {
                let here = first;
                first = first.checked_add(self.batch_class(i)?.batch_size as u64)?;
                Some(here)
            })
            .collect()
    }
}

/// Where global leaf `leaf_index` is, `(batch, position)`, given the first leaf of every batch
/// ([`Manifest::batch_first_leaves`]) and the leaves in all batches; `None` past the last.
pub fn locate_leaf_in(
    first_leaves: &[u64],
    leaves: u128,
    leaf_index: u64,
) -> Option<(usize, usize)> {
    if u128::from(leaf_index) >= leaves {
        return None;
    }
    let batch = first_leaves
        .partition_point(|&f| f <= leaf_index)
        .checked_sub(1)?;
    Some((batch, (leaf_index - first_leaves[batch]) as usize))
}

/// One batch proof in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchEntry {
    /// Index of its size class in [`Manifest::classes`].
    pub class: usize,
    /// Root of the batch's leaves (hex).
    pub root: String,
    /// `C_{i+1}` (hex).
    pub totals_after: String,
    /// Proof file, relative to `public/`.
    pub proof: String,
}

/// Totals of one asset in the manifest (atoms, as integer strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetTotalsFile {
    /// Asset symbol.
    pub symbol: String,
    /// Σ balance (atoms).
    pub balance: String,
    /// Σ debt (atoms).
    pub debt: String,
}

/// Totals of one market in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketTotalsFile {
    /// Market symbol.
    pub symbol: String,
    /// Σ s (atoms, signed).
    pub net_size: String,
    /// Σ |s| (atoms).
    pub open_interest: String,
    /// Σ U (ν, signed).
    pub pnl: String,
}

/// The totals in the manifest: exact integers in base units (atoms, ν, ν·ppm²) as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalsFile {
    /// Per asset, in configuration order.
    pub assets: Vec<AssetTotalsFile>,
    /// Per market, in configuration order.
    pub markets: Vec<MarketTotalsFile>,
    /// Number of accounts.
    pub accounts: String,
    /// Number of liquidatable accounts.
    pub liquidatable: String,
    /// Number of bankrupt accounts.
    pub bankrupt: String,
    /// Σ max(E, 0) (ν).
    pub equity: String,
    /// Σ max(−E, 0) (ν).
    pub bad_debt: String,
    /// Σ max(0, θ·MR − AE·RS) (ν·ppm²).
    pub shortfall: String,
    /// Number of portfolio-margin units (SPEC §12).
    pub portfolio_margin_units: String,
    /// Per scenario, in configuration order (SPEC §7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioTotalsFile>,
    /// The margin-ratio distribution's counts, if configured (SPEC §7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<DistributionFile>,
}

/// One scenario's totals in the manifest, in base units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioTotalsFile {
    /// The scenario's name, as configured.
    pub name: String,
    /// Number liquidatable under it.
    pub liquidatable: String,
    /// Number bankrupt under it.
    pub bankrupt: String,
    /// Σ max(E^s, 0) (ν).
    pub equity: String,
    /// Σ max(−E^s, 0) (ν).
    pub bad_debt: String,
    /// Σ max(0, θ·MR^s − AE^s·RS) (ν·ppm²).
    pub shortfall: String,
}

crate::outcome_fields!(TotalsFile, String; liquidatable, bankrupt, equity, bad_debt, shortfall);
crate::outcome_fields!(ScenarioTotalsFile, String; liquidatable, bankrupt, equity, bad_debt, shortfall);

/// The distribution's counts in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionFile {
    /// Accounts per bucket: below the first edge, between edges, at or above the last.
    pub buckets: Vec<String>,
    /// Accounts with MR = 0.
    pub no_requirement: String,
}

/// A published file that does not fit the statement.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StatementError {
    /// A field element that is not 32 canonical bytes in hex.
    #[error("{field}: {source}")]
    Field {
        /// Which field.
        field: String,
        /// Why.
        source: FieldError,
    },
    /// A total that is not an integer, or in the wrong place.
    #[error("totals: {0}")]
    Totals(String),
}

/// Reads a hex field element, naming the field on error.
pub fn read_fp(field: &str, text: &str) -> Result<Fp, StatementError> {
    fp_from_hex(text).map_err(|source| StatementError::Field {
        field: field.to_string(),
        source,
    })
}

impl TotalsFile {
    /// The file form of `totals` for `params`.
    pub fn from_totals(totals: &Totals, params: &RiskParams) -> Self {
        let mut file = TotalsFile {
            assets: params
                .assets
                .iter()
                .zip(&totals.assets)
                .map(|(a, t)| AssetTotalsFile {
                    symbol: a.symbol.clone(),
                    balance: t.balance.to_string(),
                    debt: t.debt.to_string(),
                })
                .collect(),
            markets: params
                .markets
                .iter()
                .zip(&totals.markets)
                .map(|(m, t)| MarketTotalsFile {
                    symbol: m.symbol.clone(),
                    net_size: t.net_size.to_string(),
                    open_interest: t.open_interest.to_string(),
                    pnl: t.pnl.to_string(),
                })
                .collect(),
            accounts: totals.accounts.to_string(),
            portfolio_margin_units: totals.portfolio_margin_units.to_string(),
            scenarios: params
                .scenarios
                .iter()
                .zip(&totals.scenarios)
                .map(|(s, t)| {
                    let mut file = ScenarioTotalsFile {
                        name: s.name.clone(),
                        ..ScenarioTotalsFile::default()
                    };
                    for o in OutcomeTotal::ALL {
                        *file.outcome_mut(o) = t.outcome(o).to_string();
                    }
                    file
                })
                .collect(),
            distribution: totals.distribution.as_ref().map(|d| DistributionFile {
                buckets: d.buckets.iter().map(ToString::to_string).collect(),
                no_requirement: d.no_requirement.to_string(),
            }),
            ..TotalsFile::default()
        };
        for o in OutcomeTotal::ALL {
            *file.outcome_mut(o) = totals.outcome(o).to_string();
        }
        file
    }

    /// Reads the totals against `params`: symbols in configuration order, every entry an integer.
    pub fn to_totals(&self, params: &RiskParams) -> Result<Totals, StatementError> {
        // Each total is an integer within its proven range (`units::total_bits`): a value off by
        // a multiple of p would open the same commitment, so it must be refused here.
        let int = |field: String,
                   text: &str,
                   bits: usize,
                   signed: bool|
         -> Result<BigInt, StatementError> {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || digits.len() > 80 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(StatementError::Totals(format!(
                    "{field}: `{text}` is not an integer"
                )));
            }
            let value = text.parse::<BigInt>().map_err(|_| {
                StatementError::Totals(format!("{field}: `{text}` is not an integer"))
            })?;
            if (!signed && value.sign() == Sign::Minus) || value.magnitude().bits() > bits as u64 {
                let range = if signed {
                    format!("|x| < 2^{bits}")
                } else {
                    format!("0 ≤ x < 2^{bits}")
                };
                return Err(StatementError::Totals(format!(
                    "{field}: `{text}` is outside {range}"
                )));
            }
            Ok(value)
        };
        use crate::units::total_bits::{COUNT, PNL, QUANTITY};
        if self.assets.len() != params.assets.len() || self.markets.len() != params.markets.len() {
            return Err(StatementError::Totals(
                "one entry per configured asset and market is required".into(),
            ));
        }
        let mut totals = Totals::zero(params);
        for ((file, p), t) in self
            .assets
            .iter()
            .zip(&params.assets)
            .zip(&mut totals.assets)
        {
            if file.symbol != p.symbol {
                return Err(StatementError::Totals(format!(
                    "asset `{}` where the configuration has `{}`",
                    file.symbol, p.symbol
                )));
            }
            *t = AssetTotals {
                balance: int(
                    format!("{}.balance", file.symbol),
                    &file.balance,
                    QUANTITY,
                    false,
                )?,
                debt: int(format!("{}.debt", file.symbol), &file.debt, QUANTITY, false)?,
            };
        }
        for ((file, p), t) in self
            .markets
            .iter()
            .zip(&params.markets)
            .zip(&mut totals.markets)
        {
            if file.symbol != p.symbol {
                return Err(StatementError::Totals(format!(
                    "market `{}` where the configuration has `{}`",
                    file.symbol, p.symbol
                )));
            }
            *t = MarketTotals {
                net_size: int(
                    format!("{}.net_size", file.symbol),
                    &file.net_size,
                    QUANTITY,
                    true,
                )?,
                open_interest: int(
                    format!("{}.open_interest", file.symbol),
                    &file.open_interest,
                    QUANTITY,
                    false,
                )?,
                pnl: int(format!("{}.pnl", file.symbol), &file.pnl, PNL, true)?,
            };
        }
        for t in AccountTotal::ALL {
            let text = match t {
                AccountTotal::Accounts => &self.accounts,
                AccountTotal::Outcome(o) => self.outcome(o),
                AccountTotal::PortfolioMarginUnits => &self.portfolio_margin_units,
            };
            *totals.account_total_mut(t) = int(t.key().into(), text, t.bits(), false)?;
        }
        if self.scenarios.len() != params.scenarios.len() {
            return Err(StatementError::Totals(format!(
                "{} scenario totals where the configuration has {} scenarios",
                self.scenarios.len(),
                params.scenarios.len()
            )));
        }
        for ((file, p), t) in self
            .scenarios
            .iter()
            .zip(&params.scenarios)
            .zip(&mut totals.scenarios)
        {
            if file.name != p.name {
                return Err(StatementError::Totals(format!(
                    "scenario `{}` where the configuration has `{}`",
                    file.name, p.name
                )));
            }
            let at = |what: &str| format!("scenarios.{}.{what}", file.name);
            for o in OutcomeTotal::ALL {
                let a = AccountTotal::Outcome(o);
                *t.outcome_mut(o) = int(at(a.key()), file.outcome(o), a.bits(), false)?;
            }
        }
        match (&self.distribution, &mut totals.distribution) {
            (None, None) => {}
            (Some(file), Some(counts)) => {
                if file.buckets.len() != counts.buckets.len() {
                    return Err(StatementError::Totals(format!(
                        "distribution: {} bucket counts where the configuration's edges make {}",
                        file.buckets.len(),
                        counts.buckets.len()
                    )));
                }
                for (j, (text, count)) in file.buckets.iter().zip(&mut counts.buckets).enumerate() {
                    *count = int(format!("distribution.buckets[{j}]"), text, COUNT, false)?;
                }
                counts.no_requirement = int(
                    "distribution.no_requirement".into(),
                    &file.no_requirement,
                    COUNT,
                    false,
                )?;
            }
            (None, Some(_)) => {
                return Err(StatementError::Totals(
                    "the configuration has a distribution but the totals have no counts".into(),
                ))
            }
            (Some(_), None) => {
                return Err(StatementError::Totals(
                    "distribution counts without a configured distribution".into(),
                ))
            }
        }
        Ok(totals)
    }
}

/// What a user receives (SPEC §5, §8): for every margin unit of one owner, enough to recompute its
/// leaf, walk to the root, and value it under the published configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// [`INCLUSION_FORMAT_VERSION`].
    pub format_version: u32,
    /// The snapshot the proof is for.
    pub snapshot_id: String,
    /// The owner: the account id every unit belongs to.
    pub account_id: String,
    /// The owner's margin units: the cross unit first (where the owner has one), then isolated
    /// units by label.
    pub units: Vec<UnitInclusion>,
    /// The root R every path leads to (hex).
    pub root: String,
}

/// One margin unit in an [`InclusionProof`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitInclusion {
    /// `""` for the cross unit, else the isolated unit's label.
    pub margin_unit: MarginUnit,
    /// Index of the size class of its batch in the manifest's `classes` (SPEC §9): its leaf is
    /// laid out in that class's slots.
    pub class: usize,
    /// The unit's salt in this snapshot (hex).
    pub salt: String,
    /// The unit's record, in units.
    pub record: RecordInUnits,
    /// Global leaf index: the leaves of every batch before its own (each batch `B` of its class)
    /// plus its position in the batch.
    pub leaf_index: u64,
    /// Siblings from the leaf up: the batch path, then the top path (hex).
    pub path: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary search over first leaves finds what the linear walk finds, for every leaf and
    /// one past the last, across classes of different batch sizes.
    #[test]
    fn locating_a_leaf_by_search_agrees_with_the_walk() {
        let class = |assets, batch_size| SizeClass {
            slots: SlotShape::standard(assets, 0),
            batch_size,
        };
        let batches: Vec<BatchEntry> = [0, 0, 0, 1, 1, 2]
            .iter()
            .map(|&c| BatchEntry {
                class: c,
                root: String::new(),
                totals_after: String::new(),
                proof: String::new(),
            })
            .collect();
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            config: crate::config::RiskConfigFile {
                reserve_chains: Default::default(),
                portfolio_margin: None,
                snapshot: crate::config::SnapshotSection {
                    time: None,
                    id: "s".into(),
                    venue: "v".into(),
                    liquidation_threshold: "1".into(),
                },
                assets: vec![],
                markets: vec![],
                reserves: Default::default(),
                scenarios: Vec::new(),
                distribution: None,
            },
            classes: vec![class(1, 4), class(2, 2), class(3, 1)],
            batch_count: batches.len(),
            root: String::new(),
            totals: TotalsFile {
                assets: vec![],
                markets: vec![],
                accounts: "0".into(),
                liquidatable: "0".into(),
                bankrupt: "0".into(),
                equity: "0".into(),
                bad_debt: "0".into(),
                shortfall: "0".into(),
                portfolio_margin_units: "0".into(),
                scenarios: Vec::new(),
                distribution: None,
            },
            totals_blinding: String::new(),
            distinct_keys: DistinctKeysEntry {
                file: DISTINCT_KEYS_FILE.into(),
                count: 0,
                commitment: String::new(),
            },
            batches,
        };
        let first = manifest.batch_first_leaves().expect("classes listed");
        assert_eq!(first, vec![0, 4, 8, 12, 14, 16]);
        for leaf in 0..=17u64 {
            assert_eq!(
                locate_leaf_in(&first, 17, leaf),
                manifest.locate_leaf(leaf),
                "leaf {leaf}"
            );
        }
        assert_eq!(manifest.locate_leaf(12), Some((3, 0)));
        assert_eq!(manifest.locate_leaf(17), None);
    }
}
