//! The reserves file (SPEC §13): `R.json` as the venue attaches it, `public/reserves.json` as
//! published. Read with the strict reader: a repeated key anywhere is refused.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use marginproof_verifier::json::{from_str, JsonError};

/// The only format of the reserves file.
pub const RESERVES_FORMAT: u32 = 1;

/// Most wallets one file may list.
pub const MAX_WALLETS: usize = 100_000;

/// The reserves file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservesFile {
    /// [`RESERVES_FORMAT`].
    pub format: u32,
    /// The wallets, in the venue's order.
    pub wallets: Vec<WalletEntry>,
}

/// One wallet: which asset it holds on which chain, how much at the chain's block, and its
/// signature over the reserves message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletEntry {
    /// An asset symbol of the configuration.
    pub asset: String,
    /// `ethereum` or `bitcoin`.
    pub chain: String,
    /// The wallet's address.
    pub address: String,
    /// Its balance at the chain's block, an exact decimal in the asset's units.
    pub balance: String,
    /// Its signature over the reserves message (hex for Ethereum, base64 for Bitcoin).
    pub signature: String,
}

/// A reserves file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileError {
    /// Not JSON, a repeated key, an unknown or missing field, a wrong type.
    #[error("{0}")]
    Json(#[from] JsonError),
    /// Another format.
    #[error("format {0} is not supported (format {RESERVES_FORMAT} is)")]
    Format(u32),
    /// Too many wallets.
    #[error("{0} wallets: at most {MAX_WALLETS} are supported")]
    TooMany(usize),
}

/// Parses a reserves file's text.
pub fn parse_reserves_file(text: &str) -> Result<ReservesFile, FileError> {
    let file: ReservesFile = from_str(text)?;
    if file.format != RESERVES_FORMAT {
        return Err(FileError::Format(file.format));
    }
    if file.wallets.len() > MAX_WALLETS {
        return Err(FileError::TooMany(file.wallets.len()));
    }
    Ok(file)
}

impl ReservesFile {
    /// Pretty JSON with a final newline (what `attach-reserves` publishes).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals() {
        let wallet = r#"{"asset": "BTC", "chain": "bitcoin", "address": "a", "balance": "1", "signature": "s"}"#;
        let ok = format!(r#"{{"format": 1, "wallets": [{wallet}]}}"#);
        assert_eq!(parse_reserves_file(&ok).expect("valid").wallets.len(), 1);
        let repeated = ok.replace(r#""balance": "1""#, r#""balance": "1", "balance": "2""#);
        let e = parse_reserves_file(&repeated).unwrap_err();
        assert!(e.to_string().contains("repeated key `balance`"), "{e}");
        let unknown = ok.replace(r#""balance": "1""#, r#""balance": "1", "memo": "x""#);
        assert!(parse_reserves_file(&unknown)
            .unwrap_err()
            .to_string()
            .contains("memo"));
        assert!(matches!(
            parse_reserves_file(&ok.replace("\"format\": 1", "\"format\": 2")),
            Err(FileError::Format(2))
        ));
        assert!(parse_reserves_file("{\"format\": 1}").is_err());
    }
}
