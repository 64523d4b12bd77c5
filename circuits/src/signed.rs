//! The sign/magnitude code every signed value uses in the circuit.
//!
//! A signed `x` is a sign bit `σ = [x < 0]` and a code `m ≥ 0` with `x = m − σ · (2m + 1)`:
//! `m = x` when `x ≥ 0` and `m = −x − 1` when `x < 0`. Range-checking `m < 2^n` then bounds
//! `−2^n ≤ x < 2^n`, and every `x` has exactly one `(σ, m)`: there is no negative zero, so the
//! sign bit alone decides `x < 0`.

use num_bigint::BigInt;
use num_traits::Signed;

/// `(σ, m)` for a signed integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCode {
    /// `x < 0`.
    pub negative: bool,
    /// `m`, with `x = m − σ(2m + 1)`.
    pub code: BigInt,
}

impl SignedCode {
    /// The code of `x`.
    pub fn of(x: &BigInt) -> Self {
        if x.is_negative() {
            SignedCode {
                negative: true,
                code: -x - 1,
            }
        } else {
            SignedCode {
                negative: false,
                code: x.clone(),
            }
        }
    }

    /// `|x|`: `m + σ`.
    pub fn magnitude(&self) -> BigInt {
        &self.code + BigInt::from(u8::from(self.negative))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trips() {
        for x in [-3i64, -1, 0, 1, 7] {
            let c = SignedCode::of(&BigInt::from(x));
            let sigma = BigInt::from(u8::from(c.negative));
            assert_eq!(
                &c.code - &sigma * (BigInt::from(2) * &c.code + 1),
                BigInt::from(x)
            );
            assert_eq!(c.magnitude(), BigInt::from(x.abs()));
        }
    }
}
