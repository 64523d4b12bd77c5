//! The instrument table: every asset's price and every market's mark price, as a fixed lookup
//! table of rows `(kind, index, price)`.
//!
//! | kind | index | price |
//! |---|---|---|
//! | 0 | 0 | 0 (filler: what disabled rows look up) |
//! | [`ASSET_KIND`] | `a` | `p_a` |
//! | [`MARKET_KIND`] | `m` | `P_m` |
//!
//! An account slot looks up `(kind, index, price)`: the index is then a real instrument of that
//! kind (`a < A ≤ 256`, `m < M ≤ 256`, so an index fits the 8 bits the leaf word gives it) and the
//! price is its public price. The lookup itself is configured by the account chip on its rows.

use halo2_proofs::{
    circuit::{Layouter, Value},
    plonk::{ConstraintSystem, Error, TableColumn},
};

use crate::config::RiskParams;
use crate::field::Fp;

/// Kind tag of asset rows.
pub const ASSET_KIND: u64 = 1;
/// Kind tag of market rows.
pub const MARKET_KIND: u64 = 2;

/// The table's columns.
#[derive(Debug, Clone, Copy)]
pub struct InstrumentTable {
    /// `ASSET_KIND` or `MARKET_KIND` (0 in the filler row).
    pub kind: TableColumn,
    /// Index of the instrument in the configuration.
    pub index: TableColumn,
    /// Its price (ν per atom).
    pub price: TableColumn,
}

impl InstrumentTable {
    /// Allocates the table columns.
    pub fn configure(meta: &mut ConstraintSystem<Fp>) -> Self {
        InstrumentTable {
            kind: meta.lookup_table_column(),
            index: meta.lookup_table_column(),
            price: meta.lookup_table_column(),
        }
    }

    /// Loads the configuration's prices.
    pub fn load(&self, layouter: &mut impl Layouter<Fp>, params: &RiskParams) -> Result<(), Error> {
        let mut rows = vec![[Fp::zero(); 3]];
        for (a, asset) in params.assets.iter().enumerate() {
            rows.push([
                Fp::from(ASSET_KIND),
                Fp::from(a as u64),
                Fp::from(asset.price),
            ]);
        }
        for (m, market) in params.markets.iter().enumerate() {
            rows.push([
                Fp::from(MARKET_KIND),
                Fp::from(m as u64),
                Fp::from(market.mark_price),
            ]);
        }
        layouter.assign_table(
            || "instrument table",
            |mut table| {
                for (row, values) in rows.iter().enumerate() {
                    for (column, v) in [self.kind, self.index, self.price].into_iter().zip(values) {
                        table.assign_cell(|| "instrument", column, row, || Value::known(*v))?;
                    }
                }
                Ok(())
            },
        )
    }
}
