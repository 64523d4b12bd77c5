//! The circuit field (Pallas base field `Fp`) and exact conversions to and from integers and hex.

use ff::{FromUniformBytes, PrimeField};
pub use halo2_proofs::pasta::Fp;
use num_bigint::{BigInt, Sign};
use thiserror::Error;

/// A field element that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    /// Not 64 hex digits.
    #[error("a field element is 64 hex digits (32 bytes, little-endian)")]
    BadHex,
    /// 32 bytes that are not below the field modulus.
    #[error("not a canonical field element")]
    NonCanonical,
}

/// A signed integer as a field element: `x` or `p − |x|`. Callers keep `|x| < 2^253`.
pub fn fp_from_bigint(x: &BigInt) -> Fp {
    let (sign, bytes) = x.to_bytes_le();
    let mut wide = [0u8; 64];
    let n = bytes.len().min(64);
    wide[..n].copy_from_slice(&bytes[..n]);
    // Wide reduction is exact for |x| < p, the only inputs this is called with.
    let magnitude = Fp::from_uniform_bytes(&wide);
    if sign == Sign::Minus {
        -magnitude
    } else {
        magnitude
    }
}

/// `x` as a field element, for `x < 2^128`.
pub fn fp_from_u128(x: u128) -> Fp {
    Fp::from_u128(x)
}

/// A bool as 0 or 1.
pub fn fp_from_bool(b: bool) -> Fp {
    Fp::from(u64::from(b))
}

/// Lower-case hex of the 32-byte little-endian representation.
pub fn fp_to_hex(x: &Fp) -> String {
    hex::encode(x.to_repr())
}

/// Parses [`fp_to_hex`]'s output, refusing anything non-canonical.
pub fn fp_from_hex(text: &str) -> Result<Fp, FieldError> {
    let bytes = hex::decode(text).map_err(|_| FieldError::BadHex)?;
    let repr: [u8; 32] = bytes.try_into().map_err(|_| FieldError::BadHex)?;
    Option::from(Fp::from_repr(repr)).ok_or(FieldError::NonCanonical)
}

/// A 64-byte digest reduced into the field (wide reduction: no bias, no collision by overflow).
pub fn fp_from_digest(digest: &[u8; 64]) -> Fp {
    Fp::from_uniform_bytes(digest)
}

/// `2^n` as a field element.
pub fn pow2(n: u32) -> Fp {
    fp_from_bigint(&(num_bigint::BigInt::from(1) << n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ff::Field;

    #[test]
    fn signed_integers_map_to_their_residues() {
        assert_eq!(fp_from_bigint(&BigInt::from(-5)), -Fp::from(5));
        assert_eq!(
            fp_from_bigint(&(BigInt::from(1) << 200)),
            Fp::from(2).pow_vartime([200])
        );
        let x = Fp::from(123456789);
        assert_eq!(fp_from_hex(&fp_to_hex(&x)), Ok(x));
        assert_eq!(fp_from_hex(&"ff".repeat(32)), Err(FieldError::NonCanonical));
        assert_eq!(fp_from_hex("abc"), Err(FieldError::BadHex));
    }
}
