//! A user's inclusion proof (SPEC §5, §8) checked against the published manifest.
//!
//! [`verify_inclusion`] recomputes the leaf of every margin unit of the owner from its record and
//! salt, walks each sibling path up to the root, checks that root against both the proof and the
//! manifest, and values each unit on its own under the manifest's risk configuration exactly as
//! the circuit does (SPEC §2): an isolated unit's loss is not covered by the owner's other units.
//!
//! Everything here works on strings and parsed values: no file system, no threads, no panics on
//! any input.

use marginproof_circuits::config::{ConfigError, RiskParams, FLOOR_NAME};
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::field::{fp_to_hex, Fp};
use marginproof_circuits::hash::{id_hash, leaf, MerklePath};
use marginproof_circuits::model::record::{AccountRecord, RecordError};
use marginproof_circuits::model::{
    evaluate, evaluate_at, AccountRisk, Holdings, MarginMode, MarginUnit, Status, TooManyHoldings,
    WorstShock,
};
use marginproof_circuits::statement::{
    locate_leaf_in, read_fp, InclusionProof, Manifest, StatementError, UnitInclusion,
    INCLUSION_FORMAT_VERSION,
};
use num_bigint::BigInt;
use num_traits::Signed;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use thiserror::Error;

use crate::liquidation::{liquidation_prices, LiquidationPrices};
use crate::manifest::{tree_shape, ManifestError, TreeShape, MAX_PATH_LEN};

/// The largest inclusion proof accepted, in bytes (1 MiB). A real one is a few kilobytes.
pub const MAX_PROOF_BYTES: usize = 1 << 20;
/// Most margin units one inclusion file may hold.
pub const MAX_UNITS: usize = 1024;

/// Scale of values in ν (10⁻¹⁸ USD): raw equity.
const NU_DECIMALS: u32 = 18;
/// Scale of values in ν·ppm (10⁻²⁴ USD): adjusted equity and maintenance requirement.
const NU_PPM_DECIMALS: u32 = 24;
/// Scale of a margin ratio in ppm.
const RATIO_DECIMALS: u32 = 6;
/// Scale of the margin test `AE · RS − θ · MR` (ν·ppm², 10⁻³⁰ USD): the buffer in USD.
const MARGIN_TEST_DECIMALS: u32 = 30;

pub use crate::json::JsonError;

fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T, JsonError> {
    crate::json::from_str(json)
}

/// Why an inclusion proof does not verify. Each reason is its own variant.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InclusionError {
    /// Larger than [`MAX_PROOF_BYTES`].
    #[error("inclusion proof is {size} bytes, more than the {limit} allowed")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not JSON of the inclusion proof's shape: truncated, a syntax error, a missing or unknown
    /// field, a value of the wrong type.
    #[error("inclusion proof: {0}")]
    Json(#[from] JsonError),
    /// A `format_version` this verifier does not read.
    #[error("inclusion proof format_version is {found}, this verifier reads {expected}")]
    WrongVersion {
        /// The version in the proof.
        found: u32,
        /// [`INCLUSION_FORMAT_VERSION`].
        expected: u32,
    },
    /// The file lists no margin unit.
    #[error("the inclusion proof lists no margin unit")]
    NoUnits,
    /// More than [`MAX_UNITS`] margin units.
    #[error("the inclusion proof lists {found} margin units, at most {limit} are accepted")]
    TooManyUnits {
        /// Units in the file.
        found: usize,
        /// [`MAX_UNITS`].
        limit: usize,
    },
    /// Units not in their one order (cross first, then isolated units by label), or one unit
    /// twice.
    #[error("margin units must be listed cross first, then isolated units by label, each once: `{unit}` comes after `{after}`")]
    UnitsOutOfOrder {
        /// The unit out of place (its label; empty for cross).
        unit: String,
        /// The unit before it.
        after: String,
    },
    /// One margin unit of the file does not verify.
    #[error("{unit} margin unit: {reason}")]
    Unit {
        /// The unit.
        unit: MarginUnit,
        /// Why it does not verify.
        reason: Box<InclusionError>,
    },
    /// The manifest's version or tree shape is wrong.
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    /// The manifest's risk configuration is not valid.
    #[error("invalid risk configuration in the manifest: {0}")]
    InvalidConfig(#[from] ConfigError),
    /// The proof is for another snapshot than the manifest.
    #[error("the proof is for snapshot `{proof}`, the manifest for `{manifest}`")]
    SnapshotMismatch {
        /// Snapshot id in the proof.
        proof: String,
        /// Snapshot id of the manifest's configuration.
        manifest: String,
    },
    /// A record field that is not a valid quantity for the configuration.
    #[error("record: {0}")]
    Record(#[from] RecordError),
    /// The record holds more than the manifest's leaf slots: no leaf of this snapshot is it.
    #[error("record: {0}")]
    Holdings(#[from] TooManyHoldings),
    /// A salt, sibling or root that is not a canonical field element in hex.
    #[error("bad hex field: {0}")]
    BadHex(StatementError),
    /// The path has not the length of the manifest's tree.
    #[error("the path has {found} siblings, the manifest's tree needs {expected}")]
    WrongPathLength {
        /// Siblings in the proof.
        found: usize,
        /// `log2(batch_size) + ceil(log2(batch_count))`.
        expected: usize,
    },
    /// The unit names a size class other than its batch's (SPEC §9).
    #[error("the unit claims size class {claimed}, but leaf {index} is in batch {batch}, of class {actual}")]
    ClassMismatch {
        /// The class in the proof.
        claimed: usize,
        /// The leaf index.
        index: u64,
        /// The batch that leaf is in.
        batch: usize,
        /// That batch's class in the manifest.
        actual: usize,
    },
    /// The leaf index is not a leaf of a proven batch.
    #[error("leaf index {index} is outside the tree's {leaves} leaves")]
    IndexOutOfRange {
        /// The index in the proof.
        index: u64,
        /// Leaves in proven batches.
        leaves: u128,
    },
    /// The leaf and path do not lead to the root the proof claims: the record, salt, index or a
    /// sibling is not what the venue committed to.
    #[error("the record and path do not lead to the proof's root: the account is not in that tree as given")]
    RootMismatch,
    /// The proof's root is not the manifest's root: the path leads to another tree.
    #[error("the proof's root is not the manifest's root")]
    NotManifestRoot,
    /// The record's margin mode is not its class's (SPEC §12): a unit is judged by the model of
    /// the class its leaf is proven in.
    #[error("the record says margin mode `{record}`, but its class {class} judges `{class_mode}` units", record = record.as_str(), class_mode = class_mode.as_str())]
    ModeMismatch {
        /// The mode in the record.
        record: MarginMode,
        /// The class.
        class: usize,
        /// The class's mode.
        class_mode: MarginMode,
    },
}

/// A portfolio-margin unit's shocks (SPEC §12), in `verify-inclusion --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioView {
    /// `null` if `MR_pm = 0`; `floor` if `φ·gross = MR_pm`; else the first shock, in
    /// configuration order, whose loss is `MR_pm`.
    pub worst_shock: Option<String>,
    /// Each shock's name → its loss in USD, signed, exact (ν·ppm is 10⁻²⁴ USD).
    pub shock_losses_usd: BTreeMap<String, String>,
}

impl PortfolioView {
    /// The view of a valuation under `params`' grid, if it is a portfolio-margin unit's.
    pub fn of(params: &RiskParams, risk: &AccountRisk) -> Option<Self> {
        let (grid, pm) = (params.portfolio_margin.as_ref()?, risk.portfolio.as_ref()?);
        Some(PortfolioView {
            worst_shock: match pm.worst {
                WorstShock::None => None,
                WorstShock::Floor => Some(FLOOR_NAME.to_string()),
                WorstShock::Shock(g) => grid.shocks.get(g).map(|s| s.name.clone()),
            },
            shock_losses_usd: grid
                .shocks
                .iter()
                .zip(&pm.losses)
                .map(|(s, l)| (s.name.clone(), format_decimal(l, NU_PPM_DECIMALS)))
                .collect(),
        })
    }
}

/// What a verified inclusion proof says about one margin unit, valued on its own under the
/// published configuration. USD amounts are exact decimal strings (no rounding, no trailing
/// zeros). Serializes as one entry of `units` in `verify-inclusion --json` (SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitReport {
    /// Cross, or the isolated unit's label.
    pub margin_unit: MarginUnit,
    /// `standard` or `portfolio` (SPEC §12): which model judged the unit.
    pub margin_mode: MarginMode,
    /// A portfolio-margin unit's worst shock and loss per shock (SPEC §12).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioView>,
    /// Healthy, liquidatable or bankrupt (SPEC §2).
    pub status: Status,
    /// AE in USD (exact: ν·ppm is 10⁻²⁴ USD).
    pub adjusted_equity_usd: String,
    /// E in USD (exact: ν is 10⁻¹⁸ USD).
    pub equity_usd: String,
    /// MR in USD (exact: ν·ppm is 10⁻²⁴ USD).
    pub maintenance_usd: String,
    /// The margin ratio AE / MR to 6 decimals, rounded toward −∞ (so it is at or below the exact
    /// ratio, and a ratio shown as exactly the threshold may still be below it); `None` when
    /// MR = 0. For display only: the status is decided on exact integers.
    pub margin_ratio: Option<String>,
    /// The leaf's global index.
    pub leaf_index: u64,
    /// The unit under each stress scenario of the configuration (SPEC §7), by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub scenarios: BTreeMap<String, ScenarioView>,
    /// `AE − θ · MR` in USD (exact): the adjusted equity the unit can lose before it is
    /// liquidatable; negative when it is.
    pub buffer_usd: String,
    /// For each instrument the unit holds, by symbol: the prices at which it would be
    /// liquidatable and bankrupt, every other price held (issue 32).
    pub liquidation_prices: BTreeMap<String, LiquidationPrices>,
    /// E in ν, for the owner's combined view.
    #[serde(skip)]
    pub equity: BigInt,
}

/// One margin unit valued under one stress scenario: `scenarios.<name>` of
/// `verify-inclusion --json` (SPEC §7). Same units and rounding as [`UnitReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioView {
    /// Healthy, liquidatable or bankrupt under the scenario.
    pub status: Status,
    /// AE^s in USD.
    pub adjusted_equity_usd: String,
    /// E^s in USD.
    pub equity_usd: String,
    /// MR^s in USD.
    pub maintenance_usd: String,
    /// AE^s / MR^s to 6 decimals, rounded toward −∞; `None` when MR^s = 0.
    pub margin_ratio: Option<String>,
}

impl ScenarioView {
    /// The view of a valuation.
    pub fn of(risk: &AccountRisk) -> Self {
        ScenarioView {
            status: risk.status,
            adjusted_equity_usd: format_decimal(&risk.adjusted_equity, NU_PPM_DECIMALS),
            equity_usd: format_decimal(&risk.equity, NU_DECIMALS),
            maintenance_usd: format_decimal(&risk.maintenance, NU_PPM_DECIMALS),
            margin_ratio: risk
                .margin_ratio_ppm()
                .map(|r| format_decimal(&r, RATIO_DECIMALS)),
        }
    }
}

/// What a verified inclusion proof says about the owner: every margin unit, each valued on its
/// own, and their combined view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionReport {
    /// The owner.
    pub account_id: String,
    /// Every unit of the file, in its order: the cross unit first, then isolated units by label.
    /// Never empty.
    pub units: Vec<UnitReport>,
    /// The root R every path leads to, which is the manifest's root (canonical hex).
    pub root_hex: String,
}

/// The owner's units taken together, as the totals of SPEC §4 count them: a unit's deficit is
/// bad debt of the venue, never covered by the owner's other units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerView {
    /// Margin units.
    pub units: usize,
    /// Healthy units.
    pub healthy: usize,
    /// Liquidatable units.
    pub liquidatable: usize,
    /// Bankrupt units.
    pub bankrupt: usize,
    /// Σ max(E, 0) over the units, in USD: what the venue owes the owner.
    pub equity_owed_usd: String,
    /// Σ max(−E, 0) over the units, in USD: the bad debt of the owner's units.
    pub bad_debt_usd: String,
}

fn hex_field(field: &str, text: &str) -> Result<Fp, InclusionError> {
    read_fp(field, text).map_err(InclusionError::BadHex)
}

/// Verifies a user's inclusion proof against the manifest, and values each of its margin units.
///
/// In order: the proof is at most [`MAX_PROOF_BYTES`] of JSON of exactly the proof's shape, of
/// [`INCLUSION_FORMAT_VERSION`]; the manifest has a valid tree shape and risk configuration; the
/// proof is for the manifest's snapshot; its root and the manifest's are canonical field
/// elements; it lists 1 to [`MAX_UNITS`] units, cross first and then isolated units by label,
/// each once. Then for each unit ([`InclusionError::Unit`] names the unit that fails): the record
/// reads under the configuration; the salt and siblings are canonical field elements; the path
/// leaf index is in a proven batch, whose class the unit names; the path has
/// `log2(batch size of the class) + ceil(log2(batch_count))` siblings; the leaf of
/// `id_hash(owner, unit)`, the salt and the record's holdings in its class's slots, under the
/// class's capacity ([`marginproof_circuits::hash::leaf`]), walked up the path gives the proof's
/// root. Last,
/// that root is the manifest's.
pub fn verify_inclusion(
    proof_json: &str,
    manifest: &Manifest,
) -> Result<InclusionReport, InclusionError> {
    if proof_json.len() > MAX_PROOF_BYTES {
        return Err(InclusionError::TooLarge {
            size: proof_json.len(),
            limit: MAX_PROOF_BYTES,
        });
    }
    let proof: InclusionProof = parse_json(proof_json)?;
    if proof.format_version != INCLUSION_FORMAT_VERSION {
        return Err(InclusionError::WrongVersion {
            found: proof.format_version,
            expected: INCLUSION_FORMAT_VERSION,
        });
    }
    let shape = tree_shape(manifest)?;
    let params = RiskParams::from_file(&manifest.config)?;
    if proof.snapshot_id != params.snapshot_id {
        return Err(InclusionError::SnapshotMismatch {
            proof: proof.snapshot_id,
            manifest: params.snapshot_id,
        });
    }
    for class in &manifest.classes {
        class
            .slots
            .validate(&params)
            .map_err(|e| InclusionError::Manifest(ManifestError::Shape(e.to_string())))?;
    }
    let claimed_root = hex_field("root", &proof.root)?;
    let manifest_root = hex_field("manifest.root", &manifest.root)?;
    if proof.units.is_empty() {
        return Err(InclusionError::NoUnits);
    }
    if proof.units.len() > MAX_UNITS {
        return Err(InclusionError::TooManyUnits {
            found: proof.units.len(),
            limit: MAX_UNITS,
        });
    }
    for pair in proof.units.windows(2) {
        if pair[0].margin_unit >= pair[1].margin_unit {
            return Err(InclusionError::UnitsOutOfOrder {
                unit: pair[1].margin_unit.label().to_string(),
                after: pair[0].margin_unit.label().to_string(),
            });
        }
    }
    let first_leaves = manifest.batch_first_leaves().ok_or_else(|| {
        InclusionError::Manifest(ManifestError::Shape("a batch names no listed class".into()))
    })?;
    let context = UnitContext {
        params: &params,
        manifest,
        shape,
        first_leaves,
        account_id: &proof.account_id,
        claimed_root,
    };
    let units = proof
        .units
        .iter()
        .map(|unit| {
            context.verify(unit).map_err(|reason| InclusionError::Unit {
                unit: unit.margin_unit.clone(),
                reason: Box::new(reason),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if claimed_root != manifest_root {
        return Err(InclusionError::NotManifestRoot);
    }
    Ok(InclusionReport {
        account_id: proof.account_id,
        units,
        root_hex: fp_to_hex(&claimed_root),
    })
}

/// What every unit of one file is checked against.
struct UnitContext<'a> {
    params: &'a RiskParams,
    manifest: &'a Manifest,
    shape: TreeShape,
    first_leaves: Vec<u64>,
    account_id: &'a str,
    claimed_root: Fp,
}

impl UnitContext<'_> {
    fn verify(&self, unit: &UnitInclusion) -> Result<UnitReport, InclusionError> {
        let params = self.params;
        let record = AccountRecord::from_units(self.account_id, &unit.record, params)?
            .in_unit(unit.margin_unit.clone());
        let salt = hex_field("salt", &unit.salt)?;
        let out_of_range = InclusionError::IndexOutOfRange {
            index: unit.leaf_index,
            leaves: self.shape.leaves,
        };
        // The leaf's batch, and so its class, follow from its index and the manifest's classes.
        let (batch, position) =
            locate_leaf_in(&self.first_leaves, self.shape.leaves, unit.leaf_index)
                .ok_or(out_of_range.clone())?;
        let class = self.manifest.batches[batch].class;
        if unit.class != class {
            return Err(InclusionError::ClassMismatch {
                claimed: unit.class,
                index: unit.leaf_index,
                batch,
                actual: class,
            });
        }
        let size_class = &self.manifest.classes[class];
        if record.mode != size_class.slots.mode {
            return Err(InclusionError::ModeMismatch {
                record: record.mode,
                class,
                class_mode: size_class.slots.mode,
            });
        }
        let holdings = Holdings::of(&record, size_class.slots)?;
        // The leaf under its class's capacity: the same words read in another class's slots are
        // another leaf.
        let leaf = leaf(
            size_class.code(),
            id_hash(&record.id, &record.unit),
            salt,
            &holdings,
        );

        let expected = self.shape.path_len(class).unwrap_or(usize::MAX);
        if unit.path.len() != expected || unit.path.len() > MAX_PATH_LEN {
            return Err(InclusionError::WrongPathLength {
                found: unit.path.len(),
                expected,
            });
        }
        let siblings = unit
            .path
            .iter()
            .enumerate()
            .map(|(i, text)| hex_field(&format!("path[{i}]"), text))
            .collect::<Result<Vec<Fp>, _>>()?;
        // The path's index: the position in the batch, then the batch in the top tree.
        let depth = self.shape.batch_depths[class];
        let path = MerklePath {
            index: ((batch as u64) << depth) | position as u64,
            siblings,
        };
        let root = path.root(leaf).ok_or(out_of_range)?;
        if root != self.claimed_root {
            return Err(InclusionError::RootMismatch);
        }

        let risk = evaluate(params, &record);
        let view = ScenarioView::of(&risk);
        let liquidation_prices = liquidation_prices(params, &record);
        let scenarios = params
            .scenarios
            .iter()
            .map(|s| {
                let at = evaluate_at(params, &s.prices, &record);
                (s.name.clone(), ScenarioView::of(&at))
            })
            .collect();
        Ok(UnitReport {
            margin_mode: record.mode,
            portfolio: PortfolioView::of(params, &risk),
            margin_unit: record.unit,
            status: view.status,
            adjusted_equity_usd: view.adjusted_equity_usd,
            equity_usd: view.equity_usd,
            maintenance_usd: view.maintenance_usd,
            margin_ratio: view.margin_ratio,
            leaf_index: unit.leaf_index,
            scenarios,
            buffer_usd: format_decimal(&risk.margin_test, MARGIN_TEST_DECIMALS),
            liquidation_prices,
            equity: risk.equity,
        })
    }
}

/// The per-account keys of SPEC §6 at the top level of `verify-inclusion --json`: the first
/// unit's.
#[derive(Debug, Clone, Serialize)]
pub struct AccountKeys<'a> {
    /// `standard` or `portfolio` (SPEC §12).
    pub margin_mode: MarginMode,
    /// A portfolio-margin unit's worst shock and losses (SPEC §12).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<&'a PortfolioView>,
    /// Healthy, liquidatable or bankrupt.
    pub status: Status,
    /// AE in USD.
    pub adjusted_equity_usd: &'a str,
    /// E in USD.
    pub equity_usd: &'a str,
    /// MR in USD.
    pub maintenance_usd: &'a str,
    /// AE / MR, or null.
    pub margin_ratio: Option<&'a str>,
    /// The unit under each scenario (SPEC §7), where configured.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub scenarios: &'a BTreeMap<String, ScenarioView>,
}

/// The `verify-inclusion --json` document of a verified file.
#[derive(Debug, Clone, Serialize)]
pub struct InclusionJson<'a> {
    /// Whether the file verified.
    pub valid: bool,
    /// The owner.
    pub account_id: &'a str,
    /// The first unit's per-account keys (SPEC §6).
    #[serde(flatten)]
    pub first: AccountKeys<'a>,
    /// Every unit (SPEC §8).
    pub units: &'a [UnitReport],
    /// The units taken together.
    pub owner: OwnerView,
}

impl InclusionReport {
    /// The first unit of the file: the cross unit where the owner has one.
    pub fn first(&self) -> &UnitReport {
        &self.units[0]
    }

    /// The owner's units taken together.
    pub fn owner(&self) -> OwnerView {
        let count = |s: Status| self.units.iter().filter(|u| u.status == s).count();
        let owed: BigInt = self
            .units
            .iter()
            .filter(|u| u.equity.is_positive())
            .map(|u| u.equity.clone())
            .sum();
        let deficit: BigInt = self
            .units
            .iter()
            .filter(|u| u.equity.is_negative())
            .map(|u| -u.equity.clone())
            .sum();
        OwnerView {
            units: self.units.len(),
            healthy: count(Status::Healthy),
            liquidatable: count(Status::Liquidatable),
            bankrupt: count(Status::Bankrupt),
            equity_owed_usd: format_decimal(&owed, NU_DECIMALS),
            bad_debt_usd: format_decimal(&deficit, NU_DECIMALS),
        }
    }

    /// The `verify-inclusion --json` document as a typed value: `valid`, `account_id`, the
    /// per-account keys of SPEC §6 for the first unit (`status`, `adjusted_equity_usd`,
    /// `equity_usd`, `maintenance_usd`, `margin_ratio`, string or null), `units` (SPEC §8: each
    /// unit's keys with `margin_unit`, `""` for cross, and `leaf_index`), and `owner`, the units
    /// taken together ([`OwnerView`]).
    pub fn json(&self, valid: bool) -> InclusionJson<'_> {
        let first = self.first();
        InclusionJson {
            valid,
            account_id: &self.account_id,
            first: AccountKeys {
                margin_mode: first.margin_mode,
                portfolio: first.portfolio.as_ref(),
                status: first.status,
                adjusted_equity_usd: &first.adjusted_equity_usd,
                equity_usd: &first.equity_usd,
                maintenance_usd: &first.maintenance_usd,
                margin_ratio: first.margin_ratio.as_deref(),
                scenarios: &first.scenarios,
            },
            units: &self.units,
            owner: self.owner(),
        }
    }

    /// [`InclusionReport::json`] as a JSON value.
    pub fn to_json(&self, valid: bool) -> Value {
        serde_json::to_value(self.json(valid)).unwrap_or(Value::Null)
    }
}

/// The `verify-inclusion --json` document for an inclusion proof and a manifest given as text:
/// [`InclusionReport::to_json`] with `valid: true`, or `{"valid": false, "reason": …}` naming
/// why the manifest or the proof is refused. The browser page shows exactly this (the CLI prints
/// the same report, with the file's path in front of a reason).
pub fn inclusion_verdict(proof_json: &str, manifest_json: &str) -> Value {
    let refused = |reason: String| json!({ "valid": false, "reason": reason });
    match crate::manifest::parse_manifest(manifest_json) {
        Err(e) => refused(format!("manifest: {e}")),
        Ok(manifest) => match verify_inclusion(proof_json, &manifest) {
            Ok(report) => report.to_json(true),
            Err(e) => refused(e.to_string()),
        },
    }
}
