//! Units and the bounds every quantity of SPEC §2 lives in. Each gate's bound comment refers here.

/// The rate scale RS: rates are integers in parts per million.
pub const RATE_SCALE: u64 = 1_000_000;
/// Decimal digits of the value unit ν = 10⁻¹⁸ USD.
pub const VALUE_DECIMALS: u32 = 18;
/// Decimal digits of a rate (ppm).
pub const RATE_DECIMALS: u32 = 6;

/// Quantities (balances, debts, position sizes in atoms) are below 2^64.
pub const QUANTITY_BITS: usize = 64;
/// Prices (ν per atom) are below 2^64.
pub const PRICE_BITS: usize = 64;
/// Position costs are below 2^128 ν in magnitude.
pub const COST_BITS: usize = 128;
/// Values `|net quantity| · price` and notionals are below 2^128 ν, and so are tier boundaries.
pub const VALUE_BITS: usize = 128;

/// At most this many assets in a configuration (bounds every per-account sum below).
pub const MAX_ASSETS: usize = 1024;
/// At most this many perpetual markets in a configuration.
pub const MAX_MARKETS: usize = 256;
/// At most this many tiers in one table (SPEC §2).
pub const MAX_TIERS: usize = 8;
/// At most this many stress scenarios (SPEC §7).
pub const MAX_SCENARIOS: usize = 8;
/// At most this many margin-ratio edges (SPEC §7); edges are below 2^32 ppm, as the threshold.
pub const MAX_EDGES: usize = 16;
/// The liquidation threshold is below 2^32 ppm (a margin ratio below 4294).
pub const THRESHOLD_BITS: usize = 32;

/// |raw equity E| < 1024·2^128 + 256·2^129 < 2^139 (one slot per instrument at most): its
/// sign/magnitude split is checked to this many bits.
pub const EQUITY_BITS: usize = 144;
/// |AE·RS − θ·MR| < 2^179 + 2^195 < 2^196 (`AE < 1280·2^148 < 2^159`; `MR < 2^163`, the
/// portfolio-margin bound [`PORTFOLIO_REQUIREMENT_BITS`], above the standard `1280·2^148`;
/// `θ < 2^32`): its sign/magnitude split is checked to this many bits.
pub const MARGIN_TEST_BITS: usize = 196;

/// At most this many portfolio-margin shocks (SPEC §12).
pub const MAX_SHOCKS: usize = 16;
/// A shock's relative move μ is in `[−10^6, 10^7]` ppm (SPEC §12): the table holds its code
/// `μ + RS`, in `[0, 11·10^6] ⊂ [0, 2^24)`.
pub const MOVE_MIN_PPM: i64 = -(RATE_SCALE as i64);
/// The largest relative move, ppm (+1000%).
pub const MOVE_MAX_PPM: i64 = 10 * RATE_SCALE as i64;
/// A portfolio-margin unit's loss under one shock, `|loss_g| = |Σ v·μ| ≤ 1280·2^128·10^7 <
/// 2^163` (at most 1024 + 256 slots, each `|v| < 2^128`, `|μ| ≤ 10^7 < 2^24`), and so is
/// `φ·gross ≤ 10^6·1280·2^128 < 2^159`; `MR_pm`, the largest of them or 0, is below 2^163.
pub const PORTFOLIO_REQUIREMENT_BITS: usize = 163;
/// `MR_pm − loss_g` for a requirement at least the loss: in `[0, 2^164)`.
pub const PORTFOLIO_MARGIN_BITS: usize = PORTFOLIO_REQUIREMENT_BITS + 1;
/// Accounts in one snapshot are below 2^32, so every total stays below 2^32 · 2^196 = 2^228 < p.
pub const MAX_ACCOUNTS_LOG2: usize = 32;

/// Largest magnitude, in bits, of each published total: its per-account bound plus
/// [`MAX_ACCOUNTS_LOG2`]. Every one is below 2^253 < p/2, so a total in range is the only integer
/// in range with its field element: the verifier refuses any other (a total off by a multiple
/// of p would otherwise open the same commitment).
pub mod total_bits {
    use super::*;
    /// Σ b, Σ l, Σ |s| (non-negative) and Σ s (signed): quantities below 2^64.
    pub const QUANTITY: usize = QUANTITY_BITS + MAX_ACCOUNTS_LOG2;
    /// Σ U (signed): `|U| < 2^128 + 2^128`.
    pub const PNL: usize = COST_BITS + 1 + MAX_ACCOUNTS_LOG2;
    /// Counts: at most one per account.
    pub const COUNT: usize = 1 + MAX_ACCOUNTS_LOG2;
    /// Σ max(E, 0) and Σ max(−E, 0): the equity code is below 2^144.
    pub const EQUITY: usize = EQUITY_BITS + 1 + MAX_ACCOUNTS_LOG2;
    /// Σ max(0, θ·MR − AE·RS): the margin code is below 2^196.
    pub const SHORTFALL: usize = MARGIN_TEST_BITS + 1 + MAX_ACCOUNTS_LOG2;
    const _: () = assert!(SHORTFALL < 253 && EQUITY < 253 && PNL < 253);
}
