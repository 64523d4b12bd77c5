//! The manifest (`public/manifest.json`): reading it with a size bound, and the shape of the
//! tree it describes. Shared by the inclusion check and the bundle check.

use marginproof_circuits::statement::{Manifest, FORMAT_VERSION};
use serde::de::DeserializeOwned;
use thiserror::Error;

use crate::json::JsonError;

/// The longest inclusion path accepted (the deepest tree): a leaf index is a `u64`.
pub const MAX_PATH_LEN: usize = 64;

/// The largest manifest accepted, in bytes (64 MiB).
pub const MAX_MANIFEST_BYTES: usize = 64 << 20;

/// Why a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ManifestError {
    /// Larger than [`MAX_MANIFEST_BYTES`].
    #[error("manifest is {size} bytes, more than the {limit} allowed")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not JSON of the manifest's shape (includes unknown fields).
    #[error("manifest: {0}")]
    Json(#[from] JsonError),
    /// A `format_version` this verifier does not read.
    #[error("manifest format_version is {found}, this verifier reads {expected}")]
    WrongVersion {
        /// The version in the file.
        found: u32,
        /// [`FORMAT_VERSION`].
        expected: u32,
    },
    /// Classes, batch count or batch list that do not describe a tree.
    #[error("manifest: {0}")]
    Shape(String),
}

/// The shape of a manifest's tree (SPEC §3, §9): `batch_count` batch trees, each of its class's
/// batch size, whose roots are the leaves of a top tree padded to a power of two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeShape {
    /// `log2(batch_size)` of each class: length of the batch part of a path in that class.
    pub batch_depths: Vec<u32>,
    /// `ceil(log2(batch_count))`: length of the top part of a path (0 for one batch).
    pub top_depth: u32,
    /// Leaves in proven batches, the sum of their batch sizes: every valid leaf index is below
    /// this.
    pub leaves: u128,
}

impl TreeShape {
    /// The length of an inclusion path in class `class`: its batch depth plus the top depth (at
    /// most [`MAX_PATH_LEN`]).
    pub fn path_len(&self, class: usize) -> Option<usize> {
        self.batch_depths
            .get(class)
            .map(|d| (d + self.top_depth) as usize)
    }
}

/// Most size classes a manifest may list.
pub const MAX_CLASSES: usize = 16;

/// Checks a manifest's version and tree shape: 1 to [`MAX_CLASSES`] distinct classes, each batch
/// size a power of two, every batch naming a listed class and every class named by a batch,
/// `batch_count` at least 1 with one `batches` entry each, and paths of at most [`MAX_PATH_LEN`]
/// siblings.
pub fn tree_shape(manifest: &Manifest) -> Result<TreeShape, ManifestError> {
    if manifest.format_version != FORMAT_VERSION {
        return Err(ManifestError::WrongVersion {
            found: manifest.format_version,
            expected: FORMAT_VERSION,
        });
    }
    let classes = &manifest.classes;
    if classes.is_empty() || classes.len() > MAX_CLASSES {
        return Err(ManifestError::Shape(format!(
            "{} size classes listed: 1 to {MAX_CLASSES} are allowed",
            classes.len()
        )));
    }
    for (c, class) in classes.iter().enumerate() {
        if !class.batch_size.is_power_of_two() {
            return Err(ManifestError::Shape(format!(
                "class {c}: batch_size {} is not a power of two",
                class.batch_size
            )));
        }
        if classes[..c].contains(class) {
            return Err(ManifestError::Shape(format!(
                "class {c} repeats an earlier class ({})",
                class.describe()
            )));
        }
    }
    if manifest.batch_count == 0 {
        return Err(ManifestError::Shape("batch_count is 0".into()));
    }
    if manifest.batches.len() != manifest.batch_count {
        return Err(ManifestError::Shape(format!(
            "batch_count is {} but {} batches are listed",
            manifest.batch_count,
            manifest.batches.len()
        )));
    }
    let mut used = vec![false; classes.len()];
    let mut leaves: u128 = 0;
    for (i, batch) in manifest.batches.iter().enumerate() {
        let Some(class) = classes.get(batch.class) else {
            return Err(ManifestError::Shape(format!(
                "batch {i} names class {}, but the manifest lists {} classes: the classes do not \
                 cover every batch",
                batch.class,
                classes.len()
            )));
        };
        used[batch.class] = true;
        leaves += class.batch_size as u128;
    }
    if let Some(c) = used.iter().position(|u| !u) {
        return Err(ManifestError::Shape(format!(
            "class {c} ({}) has no batch",
            classes[c].describe()
        )));
    }
    let top_depth = manifest
        .batch_count
        .checked_next_power_of_two()
        .map(usize::trailing_zeros)
        .ok_or_else(|| ManifestError::Shape("batch_count is too large".into()))?;
    let shape = TreeShape {
        batch_depths: classes
            .iter()
            .map(|c| c.batch_size.trailing_zeros())
            .collect(),
        top_depth,
        leaves,
    };
    for (c, class) in classes.iter().enumerate() {
        if shape.path_len(c).unwrap_or(usize::MAX) > MAX_PATH_LEN {
            return Err(ManifestError::Shape(format!(
                "a tree of {} batches with batches of {} leaves is deeper than {MAX_PATH_LEN} levels",
                manifest.batch_count, class.batch_size
            )));
        }
    }
    Ok(shape)
}

fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T, JsonError> {
    crate::json::from_str(json)
}

/// Reads `public/manifest.json`: at most [`MAX_MANIFEST_BYTES`], the manifest's exact shape (no
/// unknown fields), [`FORMAT_VERSION`], and a tree shape as [`tree_shape`] checks. The risk
/// configuration inside is validated by its users ([`verify_inclusion`] and the bundle check).
pub fn parse_manifest(json: &str) -> Result<Manifest, ManifestError> {
    if json.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge {
            size: json.len(),
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let manifest: Manifest = parse_json(json)?;
    tree_shape(&manifest)?;
    Ok(manifest)
}
