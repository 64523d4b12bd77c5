//! The range-check chip proves exactly `x < 2^n`, whatever the limb width: the short top limb
//! refuses a value in `[2^n, 2^(m·K))` (which the running sum alone would accept) by its lookup,
//! and a value beyond `2^(m·K)` (or negative) by the final `z_m = 0` copy constraint.

use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::plonk::{Advice, Circuit, Column, ConstraintSystem, Error};
use marginproof_circuits::chips::range_check::{
    RangeCheckChip, RangeCheckConfig, RangeCheckInstructions,
};
use marginproof_circuits::field::Fp;
use num_bigint::BigUint;

#[derive(Clone)]
struct OneCheck {
    value: Fp,
    bits: usize,
    limb_bits: usize,
}

impl Circuit<Fp> for OneCheck {
    type Config = (Column<Advice>, RangeCheckConfig);
    type FloorPlanner = SimpleFloorPlanner;

    fn without_witnesses(&self) -> Self {
        self.clone()
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Self::Config {
        let input = meta.advice_column();
        meta.enable_equality(input);
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        let lanes = [meta.advice_column(), meta.advice_column()];
        let table = meta.lookup_table_column();
        (input, RangeCheckChip::configure(meta, &lanes, table))
    }

    fn synthesize(
        &self,
        config: Self::Config,
        mut layouter: impl Layouter<Fp>,
    ) -> Result<(), Error> {
        let chip = RangeCheckChip::construct(config.1, self.limb_bits);
        chip.load_table(&mut layouter)?;
        let cell = layouter.assign_region(
            || "value",
            |mut region| region.assign_advice(|| "x", config.0, 0, || Value::known(self.value)),
        )?;
        // Two checks, so that the second lands on the other lane and behind another region.
        chip.range_check(layouter.namespace(|| "first"), "first", &cell, self.bits)?;
        chip.range_check(layouter.namespace(|| "second"), "second", &cell, self.bits)
    }
}

fn fp(x: &BigUint) -> Fp {
    marginproof_circuits::field::fp_from_bigint(&x.clone().into())
}

fn pow2(n: usize) -> BigUint {
    BigUint::from(1u8) << n
}

/// What fails: `Ok(())`, or per failure whether it is the lookup or the copy of a named check.
fn run(value: Fp, bits: usize, limb_bits: usize) -> Result<(), Vec<(bool, String)>> {
    let circuit = OneCheck {
        value,
        bits,
        limb_bits,
    };
    // The table has 2^K rows.
    let k = (limb_bits as u32 + 1).max(9);
    let prover = MockProver::run(k, &circuit, vec![]).expect("synthesis");
    prover.verify().map_err(|failures| {
        failures
            .into_iter()
            .filter_map(|f| {
                let lookup = matches!(f, VerifyFailure::Lookup { .. });
                let text = format!("{f}");
                text.contains("range check: ").then_some((lookup, text))
            })
            .collect()
    })
}

fn assert_lookup_fails(value: Fp, bits: usize, limb_bits: usize) {
    let failures = run(value, bits, limb_bits).expect_err("must fail");
    for what in ["first", "second"] {
        assert!(
            failures
                .iter()
                .any(|(lookup, f)| *lookup && f.contains(&format!("range check: {what}"))),
            "the short top limb lookup of `{what}` ({bits} bits, K = {limb_bits}): {failures:#?}"
        );
    }
}

#[test]
fn exact_bounds_at_every_limb_width() {
    let cases: &[(usize, &[usize])] = &[
        (8, &[8, 64, 192]),
        (9, &[8, 64, 128, 144, 192]),
        (13, &[8, 64, 128]),
        (15, &[64, 128]),
    ];
    for &(limb_bits, widths) in cases {
        for &bits in widths {
            let top = pow2(bits);
            let below = fp(&(top.clone() - 1u8));
            assert_eq!(
                run(below, bits, limb_bits),
                Ok(()),
                "2^{bits} − 1, K = {limb_bits}"
            );
            assert_eq!(run(Fp::zero(), bits, limb_bits), Ok(()));
            if bits % limb_bits != 0 {
                // Accepted by whole limbs, refused by the short top limb.
                assert_lookup_fails(fp(&top), bits, limb_bits);
                let whole = pow2(bits.div_ceil(limb_bits) * limb_bits) - 1u8;
                assert_lookup_fails(fp(&whole), bits, limb_bits);
            }
        }
    }
}

#[test]
fn a_negative_or_huge_value_fails_the_final_copy() {
    for limb_bits in [8, 15] {
        let failures = run(-Fp::one(), 64, limb_bits).expect_err("p − 1 is not below 2^64");
        assert!(
            failures
                .iter()
                .any(|(lookup, f)| !*lookup && f.contains("range check: first")),
            "{failures:#?}"
        );
        let far = fp(&pow2(80));
        assert!(run(far, 64, limb_bits).is_err());
    }
}
