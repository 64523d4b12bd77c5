//! One account's valuation (SPEC §2): net values, haircut collateral, PnL, adjusted and raw
//! equity, the maintenance requirement, the status, and the words of its leaf.
//!
//! One region per account, rows in this order, accumulators (`ae`, `e`, `mr` in a10..a12) running
//! down the rows with `Rotation::prev()`:
//!
//! | row | gate | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | fixed `param` |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | 0 | identity | id_hash | id_inv | is_real | salt | | | | | | | 0 | 0 | 0 | |
//! | 1..=A | asset valuation | b | l | σ | m | x | F | w | | | | ae | e | mr | p_a |
//! | A+1..=A+M | position valuation | σ_s | m_s | σ_c | m_c | n | U | F | w | s | \|s\| | ae | e | mr | P_m |
//! | A+M+1 | account status | σ_E | m_E | σ_D | m_D | liq | eo | bd | sf | | | | | | θ |
//!
//! `F` cells are proven by [`crate::chips::tiered`] (asset: table `haircut id + σ` at `x`; market:
//! its maintenance table at `n`); `b, l, m, m_s, m_c, m_E, m_D` by range checks. Signed values use
//! the code of [`crate::signed`]: `v = m − σ(2m + 1)`.

use ff::Field;
use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Region, Value},
    plonk::{
        Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector,
        VirtualCells,
    },
    poly::Rotation,
};

use crate::chips::range_check::{RangeCheckChip, RangeCheckInstructions};
use crate::chips::tiered::{TierTableIds, TieredInput, TieredRateChip, TieredRateInstructions};
use crate::circuit::witness::AccountWitness;
use crate::config::RiskParams;
use crate::field::Fp;
use crate::hash::leaf::pow2;
use crate::units::{COST_BITS, EQUITY_BITS, MARGIN_TEST_BITS, QUANTITY_BITS, RATE_SCALE};

/// Number of main advice columns the account layout uses.
pub const ACCOUNT_COLUMNS: usize = 13;

const AE: usize = 10;
const E: usize = 11;
const MR: usize = 12;

/// The cells of one account that other chips consume.
#[derive(Debug, Clone)]
pub struct AccountCells {
    /// The leaf message: `id_hash, salt, asset words…, market words…`.
    pub leaf_words: Vec<AssignedCell<Fp, Fp>>,
    /// Contributions to the totals in canonical order (`Totals::entries`).
    pub contributions: Vec<AssignedCell<Fp, Fp>>,
}

/// Instructions of the account chip.
pub trait AccountInstructions {
    /// Lays out and constrains one account slot.
    fn assign_account(
        &self,
        layouter: impl Layouter<Fp>,
        params: &RiskParams,
        range: &RangeCheckChip,
        tiers: &TieredRateChip,
        witness: Value<&AccountWitness>,
    ) -> Result<AccountCells, Error>;
}

/// Columns and selectors of the account chip.
#[derive(Debug, Clone)]
pub struct AccountConfig {
    advice: [Column<Advice>; ACCOUNT_COLUMNS],
    param: Column<Fixed>,
    q_identity: Selector,
    q_asset: Selector,
    q_position: Selector,
    q_status: Selector,
}

/// The account chip.
#[derive(Debug)]
pub struct AccountChip {
    config: AccountConfig,
}

impl Chip<Fp> for AccountChip {
    type Config = AccountConfig;
    type Loaded = ();
    fn config(&self) -> &Self::Config {
        &self.config
    }
    fn loaded(&self) -> &Self::Loaded {
        &()
    }
}

fn bool_check(x: Expression<Fp>) -> Expression<Fp> {
    x.clone() * (Expression::Constant(Fp::ONE) - x)
}

/// `m − σ(2m + 1)`: the signed value of a code.
fn signed(sigma: Expression<Fp>, m: Expression<Fp>) -> Expression<Fp> {
    m.clone() - sigma * (m * Fp::from(2) + Expression::Constant(Fp::ONE))
}

fn constant(x: Fp) -> Expression<Fp> {
    Expression::Constant(x)
}

impl AccountChip {
    /// Configures the four account gates on `advice` and the per-row public parameter `param`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: [Column<Advice>; ACCOUNT_COLUMNS],
        param: Column<Fixed>,
    ) -> AccountConfig {
        for column in advice {
            meta.enable_equality(column);
        }
        let q_identity = meta.selector();
        let q_asset = meta.selector();
        let q_position = meta.selector();
        let q_status = meta.selector();
        let rs = Fp::from(RATE_SCALE);

        // identity (row 0): is_real = [id_hash ≠ 0]; accumulators start at 0.
        //   is_real − id·inv = 0,  id·(1 − is_real) = 0
        // (if id ≠ 0 the second forces is_real = 1; if id = 0 the first forces is_real = 0.)
        meta.create_gate("account identity", |m| {
            let q = m.query_selector(q_identity);
            let a =
                |m: &mut VirtualCells<'_, Fp>, i: usize| m.query_advice(advice[i], Rotation::cur());
            let (id, inv, is_real) = (a(m, 0), a(m, 1), a(m, 2));
            Constraints::with_selector(
                q,
                [
                    ("real iff id is nonzero", is_real.clone() - id.clone() * inv),
                    ("padding has zero id", id * (constant(Fp::ONE) - is_real)),
                    ("adjusted equity starts at zero", a(m, AE)),
                    ("raw equity starts at zero", a(m, E)),
                    ("requirement starts at zero", a(m, MR)),
                ],
            )
        });

        // asset valuation (rows 1..=A), p = param:
        //   b − l = m − σ(2m + 1)                 net quantity
        //   x = (m + σ) · p                        |v_a|
        //   w = b + 2^64 · l                       leaf word
        //   ae = ae_prev + (1 − σ)·F − σ·RS·x      W_a
        //   e  = e_prev + (1 − 2σ)·x               v_a
        //   mr = mr_prev + σ·F                     G_a(max(0, −v_a))
        // Bounds: b, l, m < 2^64 (range-checked) so both sides of the net quantity are in
        // (−2^65, 2^65); p < 2^64 so x < 2^128; F < 2^148: no sum here nears p ≈ 2^254.
        meta.create_gate("asset valuation", |m| {
            let q = m.query_selector(q_asset);
            let a =
                |m: &mut VirtualCells<'_, Fp>, i: usize| m.query_advice(advice[i], Rotation::cur());
            let prev = |m: &mut VirtualCells<'_, Fp>, i: usize| {
                m.query_advice(advice[i], Rotation::prev())
            };
            let p = m.query_fixed(param);
            let (b, l, sigma, code, x, f, w) = (
                a(m, 0),
                a(m, 1),
                a(m, 2),
                a(m, 3),
                a(m, 4),
                a(m, 5),
                a(m, 6),
            );
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    ("sign is boolean", bool_check(sigma.clone())),
                    (
                        "net quantity",
                        b.clone() - l.clone() - signed(sigma.clone(), code.clone()),
                    ),
                    ("net value", x.clone() - (code + sigma.clone()) * p),
                    ("leaf word", w - (b + l * pow2(64))),
                    (
                        "haircut collateral",
                        a(m, AE)
                            - prev(m, AE)
                            - ((one.clone() - sigma.clone()) * f.clone()
                                - sigma.clone() * x.clone() * rs),
                    ),
                    (
                        "net value sum",
                        a(m, E) - prev(m, E) - (one - sigma.clone() * Fp::from(2)) * x,
                    ),
                    ("borrow requirement", a(m, MR) - prev(m, MR) - sigma * f),
                ],
            )
        });

        // position valuation (rows A+1..=A+M), P = param:
        //   s = m_s − σ_s(2m_s + 1),  |s| = m_s + σ_s      signed and open size
        //   n = |s| · P                                      notional
        //   U = s·P − (m_c − σ_c(2m_c + 1))                  unrealized PnL
        //   w = m_s + 2^64·m_c + 2^192·σ_s + 2^193·σ_c       leaf word
        //   ae = ae_prev + RS·U,  e = e_prev + U,  mr = mr_prev + F
        // Bounds: m_s < 2^64, m_c < 2^128 (range-checked), P < 2^64: |U| < 2^129, n < 2^128, and
        // the word's four fields occupy disjoint bits below 2^194.
        meta.create_gate("position valuation", |m| {
            let q = m.query_selector(q_position);
            let a =
                |m: &mut VirtualCells<'_, Fp>, i: usize| m.query_advice(advice[i], Rotation::cur());
            let prev = |m: &mut VirtualCells<'_, Fp>, i: usize| {
                m.query_advice(advice[i], Rotation::prev())
            };
            let price = m.query_fixed(param);
            let (ss, ms, sc, mc, n, u, f, w, s, open) = (
                a(m, 0),
                a(m, 1),
                a(m, 2),
                a(m, 3),
                a(m, 4),
                a(m, 5),
                a(m, 6),
                a(m, 7),
                a(m, 8),
                a(m, 9),
            );
            Constraints::with_selector(
                q,
                [
                    ("size sign is boolean", bool_check(ss.clone())),
                    ("cost sign is boolean", bool_check(sc.clone())),
                    ("signed size", s.clone() - signed(ss.clone(), ms.clone())),
                    ("open size", open.clone() - (ms.clone() + ss.clone())),
                    ("notional", n - open * price.clone()),
                    (
                        "pnl",
                        u.clone() - (s * price - signed(sc.clone(), mc.clone())),
                    ),
                    (
                        "leaf word",
                        w - (ms + mc * pow2(64) + ss * pow2(192) + sc * pow2(193)),
                    ),
                    ("pnl collateral", a(m, AE) - prev(m, AE) - u.clone() * rs),
                    ("pnl sum", a(m, E) - prev(m, E) - u),
                    ("position requirement", a(m, MR) - prev(m, MR) - f),
                ],
            )
        });

        // account status (last row), θ = param, AE/E/MR from the row above:
        //   E = m_E − σ_E(2m_E + 1)                         σ_E = [E < 0]: bankrupt
        //   AE·RS − θ·MR = m_D − σ_D(2m_D + 1)              σ_D = [AE·RS < θ·MR]
        //   liq = (1 − σ_E)·σ_D                              liquidatable
        //   eo = (1 − σ_E)·m_E,  bd = σ_E·(m_E + 1)          max(E, 0), max(−E, 0)
        //   sf = σ_D·(m_D + 1)                               max(0, θ·MR − AE·RS)
        // Bounds: m_E < 2^144 and m_D < 2^192 (range-checked) cover |E| < 2^138 and
        // |AE·RS − θ·MR| < 2^191 (units.rs); the codes are unique, so the signs are the truth.
        meta.create_gate("account status", |m| {
            let q = m.query_selector(q_status);
            let a =
                |m: &mut VirtualCells<'_, Fp>, i: usize| m.query_advice(advice[i], Rotation::cur());
            let prev = |m: &mut VirtualCells<'_, Fp>, i: usize| {
                m.query_advice(advice[i], Rotation::prev())
            };
            let theta = m.query_fixed(param);
            let (se, me, sd, md, liq, eo, bd, sf) = (
                a(m, 0),
                a(m, 1),
                a(m, 2),
                a(m, 3),
                a(m, 4),
                a(m, 5),
                a(m, 6),
                a(m, 7),
            );
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    ("equity sign is boolean", bool_check(se.clone())),
                    ("margin sign is boolean", bool_check(sd.clone())),
                    ("equity sign", prev(m, E) - signed(se.clone(), me.clone())),
                    (
                        "margin test",
                        prev(m, AE) * rs - theta * prev(m, MR) - signed(sd.clone(), md.clone()),
                    ),
                    (
                        "liquidatable",
                        liq - (one.clone() - se.clone()) * sd.clone(),
                    ),
                    ("equity owed", eo - (one.clone() - se.clone()) * me.clone()),
                    ("bad debt", bd - se * (me + one.clone())),
                    ("shortfall", sf - sd * (md + one)),
                ],
            )
        });

        AccountConfig {
            advice,
            param,
            q_identity,
            q_asset,
            q_position,
            q_status,
        }
    }

    /// Builds the chip.
    pub fn construct(config: AccountConfig) -> Self {
        AccountChip { config }
    }
}

/// Cells that need range checks or tier proofs once the region is laid out.
struct Pending {
    ranges: Vec<(String, AssignedCell<Fp, Fp>, usize)>,
    tiers: Vec<TierProof>,
}

struct TierProof {
    input: TieredInput,
    source: TierSource,
}

/// Which witness tier a tier proof uses.
#[derive(Clone, Copy)]
enum TierSource {
    Asset(usize),
    Market(usize),
}

type Cell = AssignedCell<Fp, Fp>;

impl AccountInstructions for AccountChip {
    fn assign_account(
        &self,
        mut layouter: impl Layouter<Fp>,
        params: &RiskParams,
        range: &RangeCheckChip,
        tiers: &TieredRateChip,
        witness: Value<&AccountWitness>,
    ) -> Result<AccountCells, Error> {
        let cfg = &self.config;
        let ids = TierTableIds::new(params);
        let num_assets = params.assets.len();
        let num_markets = params.markets.len();
        let rs = Fp::from(RATE_SCALE);

        let (cells, pending) = layouter.assign_region(
            || "account",
            |mut region: Region<'_, Fp>| {
                let put = |region: &mut Region<'_, Fp>,
                           name: &str,
                           col: usize,
                           row: usize,
                           v: Value<Fp>| {
                    region.assign_advice(|| name.to_string(), cfg.advice[col], row, || v)
                };
                let mut pending = Pending {
                    ranges: Vec::new(),
                    tiers: Vec::new(),
                };
                let mut leaf_words: Vec<Cell> = Vec::new();
                let mut asset_terms: Vec<Cell> = Vec::new();
                let mut market_terms: Vec<Cell> = Vec::new();

                // Row 0: identity.
                cfg.q_identity.enable(&mut region, 0)?;
                let id = put(&mut region, "id_hash", 0, 0, witness.map(|w| w.id_hash))?;
                put(
                    &mut region,
                    "id inverse",
                    1,
                    0,
                    witness.map(|w| w.id_inverse),
                )?;
                let is_real = put(&mut region, "is_real", 2, 0, witness.map(|w| w.is_real))?;
                let salt = put(&mut region, "salt", 3, 0, witness.map(|w| w.salt))?;
                let mut ae = put(&mut region, "ae", AE, 0, Value::known(Fp::ZERO))?
                    .value()
                    .copied();
                let mut e = put(&mut region, "e", E, 0, Value::known(Fp::ZERO))?
                    .value()
                    .copied();
                let mut mr = put(&mut region, "mr", MR, 0, Value::known(Fp::ZERO))?
                    .value()
                    .copied();
                leaf_words.push(id);
                leaf_words.push(salt);

                // Rows 1..=A: assets.
                for (i, asset) in params.assets.iter().enumerate() {
                    let row = 1 + i;
                    let w = witness.map(|w| &w.assets[i]);
                    cfg.q_asset.enable(&mut region, row)?;
                    region.assign_fixed(
                        || "price",
                        cfg.param,
                        row,
                        || Value::known(Fp::from(asset.price)),
                    )?;
                    let b = put(&mut region, "balance", 0, row, w.map(|a| a.balance))?;
                    let l = put(&mut region, "debt", 1, row, w.map(|a| a.debt))?;
                    let sigma = put(&mut region, "net sign", 2, row, w.map(|a| a.negative))?;
                    let code = put(&mut region, "net code", 3, row, w.map(|a| a.code))?;
                    let x = put(&mut region, "net value", 4, row, w.map(|a| a.value))?;
                    let f = put(&mut region, "tiered value", 5, row, w.map(|a| a.tier.value))?;
                    let word = b.value().zip(l.value()).map(|(b, l)| *b + *l * pow2(64));
                    leaf_words.push(put(&mut region, "leaf word", 6, row, word)?);
                    let s = sigma.value().copied();
                    let (xv, fv) = (x.value().copied(), f.value().copied());
                    ae = ae + (Value::known(Fp::ONE) - s) * fv - s * xv * Value::known(rs);
                    e = e + (Value::known(Fp::ONE) - s - s) * xv;
                    mr = mr + s * fv;
                    put(&mut region, "ae", AE, row, ae)?;
                    put(&mut region, "e", E, row, e)?;
                    put(&mut region, "mr", MR, row, mr)?;
                    let sym = &asset.symbol;
                    pending
                        .ranges
                        .push((format!("{sym} balance"), b.clone(), QUANTITY_BITS));
                    pending
                        .ranges
                        .push((format!("{sym} debt"), l.clone(), QUANTITY_BITS));
                    pending
                        .ranges
                        .push((format!("{sym} net code"), code, QUANTITY_BITS));
                    pending.tiers.push(TierProof {
                        input: TieredInput {
                            what: sym.clone(),
                            table_id: ids.asset(i),
                            sign: Some(sigma),
                            x,
                            value: f,
                        },
                        source: TierSource::Asset(i),
                    });
                    asset_terms.push(b);
                    asset_terms.push(l);
                }

                // Rows A+1..=A+M: positions.
                for (j, market) in params.markets.iter().enumerate() {
                    let row = 1 + num_assets + j;
                    let w = witness.map(|w| &w.positions[j]);
                    cfg.q_position.enable(&mut region, row)?;
                    region.assign_fixed(
                        || "mark price",
                        cfg.param,
                        row,
                        || Value::known(Fp::from(market.mark_price)),
                    )?;
                    let ss = put(&mut region, "size sign", 0, row, w.map(|p| p.size_negative))?;
                    let ms = put(&mut region, "size code", 1, row, w.map(|p| p.size_code))?;
                    let sc = put(&mut region, "cost sign", 2, row, w.map(|p| p.cost_negative))?;
                    let mc = put(&mut region, "cost code", 3, row, w.map(|p| p.cost_code))?;
                    let n = put(&mut region, "notional", 4, row, w.map(|p| p.notional))?;
                    let u = put(&mut region, "pnl", 5, row, w.map(|p| p.pnl))?;
                    let f = put(&mut region, "tiered value", 6, row, w.map(|p| p.tier.value))?;
                    let (ssv, msv, scv, mcv) = (
                        ss.value().copied(),
                        ms.value().copied(),
                        sc.value().copied(),
                        mc.value().copied(),
                    );
                    let word = msv
                        + mcv * Value::known(pow2(64))
                        + ssv * Value::known(pow2(192))
                        + scv * Value::known(pow2(193));
                    leaf_words.push(put(&mut region, "leaf word", 7, row, word)?);
                    let signed_size = msv - ssv * (msv + msv + Value::known(Fp::ONE));
                    let s = put(&mut region, "signed size", 8, row, signed_size)?;
                    let open = put(&mut region, "open size", 9, row, msv + ssv)?;
                    let (uv, fv) = (u.value().copied(), f.value().copied());
                    ae = ae + uv * Value::known(rs);
                    e = e + uv;
                    mr = mr + fv;
                    put(&mut region, "ae", AE, row, ae)?;
                    put(&mut region, "e", E, row, e)?;
                    put(&mut region, "mr", MR, row, mr)?;
                    let sym = &market.symbol;
                    pending
                        .ranges
                        .push((format!("{sym} size code"), ms, QUANTITY_BITS));
                    pending
                        .ranges
                        .push((format!("{sym} cost code"), mc, COST_BITS));
                    pending.tiers.push(TierProof {
                        input: TieredInput {
                            what: sym.clone(),
                            table_id: ids.market(j),
                            sign: None,
                            x: n,
                            value: f,
                        },
                        source: TierSource::Market(j),
                    });
                    market_terms.push(s);
                    market_terms.push(open);
                    market_terms.push(u);
                }

                // Last row: status.
                let row = 1 + num_assets + num_markets;
                let st = witness.map(|w| &w.status);
                cfg.q_status.enable(&mut region, row)?;
                region.assign_fixed(
                    || "threshold",
                    cfg.param,
                    row,
                    || Value::known(Fp::from(params.threshold_ppm)),
                )?;
                let se = put(
                    &mut region,
                    "equity sign",
                    0,
                    row,
                    st.map(|s| s.equity_negative),
                )?;
                let me = put(
                    &mut region,
                    "equity code",
                    1,
                    row,
                    st.map(|s| s.equity_code),
                )?;
                let sd = put(
                    &mut region,
                    "margin sign",
                    2,
                    row,
                    st.map(|s| s.margin_negative),
                )?;
                let md = put(
                    &mut region,
                    "margin code",
                    3,
                    row,
                    st.map(|s| s.margin_code),
                )?;
                let liq = put(
                    &mut region,
                    "liquidatable",
                    4,
                    row,
                    st.map(|s| s.liquidatable),
                )?;
                let (sev, mev, sdv, mdv) = (
                    se.value().copied(),
                    me.value().copied(),
                    sd.value().copied(),
                    md.value().copied(),
                );
                let one = Value::known(Fp::ONE);
                let eo = put(&mut region, "equity owed", 5, row, (one - sev) * mev)?;
                let bd = put(&mut region, "bad debt", 6, row, sev * (mev + one))?;
                let sf = put(&mut region, "shortfall", 7, row, sdv * (mdv + one))?;
                pending.ranges.push(("equity code".into(), me, EQUITY_BITS));
                pending
                    .ranges
                    .push(("margin code".into(), md, MARGIN_TEST_BITS));

                let mut contributions = asset_terms;
                contributions.extend(market_terms);
                contributions.extend([is_real, liq, se, eo, bd, sf]);
                Ok((
                    AccountCells {
                        leaf_words,
                        contributions,
                    },
                    pending,
                ))
            },
        )?;

        for t in &pending.tiers {
            let tier = witness.map(|w| match t.source {
                TierSource::Asset(i) => &w.assets[i].tier,
                TierSource::Market(j) => &w.positions[j].tier,
            });
            tiers.tiered_value(
                layouter.namespace(|| t.input.what.clone()),
                range,
                &t.input,
                tier,
            )?;
        }
        for (what, cell, bits) in &pending.ranges {
            range.range_check(layouter.namespace(|| what.clone()), what, cell, *bits)?;
        }
        Ok(cells)
    }
}
