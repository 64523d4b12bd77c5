//! A user's inclusion proof (SPEC §5) checked against the published manifest.
//!
//! [`verify_inclusion`] recomputes the account's leaf from its record and salt, walks the sibling
//! path up to the root, checks that root against both the proof and the manifest, and values the
//! account under the manifest's risk configuration exactly as the circuit does (SPEC §2).
//!
//! Everything here works on strings and parsed values: no file system, no threads, no panics on
//! any input.

use marginproof_circuits::config::{ConfigError, RiskParams};
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::field::{fp_to_hex, Fp};
use marginproof_circuits::hash::{id_hash, LeafHasher, MerklePath};
use marginproof_circuits::model::record::{AccountRecord, RecordError};
use marginproof_circuits::model::{evaluate, Holdings, Status, TooManyHoldings};
use marginproof_circuits::statement::{
    read_fp, InclusionProof, Manifest, StatementError, FORMAT_VERSION,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use thiserror::Error;

use crate::manifest::{tree_shape, ManifestError};

/// The largest inclusion proof accepted, in bytes (1 MiB). A real one is a few kilobytes.
pub const MAX_PROOF_BYTES: usize = 1 << 20;
/// The longest inclusion path accepted: a leaf index is a `u64`.
pub const MAX_PATH_LEN: usize = 64;

/// Scale of values in ν (10⁻¹⁸ USD): raw equity.
const NU_DECIMALS: u32 = 18;
/// Scale of values in ν·ppm (10⁻²⁴ USD): adjusted equity and maintenance requirement.
const NU_PPM_DECIMALS: u32 = 24;
/// Scale of a margin ratio in ppm.
const RATIO_DECIMALS: u32 = 6;

/// A JSON document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("malformed JSON at line {line}, column {column}: {message}")]
pub struct JsonError {
    /// Line of the problem (1-based; 0 when serde gives no position).
    pub line: usize,
    /// Column of the problem (1-based; 0 when serde gives no position).
    pub column: usize,
    /// serde's description, without the position.
    pub message: String,
}

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> Self {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        JsonError {
            line,
            column,
            message,
        }
    }
}

fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T, JsonError> {
    serde_json::from_str(json).map_err(JsonError::from)
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
        /// [`FORMAT_VERSION`].
        expected: u32,
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
}

/// What a verified inclusion proof says about the account, valued under the published
/// configuration. USD amounts are exact decimal strings (no rounding, no trailing zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionReport {
    /// The account.
    pub account_id: String,
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
    /// The root R the path leads to, which is the manifest's root (canonical hex).
    pub root_hex: String,
}

fn hex_field(field: &str, text: &str) -> Result<Fp, InclusionError> {
    read_fp(field, text).map_err(InclusionError::BadHex)
}

/// Verifies a user's inclusion proof against the manifest, and values the account.
///
/// In order: the proof is at most [`MAX_PROOF_BYTES`] of JSON of exactly the proof's shape, of
/// [`FORMAT_VERSION`]; the manifest has a valid tree shape and risk configuration; the proof is
/// for the manifest's snapshot; the record reads under the configuration; the salt, siblings and
/// roots are canonical field elements; the path has `log2(batch_size) + ceil(log2(batch_count))`
/// siblings; the leaf index is in a proven batch; the leaf of the record's holdings in the
/// manifest's slots, keyed by `Poseidon_key(id_hash(account), salt)`, walked up the path gives the proof's root, and that root is the manifest's.
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
    if proof.format_version != FORMAT_VERSION {
        return Err(InclusionError::WrongVersion {
            found: proof.format_version,
            expected: FORMAT_VERSION,
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
    let record = AccountRecord::from_units(&proof.account_id, &proof.record, &params)?;
    let salt = hex_field("salt", &proof.salt)?;
    manifest
        .slots
        .validate(&params)
        .map_err(|e| InclusionError::Manifest(ManifestError::Shape(e.to_string())))?;
    let holdings = Holdings::of(&record, manifest.slots)?;
    let leaf = LeafHasher::hash(LeafHasher::key(id_hash(&proof.account_id), salt), &holdings);

    let expected = shape.path_len();
    if proof.path.len() != expected || proof.path.len() > MAX_PATH_LEN {
        return Err(InclusionError::WrongPathLength {
            found: proof.path.len(),
            expected,
        });
    }
    let siblings = proof
        .path
        .iter()
        .enumerate()
        .map(|(i, text)| hex_field(&format!("path[{i}]"), text))
        .collect::<Result<Vec<Fp>, _>>()?;
    let claimed_root = hex_field("root", &proof.root)?;
    let manifest_root = hex_field("manifest.root", &manifest.root)?;

    let out_of_range = InclusionError::IndexOutOfRange {
        index: proof.leaf_index,
        leaves: shape.leaves,
    };
    if u128::from(proof.leaf_index) >= shape.leaves {
        return Err(out_of_range);
    }
    let path = MerklePath {
        index: proof.leaf_index,
        siblings,
    };
    let root = path.root(leaf).ok_or(out_of_range)?;
    if root != claimed_root {
        return Err(InclusionError::RootMismatch);
    }
    if claimed_root != manifest_root {
        return Err(InclusionError::NotManifestRoot);
    }

    let risk = evaluate(&params, &record);
    Ok(InclusionReport {
        account_id: proof.account_id,
        status: risk.status,
        adjusted_equity_usd: format_decimal(&risk.adjusted_equity, NU_PPM_DECIMALS),
        equity_usd: format_decimal(&risk.equity, NU_DECIMALS),
        maintenance_usd: format_decimal(&risk.maintenance, NU_PPM_DECIMALS),
        margin_ratio: risk
            .margin_ratio_ppm()
            .map(|r| format_decimal(&r, RATIO_DECIMALS)),
        leaf_index: proof.leaf_index,
        root_hex: fp_to_hex(&root),
    })
}

impl InclusionReport {
    /// The `verify-inclusion --json` object (SPEC §6): `valid`, `account_id`, `status`,
    /// `adjusted_equity_usd`, `equity_usd`, `maintenance_usd`, `margin_ratio` (string or null).
    pub fn to_json(&self, valid: bool) -> Value {
        json!({
            "valid": valid,
            "account_id": self.account_id,
            "status": self.status.as_str(),
            "adjusted_equity_usd": self.adjusted_equity_usd,
            "equity_usd": self.equity_usd,
            "maintenance_usd": self.maintenance_usd,
            "margin_ratio": self.margin_ratio,
        })
    }

    /// A readable summary, one `label  value` line each, labels aligned.
    pub fn to_text(&self) -> String {
        let ratio = match &self.margin_ratio {
            Some(r) => format!("{r} (AE / MR, rounded down to 6 decimals)"),
            None => "none (no maintenance requirement)".to_string(),
        };
        let rows: [(&str, String); 8] = [
            ("account", self.account_id.clone()),
            ("status", self.status.as_str().to_string()),
            ("equity (USD)", self.equity_usd.clone()),
            ("adjusted equity (USD)", self.adjusted_equity_usd.clone()),
            ("maintenance (USD)", self.maintenance_usd.clone()),
            ("margin ratio", ratio),
            ("leaf index", self.leaf_index.to_string()),
            ("root", self.root_hex.clone()),
        ];
        let width = rows
            .iter()
            .map(|(label, _)| label.chars().count())
            .max()
            .unwrap_or(0);
        let mut out =
            String::from("inclusion proof verified: the account is under the published root\n");
        for (label, value) in rows {
            out.push_str(&format!("  {label:<width$}  {value}\n"));
        }
        out
    }
}
