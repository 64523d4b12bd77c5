//! The running-total and tiered-rate chips on their own (as halo2_gadgets tests its chips): a
//! MockProver circuit of the one chip, an honest evaluation that passes, and mutated claims that
//! fail exactly the listed constraints, lookups or copies at the listed rows. The account
//! region's gates have theirs beside them (`src/chips/account/*.rs`, `gate_test.rs`).

mod common;

use halo2_proofs::{
    circuit::{Layouter, SimpleFloorPlanner, Value},
    dev::{FailureLocation, MockProver},
    plonk::{Advice, Circuit, Column, ConstraintSystem, Error},
};
use marginproof_circuits::chips::account::gate_test::{failures, Failure};
use marginproof_circuits::chips::range_check::{self, RangeCheckChip, RangeCheckConfig};
use marginproof_circuits::chips::running_total::{
    RunningTotalChip, RunningTotalConfig, RunningTotalInstructions,
};
use marginproof_circuits::chips::tiered::{
    TierTableIds, TieredInput, TieredRateChip, TieredRateConfig, TieredRateInstructions,
};
use marginproof_circuits::circuit::witness::TierWitness;
use marginproof_circuits::field::{fp_from_u128, Fp};

fn in_region(index: usize, name: &str, offset: usize) -> FailureLocation {
    FailureLocation::InRegion {
        region: (index, name).into(),
        offset,
    }
}

// ---- running total ----

/// Terms 1, 2, 3 in a region of their own, summed from `before` to the claimed `after`.
#[derive(Clone)]
struct RunningTotalCircuit {
    before: u64,
    after: u64,
}

impl Circuit<Fp> for RunningTotalCircuit {
    type Config = (RunningTotalConfig, Column<Advice>);
    type FloorPlanner = SimpleFloorPlanner;
    fn without_witnesses(&self) -> Self {
        self.clone()
    }
    fn configure(meta: &mut ConstraintSystem<Fp>) -> Self::Config {
        let (acc, term, source) = (
            meta.advice_column(),
            meta.advice_column(),
            meta.advice_column(),
        );
        meta.enable_equality(source);
        (RunningTotalChip::configure(meta, &[(acc, term)]), source)
    }
    fn synthesize(
        &self,
        (config, source): Self::Config,
        mut layouter: impl Layouter<Fp>,
    ) -> Result<(), Error> {
        let terms = layouter.assign_region(
            || "terms",
            |mut region| {
                (0..3)
                    .map(|i| {
                        region.assign_advice(
                            || "term",
                            source,
                            i,
                            || Value::known(Fp::from(i as u64 + 1)),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()
            },
        )?;
        RunningTotalChip::construct(config).accumulate(
            layouter.namespace(|| "sum"),
            "test",
            Value::known(Fp::from(self.before)),
            Value::known(Fp::from(self.after)),
            &terms,
        )?;
        Ok(())
    }
}

fn running_total(before: u64, after: u64) -> Vec<Failure> {
    let circuit = RunningTotalCircuit { before, after };
    failures(&MockProver::run(5, &circuit, vec![]).expect("synthesizes"))
}

#[test]
fn a_running_total_that_is_the_sum_passes() {
    assert_eq!(running_total(10, 16), vec![]);
}

#[test]
fn a_claimed_total_off_the_sum_fails_the_last_step_only() {
    // acc_1 = 11, acc_2 = 13 are the prover's sums; the claim 17 ≠ 13 + 3 fails at offset 2.
    assert_eq!(
        running_total(10, 17),
        vec![Failure::Constraint(
            ((0, "running total").into(), 0, "running total").into(),
            in_region(1, "running total: test", 2),
        )]
    );
}

// ---- tiered rate ----

/// `F(x)` of asset 0's haircut table, as the witness claims it.
#[derive(Clone)]
struct TieredCircuit {
    x: u128,
    claimed: Fp,
    tier: TierWitness,
}

#[derive(Clone)]
struct TieredConfig {
    tiers: TieredRateConfig,
    range: RangeCheckConfig,
    input: [Column<Advice>; 3],
}

impl Circuit<Fp> for TieredCircuit {
    type Config = TieredConfig;
    type FloorPlanner = SimpleFloorPlanner;
    fn without_witnesses(&self) -> Self {
        self.clone()
    }
    fn configure(meta: &mut ConstraintSystem<Fp>) -> TieredConfig {
        let advice: [Column<Advice>; 9] = std::array::from_fn(|_| meta.advice_column());
        let input: [Column<Advice>; 3] = std::array::from_fn(|_| meta.advice_column());
        for column in input {
            meta.enable_equality(column);
        }
        let lanes: Vec<Column<Advice>> = (0..2).map(|_| meta.advice_column()).collect();
        let table = meta.lookup_table_column();
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        TieredConfig {
            range: RangeCheckChip::configure(meta, &lanes, table),
            tiers: TieredRateChip::configure(meta, advice),
            input,
        }
    }
    fn synthesize(
        &self,
        config: TieredConfig,
        mut layouter: impl Layouter<Fp>,
    ) -> Result<(), Error> {
        let params = common::params();
        let range = RangeCheckChip::construct(config.range, range_check::limb_bits(4));
        range.load_table(&mut layouter)?;
        let tiers = TieredRateChip::construct(config.tiers);
        tiers.load_table(&mut layouter, &params)?;
        let [id, x, value] = layouter.assign_region(
            || "input",
            |mut region| {
                let put = |region: &mut halo2_proofs::circuit::Region<'_, Fp>, i: usize, v: Fp| {
                    region.assign_advice(|| "input", config.input[i], 0, || Value::known(v))
                };
                Ok([
                    put(&mut region, 0, TierTableIds::asset(0, false))?,
                    put(&mut region, 1, fp_from_u128(self.x))?,
                    put(&mut region, 2, self.claimed)?,
                ])
            },
        )?;
        let input = TieredInput {
            what: "test".into(),
            table_id: id,
            x,
            value,
        };
        tiers.tiered_value(
            layouter.namespace(|| "tier"),
            &range,
            &input,
            Value::known(&self.tier),
        )
    }
}

/// The honest evaluation of asset 0's haircut at `x`.
fn honest(x: u128) -> TieredCircuit {
    let params = common::params();
    let table = &params.assets[0].haircut;
    let witness = TierWitness::new(table, &table.locate(x));
    TieredCircuit {
        x,
        claimed: witness.value,
        tier: witness,
    }
}

fn tiered(circuit: &TieredCircuit) -> Vec<Failure> {
    failures(&MockProver::run(12, circuit, vec![]).expect("synthesizes"))
}

/// A value deep inside the table's second tier (or its only one).
fn x_in_a_tier() -> u128 {
    let params = common::params();
    let tiers = params.assets[0].haircut.tiers();
    let t = &tiers[tiers.len().min(2) - 1];
    t.lower + t.max_offset.min(1_000_000) / 2
}

#[test]
fn the_tier_that_holds_x_passes() {
    assert_eq!(tiered(&honest(x_in_a_tier())), vec![]);
}

#[test]
fn a_value_off_the_tiers_line_fails_tier_value() {
    let mut c = honest(x_in_a_tier());
    c.claimed += Fp::one();
    c.tier.value += Fp::one();
    let failures = tiered(&c);
    assert_eq!(failures.len(), 1, "{failures:#?}");
    match &failures[0] {
        Failure::Constraint(constraint, FailureLocation::InRegion { offset: 0, .. }) => {
            assert_eq!(
                *constraint,
                ((0, "tiered rate").into(), 2, "tier value").into()
            );
        }
        other => panic!("not `tier value`: {other:?}"),
    }
}

#[test]
fn a_rate_that_is_not_the_tables_fails_the_tier_lookup() {
    // A made-up rate, with the value it implies: every gate holds, no table row matches. The
    // two range lanes' lookups are 0 and 1; the tier lookup is 2.
    let mut c = honest(x_in_a_tier());
    c.tier.rate += Fp::one();
    c.tier.value = c.tier.base + c.tier.rate * c.tier.offset;
    c.claimed = c.tier.value;
    let failures = tiered(&c);
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        matches!(
            failures[0],
            Failure::Lookup(2, FailureLocation::InRegion { offset: 0, .. })
        ),
        "{failures:#?}"
    );
}
