//! Wallet addresses (SPEC §13): Ethereum (`0x` and 40 hex digits, EIP-55 checked when mixed
//! case) and Bitcoin mainnet P2PKH, P2WPKH and P2TR; each with its canonical form, in which two
//! spellings of one address are equal.

use std::str::FromStr;

use bitcoin::address::NetworkUnchecked;
use bitcoin::{Address, AddressType, Network};
use sha3::{Digest, Keccak256};
use thiserror::Error;

/// Keccak-256.
pub fn keccak256(bytes: &[u8]) -> [u8; 32] {
    Keccak256::digest(bytes).into()
}

/// The kinds of Bitcoin address format 1 supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitcoinKind {
    /// Pay to public key hash (`1…`): BIP-137 signatures.
    P2pkh,
    /// Pay to witness public key hash (`bc1q…`, 20 bytes): BIP-322 simple or BIP-137.
    P2wpkh,
    /// Pay to taproot (`bc1p…`): BIP-322 simple.
    P2tr,
}

/// A parsed wallet address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalletAddress {
    /// An Ethereum account.
    Ethereum([u8; 20]),
    /// A Bitcoin mainnet address.
    Bitcoin {
        /// The address.
        address: Address,
        /// Its kind.
        kind: BitcoinKind,
    },
}

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    /// Not `0x` and 40 hex digits.
    #[error("`{0}` is not an Ethereum address (`0x` and 40 hex digits)")]
    EthereumMalformed(String),
    /// Mixed case that is not the EIP-55 checksum.
    #[error("`{0}` has mixed case that is not its EIP-55 checksum (a mistyped address?)")]
    EthereumChecksum(String),
    /// Not a valid Bitcoin address.
    #[error("`{address}` is not a Bitcoin address: {reason}")]
    BitcoinMalformed {
        /// As given.
        address: String,
        /// The parser's reason.
        reason: String,
    },
    /// A Bitcoin address of another network.
    #[error("`{0}` is not a Bitcoin mainnet address")]
    BitcoinNetwork(String),
    /// A Bitcoin address kind format 1 does not support (P2SH, P2WSH, …).
    #[error(
        "`{0}` is not P2PKH, P2WPKH or P2TR: multisig (P2WSH, P2SH) is not supported in format 1"
    )]
    BitcoinUnsupported(String),
    /// A chain that has no addresses here.
    #[error("unknown chain `{0}`")]
    UnknownChain(String),
}

impl WalletAddress {
    /// Parses `text` as an address on `chain` (`ethereum` or `bitcoin`).
    pub fn parse(chain: &str, text: &str) -> Result<Self, AddressError> {
        match chain {
            "ethereum" => parse_ethereum(text).map(WalletAddress::Ethereum),
            "bitcoin" => parse_bitcoin(text),
            _ => Err(AddressError::UnknownChain(chain.to_string())),
        }
    }

    /// The canonical form: `0x` and 40 lower-case hex digits for Ethereum; lower-case bech32 for
    /// segwit, the base58 text for P2PKH.
    pub fn canonical(&self) -> String {
        match self {
            WalletAddress::Ethereum(bytes) => format!("0x{}", hex::encode(bytes)),
            // `Address`'s display is lower-case bech32 or base58check.
            WalletAddress::Bitcoin { address, .. } => address.to_string(),
        }
    }
}

/// `0x` and 40 hex digits; all lower, all upper, or exactly the EIP-55 checksum.
pub fn parse_ethereum(text: &str) -> Result<[u8; 20], AddressError> {
    let malformed = || AddressError::EthereumMalformed(text.to_string());
    let digits = text.strip_prefix("0x").ok_or_else(malformed)?;
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    let mut bytes = [0u8; 20];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| malformed())?;
    let has_lower = digits.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = digits.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper && eip55(&bytes) != text {
        return Err(AddressError::EthereumChecksum(text.to_string()));
    }
    Ok(bytes)
}

/// The EIP-55 mixed-case spelling of an address.
pub fn eip55(bytes: &[u8; 20]) -> String {
    let lower = hex::encode(bytes);
    let hash = keccak256(lower.as_bytes());
    let mut out = String::from("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

fn parse_bitcoin(text: &str) -> Result<WalletAddress, AddressError> {
    let unchecked = Address::<NetworkUnchecked>::from_str(text).map_err(|e| {
        AddressError::BitcoinMalformed {
            address: text.to_string(),
            reason: e.to_string(),
        }
    })?;
    let address = unchecked
        .require_network(Network::Bitcoin)
        .map_err(|_| AddressError::BitcoinNetwork(text.to_string()))?;
    let kind = match address.address_type() {
        Some(AddressType::P2pkh) => BitcoinKind::P2pkh,
        Some(AddressType::P2wpkh) => BitcoinKind::P2wpkh,
        Some(AddressType::P2tr) => BitcoinKind::P2tr,
        _ => return Err(AddressError::BitcoinUnsupported(text.to_string())),
    };
    Ok(WalletAddress::Bitcoin { address, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_spellings() {
        // EIP-55's own examples.
        for good in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        ] {
            let bytes = parse_ethereum(good).expect(good);
            assert_eq!(eip55(&bytes), good);
            assert_eq!(parse_ethereum(&good.to_lowercase()).expect("lower"), bytes);
        }
        assert!(matches!(
            parse_ethereum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            Err(AddressError::EthereumChecksum(_))
        ));
        for bad in [
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "0x5aaeb6",
            "0xzz",
            "",
        ] {
            assert!(parse_ethereum(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bitcoin_kinds_and_canonical_form() {
        let p2wpkh = WalletAddress::parse("bitcoin", "BC1Q9VZA2E8X573NCZRLZMS0WVX3GSQJX7VAVGKX0L")
            .expect("upper-case bech32");
        assert_eq!(
            p2wpkh.canonical(),
            "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
        );
        assert!(matches!(
            WalletAddress::parse("bitcoin", "3HSVzEhCFuH9Z3wvoWTexy7BMVVp3PjS6f"),
            Err(AddressError::BitcoinUnsupported(_))
        ));
        assert!(matches!(
            WalletAddress::parse("bitcoin", "tb1q9vza2e8x573nczrlzms0wvx3gsqjx7vaxwd45v"),
            Err(AddressError::BitcoinNetwork(_) | AddressError::BitcoinMalformed { .. })
        ));
        assert!(WalletAddress::parse("bitcoin", "14vV3aCHBeStb5bkenkNHbe2YAFinYdXgc").is_ok());
        assert!(WalletAddress::parse("bitcoin", "14vV3aCHBeStb5bkenkNHbe2YAFinYdXgd").is_err());
    }
}
