//! The attack suite: one test per known proof-of-liabilities attack, named for the attack. Each
//! test's doc comment says what the attacker (a dishonest venue, or someone tampering with what it
//! published) tries, and which mechanism stops it; each asserts that the proof cannot be made (a
//! MockProver failure naming the constraint and region, or a typed loader error) or does not
//! verify (`marginproof verify` / `verify-inclusion` exit 1 with the specific reason, or a specific
//! [`BundleError`] from the verifier library).
//!
//! Circuit-level attacks are *consistent lies*: after changing the witness, [`republish`]
//! recomputes everything public from the lying witness (leaves, batch root, running totals, the
//! totals commitment), as a dishonest prover would, so the only constraints left failing are the
//! ones that stop the attack, and the tests assert that they are the only ones.
//!
//! CLI-level attacks tamper with a copy of the shared honest bundle (`common::honest`: 12 accounts,
//! 2 assets, 1 market, batches of 4). Run `cargo build -p marginproof-cli` first.

// Not every shared helper is used by this suite.
#[allow(dead_code)]
mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ff::{Field, FromUniformBytes, PrimeField};
use halo2_proofs::dev::MockProver;
use halo2_proofs::pasta::EqAffine;
use halo2_proofs::plonk::keygen_pk;
use halo2_proofs::poly::commitment::Params;
use marginproof_circuits::circuit::batch::{
    commit_totals, AccountSlot, BatchSecrets, PreparedBatch, RunningTotals,
};
use marginproof_circuits::circuit::layout::min_k;
use marginproof_circuits::circuit::witness::{AccountWitness, TotalsOpening};
use marginproof_circuits::circuit::{instrument_lookup_index, BatchCircuit};
use marginproof_circuits::field::{fp_from_bigint, fp_from_bool, fp_to_hex, Fp};
use marginproof_circuits::hash::leaf::{pow2, INDEX_BITS};
use marginproof_circuits::hash::merkle::tree_root;
use marginproof_circuits::hash::poseidon::{leaf_capacity, sponge_with_capacity};
use marginproof_circuits::hash::{id_hash, leaf, statement_tag, totals_commitment};
use marginproof_circuits::model::buckets::{
    asset_fraction, asset_pole_inverse, totals_side, BucketChallenges,
};
use marginproof_circuits::model::distinct::{list_digest, list_side};
use marginproof_circuits::model::totals::ACCOUNT_TOTALS;
use marginproof_circuits::model::{
    evaluate, AccountRecord, Holdings, MarginUnit, QuantityError, SlotShape, Status, Totals,
};
use marginproof_circuits::signed::SignedCode;
use marginproof_circuits::statement::{
    instrument_prices, layout_digest, read_fp, snapshot_challenges, BatchStatement, Manifest,
    SizeClass, SnapshotBinding, TotalsFile, DISTINCT_KEYS_FILE,
};
use marginproof_circuits::units::{
    COST_BITS, EQUITY_BITS, MARGIN_TEST_BITS, MAX_ACCOUNTS_LOG2, MAX_ASSETS, MAX_MARKETS,
    PRICE_BITS, QUANTITY_BITS, RATE_SCALE, THRESHOLD_BITS, VALUE_BITS,
};
use marginproof_circuits::RiskParams;
use marginproof_prover::input::{parse_accounts, parse_config, AccountsProblem, InputError};
use marginproof_prover::prove::prove_batch;
use marginproof_verifier::bundle::{
    bundle_shape, derive_class_keys, verify_batch_proof, verify_bundle_with, verifying_key,
    verifying_key_digest, BundleError, BundleShape, ClassKey, ProofCheck,
};
use marginproof_verifier::files::{read_proof, DistinctKeysFile};
use marginproof_verifier::manifest::ManifestError;
use marginproof_verifier::params::ParamsError;
use marginproof_verifier::params_cache::load_or_create_params;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde_json::Value;
use tempfile::TempDir;

use common::{
    assert_json_rejection, assert_valid, cache_dir, edit_json, honest, marginproof, proof_path,
    prove, public_copy, read_json, OTHER_SNAPSHOT_ID, SNAPSHOT_ID,
};

// =============================================================================================
// Circuit fixtures: a tiny venue, its accounts, and a dishonest prover's tools
// =============================================================================================

/// BTC, USDT, an illiquid `JUNK` whose haircut is 50% up to 1,000 USD and 0 beyond, and one
/// perpetual market.
const CONFIG: &str = r#"[snapshot]
id = "attacks"
venue = "Attack Venue"
liquidation_threshold = "1.00"

[[assets]]
symbol = "BTC"
decimals = 8
price = "50000"
haircut = [ { up_to = "100000", rate = "1.00" }, { rate = "0.90" } ]
maintenance = [ { rate = "0.05" } ]

[[assets]]
symbol = "USDT"
decimals = 6
price = "1"
haircut = [ { rate = "0.99" } ]
maintenance = [ { rate = "0.02" } ]

[[assets]]
symbol = "JUNK"
decimals = 0
price = "1"
haircut = [ { up_to = "1000", rate = "0.50" }, { rate = "0" } ]
maintenance = [ { rate = "1.00" } ]

[[markets]]
symbol = "BTC-PERP"
decimals = 4
mark_price = "50000"
maintenance = [ { rate = "0.01" } ]
"#;

const HEADER: &str =
    "account_id,BTC,BTC_debt,USDT,USDT_debt,JUNK,JUNK_debt,BTC-PERP_size,BTC-PERP_cost";

/// Slot 0 `alice`: 1 BTC, healthy. Slot 1 `carol`: 1,000 USDT and long 1 BTC-PERP bought at
/// 50,950: liquidatable. Slot 2 `dave`: 0.1 BTC against 6,000 USDT of debt: bankrupt. Slot 3
/// `mallory`: the dummy user, 1,000,000 JUNK against 1 BTC of debt.
const ACCOUNTS: &str = "alice,1,,,,,,,\n\
                        carol,,,1000,,,,1,50950\n\
                        dave,0.1,,,6000,,,,\n\
                        mallory,,1,,,1000000,,,\n";

const ALICE: usize = 0;
const CAROL: usize = 1;
const DAVE: usize = 2;
const MALLORY: usize = 3;
const BTC: usize = 0;
const USDT: usize = 1;
const JUNK: usize = 2;

fn params() -> Arc<RiskParams> {
    Arc::new(parse_config(CONFIG, Path::new("attacks.toml")).expect("the attack venue is valid"))
}

fn records(params: &RiskParams, rows: &str) -> Vec<AccountRecord> {
    let csv = format!("{HEADER}\n{rows}");
    parse_accounts(csv.as_bytes(), Path::new("accounts.csv"), params).expect("valid accounts")
}

fn slots(records: &[AccountRecord]) -> Vec<AccountSlot> {
    records
        .iter()
        .enumerate()
        .map(|(i, record)| AccountSlot {
            record: record.clone(),
            id_hash: id_hash(&record.id, &record.unit),
            salt: Fp::from(1000 + i as u64),
        })
        .collect()
}

/// The honest batch of `rows` (batch size 4, first batch, blinding 99 after).
fn batch_of(params: &Arc<RiskParams>, rows: &str) -> PreparedBatch {
    prepared(params, &records(params, rows))
}

/// The honest batch of `records` (batch size 4, dense slots, first batch, blinding 99 after),
/// under [`test_challenges`] and [`test_secrets`].
fn prepared(params: &Arc<RiskParams>, records: &[AccountRecord]) -> PreparedBatch {
    PreparedBatch::new(
        params.clone(),
        SizeClass {
            slots: SlotShape::dense(params),
            batch_size: 4,
        },
        &slots(records),
        &RunningTotals::zero(params),
        test_challenges(),
        &test_secrets(),
    )
    .expect("dense slots hold every account")
}

/// Challenges for circuit-level attacks (the circuit takes them from its instance).
fn test_challenges() -> BucketChallenges {
    BucketChallenges {
        r: Fp::from(0x5eed_0001_u64).square().square(),
        rho: Fp::from(0x5eed_0002_u64).square().square(),
        gamma: Fp::from(0x5eed_0003_u64).square().square(),
    }
}

/// The secrets of a first batch of 4 for circuit-level attacks: a salt for every possible
/// padding leaf, a distinct-key secret `k`, blindings 0 before and 99 after.
fn test_secrets() -> BatchSecrets {
    BatchSecrets {
        padding_salts: (0..4u64).map(|i| Fp::from(2000 + i)).collect(),
        distinct_secret: Fp::from(0x5eed_0004_u64).square().square(),
        blinding_before: Fp::zero(),
        blinding_after: Fp::from(99),
    }
}

/// The honest bundle's published distinct keys (`public/distinct-keys.bin`).
fn honest_distinct_keys() -> Vec<u8> {
    fs::read(honest().public().join(DISTINCT_KEYS_FILE)).expect("the distinct keys")
}

/// What a manifest's challenges are drawn after besides its root and totals, with `keys` its
/// published distinct keys.
fn binding_of(manifest: &Manifest, keys: &[u8]) -> SnapshotBinding {
    SnapshotBinding {
        layout: layout_digest(&manifest.classes, manifest.batches.iter().map(|b| b.class)),
        distinct_commitment: read_fp(
            "distinct_keys.commitment",
            &manifest.distinct_keys.commitment,
        )
        .expect("K"),
        distinct_keys: list_digest(keys).expect("a valid list of distinct keys").1,
    }
}

/// The chain entries that open to `totals` under the snapshot's challenges (root `root`, the
/// snapshot's `binding` and its published distinct keys `keys`), as the verifier opens them:
/// the totals' side of the bucket identity plus the list's side.
fn opened(
    params: &RiskParams,
    root: Fp,
    totals: Totals,
    binding: &SnapshotBinding,
    keys: &[u8],
) -> RunningTotals {
    let challenges = snapshot_challenges(statement_tag(params), root, &totals, binding);
    RunningTotals {
        bucket_sum: totals_side(&totals, challenges) + list_side(challenges, keys),
        totals,
    }
}

/// The slot of a witness that holds `asset` (slots hold holdings in index order, not at their
/// index).
fn slot_of(w: &AccountWitness, asset: usize) -> usize {
    w.assets
        .iter()
        .position(|a| a.index == Fp::from(asset as u64) && a.empty == Fp::ZERO)
        .expect("the account holds the asset")
}

fn honest_batch() -> PreparedBatch {
    batch_of(&params(), ACCOUNTS)
}

/// The witness of one slot (read through the circuit's tampering hook).
fn witness(batch: &PreparedBatch, slot: usize) -> AccountWitness {
    let mut circuit = batch.circuit.clone();
    let mut out = None;
    circuit.tamper_account(slot, |w| out = Some(w.clone()));
    out.expect("a known witness")
}

/// The totals opening of a batch.
fn opening(batch: &PreparedBatch) -> TotalsOpening {
    let mut circuit = batch.circuit.clone();
    let mut out = None;
    circuit.tamper_totals(|o| out = Some(o.clone()));
    out.expect("a known opening")
}

/// What a dishonest prover publishes for its (possibly lying) witness: every leaf from the
/// witness' own words, the batch root, the claimed chain entries after the batch (the per-account
/// totals and the bucket sum) as the exact field sums of the witness' terms, and the commitment
/// to them. After this, the public inputs agree with the
/// witness, so whatever still fails is what stops the lie.
fn republish(batch: &mut PreparedBatch) {
    let open = opening(batch);
    let mut after = open.before.clone();
    let mut leaves = Vec::with_capacity(batch.circuit.batch_size());
    let challenges = batch.statement.challenges;
    let capacity = leaf_capacity(batch.statement.class_code);
    let bits = INDEX_BITS;
    for slot in 0..batch.circuit.batch_size() {
        let w = witness(batch, slot);
        let mut words = vec![w.id_hash, w.salt];
        for a in &w.assets {
            words.push(a.index + pow2(bits) * a.balance + pow2(bits + 64) * a.debt);
        }
        for q in &w.positions {
            words.push(
                q.index
                    + pow2(bits) * q.size_code
                    + pow2(bits + 64) * q.cost_code
                    + pow2(bits + 192) * q.size_negative
                    + pow2(bits + 193) * q.cost_negative,
            );
        }
        let mut terms = Vec::new();
        let s = &w.status;
        terms.extend([
            w.is_real,
            s.liquidatable,
            s.equity_negative,
            (Fp::ONE - s.equity_negative) * s.equity_code,
            s.equity_negative * (s.equity_code + Fp::ONE),
            s.margin_negative * (s.margin_code + Fp::ONE),
            // Portfolio-margin units: `is_real` in a portfolio-margin class, else 0.
            w.portfolio.as_ref().map_or(Fp::ZERO, |_| w.is_real),
        ]);
        terms.push(w.bucket_term(challenges));
        assert_eq!(terms.len(), after.len());
        for (total, term) in after.iter_mut().zip(terms) {
            *total += term;
        }
        leaves.push(sponge_with_capacity(capacity, &words));
    }
    batch.statement.batch_root = tree_root(leaves.clone());
    batch.leaves = leaves;
    batch.statement.totals_after =
        totals_commitment(batch.statement.statement_tag, &after, open.blinding_after);
    batch.circuit.tamper_totals(|o| o.after = after);
}

/// Sets the margin test `AE·RS − θ·MR` of a witness (sign and code) and the liquidatable flag that
/// follows from it.
fn set_margin(w: &mut AccountWitness, margin: &BigInt) {
    let code = SignedCode::of(margin);
    let s = &mut w.status;
    s.margin_negative = fp_from_bool(code.negative);
    s.margin_code = fp_from_bigint(&code.code);
    s.liquidatable = (Fp::ONE - s.equity_negative) * s.margin_negative;
}

/// Every failure MockProver reports for a batch, as its Display text (gate, constraint, region).
fn failures(batch: &PreparedBatch) -> Vec<String> {
    let k = min_k(&batch.circuit).expect("layout");
    let prover =
        MockProver::run(k, &batch.circuit, vec![batch.statement.instance()]).expect("synthesis");
    match prover.verify() {
        Ok(()) => vec![],
        Err(list) => list.iter().map(ToString::to_string).collect(),
    }
}

/// Whether a failure is the given constraint of the given gate in the given region.
fn is_constraint(failure: &str, gate: &str, constraint: &str, region: &str) -> bool {
    failure.contains(&format!("('{constraint}') in gate"))
        && failure.contains(&format!("('{gate}')"))
        && failure.contains(&format!("('{region}')"))
}

/// Whether a failure is the final `z_n = 0` copy constraint of the range check `what`.
fn is_range_check(failure: &str, what: &str) -> bool {
    failure.starts_with("Equality constraint")
        && failure.contains(&format!("('range check: {what}')"))
}

/// Whether a failure is a limb lookup of the range check `what` (its short top limb, when the
/// bound is not a multiple of the limb size, fails beside the final copy).
fn is_range_check_limb(failure: &str, what: &str) -> bool {
    failure.starts_with("Lookup") && failure.contains(&format!("('range check: {what}')"))
}

/// Whether a failure is a public input mismatch at `offset`.
fn is_public_input(failure: &str, offset: usize) -> bool {
    failure.contains("Instance")
        && failure.contains(&format!("outside any region, on row {offset})"))
}

/// Asserts that some failure is `expected`, and that every failure is one of `allowed` (so the
/// attack is stopped by exactly the named mechanism, nothing incidental).
fn assert_stopped_by(
    failures: &[String],
    expected: &str,
    is_expected: impl Fn(&str) -> bool,
    allowed: impl Fn(&str) -> bool,
) {
    assert!(
        failures.iter().any(|f| is_expected(f)),
        "expected {expected} to fail; got {failures:#?}"
    );
    let other: Vec<&String> = failures.iter().filter(|f| !allowed(f)).collect();
    assert!(
        other.is_empty(),
        "the lie should fail only at {expected}; also failed: {other:#?}"
    );
}

/// Whether a failure is the constant-0 end of a range check's final copy constraint (the fixed
/// constants column, outside any region): it is reported beside each failing range check.
fn is_range_check_constant(failure: &str) -> bool {
    failure.starts_with("Equality constraint")
        && failure.contains("column_type: Fixed")
        && failure.contains("outside any region")
}

/// Asserts that the range checks `whats` stop the batch, and nothing else: every failure is one
/// of them or the constant 0 at its other end (one per failing check).
fn assert_only_range_checks(batch: &PreparedBatch, whats: &[&str]) {
    let f = failures(batch);
    for what in whats {
        assert_stopped_by(
            &f,
            &format!("range check `{what}`"),
            |x| is_range_check(x, what),
            |x| {
                whats
                    .iter()
                    .any(|w| is_range_check(x, w) || is_range_check_limb(x, w))
                    || is_range_check_constant(x)
            },
        );
    }
    let checks = f
        .iter()
        .filter(|x| whats.iter().any(|w| is_range_check(x, w)))
        .count();
    let constants = f.iter().filter(|x| is_range_check_constant(x)).count();
    assert_eq!(
        checks, constants,
        "one constant per failing range check: {f:#?}"
    );
}

/// Replaces account `slot`'s balance and debt of `asset` (which it holds) by `balance` and `debt`
/// (field elements) with the same net `balance − debt`, so every valuation gate still holds, and
/// republishes. Returns the name of the asset slot (`asset slot i`) its range checks carry.
fn lie_about_quantities(
    batch: &mut PreparedBatch,
    slot: usize,
    asset: usize,
    balance: Fp,
    debt: Fp,
) -> String {
    let before = witness(batch, slot);
    let i = slot_of(&before, asset);
    let a = &before.assets[i];
    assert_eq!(
        balance - debt,
        a.balance - a.debt,
        "the net quantity is kept"
    );
    batch.circuit.tamper_account(slot, |w| {
        w.assets[i].balance = balance;
        w.assets[i].debt = debt;
        w.assets[i].empty_inverse = (balance + debt).invert().unwrap_or(Fp::ZERO);
    });
    republish(batch);
    format!("asset slot {i}")
}

#[test]
fn republishing_an_honest_batch_changes_nothing() {
    // The dishonest prover's tool computes exactly what the honest prover publishes.
    let honest = honest_batch();
    let mut again = honest.clone();
    republish(&mut again);
    assert_eq!(again.statement, honest.statement);
    assert_eq!(again.leaves, honest.leaves);
    assert_eq!(failures(&honest), Vec::<String>::new());
    let p = params();
    let statuses: Vec<Status> = records(&p, ACCOUNTS)
        .iter()
        .map(|r| evaluate(&p, r).status)
        .collect();
    assert_eq!(
        statuses,
        [
            Status::Healthy,
            Status::Liquidatable,
            Status::Bankrupt,
            Status::Liquidatable
        ]
    );
}

// =============================================================================================
// 1. Negative balance
// =============================================================================================

/// **Attack:** the venue writes a negative balance (a fake account holding −1,000,000 USDT) to
/// shrink its USDT liabilities Σ b. **Stopped by:** the accounts loader, which refuses a negative
/// balance with a typed error naming the line and column.
#[test]
fn attack_negative_balance_refused_by_the_loader() {
    let p = params();
    let csv = format!("{HEADER}\nalice,1,,,,,,,\nsink,,,-1000000,,,,,\n");
    let err = parse_accounts(csv.as_bytes(), Path::new("accounts.csv"), &p)
        .expect_err("a negative balance is refused");
    match &err {
        InputError::Accounts {
            line,
            column: Some(column),
            problem: AccountsProblem::Value(QuantityError::Negative),
            ..
        } => {
            assert_eq!(*line, 3);
            assert_eq!(column.name.as_deref(), Some("USDT"));
            assert_eq!(column.number, 4);
        }
        other => panic!("expected a negative-balance error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("accounts.csv:3: column `USDT` (4): must not be negative"),
        "{err}"
    );
}

/// **Attack:** a prover that bypasses the loader puts `b = −1,000,000 USDT` (the field element
/// `p − 10^12`) in the witness, with the debt moved so the net quantity, the valuation, the status,
/// the leaf and the published totals are all consistent with the lie (the USDT liabilities total
/// drops by 1,000,000). **Stopped by:** the lookup range check `b < 2^64` on every balance: the
/// region `range check: asset slot 1 balance` (the sink's USDT slot) fails, and nothing else does.
#[test]
fn attack_negative_balance() {
    let p = params();
    // The honest record this lie is equivalent to: the same net quantity as a 1,000,000 USDT debt.
    let mut batch = batch_of(&p, "sink,30,,,1000000,,,,\ncarol,,,1000,,,,1,50950\n");
    let million = Fp::from(1_000_000_000_000u64);
    let usdt = lie_about_quantities(&mut batch, 0, USDT, -million, Fp::zero());
    assert_only_range_checks(&batch, &[&format!("{usdt} balance")]);
}

// =============================================================================================
// 2. Field wrap-around
// =============================================================================================

/// **Attack:** quantities outside `[0, 2^64)` that wrap around: a balance of exactly `2^64` atoms
/// (one past the range) and a balance of `p − 1` (which the field treats as −1), each paired with a
/// debt that keeps the net quantity, so every valuation gate holds and the published totals are
/// the field sums; and a balance of `2^64 − 1 + 10^9` atoms against a valid debt of `2^64 − 1`.
/// **Stopped by:** the range checks `b < 2^64` and `l < 2^64` of the holding's slot
/// (`range check: asset slot i balance`, `… debt`), exactly those of the out-of-range quantities.
#[test]
fn attack_quantity_wraps_around_the_field() {
    let two_64 = fp_from_bigint(&(BigInt::one() << 64));
    let p_minus_1 = -Fp::one();
    let btc = Fp::from(100_000_000u64);
    // (2^64 + 1 BTC, 2^64): both out of range. (1 BTC − 1 atom, p − 1 = "−1"): the balance is a
    // valid quantity, the debt wraps around.
    for (balance, debt, both) in [
        (btc + two_64, two_64, true),
        (btc + p_minus_1, p_minus_1, false),
    ] {
        let mut batch = honest_batch();
        // Alice holds 1 BTC: 1 − 0 = balance − debt.
        let slot = lie_about_quantities(&mut batch, ALICE, BTC, balance, debt);
        let (b, l) = (format!("{slot} balance"), format!("{slot} debt"));
        if both {
            assert_only_range_checks(&batch, &[&b, &l]);
        } else {
            assert_only_range_checks(&batch, &[&l]);
        }
    }
    // Only the balance out of range: Carol's 1,000 USDT as 2^64 − 1 + 10^9 atoms held against a
    // debt of 2^64 − 1 atoms (a valid quantity): only the balance's check fails.
    let mut batch = honest_batch();
    let max = two_64 - Fp::one();
    let thousand = Fp::from(1_000_000_000u64);
    let usdt = lie_about_quantities(&mut batch, CAROL, USDT, max + thousand, max);
    assert_only_range_checks(&batch, &[&format!("{usdt} balance")]);
}

/// The Pallas base field modulus p.
fn modulus() -> BigInt {
    let minus_one = (-Fp::one()).to_repr();
    BigInt::from_bytes_le(num_bigint::Sign::Plus, minus_one.as_ref()) + BigInt::one()
}

fn pow2_big(bits: usize) -> BigInt {
    BigInt::one() << bits
}

/// **Attack:** a sum that wraps around the field: a per-account value or a running total that
/// reaches p, so that the field sum differs from the integer sum (in the field `x + p = x`: a
/// wrapped total is not a different claim, the danger is a true total ≥ p). **Stopped by:** the
/// bounds of `units.rs`, checked here with exact integers over the worst case (MAX_ASSETS assets
/// and MAX_MARKETS markets, maximal quantities, prices, costs, rates and threshold): the margin test
/// fits its `MARGIN_TEST_BITS` range check, raw equity its `EQUITY_BITS` one, and 2^32 accounts
/// times the largest per-account term stays below p (below p/2, so signed totals are unambiguous).
#[test]
fn attack_sum_wraps_around_the_field() {
    let p = modulus();
    assert_eq!(p.bits(), 255, "p ≈ 2^254");
    let rs = BigInt::from(RATE_SCALE);
    let quantity = pow2_big(QUANTITY_BITS) - BigInt::one(); // balances, debts, |size|
    let price = pow2_big(PRICE_BITS) - BigInt::one(); // asset and mark prices
    let cost = pow2_big(COST_BITS) - BigInt::one(); // |c|
    let theta = pow2_big(THRESHOLD_BITS) - BigInt::one();
    let (assets, markets) = (BigInt::from(MAX_ASSETS), BigInt::from(MAX_MARKETS));

    // |v_a| = |b − l|·p and notionals |s|·P: below 2^VALUE_BITS (tier offsets and rooms).
    let value = &quantity * &price;
    assert!(value < pow2_big(VALUE_BITS));
    // A tier function is at most RS·x (rates ≤ 10^6): |W_a| ≤ RS·|v_a|, G(x) ≤ RS·x.
    let collateral = &rs * &value;
    // |U_m| = |s·P − c| ≤ |s|·P + |c|.
    let pnl = &value + &cost;
    let adjusted_equity = &assets * &collateral + &markets * &rs * &pnl;
    let requirement = &assets * &rs * &value + &markets * &rs * &value;
    let margin_test = &adjusted_equity * &rs + &theta * &requirement;
    let equity = &assets * &value + &markets * &pnl;
    assert!(
        margin_test < pow2_big(MARGIN_TEST_BITS),
        "|AE·RS − θ·MR| ≤ 2^{:.1}",
        margin_test.bits()
    );
    assert!(equity < pow2_big(EQUITY_BITS), "|E| ≤ 2^{}", equity.bits());

    // Per-account terms of the totals, as the circuit bounds them (its range checks, not the
    // model): balances and debts < 2^64; |s| ≤ 2^64; |U| as above; counts ≤ 1; equity owed and bad
    // debt ≤ 2^EQUITY_BITS; shortfall ≤ 2^MARGIN_TEST_BITS.
    let largest_term = [
        quantity.clone(),
        pow2_big(QUANTITY_BITS),
        pnl.clone(),
        BigInt::one(),
        pow2_big(EQUITY_BITS),
        pow2_big(MARGIN_TEST_BITS),
    ]
    .into_iter()
    .max()
    .expect("terms");
    let worst_total = pow2_big(MAX_ACCOUNTS_LOG2) * &largest_term;
    assert!(worst_total < p, "2^32 · largest term reaches p");
    assert!(&worst_total * 2u32 < p, "signed totals are ambiguous mod p");

    // And within the field: x + p is the same element as x, so "after + p" is not a different
    // claim a prover could make.
    let total = BigInt::from(123_456_789u64);
    assert_eq!(fp_from_bigint(&(&total + &p)), fp_from_bigint(&total));
}

/// **Attack:** the prover publishes per-instrument totals that are not the sum of the accounts
/// (1,000,000 USDT less liabilities than the accounts hold). For the last commitment to open to
/// them, the chain's bucket sum must be their side of the identity, so the prover claims the
/// bucket sum after the batch that those totals need (1,000,000 USDT of debt's fraction less) and
/// publishes the commitment to that claim. **Stopped by:** the running total of the bucket terms:
/// the claimed bucket sum is not the opened one plus the accounts' terms, so the `running total`
/// gate fails in `running total: bucket sum`, and nothing else does. (Without the claim, the
/// verifier's opening check refuses the totals: `attack_totals_*` below.)
#[test]
fn attack_claimed_total_differs_from_the_sum() {
    let mut batch = honest_batch();
    let c = batch.statement.challenges;
    let debt = Fp::from(1_000_000_000_000u64);
    let fraction = asset_fraction(
        c.rho,
        Fp::ZERO,
        debt,
        asset_pole_inverse(c.r, Fp::from(USDT as u64)),
    );
    let mut after = opening(&batch).after;
    after[ACCOUNT_TOTALS] -= fraction;
    let blinding = opening(&batch).blinding_after;
    batch.statement.totals_after =
        totals_commitment(batch.statement.statement_tag, &after, blinding);
    batch.circuit.tamper_totals(|o| o.after = after);
    let is_bucket_sum = |f: &str| {
        is_constraint(
            f,
            "running total",
            "running total",
            "running total: bucket sum",
        )
    };
    assert_stopped_by(
        &failures(&batch),
        "the running total of the bucket terms",
        is_bucket_sum,
        is_bucket_sum,
    );
}

// =============================================================================================
// 3. A leaf that does not bind the balances
// =============================================================================================

/// **Attack:** the venue shows a user a record other than the one it committed (a higher balance)
/// with the genuine salt and path. **Stopped by:** the leaf hashes the whole record (every
/// balance, debt, size and cost): the recomputed leaf leads to another root, and
/// `verify-inclusion` exits 1.
#[test]
fn attack_leaf_does_not_bind_balances_inclusion() {
    let dir = TempDir::new().expect("tempdir");
    let proof = inclusion_proof(dir.path(), &account_with_first_asset());
    edit_json(&proof, |p| {
        let balances = p["units"][0]["record"]["balances"]
            .as_object_mut()
            .expect("balances");
        let (_, balance) = balances.iter_mut().next().expect("a balance");
        let text = balance.as_str().expect("a decimal").to_string();
        *balance = Value::String(bump_last_digit(&text));
    });
    let run = marginproof!(
        "verify-inclusion",
        proof,
        "--manifest",
        honest().manifest(),
        "--json"
    );
    assert_json_rejection(&run, "the record and path do not lead to the proof's root");
}

/// **Attack:** the batch root published (and given to users) is that of a different record (one
/// more satoshi for Alice) than the record the proof valued and counted. **Stopped by:** the
/// circuit computes each leaf from the range-checked record cells and constrains the batch root to
/// public input `BATCH_ROOT`: the public input mismatches.
#[test]
fn attack_leaf_does_not_bind_balances_batch_root() {
    let p = params();
    let slots = slots(&records(&p, ACCOUNTS));
    let mut batch = honest_batch();
    let mut lying = slots[ALICE].record.clone();
    lying.balances[BTC] += 1;
    let mut leaves = batch.leaves.clone();
    let holdings = Holdings::of(&lying, SlotShape::dense(&p)).expect("fits");
    leaves[ALICE] = leaf(
        batch.statement.class_code,
        slots[ALICE].id_hash,
        slots[ALICE].salt,
        &holdings,
    );
    batch.statement.batch_root = tree_root(leaves);
    let root = marginproof_circuits::statement::BATCH_ROOT;
    assert_stopped_by(
        &failures(&batch),
        "public input BATCH_ROOT",
        |f| is_public_input(f, root),
        // The other end of the same copy constraint: the batch tree's root cell, output of its
        // last Poseidon permutation.
        |f| is_public_input(f, root) || f.contains("('permute state')"),
    );
}

// =============================================================================================
// 4. Account ids that collide by field overflow
// =============================================================================================

/// Two ids of 32 UTF-8 bytes whose little-endian integers differ by exactly p (found by a search
/// over printable and non-ASCII UTF-8 bytes; no pair of ASCII-only ids exists, since byte 7 of p is
/// 0x99).
const CONGRUENT_IDS: [&str; 2] = [
    "aaaaa000eavwa0a0aaaaaaaaaaaaaaa0",
    "baaaNa]\u{240}Z\u{c0}]\u{267}Raaaaaaaaaaaaaaap",
];

/// The naive id encoding this attack targets: the id's bytes as an integer, reduced mod p.
fn naive_id_field(id: &str) -> Fp {
    let mut wide = [0u8; 64];
    wide[..id.len()].copy_from_slice(id.as_bytes());
    Fp::from_uniform_bytes(&wide)
}

/// **Attack:** two distinct accounts whose ids map to the same field element, so one leaf (or one
/// inclusion proof) can stand for both and one of them is omitted unnoticed. With a naive encoding
/// (the id's bytes as an integer mod p), any two ids whose integers differ by p collide.
/// **Stopped by:** `id_hash` is BLAKE2b-512 of the id, wide-reduced mod p: the ids are hashed
/// before reduction, so congruent encodings give unrelated values.
///
/// Why this is the right test: a collision *by field overflow* is exactly a pair of inputs that are
/// congruent mod p before reduction; this pair collides under the naive encoding and not under
/// `id_hash`. The 100,000-id check is not a proof of collision resistance (that is BLAKE2b's, and a
/// 512-bit digest reduced mod p is within 2^-258 of uniform, so 100k ids collide with probability
/// about 2^-220); it catches a broken `id_hash` (truncated, constant, or reduced before hashing).
#[test]
fn attack_account_ids_collide_by_field_overflow() {
    let [a, b] = CONGRUENT_IDS;
    assert_eq!((a.len(), b.len()), (32, 32));
    let int = |id: &str| BigInt::from_bytes_le(num_bigint::Sign::Plus, id.as_bytes());
    assert_eq!(int(b) - int(a), modulus(), "the ids are congruent mod p");
    assert_ne!(a, b);
    assert_eq!(
        naive_id_field(a),
        naive_id_field(b),
        "the naive encoding collides"
    );
    let cross = MarginUnit::cross();
    assert_ne!(id_hash(a, &cross), id_hash(b, &cross), "id_hash does not");

    let mut seen = HashSet::new();
    for i in 0..100_000u32 {
        assert!(
            seen.insert(id_hash(&format!("acct-{i:06}"), &cross).to_repr()),
            "id_hash collision at acct-{i:06}"
        );
    }
}

// =============================================================================================
// 5. A duplicate account
// =============================================================================================

/// **Attack:** the same account twice, to count a user's record once in the tree while showing it
/// (or a variant of it) twice, or to hide a second record under a known id; the CSV reader trims
/// cells, so a padded copy is the same id. **Stopped by:** the loader refuses a duplicate id:
/// `prove` exits 2 naming both lines, and writes nothing.
#[test]
fn attack_duplicate_account() {
    let dir = TempDir::new().expect("tempdir");
    let config = dir.path().join("venue.toml");
    fs::write(&config, CONFIG).expect("write venue.toml");
    for copy in ["alice", " alice "] {
        let accounts = dir.path().join("accounts.csv");
        fs::write(
            &accounts,
            format!("{HEADER}\nalice,1,,,,,,,\nbob,,,5,,,,,\n{copy},,,1000,,,,,\n"),
        )
        .expect("write accounts.csv");
        let out = dir.path().join("bundle");
        let run = prove(&config, &accounts, &out);
        let expected = format!(
            "{}:4: column `account_id` (1): duplicate account id `alice` (already on line 2)",
            accounts.display()
        );
        assert_eq!(run.code, Some(2), "{run:#?}");
        assert!(run.stderr.contains(&expected), "{expected}\n{run:#?}");
        assert!(!out.exists(), "nothing is written");
    }
}

// =============================================================================================
// CLI helpers
// =============================================================================================

/// `verify PUBLIC --json`, asserting exit 1 naming `reason`.
fn assert_verify_rejects(public: &Path, reason: &str) {
    let run = marginproof!("verify", public, "--json", "--cache-dir", cache_dir());
    assert_json_rejection(&run, reason);
}

/// A copy of the honest `public/` with its manifest edited.
fn tampered_public(edit: impl FnOnce(&mut Value)) -> (TempDir, PathBuf) {
    let (dir, public) = public_copy();
    edit_json(&public.join("manifest.json"), edit);
    (dir, public)
}

/// The honest manifest, typed.
fn honest_manifest() -> Manifest {
    serde_json::from_value(read_json(&honest().manifest())).expect("a manifest")
}

/// Writes the honest inclusion proof of `account` into `dir`.
fn inclusion_proof(dir: &Path, account: &str) -> PathBuf {
    let out = dir.join("inclusion.json");
    let run = marginproof!(
        "inclusion",
        "--bundle",
        honest().bundle,
        "--account",
        account,
        "--out",
        out
    );
    assert_valid(&run);
    out
}

/// An account of the honest venue holding its first asset.
fn account_with_first_asset() -> String {
    let manifest = honest_manifest();
    let asset = &manifest.config.assets[0].symbol;
    common::read_csv(&honest().accounts)
        .into_iter()
        .find(|row| row.cells.contains_key(asset))
        .expect("an account holds the first asset")
        .id
}

/// A decimal with its last digit changed (never to or from zero).
fn bump_last_digit(text: &str) -> String {
    let (head, last) = text.split_at(text.len() - 1);
    let digit = last.parse::<u8>().expect("ends with a digit");
    format!("{head}{}", if digit == 9 { 8 } else { digit + 1 })
}

const PROOF_0_FAILS: &str = "batch 0: proof does not verify";

// =============================================================================================
// 6. Replay under another snapshot id
// =============================================================================================

/// **Attack:** the venue republishes last snapshot's honest proofs under a new snapshot id (only
/// `config.snapshot.id` changed), claiming a fresh proof of today's book. **Stopped by:** public
/// input 0 is the statement tag, a hash of the snapshot id and every configuration field, absorbed
/// into both totals commitments: the proofs do not verify under the new tag.
#[test]
fn attack_replay_under_another_snapshot_id() {
    let (_dir, public) = tampered_public(|m| {
        assert_eq!(m["config"]["snapshot"]["id"], SNAPSHOT_ID);
        m["config"]["snapshot"]["id"] = Value::String(OTHER_SNAPSHOT_ID.into());
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);
}

// =============================================================================================
// 7. A proof made for one configuration verified under another
// =============================================================================================

/// **Attack**, in the circuit: the venue values BTC at twice the published price, consistently
/// (every net value, haircut, equity, status, leaf and total follows from that price, and the
/// public inputs are republished to match), with the published prices in the instance column.
/// **Stopped by:** the instrument lookup: `(asset, index, price)` of every slot that carries the
/// BTC price is no row of the instrument table, whose price cells are copies of the public
/// inputs. Nothing else fails: the same batch with the doubled price in the instance proves.
#[test]
fn attack_slot_valued_at_a_price_that_is_not_the_published_one() {
    let published = params();
    let mut doubled = (*published).clone();
    doubled.assets[BTC].price *= 2;
    let mut batch = batch_of(&Arc::new(doubled), ACCOUNTS);
    assert_eq!(
        failures(&batch),
        Vec::<String>::new(),
        "honest at the doubled price"
    );
    batch.statement.prices = instrument_prices(&published);
    let lookup = format!("Lookup {} is not satisfied", instrument_lookup_index());
    let f = failures(&batch);
    assert!(
        f.iter()
            .all(|x| x.starts_with(&lookup) && x.contains("('account')")),
        "{f:#?}"
    );
    // Every account: Alice's and Dave's BTC, Mallory's BTC debt, and Carol's empty slots (an
    // empty slot looks up index 0, BTC, at its price).
    let regions: std::collections::BTreeSet<&str> = f
        .iter()
        .filter_map(|x| x.split(" at offset").next())
        .collect();
    assert_eq!(regions.len(), 4, "{f:#?}");
}

/// **Attack**, with real proofs: since layout version 4 one key serves every price of a
/// configuration shape, so a proof must be bound to the prices it was made under. The venue proves
/// its batch honestly at twice the published BTC price (witness and instance agree on the doubled
/// price) and presents the proof with the published prices, the statement tag left as it was made
/// (so only the prices differ). **Stopped by:** the prices are public inputs: under the one shared
/// key, `verify_batch_proof` accepts the proof with the prices it was made under and refuses it
/// (`ProofInvalid`) with the published ones. With the published prices in the instance, the
/// doubled witness cannot be proven at all (the instrument lookup has no row for it).
#[test]
fn attack_proof_made_at_other_prices_under_the_shared_key() {
    let published = params();
    let mut doubled = (*published).clone();
    doubled.assets[BTC].price *= 2;
    let doubled = Arc::new(doubled);
    let batch = batch_of(&doubled, ACCOUNTS);
    let k = min_k(&batch.circuit).expect("k");
    let (ipa, _) = load_or_create_params(&cache_dir(), k).expect("params");
    let slots = SlotShape::dense(&published);
    let vk = verifying_key(&ipa, published.clone(), slots, 4).expect("vk");
    let vk_doubled = verifying_key(&ipa, doubled.clone(), slots, 4).expect("vk");
    assert_eq!(
        verifying_key_digest(&vk),
        verifying_key_digest(&vk_doubled),
        "one key for both prices"
    );
    let shape = BatchCircuit::shape(published.clone(), slots, 4);
    let pk = keygen_pk(&ipa, vk.clone(), &shape).expect("pk");
    let proof = prove_batch(&ipa, &pk, &batch).expect("an honest proof at the doubled price");
    verify_batch_proof(&ipa, &vk, 0, &batch.statement, &proof)
        .expect("valid for the prices it was made under");
    let mut presented = batch.statement.clone();
    presented.prices = instrument_prices(&published);
    assert_ne!(presented.prices, batch.statement.prices);
    match verify_batch_proof(&ipa, &vk, 0, &presented, &proof) {
        Err(BundleError::ProofInvalid { batch: 0, .. }) => {}
        other => panic!("expected ProofInvalid for batch 0, got {other:?}"),
    }
    let mut lying = batch_of(&doubled, ACCOUNTS);
    lying.statement.prices = instrument_prices(&published);
    assert!(
        prove_batch(&ipa, &pk, &lying).is_err(),
        "a slot at an unpublished price was proven"
    );
}

/// **Attack:** proofs made with one BTC price, published with another (e.g. the venue valued
/// collateral at a higher price than it publishes). **Stopped by:** prices are public inputs of
/// every batch proof, which the auditor takes from the published configuration (and they are in
/// the statement tag).
#[test]
fn attack_config_swap_price() {
    let (_dir, public) = tampered_public(|m| {
        let price = &mut m["config"]["assets"][0]["price"];
        let text = price.as_str().expect("price").to_string();
        *price = Value::String(bump_last_digit(&text));
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);
}

/// **Attack:** proofs made with a more generous haircut tier table than the one published (the
/// first tier takes the second tier's rate, still a valid table). **Stopped by:** tier tables are
/// the lookup table of the tiered-rate chip (in the verifying key) and are in the statement tag.
#[test]
fn attack_config_swap_tier() {
    let (_dir, public) = tampered_public(|m| {
        let haircut = &mut m["config"]["assets"][0]["haircut"];
        let next = haircut[1]["rate"].clone();
        assert_ne!(haircut[0]["rate"], next);
        haircut[0]["rate"] = next;
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);
}

/// **Attack:** proofs made with one liquidation threshold, published with another (a stricter
/// threshold on paper than the one the statuses were computed with). **Stopped by:** the threshold
/// θ is a fixed column of the `account status` gate (in the verifying key) and is in the statement
/// tag.
#[test]
fn attack_config_swap_threshold() {
    let (_dir, public) = tampered_public(|m| {
        let threshold = &mut m["config"]["snapshot"]["liquidation_threshold"];
        assert_eq!(threshold, "1.00");
        *threshold = Value::String("1.10".into());
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);
}

// =============================================================================================
// 8. Batches reordered, dropped, duplicated
// =============================================================================================

/// **Attack:** the batch entries (root, commitment, proof) in another order. **Stopped by:** the
/// commitment chain: batch i is verified with `C_i` = the previous batch's `C_{i+1}` and `C_0`
/// fixed (all-zero totals, blinding 0), so the first entry's proof, made for `C_1 → C_2`, fails.
#[test]
fn attack_batches_reordered() {
    let (_dir, public) = tampered_public(|m| {
        m["batches"].as_array_mut().expect("batches").swap(0, 1);
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);
}

/// **Attack:** the last batch dropped (its entry removed, `batch_count` decremented), to leave its
/// accounts out of the totals. **Stopped by:** first, the challenges: they are drawn after each
/// batch's class (the layout digest, SPEC §3 version 3), so a shorter list of batches changes every
/// batch's challenges and batch 0's proof, made under the full list's, fails. Behind that, the
/// commitment chain: the published totals open only the last commitment of the full chain, `C_3`,
/// not `C_2` where the shorter chain ends (checked here under the honest challenges, which the
/// attacker cannot change either). (A venue that also republishes totals, blinding and root for
/// the shorter chain has proven a snapshot without those accounts: the omitted-accounts
/// limitation, caught by those users' inclusion checks.)
#[test]
fn attack_batch_dropped() {
    let (_dir, public) = tampered_public(|m| {
        assert_eq!(m["batch_count"], 3);
        m["batches"].as_array_mut().expect("batches").pop();
        m["batch_count"] = 2.into();
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);

    let manifest = honest_manifest();
    let params = RiskParams::from_file(&manifest.config).expect("config");
    let totals = manifest.totals.to_totals(&params).expect("totals");
    let root = read_fp("root", &manifest.root).expect("root");
    let keys = honest_distinct_keys();
    let chain = opened(&params, root, totals, &binding_of(&manifest, &keys), &keys);
    let blinding = read_fp("totals_blinding", &manifest.totals_blinding).expect("blinding");
    let opening = commit_totals(&params, &chain, blinding);
    assert_eq!(opening, commitment_after(&manifest, 2), "they open C_3");
    assert_ne!(opening, commitment_after(&manifest, 1), "not C_2");
}

/// **Attack:** a batch entry repeated (to count its accounts twice, e.g. to inflate the number of
/// healthy accounts or the equity users are shown). **Stopped by:** first, the challenges: they
/// are drawn after each batch's class (the layout digest), so a fourth batch changes every
/// batch's challenges and batch 0's proof fails. Behind that, the commitment chain: under the
/// honest challenges, the copy is verified with `C_2` before it, but its proof starts from `C_1`
/// (`verify_batch_proof` refuses it as batch 2 and accepts it as batch 1).
#[test]
fn attack_batch_duplicated() {
    let (_dir, public) = tampered_public(|m| {
        let batches = m["batches"].as_array_mut().expect("batches");
        let copy = batches[1].clone();
        batches.insert(2, copy);
        m["batch_count"] = 4.into();
    });
    assert_verify_rejects(&public, PROOF_0_FAILS);

    let manifest = honest_manifest();
    let BundleShape { params, classes } = bundle_shape(&manifest).expect("shape");
    let class = classes[manifest.batches[1].class];
    let (ipa, _) = load_or_create_params(&cache_dir(), class.k).expect("params");
    let vk = verifying_key(
        &ipa,
        params.clone(),
        class.class.slots,
        class.class.batch_size,
    )
    .expect("vk");
    let proof = fs::read(proof_path(&honest().public(), 1)).expect("proof");
    let in_place = honest_statement(&manifest, &params, 1, commitment_after(&manifest, 0));
    verify_batch_proof(&ipa, &vk, 1, &in_place, &proof).expect("batch 1 verifies in its place");
    let copy = honest_statement(&manifest, &params, 1, commitment_after(&manifest, 1));
    match verify_batch_proof(&ipa, &vk, 2, &copy, &proof) {
        Err(BundleError::ProofInvalid { batch: 2, .. }) => {}
        other => panic!("expected ProofInvalid for batch 2, got {other:?}"),
    }
}

/// `C_{i+1}`, the commitment after batch `i` of `manifest`.
fn commitment_after(manifest: &Manifest, i: usize) -> Fp {
    read_fp("totals_after", &manifest.batches[i].totals_after).expect("a commitment")
}

/// The statement batch entry `i` of the honest `manifest` is verified with, under the honest
/// snapshot's challenges, with `before` as `C_i`.
fn honest_statement(
    manifest: &Manifest,
    params: &RiskParams,
    i: usize,
    before: Fp,
) -> BatchStatement {
    let root = read_fp("root", &manifest.root).expect("root");
    let totals = manifest.totals.to_totals(params).expect("totals");
    let binding = binding_of(manifest, &honest_distinct_keys());
    let entry = &manifest.batches[i];
    BatchStatement {
        statement_tag: statement_tag(params),
        batch_root: read_fp("root", &entry.root).expect("a batch root"),
        totals_before: before,
        totals_after: commitment_after(manifest, i),
        challenges: snapshot_challenges(statement_tag(params), root, &totals, &binding),
        class_code: manifest.classes[entry.class].code(),
        distinct_commitment: binding.distinct_commitment,
        prices: instrument_prices(params),
    }
}

// =============================================================================================
// 9. A changed or forged totals opening
// =============================================================================================

/// **Attack:** a published total changed (less equity owed to users). **Stopped by:** the
/// auditor recomputes `C_n` from the published totals and blinding: it is not the proven one.
#[test]
fn attack_totals_changed() {
    let (_dir, public) = tampered_public(|m| {
        let equity = &mut m["totals"]["equity"];
        let value: BigInt = equity.as_str().expect("equity").parse().expect("integer");
        *equity = Value::String((value / 2u32).to_string());
    });
    assert_verify_rejects(
        &public,
        "the published totals and blinding do not open the final totals commitment",
    );
}

/// **Attack:** a forged opening: the attacker picks new totals (half the equity owed, no bad
/// debt) and a fresh blinding, computes their commitment with `commit_totals`, and replaces the
/// last batch's `totals_after` with it, so the opening check passes. **Stopped by:** the last
/// batch's proof proves its own `C_{i+1}` (public input `TOTALS_AFTER`); it does not verify
/// against the forged commitment.
#[test]
fn attack_totals_forged_opening() {
    let mut manifest = honest_manifest();
    let params = RiskParams::from_file(&manifest.config).expect("config");
    let mut forged = manifest.totals.to_totals(&params).expect("totals");
    forged.equity /= 2u32;
    forged.bad_debt = BigInt::zero();
    let blinding = Fp::from(0xf0_12ed);
    let last = manifest.batch_count - 1;
    let root = read_fp("root", &manifest.root).expect("root");
    let keys = honest_distinct_keys();
    let binding = binding_of(&manifest, &keys);
    let forged_chain = opened(&params, root, forged.clone(), &binding, &keys);
    manifest.batches[last].totals_after =
        fp_to_hex(&commit_totals(&params, &forged_chain, blinding));
    manifest.totals = TotalsFile::from_totals(&forged, &params);
    manifest.totals_blinding = fp_to_hex(&blinding);
    let (_dir, public) = public_copy();
    fs::write(
        public.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).expect("serialize"),
    )
    .expect("write the manifest");
    assert_verify_rejects(&public, &format!("batch {last}: proof does not verify"));
}

/// **Attack:** a published total off by exactly p (equity owed published as `Σ max(E,0) − p`, a
/// negative number, so the report's solvency margin becomes enormous). In the field it is the same
/// element, so it opens the commitment. **Stopped by:** the verifier requiring every published
/// total to lie in its proven range (`units::total_bits`, all below 2^253 < p/2), where one field
/// element has one integer.
#[test]
fn attack_totals_off_by_the_modulus() {
    let (_dir, public) = tampered_public(|m| {
        let equity = &mut m["totals"]["equity"];
        let value: BigInt = equity.as_str().expect("equity").parse().expect("integer");
        *equity = Value::String((value - modulus()).to_string());
    });
    let run = marginproof!("verify", public, "--json", "--cache-dir", cache_dir());
    assert_json_rejection(&run, "equity");
}

// =============================================================================================
// 10. A verifying key for a different circuit shape
// =============================================================================================

/// **Attack:** the manifest claims another batch size (8 or 2) than the proofs were made for (4),
/// so the auditor derives a verifying key for another circuit. **Stopped by:** the verifying key
/// fixes the circuit shape (number of account regions, rows, `k`): the proofs do not verify.
#[test]
fn attack_verifying_key_for_another_shape() {
    for size in [8, 2] {
        let (_dir, public) = tampered_public(|m| {
            assert_eq!(m["classes"][0]["batch_size"], 4);
            m["classes"][0]["batch_size"] = size.into();
        });
        assert_verify_rejects(&public, PROOF_0_FAILS);
    }
}

/// **Attack**, at library level: batch 0's genuine proof checked with a verifying key derived for
/// batch size 2 instead of 4. **Stopped by:** `verify_batch_proof` returns
/// `BundleError::ProofInvalid` for batch 0 (and the right key accepts the same proof and
/// statement, so the key is the only difference).
#[test]
fn attack_verifying_key_for_another_shape_library() {
    let manifest = honest_manifest();
    let BundleShape { params, classes } = bundle_shape(&manifest).expect("shape");
    let (slots, k) = (classes[0].class.slots, classes[0].k);
    let (ipa, _) = load_or_create_params(&cache_dir(), k).expect("params");
    let proof = fs::read(proof_path(&honest().public(), 0)).expect("proof");
    assert_eq!(manifest.batches[0].class, 0);
    let c0 = commit_totals(&params, &RunningTotals::zero(&params), Fp::zero());
    let statement = honest_statement(&manifest, &params, 0, c0);
    let right =
        verifying_key(&ipa, params.clone(), slots, classes[0].class.batch_size).expect("vk");
    verify_batch_proof(&ipa, &right, 0, &statement, &proof).expect("the right key verifies");
    let wrong = verifying_key(&ipa, params, slots, 2).expect("vk for batch size 2");
    match verify_batch_proof(&ipa, &wrong, 0, &statement, &proof) {
        Err(BundleError::ProofInvalid { batch: 0, .. }) => {}
        other => panic!("expected ProofInvalid for batch 0, got {other:?}"),
    }
}

/// **Attack**, at library level: a caller checks the honest manifest's shape once, then hands
/// `verify_bundle_with` that shape with a manifest whose batch size is 3, or whose batch count is
/// one less or one more than the batches it lists. **Stopped by:** `verify_bundle_with` checks the
/// tree shape itself and returns `BundleError::Manifest(ManifestError::Shape)` naming the problem
/// (a batch size of 3 used to reach `tree_levels` with 3 leaves, which panicked). Likewise a
/// verifying key asked for 3 accounts, a hand-made shape with more slots than the configuration
/// has instruments, and parameters that are not `Params::new(k)`: each a typed error.
#[test]
fn attack_manifest_shape_changed_after_its_check_library() {
    let manifest = honest_manifest();
    let shape = bundle_shape(&manifest).expect("shape");
    let keys = derive_class_keys(&shape, |k| {
        load_or_create_params(&cache_dir(), k).expect("params").0
    })
    .expect("keys");
    let ipa = &keys[0].ipa;
    let public = honest().public();
    let mut three = manifest.clone();
    three.classes[0].batch_size = 3;
    let mut fewer = manifest.clone();
    fewer.batch_count -= 1;
    let mut more = manifest.clone();
    more.batch_count += 1;
    for (lying, reason) in [
        (three, "class 0: batch_size 3 is not a power of two"),
        (fewer, "batches are listed"),
        (more, "batches are listed"),
    ] {
        let result = verify_bundle_with(
            &lying,
            &shape,
            |i, entry| read_proof(&public, i, entry),
            &mut DistinctKeysFile::new(&public),
            &keys,
            ProofCheck::Batched,
        );
        match result {
            Err(BundleError::Manifest(ManifestError::Shape(problem)))
                if problem.contains(reason) => {}
            other => panic!("expected a manifest shape error naming `{reason}`, got {other:?}"),
        }
    }

    // A verifying key for 3 accounts: no tree has 3 leaves (this panicked in the batch tree).
    match verifying_key(ipa, shape.params.clone(), shape.classes[0].class.slots, 3) {
        Err(BundleError::Shape(problem)) if problem.contains("not a power of two") => {}
        other => panic!("expected a shape error, got {:?}", other.map(|_| ())),
    }

    // A hand-made shape whose slots exceed the configuration, in a manifest that agrees.
    let mut wide = manifest.clone();
    wide.classes[0].slots.assets = 1 << 40;
    let mut forged = shape.clone();
    forged.classes[0].class = wide.classes[0];
    let result = verify_bundle_with(
        &wide,
        &forged,
        |i, entry| read_proof(&public, i, entry),
        &mut DistinctKeysFile::new(&public),
        &keys,
        ProofCheck::Batched,
    );
    assert!(
        matches!(result, Err(BundleError::Shape(ref p)) if p.contains("slot shape")),
        "{result:?}"
    );

    // Parameters of the right size that are not Params::new(k): two generators swapped.
    let mut bytes = Vec::new();
    ipa.write(&mut bytes).expect("serialize");
    let first = bytes[4..36].to_vec();
    bytes.copy_within(36..68, 4);
    bytes[36..68].copy_from_slice(&first);
    let planted = Params::<EqAffine>::read(&mut &bytes[..]).expect("well-formed");
    let planted_keys: Vec<ClassKey> = keys
        .iter()
        .map(|key| ClassKey {
            ipa: Params::<EqAffine>::read(&mut &bytes[..]).expect("well-formed"),
            vk: verifying_key(
                &planted,
                shape.params.clone(),
                shape.classes[0].class.slots,
                4,
            )
            .unwrap_or_else(|_| key.vk.clone()),
        })
        .collect();
    let result = verify_bundle_with(
        &manifest,
        &shape,
        |i, entry| read_proof(&public, i, entry),
        &mut DistinctKeysFile::new(&public),
        &planted_keys,
        ProofCheck::Batched,
    );
    assert!(
        matches!(
            result,
            Err(BundleError::Params(ParamsError::DigestMismatch { .. }))
        ),
        "{result:?}"
    );
}

// =============================================================================================
// 11. The dummy user
// =============================================================================================

/// **Attack:** the "dummy user": an account holding a large amount of a worthless, illiquid asset
/// (1,000,000 JUNK at a quoted 1 USD) against real debt (1 BTC), counted as healthy because its raw
/// equity (950,000 USD) is positive. **Stopped by:** the risk model values collateral with the
/// public haircut tiers (JUNK: 50% of the first 1,000 USD, 0 beyond), so its adjusted equity is
/// negative and the model says liquidatable; in the circuit, claiming it healthy fails the
/// `account status` gate (flag flipped), the `margin code` range check (margin sign forged), or
/// the tier room range check of JUNK's slot (JUNK valued at 50% all the way).
#[test]
fn attack_dummy_user() {
    let p = params();
    let mallory = &records(&p, ACCOUNTS)[MALLORY];
    let risk = evaluate(&p, mallory);
    assert!(risk.equity.is_positive(), "raw equity is positive");
    assert!(risk.adjusted_equity.is_negative(), "adjusted equity is not");
    assert_eq!(risk.status, Status::Liquidatable);
    assert_ne!(risk.status, Status::Healthy);

    // (a) The liquidatable flag flipped.
    let mut batch = honest_batch();
    batch
        .circuit
        .tamper_account(MALLORY, |w| w.status.liquidatable = Fp::zero());
    republish(&mut batch);
    assert_stopped_by(
        &failures(&batch),
        "the `liquidatable` constraint of `account status`",
        |f| is_constraint(f, "account status", "liquidatable", "account"),
        |f| is_constraint(f, "account status", "liquidatable", "account"),
    );

    // (b) The margin test claimed non-negative: its code is then the field element of a negative
    // number, far above 2^192.
    let mut batch = honest_batch();
    batch.circuit.tamper_account(MALLORY, |w| {
        let s = &mut w.status;
        let d = s.margin_code - s.margin_negative * (s.margin_code.double() + Fp::one());
        s.margin_negative = Fp::zero();
        s.margin_code = d;
        s.liquidatable = Fp::zero();
    });
    republish(&mut batch);
    assert_only_range_checks(&batch, &["margin code"]);

    // (c) JUNK valued at the first tier's 50% all the way: the tier's room goes negative. The
    // adjusted equity, margin test and status follow the lie consistently (healthy).
    let junk = &p.assets[JUNK].haircut.tiers()[0];
    let x = BigInt::from(risk.assets[JUNK].value);
    let lying_value = &junk.base + BigInt::from(junk.rate) * (&x - BigInt::from(junk.lower));
    let lying_margin = &risk.margin_test
        + (&lying_value - &risk.assets[JUNK].tier.value) * BigInt::from(RATE_SCALE);
    assert!(!lying_margin.is_negative(), "the lie makes mallory healthy");
    let mut batch = honest_batch();
    let junk_slot = slot_of(&witness(&batch, MALLORY), JUNK);
    batch.circuit.tamper_account(MALLORY, |w| {
        let x = w.assets[junk_slot].value;
        let t = &mut w.assets[junk_slot].tier;
        t.lower = Fp::from_u128(junk.lower);
        t.max_offset = Fp::from_u128(junk.max_offset);
        t.base = fp_from_bigint(&junk.base);
        t.rate = Fp::from(u64::from(junk.rate));
        t.offset = x - t.lower;
        t.room = t.max_offset - t.offset;
        t.value = fp_from_bigint(&lying_value);
        set_margin(w, &lying_margin);
    });
    republish(&mut batch);
    assert_only_range_checks(&batch, &[&format!("asset slot {junk_slot} tier room")]);
}

// =============================================================================================
// 12. A status flag that lies
// =============================================================================================

/// **Attack:** a liquidatable account (Carol) reported healthy, by the flag alone or with the
/// margin test's sign forged to match; the published counts follow the lie. **Stopped by:** the
/// `account status` gate (`liq = (1 − σ_E)·σ_D`) and the `margin code` range check, which make
/// σ_D the true sign of `AE·RS − θ·MR`.
#[test]
fn attack_status_liquidatable_claimed_healthy() {
    let mut batch = honest_batch();
    batch
        .circuit
        .tamper_account(CAROL, |w| w.status.liquidatable = Fp::zero());
    republish(&mut batch);
    assert_stopped_by(
        &failures(&batch),
        "the `liquidatable` constraint of `account status`",
        |f| is_constraint(f, "account status", "liquidatable", "account"),
        |f| is_constraint(f, "account status", "liquidatable", "account"),
    );

    let margin = evaluate(&params(), &records(&params(), ACCOUNTS)[CAROL]).margin_test;
    assert!(margin.is_negative());
    let mut batch = honest_batch();
    batch.circuit.tamper_account(CAROL, |w| {
        let s = &mut w.status;
        s.margin_negative = Fp::zero();
        s.margin_code = fp_from_bigint(&margin);
        s.liquidatable = Fp::zero();
    });
    republish(&mut batch);
    assert_only_range_checks(&batch, &["margin code"]);
}

/// **Attack:** a bankrupt account (Dave, raw equity −1,000 USD) reported healthy: the bankrupt
/// flag dropped alone, or with equity and margin test re-encoded as non-negative so that the sign
/// gates hold; the published counts, equity owed and bad debt follow the lie. **Stopped by:** the
/// `equity sign` constraint of `account status` (flag alone), and the `equity code` and
/// `margin code` range checks (re-encoded).
#[test]
fn attack_status_bankrupt_claimed_healthy() {
    let mut batch = honest_batch();
    batch.circuit.tamper_account(DAVE, |w| {
        w.status.equity_negative = Fp::zero();
        w.status.liquidatable = Fp::zero();
    });
    republish(&mut batch);
    let f = failures(&batch);
    assert_stopped_by(
        &f,
        "the `equity sign` constraint of `account status`",
        |x| is_constraint(x, "account status", "equity sign", "account"),
        |x| x.contains("('account status')") && x.contains("('account')"),
    );

    let risk = evaluate(&params(), &records(&params(), ACCOUNTS)[DAVE]);
    assert!(risk.equity.is_negative() && risk.margin_test.is_negative());
    let mut batch = honest_batch();
    batch.circuit.tamper_account(DAVE, |w| {
        let s = &mut w.status;
        s.equity_negative = Fp::zero();
        s.equity_code = fp_from_bigint(&risk.equity);
        s.margin_negative = Fp::zero();
        s.margin_code = fp_from_bigint(&risk.margin_test);
        s.liquidatable = Fp::zero();
    });
    republish(&mut batch);
    assert_only_range_checks(&batch, &["equity code", "margin code"]);
}

// =============================================================================================
// 13. Ghost padding leaves
// =============================================================================================

/// The witness of the padding slot `padding` (`id_hash` 0, its own salt and distinct key) that
/// holds what `w` holds: a ghost.
fn ghost_of(padding: &AccountWitness, w: &AccountWitness) -> AccountWitness {
    assert_eq!(padding.is_real, Fp::ZERO, "a padding slot");
    AccountWitness {
        id_hash: padding.id_hash,
        salt: padding.salt,
        distinct_key: padding.distinct_key,
        is_real: Fp::ZERO,
        ..w.clone()
    }
}

/// **Attack:** a padding leaf (`id_hash` 0, so not counted in `accounts`) that holds Dave's
/// bankrupt book: 0.1 BTC against 6,000 USDT of debt. Everything public follows it (leaf, batch
/// root, totals and their commitment), so the venue publishes 1 account and 2 bankrupt ones, and
/// a balance and debt that no user can find in any inclusion proof. **Stopped by:** the `padding
/// holds no asset` constraint of `account identity`: an id-0 account's first asset slot is empty,
/// and the `slot order` gate keeps every later slot empty behind it. (Before that constraint the
/// same batch satisfied every gate.)
#[test]
fn attack_ghost_padding_leaf_holds_a_bankrupt_book() {
    let p = params();
    let mut batch = batch_of(&p, "dave,0.1,,,6000,,,,\n");
    let dave = witness(&batch, 0);
    assert_eq!(dave.status.equity_negative, Fp::ONE, "Dave is bankrupt");
    let ghost = ghost_of(&witness(&batch, 1), &dave);
    batch.circuit.tamper_account(1, |w| *w = ghost);
    republish(&mut batch);
    let published = opening(&batch).after;
    assert_eq!(
        (published[0], published[2]),
        (Fp::ONE, Fp::from(2)),
        "the lie: 1 account, 2 bankrupt"
    );
    assert_stopped_by(
        &failures(&batch),
        "the `padding holds no asset` constraint of `account identity`",
        |f| is_constraint(f, "account identity", "padding holds no asset", "account"),
        |f| is_constraint(f, "account identity", "padding holds no asset", "account"),
    );
}

/// **Attack:** a padding leaf that holds only a position (Carol's long BTC-PERP, her USDT
/// removed), so that open interest and PnL count a position nobody owns. **Stopped by:** the
/// `padding holds no position` constraint of `account identity`.
#[test]
fn attack_ghost_padding_leaf_holds_a_position() {
    let p = params();
    let mut batch = batch_of(&p, "carol,,,1000,,,,1,50950\n");
    let padding = witness(&batch, 1);
    let carol = witness(&batch, 0);
    let ghost = AccountWitness {
        assets: padding.assets.clone(),
        ..ghost_of(&padding, &carol)
    };
    // Valued without the USDT: the status of the position alone.
    let mut alone = records(&p, "carol,,,1000,,,,1,50950\n").remove(0);
    alone.balances = vec![0; p.assets.len()];
    let risk = evaluate(&p, &alone);
    batch.circuit.tamper_account(1, |w| {
        *w = ghost;
        let code = SignedCode::of(&risk.equity);
        w.status.equity_negative = fp_from_bool(code.negative);
        w.status.equity_code = fp_from_bigint(&code.code);
        set_margin(w, &risk.margin_test);
    });
    republish(&mut batch);
    assert_stopped_by(
        &failures(&batch),
        "the `padding holds no position` constraint of `account identity`",
        |f| {
            is_constraint(
                f,
                "account identity",
                "padding holds no position",
                "account",
            )
        },
        |f| {
            is_constraint(
                f,
                "account identity",
                "padding holds no position",
                "account",
            )
        },
    );
}

// =============================================================================================
// 14. Signed codes one past the bound
// =============================================================================================

/// The honest batch (batch size 4) of one account whose only holding is a BTC-PERP position of
/// `size` atoms at cost `cost` ν, valued by the native model: every witness value and public input
/// is consistent, as a venue's own prover would make them.
fn batch_with_position(size: i128, cost: BigInt) -> PreparedBatch {
    let p = params();
    let mut record = records(&p, "erin,,,,,,,1,50000\n").remove(0);
    record.positions[0].size = size;
    record.positions[0].cost = cost;
    prepared(&p, &[record])
}

fn is_magnitude_bound(f: &str) -> bool {
    is_constraint(
        f,
        "position slot",
        "held or empty, magnitudes in range",
        "account",
    )
}

/// **Attack:** a short position of exactly 2^64 atoms: sign 1 and size code 2^64 − 1, which the
/// 64-bit range check of the code admits, one past SPEC's `|s| < 2^64`. **Stopped by:** the
/// `held or empty, magnitudes in range` constraint of `position slot`, which makes
/// `|s| = code + σ ≠ 2^64` (and so `|s| < 2^64`). The largest legal short, `−(2^64 − 1)`, proves.
#[test]
fn attack_position_size_one_past_the_bound() {
    let largest = (1i128 << 64) - 1;
    assert_eq!(
        failures(&batch_with_position(-largest, BigInt::zero())),
        Vec::<String>::new()
    );
    let f = failures(&batch_with_position(-(1i128 << 64), BigInt::zero()));
    assert_stopped_by(
        &f,
        "the `held or empty, magnitudes in range` constraint of `position slot`",
        is_magnitude_bound,
        is_magnitude_bound,
    );
}

/// **Attack:** a position cost of exactly −2^128 ν (sign 1, cost code 2^128 − 1), one past
/// SPEC's `|c| < 2^128`. **Stopped by:** the same constraint, `|c| = code + σ ≠ 2^128`; the
/// largest legal cost, `−(2^128 − 1)`, proves.
#[test]
fn attack_position_cost_one_past_the_bound() {
    let bound: BigInt = BigInt::one() << 128;
    let largest: BigInt = &bound - BigInt::one();
    assert_eq!(
        failures(&batch_with_position(1, -largest)),
        Vec::<String>::new()
    );
    let f = failures(&batch_with_position(1, -bound));
    assert_stopped_by(
        &f,
        "the `held or empty, magnitudes in range` constraint of `position slot`",
        is_magnitude_bound,
        is_magnitude_bound,
    );
}
