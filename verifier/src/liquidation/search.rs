//! The exact search for liquidation prices: along one instrument's price, every other price held,
//! the first grid price moving outward from today's at which the model of SPEC §2 gives a status.
//!
//! Along one price `p` (an integer count of ν per atom), the unit's raw equity `E(p)` is linear and
//! its margin test `T(p) = AE·RS − θ·MR` is linear inside each tier of the one table the instrument
//! is valued in (its haircut or maintenance table, at `|quantity| · p`). So each side of today's
//! price is cut into at most as many segments as the table has tiers; on each, "not healthy"
//! (`E < 0` or `T < 0`) and "bankrupt" (`E < 0`) hold on a run of prices that ends at the far end of
//! the segment, found exactly from the two ends' values. Every answer is checked with the model
//! itself (the price has the status, the grid price before it on the way out has not), and if a
//! check ever failed the segment would be bisected instead. All values come from the model's own
//! functions ([`MovingPrice`]): the valuation is written once, in the model.

use marginproof_circuits::config::{PriceVector, RiskParams};
use marginproof_circuits::model::{evaluate_at, AccountRecord, AccountRisk, Status};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

use super::line::{Instrument, LinePoint, MovingPrice};

/// The highest grid price searched: prices are below 2^64 (SPEC §2).
pub const MAX_GRID_PRICE: u64 = u64::MAX;

/// Which status a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Liquidatable or bankrupt: anything but healthy.
    NotHealthy,
    /// Bankrupt.
    Bankrupt,
}

impl Target {
    /// Whether the model's status is this target.
    pub fn reached(self, status: Status) -> bool {
        match self {
            Target::NotHealthy => status != Status::Healthy,
            Target::Bankrupt => status == Status::Bankrupt,
        }
    }

    /// Whether a valuation has reached this target, from its exact figures.
    fn reached_by(self, risk: &LinePoint) -> bool {
        self.reached(risk.status)
    }

    /// The linear functions whose sign decides the target: it is reached when one is negative.
    fn functions(self, risk: &LinePoint) -> Vec<&BigInt> {
        match self {
            Target::NotHealthy => vec![&risk.equity, &risk.margin_test],
            Target::Bankrupt => vec![&risk.equity],
        }
    }
}

/// The grid prices (ν per atom) found for one instrument: `None` when no price in
/// `0 < p < 2^64` gives the status, or the unit has it at today's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GridPrices {
    /// First price giving anything but healthy.
    pub liquidatable: Option<u64>,
    /// First price giving bankrupt.
    pub bankrupt: Option<u64>,
}

/// The model along one instrument's price, for one record.
pub struct PriceLine<'a> {
    line: MovingPrice<'a>,
    /// `|b − l|` (asset) or `|s|` (market): how fast the valued amount moves with the price.
    quantity: u128,
    today: u64,
}

impl<'a> PriceLine<'a> {
    /// The line through `record`'s valuation at `prices` along `instrument`'s price; `None` when
    /// the instrument is not in the configuration.
    pub fn new(
        params: &'a RiskParams,
        prices: &PriceVector,
        record: &'a AccountRecord,
        instrument: Instrument,
    ) -> Option<Self> {
        let base = evaluate_at(params, prices, record);
        Self::from_base(params, prices, &base, record, instrument)
    }

    /// [`PriceLine::new`] from the model's valuation `base` of `record` at `prices`.
    pub fn from_base(
        params: &'a RiskParams,
        prices: &PriceVector,
        base: &AccountRisk,
        record: &'a AccountRecord,
        instrument: Instrument,
    ) -> Option<Self> {
        let (quantity, today) = match instrument {
            Instrument::Asset(i) => (
                record.balances.get(i)?.abs_diff(*record.debts.get(i)?) as u128,
                *prices.assets.get(i)?,
            ),
            Instrument::Market(m) => (
                record.positions.get(m)?.size.unsigned_abs(),
                *prices.markets.get(m)?,
            ),
        };
        Some(PriceLine {
            line: MovingPrice::from_base(params, base, record, instrument)?,
            quantity,
            today,
        })
    }

    /// Today's price of the instrument.
    pub fn today(&self) -> u64 {
        self.today
    }

    /// The model's valuation with the instrument at `price`, every other price as given.
    pub fn evaluate(&mut self, price: u64) -> LinePoint {
        self.line.at(price)
    }

    /// Where the instrument's valued amount sits in its tier at this valuation: `(offset, room)`.
    fn tier_room(&self, risk: &LinePoint) -> (u128, u128) {
        (risk.offset, risk.room)
    }

    /// The first grid prices outward from today's, on either side (on a tie the lower), at which
    /// the unit is not healthy, resp. bankrupt.
    pub fn search(&mut self) -> GridPrices {
        let targets = [Target::NotHealthy, Target::Bankrupt];
        // A price that moves nothing (no net holding, no size) cannot change the status.
        if self.quantity == 0 {
            return GridPrices::default();
        }
        let today = self.evaluate(self.today);
        let pending: Vec<bool> = targets.iter().map(|t| !t.reached_by(&today)).collect();
        let below = self.side(Side::Down, &targets, &pending);
        let above = self.side(Side::Up, &targets, &pending);
        let nearest = |i: usize| match (below[i], above[i]) {
            (Some(d), Some(u)) => Some(if self.today - d <= u - self.today {
                d
            } else {
                u
            }),
            (d, u) => d.or(u),
        };
        GridPrices {
            liquidatable: nearest(0),
            bankrupt: nearest(1),
        }
    }

    /// The first price on one side reaching each pending target.
    fn side(&mut self, side: Side, targets: &[Target], pending: &[bool]) -> Vec<Option<u64>> {
        let mut found: Vec<Option<u64>> = vec![None; targets.len()];
        let Some(mut near) = side.step(self.today, 1) else {
            return found;
        };
        loop {
            let near_risk = self.evaluate(near);
            let (offset, room) = self.tier_room(&near_risk);
            // The last price on this side still in the same tier of the instrument's table.
            let width = match side {
                Side::Up => room / self.quantity,
                Side::Down => offset / self.quantity,
            };
            let far = side.clamped(near, width);
            let far_risk = if far == near {
                near_risk.clone()
            } else {
                self.evaluate(far)
            };
            for (t, target) in targets.iter().enumerate() {
                if pending[t] && found[t].is_none() {
                    found[t] = self.in_segment(*target, side, (near, &near_risk), (far, &far_risk));
                }
            }
            let done = targets
                .iter()
                .enumerate()
                .all(|(t, _)| !pending[t] || found[t].is_some());
            match side.step(far, 1) {
                Some(next) if !done => near = next,
                _ => return found,
            }
        }
    }

    /// The first price of the segment `near ..= far` (outward) reaching `target`, if any.
    fn in_segment(
        &mut self,
        target: Target,
        side: Side,
        (near, near_risk): (u64, &LinePoint),
        (far, far_risk): (u64, &LinePoint),
    ) -> Option<u64> {
        if target.reached_by(near_risk) {
            return Some(near);
        }
        if !target.reached_by(far_risk) {
            return None;
        }
        let length = BigInt::from(near.abs_diff(far));
        // Steps from `near` at which each function turns negative (linear on the segment).
        let steps = target
            .functions(near_risk)
            .into_iter()
            .zip(target.functions(far_risk))
            .filter_map(|(at_near, at_far)| first_negative_step(at_near, at_far, &length))
            .min();
        let candidate = steps.and_then(|k| side.step(near, u64::try_from(k).ok()?));
        match candidate {
            Some(price) if self.is_first(target, side, near, price) => Some(price),
            _ => Some(self.bisect(target, near, far)),
        }
    }

    /// Whether `price` reaches `target` and the price before it (outward from `near`) does not.
    fn is_first(&mut self, target: Target, side: Side, near: u64, price: u64) -> bool {
        if !target.reached_by(&self.evaluate(price)) {
            return false;
        }
        price == near
            || side
                .back(price)
                .is_some_and(|before| !target.reached_by(&self.evaluate(before)))
    }

    /// The first price of `near ..= far` reaching `target`, by halving, given that `far` reaches it
    /// and `near` does not.
    fn bisect(&mut self, target: Target, near: u64, far: u64) -> u64 {
        // Invariant: `good` does not reach the target, `bad` does.
        let (mut good, mut bad) = (near, far);
        while good.abs_diff(bad) > 1 {
            let middle = good.min(bad) + good.abs_diff(bad) / 2;
            if target.reached_by(&self.evaluate(middle)) {
                bad = middle;
            } else {
                good = middle;
            }
        }
        bad
    }
}

/// The least `k` in `0 ..= length` with `at_near + k · (at_far − at_near) / length < 0`, for a
/// function linear on the segment; `None` if it stays non-negative.
fn first_negative_step(at_near: &BigInt, at_far: &BigInt, length: &BigInt) -> Option<BigInt> {
    if at_near.is_negative() {
        return Some(BigInt::zero());
    }
    if !at_far.is_negative() || length.is_zero() {
        return None;
    }
    // The change per step: negative here. Not an exact quotient would mean the function is not
    // linear on the segment; the caller then checks the result and falls back to halving.
    let per_step = (at_far - at_near).div_floor(length);
    let fall = -per_step;
    if !fall.is_positive() {
        return None;
    }
    Some(at_near / &fall + 1)
}

/// A direction from today's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Toward lower prices (down to 1).
    Down,
    /// Toward higher prices (up to [`MAX_GRID_PRICE`]).
    Up,
}

impl Side {
    /// `steps` grid prices further out from `price`, if still in `0 < p < 2^64`.
    fn step(self, price: u64, steps: u64) -> Option<u64> {
        match self {
            Side::Down => price.checked_sub(steps).filter(|p| *p > 0),
            Side::Up => price.checked_add(steps),
        }
    }

    /// `price` moved out by `steps`, stopping at the end of the grid.
    fn clamped(self, price: u64, steps: u128) -> u64 {
        let steps = u64::try_from(steps).unwrap_or(u64::MAX);
        match self {
            Side::Down => price.saturating_sub(steps).max(1),
            // MAX_GRID_PRICE is u64::MAX: saturating stops there.
            Side::Up => price.saturating_add(steps),
        }
    }

    /// The grid price one step back toward today's.
    fn back(self, price: u64) -> Option<u64> {
        match self {
            Side::Down => price.checked_add(1),
            Side::Up => price.checked_sub(1),
        }
    }
}
