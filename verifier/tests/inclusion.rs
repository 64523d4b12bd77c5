//! Inclusion proofs: every account of a small venue verifies with the values the model gives, and
//! each kind of tampering is refused with its own error.

mod common;

use common::{Venue, BATCH_COUNT, BATCH_SIZE, SNAPSHOT};
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::field::{fp_from_hex, fp_to_hex, Fp};
use marginproof_circuits::model::risk::{
    adjusted_equity, borrow_requirement, haircut_collateral, maintenance_requirement, net_value,
    raw_equity, status, unrealized_pnl,
};
use marginproof_circuits::model::{AccountRecord, MarginUnit, SlotShape, Status};
use marginproof_circuits::statement::{
    InclusionProof, StatementError, FORMAT_VERSION, INCLUSION_FORMAT_VERSION,
};
use marginproof_circuits::RiskParams;
use marginproof_verifier::inclusion::{
    verify_inclusion, InclusionError, InclusionReport, MAX_PROOF_BYTES,
};
use marginproof_verifier::manifest::{
    parse_manifest, tree_shape, ManifestError, MAX_MANIFEST_BYTES,
};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::Zero;
use serde_json::{json, Value};

/// (AE, E, MR, status) by the formulas of SPEC §2, one model function per term.
fn expected(params: &RiskParams, record: &AccountRecord) -> (BigInt, BigInt, BigInt, Status) {
    let mut collateral = Vec::new();
    let mut net_values = Vec::new();
    let mut borrow = Vec::new();
    for (i, a) in params.assets.iter().enumerate() {
        let v = net_value(record.balances[i], record.debts[i], a.price);
        collateral.push(haircut_collateral(&v, &a.haircut));
        borrow.push(borrow_requirement(&v, &a.maintenance));
        net_values.push(v);
    }
    let mut pnl = Vec::new();
    let mut position_req = Vec::new();
    for (m, p) in params.markets.iter().zip(&record.positions) {
        pnl.push(unrealized_pnl(p, m.mark_price));
        let notional = p.size.unsigned_abs() * u128::from(m.mark_price);
        position_req.push(m.maintenance.scaled_by_definition(notional));
    }
    let ae = adjusted_equity(&collateral, &pnl);
    let e = raw_equity(&net_values, &pnl);
    let mr = maintenance_requirement(&borrow, &position_req);
    let s = status(&e, &ae, &mr, params.threshold_ppm);
    (ae, e, mr, s)
}

/// The error of a file's only unit, the cross unit, unwrapped from [`InclusionError::Unit`]
/// (after checking that it names that unit); other errors as they are.
fn in_the_cross_unit(
    result: Result<InclusionReport, InclusionError>,
) -> Result<InclusionReport, InclusionError> {
    result.map_err(|e| match e {
        InclusionError::Unit { unit, reason } => {
            assert!(unit.is_cross(), "the test venue's units are cross units");
            *reason
        }
        other => other,
    })
}

fn verify(venue: &Venue, proof: &InclusionProof) -> Result<InclusionReport, InclusionError> {
    in_the_cross_unit(verify_inclusion(
        &serde_json::to_string(proof).unwrap(),
        &venue.manifest,
    ))
}

fn verify_value(venue: &Venue, proof: &Value) -> Result<InclusionReport, InclusionError> {
    in_the_cross_unit(verify_inclusion(&proof.to_string(), &venue.manifest))
}

fn proof_value(venue: &Venue, i: usize) -> Value {
    serde_json::to_value(venue.proof(i)).unwrap()
}

#[test]
fn every_account_verifies_with_the_model_values() {
    let venue = Venue::build();
    let mut statuses = Vec::new();
    for (i, (id, _, record)) in venue.records.iter().enumerate() {
        let report = verify_inclusion(&venue.proof_json(i), &venue.manifest).expect("verifies");
        let (ae, e, mr, s) = expected(&venue.params, record);
        assert_eq!(report.account_id, *id);
        assert_eq!(report.first().status, s, "{id}");
        assert_eq!(
            report.first().adjusted_equity_usd,
            format_decimal(&ae, 24),
            "{id}"
        );
        assert_eq!(report.first().equity_usd, format_decimal(&e, 18), "{id}");
        assert_eq!(
            report.first().maintenance_usd,
            format_decimal(&mr, 24),
            "{id}"
        );
        let ratio = (!mr.is_zero())
            .then(|| format_decimal(&(&ae * BigInt::from(1_000_000)).div_floor(&mr), 6));
        assert_eq!(report.first().margin_ratio, ratio, "{id}");
        assert_eq!(report.first().leaf_index, i as u64);
        assert_eq!(report.root_hex, venue.manifest.root);
        statuses.push(s);
    }
    assert_eq!(
        statuses,
        [
            Status::Healthy,
            Status::Healthy,
            Status::Liquidatable,
            Status::Bankrupt,
            Status::Healthy
        ]
    );
}

#[test]
fn values_by_hand() {
    let venue = Venue::build();
    // alice: 1.5 BTC at 60000 (95% haircut) + 1000 USDC.
    let alice = verify_inclusion(&venue.proof_json(0), &venue.manifest).unwrap();
    assert_eq!(alice.first().status, Status::Healthy);
    assert_eq!(alice.first().equity_usd, "91000");
    assert_eq!(alice.first().adjusted_equity_usd, "86500");
    assert_eq!(alice.first().maintenance_usd, "0");
    assert_eq!(alice.first().margin_ratio, None);
    assert_eq!(
        alice.to_json(true),
        json!({
            "valid": true,
            "account_id": "alice",
            "status": "healthy",
            "adjusted_equity_usd": "86500",
            "equity_usd": "91000",
            "maintenance_usd": "0",
            "margin_ratio": null,
            "margin_mode": "standard",
            "units": [{
                "margin_unit": "",
                "margin_mode": "standard",
                "status": "healthy",
                "adjusted_equity_usd": "86500",
                "equity_usd": "91000",
                "maintenance_usd": "0",
                "margin_ratio": null,
                "leaf_index": 0,
                // Collateral only: AE − θ·MR = AE, and no price makes it liquidatable.
                "buffer_usd": "86500",
                "liquidation_prices": {
                    "BTC": {
                        "liquidatable": null,
                        "bankrupt": null,
                        "liquidatable_move_pct": null,
                        "bankrupt_move_pct": null,
                    },
                    "USDC": {
                        "liquidatable": null,
                        "bankrupt": null,
                        "liquidatable_move_pct": null,
                        "bankrupt_move_pct": null,
                    },
                },
            }],
            "owner": {
                "units": 1,
                "healthy": 1,
                "liquidatable": 0,
                "bankrupt": 0,
                "equity_owed_usd": "91000",
                "bad_debt_usd": "0",
            },
        })
    );
    // bob: 0.1 BTC (W 5700), −5000 USDC (G 100), long 0.5 at cost 30000, mark 61000 (U 500,
    // notional 30500, G 152.5).
    let bob = verify_inclusion(&venue.proof_json(1), &venue.manifest).unwrap();
    assert_eq!(bob.first().equity_usd, "1500");
    assert_eq!(bob.first().adjusted_equity_usd, "1200");
    assert_eq!(bob.first().maintenance_usd, "252.5");
    assert_eq!(bob.first().margin_ratio.as_deref(), Some("4.752475"));
    // carol: 0.2 BTC (W 11400), −11300 USDC (G 226): AE 100 < MR 226.
    let carol = verify_inclusion(&venue.proof_json(2), &venue.manifest).unwrap();
    assert_eq!(carol.first().status, Status::Liquidatable);
    assert_eq!(carol.first().adjusted_equity_usd, "100");
    assert_eq!(carol.first().equity_usd, "700");
    assert_eq!(carol.first().maintenance_usd, "226");
    // 100 / 226 = 0.44247787…, rounded toward −∞.
    assert_eq!(carol.first().margin_ratio.as_deref(), Some("0.442477"));
    let j = carol.to_json(true);
    assert_eq!(j["status"], "liquidatable");
    assert_eq!(j["margin_ratio"], "0.442477");
    // dave: E = 6000 − 7000; AE = 5700 − 7000 and the ratio is negative.
    let dave = verify_inclusion(&venue.proof_json(3), &venue.manifest).unwrap();
    assert_eq!(dave.first().status, Status::Bankrupt);
    assert_eq!(dave.first().equity_usd, "-1000");
    assert_eq!(dave.first().adjusted_equity_usd, "-1300");
    assert_eq!(dave.first().maintenance_usd, "140");
    // −1300 / 140 = −9.2857142…, rounded toward −∞.
    assert_eq!(dave.first().margin_ratio.as_deref(), Some("-9.285715"));
    assert_eq!(dave.to_json(false)["valid"], false);
    assert_eq!(dave.to_json(false)["status"], "bankrupt");
    // erin: short 0.25 at cost −16000, mark 61000: U = 750, notional 15250, G 76.25.
    let erin = verify_inclusion(&venue.proof_json(4), &venue.manifest).unwrap();
    assert_eq!(erin.first().equity_usd, "20750");
    assert_eq!(erin.first().maintenance_usd, "76.25");
}

#[test]
fn json_keys_are_exactly_the_spec_keys() {
    let venue = Venue::build();
    let report = verify_inclusion(&venue.proof_json(1), &venue.manifest).unwrap();
    let j = report.to_json(true);
    let mut keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "account_id",
            "adjusted_equity_usd",
            "equity_usd",
            "maintenance_usd",
            "margin_mode",
            "margin_ratio",
            "owner",
            "status",
            "units",
            "valid"
        ]
    );
}

#[test]
fn a_changed_balance_is_refused() {
    let venue = Venue::build();
    let mut proof = venue.proof(0);
    proof.units[0]
        .record
        .balances
        .insert("BTC".into(), "1.6".into());
    assert_eq!(verify(&venue, &proof), Err(InclusionError::RootMismatch));
    // The same value written differently is the same record.
    let mut same = venue.proof(0);
    same.units[0]
        .record
        .balances
        .insert("BTC".into(), "1.50000000".into());
    assert!(verify(&venue, &same).is_ok());
    // An explicit zero is the same as an absent entry.
    same.units[0].record.debts.insert("BTC".into(), "0".into());
    assert!(verify(&venue, &same).is_ok());
    // A dropped position is not.
    let mut dropped = venue.proof(1);
    dropped.units[0].record.positions.clear();
    assert_eq!(verify(&venue, &dropped), Err(InclusionError::RootMismatch));
}

#[test]
fn a_wrong_salt_or_account_id_is_refused() {
    let venue = Venue::build();
    let mut proof = venue.proof(2);
    proof.units[0].salt = fp_to_hex(&(venue.salts[2] + Fp::from(1)));
    assert_eq!(verify(&venue, &proof), Err(InclusionError::RootMismatch));
    let mut proof = venue.proof(2);
    proof.account_id = "mallory".into();
    assert_eq!(verify(&venue, &proof), Err(InclusionError::RootMismatch));
}

#[test]
fn a_wrong_sibling_or_index_is_refused() {
    let venue = Venue::build();
    let path_len = venue.proof(0).units[0].path.len();
    for level in 0..path_len {
        let mut proof = venue.proof(3);
        let sibling = fp_from_hex(&proof.units[0].path[level]).unwrap();
        proof.units[0].path[level] = fp_to_hex(&(sibling + Fp::from(1)));
        assert_eq!(
            verify(&venue, &proof),
            Err(InclusionError::RootMismatch),
            "level {level}"
        );
    }
    // Another account's position in the tree.
    let mut proof = venue.proof(3);
    proof.units[0].leaf_index = 2;
    assert_eq!(verify(&venue, &proof), Err(InclusionError::RootMismatch));
    // Siblings swapped.
    let mut proof = venue.proof(3);
    proof.units[0].path.swap(0, 1);
    assert_eq!(verify(&venue, &proof), Err(InclusionError::RootMismatch));
}

#[test]
fn a_root_that_is_not_the_manifests_is_refused() {
    let venue = Venue::build();
    // The proof claims another root: its path does not lead there.
    let mut proof = venue.proof(0);
    proof.root = fp_to_hex(&Fp::from(12345));
    assert_eq!(verify(&venue, &proof), Err(InclusionError::RootMismatch));

    // A consistent proof from another tree (other salts): its path leads to its root, which is
    // not the manifest's.
    let other = Venue::build_with(common::accounts(), |i| Fp::from(99 + i as u64));
    assert_ne!(other.manifest.root, venue.manifest.root);
    assert!(verify_inclusion(&other.proof_json(0), &other.manifest).is_ok());
    assert_eq!(
        verify_inclusion(&other.proof_json(0), &venue.manifest),
        Err(InclusionError::NotManifestRoot)
    );

    // The manifest's root changed under a proof that is itself consistent.
    let mut manifest = venue.manifest.clone();
    manifest.root = fp_to_hex(&Fp::from(12345));
    assert_eq!(
        verify_inclusion(&venue.proof_json(0), &manifest),
        Err(InclusionError::NotManifestRoot)
    );
}

#[test]
fn malformed_json_is_refused_with_its_position() {
    let venue = Venue::build();
    let json = venue.proof_json(0);
    let truncated = &json[..json.len() / 2];
    match verify_inclusion(truncated, &venue.manifest) {
        Err(InclusionError::Json(e)) => {
            assert!(e.line > 1, "{e}");
            assert!(e.column > 0, "{e}");
            assert!(!e.message.contains(" at line "), "{e}");
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
    for bad in [
        "",
        "{",
        "null",
        "[]",
        "{\"format_version\": 1}",
        "\u{feff}{}",
    ] {
        assert!(
            matches!(
                verify_inclusion(bad, &venue.manifest),
                Err(InclusionError::Json(_))
            ),
            "{bad:?}"
        );
    }
    // Every strict prefix is refused, none panics.
    for end in 0..json.len() {
        if json.is_char_boundary(end) {
            assert!(
                verify_inclusion(&json[..end], &venue.manifest).is_err(),
                "prefix {end}"
            );
        }
    }
}

#[test]
fn unknown_fields_are_refused() {
    let venue = Venue::build();
    let mut proof = proof_value(&venue, 0);
    proof["comment"] = json!("hello");
    match verify_value(&venue, &proof) {
        Err(InclusionError::Json(e)) => assert!(e.message.contains("unknown field"), "{e}"),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    let mut proof = proof_value(&venue, 1);
    proof["units"][0]["record"]["positions"]["BTC-PERP"]["entry_price"] = json!("60000");
    assert!(matches!(
        verify_value(&venue, &proof),
        Err(InclusionError::Json(_))
    ));
    let mut proof = proof_value(&venue, 1);
    proof["units"][0]["record"]["collateral"] = json!({});
    assert!(matches!(
        verify_value(&venue, &proof),
        Err(InclusionError::Json(_))
    ));
    // A missing field and a field of the wrong type.
    let mut proof = proof_value(&venue, 0);
    proof["units"][0].as_object_mut().unwrap().remove("salt");
    assert!(matches!(
        verify_value(&venue, &proof),
        Err(InclusionError::Json(_))
    ));
    let mut proof = proof_value(&venue, 0);
    proof["units"][0]["leaf_index"] = json!(-1);
    assert!(matches!(
        verify_value(&venue, &proof),
        Err(InclusionError::Json(_))
    ));
}

#[test]
fn a_wrong_format_version_is_refused() {
    let venue = Venue::build();
    let mut proof = venue.proof(0);
    proof.format_version = 1;
    assert_eq!(
        verify(&venue, &proof),
        Err(InclusionError::WrongVersion {
            found: 1,
            expected: INCLUSION_FORMAT_VERSION
        })
    );
    let mut manifest = venue.manifest.clone();
    manifest.format_version = 0;
    assert!(matches!(
        verify_inclusion(&venue.proof_json(0), &manifest),
        Err(InclusionError::Manifest(ManifestError::WrongVersion {
            found: 0,
            expected: FORMAT_VERSION
        }))
    ));
}

#[test]
fn a_leaf_index_beyond_the_tree_is_refused() {
    let venue = Venue::build();
    let leaves = (BATCH_SIZE * BATCH_COUNT) as u128;
    // In the top tree's padding (not a proven batch), just past the padded tree, and far out.
    for index in [6u64, 7, 8, 1 << 40, u64::MAX] {
        let mut proof = venue.proof(0);
        proof.units[0].leaf_index = index;
        assert_eq!(
            verify(&venue, &proof),
            Err(InclusionError::IndexOutOfRange { index, leaves }),
            "{index}"
        );
    }
}

#[test]
fn a_path_of_the_wrong_length_is_refused() {
    let venue = Venue::build();
    let expected = venue.proof(0).units[0].path.len();
    assert_eq!(expected, 1 + 2, "log2(2) + ceil(log2(3))");
    for len in [0, expected - 1, expected + 1, 64, 65, 1000] {
        let mut proof = venue.proof(0);
        proof.units[0].path.resize(len, fp_to_hex(&Fp::from(1)));
        assert_eq!(
            verify(&venue, &proof),
            Err(InclusionError::WrongPathLength {
                found: len,
                expected
            }),
            "{len}"
        );
    }
}

#[test]
fn non_canonical_hex_is_refused() {
    let venue = Venue::build();
    let ffs = "f".repeat(64);
    let is_bad_hex = |r: Result<InclusionReport, InclusionError>, name: &str| match r {
        Err(InclusionError::BadHex(StatementError::Field { field, .. })) => assert_eq!(field, name),
        other => panic!("{name}: expected a hex error, got {other:?}"),
    };
    let mut proof = venue.proof(0);
    proof.units[0].salt = ffs.clone();
    is_bad_hex(verify(&venue, &proof), "salt");
    let mut proof = venue.proof(0);
    proof.units[0].path[1] = ffs.clone();
    is_bad_hex(verify(&venue, &proof), "path[1]");
    let mut proof = venue.proof(0);
    proof.root = ffs.clone();
    is_bad_hex(verify(&venue, &proof), "root");
    // Not hex, too short, too long, upper-case accepted as the same bytes.
    for bad in ["zz".repeat(32), "ab".into(), "00".repeat(33), String::new()] {
        let mut proof = venue.proof(0);
        proof.units[0].salt = bad;
        is_bad_hex(verify(&venue, &proof), "salt");
    }
    let mut proof = venue.proof(0);
    proof.root = proof.root.to_uppercase();
    assert!(verify(&venue, &proof).is_ok());
    let mut manifest = venue.manifest.clone();
    manifest.root = ffs;
    is_bad_hex(
        verify_inclusion(&venue.proof_json(0), &manifest),
        "manifest.root",
    );
}

#[test]
fn bad_records_snapshots_and_configs_are_refused() {
    let venue = Venue::build();
    let mut proof = venue.proof(0);
    proof.snapshot_id = "2026-11-20T00:00Z".into();
    assert_eq!(
        verify(&venue, &proof),
        Err(InclusionError::SnapshotMismatch {
            proof: "2026-11-20T00:00Z".into(),
            manifest: SNAPSHOT.into(),
        })
    );
    for (field, value) in [
        ("balances", json!({"BTC": "-1"})),
        ("balances", json!({"BTC": "0.000000001"})),
        ("balances", json!({"BTC": "1e3"})),
        ("balances", json!({"ETH": "1"})),
        ("debts", json!({"USDC": "18446744073709.551616"})),
        (
            "positions",
            json!({"BTC-PERP": {"size": "1", "cost": "1e9"}}),
        ),
        ("positions", json!({"ETH-PERP": {"size": "1", "cost": "1"}})),
    ] {
        let mut proof = proof_value(&venue, 0);
        proof["units"][0]["record"][field] = value.clone();
        assert!(
            matches!(verify_value(&venue, &proof), Err(InclusionError::Record(_))),
            "{field}: {value}"
        );
    }
    let mut manifest = venue.manifest.clone();
    manifest.config.assets[0].price = "0".into();
    assert!(matches!(
        verify_inclusion(&venue.proof_json(0), &manifest),
        Err(InclusionError::InvalidConfig(_))
    ));
    let mut manifest = venue.manifest.clone();
    manifest.classes[0].batch_size = 3;
    assert!(matches!(
        verify_inclusion(&venue.proof_json(0), &manifest),
        Err(InclusionError::Manifest(ManifestError::Shape(_)))
    ));
}

#[test]
fn oversized_inputs_are_refused() {
    let venue = Venue::build();
    let big = " ".repeat(MAX_PROOF_BYTES + 1);
    assert!(matches!(
        verify_inclusion(&big, &venue.manifest),
        Err(InclusionError::TooLarge { .. })
    ));
    let big = " ".repeat(MAX_MANIFEST_BYTES + 1);
    assert!(matches!(
        parse_manifest(&big),
        Err(ManifestError::TooLarge { .. })
    ));
}

#[test]
fn huge_numbers_are_refused_without_being_parsed() {
    let venue = Venue::build();
    let started = std::time::Instant::now();
    // In a proof of allowed size (parse_decimal would take about a second on each).
    let huge = "9".repeat(MAX_PROOF_BYTES - 2000);
    for (field, value, name) in [
        ("balances", json!({ "BTC": huge }), "balances.BTC"),
        (
            "debts",
            json!({ "USDC": format!("-{huge}.5") }),
            "debts.USDC",
        ),
        (
            "positions",
            json!({"BTC-PERP": {"size": huge, "cost": "1"}}),
            "positions.BTC-PERP.size",
        ),
        (
            "positions",
            json!({"BTC-PERP": {"size": "1", "cost": huge}}),
            "positions.BTC-PERP.cost",
        ),
    ] {
        let mut proof = proof_value(&venue, 0);
        proof["units"][0]["record"][field] = value;
        match verify_value(&venue, &proof) {
            Err(InclusionError::Record(e)) => assert_eq!(e.field, name),
            other => panic!("{name}: expected a record error, got {other:?}"),
        }
    }
    // In a manifest's configuration (parse_decimal would take over a minute).
    let huge = "9".repeat(8 << 20);
    let mut manifest = venue.manifest.clone();
    manifest.config.markets[0].maintenance[0].up_to = Some(huge.clone());
    match verify_inclusion(&venue.proof_json(0), &manifest) {
        Err(InclusionError::InvalidConfig(e)) => {
            assert_eq!(e.field, "markets[0].maintenance[0].up_to")
        }
        other => panic!("expected a config error, got {other:?}"),
    }
    let mut manifest = venue.manifest.clone();
    manifest.config.reserves.insert("BTC".into(), huge);
    match verify_inclusion(&venue.proof_json(0), &manifest) {
        Err(InclusionError::InvalidConfig(e)) => assert_eq!(e.field, "reserves.BTC"),
        other => panic!("expected a config error, got {other:?}"),
    }
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    // Leading zeros are not digits that count: a long but valid number still verifies.
    let mut proof = venue.proof(0);
    proof.units[0].record.balances.insert(
        "BTC".into(),
        format!("{}1.5{}", "0".repeat(1000), "0".repeat(1000)),
    );
    assert!(verify(&venue, &proof).is_ok());
}

#[test]
fn manifests_parse_and_are_checked() {
    let venue = Venue::build();
    let text = serde_json::to_string_pretty(&venue.manifest).unwrap();
    let manifest = parse_manifest(&text).expect("parses");
    assert_eq!(manifest, venue.manifest);
    let shape = tree_shape(&manifest).unwrap();
    assert_eq!(
        (
            shape.batch_depths.clone(),
            shape.top_depth,
            shape.path_len(0)
        ),
        (vec![1], 2, Some(3))
    );

    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["format_version"] = json!(1);
    assert_eq!(
        parse_manifest(&v.to_string()),
        Err(ManifestError::WrongVersion {
            found: 1,
            expected: FORMAT_VERSION
        })
    );
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["extra"] = json!(1);
    assert!(matches!(
        parse_manifest(&v.to_string()),
        Err(ManifestError::Json(_))
    ));
    assert!(matches!(
        parse_manifest(&text[..text.len() - 3]),
        Err(ManifestError::Json(_))
    ));
    for (size, count, listed) in [
        (0usize, 3usize, 3usize),
        (3, 3, 3),
        (2, 0, 0),
        (2, 3, 2),
        (1 << 40, 1 << 30, 0),
    ] {
        let mut v: Value = serde_json::from_str(&text).unwrap();
        v["classes"][0]["batch_size"] = json!(size);
        v["batch_count"] = json!(count);
        let batches = v["batches"][0].clone();
        v["batches"] = Value::Array(vec![batches; listed]);
        assert!(
            matches!(parse_manifest(&v.to_string()), Err(ManifestError::Shape(_))),
            "{size} × {count}"
        );
    }
    // One batch: the top path is empty.
    let mut one = venue.manifest.clone();
    one.batch_count = 1;
    one.batches.truncate(1);
    let shape = tree_shape(&one).unwrap();
    assert_eq!(
        (shape.top_depth, shape.path_len(0), shape.leaves),
        (0, Some(1), 2)
    );
}

#[test]
fn a_single_batch_tree_verifies() {
    // Two accounts, batch size 2, one batch: the path is the batch path only.
    let params = common::params();
    let accounts = common::accounts();
    let venue = Venue::build_with(accounts, common::salt);
    let mut manifest = venue.manifest.clone();
    let leaves = &venue.levels[0][..2];
    let root = marginproof_circuits::hash::node_hash(leaves[0], leaves[1]);
    manifest.batch_count = 1;
    manifest.batches.truncate(1);
    manifest.root = fp_to_hex(&root);
    let mut proof = venue.proof(1);
    proof.units[0].path.truncate(1);
    proof.root = manifest.root.clone();
    let report = verify_inclusion(&serde_json::to_string(&proof).unwrap(), &manifest).unwrap();
    assert_eq!(report.account_id, "bob");
    assert_eq!(params.snapshot_id, SNAPSHOT);
}

#[test]
fn a_record_holding_more_than_the_slots_is_refused() {
    let venue = Venue::build();
    let (_, _, record) = venue
        .records
        .iter()
        .find(|(_, _, r)| r.holding_counts().0 > 1)
        .expect("some test account holds two assets");
    let index = venue
        .records
        .iter()
        .position(|(_, _, r)| r == record)
        .expect("present");
    let mut manifest = venue.manifest.clone();
    manifest.classes[0].slots = SlotShape::standard(1, manifest.classes[0].slots.markets);
    match in_the_cross_unit(verify_inclusion(&venue.proof_json(index), &manifest)) {
        Err(InclusionError::Holdings(e)) => assert_eq!(e.asset_slots, 1),
        other => panic!("expected a holdings error, got {other:?}"),
    }
}

#[test]
fn a_slot_shape_wider_than_the_configuration_is_refused() {
    let venue = Venue::build();
    let mut manifest = venue.manifest.clone();
    manifest.classes[0].slots.assets += 1;
    assert!(matches!(
        verify_inclusion(&venue.proof_json(0), &manifest),
        Err(InclusionError::Manifest(ManifestError::Shape(_)))
    ));
}

// ---------------------------------------------------------------------------------------------
// Margin units (SPEC §8)
// ---------------------------------------------------------------------------------------------

/// Owners with several margin units, in leaf order: `ivan` has a healthy cross unit and a
/// bankrupt isolated `BTC-PERP` unit; `judy` the reverse; `a` and `a-b` have units whose naive
/// concatenations collide (`a` + `b-c` and `a-b` + `c` are both `ab-c`).
fn unit_venue() -> Venue {
    use common::units;
    Venue::build_units(
        vec![
            // Healthy cross unit: 1 BTC at 60000, no requirement.
            ("ivan", "", units(&[("BTC", "1")], &[], &[])),
            // Isolated: 1000 USDC backing a long 1 BTC-PERP bought at 63000, mark 61000: E = −1000.
            (
                "ivan",
                "BTC-PERP",
                units(&[("USDC", "1000")], &[], &[("BTC-PERP", "1", "63000")]),
            ),
            // Bankrupt cross unit: 0.1 BTC (6000) against 7000 USDC of debt.
            (
                "judy",
                "",
                units(&[("BTC", "0.1")], &[("USDC", "7000")], &[]),
            ),
            // Healthy isolated unit: 5000 USDC, long 0.1 BTC-PERP at cost 6000 (U = 100).
            (
                "judy",
                "BTC-PERP",
                units(&[("USDC", "5000")], &[], &[("BTC-PERP", "0.1", "6000")]),
            ),
            ("a", "b-c", units(&[("USDC", "10")], &[], &[])),
            ("a-b", "c", units(&[("USDC", "20")], &[], &[])),
        ],
        common::salt,
    )
}

fn verify_owner(venue: &Venue, proof: &InclusionProof) -> Result<InclusionReport, InclusionError> {
    verify_inclusion(&serde_json::to_string(proof).unwrap(), &venue.manifest)
}

/// The error of `result`, which must name the unit `label` (`""` for cross).
fn unit_error(result: Result<InclusionReport, InclusionError>, label: &str) -> InclusionError {
    match result {
        Err(InclusionError::Unit { unit, reason }) => {
            assert_eq!(unit.label(), label, "the error names the unit");
            *reason
        }
        other => panic!("expected an error of unit `{label}`, got {other:?}"),
    }
}

#[test]
fn each_unit_is_valued_on_its_own() {
    let venue = unit_venue();
    let ivan = verify_owner(&venue, &venue.owner_proof("ivan")).expect("ivan verifies");
    let statuses: Vec<(&str, Status)> = ivan
        .units
        .iter()
        .map(|u| (u.margin_unit.label(), u.status))
        .collect();
    assert_eq!(
        statuses,
        [("", Status::Healthy), ("BTC-PERP", Status::Bankrupt)]
    );
    // The isolated loss is not covered by the cross unit's 60000: the venue carries 1000 of bad
    // debt, and owes ivan his whole cross equity.
    assert_eq!(ivan.units[1].equity_usd, "-1000");
    let owner = ivan.owner();
    assert_eq!((owner.units, owner.healthy, owner.bankrupt), (2, 1, 1));
    assert_eq!(owner.equity_owed_usd, "60000");
    assert_eq!(owner.bad_debt_usd, "1000");
    let j = ivan.to_json(true);
    assert_eq!(
        j["status"], "healthy",
        "top-level keys describe the first unit"
    );
    assert_eq!(j["units"][0]["margin_unit"], "");
    assert_eq!(j["units"][1]["margin_unit"], "BTC-PERP");
    assert_eq!(j["units"][1]["status"], "bankrupt");
    assert_eq!(j["units"][1]["equity_usd"], "-1000");
    assert_eq!(j["owner"]["bad_debt_usd"], "1000");

    // The reverse: a bankrupt cross unit beside a healthy isolated one.
    let judy = verify_owner(&venue, &venue.owner_proof("judy")).expect("judy verifies");
    assert_eq!(judy.units[0].status, Status::Bankrupt);
    assert_eq!(judy.units[1].status, Status::Healthy);
    assert_eq!(judy.to_json(true)["status"], "bankrupt");
    assert_eq!(judy.owner().bad_debt_usd, "1000");
    assert_eq!(judy.owner().equity_owed_usd, "5100");
}

#[test]
fn a_unit_of_another_owner_is_refused() {
    let venue = unit_venue();
    // judy's isolated unit, with its own salt, record and path, in ivan's file.
    let mut proof = venue.owner_proof("ivan");
    proof.units[1] = venue.unit(3);
    assert_eq!(
        unit_error(verify_owner(&venue, &proof), "BTC-PERP"),
        InclusionError::RootMismatch
    );
    // judy's cross unit as ivan's.
    let mut proof = venue.owner_proof("ivan");
    proof.units[0] = venue.unit(2);
    assert_eq!(
        unit_error(verify_owner(&venue, &proof), ""),
        InclusionError::RootMismatch
    );
    // ivan's whole file under judy's name.
    let mut proof = venue.owner_proof("ivan");
    proof.account_id = "judy".into();
    assert_eq!(
        unit_error(verify_owner(&venue, &proof), ""),
        InclusionError::RootMismatch
    );
}

#[test]
fn a_relabelled_unit_is_refused() {
    let venue = unit_venue();
    let relabel = |i: usize, label: &str| {
        let mut proof = venue.owner_proof("ivan");
        proof.units[i].margin_unit = MarginUnit::parse(label).expect("a label");
        proof
            .units
            .sort_by(|a, b| a.margin_unit.cmp(&b.margin_unit));
        proof
    };
    // Isolated → cross, keeping its salt and path (and dropping the real cross unit).
    let mut proof = venue.owner_proof("ivan");
    proof.units.remove(0);
    proof.units[0].margin_unit = MarginUnit::cross();
    assert_eq!(
        unit_error(verify_owner(&venue, &proof), ""),
        InclusionError::RootMismatch
    );
    // Cross → isolated: the untouched BTC-PERP unit verifies, the relabelled one does not.
    assert_eq!(
        unit_error(verify_owner(&venue, &relabel(0, "ETH-PERP")), "ETH-PERP"),
        InclusionError::RootMismatch
    );
    // Another label for the isolated unit.
    assert_eq!(
        unit_error(verify_owner(&venue, &relabel(1, "BTC-PERP2")), "BTC-PERP2"),
        InclusionError::RootMismatch
    );
}

#[test]
fn ids_and_labels_that_collide_when_concatenated_are_told_apart() {
    let venue = unit_venue();
    assert!(verify_owner(&venue, &venue.owner_proof("a")).is_ok());
    assert!(verify_owner(&venue, &venue.owner_proof("a-b")).is_ok());
    // `a` + `b-c` presented as `a-b` + `c`, with its salt, record and path.
    let mut proof = venue.owner_proof("a");
    proof.account_id = "a-b".into();
    proof.units[0].margin_unit = MarginUnit::parse("c").expect("a label");
    assert_eq!(
        unit_error(verify_owner(&venue, &proof), "c"),
        InclusionError::RootMismatch
    );
    // And the reverse.
    let mut proof = venue.owner_proof("a-b");
    proof.account_id = "a".into();
    proof.units[0].margin_unit = MarginUnit::parse("b-c").expect("a label");
    assert_eq!(
        unit_error(verify_owner(&venue, &proof), "b-c"),
        InclusionError::RootMismatch
    );
}

#[test]
fn the_units_of_a_file_are_listed_once_in_order() {
    let venue = unit_venue();
    let mut proof = venue.owner_proof("ivan");
    proof.units.swap(0, 1);
    assert_eq!(
        verify_owner(&venue, &proof),
        Err(InclusionError::UnitsOutOfOrder {
            unit: String::new(),
            after: "BTC-PERP".into()
        })
    );
    let mut proof = venue.owner_proof("ivan");
    proof.units[0] = proof.units[1].clone();
    assert_eq!(
        verify_owner(&venue, &proof),
        Err(InclusionError::UnitsOutOfOrder {
            unit: "BTC-PERP".into(),
            after: "BTC-PERP".into()
        })
    );
    let mut proof = venue.owner_proof("ivan");
    proof.units.clear();
    assert_eq!(verify_owner(&venue, &proof), Err(InclusionError::NoUnits));
    // An owner without a cross unit lists only isolated units, and verifies.
    let mut proof = venue.owner_proof("ivan");
    proof.units.remove(0);
    assert!(verify_owner(&venue, &proof).is_ok());
    // A label that is not one is malformed JSON for the file.
    let mut value = serde_json::to_value(venue.owner_proof("ivan")).unwrap();
    value["units"][1]["margin_unit"] = json!("BTC PERP");
    match verify_inclusion(&value.to_string(), &venue.manifest) {
        Err(InclusionError::Json(e)) => {
            assert!(e.message.contains("margin unit label"), "{e}")
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}
