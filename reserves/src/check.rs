//! The offline checks of a reserves file against a verified bundle's configuration and root
//! (SPEC §13): every signature against its address, no address listed twice, and per asset the
//! wallets' balances summing exactly to the configured reserve.

use std::collections::BTreeMap;

use marginproof_circuits::config::{ReserveLocation, RiskParams};
use marginproof_circuits::decimal::parse_decimal;
use num_bigint::{BigInt, BigUint};
use num_traits::Signed;
use thiserror::Error;

use crate::address::WalletAddress;
use crate::file::{ReservesFile, WalletEntry};
use crate::message::reserves_message;
use crate::signature::verify_signature;

/// A wallet that passed the offline checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedWallet {
    /// Its 0-based position in the file.
    pub index: usize,
    /// The file's entry.
    pub entry: WalletEntry,
    /// The asset's index in the configuration.
    pub asset: usize,
    /// The parsed address.
    pub address: WalletAddress,
    /// Where the asset is held on the wallet's chain.
    pub location: ReserveLocation,
    /// The balance in the chain's smallest unit: `balance × 10^(location decimals)`.
    pub on_chain: BigUint,
}

/// A reserves file that passed every offline check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReserves {
    /// Every wallet, in file order.
    pub wallets: Vec<CheckedWallet>,
}

impl CheckedReserves {
    /// The wallets of asset `asset` (configuration index).
    pub fn of_asset(&self, asset: usize) -> impl Iterator<Item = &CheckedWallet> {
        self.wallets.iter().filter(move |w| w.asset == asset)
    }
}

/// Why a reserves file was refused, naming the wallet where one is at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReservesError {
    /// One wallet is wrong.
    #[error("wallet {number} ({asset} on {chain}, {address}): {problem}")]
    Wallet {
        /// 1-based position in the file.
        number: usize,
        /// As written.
        asset: String,
        /// As written.
        chain: String,
        /// As written.
        address: String,
        /// What is wrong.
        problem: String,
    },
    /// An asset's wallets as a whole are wrong.
    #[error("asset {asset}: {problem}")]
    Asset {
        /// The symbol.
        asset: String,
        /// What is wrong.
        problem: String,
    },
}

fn wallet_error(index: usize, entry: &WalletEntry, problem: impl Into<String>) -> ReservesError {
    ReservesError::Wallet {
        number: index + 1,
        asset: entry.asset.clone(),
        chain: entry.chain.clone(),
        address: entry.address.clone(),
        problem: problem.into(),
    }
}

/// Checks `file` offline against the configuration `params` and the root `root` (as the manifest
/// writes it).
pub fn check_reserves(
    params: &RiskParams,
    root: &str,
    file: &ReservesFile,
) -> Result<CheckedReserves, ReservesError> {
    let message = reserves_message(&params.venue, &params.snapshot_id, root);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut wallets = Vec::with_capacity(file.wallets.len());
    for (index, entry) in file.wallets.iter().enumerate() {
        let fail = |problem: String| wallet_error(index, entry, problem);
        let asset = params.asset_index(&entry.asset).ok_or_else(|| {
            fail(format!(
                "`{}` is not an asset of the configuration",
                entry.asset
            ))
        })?;
        let location = params.assets[asset]
            .reserve_locations
            .iter()
            .find(|l| l.chain == entry.chain)
            .cloned()
            .ok_or_else(|| {
                fail(format!(
                    "asset {} has no reserve location on chain `{}`",
                    entry.asset, entry.chain
                ))
            })?;
        let address =
            WalletAddress::parse(&entry.chain, &entry.address).map_err(|e| fail(e.to_string()))?;
        let canonical = address.canonical();
        if let Some(first) = seen.insert(canonical.clone(), index) {
            return Err(fail(format!(
                "address {canonical} is already wallet {} (an address is listed once)",
                first + 1
            )));
        }
        let plain = !entry.balance.is_empty()
            && entry
                .balance
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.');
        if !plain {
            return Err(fail(format!(
                "balance `{}` is not a plain decimal (digits and one `.`)",
                entry.balance
            )));
        }
        let units = parse_decimal(&entry.balance, location.decimals).map_err(|e| {
            fail(format!(
                "balance: {e} (the location has {} decimals)",
                location.decimals
            ))
        })?;
        if units.is_negative() {
            return Err(fail("balance: negative".into()));
        }
        let on_chain = units.magnitude().clone();
        verify_signature(&address, &message, &entry.signature)
            .map_err(|e| fail(format!("signature: {e}")))?;
        wallets.push(CheckedWallet {
            index,
            entry: entry.clone(),
            asset,
            address,
            location,
            on_chain,
        });
    }
    for (a, asset) in params.assets.iter().enumerate() {
        let mine: Vec<&CheckedWallet> = wallets.iter().filter(|w| w.asset == a).collect();
        match (&params.reserves[a], mine.first()) {
            (None, None) => {}
            (None, Some(w)) => {
                return Err(wallet_error(
                    w.index,
                    &w.entry,
                    format!("asset {} has no configured reserve", asset.symbol),
                ))
            }
            (Some(_), None) => {
                return Err(ReservesError::Asset {
                    asset: asset.symbol.clone(),
                    problem: "the configured reserve has no wallet".into(),
                })
            }
            (Some(reserve), Some(_)) => {
                // Compare at the finest of the asset's and its locations' scales, exactly.
                let scale = mine
                    .iter()
                    .map(|w| w.location.decimals)
                    .chain([asset.decimals])
                    .max()
                    .unwrap_or(asset.decimals);
                let pow = |d: u32| BigInt::from(10u8).pow(scale - d);
                let sum: BigInt = mine
                    .iter()
                    .map(|w| BigInt::from(w.on_chain.clone()) * pow(w.location.decimals))
                    .sum();
                let configured = reserve * pow(asset.decimals);
                if sum != configured {
                    let show = |v: &BigInt| marginproof_circuits::decimal::format_decimal(v, scale);
                    return Err(ReservesError::Asset {
                        asset: asset.symbol.clone(),
                        problem: format!(
                            "its wallets sum to {} but the configured reserve is {}",
                            show(&sum),
                            show(&configured)
                        ),
                    });
                }
            }
        }
    }
    Ok(CheckedReserves { wallets })
}
