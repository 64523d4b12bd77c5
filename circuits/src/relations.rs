//! Each relation of an account row, written once and generic over what it computes with
//! ([`Arith`]): the gates build it from [`Expression`]s (the constraint is `cell − relation`),
//! the assignment from [`Value`]s (the cell it writes), and the native witness and the bucket
//! identity ([`crate::model::buckets`]) from field elements. The exact-integer model in
//! [`crate::model`] stays the independent check of what these compute.
//!
//! Each function builds its expression in the one order the gates have always used, so a
//! refactor onto it leaves the verifying key byte for byte the same (`tests/pinned.rs`).
//!
//! | relation | formula | gate → constraint |
//! |---|---|---|
//! | [`signed`] | `m − σ(2m + 1)` | `asset slot` → `net quantity`; `position slot` → `pnl`, `bucket term`; `account status` → `equity sign`, `margin test` |
//! | [`magnitude`] | `m + σ` | `asset slot` → `net value`; `position slot` → `notional`, `bucket term`, `held or empty, magnitudes in range` |
//! | [`asset_word`] | `a + 2^10·b + 2^74·l` | `asset slot` → `leaf word` |
//! | [`position_word`] | `m + 2^10·m_s + 2^74·m_c + 2^202·σ_s + 2^203·σ_c` | `position slot` → `leaf word` |
//! | [`asset_tier_table`] | `1 + 2a + σ` | `asset slot` → `tier table` |
//! | [`market_tier_table`] | `MARKET_TIER_BASE + m` | `position slot` → `tier table` |
//! | [`position_slot_bound`] | `inv·(h + empty)·(\|s\| − 2^64)·(\|c\| − 2^128)` | `position slot` → `held or empty, magnitudes in range` |
//! | [`net_value`] | `(m + σ)·p` | `asset slot` → `net value` |
//! | [`notional`], [`pnl`] | `\|s\|·P`, `s·P − c` | `position slot` → `notional`, `pnl` |
//! | [`asset_valuation`] | `ΔAE = (1 − σ)·F − σ·RS·x`, `ΔE = (1 − 2σ)·x`, `ΔMR = σ·F` | `asset slot` → `haircut collateral`, `net value sum`, `borrow requirement` |
//! | [`position_valuation`] | `ΔAE = RS·U`, `ΔE = U`, `ΔMR = F` | `position slot` → `pnl collateral`, `pnl sum`, `position requirement` |
//! | [`margin_test`] | `AE·RS − θ·MR` | `account status` → `margin test` |
//! | [`status_terms`] | `liq = (1 − σ_E)·σ_D`, `eo = (1 − σ_E)·m_E`, `bd = σ_E·(m_E + 1)`, `sf = σ_D·(m_D + 1)` | `account status` → `liquidatable`, `equity owed`, `bad debt`, `shortfall` |
//! | [`asset_pole`], [`market_pole`], [`distinct_pole`], [`distribution_pole`] | `r − a`, `r − 1024 − m`, `r − u`, `r − 1320 − j − 17·z` | `bucket pole`, `distinct key pole`, `distribution pole` |
//! | [`asset_bucket_term`], [`position_bucket_term`], [`distinct_term`] | `(b + ρ·l)·t`, `(s + ρ·\|s\| + ρ²·U)·t`, `γ·is_real·t` | `bucket term`, `distinct key term` |
//! | [`signed_value`], [`shock_loss_term`] | `(1 − 2σ)·x`, `−(1 − 2σ)·x·(c − RS)` | `shock slot` → `shock loss` |
//! | [`requirement_margin`] | `MR − c` | `shock close` → `requirement margin`; `portfolio requirement` → `floor margin` |

use std::ops::{Add, Mul, Sub};

use ff::Field;
use halo2_proofs::{circuit::Value, plonk::Expression};

use crate::field::{pow2, Fp};
use crate::model::stress::{NO_REQUIREMENT_POLE, OUTCOME_TOTALS};
use crate::units::{COST_BITS, MAX_ASSETS, MAX_MARKETS, MAX_SCENARIOS, QUANTITY_BITS, RATE_SCALE};

/// Bits of a slot's instrument index in its leaf word.
pub const INDEX_BITS: u32 = 10;

/// First tier table id of the markets: above every asset id `1 + 2a + σ` (`a < 1024`).
pub const MARKET_TIER_BASE: u64 = 1 + 2 * MAX_ASSETS as u64;

/// Pole of market `m` is `MARKET_POLE_OFFSET + m`, above every asset pole `a < 1024`.
pub const MARKET_POLE_OFFSET: u64 = MAX_ASSETS as u64;
/// First pole of the scenarios' outcome totals, above every market pole.
pub const SCENARIO_POLE_OFFSET: u64 = MARKET_POLE_OFFSET + MAX_MARKETS as u64;
/// First pole of the distribution's counts, above every scenario pole.
pub const DISTRIBUTION_POLE_OFFSET: u64 =
    SCENARIO_POLE_OFFSET + (OUTCOME_TOTALS * MAX_SCENARIOS) as u64;

/// What a relation computes with: circuit expressions, assignment values, or field elements.
pub trait Arith:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Sized
{
    /// The constant `c`.
    fn constant(c: Fp) -> Self;
    /// `self · c` for a constant `c` (a scaled expression in a gate).
    fn scale(self, c: Fp) -> Self;
    /// The constant 1.
    fn one() -> Self {
        Self::constant(Fp::ONE)
    }
}

impl Arith for Expression<Fp> {
    fn constant(c: Fp) -> Self {
        Expression::Constant(c)
    }
    fn scale(self, c: Fp) -> Self {
        self * c
    }
}

impl Arith for Value<Fp> {
    fn constant(c: Fp) -> Self {
        Value::known(c)
    }
    fn scale(self, c: Fp) -> Self {
        self * Value::known(c)
    }
}

impl Arith for Fp {
    fn constant(c: Fp) -> Self {
        c
    }
    fn scale(self, c: Fp) -> Self {
        self * c
    }
}

/// `x(1 − x)`: zero exactly when `x` is boolean.
pub fn bool_check<T: Arith>(x: T) -> T {
    x.clone() * (T::one() - x)
}

/// `m − σ(2m + 1)`: the signed value of the code `m` with sign `σ` ([`crate::signed`]).
pub fn signed<T: Arith>(sigma: T, code: T) -> T {
    code.clone() - sigma * (code.scale(Fp::from(2)) + T::one())
}

/// `m + σ`: the magnitude of the signed value of code `m` and sign `σ`.
pub fn magnitude<T: Arith>(sigma: T, code: T) -> T {
    code + sigma
}

/// An asset slot's leaf word `a + 2^10·b + 2^74·l` ([`crate::hash::leaf`](mod@crate::hash::leaf)).
pub fn asset_word<T: Arith>(index: T, balance: T, debt: T) -> T {
    index + balance.scale(pow2(INDEX_BITS)) + debt.scale(pow2(INDEX_BITS + 64))
}

/// A position slot's leaf word `m + 2^10·m_s + 2^74·m_c + 2^202·σ_s + 2^203·σ_c`.
pub fn position_word<T: Arith>(
    index: T,
    size_code: T,
    cost_code: T,
    size_sign: T,
    cost_sign: T,
) -> T {
    index
        + size_code.scale(pow2(INDEX_BITS))
        + cost_code.scale(pow2(INDEX_BITS + 64))
        + size_sign.scale(pow2(INDEX_BITS + 192))
        + cost_sign.scale(pow2(INDEX_BITS + 193))
}

/// The tier table of asset `a` with net sign `σ`: `1 + 2a + σ`, its haircut table for σ = 0 and
/// its maintenance table for σ = 1 ([`crate::chips::tiered::TierTableIds`]).
pub fn asset_tier_table<T: Arith>(index: T, sigma: T) -> T {
    T::one() + index.scale(Fp::from(2)) + sigma
}

/// The tier table of market `m`: `MARKET_TIER_BASE + m`.
pub fn market_tier_table<T: Arith>(index: T) -> T {
    T::constant(Fp::from(MARKET_TIER_BASE)) + index
}

/// `inv·(h + empty)·(|s| − 2^64)·(|c| − 2^128)` with `h = σ_s + m_s + σ_c + m_c`: the
/// `position slot` gate's `held or empty, magnitudes in range` is this minus 1 (the witness
/// takes `inv` as the inverse of this with `inv = 1`).
pub fn position_slot_bound<T: Arith>(
    inverse: T,
    empty: T,
    size_sign: T,
    size_code: T,
    cost_sign: T,
    cost_code: T,
) -> T {
    let held = size_sign.clone() + size_code.clone() + cost_sign.clone() + cost_code.clone();
    inverse
        * (held + empty)
        * (magnitude(size_sign, size_code) - T::constant(pow2(QUANTITY_BITS as u32)))
        * (magnitude(cost_sign, cost_code) - T::constant(pow2(COST_BITS as u32)))
}

/// `x = (m + σ)·p = |v_a|`: an asset's net value at price `p`.
pub fn net_value<T: Arith>(sigma: T, code: T, price: T) -> T {
    magnitude(sigma, code) * price
}

/// `n = |s|·P`: a position's notional at mark price `P`.
pub fn notional<T: Arith>(size_sign: T, size_code: T, price: T) -> T {
    magnitude(size_sign, size_code) * price
}

/// `U = s·P − c`: a position's unrealized PnL at mark price `P`.
pub fn pnl<T: Arith>(size_sign: T, size_code: T, cost_sign: T, cost_code: T, price: T) -> T {
    signed(size_sign, size_code) * price - signed(cost_sign, cost_code)
}

/// What one slot adds to the account's three valuation accumulators.
#[derive(Debug, Clone)]
pub struct Valuation<T> {
    /// To adjusted equity `AE` (ν·ppm).
    pub adjusted_equity: T,
    /// To raw equity `E` (ν).
    pub equity: T,
    /// To the maintenance requirement `MR` (ν·ppm).
    pub requirement: T,
}

impl<T: Arith> Valuation<T> {
    /// Adds `step` to each accumulator.
    pub fn plus(self, step: Valuation<T>) -> Self {
        Valuation {
            adjusted_equity: self.adjusted_equity + step.adjusted_equity,
            equity: self.equity + step.equity,
            requirement: self.requirement + step.requirement,
        }
    }
}

/// An asset slot's step (SPEC §2): `W_a = F` (haircut) when `σ = 0`, else `RS·v_a = −RS·x`;
/// `v_a = (1 − 2σ)·x`; the borrow requirement `G_a(x) = F` when `σ = 1`.
pub fn asset_valuation<T: Arith>(sigma: T, value: T, tiered: T) -> Valuation<T> {
    Valuation {
        adjusted_equity: (T::one() - sigma.clone()) * tiered.clone()
            - (sigma.clone() * value.clone()).scale(Fp::from(RATE_SCALE)),
        equity: (T::one() - sigma.clone().scale(Fp::from(2))) * value,
        requirement: sigma * tiered,
    }
}

/// A position slot's step: `RS·U`, `U`, and the requirement `G_m(n) = F`.
pub fn position_valuation<T: Arith>(pnl: T, tiered: T) -> Valuation<T> {
    Valuation {
        adjusted_equity: pnl.clone().scale(Fp::from(RATE_SCALE)),
        equity: pnl,
        requirement: tiered,
    }
}

/// The margin test `AE·RS − θ·MR` (negative exactly when the account is below the threshold).
pub fn margin_test<T: Arith>(adjusted_equity: T, threshold: T, requirement: T) -> T {
    adjusted_equity.scale(Fp::from(RATE_SCALE)) - threshold * requirement
}

/// What the account status implies, from the equity's and the margin test's signs and codes.
#[derive(Debug, Clone)]
pub struct StatusTerms<T> {
    /// `(1 − σ_E)·σ_D`: liquidatable (not bankrupt, below the threshold).
    pub liquidatable: T,
    /// `(1 − σ_E)·m_E = max(E, 0)`.
    pub equity_owed: T,
    /// `σ_E·(m_E + 1) = max(−E, 0)`.
    pub bad_debt: T,
    /// `σ_D·(m_D + 1) = max(0, θ·MR − AE·RS)`.
    pub shortfall: T,
}

/// The status terms of signs `σ_E`, `σ_D` and codes `m_E`, `m_D`.
pub fn status_terms<T: Arith>(
    equity_sign: T,
    equity_code: T,
    margin_sign: T,
    margin_code: T,
) -> StatusTerms<T> {
    StatusTerms {
        liquidatable: (T::one() - equity_sign.clone()) * margin_sign.clone(),
        equity_owed: (T::one() - equity_sign.clone()) * equity_code.clone(),
        bad_debt: equity_sign * (equity_code + T::one()),
        shortfall: margin_sign * (margin_code + T::one()),
    }
}

/// `r − a`: asset `a`'s pole of the bucket identity.
pub fn asset_pole<T: Arith>(r: T, index: T) -> T {
    r - index
}

/// `r − 1024 − m`: market `m`'s pole.
pub fn market_pole<T: Arith>(r: T, index: T) -> T {
    r - T::constant(Fp::from(MARKET_POLE_OFFSET)) - index
}

/// `r − u`: the pole of the distinct key `u`.
pub fn distinct_pole<T: Arith>(r: T, key: T) -> T {
    r - key
}

/// `r − 1320 − j − 17·z`: the margin bucket `j`'s pole, or the no-requirement pole (`z = 1`).
pub fn distribution_pole<T: Arith>(r: T, bucket: T, no_requirement: T) -> T {
    r - T::constant(Fp::from(DISTRIBUTION_POLE_OFFSET))
        - bucket
        - no_requirement.scale(Fp::from(NO_REQUIREMENT_POLE))
}

/// `(b + ρ·l)·t`: an asset slot's term, `t` the inverse of its pole.
pub fn asset_bucket_term<T: Arith>(rho: T, balance: T, debt: T, t: T) -> T {
    (balance + rho * debt) * t
}

/// `(s + ρ·|s| + ρ²·U)·t`: a position slot's term, `t` the inverse of its pole.
pub fn position_bucket_term<T: Arith>(rho: T, size: T, open: T, pnl: T, t: T) -> T {
    (size + rho.clone() * open + rho.clone() * rho * pnl) * t
}

/// `γ·is_real·t`: an account's distinct-key term, `t` the inverse of its pole.
pub fn distinct_term<T: Arith>(gamma: T, is_real: T, t: T) -> T {
    gamma * is_real * t
}

/// `(1 − 2σ)·x`: the signed value of a magnitude `x` with sign `σ` (a slot's `v_a` from
/// `x = |v_a|`, or `n_m` from the notional `|s_m|·P_m`).
pub fn signed_value<T: Arith>(sigma: T, x: T) -> T {
    x.clone() - sigma.scale(Fp::from(2)) * x
}

/// One slot's term of a shock's loss (SPEC §12): `−(1 − 2σ)·x·μ` with the move `μ = c − RS` of
/// its table code `c` ([`crate::config::move_code`]).
pub fn shock_loss_term<T: Arith>(sigma: T, x: T, move_code: T) -> T {
    T::constant(Fp::ZERO) - signed_value(sigma, x) * (move_code - T::constant(Fp::from(RATE_SCALE)))
}

/// `MR − c`: how far the requirement `MR` is above a candidate `c` (a shock's loss, or the floor
/// `φ·gross`); range-checked non-negative.
pub fn requirement_margin<T: Arith>(requirement: T, candidate: T) -> T {
    requirement - candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_tables_are_linear_in_the_index() {
        assert_eq!(asset_tier_table(Fp::from(3), Fp::ZERO), Fp::from(7));
        assert_eq!(asset_tier_table(Fp::from(3), Fp::ONE), Fp::from(8));
        assert_eq!(market_tier_table(Fp::ZERO), Fp::from(MARKET_TIER_BASE));
    }

    #[test]
    fn signed_codes_decode() {
        // code 4 with sign 1 is −5; magnitude 5.
        assert_eq!(signed(Fp::ONE, Fp::from(4)), -Fp::from(5));
        assert_eq!(magnitude(Fp::ONE, Fp::from(4)), Fp::from(5));
        assert_eq!(signed(Fp::ZERO, Fp::from(4)), Fp::from(4));
    }

    #[test]
    fn status_terms_of_a_bankrupt_account() {
        // E = −5 (σ_E = 1, m_E = 4), test −3 (σ_D = 1, m_D = 2).
        let t = status_terms(Fp::ONE, Fp::from(4), Fp::ONE, Fp::from(2));
        assert_eq!(t.liquidatable, Fp::ZERO);
        assert_eq!(t.equity_owed, Fp::ZERO);
        assert_eq!(t.bad_debt, Fp::from(5));
        assert_eq!(t.shortfall, Fp::from(3));
    }
}
