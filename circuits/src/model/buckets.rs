//! The bucket identity that proves the per-instrument totals of SPEC §4 from sparse slots, in its
//! one native form: each slot's fraction, an account's term, and the totals' side.
//!
//! Each account holds a few `(index, quantities)` slots; the totals are per instrument. Over the
//! whole snapshot, with public challenges `(r, ρ)`:
//!
//! ```text
//! Σ_accounts Σ_slots frac(slot)  =  Σ_a (T_b,a + ρ·T_l,a)/(r − a)  +  Σ_m (T_s,m + ρ·T_|s|,m + ρ²·T_U,m)/(r − 1024 − m)
//! frac(asset slot a)   = (b + ρ·l)/(r − a)
//! frac(position slot m) = (s + ρ·|s| + ρ²·U)/(r − 1024 − m)
//! ```
//!
//! The stress totals of SPEC §7 ride in the same identity, each at poles of its own above every
//! instrument's: scenario `s`'s five outcome totals (liquidatable, bankrupt, equity owed, bad
//! debt, shortfall, in [`crate::model::totals::OutcomeTotal::ALL`] order) at
//! `1280 + 5s + t`, and the distribution's count of pole `π` (bucket `j`, or the no-requirement
//! count at 17) at `1320 + π`:
//!
//! ```text
//! frac(scenario s of an account) = Σ_t v_t/(r − 1280 − 5s − t)      v = its five outcome terms
//! frac(distribution)             = is_real/(r − 1320 − π)             π its bucket's pole
//! ```
//!
//! All poles are distinct integers below 1,338, so the argument below holds unchanged with at
//! most `5·8 + 1` more terms per account and `5S + 18` more on the totals' side.
//!
//! The batch circuit proves each account's term (gates `bucket pole`, `bucket term` of
//! [`crate::chips::account`]) and carries their running sum `S` in the chain of totals
//! commitments; the verifier opens the last commitment to `S` and checks it against the right
//! side computed from the published totals ([`totals_side`]). Both sides are rational functions
//! of `(r, ρ)`; if a published total differs from the true sum of its slots they differ as
//! functions and agree at a random point with probability at most
//! `(N·(S + P + 5·Σ + 3) + A + M + 5·Σ + 20)/p < 2^-200` for `N < 2^32` accounts of at most
//! 1,280 slots and `Σ ≤ 8` scenarios (each account's five outcome terms per scenario, its
//! distribution term and its distinct-key term, and the totals' side's matching poles and the
//! list's). The challenges are `Poseidon_challenge(tag, R, digest(T), layout, K, digest(list), n)`
//! ([`crate::statement::snapshot_challenges`]): the
//! root `R` binds every slot word of every batch together with its size class (the class is each
//! leaf's capacity, so a batch root says whether a word is an asset or a position), the layout
//! digest every batch's class, and the digest every published instrument total, so all of them
//! are fixed before `(r, ρ, γ)` is known (Fiat–Shamir). Each account's distinct-key term
//! `γ·is_real/(r − u)` and the published list's `−Σ γ/(r − w)` ride in the same identity
//! ([`crate::model::distinct`]): the only numerators with `γ`, so they cancel only against each
//! other. No per-batch total is ever committed
//! per instrument, so a batch's cost does not depend on how many instruments the configuration
//! lists.

use ff::Field;

use crate::field::{fp_from_bigint, Fp};
use crate::model::stress::OUTCOME_TOTALS;
use crate::model::totals::Totals;
use crate::relations::{
    asset_bucket_term, asset_pole, distinct_pole, distinct_term, distribution_pole, market_pole,
    position_bucket_term,
};
pub use crate::relations::{DISTRIBUTION_POLE_OFFSET, MARKET_POLE_OFFSET, SCENARIO_POLE_OFFSET};

/// The first of scenario `s`'s five poles: outcome total `t` is at this plus `t`.
pub fn scenario_pole_base(s: usize) -> u64 {
    SCENARIO_POLE_OFFSET + (OUTCOME_TOTALS * s) as u64
}

/// `1/(r − pole)` of a constant pole.
pub fn pole_inverse(r: Fp, pole: u64) -> Fp {
    inverse_or_zero(r - Fp::from(pole))
}

/// `Σ_t v_t/(r − base − t)`: one account's term of scenario `s` from its five outcome terms.
pub fn outcome_fraction(r: Fp, s: usize, values: [Fp; OUTCOME_TOTALS]) -> Fp {
    let base = scenario_pole_base(s);
    values.iter().enumerate().fold(Fp::ZERO, |acc, (t, v)| {
        acc + *v * pole_inverse(r, base + t as u64)
    })
}

/// `1/(r − 1320 − π)` for a pole number `π` (a field element in the circuit's witness).
pub fn distribution_pole_inverse(r: Fp, pole: Fp) -> Fp {
    inverse_or_zero(distribution_pole(r, pole, Fp::ZERO))
}

/// `count/(r − 1320 − π)`: a count's term of the distribution, `π` its bucket's pole.
pub fn distribution_fraction(r: Fp, pole: u64, count: Fp) -> Fp {
    count * distribution_pole_inverse(r, Fp::from(pole))
}

/// The public challenges of the bucket identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketChallenges {
    /// `r`: where the fractions are evaluated.
    pub r: Fp,
    /// `ρ`: weight between the totals of one instrument.
    pub rho: Fp,
    /// `γ`: weight of the distinct-key terms ([`distinct_fraction`]).
    pub gamma: Fp,
}

/// `γ·is_real/(r − u)`: an account's distinct-key term, `u` its distinct key
/// ([`crate::model::distinct`]); padding (`is_real = 0`) adds nothing.
pub fn distinct_fraction(c: BucketChallenges, is_real: Fp, key: Fp) -> Fp {
    distinct_term(c.gamma, is_real, inverse_or_zero(distinct_pole(c.r, key)))
}

/// `1/x`, or 0 when `x = 0` (then the `bucket pole` gate has no solution: an honest proof fails,
/// with probability 2^-240, and no dishonest one passes).
pub fn inverse_or_zero(x: Fp) -> Fp {
    Option::from(x.invert()).unwrap_or(Fp::ZERO)
}

/// `1/(r − pole)` of asset `a`.
pub fn asset_pole_inverse(r: Fp, index: Fp) -> Fp {
    inverse_or_zero(asset_pole(r, index))
}

/// `1/(r − 1024 − m)` of market `m`.
pub fn market_pole_inverse(r: Fp, index: Fp) -> Fp {
    inverse_or_zero(market_pole(r, index))
}

/// `(b + ρ·l)·t`: the fraction of an asset slot, with `t` its pole inverse.
pub fn asset_fraction(rho: Fp, balance: Fp, debt: Fp, t: Fp) -> Fp {
    asset_bucket_term(rho, balance, debt, t)
}

/// `(s + ρ·|s| + ρ²·U)·t`: the fraction of a position slot, with `t` its pole inverse.
pub fn position_fraction(rho: Fp, size: Fp, open: Fp, pnl: Fp, t: Fp) -> Fp {
    position_bucket_term(rho, size, open, pnl, t)
}

/// The right side of the identity from the published totals.
pub fn totals_side(totals: &Totals, c: BucketChallenges) -> Fp {
    let assets = totals.assets.iter().enumerate().map(|(a, t)| {
        let pole = asset_pole_inverse(c.r, Fp::from(a as u64));
        asset_fraction(
            c.rho,
            fp_from_bigint(&t.balance),
            fp_from_bigint(&t.debt),
            pole,
        )
    });
    let markets = totals.markets.iter().enumerate().map(|(m, t)| {
        let pole = market_pole_inverse(c.r, Fp::from(m as u64));
        position_fraction(
            c.rho,
            fp_from_bigint(&t.net_size),
            fp_from_bigint(&t.open_interest),
            fp_from_bigint(&t.pnl),
            pole,
        )
    });
    let scenarios = totals.scenarios.iter().enumerate().map(|(s, o)| {
        let values = o.entries().map(fp_from_bigint);
        outcome_fraction(c.r, s, values)
    });
    let distribution = totals.distribution.iter().flat_map(|d| {
        d.poles()
            .map(|(pole, count)| distribution_fraction(c.r, pole, fp_from_bigint(count)))
            .collect::<Vec<_>>()
    });
    assets
        .chain(markets)
        .chain(scenarios)
        .chain(distribution)
        .fold(Fp::ZERO, |acc, x| acc + x)
}
