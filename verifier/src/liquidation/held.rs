//! The model restricted to what one unit holds. An asset with no balance and no debt, or a market
//! with no size and no cost, adds nothing to AE, E or MR (every tiered function is 0 at 0), so
//! valuing the unit over its own instruments only gives the same figures and status, at a cost
//! that does not grow with the size of the configuration.

use marginproof_circuits::config::RiskParams;
use marginproof_circuits::model::AccountRecord;
use num_traits::Zero;

use super::search::Instrument;

/// A unit's own instruments, with the configuration and record cut down to them.
pub struct Held {
    /// The configuration with only the held assets and markets (no scenarios, no reserves).
    pub params: RiskParams,
    /// The record over those instruments, in the same order.
    pub record: AccountRecord,
    /// Each held instrument: its index in the full configuration, and in the cut one.
    pub instruments: Vec<(Instrument, Instrument)>,
}

/// Whether the unit holds the asset: a balance or a debt.
fn holds_asset(record: &AccountRecord, i: usize) -> bool {
    record.balances.get(i).is_some_and(|b| *b != 0) || record.debts.get(i).is_some_and(|d| *d != 0)
}

/// Whether the unit holds the market: a size or a cost.
fn holds_market(record: &AccountRecord, m: usize) -> bool {
    record
        .positions
        .get(m)
        .is_some_and(|p| p.size != 0 || !p.cost.is_zero())
}

/// Cuts the configuration and the record down to the instruments the record holds.
pub fn held(params: &RiskParams, record: &AccountRecord) -> Held {
    let assets: Vec<usize> = (0..params.assets.len())
        .filter(|&i| holds_asset(record, i))
        .collect();
    let markets: Vec<usize> = (0..params.markets.len())
        .filter(|&m| holds_market(record, m))
        .collect();
    let instruments = assets
        .iter()
        .enumerate()
        .map(|(k, &i)| (Instrument::Asset(i), Instrument::Asset(k)))
        .chain(
            markets
                .iter()
                .enumerate()
                .map(|(k, &m)| (Instrument::Market(m), Instrument::Market(k))),
        )
        .collect();
    // Every field named on purpose: a new part of the model (portfolio margin's shocks, say) must
    // be cut down here too, or this stops compiling.
    let cut = RiskParams {
        assets: assets.iter().map(|&i| params.assets[i].clone()).collect(),
        markets: markets.iter().map(|&m| params.markets[m].clone()).collect(),
        reserves: Vec::new(),
        scenarios: Vec::new(),
        distribution: None,
        snapshot_id: params.snapshot_id.clone(),
        venue: params.venue.clone(),
        threshold_ppm: params.threshold_ppm,
        file: params.file.clone(),
    };
    let record = AccountRecord {
        id: record.id.clone(),
        unit: record.unit.clone(),
        balances: assets.iter().map(|&i| at(&record.balances, i)).collect(),
        debts: assets.iter().map(|&i| at(&record.debts, i)).collect(),
        positions: markets
            .iter()
            .filter_map(|&m| record.positions.get(m).cloned())
            .collect(),
    };
    Held {
        params: cut,
        record,
        instruments,
    }
}

fn at(quantities: &[u64], i: usize) -> u64 {
    quantities.get(i).copied().unwrap_or(0)
}
