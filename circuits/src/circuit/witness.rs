//! The private witness of one batch, as field elements, built from records by the native model.
//!
//! The circuit assigns these values and derives the rest (words, accumulators, totals) from them;
//! negative tests change a field here and watch the named constraint fail.

use ff::Field;
use num_bigint::BigInt;

use crate::chips::account::rows::StatusRow;
use crate::config::{move_code, PortfolioParams, PriceVector, RiskParams};
use crate::field::{fp_from_bigint, fp_from_bool, fp_from_u128, Fp};
use crate::model::buckets::{
    asset_fraction, asset_pole_inverse, distinct_fraction, distribution_pole_inverse,
    market_pole_inverse, outcome_fraction, position_fraction, BucketChallenges,
};
use crate::model::holdings::{Holdings, SlotShape};
use crate::model::portfolio::{portfolio_risk, MarginMode};
use crate::model::risk::{
    adjusted_equity, maintenance_requirement, margin_test, net_value, raw_equity, status,
    value_asset, value_asset_at, value_position, value_position_at,
};
use crate::model::stress::{edge_test, margin_bucket, MarginBucket, OUTCOME_TOTALS};
use crate::model::totals::chain_entries;
use crate::model::{evaluate, AccountRecord, AccountRisk, TierPoint, TierTable, Totals};
use crate::relations::{magnitude, position_slot_bound, signed, status_terms};
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
    /// The witness of `point`, located in `table` ([`TierTable::locate`]).
    pub fn new(table: &TierTable, point: &TierPoint) -> Self {
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

/// One asset slot valued under a scenario: the slot's quantities are the base row's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioAssetWitness {
    /// The scenario's `p_a`, looked up in its price block.
    pub price: Fp,
    /// `x = |b − l| · p_a`.
    pub value: Fp,
    /// `x` in `H_a` or `G_a`.
    pub tier: TierWitness,
}

/// One position slot valued under a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioPositionWitness {
    /// The scenario's `P_m`.
    pub mark_price: Fp,
    /// `|s| · P`.
    pub notional: Fp,
    /// `U = s·P − c`.
    pub pnl: Fp,
    /// Notional in `G_m`.
    pub tier: TierWitness,
}

/// One account valued under one scenario (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioWitness {
    /// Per asset slot.
    pub assets: Vec<ScenarioAssetWitness>,
    /// Per position slot.
    pub positions: Vec<ScenarioPositionWitness>,
    /// The status under the scenario.
    pub status: StatusWitness,
}

/// A portfolio-margin unit's witness (SPEC §12), for the gates of
/// [`crate::chips::account::portfolio`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioWitness {
    /// Per shock, per slot (assets, then positions): the code `μ + RS` of the slot's
    /// instrument's move ([`crate::config::move_code`]), looked up in the shock's block.
    pub moves: Vec<Vec<Fp>>,
    /// φ (ppm), looked up in the floor's row.
    pub floor_rate: Fp,
    /// `MR_pm` per valuation: the base prices, then each scenario's.
    pub requirements: Vec<Fp>,
}

impl PortfolioWitness {
    /// The witness of `holdings` under the grid of `params` at the base prices and each
    /// scenario's.
    fn new(params: &RiskParams, grid: &PortfolioParams, holdings: &Holdings) -> Self {
        let moves = grid
            .shocks
            .iter()
            .map(|s| {
                let assets = holdings.assets.iter().map(|a| s.moves.assets[a.index]);
                let markets = holdings.positions.iter().map(|p| s.moves.markets[p.index]);
                assets
                    .chain(markets)
                    .map(|m| Fp::from(move_code(m)))
                    .collect()
            })
            .collect();
        let requirements = std::iter::once(params.base_prices())
            .chain(params.scenarios.iter().map(|s| s.prices.clone()))
            .map(|prices| fp_from_bigint(&portfolio_requirement(grid, &prices, holdings)))
            .collect();
        PortfolioWitness {
            moves,
            floor_rate: Fp::from(grid.floor_ppm),
            requirements,
        }
    }
}

/// `MR_pm` of `holdings` at `prices` ([`portfolio_risk`], the model's one definition).
fn portfolio_requirement(
    grid: &PortfolioParams,
    prices: &PriceVector,
    holdings: &Holdings,
) -> BigInt {
    let net_values: Vec<(usize, BigInt)> = holdings
        .assets
        .iter()
        .map(|a| {
            let v = net_value(a.balance, a.debt, prices.assets[a.index]);
            (a.index, v)
        })
        .collect();
    let notionals: Vec<(usize, BigInt)> = holdings
        .positions
        .iter()
        .map(|p| {
            let n = BigInt::from(p.position.size) * BigInt::from(prices.markets[p.index]);
            (p.index, n)
        })
        .collect();
    portfolio_risk(grid, &net_values, &notionals).requirement
}

/// The account's margin-ratio bucket (SPEC §7), for the `margin bucket` gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionWitness {
    /// `[MR = 0]`.
    pub no_requirement: Fp,
    /// `1/MR`, or 0.
    pub requirement_inverse: Fp,
    /// The bucket `j` (0 when `MR = 0`).
    pub bucket: Fp,
    /// Its lower edge (ppm), 0 for bucket 0.
    pub lower_edge: Fp,
    /// Its upper edge (ppm), 0 for the top bucket.
    pub upper_edge: Fp,
    /// Whether it has a lower edge.
    pub has_lower: Fp,
    /// Whether it has an upper edge.
    pub has_upper: Fp,
    /// `AE·RS − e_j·MR` where it applies, else 0.
    pub lower_code: Fp,
    /// `e_{j+1}·MR − AE·RS − 1` where it applies, else 0.
    pub upper_code: Fp,
}

impl DistributionWitness {
    /// Its pole number `π`: the bucket, or the no-requirement pole.
    pub fn pole(&self) -> Fp {
        self.bucket + self.no_requirement * Fp::from(crate::model::stress::NO_REQUIREMENT_POLE)
    }
}

impl StatusWitness {
    /// The five outcome terms in [`crate::model::totals::OutcomeTotal::ALL`] order:
    /// liquidatable, bankrupt, `max(E, 0)`, `max(−E, 0)`, `max(0, θ·MR − AE·RS)`; the same
    /// products the `account status` gate constrains.
    pub fn outcome_terms(&self) -> [Fp; OUTCOME_TOTALS] {
        let (se, me, sd, md) = (
            self.equity_negative,
            self.equity_code,
            self.margin_negative,
            self.margin_code,
        );
        let terms = status_terms(se, me, sd, md);
        StatusRow {
            equity_sign: se,
            equity_code: me,
            margin_sign: sd,
            margin_code: md,
            liquidatable: self.liquidatable,
            equity_owed: terms.equity_owed,
            bad_debt: terms.bad_debt,
            shortfall: terms.shortfall,
        }
        .outcome_terms()
    }
}

/// Who an account of a batch is: its `id_hash` (0 for padding), its salt, and its distinct key
/// `Poseidon(id_hash, k)` ([`crate::hash::distinct_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountIdentity {
    /// `id_hash` (0 for padding).
    pub id_hash: Fp,
    /// The leaf's salt.
    pub salt: Fp,
    /// The distinct key.
    pub distinct_key: Fp,
}

/// One account slot of a batch (a real account or padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountWitness {
    /// The account's `id_hash` (0 for padding).
    pub id_hash: Fp,
    /// Its salt (for padding, a salt derived for the padding leaf's place).
    pub salt: Fp,
    /// Its distinct key `Poseidon(id_hash, k)`.
    pub distinct_key: Fp,
    /// 1 for a real account, 0 for padding.
    pub is_real: Fp,
    /// Asset slots.
    pub assets: Vec<AssetWitness>,
    /// Position slots.
    pub positions: Vec<PositionWitness>,
    /// Status.
    pub status: StatusWitness,
    /// Per scenario, in configuration order.
    pub scenarios: Vec<ScenarioWitness>,
    /// The margin-ratio bucket, if a distribution is configured.
    pub distribution: Option<DistributionWitness>,
    /// The portfolio-margin rows' witness, in a portfolio-margin class (SPEC §12).
    pub portfolio: Option<PortfolioWitness>,
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
    /// The witness of the account `who` (`id_hash` 0 for padding), its `holdings` in the batch's
    /// slot shape, and `risk`, its valuation under `params` ([`evaluate`]).
    pub fn new(
        params: &RiskParams,
        risk: &AccountRisk,
        holdings: &Holdings,
        who: AccountIdentity,
    ) -> Self {
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
                let empty = fp_from_bool(slot.is_empty());
                let bound = position_slot_bound(
                    Fp::ONE,
                    empty,
                    size_negative,
                    size_code,
                    cost_negative,
                    cost_code,
                );
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
                    slot_inverse: inverse_or_zero(bound),
                    gap: gap(i, !slot.is_empty(), slot.index, previous),
                };
                previous = Some(slot.index);
                w
            })
            .collect();
        let is_real = !bool::from(who.id_hash.is_zero());
        let grid = match holdings.mode {
            MarginMode::Portfolio => params.portfolio_margin.as_ref(),
            MarginMode::Standard => None,
        };
        let scenarios = params
            .scenarios
            .iter()
            .map(|s| ScenarioWitness::new(params, &s.prices, holdings, grid))
            .collect();
        let distribution = params
            .distribution
            .as_ref()
            .map(|d| DistributionWitness::new(&d.edges_ppm, risk));
        AccountWitness {
            id_hash: who.id_hash,
            salt: who.salt,
            distinct_key: who.distinct_key,
            is_real: fp_from_bool(is_real),
            assets,
            positions,
            status: StatusWitness::new(risk),
            scenarios,
            distribution,
            portfolio: grid.map(|g| PortfolioWitness::new(params, g, holdings)),
        }
    }

    /// This account's term of the bucket identity: the sum of its slots' fractions, the value
    /// the account region's last `bk` cell holds.
    pub fn bucket_term(&self, c: BucketChallenges) -> Fp {
        let distinct = distinct_fraction(c, self.is_real, self.distinct_key);
        let assets = self
            .assets
            .iter()
            .map(|a| asset_fraction(c.rho, a.balance, a.debt, asset_pole_inverse(c.r, a.index)));
        let positions = self.positions.iter().map(|p| {
            let (sigma, m) = (p.size_negative, p.size_code);
            position_fraction(
                c.rho,
                signed(sigma, m),
                magnitude(sigma, m),
                p.pnl,
                market_pole_inverse(c.r, p.index),
            )
        });
        let scenarios = self
            .scenarios
            .iter()
            .enumerate()
            .map(|(s, w)| outcome_fraction(c.r, s, w.status.outcome_terms()));
        let distribution = self
            .distribution
            .iter()
            .map(|d| self.is_real * distribution_pole_inverse(c.r, d.pole()));
        assets
            .chain(positions)
            .chain(scenarios)
            .chain(distribution)
            .fold(distinct, |acc, x| acc + x)
    }

    /// A padding slot: `id_hash = 0`, every slot empty, the salt `salt` and the distinct key
    /// `Poseidon(0, k)` of the snapshot's secret `k` (which its term multiplies by 0).
    pub fn padding(params: &RiskParams, shape: SlotShape, salt: Fp, k: Fp) -> Self {
        Self::new(
            params,
            &evaluate(params, &AccountRecord::empty("", params)),
            &Holdings::empty(shape),
            AccountIdentity {
                id_hash: Fp::ZERO,
                salt,
                distinct_key: crate::hash::distinct_key(Fp::ZERO, k),
            },
        )
    }
}

impl StatusWitness {
    /// The status decomposition of a valuation.
    pub fn new(risk: &AccountRisk) -> Self {
        Self::of(&risk.equity, &risk.margin_test, risk.status)
    }

    fn of(equity: &BigInt, test: &BigInt, st: crate::model::Status) -> Self {
        let (equity_negative, equity_code) = code(equity);
        let (margin_negative, margin_code) = code(test);
        StatusWitness {
            equity_negative,
            equity_code,
            margin_negative,
            margin_code,
            liquidatable: fp_from_bool(st == crate::model::Status::Liquidatable),
        }
    }
}

impl ScenarioWitness {
    /// Values `holdings` at `prices` with the whole model, slot by slot (an empty slot values
    /// nothing, so the sums are the record's); a portfolio-margin unit's requirement is
    /// `MR_pm` over `grid`.
    fn new(
        params: &RiskParams,
        prices: &PriceVector,
        holdings: &Holdings,
        grid: Option<&PortfolioParams>,
    ) -> Self {
        let mut collateral = Vec::new();
        let mut net_values = Vec::new();
        let mut borrow = Vec::new();
        let assets = holdings
            .assets
            .iter()
            .map(|slot| {
                let asset = &params.assets[slot.index];
                let price = prices.assets[slot.index];
                let v = value_asset_at(slot.balance, slot.debt, asset, price);
                collateral.push(v.collateral());
                net_values.push(v.net_value());
                borrow.push(v.requirement());
                let table = if v.net_negative {
                    &asset.maintenance
                } else {
                    &asset.haircut
                };
                ScenarioAssetWitness {
                    price: Fp::from(price),
                    value: fp_from_u128(v.value),
                    tier: TierWitness::new(table, &v.tier),
                }
            })
            .collect();
        let mut pnl = Vec::new();
        let mut position_req = Vec::new();
        let positions = holdings
            .positions
            .iter()
            .map(|slot| {
                let market = &params.markets[slot.index];
                let price = prices.markets[slot.index];
                let v = value_position_at(&slot.position, market, price);
                pnl.push(v.pnl.clone());
                position_req.push(v.tier.value.clone());
                ScenarioPositionWitness {
                    mark_price: Fp::from(price),
                    notional: fp_from_u128(v.notional),
                    pnl: fp_from_bigint(&v.pnl),
                    tier: TierWitness::new(&market.maintenance, &v.tier),
                }
            })
            .collect();
        let ae = adjusted_equity(&collateral, &pnl);
        let e = raw_equity(&net_values, &pnl);
        let mr = match grid {
            Some(grid) => portfolio_requirement(grid, prices, holdings),
            None => maintenance_requirement(&borrow, &position_req),
        };
        let st = status(&e, &ae, &mr, params.threshold_ppm);
        let test = margin_test(&ae, &mr, params.threshold_ppm);
        ScenarioWitness {
            assets,
            positions,
            status: StatusWitness::of(&e, &test, st),
        }
    }
}

impl DistributionWitness {
    /// The bucket of `risk`'s margin ratio among `edges_ppm`, with its two exact comparisons.
    pub fn new(edges_ppm: &[u64], risk: &AccountRisk) -> Self {
        let (ae, mr) = (&risk.adjusted_equity, &risk.maintenance);
        let (j, none) = match margin_bucket(edges_ppm, ae, mr) {
            MarginBucket::NoRequirement => (0, true),
            MarginBucket::Ratio(j) => (j, false),
        };
        let edge = |i: usize| edges_ppm.get(i).copied();
        let lower = j.checked_sub(1).and_then(edge);
        let upper = edge(j);
        let lower_code = match lower {
            Some(e) if !none => fp_from_bigint(&edge_test(ae, mr, e)),
            _ => Fp::ZERO,
        };
        let upper_code = match upper {
            Some(e) if !none => fp_from_bigint(&(-edge_test(ae, mr, e) - 1)),
            _ => Fp::ZERO,
        };
        DistributionWitness {
            no_requirement: fp_from_bool(none),
            requirement_inverse: inverse_or_zero(fp_from_bigint(mr)),
            bucket: Fp::from(j as u64),
            lower_edge: Fp::from(lower.unwrap_or(0)),
            upper_edge: Fp::from(upper.unwrap_or(0)),
            has_lower: fp_from_bool(lower.is_some()),
            has_upper: fp_from_bool(upper.is_some()),
            lower_code,
            upper_code,
        }
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
