//! Verification of a bundle's `public/` part (SPEC §1, §3): every batch proof under the verifying
//! key re-derived from the published configuration, the running-totals chain `C_0 → … → C_n`, the
//! opening of `C_n` to the published totals, and the top tree up to the published root.
//!
//! No file system here: the caller reads the files (see `files`) and passes bytes.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::Arc;

use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::{
    keygen_vk, verify_proof, SingleVerifier, VerificationStrategy, VerifyingKey,
};
use halo2_proofs::poly::commitment::{Guard, Params, MSM};
use halo2_proofs::transcript::{Blake2bRead, Challenge255, EncodedChallenge};
use marginproof_circuits::circuit::batch::{commit_totals, RunningTotals};
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::circuit::BatchCircuit;
use marginproof_circuits::config::ConfigError;
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::snapshot::snapshot_root;
use marginproof_circuits::hash::statement_tag;
use marginproof_circuits::model::buckets::totals_side;
use marginproof_circuits::model::distinct::{DistinctError, ListScan, ListSum};
use marginproof_circuits::model::{SlotShape, Totals};
use marginproof_circuits::statement::{
    instrument_prices, layout_digest, read_fp, snapshot_challenges, BatchEntry, BatchStatement,
    Manifest, SizeClass, SnapshotBinding, StatementError, DISTINCT_KEYS_FILE,
};
use marginproof_circuits::RiskParams;
use thiserror::Error;

use crate::manifest::{tree_shape, ManifestError};
use crate::params::{check_params, ParamsError};

/// Largest proof file accepted (a batch proof is a few KiB).
pub const MAX_PROOF_BYTES: usize = 1 << 20;
/// Largest circuit size accepted, the largest with pinned IPA parameters: a manifest cannot make
/// the verifier build a bigger key.
pub use crate::params::MAX_K;
/// Most batches accepted in one manifest.
pub const MAX_BATCHES: usize = 1 << 20;
/// Largest batch size accepted.
pub const MAX_BATCH_SIZE: usize = 1 << 16;
/// Most proofs checked together by one batch verification: the proofs of a chunk are held in
/// memory (at most this many times [`MAX_PROOF_BYTES`]), so memory stays bounded however many
/// batches a manifest lists.
pub const MAX_PROOFS_PER_CHECK: usize = 64;

/// How [`verify_bundle_with`] checks the batch proofs. Either way every proof is checked, the
/// verdict is the same, and a failing proof is named by the same [`BundleError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProofCheck {
    /// Up to [`MAX_PROOFS_PER_CHECK`] proofs at a time with halo2's `BatchVerifier`: their final
    /// multi-scalar multiplications (the costly part of checking an IPA proof) are merged, with
    /// random weights, into one. If the merged check fails, the proofs of that chunk are checked
    /// one by one to name the failing batch. Without the crate feature `batch` this is
    /// [`ProofCheck::OneByOne`].
    #[default]
    Batched,
    /// Each proof on its own ([`verify_batch_proof`]).
    OneByOne,
}

/// Why a bundle does not verify.
#[derive(Debug, Error)]
pub enum BundleError {
    /// The manifest's version or tree shape.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The published configuration is invalid.
    #[error("published configuration: {0}")]
    Config(#[from] ConfigError),
    /// Batch size or count out of range or inconsistent.
    #[error("manifest: {0}")]
    Shape(String),
    /// A malformed field element or total.
    #[error("manifest: {0}")]
    Statement(#[from] StatementError),
    /// The IPA parameters are not for this circuit's size.
    #[error("parameters are for k = {found}, the circuit needs k = {expected}")]
    ParamsSize {
        /// k of the parameters.
        found: u32,
        /// k the circuit needs.
        expected: u32,
    },
    /// The IPA parameters are not the pinned `Params::new(k)`.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// Key derivation failed.
    #[error("cannot derive the verifying key: {0}")]
    Keygen(String),
    /// A proof file could not be read.
    #[error("batch {batch}: {reason}")]
    ProofFile {
        /// Batch index.
        batch: usize,
        /// Why.
        reason: String,
    },
    /// A proof is too large to be one.
    #[error("batch {batch}: proof file of {len} bytes is larger than {max}")]
    ProofTooLarge {
        /// Batch index.
        batch: usize,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A proof does not verify against its statement.
    #[error("batch {batch}: proof does not verify against the published configuration, snapshot, batch root and totals chain ({reason})")]
    ProofInvalid {
        /// Batch index.
        batch: usize,
        /// halo2's error.
        reason: String,
    },
    /// A proof followed by extra bytes.
    #[error("batch {batch}: {extra} bytes after the end of the proof")]
    TrailingBytes {
        /// Batch index.
        batch: usize,
        /// Bytes left over.
        extra: usize,
    },
    /// The published totals and blinding do not open the last commitment.
    #[error("the published totals and blinding do not open the final totals commitment C_n")]
    TotalsDoNotOpen,
    /// The batch roots do not lead to the published root.
    #[error("the batch roots do not hash to the published root")]
    RootMismatch,
    /// The published distinct keys are not a list of every account once (SPEC §3, version 3).
    #[error(transparent)]
    Distinct(#[from] DistinctError),
    /// The distinct keys could not be read.
    #[error("distinct keys: {0}")]
    DistinctFile(String),
}

/// The published list of distinct keys (`public/distinct-keys.bin`), read in chunks of any size:
/// once to check and digest it, then once more to sum it under the challenges it fixed, so that
/// it need not be held in memory.
pub trait DistinctKeySource {
    /// Calls `each` on the list's bytes, in order.
    fn scan(&mut self, each: &mut dyn FnMut(&[u8])) -> Result<(), BundleError>;
}

impl DistinctKeySource for &[u8] {
    fn scan(&mut self, each: &mut dyn FnMut(&[u8])) -> Result<(), BundleError> {
        each(self);
        Ok(())
    }
}

/// Checks the list (canonical keys, strictly increasing, as many as the manifest and the totals
/// say) and returns its digest.
fn checked_distinct_keys(
    manifest: &Manifest,
    accounts: u64,
    keys: &mut dyn DistinctKeySource,
) -> Result<Fp, BundleError> {
    let mut scan = ListScan::default();
    let mut refused = None;
    keys.scan(&mut |bytes| {
        if refused.is_none() {
            refused = scan.feed(bytes).err();
        }
    })?;
    if let Some(e) = refused {
        return Err(e.into());
    }
    let (count, digest) = scan.finish()?;
    for (expected, what) in [
        (manifest.distinct_keys.count, "the manifest"),
        (accounts, "the totals' account count"),
    ] {
        if count != expected {
            return Err(DistinctError::Count {
                found: count,
                expected,
                what,
            }
            .into());
        }
    }
    Ok(digest)
}

impl BundleError {
    /// The batch an error is about, if it is about one.
    pub fn batch(&self) -> Option<usize> {
        match self {
            BundleError::ProofFile { batch, .. }
            | BundleError::ProofTooLarge { batch, .. }
            | BundleError::ProofInvalid { batch, .. }
            | BundleError::TrailingBytes { batch, .. } => Some(*batch),
            _ => None,
        }
    }
}

/// What a verified bundle establishes.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    /// The published configuration.
    pub params: Arc<RiskParams>,
    /// The published totals, now proven.
    pub totals: Totals,
    /// The root R.
    pub root: Fp,
    /// Number of batch proofs verified.
    pub batches: usize,
    /// [`verifying_key_digest`] of each class's key, in class order: the keys the batch proofs
    /// verified under.
    pub verifying_keys: Vec<String>,
}

/// One size class of a checked manifest: the class and its circuit size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassShape {
    /// Slot shape and batch size.
    pub class: SizeClass,
    /// Circuit size of its batch proofs.
    pub k: u32,
}

/// A manifest's checked shape: its configuration and each size class's circuit size (from
/// [`bundle_shape`]).
#[derive(Debug, Clone)]
pub struct BundleShape {
    /// The published configuration.
    pub params: Arc<RiskParams>,
    /// The manifest's classes, in its order, with their circuit sizes.
    pub classes: Vec<ClassShape>,
}

/// The IPA parameters and verifying key of one size class.
pub struct ClassKey {
    /// IPA parameters of the class's `k`.
    pub ipa: Params<EqAffine>,
    /// The class's verifying key.
    pub vk: VerifyingKey<EqAffine>,
}

/// The manifest's tree shape ([`tree_shape`]: format version, classes, batches naming them, a
/// batch count equal to the batches listed) and its batch limits. Every entry point that trusts
/// nothing of its caller checks this itself.
fn checked_tree(manifest: &Manifest) -> Result<(), BundleError> {
    tree_shape(manifest)?;
    if manifest.batch_count > MAX_BATCHES {
        return Err(BundleError::Shape(format!(
            "{} batches: at most {MAX_BATCHES}",
            manifest.batch_count
        )));
    }
    for (c, class) in manifest.classes.iter().enumerate() {
        if class.batch_size > MAX_BATCH_SIZE {
            return Err(BundleError::Shape(format!(
                "class {c}: batches of {}, at most {MAX_BATCH_SIZE}",
                class.batch_size
            )));
        }
    }
    Ok(())
}

/// The slot shape is valid for the configuration, and `b` accounts of it can fit in `2^MAX_K`
/// rows (each account region alone takes `2 + S + P` rows): checked before any circuit is laid out.
fn checked_slots(params: &RiskParams, slots: SlotShape, b: usize) -> Result<(), BundleError> {
    slots
        .validate(params)
        .map_err(|e| BundleError::Shape(e.to_string()))?;
    let account_rows = b.saturating_mul(2 + slots.assets + slots.markets);
    if account_rows > 1 << MAX_K {
        return Err(BundleError::Shape(format!(
            "{b} accounts of {} asset and {} position slots need more than 2^{MAX_K} rows",
            slots.assets, slots.markets
        )));
    }
    Ok(())
}

/// The circuit size of one class, checked to be at most [`MAX_K`].
fn class_k(params: &Arc<RiskParams>, class: &SizeClass) -> Result<u32, BundleError> {
    let (slots, b) = (class.slots, class.batch_size);
    checked_slots(params, slots, b)?;
    // Laying out the circuit costs time proportional to its rows, which the pre-check above
    // underestimates (an account also takes its tier lookups and Poseidon rows). So lay out
    // batches of b/4^j accounts first, smallest first, and stop at the first that does not fit:
    // a hostile manifest costs at most a few layouts of about 2^MAX_K rows, not one of 2^27
    // (a 30 KB manifest of 8192 accounts, 254 assets and 256 markets took minutes to refuse).
    // The rows a batch takes grow with its size, so a smaller batch that does not fit means the
    // real one does not either. A valid manifest pays about a third more layout time.
    let mut probes = vec![b];
    while *probes.last().unwrap_or(&1) >= 4 {
        probes.push(probes.last().unwrap_or(&1) / 4);
    }
    let mut k = 0;
    for &size in probes.iter().rev() {
        k = min_k(&BatchCircuit::shape(params.clone(), slots, size))
            .map_err(|e| BundleError::Keygen(format!("{e:?}")))?;
        if k > MAX_K {
            return Err(BundleError::Shape(if size == b {
                format!("the circuit needs k = {k}, above the limit {MAX_K}")
            } else {
                format!("even {size} of the {b} accounts need k = {k}, above the limit {MAX_K}")
            }));
        }
    }
    Ok(k)
}

/// Checks the manifest's shape and returns its configuration and each class's circuit size.
pub fn bundle_shape(manifest: &Manifest) -> Result<BundleShape, BundleError> {
    checked_tree(manifest)?;
    let params = Arc::new(RiskParams::from_file(&manifest.config)?);
    let classes = manifest
        .classes
        .iter()
        .enumerate()
        .map(|(c, class)| {
            let k = class_k(&params, class).map_err(|e| match e {
                BundleError::Shape(why) => BundleError::Shape(format!("class {c}: {why}")),
                other => other,
            })?;
            Ok(ClassShape { class: *class, k })
        })
        .collect::<Result<Vec<_>, BundleError>>()?;
    Ok(BundleShape { params, classes })
}

/// The keys of every class of `shape`: `ipa(k)` gives the IPA parameters of size `k`, and each
/// verifying key is derived from the published configuration ([`verifying_key`]).
pub fn derive_class_keys(
    shape: &BundleShape,
    mut ipa: impl FnMut(u32) -> Params<EqAffine>,
) -> Result<Vec<ClassKey>, BundleError> {
    shape
        .classes
        .iter()
        .map(|c| {
            let ipa = ipa(c.k);
            let vk = verifying_key(
                &ipa,
                shape.params.clone(),
                c.class.slots,
                c.class.batch_size,
            )?;
            Ok(ClassKey { ipa, vk })
        })
        .collect()
}

/// The verifying key of a configuration, slot shape and batch size under `ipa`. A batch size that
/// is not a power of two is a [`BundleError::Shape`] (no tree has that many leaves).
pub fn verifying_key(
    ipa: &Params<EqAffine>,
    params: Arc<RiskParams>,
    slots: SlotShape,
    batch_size: usize,
) -> Result<VerifyingKey<EqAffine>, BundleError> {
    if !batch_size.is_power_of_two() {
        return Err(BundleError::Shape(format!(
            "batch_size {batch_size} is not a power of two"
        )));
    }
    keygen_vk(ipa, &BatchCircuit::shape(params, slots, batch_size))
        .map_err(|e| BundleError::Keygen(format!("{e:?}")))
}

/// The digest an auditor pins a verifying key by, across snapshots: BLAKE2b-256 (hex) of
/// halo2's pinned verifying key in its compact `{:?}` form (the domain, the constraint system
/// with every gate and lookup, the fixed and permutation commitments). The same text, pretty
/// printed, is the key pinned in `circuits/tests/pinned/`. Prices are public inputs, so snapshots
/// of one configuration shape, slot shape and batch size have one digest.
pub fn verifying_key_digest(vk: &VerifyingKey<EqAffine>) -> String {
    use blake2::{digest::consts::U32, Blake2b, Digest};
    let digest = Blake2b::<U32>::digest(format!("{:?}", vk.pinned()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A reader over a proof that records how far the transcript read.
struct CountingReader {
    bytes: Rc<Vec<u8>>,
    position: Rc<Cell<usize>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = self.position.get().min(self.bytes.len());
        let n = buf.len().min(self.bytes.len() - start);
        buf[..n].copy_from_slice(&self.bytes[start..start + n]);
        self.position.set(start + n);
        Ok(n)
    }
}

/// Verifies one batch proof against its statement; the whole proof must be consumed.
pub fn verify_batch_proof(
    ipa: &Params<EqAffine>,
    vk: &VerifyingKey<EqAffine>,
    batch: usize,
    statement: &BatchStatement,
    proof: &[u8],
) -> Result<(), BundleError> {
    if proof.len() > MAX_PROOF_BYTES {
        return Err(BundleError::ProofTooLarge {
            batch,
            len: proof.len(),
            max: MAX_PROOF_BYTES,
        });
    }
    let position = Rc::new(Cell::new(0));
    let reader = CountingReader {
        bytes: Rc::new(proof.to_vec()),
        position: position.clone(),
    };
    let mut transcript = Blake2bRead::<_, EqAffine, Challenge255<_>>::init(reader);
    let instance = statement.instance();
    verify_proof(
        ipa,
        vk,
        SingleVerifier::new(ipa),
        &[&[&instance]],
        &mut transcript,
    )
    .map_err(|e| BundleError::ProofInvalid {
        batch,
        reason: match e {
            halo2_proofs::plonk::Error::Transcript(io)
                if io.kind() == io::ErrorKind::UnexpectedEof =>
            {
                "the proof is truncated".to_string()
            }
            halo2_proofs::plonk::Error::Transcript(io) => format!("malformed proof: {io}"),
            other => format!("{other:?}"),
        },
    })?;
    let extra = proof.len().saturating_sub(position.get());
    if extra != 0 {
        return Err(BundleError::TrailingBytes { batch, extra });
    }
    Ok(())
}

/// Reads and checks a proof's transcript but leaves its final multi-scalar multiplication undone:
/// how many bytes a proof of this verifying key takes (the same for every proof of a key: the
/// number of points and scalars read depends on the circuit only).
struct TranscriptOnly<'params> {
    msm: MSM<'params, EqAffine>,
}

impl<'params> VerificationStrategy<'params, EqAffine> for TranscriptOnly<'params> {
    type Output = ();

    fn process<E: EncodedChallenge<EqAffine>>(
        self,
        f: impl FnOnce(
            MSM<'params, EqAffine>,
        ) -> Result<Guard<'params, EqAffine, E>, halo2_proofs::plonk::Error>,
    ) -> Result<(), halo2_proofs::plonk::Error> {
        f(self.msm).map(|_| ())
    }
}

/// The length of a well-formed proof of `vk`, read off `proof` (which may be followed by extra
/// bytes); `None` if its transcript is malformed or truncated.
fn proof_length(
    ipa: &Params<EqAffine>,
    vk: &VerifyingKey<EqAffine>,
    statement: &BatchStatement,
    proof: &[u8],
) -> Option<usize> {
    let position = Rc::new(Cell::new(0));
    let reader = CountingReader {
        bytes: Rc::new(proof.to_vec()),
        position: position.clone(),
    };
    let mut transcript = Blake2bRead::<_, EqAffine, Challenge255<_>>::init(reader);
    let instance = statement.instance();
    let strategy = TranscriptOnly { msm: MSM::new(ipa) };
    verify_proof(ipa, vk, strategy, &[&[&instance]], &mut transcript).ok()?;
    Some(position.get())
}

/// A proof waiting for the batch check of its chunk.
struct Pending {
    batch: usize,
    statement: BatchStatement,
    proof: Vec<u8>,
}

/// Checks the pending proofs together, and empties the list. If the batch check fails, checks
/// them one by one, in order, and returns the first failure.
fn check_pending(
    ipa: &Params<EqAffine>,
    vk: &VerifyingKey<EqAffine>,
    pending: &mut Vec<Pending>,
) -> Result<(), BundleError> {
    if pending.is_empty() {
        return Ok(());
    }
    let chunk = std::mem::take(pending);
    if batch_check(ipa, vk, &chunk) {
        return Ok(());
    }
    for p in &chunk {
        verify_batch_proof(ipa, vk, p.batch, &p.statement, &p.proof)?;
    }
    // The merged check failed but every proof verifies on its own: the one-by-one verdict stands
    // (the merged check can only fail spuriously with negligible probability).
    Ok(())
}

/// Whether every proof of `chunk` verifies, in one merged check.
#[cfg(feature = "batch")]
fn batch_check(ipa: &Params<EqAffine>, vk: &VerifyingKey<EqAffine>, chunk: &[Pending]) -> bool {
    let mut verifier = halo2_proofs::plonk::BatchVerifier::<EqAffine>::new();
    for p in chunk {
        verifier.add_proof(vec![vec![p.statement.instance()]], p.proof.clone());
    }
    verifier.finalize(ipa, vk)
}

/// Without the `batch` feature there is no merged check: "failing" it checks one by one.
#[cfg(not(feature = "batch"))]
fn batch_check(_: &Params<EqAffine>, _: &VerifyingKey<EqAffine>, _: &[Pending]) -> bool {
    false
}

/// Verifies a bundle's public part, given its [`bundle_shape`] (computed once: laying out the
/// circuits is the costly part of it) and each class's keys ([`derive_class_keys`], or cached
/// copies). `proof` yields batch `i`'s proof bytes when asked; proofs are read and checked one at
/// a time, so memory stays bounded however many batches the manifest lists. Proofs are checked in
/// batches, class by class ([`ProofCheck::Batched`]); see [`verify_bundle_with`].
pub fn verify_bundle(
    manifest: &Manifest,
    shape: &BundleShape,
    proof: impl FnMut(usize, &BatchEntry) -> Result<Vec<u8>, BundleError>,
    distinct_keys: &mut dyn DistinctKeySource,
    keys: &[ClassKey],
) -> Result<VerifiedBundle, BundleError> {
    verify_bundle_with(
        manifest,
        shape,
        proof,
        distinct_keys,
        keys,
        ProofCheck::default(),
    )
}

/// [`verify_bundle`], checking the proofs as `check` says. With [`ProofCheck::Batched`], up to
/// [`MAX_PROOFS_PER_CHECK`] proofs of one class are read ahead and held (one merged check needs
/// one verifying key); the error returned is still the one of the first failing batch, as one by
/// one. Size limits and trailing bytes are checked per proof: a proof whose length differs from a
/// well-formed proof's is checked on its own.
///
/// The manifest is checked here whatever the caller did: its tree shape (a batch naming no listed
/// class, a class no batch uses, a batch count that differs from the batches listed, is a
/// [`BundleError::Manifest`]), its limits, that `shape` was computed for its configuration and
/// classes and is within bounds (`k ≤ MAX_K`, valid slot shapes), that there is one key per
/// class, and that each class's `ipa` are the pinned parameters of `Params::new(k)`
/// ([`crate::params`]; hashing them takes milliseconds). A key for another circuit than its
/// class's makes that class's proofs fail to verify.
///
/// The distinct keys (`distinct_keys`, [`marginproof_circuits::model::distinct`]) are checked
/// first: a list that repeats a key (one account counted twice), is unsorted, or holds another
/// number of keys than the accounts counted is refused before any proof is read.
pub fn verify_bundle_with(
    manifest: &Manifest,
    shape: &BundleShape,
    mut proof: impl FnMut(usize, &BatchEntry) -> Result<Vec<u8>, BundleError>,
    distinct_keys: &mut dyn DistinctKeySource,
    keys: &[ClassKey],
    check: ProofCheck,
) -> Result<VerifiedBundle, BundleError> {
    checked_tree(manifest)?;
    let BundleShape { params, classes } = shape.clone();
    let listed: Vec<SizeClass> = classes.iter().map(|c| c.class).collect();
    if params.file != manifest.config || listed != manifest.classes {
        return Err(BundleError::Shape(
            "the shape given was checked for another manifest's configuration or classes".into(),
        ));
    }
    if keys.len() != classes.len() {
        return Err(BundleError::Shape(format!(
            "{} keys for {} classes",
            keys.len(),
            classes.len()
        )));
    }
    for (c, (class, key)) in classes.iter().zip(keys).enumerate() {
        checked_slots(&params, class.class.slots, class.class.batch_size)?;
        if class.k > MAX_K {
            return Err(BundleError::Shape(format!(
                "class {c}: the circuit needs k = {}, above the limit {MAX_K}",
                class.k
            )));
        }
        if key.ipa.k() != class.k {
            return Err(BundleError::ParamsSize {
                found: key.ipa.k(),
                expected: class.k,
            });
        }
        check_params(&key.ipa)?;
    }
    let totals = manifest.totals.to_totals(&params)?;
    let blinding = read_fp("totals_blinding", &manifest.totals_blinding)?;
    let root = read_fp("root", &manifest.root)?;
    let mut batch_roots = Vec::with_capacity(manifest.batch_count);
    let mut commitments = Vec::with_capacity(manifest.batch_count);
    for (i, entry) in manifest.batches.iter().enumerate() {
        batch_roots.push(read_fp(&format!("batches[{i}].root"), &entry.root)?);
        commitments.push(read_fp(
            &format!("batches[{i}].totals_after"),
            &entry.totals_after,
        )?);
    }

    if manifest.distinct_keys.file != DISTINCT_KEYS_FILE {
        return Err(BundleError::Shape(format!(
            "distinct keys: the file is `{}`, not `{DISTINCT_KEYS_FILE}`",
            manifest.distinct_keys.file
        )));
    }
    let distinct_commitment = read_fp(
        "distinct_keys.commitment",
        &manifest.distinct_keys.commitment,
    )?;
    let accounts = u64::try_from(&totals.accounts)
        .map_err(|_| BundleError::Shape("the account count is not a 64-bit count".into()))?;
    let binding = SnapshotBinding {
        layout: layout_digest(&manifest.classes, manifest.batches.iter().map(|b| b.class)),
        distinct_commitment,
        distinct_keys: checked_distinct_keys(manifest, accounts, distinct_keys)?,
    };

    let tag = statement_tag(&params);
    let prices = instrument_prices(&params);
    // One set of challenges for the whole snapshot, drawn after the root, the published totals,
    // the classes and the distinct keys.
    let challenges = snapshot_challenges(tag, root, &totals, &binding);
    let mut before = commit_totals(&params, &RunningTotals::zero(&params), Fp::zero());
    let batched = check == ProofCheck::Batched && cfg!(feature = "batch");
    // Pending proofs and the length of a well-formed proof, per class.
    let mut pending: Vec<Vec<Pending>> = (0..classes.len()).map(|_| Vec::new()).collect();
    let mut proof_len: Vec<Option<usize>> = vec![None; classes.len()];
    // An earlier batch's failure comes first: every pending proof is checked before an error of
    // a later batch is returned.
    let flush = |pending: &mut Vec<Vec<Pending>>| -> Result<(), BundleError> {
        let mut first: Option<BundleError> = None;
        for (c, list) in pending.iter_mut().enumerate() {
            if let Err(e) = check_pending(&keys[c].ipa, &keys[c].vk, list) {
                let earlier = match &first {
                    None => true,
                    Some(f) => e.batch().unwrap_or(usize::MAX) < f.batch().unwrap_or(usize::MAX),
                };
                if earlier {
                    first = Some(e);
                }
            }
        }
        first.map_or(Ok(()), Err)
    };
    for (i, entry) in manifest.batches.iter().enumerate() {
        let c = entry.class;
        let key = &keys[c];
        let statement = BatchStatement {
            statement_tag: tag,
            batch_root: batch_roots[i],
            totals_before: before,
            totals_after: commitments[i],
            challenges,
            class_code: manifest.classes[c].code(),
            distinct_commitment,
            prices: prices.clone(),
        };
        before = commitments[i];
        let bytes = match proof(i, entry) {
            Ok(bytes) => bytes,
            Err(e) => {
                flush(&mut pending)?;
                return Err(e);
            }
        };
        if batched && proof_len[c].is_none() && bytes.len() <= MAX_PROOF_BYTES {
            proof_len[c] = proof_length(&key.ipa, &key.vk, &statement, &bytes);
        }
        if batched && proof_len[c] == Some(bytes.len()) {
            pending[c].push(Pending {
                batch: i,
                statement,
                proof: bytes,
            });
            if pending[c].len() >= MAX_PROOFS_PER_CHECK {
                // Earlier batches of other classes first.
                flush(&mut pending)?;
            }
        } else {
            // Too large, truncated, followed by extra bytes, malformed, or checked one by one.
            flush(&mut pending)?;
            verify_batch_proof(&key.ipa, &key.vk, i, &statement, &bytes)?;
        }
    }
    flush(&mut pending)?;
    let mut list = ListSum::new(challenges);
    distinct_keys.scan(&mut |bytes| list.feed(bytes))?;
    let opened = RunningTotals {
        bucket_sum: totals_side(&totals, challenges) + list.finish(),
        totals,
    };
    if commit_totals(&params, &opened, blinding) != before {
        return Err(BundleError::TotalsDoNotOpen);
    }
    if snapshot_root(&manifest.classes, &batch_roots) != root {
        return Err(BundleError::RootMismatch);
    }
    Ok(VerifiedBundle {
        params,
        totals: opened.totals,
        root,
        batches: manifest.batch_count,
        verifying_keys: keys.iter().map(|k| verifying_key_digest(&k.vk)).collect(),
    })
}

impl VerifiedBundle {
    /// The root R in hex.
    pub fn root_hex(&self) -> String {
        marginproof_circuits::field::fp_to_hex(&self.root)
    }
}
