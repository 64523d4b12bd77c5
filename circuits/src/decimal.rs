//! Exact decimal strings to integers and back. No floating point anywhere.
//!
//! `parse_decimal("1.25", 2)` is `125`: the text is read as a count of `10^-scale` units.
//! A value with more fractional digits than the scale is an error, never a rounding.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Zero;
use thiserror::Error;

/// Most significant integer digits a decimal may have. The largest value of SPEC §2 (reserves
/// below 2^128 atoms) has 39; the bound also keeps parsing linear, since converting a digit
/// string to an integer is quadratic in its length (a hostile 64 MiB number would take hours).
pub const MAX_INTEGER_DIGITS: usize = 60;

/// Why a decimal string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecimalError {
    /// The text is empty or only a sign.
    #[error("empty number")]
    Empty,
    /// A character that is not a digit, or a misplaced sign or point.
    #[error("`{0}` is not an exact decimal number")]
    Malformed(String),
    /// More significant integer digits than any value of SPEC §2 has.
    #[error("`{prefix}…` has more than {max} integer digits")]
    TooManyDigits {
        /// The first characters of the text.
        prefix: String,
        /// The most integer digits allowed.
        max: usize,
    },
    /// More fractional digits than the unit allows.
    #[error("`{text}` has more than {max} fractional digits")]
    TooManyDecimals {
        /// The text as given.
        text: String,
        /// The most fractional digits allowed.
        max: u32,
    },
}

/// Parses `text` (optional sign, digits, optional `.` and digits) as an exact count of `10^-scale`.
pub fn parse_decimal(text: &str, scale: u32) -> Result<BigInt, DecimalError> {
    let trimmed = text.trim();
    let (negative, body) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        Some(_) => (false, trimmed),
        None => return Err(DecimalError::Empty),
    };
    if body.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return Err(DecimalError::Malformed(text.to_string()));
    }
    if int_part.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err(DecimalError::TooManyDigits {
            prefix: text.chars().take(16).collect(),
            max: MAX_INTEGER_DIGITS,
        });
    }
    let frac_significant = frac_part.trim_end_matches('0');
    if frac_significant.len() > scale as usize {
        return Err(DecimalError::TooManyDecimals {
            text: text.to_string(),
            max: scale,
        });
    }
    let mut digits = String::with_capacity(int_part.len() + scale as usize);
    digits.push_str(int_part);
    digits.push_str(frac_significant);
    for _ in frac_significant.len()..scale as usize {
        digits.push('0');
    }
    let magnitude = if digits.is_empty() {
        BigUint::zero()
    } else {
        digits
            .parse::<BigUint>()
            .map_err(|_| DecimalError::Malformed(text.to_string()))?
    };
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    Ok(BigInt::from_biguint(sign, magnitude))
}

/// Formats a count of `10^-scale` as an exact decimal, without trailing fractional zeros.
pub fn format_decimal(value: &BigInt, scale: u32) -> String {
    let negative = value.sign() == Sign::Minus;
    let digits = value.magnitude().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
    } else {
        digits
    };
    let (int_part, frac_part) = padded.split_at(padded.len() - scale);
    let frac_part = frac_part.trim_end_matches('0');
    let sign = if negative { "-" } else { "" };
    if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(parse_decimal("1.25", 2).unwrap(), BigInt::from(125));
        assert_eq!(parse_decimal("-0.5", 3).unwrap(), BigInt::from(-500));
        assert_eq!(parse_decimal("7", 0).unwrap(), BigInt::from(7));
        assert_eq!(parse_decimal("7.000", 0).unwrap(), BigInt::from(7));
        assert_eq!(parse_decimal(".5", 1).unwrap(), BigInt::from(5));
        assert_eq!(parse_decimal("5.", 1).unwrap(), BigInt::from(50));
    }

    #[test]
    fn refuses_what_is_not_exact() {
        assert!(matches!(
            parse_decimal("1.234", 2),
            Err(DecimalError::TooManyDecimals { max: 2, .. })
        ));
        assert!(matches!(
            parse_decimal("1e5", 2),
            Err(DecimalError::Malformed(_))
        ));
        assert!(matches!(parse_decimal("", 2), Err(DecimalError::Empty)));
        assert!(matches!(parse_decimal("-", 2), Err(DecimalError::Empty)));
        assert!(matches!(
            parse_decimal(".", 2),
            Err(DecimalError::Malformed(_))
        ));
        assert!(matches!(
            parse_decimal("1.2.3", 2),
            Err(DecimalError::Malformed(_))
        ));
        assert!(matches!(
            parse_decimal("--1", 2),
            Err(DecimalError::Malformed(_))
        ));
    }

    #[test]
    fn formats_round_trip() {
        for (text, scale) in [
            ("1.5", 8),
            ("-0.00000001", 8),
            ("12000", 0),
            ("0", 4),
            ("97123.45", 18),
        ] {
            let v = parse_decimal(text, scale).unwrap();
            assert_eq!(format_decimal(&v, scale), text);
        }
    }
}
