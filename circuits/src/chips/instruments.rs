//! The instrument table: every asset's price and every market's mark price, at the base prices
//! and under each stress scenario (SPEC §7), looked up as rows `(kind, kind·index, kind·price)`. Kind and index are fixed columns (the configuration's shape); the
//! price is the instance column itself, so that a new snapshot of the same assets and markets at
//! new prices keeps the same circuit and keys, and the table costs no advice row at all.
//!
//! Layout, one region of fixed cells ("instrument table") at rows
//! [`INSTRUMENT_PRICES`]` + i`, in the order of [`instrument_rows`]; the region's columns are used
//! by no other region, so it starts at row 0 and row `INSTRUMENT_PRICES + i` of the fixed columns
//! sits beside instance row `INSTRUMENT_PRICES + i`, where the verifier puts that instrument's
//! price:
//!
//! | row | `kind` (fixed) | `index` (fixed) | instance |
//! |---|---|---|---|
//! | `< INSTRUMENT_PRICES` | 0 | 0 | tag, root, `C_i`, `C_{i+1}`, `r`, `ρ` |
//! | `INSTRUMENT_PRICES + a` | [`ASSET_KIND`] | `a` | `p_a` |
//! | `INSTRUMENT_PRICES + A + m` | [`MARKET_KIND`] | `m` | `P_m` |
//! | `INSTRUMENT_PRICES + (s+1)(A+M) + a` | [`price_kind`]`(ASSET_KIND, s + 1)` | `a` | `p_a` under scenario `s` |
//! | `INSTRUMENT_PRICES + (s+1)(A+M) + A + m` | [`price_kind`]`(MARKET_KIND, s + 1)` | `m` | `P_m` under scenario `s` |
//! | then, with a distribution, its edge rows | [`EDGE_LOWER_KIND`], [`EDGE_UPPER_KIND`] | bucket `j` | `e_j + 1`, `e_{j+1} + 1` or 0 |
//! | then, per portfolio-margin shock `g`, per asset, then per market | [`shock_kind`]`(kind, g)` | `a` or `m` | the move's code `μ + RS` (SPEC §12) |
//! | then one row | [`FLOOR_KIND`] | 0 | the floor rate φ (ppm) |
//!
//! Block `b` of the prices (0 the base prices, `s + 1` scenario `s`'s) has kinds
//! `1 + 2b` (assets) and `2 + 2b` (markets): every (block, instrument kind) pair its own nonzero
//! kind. The table's tuple on a row is `(kind, kind·index, kind·instance)`. On every row outside
//! the table `kind = index = 0` (fixed columns are 0 where unassigned), so those rows contribute
//! exactly `(0, 0, 0)` whatever the instance holds there: the filler that rows without a slot
//! look up. On table rows `kind ≥ 1`, so `kind·index` and `kind·price` equal the table's only if
//! the index and the price are.
//!
//! Every slot row, base or scenario, has the kind of the price it must use in a fixed column
//! ([`SlotKindColumn`], 0 on every other row) and looks up `(kind, kind·index, kind·price)` of
//! its own row: its index is then a real instrument of that kind (`a < A ≤ 1024`,
//! `m < M ≤ 256`, so an index fits the 10 bits the leaf word gives it) and its price is the
//! published one of that block. The lookup is a
//! [`halo2_proofs::plonk::ConstraintSystem::lookup_any`] (table side of fixed and instance
//! expressions, the vendored addition in `vendor/halo2_proofs/PATCHES.md`): the instance column
//! is the verifier's own input, fixed before any challenge, so the argument is sound as for a
//! fixed table. Degree: inputs `kind`, `kind·idx`, `kind·price` are at most 2, the table's
//! `kind·index` and `kind·instance` are 2, so the lookup has degree 2 + 2 + 2 = 6.

use halo2_proofs::{
    circuit::{Layouter, Value},
    plonk::{Column, ConstraintSystem, Error, Expression, Fixed, Instance, VirtualCells},
    poly::Rotation,
};

use crate::config::move_code;
use crate::config::RiskParams;
use crate::field::Fp;
use crate::instance::INSTRUMENT_PRICES;
use crate::units::{MAX_SCENARIOS, MAX_SHOCKS};

/// Kind tag of asset rows.
pub const ASSET_KIND: u64 = 1;
/// Kind tag of market rows.
pub const MARKET_KIND: u64 = 2;

/// The kind of an instrument kind's rows in price block `block` (0 base, `s + 1` scenario `s`).
pub const fn price_kind(kind: u64, block: usize) -> u64 {
    kind + 2 * block as u64
}

/// Kind of the distribution's lower-edge rows: above every price block's kinds.
pub const EDGE_LOWER_KIND: u64 = price_kind(ASSET_KIND, MAX_SCENARIOS + 1);
/// Kind of the distribution's upper-edge rows.
pub const EDGE_UPPER_KIND: u64 = price_kind(MARKET_KIND, MAX_SCENARIOS + 1);

/// The kind of an instrument kind's rows of portfolio-margin shock `g` (SPEC §12): above the
/// edge kinds, one pair of kinds per shock.
pub const fn shock_kind(kind: u64, g: usize) -> u64 {
    price_kind(kind, MAX_SCENARIOS + 2 + g)
}

/// Kind of the portfolio-margin floor rate's one row (index 0): above every shock's kinds.
pub const FLOOR_KIND: u64 = shock_kind(ASSET_KIND, MAX_SHOCKS);

/// The edge rows' values for bucket `j` of `edges` (ppm): `(e_j + 1, e_{j+1} + 1)`, 0 where the
/// bucket has no such edge ([`crate::chips::account::distribution`]).
pub fn edge_values(edges_ppm: &[u64], j: usize) -> (u64, u64) {
    let lower = j
        .checked_sub(1)
        .and_then(|i| edges_ppm.get(i))
        .map_or(0, |e| e + 1);
    let upper = edges_ppm.get(j).map_or(0, |e| e + 1);
    (lower, upper)
}

/// One row of the instrument table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentRow {
    /// [`price_kind`] of [`ASSET_KIND`] or [`MARKET_KIND`] and the row's price block.
    pub kind: u64,
    /// Index of the instrument among its kind in the configuration.
    pub index: u64,
    /// Its price (ν per atom): the asset price or the market's mark price.
    pub price: u64,
}

/// The instrument table's rows in their one order: per price block (the base prices, then each
/// scenario's), every asset, then every market. The same order places the prices in the
/// instance column ([`crate::statement::BatchStatement`]).
pub fn instrument_rows(params: &RiskParams) -> Vec<InstrumentRow> {
    let blocks = std::iter::once(params.base_prices())
        .chain(params.scenarios.iter().map(|s| s.prices.clone()));
    let mut rows = Vec::new();
    for (block, prices) in blocks.enumerate() {
        for (a, price) in prices.assets.iter().enumerate() {
            rows.push(InstrumentRow {
                kind: price_kind(ASSET_KIND, block),
                index: a as u64,
                price: *price,
            });
        }
        for (m, price) in prices.markets.iter().enumerate() {
            rows.push(InstrumentRow {
                kind: price_kind(MARKET_KIND, block),
                index: m as u64,
                price: *price,
            });
        }
    }
    if let Some(d) = &params.distribution {
        let buckets = d.edges_ppm.len() + 1;
        for (kind, pick) in [(EDGE_LOWER_KIND, 0), (EDGE_UPPER_KIND, 1)] {
            for j in 0..buckets {
                let (lower, upper) = edge_values(&d.edges_ppm, j);
                rows.push(InstrumentRow {
                    kind,
                    index: j as u64,
                    price: if pick == 0 { lower } else { upper },
                });
            }
        }
    }
    if let Some(p) = &params.portfolio_margin {
        for (g, shock) in p.shocks.iter().enumerate() {
            for (kind, moves) in [
                (ASSET_KIND, &shock.moves.assets),
                (MARKET_KIND, &shock.moves.markets),
            ] {
                for (i, m) in moves.iter().enumerate() {
                    rows.push(InstrumentRow {
                        kind: shock_kind(kind, g),
                        index: i as u64,
                        price: move_code(*m),
                    });
                }
            }
        }
        rows.push(InstrumentRow {
            kind: FLOOR_KIND,
            index: 0,
            price: p.floor_ppm,
        });
    }
    rows
}

/// The fixed column that gives each slot row the kind of the price it looks up
/// ([`price_kind`]), 0 on every other row.
#[derive(Debug, Clone, Copy)]
pub struct SlotKindColumn(pub Column<Fixed>);

/// The table's columns.
#[derive(Debug, Clone, Copy)]
pub struct InstrumentTable {
    /// `ASSET_KIND` or `MARKET_KIND` on table rows, 0 elsewhere.
    pub kind: Column<Fixed>,
    /// Index of the instrument in the configuration on table rows, 0 elsewhere.
    pub index: Column<Fixed>,
    /// The instance column: the published price on table rows.
    pub price: Column<Instance>,
}

impl InstrumentTable {
    /// Allocates the fixed columns; `price` is the circuit's instance column.
    pub fn configure(meta: &mut ConstraintSystem<Fp>, price: Column<Instance>) -> Self {
        InstrumentTable {
            kind: meta.fixed_column(),
            index: meta.fixed_column(),
            price,
        }
    }

    /// The table side of the lookup: `(kind, kind·index, kind·price)` of the current row.
    pub fn table_expressions(&self, m: &mut VirtualCells<'_, Fp>) -> [Expression<Fp>; 3] {
        let kind = m.query_fixed(self.kind);
        let index = m.query_fixed(self.index);
        let price = m.query_instance(self.price, Rotation::cur());
        [kind.clone(), kind.clone() * index, kind * price]
    }

    /// Lays out the table: kind and index from the configuration's shape, beside the instance
    /// rows of the prices.
    pub fn load(&self, layouter: &mut impl Layouter<Fp>, params: &RiskParams) -> Result<(), Error> {
        let rows = instrument_rows(params);
        layouter.assign_region(
            || "instrument table",
            |mut region| {
                for (i, row) in rows.iter().enumerate() {
                    let offset = INSTRUMENT_PRICES + i;
                    region.assign_fixed(
                        || "kind",
                        self.kind,
                        offset,
                        || Value::known(Fp::from(row.kind)),
                    )?;
                    region.assign_fixed(
                        || "index",
                        self.index,
                        offset,
                        || Value::known(Fp::from(row.index)),
                    )?;
                }
                Ok(())
            },
        )
    }
}
