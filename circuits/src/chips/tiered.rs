//! Tiered functions `F(x)` of SPEC §2 by tier lookup.
//!
//! Every tier table of the configuration is loaded into one fixed lookup table of rows
//! `(table id, lower, max_offset, base, rate)` (see [`TierTableIds`]); row `(0, 0, 0, 0, 0)` is the
//! filler that disabled rows look up. One region per evaluation:
//!
//! | a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7 | a8 | `q_tier` |
//! |---|---|---|---|---|---|---|---|---|---|
//! | table id | x | lower | max_offset | base | rate | offset | room | value | 1 |
//!
//! Lookup: `(table id, lower, max_offset, base, rate)` is a row of the tier table, so the four
//! tier parameters are those of one real tier of that table. The table id is copied from the
//! account row that derives it from the slot's instrument index (see [`TierTableIds`]); it is
//! at least 1, so never the filler.
//!
//! ```text
//! offset in tier:  offset − (x − lower)           = 0
//! room in tier:    room − (max_offset − offset)   = 0
//! tier value:      value − (base + rate · offset) = 0
//! ```
//!
//! Bounds: `offset` and `room` are range-checked below 2^128. With `x, lower < 2^128` this gives
//! `lower ≤ x ≤ lower + max_offset` over the integers (a negative difference would be `p − d`,
//! far above 2^128), so the tier is the one that holds `x`; tiers partition `[0, 2^128)`, so
//! there is no other choice. `value < 2^147 + 2^20 · 2^128`: no wrap-around.

use halo2_proofs::{
    circuit::{AssignedCell, Chip, Layouter, Value},
    plonk::{Advice, Column, ConstraintSystem, Constraints, Error, Selector, TableColumn},
    poly::Rotation,
};

use crate::chips::range_check::{RangeCheckChip, RangeCheckInstructions};
use crate::circuit::witness::TierWitness;
use crate::config::RiskParams;
use crate::field::{fp_from_bigint, fp_from_u128, Fp};
use crate::model::TierTable;
use crate::relations;
use crate::units::VALUE_BITS;

/// Table ids of a configuration's tier tables in the lookup table.
///
/// Asset `a`: haircut `1 + 2a`, maintenance `2 + 2a` (= haircut id + σ). Market `m`:
/// `MARKET_TIER_BASE + m`. Both are linear in the index, so a gate derives them from the slot.
#[derive(Debug, Clone, Copy)]
pub struct TierTableIds;

pub use crate::relations::MARKET_TIER_BASE;

impl TierTableIds {
    /// Id of asset `a`'s table for net sign `σ`: its haircut table (σ = 0) or its maintenance
    /// table (σ = 1) ([`relations::asset_tier_table`], the gate's own relation).
    pub fn asset(a: usize, sigma: bool) -> Fp {
        relations::asset_tier_table(Fp::from(a as u64), Fp::from(u64::from(sigma)))
    }
    /// Id of market `m`'s maintenance table ([`relations::market_tier_table`]).
    pub fn market(m: usize) -> Fp {
        relations::market_tier_table(Fp::from(m as u64))
    }
}

/// One evaluation to prove: `value = T(x)` for the table `T` whose id is in `table_id`.
#[derive(Debug, Clone)]
pub struct TieredInput {
    /// Names the region (`tiered rate: <what>`) and its range checks.
    pub what: String,
    /// The table id cell (see [`TierTableIds`]).
    pub table_id: AssignedCell<Fp, Fp>,
    /// The argument `x`.
    pub x: AssignedCell<Fp, Fp>,
    /// The claimed `T(x)`.
    pub value: AssignedCell<Fp, Fp>,
}

/// Instructions of the tiered-function chip.
pub trait TieredRateInstructions {
    /// Constrains `input.value = T(input.x)`; `tier` is the witnessed tier, whose parameters are
    /// checked by lookup.
    fn tiered_value(
        &self,
        layouter: impl Layouter<Fp>,
        range: &RangeCheckChip,
        input: &TieredInput,
        tier: Value<&TierWitness>,
    ) -> Result<(), Error>;
}

/// The lookup table's columns.
#[derive(Debug, Clone, Copy)]
pub struct TierTableColumns {
    id: TableColumn,
    lower: TableColumn,
    max_offset: TableColumn,
    base: TableColumn,
    rate: TableColumn,
}

/// Columns and selector of the tiered-function chip.
#[derive(Debug, Clone)]
pub struct TieredRateConfig {
    advice: [Column<Advice>; 9],
    q_tier: Selector,
    table: TierTableColumns,
}

/// The tiered-function chip.
#[derive(Debug)]
pub struct TieredRateChip {
    config: TieredRateConfig,
}

impl Chip<Fp> for TieredRateChip {
    type Config = TieredRateConfig;
    type Loaded = ();
    fn config(&self) -> &Self::Config {
        &self.config
    }
    fn loaded(&self) -> &Self::Loaded {
        &()
    }
}

const TABLE_ID: usize = 0;
const X: usize = 1;
const LOWER: usize = 2;
const MAX_OFFSET: usize = 3;
const BASE: usize = 4;
const RATE: usize = 5;
const OFFSET: usize = 6;
const ROOM: usize = 7;
const VALUE: usize = 8;

impl TieredRateChip {
    /// Configures the gate and the tier lookup on `advice[0..9]`.
    pub fn configure(
        meta: &mut ConstraintSystem<Fp>,
        advice: [Column<Advice>; 9],
    ) -> TieredRateConfig {
        let q_tier = meta.complex_selector();
        let table = TierTableColumns {
            id: meta.lookup_table_column(),
            lower: meta.lookup_table_column(),
            max_offset: meta.lookup_table_column(),
            base: meta.lookup_table_column(),
            rate: meta.lookup_table_column(),
        };
        meta.lookup(|m| {
            let q = m.query_selector(q_tier);
            let cur = |m: &mut halo2_proofs::plonk::VirtualCells<'_, Fp>, c: usize| {
                m.query_advice(advice[c], Rotation::cur())
            };
            let id = cur(m, TABLE_ID);
            vec![
                (q.clone() * id, table.id),
                (q.clone() * cur(m, LOWER), table.lower),
                (q.clone() * cur(m, MAX_OFFSET), table.max_offset),
                (q.clone() * cur(m, BASE), table.base),
                (q * cur(m, RATE), table.rate),
            ]
        });
        meta.create_gate("tiered rate", |m| {
            let q = m.query_selector(q_tier);
            let mut c = |i: usize| m.query_advice(advice[i], Rotation::cur());
            let (x, lower, max_offset, base, rate, offset, room, value) = (
                c(X),
                c(LOWER),
                c(MAX_OFFSET),
                c(BASE),
                c(RATE),
                c(OFFSET),
                c(ROOM),
                c(VALUE),
            );
            // offset, room < 2^128 (range-checked) ⇒ lower ≤ x ≤ lower + max_offset.
            Constraints::with_selector(
                q,
                [
                    ("offset in tier", offset.clone() - (x - lower)),
                    ("room in tier", room - (max_offset - offset.clone())),
                    ("tier value", value - (base + rate * offset)),
                ],
            )
        });
        for column in advice {
            meta.enable_equality(column);
        }
        TieredRateConfig {
            advice,
            q_tier,
            table,
        }
    }

    /// Builds the chip.
    pub fn construct(config: TieredRateConfig) -> Self {
        TieredRateChip { config }
    }

    /// Loads every tier table of `params` into the lookup table.
    pub fn load_table(
        &self,
        layouter: &mut impl Layouter<Fp>,
        params: &RiskParams,
    ) -> Result<(), Error> {
        let mut rows: Vec<(Fp, &TierTable)> = Vec::new();
        for (a, asset) in params.assets.iter().enumerate() {
            rows.push((TierTableIds::asset(a, false), &asset.haircut));
            rows.push((TierTableIds::asset(a, true), &asset.maintenance));
        }
        for (m, market) in params.markets.iter().enumerate() {
            rows.push((TierTableIds::market(m), &market.maintenance));
        }
        let t = self.config.table;
        layouter.assign_table(
            || "tier table",
            |mut table| {
                let mut row = 0;
                let mut put = |values: [Fp; 5]| -> Result<(), Error> {
                    for (column, v) in [t.id, t.lower, t.max_offset, t.base, t.rate]
                        .into_iter()
                        .zip(values)
                    {
                        table.assign_cell(|| "tier", column, row, || Value::known(v))?;
                    }
                    row += 1;
                    Ok(())
                };
                put([Fp::zero(); 5])?;
                for (id, tiers) in &rows {
                    for tier in tiers.tiers() {
                        put([
                            *id,
                            fp_from_u128(tier.lower),
                            fp_from_u128(tier.max_offset),
                            fp_from_bigint(&tier.base),
                            Fp::from(u64::from(tier.rate)),
                        ])?;
                    }
                }
                Ok(())
            },
        )
    }
}

impl TieredRateInstructions for TieredRateChip {
    fn tiered_value(
        &self,
        mut layouter: impl Layouter<Fp>,
        range: &RangeCheckChip,
        input: &TieredInput,
        tier: Value<&TierWitness>,
    ) -> Result<(), Error> {
        let TieredInput {
            what,
            table_id,
            x,
            value,
        } = input;
        let cfg = &self.config;
        let (offset, room) = layouter.assign_region(
            || format!("tiered rate: {what}"),
            |mut region| {
                cfg.q_tier.enable(&mut region, 0)?;
                table_id.copy_advice(|| "table id", &mut region, cfg.advice[TABLE_ID], 0)?;
                x.copy_advice(|| "x", &mut region, cfg.advice[X], 0)?;
                value.copy_advice(|| "value", &mut region, cfg.advice[VALUE], 0)?;
                let put = |region: &mut halo2_proofs::circuit::Region<'_, Fp>,
                           name: &'static str,
                           column: usize,
                           v: Value<Fp>| {
                    region.assign_advice(|| name, cfg.advice[column], 0, || v)
                };
                put(&mut region, "lower", LOWER, tier.map(|t| t.lower))?;
                put(
                    &mut region,
                    "max offset",
                    MAX_OFFSET,
                    tier.map(|t| t.max_offset),
                )?;
                put(&mut region, "base", BASE, tier.map(|t| t.base))?;
                put(&mut region, "rate", RATE, tier.map(|t| t.rate))?;
                let offset = put(&mut region, "offset", OFFSET, tier.map(|t| t.offset))?;
                let room = put(&mut region, "room", ROOM, tier.map(|t| t.room))?;
                Ok((offset, room))
            },
        )?;
        range.range_check(
            layouter.namespace(|| "offset"),
            &format!("{what} tier offset"),
            &offset,
            VALUE_BITS,
        )?;
        range.range_check(
            layouter.namespace(|| "room"),
            &format!("{what} tier room"),
            &room,
            VALUE_BITS,
        )?;
        Ok(())
    }
}
