//! A MockProver circuit for one gate of the account region on its own (as halo2_gadgets tests
//! its chips): the gate configured on the account columns ([`super::rows`]), one region of rows
//! the test writes cell by cell, and the gate's selector on the rows it names. No lookup, range
//! check or other gate runs, so a test sees exactly what this gate constrains, and asserts the
//! exact list of failures ([`unsatisfied`]).

use std::marker::PhantomData;

use ff::Field;
use halo2_proofs::{
    circuit::{Layouter, Region, SimpleFloorPlanner, Value},
    dev::{metadata, FailureLocation, MockProver, VerifyFailure},
    plonk::{Advice, Circuit, Column, ConstraintSystem, Error},
};

use super::rows::{AccountColumns, AccountRows, ACCOUNT_COLUMNS};
use super::AccountFixedColumns;
use crate::field::Fp;

/// The region's name in every failure location.
pub const REGION: &str = "gate under test";

/// One gate (or a config's pair of gates) under test.
pub trait GateUnderTest {
    /// The gate's config.
    type Config: Clone;
    /// Creates the gate on the account columns.
    fn configure(
        meta: &mut ConstraintSystem<Fp>,
        columns: &AccountColumns,
        fixed: &AccountFixedColumns,
    ) -> Self::Config;
    /// Enables selector `which` of the config on `row`.
    fn enable(
        config: &Self::Config,
        region: &mut Region<'_, Fp>,
        which: usize,
        row: usize,
    ) -> Result<(), Error>;
}

/// One row's cells: the advice columns and the three fixed ones (threshold, slot kind, pole).
#[derive(Debug, Clone, Copy)]
pub struct TestRow {
    /// The advice cells, by column.
    pub advice: [Fp; ACCOUNT_COLUMNS],
    /// θ, the slot kind, the scenario pole.
    pub fixed: [Fp; 3],
}

impl Default for TestRow {
    fn default() -> Self {
        TestRow {
            advice: [Fp::ZERO; ACCOUNT_COLUMNS],
            fixed: [Fp::ZERO; 3],
        }
    }
}

/// Where each field of each row kind is ([`AccountRows`] over column positions).
pub fn at() -> AccountRows<usize> {
    AccountRows::new(std::array::from_fn(|i| i))
}

struct GateCircuit<G> {
    rows: Vec<TestRow>,
    enabled: Vec<(usize, usize)>,
    gate: PhantomData<G>,
}

impl<G: GateUnderTest> Circuit<Fp> for GateCircuit<G> {
    type Config = (
        G::Config,
        [Column<Advice>; ACCOUNT_COLUMNS],
        AccountFixedColumns,
    );
    type FloorPlanner = SimpleFloorPlanner;

    fn without_witnesses(&self) -> Self {
        GateCircuit {
            rows: self.rows.clone(),
            enabled: self.enabled.clone(),
            gate: PhantomData,
        }
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Self::Config {
        let advice: [Column<Advice>; ACCOUNT_COLUMNS] =
            std::array::from_fn(|_| meta.advice_column());
        let fixed = AccountFixedColumns {
            threshold: meta.fixed_column(),
            slot_kind: meta.fixed_column(),
            pole: meta.fixed_column(),
        };
        let columns = AccountColumns {
            rows: AccountRows::new(advice),
            slot_kind: fixed.slot_kind,
        };
        (G::configure(meta, &columns, &fixed), advice, fixed)
    }

    fn synthesize(
        &self,
        (config, advice, fixed): Self::Config,
        mut layouter: impl Layouter<Fp>,
    ) -> Result<(), Error> {
        layouter.assign_region(
            || REGION,
            |mut region| {
                for (offset, row) in self.rows.iter().enumerate() {
                    for (column, v) in advice.iter().zip(row.advice) {
                        region.assign_advice(|| "cell", *column, offset, || Value::known(v))?;
                    }
                    let columns = [fixed.threshold, fixed.slot_kind, fixed.pole];
                    for (column, v) in columns.into_iter().zip(row.fixed) {
                        region.assign_fixed(|| "fixed", column, offset, || Value::known(v))?;
                    }
                }
                for &(which, row) in &self.enabled {
                    G::enable(&config, &mut region, which, row)?;
                }
                Ok(())
            },
        )
    }
}

/// A failure a test asserts, with its location: an unsatisfied constraint, or a lookup (by its
/// index among the circuit's lookups) whose input is in no row of its table.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// An unsatisfied constraint.
    Constraint(metadata::Constraint, FailureLocation),
    /// A failed lookup.
    Lookup(usize, FailureLocation),
}

/// Every failure of `prover`'s circuit, in MockProver's order. Any other kind of failure (a cell
/// not assigned, a copy) fails the test.
pub fn failures(prover: &MockProver<Fp>) -> Vec<Failure> {
    match prover.verify() {
        Ok(()) => Vec::new(),
        Err(failures) => failures
            .into_iter()
            .map(|f| match f {
                VerifyFailure::ConstraintNotSatisfied {
                    constraint,
                    location,
                    ..
                } => Failure::Constraint(constraint, location),
                VerifyFailure::Lookup {
                    lookup_index,
                    location,
                } => Failure::Lookup(lookup_index, location),
                other => panic!("unexpected failure {other}"),
            })
            .collect(),
    }
}

/// Runs the gate over `rows` with selector `which` enabled on each `(which, row)` of `enabled`,
/// and returns every failure ([`failures`]; the gate alone has no lookup).
pub fn unsatisfied<G: GateUnderTest>(rows: &[TestRow], enabled: &[(usize, usize)]) -> Vec<Failure> {
    let circuit = GateCircuit::<G> {
        rows: rows.to_vec(),
        enabled: enabled.to_vec(),
        gate: PhantomData,
    };
    let prover = MockProver::run(5, &circuit, vec![]).expect("the test circuit synthesizes");
    failures(&prover)
}

/// The failure of constraint `index` named `name` of gate `gate` (its index `gate_index` among
/// the test circuit's gates) at `offset` of the test region.
pub fn failure(
    gate_index: usize,
    gate: &'static str,
    index: usize,
    name: &'static str,
    offset: usize,
) -> Failure {
    Failure::Constraint(
        ((gate_index, gate).into(), index, name).into(),
        FailureLocation::InRegion {
            region: (0, REGION).into(),
            offset,
        },
    )
}

/// Implements [`GateUnderTest`] as `$name` for a config of one gate whose selector is its
/// private field `q`: `configure` gets a fresh selector `$q` and the columns.
#[cfg(test)]
macro_rules! one_gate {
    ($name:ident, $config:ty, |$meta:ident, $columns:ident, $fixed:ident, $q:ident| $configure:expr) => {
        struct $name;
        impl $crate::chips::account::gate_test::GateUnderTest for $name {
            type Config = $config;
            fn configure(
                $meta: &mut halo2_proofs::plonk::ConstraintSystem<$crate::field::Fp>,
                $columns: &$crate::chips::account::rows::AccountColumns,
                $fixed: &$crate::chips::account::AccountFixedColumns,
            ) -> $config {
                let _ = $fixed;
                let $q = $meta.selector();
                $configure
            }
            fn enable(
                config: &$config,
                region: &mut halo2_proofs::circuit::Region<'_, $crate::field::Fp>,
                _which: usize,
                row: usize,
            ) -> Result<(), halo2_proofs::plonk::Error> {
                config.q.enable(region, row)
            }
        }
    };
}
#[cfg(test)]
pub(crate) use one_gate;

/// Implements [`GateUnderTest`] as `$name` for a slot kind's pair of gates (base and scenario,
/// selectors `q` and `q_scenario`, selector 0 and 1 of the test).
#[cfg(test)]
macro_rules! slot_gates {
    ($name:ident, $config:ident) => {
        struct $name;
        impl $crate::chips::account::gate_test::GateUnderTest for $name {
            type Config = $config;
            fn configure(
                meta: &mut halo2_proofs::plonk::ConstraintSystem<$crate::field::Fp>,
                columns: &$crate::chips::account::rows::AccountColumns,
                _: &$crate::chips::account::AccountFixedColumns,
            ) -> $config {
                let (q, q_scenario) = (meta.selector(), meta.selector());
                $config::configure(meta, q, q_scenario, columns)
            }
            fn enable(
                config: &$config,
                region: &mut halo2_proofs::circuit::Region<'_, $crate::field::Fp>,
                which: usize,
                row: usize,
            ) -> Result<(), halo2_proofs::plonk::Error> {
                [config.q, config.q_scenario][which].enable(region, row)
            }
        }
    };
}
#[cfg(test)]
pub(crate) use slot_gates;
