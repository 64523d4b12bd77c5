//! One account's valuation (SPEC §2) over its holding slots: net values, haircut collateral,
//! PnL, adjusted and raw equity, the maintenance requirement, the status, the words of its leaf,
//! and its term of the instrument-totals bucket sum.
//!
//! One region per account, rows in this order, accumulators (`ae`, `e`, `mr`, `bk` in a17..a20)
//! running down the rows with `Rotation::prev()`:
//!
//! | row | gate | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | a9 | a10 | a11 | a12 | a13 | a14 | a15 | a16 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | 0 | identity | key | key⁻¹ | is_real | e₁ | e₁ᵖ | | | | | | | | | | | | |
//! | 1..=S | asset slot | a | b | l | σ | m | p | x | F | word | tid | t | r | ρ | empty | inv | gap | |
//! | S+1..=S+P | position slot | m | σ_s | m_s | σ_c | m_c | P | n | F | word | tid | t | r | ρ | empty | inv | gap | U |
//! | S+P+1 | account status | σ_E | m_E | σ_D | m_D | liq | eo | bd | sf | | | | | | | | | |
//!
//! `e₁` and `e₁ᵖ` are copies of the `empty` cells of the first asset slot and of the first
//! position slot (the constant 1 when the shape has no position slots).
//!
//! `F` cells are proven by [`crate::chips::tiered`] on table `tid`; `(kind, index, price)` of
//! every slot row is a row of the [`crate::chips::instruments`] table; `b, l, m, m_s, m_c, gap,
//! m_E, m_D` are range-checked. Signed values use the code of [`crate::signed`]:
//! `v = m − σ(2m + 1)`. Slot rows after the first also satisfy the slot-order gate: held slots
//! in strictly increasing index order, empty slots (index 0, all zero) last, so the slots are the
//! one canonical encoding of the record ([`crate::model::holdings`]).
//!
//! `bk` is this account's term of the instrument-totals identity
//! ([`crate::chips::instrument_totals`]): `Σ_slots (b + ρ·l)/(r − a) + Σ (s + ρ·|s| + ρ²·U)/(r − 256 − m)`.

use ff::Field;
use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Region, Value},
    plonk::{
        Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector,
        VirtualCells,
    },
    poly::Rotation,
};

use crate::chips::instrument_totals::{Challenges, MARKET_POLE_OFFSET};
use crate::chips::instruments::{InstrumentTable, ASSET_KIND, MARKET_KIND};
use crate::chips::range_check::{RangeCheckChip, RangeCheckInstructions};
use crate::chips::tiered::{TieredInput, TieredRateChip, TieredRateInstructions, MARKET_TIER_BASE};
use crate::circuit::witness::{AccountWitness, TierWitness};
use crate::config::RiskParams;
use crate::field::Fp;
use crate::hash::leaf::{pow2, INDEX_BITS};
use crate::model::holdings::SlotShape;
use crate::units::{COST_BITS, EQUITY_BITS, MARGIN_TEST_BITS, QUANTITY_BITS, RATE_SCALE};

/// Number of main advice columns the account layout uses.
pub const ACCOUNT_COLUMNS: usize = 21;

/// Bits of the index gap between consecutive held slots.
pub const GAP_BITS: usize = 8;

// Identity row.
const KEY: usize = 0;
const KEY_INV: usize = 1;
const IS_REAL: usize = 2;
const FIRST_ASSET_EMPTY: usize = 3;
const FIRST_POSITION_EMPTY: usize = 4;
// Columns shared by asset and position slot rows.
const IDX: usize = 0;
const PRICE: usize = 5;
const X: usize = 6;
const F: usize = 7;
const WORD: usize = 8;
const TID: usize = 9;
const T: usize = 10;
const R: usize = 11;
const RHO: usize = 12;
const EMPTY: usize = 13;
const EMPTY_INV: usize = 14;
const GAP: usize = 15;
// Asset slot rows.
const B: usize = 1;
const L: usize = 2;
const SIGMA: usize = 3;
const CODE: usize = 4;
// Position slot rows.
const SS: usize = 1;
const MS: usize = 2;
const SC: usize = 3;
const MC: usize = 4;
const U: usize = 16;
// Accumulators.
const AE: usize = 17;
const E: usize = 18;
const MR: usize = 19;
const BK: usize = 20;

/// The cells of one account that other chips consume.
#[derive(Debug, Clone)]
pub struct AccountCells {
    /// The leaf message: `key`, asset slot words, position slot words.
    pub leaf_words: Vec<AssignedCell<Fp, Fp>>,
    /// Terms of the per-account totals: accounts, liquidatable, bankrupt, equity owed, bad debt,
    /// shortfall (the tail of `Totals::entries`).
    pub account_terms: Vec<AssignedCell<Fp, Fp>>,
    /// The account's term of the instrument-totals bucket sum.
    pub bucket_term: AssignedCell<Fp, Fp>,
}

/// Instructions of the account chip.
pub trait AccountInstructions {
    /// Lays out and constrains one account of `shape`'s slots.
    #[allow(clippy::too_many_arguments)]
    fn assign_account(
        &self,
        layouter: impl Layouter<Fp>,
        params: &RiskParams,
        shape: SlotShape,
        range: &RangeCheckChip,
        tiers: &TieredRateChip,
        challenges: &Challenges,
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
    q_order: Selector,
    q_status: Selector,
    /// Index of the instrument lookup among the circuit's lookups.
    pub instrument_lookup: usize,
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

fn cur(m: &mut VirtualCells<'_, Fp>, advice: &[Column<Advice>], i: usize) -> Expression<Fp> {
    m.query_advice(advice[i], Rotation::cur())
}

fn prev(m: &mut VirtualCells<'_, Fp>, advice: &[Column<Advice>], i: usize) -> Expression<Fp> {
    m.query_advice(advice[i], Rotation::prev())
}

impl AccountChip {
    /// Configures the account gates and the instrument lookup on `advice`, the per-row public
    /// parameter `param` (the threshold) and the instrument table.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: [Column<Advice>; ACCOUNT_COLUMNS],
        param: Column<Fixed>,
        instruments: InstrumentTable,
    ) -> AccountConfig {
        for column in advice {
            meta.enable_equality(column);
        }
        let q_identity = meta.selector();
        let q_asset = meta.complex_selector();
        let q_position = meta.complex_selector();
        let q_order = meta.selector();
        let q_status = meta.selector();
        let rs = Fp::from(RATE_SCALE);
        let adv = advice;

        // Instrument lookup on every slot row: (kind, index, kind·price) is a row of the table
        // (kind = 1 on asset slot rows, 2 on position slot rows). Off slot rows both selectors
        // are 0 and the input is the filler (0, 0, 0).
        let instrument_lookup = meta.lookup_any(|m| {
            let qa = m.query_selector(q_asset);
            let qp = m.query_selector(q_position);
            let on = qa.clone() + qp.clone();
            let kind = qa * Fp::from(ASSET_KIND) + qp * Fp::from(MARKET_KIND);
            let [table_kind, table_index, table_price] = instruments.table_expressions(m);
            vec![
                (kind.clone(), table_kind),
                (on * cur(m, &adv, IDX), table_index),
                (kind * cur(m, &adv, PRICE), table_price),
            ]
        });

        // identity (row 0): is_real = [key ≠ 0]; padding holds nothing; accumulators start at 0.
        //   is_real − key·inv = 0,  key·(1 − is_real) = 0
        // (if key ≠ 0 the second forces is_real = 1; if key = 0 the first forces is_real = 0.)
        //   (1 − is_real)·(1 − e₁) = 0,  (1 − is_real)·(1 − e₁ᵖ) = 0
        // A padding account (key 0) must be the empty leaf: its first asset slot and its first
        // position slot are empty, and the `slot order` gate (`empty_prev·(1 − empty) = 0`) keeps
        // every later slot of each kind empty behind them. An empty slot holds exactly nothing
        // (`asset slot`, `position slot`: empty = [held = 0] with held a sum of boolean signs and
        // range-checked codes, below 2^130, so 0 only if every part is; then x = n = 0, and the
        // tiered value F(0) = 0, since the tier offset x − lower ≥ 0 is range-checked and only the
        // first tier, of lower bound and base 0, holds 0), so every term a padding account adds
        // to the totals (net values, PnL, AE, E, MR, status, bucket term) is 0.
        // Without this, a key-0 account could hold a book that every total but `accounts` counts.
        meta.create_gate("account identity", |m| {
            let q = m.query_selector(q_identity);
            let (key, inv, is_real) = (
                cur(m, &adv, KEY),
                cur(m, &adv, KEY_INV),
                cur(m, &adv, IS_REAL),
            );
            Constraints::with_selector(
                q,
                [
                    (
                        "real iff key is nonzero",
                        is_real.clone() - key.clone() * inv,
                    ),
                    (
                        "padding has zero key",
                        key * (constant(Fp::ONE) - is_real.clone()),
                    ),
                    (
                        "padding holds no asset",
                        (constant(Fp::ONE) - is_real.clone())
                            * (constant(Fp::ONE) - cur(m, &adv, FIRST_ASSET_EMPTY)),
                    ),
                    (
                        "padding holds no position",
                        (constant(Fp::ONE) - is_real)
                            * (constant(Fp::ONE) - cur(m, &adv, FIRST_POSITION_EMPTY)),
                    ),
                    ("adjusted equity starts at zero", cur(m, &adv, AE)),
                    ("raw equity starts at zero", cur(m, &adv, E)),
                    ("requirement starts at zero", cur(m, &adv, MR)),
                    ("bucket term starts at zero", cur(m, &adv, BK)),
                ],
            )
        });

        // asset slot (rows 1..=S), price p from the instrument lookup:
        //   b − l = m − σ(2m + 1)                 net quantity
        //   x = (m + σ) · p                        |v_a|
        //   w = a + 2^8·b + 2^72·l                 leaf word
        //   tid = 1 + 2a + σ                       haircut (σ = 0) or maintenance (σ = 1) table
        //   ae = ae_prev + (1 − σ)·F − σ·RS·x      W_a
        //   e  = e_prev + (1 − 2σ)·x               v_a
        //   mr = mr_prev + σ·F                     G_a(max(0, −v_a))
        //   t·(r − a) = 1,  bk = bk_prev + (b + ρ·l)·t     bucket term
        //   empty = 1 − (b + l)·inv,  empty·(b + l) = 0,  empty·a = 0
        // Bounds: a < 256 (instrument lookup), b, l, m < 2^64 (range-checked), so the word's
        // fields occupy disjoint bits below 2^136 and both sides of the net quantity are in
        // (−2^65, 2^65); p < 2^64 so x < 2^128; F < 2^148; b + l < 2^65 is 0 only if both are:
        // no sum here nears p ≈ 2^254. r is a public challenge, r ≠ a except with probability
        // 2^-246 (then no t exists and the honest proof fails, it is never unsound).
        meta.create_gate("asset slot", |m| {
            let q = m.query_selector(q_asset);
            let (idx, b, l, sigma, code, p, x, f, w, tid) = (
                cur(m, &adv, IDX),
                cur(m, &adv, B),
                cur(m, &adv, L),
                cur(m, &adv, SIGMA),
                cur(m, &adv, CODE),
                cur(m, &adv, PRICE),
                cur(m, &adv, X),
                cur(m, &adv, F),
                cur(m, &adv, WORD),
                cur(m, &adv, TID),
            );
            let (t, r, rho, empty, inv) = (
                cur(m, &adv, T),
                cur(m, &adv, R),
                cur(m, &adv, RHO),
                cur(m, &adv, EMPTY),
                cur(m, &adv, EMPTY_INV),
            );
            let one = constant(Fp::ONE);
            let held = b.clone() + l.clone();
            Constraints::with_selector(
                q,
                [
                    ("sign is boolean", bool_check(sigma.clone())),
                    (
                        "net quantity",
                        b.clone() - l.clone() - signed(sigma.clone(), code.clone()),
                    ),
                    ("net value", x.clone() - (code + sigma.clone()) * p),
                    (
                        "leaf word",
                        w - (idx.clone()
                            + b.clone() * pow2(INDEX_BITS)
                            + l.clone() * pow2(INDEX_BITS + 64)),
                    ),
                    (
                        "tier table",
                        tid - (one.clone() + idx.clone() * Fp::from(2) + sigma.clone()),
                    ),
                    (
                        "haircut collateral",
                        cur(m, &adv, AE)
                            - prev(m, &adv, AE)
                            - ((one.clone() - sigma.clone()) * f.clone()
                                - sigma.clone() * x.clone() * rs),
                    ),
                    (
                        "net value sum",
                        cur(m, &adv, E)
                            - prev(m, &adv, E)
                            - (one.clone() - sigma.clone() * Fp::from(2)) * x,
                    ),
                    (
                        "borrow requirement",
                        cur(m, &adv, MR) - prev(m, &adv, MR) - sigma * f,
                    ),
                    ("bucket pole", t.clone() * (r - idx.clone()) - one.clone()),
                    (
                        "bucket term",
                        cur(m, &adv, BK) - prev(m, &adv, BK) - (b + rho * l) * t,
                    ),
                    ("empty flag", one - empty.clone() - held.clone() * inv),
                    ("empty slot holds nothing", empty.clone() * held),
                    ("empty slot has index zero", empty * idx),
                ],
            )
        });

        // position slot (rows S+1..=S+P), mark price P from the instrument lookup:
        //   s = m_s − σ_s(2m_s + 1),  |s| = m_s + σ_s       signed and open size
        //   n = |s| · P                                       notional
        //   U = s·P − (m_c − σ_c(2m_c + 1))                   unrealized PnL
        //   w = m + 2^8·m_s + 2^72·m_c + 2^200·σ_s + 2^201·σ_c   leaf word
        //   tid = MARKET_TIER_BASE + m
        //   ae = ae_prev + RS·U,  e = e_prev + U,  mr = mr_prev + F
        //   t·(r − 256 − m) = 1,  bk = bk_prev + (s + ρ·|s| + ρ²·U)·t
        //   empty ∈ {0, 1},  empty·h = 0,  empty·m = 0      with h = σ_s + m_s + σ_c + m_c
        //   inv·(h + empty)·(|s| − 2^64)·(|c| − 2^128) = 1   with |c| = m_c + σ_c
        // The last constraint says three things are nonzero. `h + empty ≠ 0`: with `empty·h = 0`
        // and `empty` boolean, empty = [h = 0]. `|s| ≠ 2^64` and `|c| ≠ 2^128`: the codes are
        // range-checked, m_s < 2^64 and m_c < 2^128, so |s| = m_s + σ_s ≤ 2^64 and
        // |c| ≤ 2^128, equal only for σ = 1 and the code at its maximum; excluding that value
        // gives exactly SPEC's |s| < 2^64 and |c| < 2^128 (−2^64 and −2^128 are refused).
        // Bounds: m < 256 (lookup), m_s < 2^64, m_c < 2^128 (range-checked), P < 2^64:
        // |U| < 2^129, n < 2^128, h < 2^130 is 0 only if every part is, and the word's five
        // fields occupy disjoint bits below 2^202.
        meta.create_gate("position slot", |m| {
            let q = m.query_selector(q_position);
            let (idx, ss, ms, sc, mc, price, n, f, w, tid) = (
                cur(m, &adv, IDX),
                cur(m, &adv, SS),
                cur(m, &adv, MS),
                cur(m, &adv, SC),
                cur(m, &adv, MC),
                cur(m, &adv, PRICE),
                cur(m, &adv, X),
                cur(m, &adv, F),
                cur(m, &adv, WORD),
                cur(m, &adv, TID),
            );
            let (t, r, rho, empty, inv, u) = (
                cur(m, &adv, T),
                cur(m, &adv, R),
                cur(m, &adv, RHO),
                cur(m, &adv, EMPTY),
                cur(m, &adv, EMPTY_INV),
                cur(m, &adv, U),
            );
            let one = constant(Fp::ONE);
            let s = signed(ss.clone(), ms.clone());
            let open = ms.clone() + ss.clone();
            let cost_magnitude = mc.clone() + sc.clone();
            let held = ss.clone() + ms.clone() + sc.clone() + mc.clone();
            Constraints::with_selector(
                q,
                [
                    ("size sign is boolean", bool_check(ss.clone())),
                    ("cost sign is boolean", bool_check(sc.clone())),
                    ("notional", n - open.clone() * price.clone()),
                    (
                        "pnl",
                        u.clone() - (s.clone() * price - signed(sc.clone(), mc.clone())),
                    ),
                    (
                        "leaf word",
                        w - (idx.clone()
                            + ms * pow2(INDEX_BITS)
                            + mc * pow2(INDEX_BITS + 64)
                            + ss * pow2(INDEX_BITS + 192)
                            + sc * pow2(INDEX_BITS + 193)),
                    ),
                    (
                        "tier table",
                        tid - (constant(Fp::from(MARKET_TIER_BASE)) + idx.clone()),
                    ),
                    (
                        "pnl collateral",
                        cur(m, &adv, AE) - prev(m, &adv, AE) - u.clone() * rs,
                    ),
                    ("pnl sum", cur(m, &adv, E) - prev(m, &adv, E) - u.clone()),
                    (
                        "position requirement",
                        cur(m, &adv, MR) - prev(m, &adv, MR) - f,
                    ),
                    (
                        "bucket pole",
                        t.clone() * (r - constant(Fp::from(MARKET_POLE_OFFSET)) - idx.clone())
                            - one.clone(),
                    ),
                    (
                        "bucket term",
                        cur(m, &adv, BK)
                            - prev(m, &adv, BK)
                            - (s + rho.clone() * open.clone() + rho.clone() * rho * u) * t,
                    ),
                    ("empty flag is boolean", bool_check(empty.clone())),
                    (
                        "held or empty, magnitudes in range",
                        inv * (held.clone() + empty.clone())
                            * (open - constant(pow2(QUANTITY_BITS as u32)))
                            * (cost_magnitude - constant(pow2(COST_BITS as u32)))
                            - one,
                    ),
                    ("empty slot holds nothing", empty.clone() * held),
                    ("empty slot has index zero", empty * idx),
                ],
            )
        });

        // slot order (slot rows after the first of their kind; the previous row is the previous
        // slot of the same kind):
        //   (1 − empty)·(a − a_prev − 1 − gap) = 0      a held slot's index is above the last
        //   empty_prev·(1 − empty) = 0                   nothing held after an empty slot
        // Bound: gap < 2^8 (range-checked) and a, a_prev < 256, so a − a_prev − 1 = gap ≥ 0 over
        // the integers: held indices strictly increase, and no instrument is held twice.
        meta.create_gate("slot order", |m| {
            let q = m.query_selector(q_order);
            let (idx, empty, gap) = (cur(m, &adv, IDX), cur(m, &adv, EMPTY), cur(m, &adv, GAP));
            let (idx_prev, empty_prev) = (prev(m, &adv, IDX), prev(m, &adv, EMPTY));
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    (
                        "held slots in index order",
                        (one.clone() - empty.clone()) * (idx - idx_prev - one.clone() - gap),
                    ),
                    ("empty slots last", empty_prev * (one - empty)),
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
            let theta = m.query_fixed(param);
            let (se, me, sd, md, liq, eo, bd, sf) = (
                cur(m, &adv, 0),
                cur(m, &adv, 1),
                cur(m, &adv, 2),
                cur(m, &adv, 3),
                cur(m, &adv, 4),
                cur(m, &adv, 5),
                cur(m, &adv, 6),
                cur(m, &adv, 7),
            );
            let one = constant(Fp::ONE);
            Constraints::with_selector(
                q,
                [
                    ("equity sign is boolean", bool_check(se.clone())),
                    ("margin sign is boolean", bool_check(sd.clone())),
                    (
                        "equity sign",
                        prev(m, &adv, E) - signed(se.clone(), me.clone()),
                    ),
                    (
                        "margin test",
                        prev(m, &adv, AE) * rs
                            - theta * prev(m, &adv, MR)
                            - signed(sd.clone(), md.clone()),
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
            q_order,
            q_status,
            instrument_lookup,
        }
    }

    /// Builds the chip.
    pub fn construct(config: AccountConfig) -> Self {
        AccountChip { config }
    }
}

type Cell = AssignedCell<Fp, Fp>;

/// Cells that need range checks or tier proofs once the region is laid out.
#[derive(Default)]
struct Pending {
    ranges: Vec<(String, Cell, usize)>,
    tiers: Vec<(TieredInput, TierSource)>,
}

/// Which witness tier a tier proof uses.
#[derive(Clone, Copy)]
enum TierSource {
    Asset(usize),
    Market(usize),
}

fn invert(v: Value<Fp>) -> Value<Fp> {
    v.map(|x| Option::from(x.invert()).unwrap_or(Fp::ZERO))
}

/// Assigns one advice cell of the account region.
struct RowWriter<'r, 'a> {
    region: &'r mut Region<'a, Fp>,
    advice: [Column<Advice>; ACCOUNT_COLUMNS],
}

impl RowWriter<'_, '_> {
    fn put(&mut self, name: &str, col: usize, row: usize, v: Value<Fp>) -> Result<Cell, Error> {
        self.region
            .assign_advice(|| name.to_string(), self.advice[col], row, || v)
    }
    fn copy(&mut self, name: &str, cell: &Cell, col: usize, row: usize) -> Result<Cell, Error> {
        cell.copy_advice(|| name.to_string(), self.region, self.advice[col], row)
    }
}

/// Running accumulator values down the region.
#[derive(Clone, Copy)]
struct Accumulators {
    ae: Value<Fp>,
    e: Value<Fp>,
    mr: Value<Fp>,
    bk: Value<Fp>,
}

impl Accumulators {
    fn put(&self, w: &mut RowWriter<'_, '_>, row: usize) -> Result<Cell, Error> {
        w.put("ae", AE, row, self.ae)?;
        w.put("e", E, row, self.e)?;
        w.put("mr", MR, row, self.mr)?;
        w.put("bk", BK, row, self.bk)
    }
}

impl AccountInstructions for AccountChip {
    fn assign_account(
        &self,
        mut layouter: impl Layouter<Fp>,
        params: &RiskParams,
        shape: SlotShape,
        range: &RangeCheckChip,
        tiers: &TieredRateChip,
        challenges: &Challenges,
        witness: Value<&AccountWitness>,
    ) -> Result<AccountCells, Error> {
        let cfg = &self.config;
        let rs = Value::known(Fp::from(RATE_SCALE));
        let one = Value::known(Fp::ONE);
        let r = challenges.r.value().copied();
        let rho = challenges.rho.value().copied();

        let (cells, pending) = layouter.assign_region(
            || "account",
            |mut region: Region<'_, Fp>| {
                let mut pending = Pending::default();
                let mut w = RowWriter {
                    region: &mut region,
                    advice: cfg.advice,
                };
                let mut leaf_words: Vec<Cell> = Vec::new();

                // Row 0: identity.
                cfg.q_identity.enable(w.region, 0)?;
                let key = w.put("key", KEY, 0, witness.map(|w| w.key))?;
                w.put("key inverse", KEY_INV, 0, witness.map(|w| w.key_inverse))?;
                let is_real = w.put("is_real", IS_REAL, 0, witness.map(|w| w.is_real))?;
                let zero = Value::known(Fp::ZERO);
                let mut acc = Accumulators {
                    ae: zero,
                    e: zero,
                    mr: zero,
                    bk: zero,
                };
                let mut bucket = acc.put(&mut w, 0)?;
                leaf_words.push(key);

                // Rows 1..=S: asset slots.
                for i in 0..shape.assets {
                    let row = 1 + i;
                    let s = witness.map(|w| &w.assets[i]);
                    cfg.q_asset.enable(w.region, row)?;
                    if i > 0 {
                        cfg.q_order.enable(w.region, row)?;
                    }
                    let idx = w.put("asset index", IDX, row, s.map(|a| a.index))?;
                    let b = w.put("balance", B, row, s.map(|a| a.balance))?;
                    let l = w.put("debt", L, row, s.map(|a| a.debt))?;
                    let sigma = w.put("net sign", SIGMA, row, s.map(|a| a.negative))?;
                    let code = w.put("net code", CODE, row, s.map(|a| a.code))?;
                    w.put("price", PRICE, row, s.map(|a| a.price))?;
                    let x = w.put("net value", X, row, s.map(|a| a.value))?;
                    let f = w.put("tiered value", F, row, s.map(|a| a.tier.value))?;
                    let (iv, bv, lv, sv) = (
                        idx.value().copied(),
                        b.value().copied(),
                        l.value().copied(),
                        sigma.value().copied(),
                    );
                    let word = iv
                        + bv * Value::known(pow2(INDEX_BITS))
                        + lv * Value::known(pow2(INDEX_BITS + 64));
                    leaf_words.push(w.put("leaf word", WORD, row, word)?);
                    let tid = w.put("tier table", TID, row, one + iv + iv + sv)?;
                    let t = invert(r - iv);
                    w.put("bucket inverse", T, row, t)?;
                    w.copy("r", &challenges.r, R, row)?;
                    w.copy("rho", &challenges.rho, RHO, row)?;
                    let empty = w.put("empty", EMPTY, row, s.map(|a| a.empty))?;
                    if i == 0 {
                        w.copy("first asset slot empty", &empty, FIRST_ASSET_EMPTY, 0)?;
                    }
                    w.put("empty inverse", EMPTY_INV, row, s.map(|a| a.empty_inverse))?;
                    let gap = w.put("gap", GAP, row, s.map(|a| a.gap))?;
                    let (xv, fv) = (x.value().copied(), f.value().copied());
                    acc.ae = acc.ae + (one - sv) * fv - sv * xv * rs;
                    acc.e = acc.e + (one - sv - sv) * xv;
                    acc.mr = acc.mr + sv * fv;
                    acc.bk = acc.bk + (bv + rho * lv) * t;
                    bucket = acc.put(&mut w, row)?;
                    let name = format!("asset slot {i}");
                    pending
                        .ranges
                        .push((format!("{name} balance"), b, QUANTITY_BITS));
                    pending
                        .ranges
                        .push((format!("{name} debt"), l, QUANTITY_BITS));
                    pending
                        .ranges
                        .push((format!("{name} net code"), code, QUANTITY_BITS));
                    if i > 0 {
                        pending.ranges.push((format!("{name} gap"), gap, GAP_BITS));
                    }
                    pending.tiers.push((
                        TieredInput {
                            what: name,
                            table_id: tid,
                            x,
                            value: f,
                        },
                        TierSource::Asset(i),
                    ));
                }

                // Rows S+1..=S+P: position slots. Without any, padding has no position to hold.
                if shape.markets == 0 {
                    w.region.assign_advice_from_constant(
                        || "no position slots",
                        cfg.advice[FIRST_POSITION_EMPTY],
                        0,
                        Fp::ONE,
                    )?;
                }
                for j in 0..shape.markets {
                    let row = 1 + shape.assets + j;
                    let s = witness.map(|w| &w.positions[j]);
                    cfg.q_position.enable(w.region, row)?;
                    if j > 0 {
                        cfg.q_order.enable(w.region, row)?;
                    }
                    let idx = w.put("market index", IDX, row, s.map(|p| p.index))?;
                    let ss = w.put("size sign", SS, row, s.map(|p| p.size_negative))?;
                    let ms = w.put("size code", MS, row, s.map(|p| p.size_code))?;
                    let sc = w.put("cost sign", SC, row, s.map(|p| p.cost_negative))?;
                    let mc = w.put("cost code", MC, row, s.map(|p| p.cost_code))?;
                    w.put("mark price", PRICE, row, s.map(|p| p.mark_price))?;
                    let n = w.put("notional", X, row, s.map(|p| p.notional))?;
                    let f = w.put("tiered value", F, row, s.map(|p| p.tier.value))?;
                    let u = w.put("pnl", U, row, s.map(|p| p.pnl))?;
                    let (iv, ssv, msv, scv, mcv) = (
                        idx.value().copied(),
                        ss.value().copied(),
                        ms.value().copied(),
                        sc.value().copied(),
                        mc.value().copied(),
                    );
                    let word = iv
                        + msv * Value::known(pow2(INDEX_BITS))
                        + mcv * Value::known(pow2(INDEX_BITS + 64))
                        + ssv * Value::known(pow2(INDEX_BITS + 192))
                        + scv * Value::known(pow2(INDEX_BITS + 193));
                    leaf_words.push(w.put("leaf word", WORD, row, word)?);
                    let tid = w.put(
                        "tier table",
                        TID,
                        row,
                        Value::known(Fp::from(MARKET_TIER_BASE)) + iv,
                    )?;
                    let t = invert(r - Value::known(Fp::from(MARKET_POLE_OFFSET)) - iv);
                    w.put("bucket inverse", T, row, t)?;
                    w.copy("r", &challenges.r, R, row)?;
                    w.copy("rho", &challenges.rho, RHO, row)?;
                    let empty = w.put("empty", EMPTY, row, s.map(|p| p.empty))?;
                    if j == 0 {
                        w.copy("first position slot empty", &empty, FIRST_POSITION_EMPTY, 0)?;
                    }
                    w.put("slot inverse", EMPTY_INV, row, s.map(|p| p.slot_inverse))?;
                    let gap = w.put("gap", GAP, row, s.map(|p| p.gap))?;
                    let signed_size = msv - ssv * (msv + msv + one);
                    let open = msv + ssv;
                    let (uv, fv) = (u.value().copied(), f.value().copied());
                    acc.ae = acc.ae + uv * rs;
                    acc.e = acc.e + uv;
                    acc.mr = acc.mr + fv;
                    acc.bk = acc.bk + (signed_size + rho * open + rho * rho * uv) * t;
                    bucket = acc.put(&mut w, row)?;
                    let name = format!("position slot {j}");
                    pending
                        .ranges
                        .push((format!("{name} size code"), ms, QUANTITY_BITS));
                    pending
                        .ranges
                        .push((format!("{name} cost code"), mc, COST_BITS));
                    if j > 0 {
                        pending.ranges.push((format!("{name} gap"), gap, GAP_BITS));
                    }
                    pending.tiers.push((
                        TieredInput {
                            what: name,
                            table_id: tid,
                            x: n,
                            value: f,
                        },
                        TierSource::Market(j),
                    ));
                }

                // Last row: status.
                let row = 1 + shape.assets + shape.markets;
                let st = witness.map(|w| &w.status);
                cfg.q_status.enable(w.region, row)?;
                w.region.assign_fixed(
                    || "threshold",
                    cfg.param,
                    row,
                    || Value::known(Fp::from(params.threshold_ppm)),
                )?;
                let se = w.put("equity sign", 0, row, st.map(|s| s.equity_negative))?;
                let me = w.put("equity code", 1, row, st.map(|s| s.equity_code))?;
                let sd = w.put("margin sign", 2, row, st.map(|s| s.margin_negative))?;
                let md = w.put("margin code", 3, row, st.map(|s| s.margin_code))?;
                let liq = w.put("liquidatable", 4, row, st.map(|s| s.liquidatable))?;
                let (sev, mev, sdv, mdv) = (
                    se.value().copied(),
                    me.value().copied(),
                    sd.value().copied(),
                    md.value().copied(),
                );
                let eo = w.put("equity owed", 5, row, (one - sev) * mev)?;
                let bd = w.put("bad debt", 6, row, sev * (mev + one))?;
                let sf = w.put("shortfall", 7, row, sdv * (mdv + one))?;
                pending.ranges.push(("equity code".into(), me, EQUITY_BITS));
                pending
                    .ranges
                    .push(("margin code".into(), md, MARGIN_TEST_BITS));

                Ok((
                    AccountCells {
                        leaf_words,
                        account_terms: vec![is_real, liq, se, eo, bd, sf],
                        bucket_term: bucket,
                    },
                    pending,
                ))
            },
        )?;

        for (input, source) in &pending.tiers {
            let tier: Value<&TierWitness> = witness.map(|w| match source {
                TierSource::Asset(i) => &w.assets[*i].tier,
                TierSource::Market(j) => &w.positions[*j].tier,
            });
            tiers.tiered_value(
                layouter.namespace(|| input.what.clone()),
                range,
                input,
                tier,
            )?;
        }
        for (what, cell, bits) in &pending.ranges {
            range.range_check(layouter.namespace(|| what.clone()), what, cell, *bits)?;
        }
        Ok(cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chips::tiered::TierTableIds;

    #[test]
    fn tier_ids_are_linear_in_the_index() {
        assert_eq!(TierTableIds::asset(3), 7);
        assert_eq!(TierTableIds::market(0), MARKET_TIER_BASE);
    }
}
