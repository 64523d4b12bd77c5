//! Ownership signatures over the reserves message (SPEC §13): EIP-191 `personal_sign` for
//! Ethereum, BIP-322 simple for P2WPKH and P2TR, BIP-137 for P2PKH and P2WPKH.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use bitcoin::hashes::Hash;
use bitcoin::secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use bitcoin::secp256k1::{Message, PublicKey, Secp256k1};
use bitcoin::{CompressedPublicKey, Witness};
use thiserror::Error;

use crate::address::{keccak256, BitcoinKind, WalletAddress};

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// Not the encoding the address's scheme uses.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// Well formed, but not by the address's key over this message.
    #[error("the signature is not the address's over this snapshot's reserves message ({0})")]
    Mismatch(String),
}

fn malformed(m: impl Into<String>) -> SignatureError {
    SignatureError::Malformed(m.into())
}

/// The EIP-191 `personal_sign` digest of `message`.
pub fn eip191_hash(message: &str) -> [u8; 32] {
    let mut bytes = format!("\x19Ethereum Signed Message:\n{}", message.len()).into_bytes();
    bytes.extend_from_slice(message.as_bytes());
    keccak256(&bytes)
}

/// The Ethereum address of a public key: the last 20 bytes of Keccak-256 of its 64 coordinates.
pub fn ethereum_address(key: &PublicKey) -> [u8; 20] {
    let hash = keccak256(&key.serialize_uncompressed()[1..]);
    let mut out = [0u8; 20];
    out.copy_from_slice(&hash[12..]);
    out
}

/// The name of the scheme `signature` is read under for `address` (for reports).
pub fn scheme(address: &WalletAddress, signature: &str) -> &'static str {
    match address {
        WalletAddress::Ethereum(_) => "EIP-191 personal_sign",
        WalletAddress::Bitcoin { kind, .. } => match kind {
            BitcoinKind::P2pkh => "BIP-137",
            BitcoinKind::P2wpkh if BASE64.decode(signature).is_ok_and(|r| r.len() == 65) => {
                "BIP-137"
            }
            _ => "BIP-322 simple",
        },
    }
}

/// Checks `signature` (as written in the reserves file) by `address` over `message`.
pub fn verify_signature(
    address: &WalletAddress,
    message: &str,
    signature: &str,
) -> Result<(), SignatureError> {
    match address {
        WalletAddress::Ethereum(bytes) => verify_eip191(bytes, message, signature),
        WalletAddress::Bitcoin { address, kind } => {
            let raw = BASE64
                .decode(signature)
                .map_err(|e| malformed(format!("not base64 ({e})")))?;
            match kind {
                BitcoinKind::P2pkh => verify_bip137(address, *kind, message, &raw),
                // A BIP-137 signature is exactly 65 bytes; a P2WPKH witness (two items, a
                // signature of 9 bytes or more and a 33-byte key) is longer.
                BitcoinKind::P2wpkh if raw.len() == 65 => {
                    verify_bip137(address, *kind, message, &raw)
                }
                BitcoinKind::P2wpkh | BitcoinKind::P2tr => verify_bip322(address, message, &raw),
            }
        }
    }
}

/// EIP-191 `personal_sign`: 65 bytes `r ‖ s ‖ v` in hex (`0x` optional), `v` 27/28 or 0/1.
fn verify_eip191(address: &[u8; 20], message: &str, signature: &str) -> Result<(), SignatureError> {
    let digits = signature.strip_prefix("0x").unwrap_or(signature);
    let mut raw = [0u8; 65];
    hex::decode_to_slice(digits, &mut raw)
        .map_err(|_| malformed("an EIP-191 signature is 65 bytes in hex"))?;
    let v = match raw[64] {
        27 | 28 => raw[64] - 27,
        0 | 1 => raw[64],
        other => return Err(malformed(format!("recovery byte v = {other}"))),
    };
    let key = recover(&raw[..64], v, eip191_hash(message))?;
    if &ethereum_address(&key) != address {
        return Err(SignatureError::Mismatch(
            "it recovers another address".into(),
        ));
    }
    Ok(())
}

fn recover(compact: &[u8], recovery: u8, digest: [u8; 32]) -> Result<PublicKey, SignatureError> {
    let id = RecoveryId::from_i32(i32::from(recovery))
        .map_err(|_| malformed(format!("recovery id {recovery}")))?;
    let signature = RecoverableSignature::from_compact(compact, id)
        .map_err(|e| malformed(format!("not a secp256k1 signature ({e})")))?;
    Secp256k1::verification_only()
        .recover_ecdsa(&Message::from_digest(digest), &signature)
        .map_err(|_| SignatureError::Mismatch("no key recovers from it".into()))
}

/// BIP-137: a header byte (27–30 P2PKH uncompressed key, 31–34 P2PKH compressed, 39–42 P2WPKH;
/// 35–38, P2SH-P2WPKH, is not supported), then `r ‖ s`, over the Bitcoin signed-message hash.
/// A P2WPKH address also takes the compressed P2PKH headers 31–34, as Electrum writes them.
fn verify_bip137(
    address: &bitcoin::Address,
    kind: BitcoinKind,
    message: &str,
    raw: &[u8],
) -> Result<(), SignatureError> {
    if raw.len() != 65 {
        return Err(malformed(format!(
            "a BIP-137 signature is 65 bytes, not {}",
            raw.len()
        )));
    }
    let header = raw[0];
    let (compressed, segwit) = match header {
        27..=30 => (false, false),
        31..=34 => (true, false),
        39..=42 => (true, true),
        35..=38 => return Err(malformed("P2SH-P2WPKH (header 35–38) is not supported")),
        _ => return Err(malformed(format!("BIP-137 header byte {header}"))),
    };
    match (kind, segwit, compressed) {
        (BitcoinKind::P2pkh, false, _) | (BitcoinKind::P2wpkh, _, true) => {}
        _ => {
            return Err(malformed(format!(
                "header byte {header} does not fit a {kind:?} address"
            )))
        }
    }
    let digest = bitcoin::sign_message::signed_msg_hash(message).to_byte_array();
    let key = recover(&raw[1..], (header - 27) % 4, digest)?;
    let matches = match kind {
        BitcoinKind::P2pkh => {
            let key = bitcoin::PublicKey {
                compressed,
                inner: key,
            };
            address.script_pubkey() == bitcoin::ScriptBuf::new_p2pkh(&key.pubkey_hash())
        }
        _ => {
            let key = CompressedPublicKey(key);
            address.script_pubkey() == bitcoin::ScriptBuf::new_p2wpkh(&key.wpubkey_hash())
        }
    };
    if !matches {
        return Err(SignatureError::Mismatch("it recovers another key".into()));
    }
    Ok(())
}

/// BIP-322 simple: the base64 of the consensus-encoded witness of `to_sign`'s input, with
/// nothing after it.
fn verify_bip322(
    address: &bitcoin::Address,
    message: &str,
    raw: &[u8],
) -> Result<(), SignatureError> {
    let witness: Witness = bitcoin::consensus::deserialize(raw)
        .map_err(|e| malformed(format!("not a BIP-322 simple witness ({e})")))?;
    match bip322::verify_simple(address, message, witness) {
        Ok(bip322::Verification::Valid { .. }) => Ok(()),
        Ok(bip322::Verification::Inconclusive) => Err(SignatureError::Mismatch(
            "BIP-322 could not interpret the script".into(),
        )),
        Err(e) => Err(SignatureError::Mismatch(format!("BIP-322: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitcoin(text: &str) -> WalletAddress {
        WalletAddress::parse("bitcoin", text).expect("address")
    }

    // BIP-322's published test vectors (the BIP's text and generated-test-vectors.json).
    const P2WPKH: &str = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l";
    const P2TR: &str = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3";

    #[test]
    fn bip322_published_vectors() {
        let segwit = bitcoin(P2WPKH);
        let vectors = [
            ("", "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="),
            ("Hello World", "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="),
            ("Hello World", "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"),
            ("", "AkgwRQIhAPkJ1Q4oYS0htvyuSFHLxRQpFAY56b70UvE7Dxazen0ZAiAtZfFz1S6T6I23MWI2lK/pcNTWncuyL8UL+oMdydVgzAEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"),
        ];
        for (message, signature) in vectors {
            verify_signature(&segwit, message, signature).expect(signature);
            let other = if message.is_empty() {
                "Hello World"
            } else {
                ""
            };
            assert!(verify_signature(&segwit, other, signature).is_err());
        }
        let taproot = bitcoin(P2TR);
        let signature = "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ==";
        verify_signature(&taproot, "Hello World", signature).expect("taproot vector");
        assert!(verify_signature(&taproot, "Hello World!", signature).is_err());
        // The P2WPKH vector is not the taproot address's, nor the reverse.
        assert!(verify_signature(&taproot, "", vectors[0].1).is_err());
        assert!(verify_signature(&segwit, "Hello World", signature).is_err());
    }

    /// BIP-137 signatures made by other wallets (Trezor firmware's, python-bitcoinlib's,
    /// Electrum's and Mycelium's test vectors, as collected in btcd-based verifiers): compressed
    /// and uncompressed P2PKH, P2WPKH with the segwit header (39–42) and with Electrum's 31–34.
    #[test]
    fn bip137_signatures_of_other_wallets() {
        let example = "This is an example of a signed message.";
        let vectors = [
            ("1JAd7XCBzGudGpJQSDSfpmJhiygtLQWaGL", example, "IP2PL321I4/N0HfVIEw+aUnCYdcAJpzvwdnS3O9rlQI2MO5hf2yKz560DI7dcEycp06kr8OT9D81tOiVgyTL3Rw="),
            ("1F26pNMrywyZJdr22jErtKcjF8R3Ttt55G", "1F26pNMrywyZJdr22jErtKcjF8R3Ttt55G", "H85WKpqtNZDrajOnYDgUY+abh0KCAcOsAIOQwx2PftAbLEPRA7mzXA/CjXRxzz0MC225pR/hx02Vf2Ag2x33kU4="),
            ("18J72YSM9pKLvyXX1XAjFXA98zeEvxBYmw", "Test123", "Gzhfsw0ItSrrTCChykFhPujeTyAcvVxiXwywxpHmkwFiKuUR2ETbaoFcocmcSshrtdIjfm8oXlJoTOLosZp3Yc8="),
            ("bc1qannfxke2tfd4l7vhepehpvt05y83v3qsf6nfkk", example, "KLVddgDZ6afipJFV3fPP2455bCB/qrgzAQ+kH7eCiIm8R89iNIp6qgkjwIMqWJ+rVB6PEutU+3EckOIwfw9msZQ="),
            ("bc1q58dh2fpwms37g29nw979pa65lsvjkqxq82jzvv", "Test message!", "ILNax/LC+m3WwzIhnrieNN8DRzWTAgcVStSJmwdabUQII2fIlYUlEgnlNf4j2G4yJQoO4zFqCwaLOX4PDj1XwjA="),
        ];
        for (address, message, signature) in vectors {
            let parsed = bitcoin(address);
            verify_signature(&parsed, message, signature)
                .unwrap_or_else(|e| panic!("{address}: {e}"));
            assert_eq!(scheme(&parsed, signature), "BIP-137");
            assert!(verify_signature(&parsed, "another message", signature).is_err());
        }
        // Trezor's legacy signature is not the segwit address's.
        assert!(verify_signature(&bitcoin(vectors[3].0), example, vectors[0].2).is_err());
        // An uncompressed key's header cannot sign for a P2WPKH address.
        let mut raw = BASE64.decode(vectors[3].2).expect("base64");
        raw[0] = 27 + (raw[0] - 27) % 4;
        assert!(matches!(
            verify_signature(&bitcoin(vectors[3].0), example, &BASE64.encode(raw)),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn eip191_vector_and_malformed_input() {
        // A fixed key (1, the generator) signs; its address is well known.
        let one = {
            let mut b = [0u8; 32];
            b[31] = 1;
            bitcoin::secp256k1::SecretKey::from_slice(&b).expect("key")
        };
        let key = one.public_key(&Secp256k1::new());
        assert_eq!(
            hex::encode(ethereum_address(&key)),
            "7e5f4552091a69125d5dfcb7b8c2659029395bdf"
        );
        // EIP-191's digest of "hello" (as eth_account and ethers compute it).
        assert_eq!(
            hex::encode(eip191_hash("hello")),
            "50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"
        );
        let address = WalletAddress::Ethereum(ethereum_address(&key));
        for bad in [
            "",
            "0x",
            "0x00",
            &"ab".repeat(66),
            &format!("0x{}", "zz".repeat(65)),
        ] {
            assert!(matches!(
                verify_signature(&address, "hello", bad),
                Err(SignatureError::Malformed(_))
            ));
        }
        let mut v = "11".repeat(64);
        v.push_str("1d");
        assert!(verify_signature(&address, "hello", &v).is_err());
    }

    #[test]
    fn trailing_bytes_after_the_witness_are_refused() {
        let segwit = bitcoin(P2WPKH);
        let mut raw = BASE64
            .decode("AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=")
            .expect("base64");
        raw.push(0);
        let err = verify_signature(&segwit, "", &BASE64.encode(&raw)).unwrap_err();
        assert!(matches!(err, SignatureError::Malformed(_)), "{err}");
    }
}
