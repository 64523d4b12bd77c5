//! Tiered functions (SPEC §2): `F(x) = Σ_k r_k · clamp(x − B_{k−1}, 0, B_k − B_{k−1})`.
//!
//! A table is stored as the tiers that partition `[0, 2^128)`: tier `t` covers
//! `lower_t ..= lower_t + max_offset_t`, and inside it `F(x) = base_t + rate_t · (x − lower_t)` where
//! `base_t = F(lower_t)`. The circuit proves exactly this form (see `chips::tiered`).

use num_bigint::BigInt;

use crate::units::VALUE_BITS;

/// Which monotonicity a table must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierTableKind {
    /// Collateral haircut: rates non-increasing (concave).
    Haircut,
    /// Maintenance requirement: rates non-decreasing.
    Maintenance,
}

/// One tier of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// Lowest value in the tier (ν).
    pub lower: u128,
    /// Largest `x − lower` in the tier: `B_t − 1 − B_{t−1}`, or `2^128 − 1 − lower` for the last.
    pub max_offset: u128,
    /// Marginal rate in ppm.
    pub rate: u32,
    /// `F(lower)`, in ν·ppm.
    pub base: BigInt,
}

/// Where a value falls in a table, and the table's value there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierPoint {
    /// Index of the tier.
    pub index: usize,
    /// `x − lower` (ν), in `0 ..= max_offset`.
    pub offset: u128,
    /// `max_offset − offset`: the room left in the tier.
    pub room: u128,
    /// `F(x)` in ν·ppm.
    pub value: BigInt,
}

/// A validated tier table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierTable {
    tiers: Vec<Tier>,
}

impl TierTable {
    /// Builds the table from boundaries `B_1 < … < B_{K−1}` (ν) and rates `r_1 … r_K` (ppm).
    /// The caller has validated counts, order and ranges.
    pub fn new(boundaries: &[u128], rates: &[u32]) -> Self {
        debug_assert_eq!(boundaries.len() + 1, rates.len());
        let mut tiers = Vec::with_capacity(rates.len());
        let mut lower = 0u128;
        let mut base = BigInt::from(0);
        for (k, &rate) in rates.iter().enumerate() {
            let max_offset = match boundaries.get(k) {
                Some(&upper) => upper - 1 - lower,
                None => u128::MAX - lower,
            };
            tiers.push(Tier {
                lower,
                max_offset,
                rate,
                base: base.clone(),
            });
            if let Some(&upper) = boundaries.get(k) {
                base += BigInt::from(rate) * BigInt::from(upper - lower);
                lower = upper;
            }
        }
        TierTable { tiers }
    }

    /// The tiers, lowest first.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// Locates `x` (ν, below 2^128) and evaluates the table there.
    pub fn locate(&self, x: u128) -> TierPoint {
        // The tiers partition [0, 2^128): the last tier whose lower bound is ≤ x holds x.
        let index = self.tiers.iter().rposition(|t| t.lower <= x).unwrap_or(0);
        let tier = &self.tiers[index];
        let offset = x - tier.lower;
        TierPoint {
            index,
            offset,
            room: tier.max_offset - offset,
            value: &tier.base + BigInt::from(tier.rate) * BigInt::from(offset),
        }
    }

    /// `F(x)` by the definition's sum of clamps (used to test [`TierTable::locate`]).
    pub fn scaled_by_definition(&self, x: u128) -> BigInt {
        let mut total = BigInt::from(0);
        for t in &self.tiers {
            if x < t.lower {
                break;
            }
            let width = BigInt::from(t.max_offset) + 1;
            let covered = BigInt::from(x - t.lower).min(width);
            total += BigInt::from(t.rate) * covered;
        }
        total
    }
}

const _: () = assert!(VALUE_BITS == 128, "tiers partition [0, 2^128)");

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> TierTable {
        TierTable::new(&[100, 250], &[1_000_000, 900_000, 500_000])
    }

    #[test]
    fn locate_matches_the_definition() {
        let t = table();
        for x in [0u128, 1, 99, 100, 101, 249, 250, 251, 10_000, u128::MAX] {
            assert_eq!(t.locate(x).value, t.scaled_by_definition(x), "x = {x}");
        }
    }

    #[test]
    fn boundaries_belong_to_the_upper_tier() {
        let t = table();
        assert_eq!(t.locate(99).index, 0);
        assert_eq!(t.locate(99).room, 0);
        assert_eq!(t.locate(100).index, 1);
        assert_eq!(t.locate(100).offset, 0);
        assert_eq!(t.locate(100).value, BigInt::from(100_000_000u64));
        assert_eq!(t.locate(u128::MAX).room, 0);
    }
}
