//! The instrument table: every asset's price and every market's mark price, looked up as rows
//! `(kind, index, kind·price)`. Kind and index are fixed columns (the configuration's shape); the
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
//!
//! The table's tuple on a row is `(kind, index, kind·instance)`. On every row outside the table
//! `kind = index = 0` (fixed columns are 0 where unassigned), so those rows contribute exactly
//! `(0, 0, 0)` whatever the instance holds there: the filler that rows without a slot look up.
//! On table rows `kind ∈ {1, 2}`, so `kind·price` equals the table's only if the slot's price is
//! the published one.
//!
//! An account slot looks up `(kind, index, kind·price)` of its own row: its index is then a real
//! instrument of that kind (`a < A ≤ 1024`, `m < M ≤ 256`, so an index fits the 10 bits the leaf
//! word gives it) and its price is the published one. The lookup is a
//! [`halo2_proofs::plonk::ConstraintSystem::lookup_any`] (table side of fixed and instance
//! expressions, the vendored addition in `vendor/halo2_proofs/PATCHES.md`): the instance column
//! is the verifier's own input, fixed before any challenge, so the argument is sound as for a
//! fixed table. Degree: inputs `q·kind`, `q·idx`, `q·kind·price` are at most 2 (the kind is a
//! constant per selector), the table `kind·instance` is 2, so the lookup has degree
//! 2 + 2 + 2 = 6, the circuit's maximum.

use halo2_proofs::{
    circuit::{Layouter, Value},
    plonk::{Column, ConstraintSystem, Error, Expression, Fixed, Instance, VirtualCells},
    poly::Rotation,
};

use crate::config::RiskParams;
use crate::field::Fp;
use crate::statement::INSTRUMENT_PRICES;

/// Kind tag of asset rows.
pub const ASSET_KIND: u64 = 1;
/// Kind tag of market rows.
pub const MARKET_KIND: u64 = 2;

/// One row of the instrument table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentRow {
    /// [`ASSET_KIND`] or [`MARKET_KIND`].
    pub kind: u64,
    /// Index of the instrument among its kind in the configuration.
    pub index: u64,
    /// Its price (ν per atom): the asset price or the market's mark price.
    pub price: u64,
}

/// The instrument table's rows in their one order: every asset, then every market. The same
/// order places the prices in the instance column ([`crate::statement::BatchStatement`]).
pub fn instrument_rows(params: &RiskParams) -> Vec<InstrumentRow> {
    let assets = params
        .assets
        .iter()
        .enumerate()
        .map(|(a, asset)| InstrumentRow {
            kind: ASSET_KIND,
            index: a as u64,
            price: asset.price,
        });
    let markets = params
        .markets
        .iter()
        .enumerate()
        .map(|(m, market)| InstrumentRow {
            kind: MARKET_KIND,
            index: m as u64,
            price: market.mark_price,
        });
    assets.chain(markets).collect()
}

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

    /// The table side of the lookup: `(kind, index, kind·price)` of the current row.
    pub fn table_expressions(&self, m: &mut VirtualCells<'_, Fp>) -> [Expression<Fp>; 3] {
        let kind = m.query_fixed(self.kind);
        let index = m.query_fixed(self.index);
        let price = m.query_instance(self.price, Rotation::cur());
        [kind.clone(), index, kind * price]
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
