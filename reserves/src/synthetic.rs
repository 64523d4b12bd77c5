//! Reserves evidence for a synthetic venue (`generate`, `demo`): reserve locations in the
//! configuration and freshly made test wallets holding exactly the configured reserves.

use std::collections::BTreeMap;

use marginproof_circuits::config::{
    ConfigError, ReserveLocationSection, RiskConfigFile, RiskParams,
};
use marginproof_circuits::decimal::format_decimal;
use num_bigint::BigInt;

use crate::address::{eip55, keccak256};
use crate::sign::{fresh_wallet, KeyFile, KeyKind};

/// The synthetic snapshot's time.
pub const SYNTHETIC_TIME: &str = "2026-11-21T00:00:00Z";
/// The synthetic Ethereum block.
pub const SYNTHETIC_ETHEREUM_BLOCK: u64 = 23_850_000;
/// The synthetic Bitcoin block.
pub const SYNTHETIC_BITCOIN_BLOCK: u64 = 924_000;
/// Tether's contract on Ethereum (6 decimals).
pub const USDT_CONTRACT: &str = "0xdAC17F958D2ee523a2206206994597C13D831ec7";

/// The made-up token contract of a synthetic asset (not a real contract).
pub fn synthetic_token(symbol: &str) -> String {
    let hash = keccak256(format!("marginproof synthetic token {symbol}").as_bytes());
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&hash[12..]);
    eip55(&bytes)
}

/// Adds `snapshot.time`, `[reserve_chains]` and a reserve location to every asset of `file`
/// (BTC on Bitcoin, ETH native on Ethereum, USDT at Tether's contract, any other asset a made-up
/// token), and returns fresh test wallets whose balances sum exactly to each configured reserve:
/// BTC in a P2WPKH and a P2TR wallet (BIP-322), a P2PKH and a P2WPKH wallet (BIP-137); ETH in two
/// Ethereum wallets; any other asset in one.
pub fn add_synthetic_reserves(file: &mut RiskConfigFile) -> Result<KeyFile, ConfigError> {
    file.snapshot.time = Some(SYNTHETIC_TIME.to_string());
    file.reserve_chains = BTreeMap::from([
        ("bitcoin".to_string(), SYNTHETIC_BITCOIN_BLOCK),
        ("ethereum".to_string(), SYNTHETIC_ETHEREUM_BLOCK),
    ]);
    let mut kinds_of = Vec::with_capacity(file.assets.len());
    for asset in &mut file.assets {
        let (location, kinds) = match asset.symbol.as_str() {
            "BTC" => (
                ReserveLocationSection {
                    chain: "bitcoin".into(),
                    token: None,
                    decimals: None,
                },
                vec![
                    KeyKind::P2wpkh,
                    KeyKind::P2tr,
                    KeyKind::P2pkh,
                    KeyKind::P2wpkhBip137,
                ],
            ),
            "ETH" => (
                ReserveLocationSection {
                    chain: "ethereum".into(),
                    token: None,
                    decimals: None,
                },
                vec![KeyKind::Ethereum, KeyKind::Ethereum],
            ),
            symbol => (
                ReserveLocationSection {
                    chain: "ethereum".into(),
                    token: Some(if symbol == "USDT" {
                        USDT_CONTRACT.to_string()
                    } else {
                        synthetic_token(symbol)
                    }),
                    decimals: Some(if symbol == "USDT" { 6 } else { asset.decimals }),
                },
                vec![KeyKind::Ethereum],
            ),
        };
        asset.reserve_locations = vec![location];
        kinds_of.push(kinds);
    }
    let params = RiskParams::from_file(file)?;
    let mut wallets = Vec::new();
    for (a, asset) in params.assets.iter().enumerate() {
        let Some(reserve) = &params.reserves[a] else {
            continue;
        };
        let kinds = &kinds_of[a];
        let mut left = reserve.clone();
        for (i, kind) in kinds.iter().enumerate() {
            let part = if i + 1 == kinds.len() {
                left.clone()
            } else {
                &left / BigInt::from(2)
            };
            left -= &part;
            wallets.push(fresh_wallet(
                &asset.symbol,
                *kind,
                &format_decimal(&part, asset.decimals),
            ));
        }
    }
    Ok(KeyFile {
        note: "Test wallets of a synthetic venue, made by `marginproof generate`: never send funds to them.".into(),
        wallets,
    })
}
