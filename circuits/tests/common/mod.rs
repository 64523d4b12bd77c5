//! A small configuration and records for circuit tests.
#![allow(dead_code)]

use std::sync::Arc;

use marginproof_circuits::circuit::batch::{
    AccountSlot, BatchSecrets, PreparedBatch, RunningTotals,
};
use marginproof_circuits::config::{
    AssetSection, DistributionSection, MarketSection, RiskConfigFile, ScenarioSection,
    SnapshotSection, TierSpec,
};
use marginproof_circuits::field::Fp;
use marginproof_circuits::hash::id_hash;
use marginproof_circuits::model::buckets::BucketChallenges;
use marginproof_circuits::model::{AccountRecord, Position, SlotShape};
use marginproof_circuits::statement::SizeClass;
use marginproof_circuits::RiskParams;
use num_bigint::BigInt;

fn tier(up_to: Option<&str>, rate: &str) -> TierSpec {
    TierSpec {
        up_to: up_to.map(str::to_string),
        rate: rate.to_string(),
    }
}

/// Two assets (BTC with 3 haircut tiers, USDT) and one market.
pub fn config_file() -> RiskConfigFile {
    RiskConfigFile {
        reserve_chains: Default::default(),
        portfolio_margin: None,
        snapshot: SnapshotSection {
            time: None,
            id: "test-snapshot".into(),
            venue: "Test Venue".into(),
            liquidation_threshold: "1.00".into(),
        },
        assets: vec![
            AssetSection {
                reserve_locations: Vec::new(),
                symbol: "BTC".into(),
                decimals: 8,
                price: "50000".into(),
                haircut: vec![
                    tier(Some("100000"), "1.00"),
                    tier(Some("500000"), "0.90"),
                    tier(None, "0.80"),
                ],
                maintenance: vec![tier(Some("100000"), "0.05"), tier(None, "0.10")],
            },
            AssetSection {
                reserve_locations: Vec::new(),
                symbol: "USDT".into(),
                decimals: 6,
                price: "1".into(),
                haircut: vec![tier(None, "0.99")],
                maintenance: vec![tier(None, "0.02")],
            },
        ],
        markets: vec![MarketSection {
            symbol: "BTC-PERP".into(),
            decimals: 4,
            mark_price: "50000".into(),
            maintenance: vec![tier(Some("1000000"), "0.005"), tier(None, "0.01")],
        }],
        reserves: Default::default(),
        scenarios: Vec::new(),
        distribution: None,
    }
}

pub fn params() -> Arc<RiskParams> {
    Arc::new(RiskParams::from_file(&config_file()).expect("test config is valid"))
}

/// The test configuration with two scenarios (BTC and its perp down 30%; USDT de-pegged to 0.90)
/// and a margin-ratio distribution with edges 1.0, 1.5, 3.
pub fn stressed_file() -> RiskConfigFile {
    let mut file = config_file();
    file.scenarios = vec![
        ScenarioSection {
            name: "btc-crash".into(),
            prices: [("BTC", "35000"), ("BTC-PERP", "35000")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
        ScenarioSection {
            name: "usdt-depeg".into(),
            prices: [("USDT".to_string(), "0.9".to_string())].into(),
        },
    ];
    file.distribution = Some(DistributionSection {
        margin_ratio_edges: vec!["1.0".into(), "1.5".into(), "3".into()],
    });
    file
}

pub fn stressed_params() -> Arc<RiskParams> {
    Arc::new(RiskParams::from_file(&stressed_file()).expect("stressed test config is valid"))
}

pub fn record(
    params: &RiskParams,
    id: &str,
    balances: [u64; 2],
    debts: [u64; 2],
    size: i128,
    cost: i64,
) -> AccountRecord {
    let mut r = AccountRecord::empty(id, params);
    r.balances = balances.to_vec();
    r.debts = debts.to_vec();
    r.positions = vec![Position {
        size,
        cost: BigInt::from(cost) * BigInt::from(10u64).pow(18),
    }];
    r
}

pub fn slot(record: AccountRecord) -> AccountSlot {
    let id = id_hash(&record.id, &record.unit);
    let salt = Fp::from(7) + id;
    AccountSlot {
        record,
        id_hash: id,
        salt,
    }
}

/// A healthy spot account, a borrower, a liquidatable trader, a bankrupt one.
pub fn mixed_slots(params: &RiskParams) -> Vec<AccountSlot> {
    vec![
        // 1 BTC, no debt: healthy.
        slot(record(params, "alice", [100_000_000, 0], [0, 0], 0, 0)),
        // 1 BTC collateral, 20k USDT debt: healthy borrower.
        slot(record(
            params,
            "bob",
            [100_000_000, 0],
            [0, 20_000_000_000],
            0,
            0,
        )),
        // 1000 USDT, long 1 BTC-PERP bought at 50950: PnL −950 → liquidatable.
        slot(record(
            params,
            "carol",
            [0, 1_000_000_000],
            [0, 0],
            10_000,
            50_950,
        )),
        // 0.1 BTC, 6000 USDT debt: bankrupt.
        slot(record(
            params,
            "dave",
            [10_000_000, 0],
            [0, 6_000_000_000],
            0,
            0,
        )),
    ]
}

/// Challenges for circuit tests: the circuit takes them from its instance whatever they are (the
/// verifier derives them from the snapshot).
pub fn test_challenges() -> BucketChallenges {
    BucketChallenges {
        r: Fp::from(0x5eed_0001_u64).square().square(),
        rho: Fp::from(0x5eed_0002_u64).square().square(),
        gamma: Fp::from(0x5eed_0003_u64).square().square(),
    }
}

/// The distinct-key secret of circuit tests.
pub const TEST_DISTINCT_SECRET: u64 = 0xD157;

/// The secrets of a test batch of `batch_size` leaves: padding salts, `k`, blindings 0 and 99.
pub fn test_secrets(batch_size: usize) -> BatchSecrets {
    BatchSecrets {
        padding_salts: (0..batch_size as u64)
            .map(|i| Fp::from(0xBAD0 + i))
            .collect(),
        distinct_secret: Fp::from(TEST_DISTINCT_SECRET),
        blinding_before: Fp::zero(),
        blinding_after: Fp::from(99),
    }
}

pub fn prepare(
    params: &Arc<RiskParams>,
    batch_size: usize,
    slots: &[AccountSlot],
) -> PreparedBatch {
    prepare_in(params, SlotShape::dense(params), batch_size, slots)
}

pub fn prepare_in(
    params: &Arc<RiskParams>,
    shape: SlotShape,
    batch_size: usize,
    slots: &[AccountSlot],
) -> PreparedBatch {
    PreparedBatch::new(
        params.clone(),
        SizeClass {
            slots: shape,
            batch_size,
        },
        slots,
        &RunningTotals::zero(params),
        test_challenges(),
        &test_secrets(batch_size),
    )
    .expect("the shape holds every test account")
}

/// The published list of distinct keys of `slots` under the test secret.
pub fn distinct_list(slots: &[AccountSlot]) -> Vec<u8> {
    marginproof_circuits::model::distinct::encode(
        slots
            .iter()
            .map(|s| {
                marginproof_circuits::hash::distinct_key(s.id_hash, Fp::from(TEST_DISTINCT_SECRET))
            })
            .collect(),
    )
}

/// Every failure MockProver reports for `batch`, as its Display text (which names the gate,
/// constraint and region), at the batch's least `k`.
pub fn failures(batch: &PreparedBatch) -> Vec<String> {
    let k = marginproof_circuits::circuit::layout::min_k(&batch.circuit).expect("layout");
    let prover =
        halo2_proofs::dev::MockProver::run(k, &batch.circuit, vec![batch.statement.instance()])
            .expect("synthesis");
    match prover.verify() {
        Ok(()) => vec![],
        Err(list) => list.iter().map(ToString::to_string).collect(),
    }
}
