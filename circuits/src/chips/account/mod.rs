//! One account's valuation (SPEC §2) over its holding slots: net values, haircut collateral,
//! PnL, adjusted and raw equity, the maintenance requirement, the status, the words of its leaf,
//! and its term of the bucket identity; then the same valuation under each stress scenario, and
//! the margin-ratio bucket (SPEC §7).
//!
//! One region per account, rows in this order, the accumulators (`ae`, `e`, `mr`, `bk`)
//! running down the rows with `Rotation::prev()`. Which column holds what on each row kind is
//! written once, in [`rows`]; each relation a gate, the assignment and the witness share is
//! written once, in [`crate::relations`]. One config per gate, each in its own file with its
//! layout, equations and bounds:
//!
//! | rows | row kind ([`rows`]) | gates |
//! |---|---|---|
//! | 0 | [`rows::IdentityRow`] | [`identity`] |
//! | 1..=S | [`rows::AssetRow`] | [`asset_slot`] (`asset slot`), [`slot_order`] after the first |
//! | S+1..=S+P | [`rows::PositionRow`] | [`position_slot`] (`position slot`), [`slot_order`] after the first |
//! | S+P+1 | [`rows::StatusRow`] | [`status`], [`carry`] |
//! | per scenario s: S rows | [`rows::AssetRow`] | `scenario asset slot` ([`asset_slot`]) |
//! | then P rows | [`rows::PositionRow`] | `scenario position slot` ([`position_slot`]) |
//! | then 1 row | [`rows::StatusRow`], [`rows::OutcomeRow`] | [`status`], [`outcome`] |
//! | last 2 (with a distribution) | [`rows::DistributionRow`] | [`carry`], [`distribution`] |
//!
//! Slot rows after the first of their kind also satisfy [`slot_order`]: held slots in strictly
//! increasing index order, empty slots (index 0, all zero) last, so the slots are the one
//! canonical encoding of the record ([`crate::model::holdings`]). A scenario slot row copies its index, signs and codes from the base slot row, so
//! every scenario values exactly the committed holding; every status row restarts the
//! valuation (`ae = e = mr = 0`) for the next scenario and `bk` runs on to the last row.
//!
//! `F` cells are proven by [`crate::chips::tiered`] on table `tid`; `(kind, kind·index,
//! kind·price)` of every slot and bucket row, with the row's fixed slot kind, is a row of the
//! [`crate::chips::instruments`] table (the base block of prices, a scenario's, or the edges);
//! `b, l, m, m_s, m_c, gap, m_E, m_D` and the bucket codes are range-checked. Signed values use
//! the code of [`crate::signed`]: `v = m − σ(2m + 1)`.
//!
//! `bk` is this account's term of the bucket identity ([`crate::model::buckets`]):
//! `γ·is_real/(r − u) + Σ_slots (b + ρ·l)/(r − a) + Σ (s + ρ·|s| + ρ²·U)/(r − 1024 − m)`, plus
//! each scenario's outcome terms and the distribution's count term; `u` is the account's
//! distinct key ([`crate::model::distinct`]).

pub mod asset_slot;
pub mod carry;
pub mod distribution;
#[cfg(any(test, feature = "test-support"))]
pub mod gate_test;
pub mod identity;
pub mod outcome;
pub mod portfolio;
pub mod position_slot;
pub mod rows;
pub mod slot_order;
pub mod status;

use ff::Field;
use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Region, Value},
    plonk::{
        Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector,
        VirtualCells,
    },
};

pub use asset_slot::AssetSlotConfig;
pub use carry::BucketCarryConfig;
pub use distribution::DistributionConfig;
pub use identity::IdentityConfig;
pub use outcome::OutcomeConfig;
pub use portfolio::PortfolioConfig;
pub use position_slot::PositionSlotConfig;
use rows::AccumulatorRow;
pub use rows::{AccountColumns, AccountRows, ACCOUNT_COLUMNS};
pub use slot_order::{SlotOrderConfig, GAP_BITS};
pub use status::StatusConfig;

use crate::chips::instrument_totals::Challenges;
use crate::chips::instruments::{price_kind, InstrumentTable, ASSET_KIND, MARKET_KIND};
use crate::chips::range_check::{RangeCheckChip, RangeCheckInstructions};
use crate::chips::tiered::{TieredInput, TieredRateChip, TieredRateInstructions};
use crate::circuit::witness::{AccountWitness, TierWitness};
use crate::config::RiskParams;
use crate::field::Fp;
use crate::model::holdings::SlotShape;
use crate::model::portfolio::MarginMode;
use crate::model::totals::{AccountTotal, OutcomeFields};
use crate::relations::Valuation;
use crate::units::{EQUITY_BITS, MARGIN_TEST_BITS};
use distribution::BUCKET_CODE_BITS;

/// The cells of one account that other chips consume.
#[derive(Debug, Clone)]
pub struct AccountCells {
    /// The leaf message: `id_hash`, salt, asset slot words, position slot words.
    pub leaf_words: Vec<AssignedCell<Fp, Fp>>,
    /// The distinct key `u` the account's term uses: the caller binds it to
    /// `Poseidon(id_hash, k)` (its input is `leaf_words[0]`).
    pub distinct_key: AssignedCell<Fp, Fp>,
    /// Terms of the per-account totals, in [`AccountTotal::ALL`] order (the tail of
    /// `Totals::entries`); `None` where the term is the constant 0 (a standard class's
    /// portfolio-margin unit count), which the caller supplies.
    pub account_terms: Vec<Option<AssignedCell<Fp, Fp>>>,
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

/// The account chip's gates: one config per gate, composed.
#[derive(Debug, Clone)]
pub struct AccountConfig {
    columns: AccountColumns,
    /// `account identity`.
    pub identity: IdentityConfig,
    /// `asset slot`.
    pub asset: AssetSlotConfig,
    /// `position slot`.
    pub position: PositionSlotConfig,
    /// `slot order`.
    pub order: SlotOrderConfig,
    /// `account status`.
    pub status: StatusConfig,
    /// `bucket carried`.
    pub carry: BucketCarryConfig,
    /// `scenario outcome`.
    pub outcome: OutcomeConfig,
    /// `margin bucket`.
    pub distribution: DistributionConfig,
    /// `shock slot starts`, `shock slot`, `shock close`, `portfolio requirement`.
    pub portfolio: PortfolioConfig,
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

impl AccountChip {
    /// Configures the account gates and the instrument lookup on `advice`, the fixed columns
    /// `threshold` (θ), `slot_kind` (each row's price kind), `pole` (each scenario status row's
    /// first pole) and the instrument table.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: [Column<Advice>; ACCOUNT_COLUMNS],
        fixed: AccountFixedColumns,
        instruments: InstrumentTable,
    ) -> AccountConfig {
        for column in advice {
            meta.enable_equality(column);
        }
        let columns = AccountColumns {
            rows: AccountRows::new(advice),
            slot_kind: fixed.slot_kind,
        };

        // Instrument lookup on every row: (kind, kind·index, kind·price) is a row of the table,
        // with `kind` the row's fixed slot kind: a price block's asset or market kind on slot
        // rows (base or scenario), an edge kind on the margin bucket's rows, 0 elsewhere, where
        // the input is the filler (0, 0, 0).
        let instrument_lookup = meta.lookup_any(|m| {
            let kind = m.query_fixed(fixed.slot_kind);
            let [table_kind, table_index, table_price] = instruments.table_expressions(m);
            vec![
                (kind.clone(), table_kind),
                (
                    kind.clone() * rows::cur(m, columns.rows.asset.slot.index),
                    table_index,
                ),
                (
                    kind * rows::cur(m, columns.rows.asset.slot.price),
                    table_price,
                ),
            ]
        });

        let (q_asset, q_asset_scenario) = (meta.selector(), meta.selector());
        let (q_position, q_position_scenario) = (meta.selector(), meta.selector());
        let [q_identity, q_order, q_status, q_carry, q_outcome, q_distribution] =
            std::array::from_fn(|_| meta.selector());
        let q_portfolio = std::array::from_fn(|_| meta.selector());
        AccountConfig {
            columns,
            identity: IdentityConfig::configure(meta, q_identity, &columns),
            asset: AssetSlotConfig::configure(meta, q_asset, q_asset_scenario, &columns),
            position: PositionSlotConfig::configure(
                meta,
                q_position,
                q_position_scenario,
                &columns,
            ),
            order: SlotOrderConfig::configure(meta, q_order, &columns),
            status: StatusConfig::configure(meta, q_status, &columns, fixed.threshold),
            carry: BucketCarryConfig::configure(meta, q_carry, &columns),
            outcome: OutcomeConfig::configure(meta, q_outcome, &columns, fixed.pole),
            distribution: DistributionConfig::configure(meta, q_distribution, &columns),
            portfolio: PortfolioConfig::configure(meta, q_portfolio, &columns),
            instrument_lookup,
        }
    }

    /// Builds the chip.
    pub fn construct(config: AccountConfig) -> Self {
        AccountChip { config }
    }
}

/// The account chip's fixed columns.
#[derive(Debug, Clone, Copy)]
pub struct AccountFixedColumns {
    /// θ on status rows.
    pub threshold: Column<Fixed>,
    /// The price kind each row looks up (0 off slot rows).
    pub slot_kind: Column<Fixed>,
    /// The first pole of a scenario status row's outcome terms.
    pub pole: Column<Fixed>,
}

type Cell = AssignedCell<Fp, Fp>;

/// Creates the `scenario … slot` gate of a slot kind under `q`: the kind's `valuation`
/// constraints at the row's (scenario) price, and `bucket carried: bk = bk_prev` (a scenario
/// adds nothing to the instrument totals).
fn scenario_slot_gate(
    meta: &mut ConstraintSystem<Fp>,
    name: &'static str,
    q: Selector,
    bucket: Column<Advice>,
    valuation: impl FnOnce(&mut VirtualCells<'_, Fp>) -> Vec<(&'static str, Expression<Fp>)>,
) {
    meta.create_gate(name, |m| {
        let q = m.query_selector(q);
        let mut constraints = valuation(m);
        constraints.push((
            "bucket carried",
            rows::cur(m, bucket) - rows::prev(m, bucket),
        ));
        Constraints::with_selector(q, constraints)
    });
}

/// Cells that need range checks or tier proofs once the region is laid out.
#[derive(Default)]
struct Pending {
    ranges: Vec<(String, Cell, usize)>,
    tiers: Vec<(TieredInput, TierSource)>,
}

/// Which witness tier a tier proof uses: a base slot's, or scenario `s`'s.
#[derive(Clone, Copy)]
enum TierSource {
    Asset(usize),
    Market(usize),
    ScenarioAsset(usize, usize),
    ScenarioMarket(usize, usize),
}

/// Assigns the cells of the account region.
pub(crate) struct RowWriter<'r, 'a> {
    region: &'r mut Region<'a, Fp>,
    slot_kind: Column<Fixed>,
}

impl RowWriter<'_, '_> {
    /// Sets the price kind `row` looks up in the instrument table.
    fn slot_kind(&mut self, row: usize, kind: u64) -> Result<(), Error> {
        self.region.assign_fixed(
            || "slot kind",
            self.slot_kind,
            row,
            || Value::known(Fp::from(kind)),
        )?;
        Ok(())
    }

    fn put(
        &mut self,
        name: &str,
        column: Column<Advice>,
        row: usize,
        v: Value<Fp>,
    ) -> Result<Cell, Error> {
        self.region
            .assign_advice(|| name.to_string(), column, row, || v)
    }
    fn copy(
        &mut self,
        name: &str,
        cell: &Cell,
        column: Column<Advice>,
        row: usize,
    ) -> Result<Cell, Error> {
        cell.copy_advice(|| name.to_string(), self.region, column, row)
    }
}

/// Running accumulator values down the region.
#[derive(Clone, Copy)]
pub(crate) struct Accumulators {
    ae: Value<Fp>,
    e: Value<Fp>,
    mr: Value<Fp>,
    bk: Value<Fp>,
}

impl Accumulators {
    /// Adds one slot's valuation step ([`crate::relations::Valuation`]) to `ae`, `e` and `mr`.
    fn step(&mut self, step: Valuation<Value<Fp>>) {
        let v = Valuation {
            adjusted_equity: self.ae,
            equity: self.e,
            requirement: self.mr,
        }
        .plus(step);
        (self.ae, self.e, self.mr) = (v.adjusted_equity, v.equity, v.requirement);
    }

    /// Writes the accumulators on `row`; returns their cells.
    fn put(
        &self,
        w: &mut RowWriter<'_, '_>,
        columns: &AccountColumns,
        row: usize,
    ) -> Result<AccumulatorRow<Cell>, Error> {
        let c = columns.rows.accumulators;
        Ok(AccumulatorRow {
            adjusted_equity: w.put("ae", c.adjusted_equity, row, self.ae)?,
            equity: w.put("e", c.equity, row, self.e)?,
            requirement: w.put("mr", c.requirement, row, self.mr)?,
            bucket: w.put("bk", c.bucket, row, self.bk)?,
        })
    }
}

/// What every laid-out slot, asset or position, hands back: its leaf word, `empty` and `gap`
/// cells, its tiered-rate input, and the cells to range-check, in order.
pub(crate) struct SlotCells {
    word: Cell,
    empty: Cell,
    gap: Cell,
    tier_table: Cell,
    tier_x: Cell,
    tiered: Cell,
    ranges: Vec<(&'static str, Cell, usize)>,
}

/// What a scenario slot row hands back: its tiered-rate input.
pub(crate) struct ScenarioSlotCells {
    tier_table: Cell,
    tier_x: Cell,
    tiered: Cell,
}

/// The account-level work after a slot's own row: the first slot's `empty` copied to the
/// identity row, the leaf word, the accumulators, the range checks and the tier proof queued.
struct SlotDone {
    kind: &'static str,
    index: usize,
    row: usize,
    first_empty: Column<Advice>,
    source: TierSource,
}

impl SlotDone {
    fn new(
        kind: &'static str,
        index: usize,
        row: usize,
        first_empty: Column<Advice>,
        source: TierSource,
    ) -> Self {
        SlotDone {
            kind,
            index,
            row,
            first_empty,
            source,
        }
    }

    /// Records the slot's cells; writes the accumulators on the slot's row and returns them.
    fn finish(
        self,
        w: &mut RowWriter<'_, '_>,
        columns: &AccountColumns,
        slot: SlotCells,
        acc: &Accumulators,
        leaf_words: &mut Vec<Cell>,
        pending: &mut Pending,
    ) -> Result<AccumulatorRow<Cell>, Error> {
        if self.index == 0 {
            let what = format!("first {} slot empty", self.kind);
            w.copy(&what, &slot.empty, self.first_empty, 0)?;
        }
        leaf_words.push(slot.word);
        let written = acc.put(w, columns, self.row)?;
        let name = format!("{} slot {}", self.kind, self.index);
        for (what, cell, bits) in slot.ranges {
            pending.ranges.push((format!("{name} {what}"), cell, bits));
        }
        if self.index > 0 {
            pending
                .ranges
                .push((format!("{name} gap"), slot.gap, GAP_BITS));
        }
        pending.tiers.push((
            TieredInput {
                what: name,
                table_id: slot.tier_table,
                x: slot.tier_x,
                value: slot.tiered,
            },
            self.source,
        ));
        Ok(written)
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
        let columns = &cfg.columns;

        let (cells, pending) = layouter.assign_region(
            || "account",
            |mut region: Region<'_, Fp>| {
                let mut pending = Pending::default();
                let mut w = RowWriter {
                    region: &mut region,
                    slot_kind: columns.slot_kind,
                };
                let mut leaf_words: Vec<Cell> = Vec::new();

                // Row 0: identity, and the distinct-key term that starts `bk`.
                let (identity, distinct_term) = cfg.identity.assign(&mut w, witness, challenges)?;
                let is_real = identity.is_real.clone();
                let zero = Value::known(Fp::ZERO);
                let mut acc = Accumulators {
                    ae: zero,
                    e: zero,
                    mr: zero,
                    bk: distinct_term,
                };
                let mut last = acc.put(&mut w, columns, 0)?;
                leaf_words.push(identity.id_hash);
                leaf_words.push(identity.salt);

                // Rows 1..=S: asset slots.
                let portfolio = shape.mode == MarginMode::Portfolio;
                let shocks = params.shock_count();
                let pw = witness.and_then(|w| match &w.portfolio {
                    Some(p) => Value::known(p),
                    None => Value::unknown(),
                });
                let mut portfolio_slots = Vec::new();
                let mut asset_keys = Vec::with_capacity(shape.assets);
                for i in 0..shape.assets {
                    let row = 1 + i;
                    if i > 0 {
                        cfg.order.enable(&mut w, row)?;
                    }
                    let s = witness.map(|w| &w.assets[i]);
                    let (slot, k) = cfg.asset.assign(&mut w, row, s, challenges, &mut acc)?;
                    portfolio_slots.push(k.portfolio_slot(&slot.tier_x));
                    asset_keys.push(k);
                    let first_empty = cfg.identity.first_asset_empty();
                    let done = SlotDone::new("asset", i, row, first_empty, TierSource::Asset(i));
                    last =
                        done.finish(&mut w, columns, slot, &acc, &mut leaf_words, &mut pending)?;
                }

                // Rows S+1..=S+P: position slots. Without any, padding has no position to hold.
                if shape.markets == 0 {
                    cfg.identity.no_position_slots(w.region)?;
                }
                let mut position_keys = Vec::with_capacity(shape.markets);
                for j in 0..shape.markets {
                    let row = 1 + shape.assets + j;
                    if j > 0 {
                        cfg.order.enable(&mut w, row)?;
                    }
                    let s = witness.map(|w| &w.positions[j]);
                    let (slot, k) = cfg.position.assign(&mut w, row, s, challenges, &mut acc)?;
                    portfolio_slots.push(k.portfolio_slot(&slot.tier_x));
                    position_keys.push(k);
                    let first_empty = cfg.identity.first_position_empty();
                    let done =
                        SlotDone::new("position", j, row, first_empty, TierSource::Market(j));
                    last =
                        done.finish(&mut w, columns, slot, &acc, &mut leaf_words, &mut pending)?;
                }
                let c = columns.rows.accumulators;
                let mut row = shape.assets + shape.markets + 1;
                // A portfolio-margin class's requirement rows (SPEC §12) between the slots and
                // the status row, whose `mr` is then `MR_pm`.
                if portfolio {
                    let pc = cfg.portfolio.assign(
                        &mut w,
                        row,
                        shocks,
                        &portfolio_slots,
                        &last,
                        pw,
                        0,
                        "base",
                    )?;
                    pending.ranges.extend(pc.ranges);
                    row = pc.next_row;
                    last = pc.accumulators;
                }
                // The base valuation's AE and MR cells, for the margin bucket.
                let (base_ae, base_mr) = (last.adjusted_equity.clone(), last.requirement.clone());

                // The base status row, then each scenario's slot rows and status row.
                let st = witness.map(|w| &w.status);
                let status = cfg.status.assign(&mut w, row, params.threshold_ppm, st)?;
                cfg.carry.enable(&mut w, row)?;
                acc = Accumulators {
                    ae: zero,
                    e: zero,
                    mr: zero,
                    bk: acc.bk,
                };
                let mut bucket = acc.put(&mut w, columns, row)?.bucket;
                pending.ranges.push((
                    "equity code".into(),
                    status.equity_code.clone(),
                    EQUITY_BITS,
                ));
                pending.ranges.push((
                    "margin code".into(),
                    status.margin_code.clone(),
                    MARGIN_TEST_BITS,
                ));
                for s in 0..params.scenarios.len() {
                    let kind = |k| price_kind(k, s + 1);
                    let sw = witness.map(|w| &w.scenarios[s]);
                    let mut scenario_slots = Vec::new();
                    for (i, k) in asset_keys.iter().enumerate() {
                        row += 1;
                        let v = sw.map(|sw| &sw.assets[i]);
                        let slot = cfg.asset.assign_scenario(
                            &mut w,
                            row,
                            k,
                            kind(ASSET_KIND),
                            v,
                            &mut acc,
                        )?;
                        scenario_slots.push(k.portfolio_slot(&slot.tier_x));
                        last = acc.put(&mut w, columns, row)?;
                        pending.scenario_tier(
                            format!("scenario {s} asset slot {i}"),
                            slot,
                            TierSource::ScenarioAsset(s, i),
                        );
                    }
                    for (j, k) in position_keys.iter().enumerate() {
                        row += 1;
                        let v = sw.map(|sw| &sw.positions[j]);
                        let slot = cfg.position.assign_scenario(
                            &mut w,
                            row,
                            k,
                            kind(MARKET_KIND),
                            v,
                            &mut acc,
                        )?;
                        scenario_slots.push(k.portfolio_slot(&slot.tier_x));
                        last = acc.put(&mut w, columns, row)?;
                        pending.scenario_tier(
                            format!("scenario {s} position slot {j}"),
                            slot,
                            TierSource::ScenarioMarket(s, j),
                        );
                    }
                    row += 1;
                    if portfolio {
                        let pc = cfg.portfolio.assign(
                            &mut w,
                            row,
                            shocks,
                            &scenario_slots,
                            &last,
                            pw,
                            s + 1,
                            &format!("scenario {s}"),
                        )?;
                        pending.ranges.extend(pc.ranges);
                        row = pc.next_row;
                    }
                    let st = sw.map(|sw| &sw.status);
                    let status = cfg.status.assign(&mut w, row, params.threshold_ppm, st)?;
                    let terms = status.outcomes();
                    let added = cfg.outcome.assign(&mut w, row, s, challenges, terms)?;
                    acc = Accumulators {
                        ae: zero,
                        e: zero,
                        mr: zero,
                        bk: acc.bk + added,
                    };
                    bucket = acc.put(&mut w, columns, row)?.bucket;
                    let what = |code: &str| format!("scenario {s} {code}");
                    pending
                        .ranges
                        .push((what("equity code"), status.equity_code, EQUITY_BITS));
                    pending.ranges.push((
                        what("margin code"),
                        status.margin_code,
                        MARGIN_TEST_BITS,
                    ));
                }

                // The margin bucket, on the last two rows.
                if params.distribution.is_some() {
                    row += 1;
                    cfg.carry.enable(&mut w, row)?;
                    w.put("bk", c.bucket, row, acc.bk)?;
                    let d = witness.map(|w| w.distribution.as_ref());
                    let d = d.and_then(|d| match d {
                        Some(d) => Value::known(d),
                        None => Value::unknown(),
                    });
                    let (dist, added) = cfg
                        .distribution
                        .assign(&mut w, row, &base_ae, &base_mr, &is_real, challenges, d)?;
                    row += 1;
                    bucket = w.put("bk", c.bucket, row, acc.bk + added)?;
                    pending.ranges.push((
                        "margin bucket lower code".into(),
                        dist.lower_code,
                        BUCKET_CODE_BITS,
                    ));
                    pending.ranges.push((
                        "margin bucket upper code".into(),
                        dist.upper_code,
                        BUCKET_CODE_BITS,
                    ));
                }

                Ok((
                    AccountCells {
                        leaf_words,
                        distinct_key: identity.distinct_key,
                        account_terms: AccountTotal::ALL
                            .iter()
                            .map(|t| match t {
                                AccountTotal::Accounts => Some(is_real.clone()),
                                AccountTotal::Outcome(o) => Some(status.outcome(*o).clone()),
                                AccountTotal::PortfolioMarginUnits => {
                                    portfolio.then(|| is_real.clone())
                                }
                            })
                            .collect(),
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
                TierSource::ScenarioAsset(s, i) => &w.scenarios[*s].assets[*i].tier,
                TierSource::ScenarioMarket(s, j) => &w.scenarios[*s].positions[*j].tier,
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

impl Pending {
    /// Queues the tier proof of a scenario slot.
    fn scenario_tier(&mut self, what: String, slot: ScenarioSlotCells, source: TierSource) {
        self.tiers.push((
            TieredInput {
                what,
                table_id: slot.tier_table,
                x: slot.tier_x,
                value: slot.tiered,
            },
            source,
        ));
    }
}
