//! SPEC §12 in its one native form: a portfolio-margin unit's loss under each shock, its gross
//! value and its requirement `MR_pm = max(φ·gross, max_g loss_g, 0)`, in exact integers.
//!
//! With `v_a = (b_a − l_a)·p_a` and `n_m = s_m·P_m` (ν, signed) at the valuation's prices:
//!
//! ```text
//! loss_g = −( Σ_a v_a·μ_{a,g} + Σ_m n_m·μ_{m,g} )     ν·ppm, signed
//! gross  = Σ_a |v_a| + Σ_m |n_m|                      ν
//! MR_pm  = max( φ·gross, max_g loss_g, 0 )            ν·ppm
//! ```

use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};

use crate::config::{MoveVector, PortfolioParams};

/// Which model judges a margin unit (SPEC §12): its part of the leaf, through its slot shape.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum MarginMode {
    /// SPEC §2: the sum of tiered requirements per instrument.
    #[default]
    Standard,
    /// SPEC §12: the worst loss over the shock grid, at least the floor.
    Portfolio,
}

impl MarginMode {
    /// Both modes, in the order reports list them.
    pub const ALL: [MarginMode; 2] = [MarginMode::Standard, MarginMode::Portfolio];

    /// The name in the accounts file and in JSON: `standard` or `portfolio`.
    pub fn as_str(&self) -> &'static str {
        match self {
            MarginMode::Standard => "standard",
            MarginMode::Portfolio => "portfolio",
        }
    }

    /// The mode a `margin_mode` cell names: empty or `standard`, or `portfolio`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "" | "standard" => Some(MarginMode::Standard),
            "portfolio" => Some(MarginMode::Portfolio),
            _ => None,
        }
    }

    /// Whether this is [`MarginMode::Standard`] (serde's `skip_serializing_if`).
    pub fn is_standard(&self) -> bool {
        *self == MarginMode::Standard
    }
}

/// What sets a portfolio-margin requirement: the first candidate equal to it (SPEC §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorstShock {
    /// `MR_pm = 0`.
    None,
    /// `φ·gross = MR_pm`.
    Floor,
    /// The first shock, in configuration order, with `loss_g = MR_pm`.
    Shock(usize),
}

/// A portfolio-margin unit valued over the shock grid at one set of prices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioRisk {
    /// `loss_g` per shock, in configuration order (ν·ppm, signed).
    pub losses: Vec<BigInt>,
    /// `gross` (ν).
    pub gross: BigInt,
    /// `φ·gross` (ν·ppm).
    pub floor: BigInt,
    /// `MR_pm` (ν·ppm).
    pub requirement: BigInt,
    /// Which candidate sets it.
    pub worst: WorstShock,
}

/// `loss_g = −(Σ_a v_a·μ_{a,g} + Σ_m n_m·μ_{m,g})` over signed values by instrument index.
pub fn shock_loss(
    moves: &MoveVector,
    net_values: &[(usize, BigInt)],
    notionals: &[(usize, BigInt)],
) -> BigInt {
    let assets = net_values
        .iter()
        .map(|(a, v)| v * BigInt::from(moves.assets[*a]));
    let markets = notionals
        .iter()
        .map(|(m, n)| n * BigInt::from(moves.markets[*m]));
    -assets.chain(markets).sum::<BigInt>()
}

/// `MR_pm = max(φ·gross, max_g loss_g, 0)` with its losses, gross value and worst shock, from
/// the unit's signed net values `v_a` and signed notionals `n_m` (by instrument index; zero
/// holdings may be left out).
pub fn portfolio_risk(
    params: &PortfolioParams,
    net_values: &[(usize, BigInt)],
    notionals: &[(usize, BigInt)],
) -> PortfolioRisk {
    let losses: Vec<BigInt> = params
        .shocks
        .iter()
        .map(|s| shock_loss(&s.moves, net_values, notionals))
        .collect();
    let gross: BigInt = net_values
        .iter()
        .chain(notionals)
        .map(|(_, v)| v.abs())
        .sum();
    let floor = &gross * BigInt::from(params.floor_ppm);
    let requirement = losses
        .iter()
        .chain(std::iter::once(&floor))
        .fold(BigInt::zero(), |m, c| if *c > m { c.clone() } else { m });
    let worst = if requirement.is_zero() {
        WorstShock::None
    } else if floor == requirement {
        WorstShock::Floor
    } else {
        losses
            .iter()
            .position(|l| *l == requirement)
            .map_or(WorstShock::None, WorstShock::Shock)
    };
    PortfolioRisk {
        losses,
        gross,
        floor,
        requirement,
        worst,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ShockParams;

    fn grid(floor_ppm: u64, shocks: &[(&str, i64, i64)]) -> PortfolioParams {
        PortfolioParams {
            floor_ppm,
            shocks: shocks
                .iter()
                .map(|(name, a, m)| ShockParams {
                    name: (*name).into(),
                    moves: MoveVector {
                        assets: vec![*a],
                        markets: vec![*m],
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn a_hedge_loses_little_and_the_worst_shock_sets_the_requirement() {
        // Long 1000 of spot, short 990 of the perpetual on the same asset.
        let p = grid(
            10_000,
            &[("down", -200_000, -200_000), ("up", 200_000, 200_000)],
        );
        let v = [(0, BigInt::from(1000))];
        let n = [(0, BigInt::from(-990))];
        let r = portfolio_risk(&p, &v, &n);
        // down: −(1000·−0.2 − 990·−0.2) = 2 (in ppm units: 2_000_000)
        assert_eq!(
            r.losses,
            vec![BigInt::from(2_000_000), BigInt::from(-2_000_000)]
        );
        assert_eq!(r.gross, BigInt::from(1990));
        assert_eq!(r.floor, BigInt::from(19_900_000));
        // The floor (1% of 1990) is above the 2 of the worst shock.
        assert_eq!(r.requirement, BigInt::from(19_900_000));
        assert_eq!(r.worst, WorstShock::Floor);
    }

    #[test]
    fn an_unhedged_long_is_charged_its_worst_shock_and_an_empty_unit_nothing() {
        let p = grid(10_000, &[("down", -200_000, 0), ("up", 300_000, 0)]);
        let r = portfolio_risk(&p, &[(0, BigInt::from(1000))], &[]);
        assert_eq!(r.requirement, BigInt::from(200_000_000));
        assert_eq!(r.worst, WorstShock::Shock(0));
        let empty = portfolio_risk(&p, &[], &[]);
        assert_eq!(empty.requirement, BigInt::zero());
        assert_eq!(empty.worst, WorstShock::None);
    }

    #[test]
    fn the_first_of_two_equal_shocks_is_the_worst() {
        let p = grid(0, &[("a", -100_000, 0), ("b", -100_000, 0)]);
        let r = portfolio_risk(&p, &[(0, BigInt::from(7))], &[]);
        assert_eq!(r.worst, WorstShock::Shock(0));
    }
}
