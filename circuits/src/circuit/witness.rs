//! The private witness of one batch, as field elements, built from records by the native model.
//!
//! The circuit assigns these values and derives the rest (words, accumulators, totals) from them;
//! negative tests change a field here and watch the named constraint fail.

use ff::Field;
use num_bigint::BigInt;

use crate::config::RiskParams;
use crate::field::{fp_from_bigint, fp_from_bool, fp_from_u128, Fp};
use crate::hash::leaf::pow2;
use crate::model::buckets::{
    asset_fraction, asset_pole_inverse, market_pole_inverse, position_fraction, BucketChallenges,
};
use crate::model::holdings::{Holdings, SlotShape};
use crate::model::risk::{value_asset, value_position};
use crate::model::totals::chain_entries;
use crate::model::{evaluate, AccountRecord, AccountRisk, TierPoint, TierTable, Totals};
use crate::signed::SignedCode;
use crate::units::{COST_BITS, QUANTITY_BITS};

/// Where a value falls in a tier table, and the tier's public parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierWitness {
    /// Lower bound of the tier (ν).
    pub lower: Fp,
    /// Largest offset in the tier.
    pub max_offset: Fp,
    /// `F(lower)`.
    pub base: Fp,
    /// Marginal rate (ppm).
    pub rate: Fp,
    /// `x − lower`.
    pub offset: Fp,
    /// `max_offset − offset`.
    pub room: Fp,
    /// `F(x)`.
    pub value: Fp,
}

impl TierWitness {
    fn new(table: &TierTable, point: &TierPoint) -> Self {
        let tier = &table.tiers()[point.index];
        TierWitness {
            lower: fp_from_u128(tier.lower),
            max_offset: fp_from_u128(tier.max_offset),
            base: fp_from_bigint(&tier.base),
            rate: Fp::from(u64::from(tier.rate)),
            offset: fp_from_u128(point.offset),
            room: fp_from_u128(point.room),
            value: fp_from_bigint(&point.value),
        }
    }
}

/// One asset slot of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetWitness {
    /// Asset index `a` (0 for an empty slot).
    pub index: Fp,
    /// `b` (atoms).
    pub balance: Fp,
    /// `l` (atoms).
    pub debt: Fp,
    /// `σ = [b < l]`.
    pub negative: Fp,
    /// Code of `b − l` (see [`SignedCode`]).
    pub code: Fp,
    /// `p_a`, looked up in the instrument table.
    pub price: Fp,
    /// `x = |b − l| · p_a`.
    pub value: Fp,
    /// `x` in `H_a` (σ = 0) or `G_a` (σ = 1).
    pub tier: TierWitness,
    /// `[b + l = 0]`: the slot is empty.
    pub empty: Fp,
    /// `1 / (b + l)`, or 0 when empty.
    pub empty_inverse: Fp,
    /// `a − a_prev − 1` for a held slot after the first, else 0.
    pub gap: Fp,
}

/// One position slot of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionWitness {
    /// Market index `m` (0 for an empty slot).
    pub index: Fp,
    /// `[s < 0]`.
    pub size_negative: Fp,
    /// Code of `s`.
    pub size_code: Fp,
    /// `[c < 0]`.
    pub cost_negative: Fp,
    /// Code of `c`.
    pub cost_code: Fp,
    /// `P_m`, looked up in the instrument table.
    pub mark_price: Fp,
    /// `|s| · P`.
    pub notional: Fp,
    /// `U = s·P − c`.
    pub pnl: Fp,
    /// Notional in `G_m`.
    pub tier: TierWitness,
    /// `[code(s) + σ_s + code(c) + σ_c = 0]`: the slot is empty.
    pub empty: Fp,
    /// `1 / ((h + empty)·(|s| − 2^64)·(|c| − 2^128))` with `h` that sum (the `position slot`
    /// gate's `held or empty, magnitudes in range`), or 0 when there is none (a size or cost one
    /// past its bound).
    pub slot_inverse: Fp,
    /// `m − m_prev − 1` for a held slot after the first, else 0.
    pub gap: Fp,
}

/// The account's status decomposition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusWitness {
    /// `[E < 0]`: bankrupt.
    pub equity_negative: Fp,
    /// Code of `E`.
    pub equity_code: Fp,
    /// `[AE·RS − θ·MR < 0]`.
    pub margin_negative: Fp,
    /// Code of `AE·RS − θ·MR`.
    pub margin_code: Fp,
    /// Liquidatable flag.
    pub liquidatable: Fp,
}

/// One account slot of a batch (a real account or padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountWitness {
    /// The account key `Poseidon_key(id_hash, salt)` (0 for padding).
    pub key: Fp,
    /// `1 / key`, or 0 for padding.
    pub key_inverse: Fp,
    /// 1 for a real account, 0 for padding.
    pub is_real: Fp,
    /// Asset slots.
    pub assets: Vec<AssetWitness>,
    /// Position slots.
    pub positions: Vec<PositionWitness>,
    /// Status.
    pub status: StatusWitness,
}

fn code(x: &BigInt) -> (Fp, Fp) {
    let c = SignedCode::of(x);
    (fp_from_bool(c.negative), fp_from_bigint(&c.code))
}

fn inverse_or_zero(x: Fp) -> Fp {
    Option::from(x.invert()).unwrap_or(Fp::ZERO)
}

/// `a − a_prev − 1` when slot `i > 0` is held, else 0.
fn gap(i: usize, held: bool, index: usize, previous: Option<usize>) -> Fp {
    match previous {
        Some(prev) if i > 0 && held && index > prev => Fp::from((index - prev - 1) as u64),
        _ => Fp::ZERO,
    }
}

impl AccountWitness {
    /// The witness of an account with key `key` (0 for padding), its `holdings` in the batch's
    /// slot shape, and `risk`, its valuation under `params` ([`evaluate`]).
    pub fn new(params: &RiskParams, risk: &AccountRisk, holdings: &Holdings, key: Fp) -> Self {
        let mut previous = None;
        let assets = holdings
            .assets
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let asset = &params.assets[slot.index];
                // A held slot's valuation is the model's; an empty slot values nothing.
                let v = match risk.assets.get(slot.index) {
                    Some(v) if !slot.is_empty() => v.clone(),
                    _ => value_asset(0, 0, asset),
                };
                let net = BigInt::from(slot.balance) - BigInt::from(slot.debt);
                let (negative, code) = code(&net);
                let table = if v.net_negative {
                    &asset.maintenance
                } else {
                    &asset.haircut
                };
                let sum = Fp::from(slot.balance) + Fp::from(slot.debt);
                let w = AssetWitness {
                    index: Fp::from(slot.index as u64),
                    balance: Fp::from(slot.balance),
                    debt: Fp::from(slot.debt),
                    negative,
                    code,
                    price: Fp::from(asset.price),
                    value: fp_from_u128(v.value),
                    tier: TierWitness::new(table, &v.tier),
                    empty: fp_from_bool(slot.is_empty()),
                    empty_inverse: inverse_or_zero(sum),
                    gap: gap(i, !slot.is_empty(), slot.index, previous),
                };
                previous = Some(slot.index);
                w
            })
            .collect();
        let mut previous = None;
        let positions = holdings
            .positions
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let market = &params.markets[slot.index];
                let v = match risk.positions.get(slot.index) {
                    Some(v) if !slot.is_empty() => v.clone(),
                    _ => value_position(&slot.position, market),
                };
                let (size_negative, size_code) = code(&BigInt::from(slot.position.size));
                let (cost_negative, cost_code) = code(&slot.position.cost);
                let sum = size_negative + size_code + cost_negative + cost_code;
                let empty = fp_from_bool(slot.is_empty());
                let bounds = (size_code + size_negative - pow2(QUANTITY_BITS as u32))
                    * (cost_code + cost_negative - pow2(COST_BITS as u32));
                let w = PositionWitness {
                    index: Fp::from(slot.index as u64),
                    size_negative,
                    size_code,
                    cost_negative,
                    cost_code,
                    mark_price: Fp::from(market.mark_price),
                    notional: fp_from_u128(v.notional),
                    pnl: fp_from_bigint(&v.pnl),
                    tier: TierWitness::new(&market.maintenance, &v.tier),
                    empty,
                    slot_inverse: inverse_or_zero((sum + empty) * bounds),
                    gap: gap(i, !slot.is_empty(), slot.index, previous),
                };
                previous = Some(slot.index);
                w
            })
            .collect();
        let (equity_negative, equity_code) = code(&risk.equity);
        let (margin_negative, margin_code) = code(&risk.margin_test);
        let is_real = !bool::from(key.is_zero());
        AccountWitness {
            key,
            key_inverse: inverse_or_zero(key),
            is_real: fp_from_bool(is_real),
            assets,
            positions,
            status: StatusWitness {
                equity_negative,
                equity_code,
                margin_negative,
                margin_code,
                liquidatable: fp_from_bool(risk.status == crate::model::Status::Liquidatable),
            },
        }
    }

    /// This account's term of the bucket identity: the sum of its slots' fractions, the value
    /// the account region's last `bk` cell holds.
    pub fn bucket_term(&self, c: BucketChallenges) -> Fp {
        let assets = self
            .assets
            .iter()
            .map(|a| asset_fraction(c.rho, a.balance, a.debt, asset_pole_inverse(c.r, a.index)));
        let positions = self.positions.iter().map(|p| {
            let (sigma, m) = (p.size_negative, p.size_code);
            let size = m - sigma * (m + m + Fp::ONE);
            position_fraction(
                c.rho,
                size,
                m + sigma,
                p.pnl,
                market_pole_inverse(c.r, p.index),
            )
        });
        assets.chain(positions).fold(Fp::ZERO, |acc, x| acc + x)
    }

    /// A padding slot: `key = 0`, every slot empty.
    pub fn padding(params: &RiskParams, shape: SlotShape) -> Self {
        Self::new(
            params,
            &evaluate(params, &AccountRecord::empty("", params)),
            &Holdings::empty(shape),
            Fp::ZERO,
        )
    }
}

/// The opening of the running-totals commitments around one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsOpening {
    /// The chain entries before the batch ([`chain_entries`]).
    pub before: Vec<Fp>,
    /// The chain entries after the batch, as the prover claims them; the circuit checks the sums.
    pub after: Vec<Fp>,
    /// Blinding of `C_i`.
    pub blinding_before: Fp,
    /// Blinding of `C_{i+1}`.
    pub blinding_after: Fp,
}

impl TotalsOpening {
    /// The opening for the running totals and bucket sums before and after the batch and the
    /// two blindings.
    pub fn new(
        before: (&Totals, Fp),
        after: (&Totals, Fp),
        blinding_before: Fp,
        blinding_after: Fp,
    ) -> Self {
        TotalsOpening {
            before: chain_entries(before.0, before.1),
            after: chain_entries(after.0, after.1),
            blinding_before,
            blinding_after,
        }
    }
}
