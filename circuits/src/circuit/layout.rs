//! How many rows a batch circuit uses, measured by running the floor planner against a counter
//! (no field work, no 2^k allocation), and the smallest `k` that holds it.

use std::collections::BTreeMap;

use halo2_proofs::{
    circuit::Value,
    plonk::{
        Advice, Any, Assigned, Assignment, Circuit, Column, ConstraintSystem, Error, Fixed,
        FloorPlanner, Instance, Selector,
    },
};

use crate::circuit::BatchCircuit;
use crate::field::Fp;

/// Counts the highest row any assignment touches, and where the advice cells go.
#[derive(Debug, Default)]
struct RowCounter {
    rows: usize,
    /// Whether to record where cells go ([`layout_profile`]); [`rows_used`], which the planner and
    /// the verifier call for every candidate batch size, only counts rows.
    profile: bool,
    /// Per advice column: cells assigned and the highest row (plus one).
    advice: BTreeMap<Column<Advice>, (usize, usize)>,
    /// Per region kind: regions, rows spanned, advice cells.
    regions: BTreeMap<String, RegionUse>,
    /// The open region: its kind, first and last row, advice cells.
    open: Option<(String, usize, usize, usize)>,
}

impl RowCounter {
    fn touch(&mut self, row: usize) {
        self.rows = self.rows.max(row + 1);
        if let Some((_, first, last, _)) = &mut self.open {
            *first = (*first).min(row);
            *last = (*last).max(row);
        }
    }
}

/// Where one kind of region goes (regions are grouped by their name up to the first `:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionUse {
    /// Regions of this kind.
    pub regions: usize,
    /// Rows they span, summed.
    pub rows: usize,
    /// Advice cells they assign.
    pub cells: usize,
}

/// Where a batch circuit's rows and cells go: the measurement that decides a re-layout.
#[derive(Debug, Clone, Default)]
pub struct LayoutProfile {
    /// Rows used ([`rows_used`]).
    pub rows: usize,
    /// Per advice column, in allocation order: `(cells assigned, highest row used + 1)`.
    pub advice: Vec<(usize, usize)>,
    /// Per region kind.
    pub regions: BTreeMap<String, RegionUse>,
}

impl Assignment<Fp> for RowCounter {
    fn enter_region<NR, N>(&mut self, name: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        if !self.profile {
            return;
        }
        let name: String = name().into();
        let kind = name.split(':').next().unwrap_or("").trim().to_string();
        self.open = Some((kind, usize::MAX, 0, 0));
    }
    fn exit_region(&mut self) {
        if let Some((kind, first, last, cells)) = self.open.take() {
            let entry = self.regions.entry(kind).or_default();
            entry.regions += 1;
            if first <= last {
                entry.rows += last - first + 1;
            }
            entry.cells += cells;
        }
    }
    fn enable_selector<A, AR>(&mut self, _: A, _: &Selector, row: usize) -> Result<(), Error>
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.touch(row);
        Ok(())
    }
    fn query_instance(&self, _: Column<Instance>, _: usize) -> Result<Value<Fp>, Error> {
        Ok(Value::unknown())
    }
    fn assign_advice<V, VR, A, AR>(
        &mut self,
        _: A,
        column: Column<Advice>,
        row: usize,
        _: V,
    ) -> Result<(), Error>
    where
        V: FnOnce() -> Value<VR>,
        VR: Into<Assigned<Fp>>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.touch(row);
        if !self.profile {
            return Ok(());
        }
        let entry = self.advice.entry(column).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(row + 1);
        if let Some((_, _, _, cells)) = &mut self.open {
            *cells += 1;
        }
        Ok(())
    }
    fn assign_fixed<V, VR, A, AR>(
        &mut self,
        _: A,
        _: Column<Fixed>,
        row: usize,
        _: V,
    ) -> Result<(), Error>
    where
        V: FnOnce() -> Value<VR>,
        VR: Into<Assigned<Fp>>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.touch(row);
        Ok(())
    }
    fn copy(
        &mut self,
        _: Column<Any>,
        left: usize,
        _: Column<Any>,
        right: usize,
    ) -> Result<(), Error> {
        self.touch(left.max(right));
        Ok(())
    }
    fn fill_from_row(
        &mut self,
        _: Column<Fixed>,
        _: usize,
        _: Value<Assigned<Fp>>,
    ) -> Result<(), Error> {
        Ok(())
    }
    fn push_namespace<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }
    fn pop_namespace(&mut self, _: Option<String>) {}
}

/// Rows a circuit occupies (the highest row any region or table touches, plus one).
pub fn rows_used(circuit: &BatchCircuit) -> Result<usize, Error> {
    Ok(lay_out(circuit, false)?.rows)
}

/// Lays the circuit out against a counter and reports where its rows and advice cells go.
pub fn layout_profile(circuit: &BatchCircuit) -> Result<LayoutProfile, Error> {
    lay_out(circuit, true)
}

fn lay_out(circuit: &BatchCircuit, profile: bool) -> Result<LayoutProfile, Error> {
    let mut cs = ConstraintSystem::default();
    let config = BatchCircuit::configure(&mut cs);
    let mut counter = RowCounter {
        profile,
        ..RowCounter::default()
    };
    let constants = vec![config.constants()];
    <BatchCircuit as Circuit<Fp>>::FloorPlanner::synthesize(
        &mut counter,
        circuit,
        config,
        constants,
    )?;
    Ok(LayoutProfile {
        rows: counter.rows,
        advice: counter.advice.into_values().collect(),
        regions: counter.regions,
    })
}

/// The smallest `k` whose usable rows (`2^k` less the blinding rows) hold the circuit.
pub fn min_k(circuit: &BatchCircuit) -> Result<u32, Error> {
    let mut cs = ConstraintSystem::<Fp>::default();
    BatchCircuit::configure(&mut cs);
    let needed = rows_used(circuit)?.max(cs.minimum_rows()) + cs.blinding_factors() + 1;
    let mut k = 1u32;
    while (1usize << k) < needed {
        k += 1;
    }
    Ok(k)
}
