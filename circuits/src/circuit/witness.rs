//! The private witness of one batch, as field elements, built from records by the native model.
//!
//! The circuit assigns these values and derives the rest (words, accumulators, totals) from them;
//! negative tests change a field here and watch the named constraint fail.

use ff::Field;
use num_bigint::BigInt;

use crate::config::RiskParams;
use crate::field::{fp_from_bigint, fp_from_bool, fp_from_u128, Fp};
use crate::model::{evaluate, AccountRecord, TierPoint, TierTable, Totals};
use crate::signed::SignedCode;

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

/// One asset of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetWitness {
    /// `b` (atoms).
    pub balance: Fp,
    /// `l` (atoms).
    pub debt: Fp,
    /// `σ = [b < l]`.
    pub negative: Fp,
    /// Code of `b − l` (see [`SignedCode`]).
    pub code: Fp,
    /// `x = |b − l| · p`.
    pub value: Fp,
    /// `x` in `H_a` (σ = 0) or `G_a` (σ = 1).
    pub tier: TierWitness,
}

/// One position of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionWitness {
    /// `[s < 0]`.
    pub size_negative: Fp,
    /// Code of `s`.
    pub size_code: Fp,
    /// `[c < 0]`.
    pub cost_negative: Fp,
    /// Code of `c`.
    pub cost_code: Fp,
    /// `|s| · P`.
    pub notional: Fp,
    /// `U = s·P − c`.
    pub pnl: Fp,
    /// Notional in `G_m`.
    pub tier: TierWitness,
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
    /// `id_hash` (0 for padding).
    pub id_hash: Fp,
    /// `1 / id_hash`, or 0 for padding.
    pub id_inverse: Fp,
    /// 1 for a real account, 0 for padding.
    pub is_real: Fp,
    /// The salt (0 for padding).
    pub salt: Fp,
    /// Per asset.
    pub assets: Vec<AssetWitness>,
    /// Per market.
    pub positions: Vec<PositionWitness>,
    /// Status.
    pub status: StatusWitness,
}

fn code(x: &BigInt) -> (Fp, Fp) {
    let c = SignedCode::of(x);
    (fp_from_bool(c.negative), fp_from_bigint(&c.code))
}

impl AccountWitness {
    /// The witness of a real account (`id_hash ≠ 0`) or of padding (`id_hash = 0`, empty record).
    pub fn new(params: &RiskParams, record: &AccountRecord, id_hash: Fp, salt: Fp) -> Self {
        let risk = evaluate(params, record);
        let assets = params
            .assets
            .iter()
            .zip(&risk.assets)
            .enumerate()
            .map(|(i, (a, v))| {
                let net = BigInt::from(record.balances[i]) - BigInt::from(record.debts[i]);
                let (negative, code) = code(&net);
                let table = if v.net_negative {
                    &a.maintenance
                } else {
                    &a.haircut
                };
                AssetWitness {
                    balance: Fp::from(record.balances[i]),
                    debt: Fp::from(record.debts[i]),
                    negative,
                    code,
                    value: fp_from_u128(v.value),
                    tier: TierWitness::new(table, &v.tier),
                }
            })
            .collect();
        let positions = params
            .markets
            .iter()
            .zip(&risk.positions)
            .zip(&record.positions)
            .map(|((m, v), p)| {
                let (size_negative, size_code) = code(&BigInt::from(p.size));
                let (cost_negative, cost_code) = code(&p.cost);
                PositionWitness {
                    size_negative,
                    size_code,
                    cost_negative,
                    cost_code,
                    notional: fp_from_u128(v.notional),
                    pnl: fp_from_bigint(&v.pnl),
                    tier: TierWitness::new(&m.maintenance, &v.tier),
                }
            })
            .collect();
        let (equity_negative, equity_code) = code(&risk.equity);
        let (margin_negative, margin_code) = code(&risk.margin_test);
        let is_real = !bool::from(id_hash.is_zero());
        AccountWitness {
            id_hash,
            id_inverse: Option::from(id_hash.invert()).unwrap_or(Fp::ZERO),
            is_real: fp_from_bool(is_real),
            salt,
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

    /// A padding slot: `id_hash = 0`, `salt = 0`, the empty record.
    pub fn padding(params: &RiskParams) -> Self {
        Self::new(
            params,
            &AccountRecord::empty("", params),
            Fp::ZERO,
            Fp::ZERO,
        )
    }
}

/// The opening of the running-totals commitments around one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsOpening {
    /// Totals before the batch, in canonical order ([`Totals::entries`]).
    pub before: Vec<Fp>,
    /// Totals after the batch, as the prover claims them; the circuit checks the sums.
    pub after: Vec<Fp>,
    /// Blinding of `C_i`.
    pub blinding_before: Fp,
    /// Blinding of `C_{i+1}`.
    pub blinding_after: Fp,
}

impl TotalsOpening {
    /// The opening for totals before and after the batch and the two blindings.
    pub fn new(before: &Totals, after: &Totals, blinding_before: Fp, blinding_after: Fp) -> Self {
        let fields = |t: &Totals| t.entries().iter().map(fp_from_bigint).collect();
        TotalsOpening {
            before: fields(before),
            after: fields(after),
            blinding_before,
            blinding_after,
        }
    }
}
