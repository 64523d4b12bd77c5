//! How many rows a batch circuit uses, measured by running the floor planner against a counter
//! (no field work, no 2^k allocation), and the smallest `k` that holds it.

use halo2_proofs::{
    circuit::Value,
    plonk::{
        Advice, Any, Assigned, Assignment, Circuit, Column, ConstraintSystem, Error, Fixed,
        FloorPlanner, Instance, Selector,
    },
};

use crate::circuit::BatchCircuit;
use crate::field::Fp;

/// Counts the highest row any assignment touches.
#[derive(Debug, Default)]
struct RowCounter {
    rows: usize,
}

impl RowCounter {
    fn touch(&mut self, row: usize) {
        self.rows = self.rows.max(row + 1);
    }
}

impl Assignment<Fp> for RowCounter {
    fn enter_region<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }
    fn exit_region(&mut self) {}
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
        _: Column<Advice>,
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
    let mut cs = ConstraintSystem::default();
    let config = BatchCircuit::configure(&mut cs);
    let mut counter = RowCounter::default();
    let constants = vec![config.constants()];
    <BatchCircuit as Circuit<Fp>>::FloorPlanner::synthesize(
        &mut counter,
        circuit,
        config,
        constants,
    )?;
    Ok(counter.rows)
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
