//! The native risk model of SPEC §2 in exact integers: what the circuit proves, computed directly.

pub mod buckets;
pub mod distinct;
pub mod holdings;
pub mod portfolio;
pub mod record;
pub mod risk;
pub mod stress;
pub mod tiers;
pub mod totals;
pub mod unit;

pub use holdings::{AssetHolding, Holdings, PositionHolding, SlotShape, TooManyHoldings};
pub use portfolio::{portfolio_risk, MarginMode, PortfolioRisk, WorstShock};
pub use record::{
    AccountRecord, Position, PositionInUnits, QuantityError, RecordError, RecordInUnits,
};
pub use risk::{evaluate, evaluate_at, AccountRisk, AssetValuation, PositionValuation, Status};
pub use stress::{evaluate_stress, DistributionCounts, MarginBucket, OutcomeTotals, StressRisk};
pub use tiers::{Tier, TierPoint, TierTable, TierTableKind};
pub use totals::Totals;
pub use unit::{MarginUnit, UnitLabelError, MAX_UNIT_LABEL_CHARS};
