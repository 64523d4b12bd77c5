//! Signing the reserves message with freshly made test keys, for `generate`, `demo` and the
//! tests (SPEC §13): a venue signs with its own cold-storage tools, never with these.
//!
//! A key file lists, per wallet, its asset, chain, kind, address, balance and secret key (hex).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use bitcoin::hashes::Hash;
use bitcoin::key::{CompressedPublicKey, Secp256k1};
use bitcoin::secp256k1::{Message, SecretKey};
use bitcoin::{Address, Network, PrivateKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::address::eip55;
use crate::file::{ReservesFile, WalletEntry, RESERVES_FORMAT};
use crate::signature::{eip191_hash, ethereum_address};
use marginproof_verifier::json::{from_str, JsonError};

/// The kind of a test wallet, which fixes its address and signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// An Ethereum account: EIP-191.
    Ethereum,
    /// Bitcoin P2WPKH: BIP-322 simple.
    P2wpkh,
    /// Bitcoin P2TR (key path, no script tree): BIP-322 simple.
    P2tr,
    /// Bitcoin P2PKH (compressed key): BIP-137.
    P2pkh,
    /// Bitcoin P2WPKH: BIP-137 with the segwit header.
    P2wpkhBip137,
}

impl KeyKind {
    /// The chain of the kind.
    pub fn chain(self) -> &'static str {
        match self {
            KeyKind::Ethereum => "ethereum",
            _ => "bitcoin",
        }
    }
}

/// One test wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletKey {
    /// The asset it holds.
    pub asset: String,
    /// Its kind.
    pub kind: KeyKind,
    /// Its address.
    pub address: String,
    /// Its balance, in the asset's units.
    pub balance: String,
    /// The secret key, 32 bytes in hex.
    pub secret: String,
}

/// A file of test wallets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    /// What this is.
    pub note: String,
    /// The wallets.
    pub wallets: Vec<WalletKey>,
}

/// A signing failure.
#[derive(Debug, Error)]
pub enum SignError {
    /// The key file cannot be read.
    #[error("key file: {0}")]
    Json(#[from] JsonError),
    /// A secret key that is not 32 bytes of a valid scalar.
    #[error("wallet {0}: the secret key is not a secp256k1 secret key")]
    Secret(usize),
    /// The key does not make the wallet's address.
    #[error("wallet {0}: the secret key is not the address's")]
    Address(usize),
    /// BIP-322 signing failed.
    #[error("wallet {0}: BIP-322: {1}")]
    Bip322(usize, String),
}

/// A fresh secret key from the system's randomness.
pub fn fresh_secret() -> SecretKey {
    loop {
        let bytes: [u8; 32] = rand::random();
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return key;
        }
    }
}

/// The address of `secret` as a wallet of `kind` (EIP-55 for Ethereum).
pub fn address_of(kind: KeyKind, secret: &SecretKey) -> String {
    let secp = Secp256k1::new();
    let public = secret.public_key(&secp);
    let compressed = CompressedPublicKey(public);
    match kind {
        KeyKind::Ethereum => eip55(&ethereum_address(&public)),
        KeyKind::P2wpkh | KeyKind::P2wpkhBip137 => {
            Address::p2wpkh(&compressed, Network::Bitcoin).to_string()
        }
        KeyKind::P2pkh => Address::p2pkh(compressed, Network::Bitcoin).to_string(),
        KeyKind::P2tr => {
            Address::p2tr(&secp, public.x_only_public_key().0, None, Network::Bitcoin).to_string()
        }
    }
}

/// A fresh wallet of `kind` holding `balance` of `asset`.
pub fn fresh_wallet(asset: &str, kind: KeyKind, balance: &str) -> WalletKey {
    let secret = fresh_secret();
    WalletKey {
        asset: asset.to_string(),
        kind,
        address: address_of(kind, &secret),
        balance: balance.to_string(),
        secret: hex::encode(secret.secret_bytes()),
    }
}

/// EIP-191 `personal_sign` of `message`: `0x`, `r ‖ s ‖ v` with v = 27 or 28.
pub fn sign_eip191(secret: &SecretKey, message: &str) -> String {
    let secp = Secp256k1::new();
    let signature =
        secp.sign_ecdsa_recoverable(&Message::from_digest(eip191_hash(message)), secret);
    let (id, compact) = signature.serialize_compact();
    let mut raw = compact.to_vec();
    raw.push(27 + id.to_i32() as u8);
    format!("0x{}", hex::encode(raw))
}

/// BIP-137 with a compressed key: header `base` + recovery id (31 for P2PKH, 39 for P2WPKH).
pub fn sign_bip137(secret: &SecretKey, message: &str, base: u8) -> String {
    let secp = Secp256k1::new();
    let digest = bitcoin::sign_message::signed_msg_hash(message).to_byte_array();
    let signature = secp.sign_ecdsa_recoverable(&Message::from_digest(digest), secret);
    let (id, compact) = signature.serialize_compact();
    let mut raw = vec![base + id.to_i32() as u8];
    raw.extend_from_slice(&compact);
    BASE64.encode(raw)
}

/// BIP-322 simple (base64 of the witness) by a P2WPKH or P2TR address.
pub fn sign_bip322(secret: &SecretKey, address: &Address, message: &str) -> Result<String, String> {
    let key = PrivateKey::new(*secret, Network::Bitcoin);
    let witness = bip322::sign_simple(address, message, &[key], None).map_err(|e| e.to_string())?;
    Ok(BASE64.encode(bitcoin::consensus::serialize(&witness)))
}

impl KeyFile {
    /// Reads a key file's text (strictly).
    pub fn parse(text: &str) -> Result<Self, SignError> {
        Ok(from_str(text)?)
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Signs `message` with every wallet: the reserves file.
    pub fn sign(&self, message: &str) -> Result<ReservesFile, SignError> {
        let mut wallets = Vec::with_capacity(self.wallets.len());
        for (i, w) in self.wallets.iter().enumerate() {
            let number = i + 1;
            let secret = hex::decode(&w.secret)
                .ok()
                .and_then(|b| SecretKey::from_slice(&b).ok())
                .ok_or(SignError::Secret(number))?;
            if address_of(w.kind, &secret) != w.address {
                return Err(SignError::Address(number));
            }
            let signature = match w.kind {
                KeyKind::Ethereum => sign_eip191(&secret, message),
                KeyKind::P2pkh => sign_bip137(&secret, message, 31),
                KeyKind::P2wpkhBip137 => sign_bip137(&secret, message, 39),
                KeyKind::P2wpkh | KeyKind::P2tr => {
                    let address: Address = w
                        .address
                        .parse::<Address<bitcoin::address::NetworkUnchecked>>()
                        .map_err(|_| SignError::Address(number))?
                        .assume_checked();
                    sign_bip322(&secret, &address, message)
                        .map_err(|e| SignError::Bip322(number, e))?
                }
            };
            wallets.push(WalletEntry {
                asset: w.asset.clone(),
                chain: w.kind.chain().to_string(),
                address: w.address.clone(),
                balance: w.balance.clone(),
                signature,
            });
        }
        Ok(ReservesFile {
            format: RESERVES_FORMAT,
            wallets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::WalletAddress;
    use crate::signature::verify_signature;

    #[test]
    fn every_kind_signs_and_verifies_and_nothing_else_does() {
        let message = "marginproof reserves v1\nvenue: V\nsnapshot: s\nroot: 0x01";
        let kinds = [
            KeyKind::Ethereum,
            KeyKind::P2wpkh,
            KeyKind::P2tr,
            KeyKind::P2pkh,
            KeyKind::P2wpkhBip137,
        ];
        let keys = KeyFile {
            note: "test".into(),
            wallets: kinds.iter().map(|k| fresh_wallet("X", *k, "1")).collect(),
        };
        let file = keys.sign(message).expect("sign");
        for (w, key) in file.wallets.iter().zip(&keys.wallets) {
            let address = WalletAddress::parse(&w.chain, &w.address).expect("address");
            verify_signature(&address, message, &w.signature)
                .unwrap_or_else(|e| panic!("{:?}: {e}", key.kind));
            assert!(verify_signature(&address, "another message", &w.signature).is_err());
        }
        // Wallet 0's signature under wallet 1's… of the same chain: refused.
        let a = WalletAddress::parse("bitcoin", &file.wallets[1].address).expect("address");
        assert!(verify_signature(&a, message, &file.wallets[2].signature).is_err());
        assert!(verify_signature(&a, message, &file.wallets[4].signature).is_err());
    }
}
