//! Account ids and the statement tag as field elements.

use blake2::{Blake2b512, Digest};

use crate::config::RiskParams;
use crate::field::{fp_from_digest, Fp};

/// `id_hash`: BLAKE2b-512 of the id's UTF-8 bytes, reduced into the field by wide reduction
/// (SPEC §3), so two ids never collide by overflow.
pub fn id_hash(account_id: &str) -> Fp {
    let digest: [u8; 64] = Blake2b512::digest(account_id.as_bytes()).into();
    fp_from_digest(&digest)
}

/// The statement tag: public input of every batch proof, binding it to the snapshot id and to
/// every byte of the configuration (prices, tiers, threshold, reserves).
pub fn statement_tag(params: &RiskParams) -> Fp {
    let mut h = Blake2b512::new();
    h.update(b"marginproof/statement/v1");
    h.update(params.digest());
    let digest: [u8; 64] = h.finalize().into();
    fp_from_digest(&digest)
}
