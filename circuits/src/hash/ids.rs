//! Account ids and the statement tag as field elements.

use blake2::{Blake2b512, Digest};

use crate::config::RiskParams;
use crate::field::{fp_from_digest, Fp};
use crate::model::unit::MarginUnit;

/// The byte between an account id and an isolated unit's label in [`unit_encoding`]. It never
/// occurs in UTF-8, so it never occurs in an account id (nor in a label, which is ASCII).
pub const UNIT_SEPARATOR: u8 = 0xFF;

/// The bytes that name one margin unit of an owner (SPEC §8), the one encoding behind its
/// `id_hash`, its salt and its place in the shuffle:
///
/// ```text
/// cross unit:     id                       (exactly SPEC §3: the id's UTF-8 bytes)
/// isolated unit:  id ‖ 0xFF ‖ label
/// ```
///
/// Injective over all pairs: an encoding without `0xFF` is a cross unit and is its id; one with
/// `0xFF` splits at its only `0xFF` into the id (UTF-8 holds no `0xFF`) and the label (ASCII). So
/// `("a", "b-c")` and `("a-b", "c")` are `a ‖ FF ‖ b-c` and `a-b ‖ FF ‖ c`, and no isolated unit
/// encodes as any owner's cross unit.
pub fn unit_encoding(account_id: &str, unit: &MarginUnit) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(account_id.len() + 1 + unit.label().len());
    bytes.extend_from_slice(account_id.as_bytes());
    if !unit.is_cross() {
        bytes.push(UNIT_SEPARATOR);
        bytes.extend_from_slice(unit.label().as_bytes());
    }
    bytes
}

/// `id_hash`: BLAKE2b-512 of the unit's [`unit_encoding`] (for a cross unit, the id's UTF-8
/// bytes), reduced into the field by wide reduction (SPEC §3), so two units never collide by
/// overflow.
pub fn id_hash(account_id: &str, unit: &MarginUnit) -> Fp {
    let digest: [u8; 64] = Blake2b512::digest(unit_encoding(account_id, unit)).into();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn isolated(label: &str) -> MarginUnit {
        MarginUnit::parse(label).expect("a valid label")
    }

    #[test]
    fn unit_encodings_do_not_collide() {
        let cross = MarginUnit::cross();
        assert_eq!(unit_encoding("alice", &cross), b"alice");
        assert_eq!(unit_encoding("a", &isolated("b-c")), b"a\xffb-c");
        assert_ne!(
            unit_encoding("a", &isolated("b-c")),
            unit_encoding("a-b", &isolated("c"))
        );
        assert_ne!(
            id_hash("a", &isolated("b-c")),
            id_hash("a-b", &isolated("c"))
        );
        assert_ne!(id_hash("a", &cross), id_hash("a", &isolated("a")));
        // A cross unit's id_hash is SPEC §3's, of the id alone.
        let digest: [u8; 64] = Blake2b512::digest(b"alice").into();
        assert_eq!(id_hash("alice", &cross), fp_from_digest(&digest));
    }
}
