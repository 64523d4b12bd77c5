//! SPEC §7 in its one native form: each account valued under every scenario, the margin-ratio
//! bucket of its base valuation, and what both add to the published totals.

use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};

use crate::config::RiskParams;
use crate::model::record::AccountRecord;
use crate::model::risk::{evaluate_at, AccountRisk, Status};
use crate::units::RATE_SCALE;

/// Where an account's base margin ratio falls in the distribution (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarginBucket {
    /// `MR = 0`: no margin ratio, counted apart.
    NoRequirement,
    /// Bucket `j` of `0..=n` for `n` edges: below `e_1` (`j = 0`), `[e_j, e_{j+1})`, or at or
    /// above `e_n` (`j = n`).
    Ratio(usize),
}

/// The pole number of accounts with `MR = 0`, past every bucket (`0..=16`): the distribution's
/// counts sit at poles `1320 + j` and `1320 + 17` ([`crate::model::buckets`]).
pub const NO_REQUIREMENT_POLE: u64 = crate::units::MAX_EDGES as u64 + 1;

/// `AE · RS − e · MR`: non-negative exactly when the margin ratio is at least `e` (ppm), for
/// `MR > 0`; the same exact comparison as the threshold's.
pub fn edge_test(adjusted_equity: &BigInt, maintenance: &BigInt, edge_ppm: u64) -> BigInt {
    adjusted_equity * BigInt::from(RATE_SCALE) - BigInt::from(edge_ppm) * maintenance
}

/// The bucket of a margin ratio `AE / MR` among strictly increasing `edges_ppm`: the number of
/// edges it is at or above.
pub fn margin_bucket(
    edges_ppm: &[u64],
    adjusted_equity: &BigInt,
    maintenance: &BigInt,
) -> MarginBucket {
    if maintenance.is_zero() {
        return MarginBucket::NoRequirement;
    }
    let at_or_above = edges_ppm
        .iter()
        .take_while(|e| !edge_test(adjusted_equity, maintenance, **e).is_negative())
        .count();
    MarginBucket::Ratio(at_or_above)
}

/// An account valued under every scenario, and its base bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StressRisk {
    /// Per scenario, in configuration order: the whole model at the scenario's prices.
    pub scenarios: Vec<AccountRisk>,
    /// The base margin ratio's bucket, if a distribution is configured.
    pub bucket: Option<MarginBucket>,
}

/// Values `record` under every scenario of `params`; `base` is its base valuation.
pub fn evaluate_stress(
    params: &RiskParams,
    record: &AccountRecord,
    base: &AccountRisk,
) -> StressRisk {
    StressRisk {
        scenarios: params
            .scenarios
            .iter()
            .map(|s| evaluate_at(params, &s.prices, record))
            .collect(),
        bucket: params
            .distribution
            .as_ref()
            .map(|d| margin_bucket(&d.edges_ppm, &base.adjusted_equity, &base.maintenance)),
    }
}

/// The per-account totals of one valuation: liquidatable, bankrupt, `max(E, 0)`, `max(−E, 0)`,
/// `max(0, θ·MR − AE·RS)`. The same five for the base totals of SPEC §4 and for each scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeTotals {
    /// Number liquidatable.
    pub liquidatable: BigInt,
    /// Number bankrupt.
    pub bankrupt: BigInt,
    /// Σ max(E, 0) (ν).
    pub equity: BigInt,
    /// Σ max(−E, 0) (ν).
    pub bad_debt: BigInt,
    /// Σ max(0, θ·MR − AE·RS) (ν·ppm²).
    pub shortfall: BigInt,
}

impl OutcomeTotals {
    /// One account's outcome.
    pub fn of(risk: &AccountRisk) -> Self {
        let one = |b: bool| BigInt::from(u8::from(b));
        let negative = risk.equity.is_negative();
        OutcomeTotals {
            liquidatable: one(risk.status == Status::Liquidatable),
            bankrupt: one(risk.status == Status::Bankrupt),
            equity: if negative {
                BigInt::zero()
            } else {
                risk.equity.clone()
            },
            bad_debt: if negative {
                -&risk.equity
            } else {
                BigInt::zero()
            },
            shortfall: if risk.margin_test.is_negative() {
                -&risk.margin_test
            } else {
                BigInt::zero()
            },
        }
    }

    /// Adds another.
    pub fn add(&mut self, other: &OutcomeTotals) {
        self.liquidatable += &other.liquidatable;
        self.bankrupt += &other.bankrupt;
        self.equity += &other.equity;
        self.bad_debt += &other.bad_debt;
        self.shortfall += &other.shortfall;
    }
}

/// Number of outcome totals per scenario.
pub const OUTCOME_TOTALS: usize = 5;

/// The published counts of the distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionCounts {
    /// Accounts per bucket, `n + 1` of them for `n` edges.
    pub buckets: Vec<BigInt>,
    /// Accounts with `MR = 0`.
    pub no_requirement: BigInt,
}

impl DistributionCounts {
    /// All zero, for `buckets` buckets.
    pub fn zero(buckets: usize) -> Self {
        DistributionCounts {
            buckets: vec![BigInt::zero(); buckets],
            no_requirement: BigInt::zero(),
        }
    }

    /// Counts one account in `bucket`.
    pub fn count(&mut self, bucket: MarginBucket) {
        match bucket {
            MarginBucket::NoRequirement => self.no_requirement += 1,
            MarginBucket::Ratio(j) => {
                if let Some(c) = self.buckets.get_mut(j) {
                    *c += 1;
                }
            }
        }
    }

    /// Adds another.
    pub fn add(&mut self, other: &DistributionCounts) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.no_requirement += &other.no_requirement;
    }

    /// `(pole, count)` of every count: bucket `j` at pole `j`, no requirement at
    /// [`NO_REQUIREMENT_POLE`].
    pub fn poles(&self) -> impl Iterator<Item = (u64, &BigInt)> {
        self.buckets
            .iter()
            .enumerate()
            .map(|(j, c)| (j as u64, c))
            .chain(std::iter::once((NO_REQUIREMENT_POLE, &self.no_requirement)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_decided_exactly_on_the_edges() {
        let edges = [1_000_000, 1_500_000];
        let mr = BigInt::from(2_000_000u64);
        // AE/MR = 1.0 exactly: at the first edge, so in [1.0, 1.5).
        let ae = BigInt::from(2_000_000u64);
        assert_eq!(margin_bucket(&edges, &ae, &mr), MarginBucket::Ratio(1));
        // One unit below: bucket 0.
        assert_eq!(
            margin_bucket(&edges, &(&ae - 1), &mr),
            MarginBucket::Ratio(0)
        );
        // Exactly 1.5: the top bucket.
        let ae = BigInt::from(3_000_000u64);
        assert_eq!(margin_bucket(&edges, &ae, &mr), MarginBucket::Ratio(2));
        assert_eq!(
            margin_bucket(&edges, &ae, &BigInt::zero()),
            MarginBucket::NoRequirement
        );
        // A negative ratio is below every edge.
        assert_eq!(
            margin_bucket(&edges, &BigInt::from(-5), &mr),
            MarginBucket::Ratio(0)
        );
    }
}
