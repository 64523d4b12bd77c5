//! A small venue built in code: a configuration, five accounts, their tree and manifest, and
//! inclusion proofs made with the circuits crate's own hashing.
#![allow(dead_code)]

use std::collections::BTreeMap;

use marginproof_circuits::config::{
    AssetSection, MarketSection, RiskConfigFile, SnapshotSection, TierSpec,
};
use marginproof_circuits::field::{fp_to_hex, Fp};
use marginproof_circuits::hash::merkle::tree_levels;
use marginproof_circuits::hash::{id_hash, leaf, public_padding_leaf, MerklePath};
use marginproof_circuits::model::record::{PositionInUnits, RecordInUnits};
use marginproof_circuits::model::{
    evaluate, AccountRecord, Holdings, MarginUnit, SlotShape, Totals,
};
use marginproof_circuits::statement::{
    BatchEntry, DistinctKeysEntry, InclusionProof, Manifest, SizeClass, TotalsFile, UnitInclusion,
    DISTINCT_KEYS_FILE, FORMAT_VERSION, INCLUSION_FORMAT_VERSION,
};
use marginproof_circuits::RiskParams;

pub const SNAPSHOT: &str = "2026-11-21T00:00Z";
pub const BATCH_SIZE: usize = 2;
pub const BATCH_COUNT: usize = 3;

fn tier(up_to: Option<&str>, rate: &str) -> TierSpec {
    TierSpec {
        up_to: up_to.map(str::to_string),
        rate: rate.to_string(),
    }
}

/// BTC (8 decimals, $60000), USDC (6 decimals, $1), BTC-PERP (4 decimals, mark $61000); BTC
/// reserves of 10.
pub fn config() -> RiskConfigFile {
    RiskConfigFile {
        reserve_chains: Default::default(),
        portfolio_margin: None,
        snapshot: SnapshotSection {
            time: None,
            id: SNAPSHOT.to_string(),
            venue: "Test Venue".to_string(),
            liquidation_threshold: "1.00".to_string(),
        },
        assets: vec![
            AssetSection {
                reserve_locations: Vec::new(),
                symbol: "BTC".to_string(),
                decimals: 8,
                price: "60000".to_string(),
                haircut: vec![tier(Some("1000000"), "0.95"), tier(None, "0.90")],
                maintenance: vec![tier(Some("100000"), "0.05"), tier(None, "0.10")],
            },
            AssetSection {
                reserve_locations: Vec::new(),
                symbol: "USDC".to_string(),
                decimals: 6,
                price: "1".to_string(),
                haircut: vec![tier(None, "1")],
                maintenance: vec![tier(Some("50000"), "0.02"), tier(None, "0.04")],
            },
        ],
        markets: vec![MarketSection {
            symbol: "BTC-PERP".to_string(),
            decimals: 4,
            mark_price: "61000".to_string(),
            maintenance: vec![tier(Some("1000000"), "0.005"), tier(None, "0.01")],
        }],
        reserves: BTreeMap::from([("BTC".to_string(), "10".to_string())]),
        scenarios: Vec::new(),
        distribution: None,
    }
}

pub fn params() -> RiskParams {
    RiskParams::from_file(&config()).expect("the test configuration is valid")
}

pub fn units(
    balances: &[(&str, &str)],
    debts: &[(&str, &str)],
    positions: &[(&str, &str, &str)],
) -> RecordInUnits {
    RecordInUnits {
        margin_mode: Default::default(),
        balances: balances
            .iter()
            .map(|(s, v)| (s.to_string(), v.to_string()))
            .collect(),
        debts: debts
            .iter()
            .map(|(s, v)| (s.to_string(), v.to_string()))
            .collect(),
        positions: positions
            .iter()
            .map(|(s, size, cost)| {
                (
                    s.to_string(),
                    PositionInUnits {
                        size: size.to_string(),
                        cost: cost.to_string(),
                    },
                )
            })
            .collect(),
    }
}

/// The accounts, in leaf order: (id, record in units).
pub fn accounts() -> Vec<(&'static str, RecordInUnits)> {
    vec![
        // Spot only, no requirement: healthy, no margin ratio.
        (
            "alice",
            units(&[("BTC", "1.5"), ("USDC", "1000")], &[], &[]),
        ),
        // Borrower with a long perp: healthy.
        (
            "bob",
            units(
                &[("BTC", "0.1")],
                &[("USDC", "5000")],
                &[("BTC-PERP", "0.5", "30000")],
            ),
        ),
        // AE 100, MR 226: liquidatable.
        ("carol", units(&[("BTC", "0.2")], &[("USDC", "11300")], &[])),
        // E = 6000 − 7000 < 0: bankrupt.
        ("dave", units(&[("BTC", "0.1")], &[("USDC", "7000")], &[])),
        // A short in profit: healthy.
        (
            "erin",
            units(
                &[("USDC", "20000")],
                &[],
                &[("BTC-PERP", "-0.25", "-16000")],
            ),
        ),
    ]
}

pub fn salt(i: usize) -> Fp {
    Fp::from(0x5a17_0000 + i as u64)
}

/// A built venue: the tree levels, the manifest, and the records.
pub struct Venue {
    pub params: RiskParams,
    pub records: Vec<(String, RecordInUnits, AccountRecord)>,
    pub salts: Vec<Fp>,
    pub levels: Vec<Vec<Fp>>,
    pub manifest: Manifest,
    pub totals: Totals,
}

impl Venue {
    /// Builds the venue from `accounts` (cross units) with `salt_of(i)` as account `i`'s salt.
    pub fn build_with(
        accounts: Vec<(&'static str, RecordInUnits)>,
        salt_of: impl Fn(usize) -> Fp,
    ) -> Venue {
        let units = accounts
            .into_iter()
            .map(|(id, record)| (id, "", record))
            .collect();
        Venue::build_units(units, salt_of)
    }

    /// Builds the venue from margin units `(owner, unit label, record)`, in leaf order, with
    /// `salt_of(i)` as unit `i`'s salt.
    pub fn build_units(
        accounts: Vec<(&str, &str, RecordInUnits)>,
        salt_of: impl Fn(usize) -> Fp,
    ) -> Venue {
        let params = params();
        let slots = SlotShape::dense(&params);
        let class = SizeClass {
            slots,
            batch_size: BATCH_SIZE,
        };
        let mut records = Vec::new();
        let mut salts = Vec::new();
        let mut leaves = Vec::new();
        let mut totals = Totals::zero(&params);
        for (i, (id, label, units)) in accounts.into_iter().enumerate() {
            let unit = MarginUnit::parse(label).expect("a valid test label");
            let record = AccountRecord::from_units(id, &units, &params)
                .expect("test record is valid")
                .in_unit(unit.clone());
            let s = salt_of(i);
            let holdings = Holdings::of(&record, slots).expect("dense slots hold any record");
            leaves.push(leaf(class.code(), id_hash(id, &unit), s, &holdings));
            totals.add(&Totals::of_account(
                &params,
                &record,
                &evaluate(&params, &record),
                true,
            ));
            records.push((id.to_string(), units, record));
            salts.push(s);
        }
        // Proven batches hold BATCH_SIZE · BATCH_COUNT leaves, their padding leaves with salts of
        // their own; the top tree is padded to a power of two with batches of public padding.
        assert!(leaves.len() <= BATCH_SIZE * BATCH_COUNT);
        let mut padding = 0u64;
        while leaves.len() < BATCH_SIZE * BATCH_COUNT {
            padding += 1;
            let salt = Fp::from(0xBAD0 + padding);
            leaves.push(leaf(
                class.code(),
                Fp::zero(),
                salt,
                &Holdings::empty(slots),
            ));
        }
        let padded = BATCH_SIZE * BATCH_COUNT.next_power_of_two();
        leaves.resize(padded, public_padding_leaf(class.code(), slots));
        let levels = tree_levels(leaves);
        let root = levels.last().unwrap()[0];
        let dummy = |n: u64| fp_to_hex(&Fp::from(n));
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            config: params.file.clone(),
            classes: vec![class],
            batch_count: BATCH_COUNT,
            root: fp_to_hex(&root),
            totals: TotalsFile::from_totals(&totals, &params),
            totals_blinding: dummy(7),
            distinct_keys: DistinctKeysEntry {
                file: DISTINCT_KEYS_FILE.into(),
                count: 0,
                commitment: dummy(8),
            },
            batches: (0..BATCH_COUNT as u64)
                .map(|i| BatchEntry {
                    class: 0,
                    root: dummy(100 + i),
                    totals_after: dummy(200 + i),
                    proof: format!("batch-{i}.proof"),
                })
                .collect(),
        };
        Venue {
            params,
            records,
            salts,
            levels,
            manifest,
            totals,
        }
    }

    pub fn build() -> Venue {
        Venue::build_with(accounts(), salt)
    }

    /// The inclusion proof of unit `i` alone (its leaf index is `i`).
    pub fn proof(&self, i: usize) -> InclusionProof {
        let (id, _, _) = &self.records[i];
        InclusionProof {
            format_version: INCLUSION_FORMAT_VERSION,
            snapshot_id: SNAPSHOT.to_string(),
            account_id: id.clone(),
            units: vec![self.unit(i)],
            root: self.manifest.root.clone(),
        }
    }

    /// Unit `i` as an inclusion file lists it.
    pub fn unit(&self, i: usize) -> UnitInclusion {
        let path = MerklePath::from_levels(&self.levels, i as u64).expect("index in the tree");
        let (_, units, record) = &self.records[i];
        UnitInclusion {
            margin_unit: record.unit.clone(),
            class: 0,
            salt: fp_to_hex(&self.salts[i]),
            record: units.clone(),
            leaf_index: i as u64,
            path: path.siblings.iter().map(fp_to_hex).collect(),
        }
    }

    /// The inclusion proof of every unit of `owner`, cross first, then by label.
    pub fn owner_proof(&self, owner: &str) -> InclusionProof {
        let mut units: Vec<usize> = (0..self.records.len())
            .filter(|&i| self.records[i].0 == owner)
            .collect();
        units.sort_by(|&a, &b| self.records[a].2.unit.cmp(&self.records[b].2.unit));
        let mut proof = self.proof(0);
        proof.account_id = owner.to_string();
        proof.units = units.into_iter().map(|i| self.unit(i)).collect();
        proof
    }

    pub fn proof_json(&self, i: usize) -> String {
        serde_json::to_string_pretty(&self.proof(i)).unwrap()
    }
}
