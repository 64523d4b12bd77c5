//! Balances at a block, read from an Ethereum node over JSON-RPC (SPEC §13, `--eth-rpc`):
//! `eth_getBalance` for the native coin, `eth_call` of ERC-20 `balanceOf` for a token, and the
//! block's time from `eth_getBlockByNumber`. Every request has a timeout.

use std::time::Duration;

use num_bigint::BigUint;
use serde_json::{json, Value};
use thiserror::Error;

use crate::check::CheckedReserves;

/// How long one request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How far the block's time may be from `snapshot.time`, in seconds.
pub const MAX_BLOCK_SKEW: i64 = 3_600;
/// Ethereum mainnet's chain id: a node of another chain (a testnet, a fork with another id) is
/// not asked about mainnet wallets.
pub const MAINNET_CHAIN_ID: u64 = 1;

/// A node that could not be used: exit 2, the bundle is not at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NodeError {
    /// No answer (connection refused, timeout, HTTP error).
    #[error("the Ethereum node at {url} does not answer `{method}`: {reason}")]
    Unreachable {
        /// The node.
        url: String,
        /// The request.
        method: String,
        /// What happened.
        reason: String,
    },
    /// An answer that is not what JSON-RPC promises, or an error object.
    #[error("the Ethereum node at {url} answered `{method}` with {reason}")]
    BadAnswer {
        /// The node.
        url: String,
        /// The request.
        method: String,
        /// What was wrong.
        reason: String,
    },
    /// The node is not on Ethereum mainnet.
    #[error("the Ethereum node at {url} is on chain id {id}, not mainnet ({MAINNET_CHAIN_ID})")]
    WrongChain {
        /// The node.
        url: String,
        /// Its chain id.
        id: u64,
    },
    /// The node does not have the block.
    #[error("the Ethereum node at {url} does not have block {block}")]
    NoBlock {
        /// The node.
        url: String,
        /// The block.
        block: u64,
    },
}

/// What a node check found.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BalanceError {
    /// The node could not be used (exit 2).
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The evidence is wrong (exit 1).
    #[error("{0}")]
    Rejected(String),
}

/// An Ethereum node.
pub struct EthNode {
    url: String,
    agent: ureq::Agent,
}

/// Hex quantity of JSON-RPC (`0x` and at least one hex digit, no leading zeros required).
fn quantity(value: &Value) -> Option<BigUint> {
    let digits = value.as_str()?.strip_prefix("0x")?;
    if digits.is_empty() || digits.len() > 64 {
        return None;
    }
    BigUint::parse_bytes(digits.as_bytes(), 16)
}

impl EthNode {
    /// A node at `url` (HTTP or HTTPS).
    pub fn new(url: &str) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build();
        EthNode {
            url: url.to_string(),
            agent,
        }
    }

    fn call(&self, method: &str, params: Value) -> Result<Value, NodeError> {
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let unreachable = |reason: String| NodeError::Unreachable {
            url: self.url.clone(),
            method: method.to_string(),
            reason,
        };
        let bad = |reason: String| NodeError::BadAnswer {
            url: self.url.clone(),
            method: method.to_string(),
            reason,
        };
        let response = self
            .agent
            .post(&self.url)
            .set("Content-Type", "application/json")
            .send_string(&request.to_string())
            .map_err(|e| unreachable(e.to_string()))?;
        // An answer is small; a node that streams more is not one.
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(response.into_reader(), 1 << 20),
            &mut text,
        )
        .map_err(|e| unreachable(e.to_string()))?;
        let answer: Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("no JSON ({e})")))?;
        if let Some(error) = answer.get("error") {
            return Err(bad(format!("the error {error}")));
        }
        answer
            .get("result")
            .cloned()
            .ok_or_else(|| bad("no `result`".into()))
    }

    fn bad(&self, method: &str, reason: &str) -> NodeError {
        NodeError::BadAnswer {
            url: self.url.clone(),
            method: method.to_string(),
            reason: reason.to_string(),
        }
    }

    /// The node's chain id.
    pub fn chain_id(&self) -> Result<u64, NodeError> {
        let value = self.call("eth_chainId", json!([]))?;
        quantity(&value)
            .and_then(|q| u64::try_from(q).ok())
            .ok_or_else(|| self.bad("eth_chainId", "no chain id"))
    }

    /// The time of block `block` (seconds since the Unix epoch).
    pub fn block_time(&self, block: u64) -> Result<i64, NodeError> {
        let value = self.call(
            "eth_getBlockByNumber",
            json!([format!("0x{block:x}"), false]),
        )?;
        if value.is_null() {
            return Err(NodeError::NoBlock {
                url: self.url.clone(),
                block,
            });
        }
        value
            .get("timestamp")
            .and_then(quantity)
            .and_then(|q| i64::try_from(q).ok())
            .ok_or_else(|| self.bad("eth_getBlockByNumber", "a block without a timestamp"))
    }

    /// The native balance of `address` at `block`, in wei.
    pub fn balance(&self, address: &[u8; 20], block: u64) -> Result<BigUint, NodeError> {
        let value = self.call(
            "eth_getBalance",
            json!([
                format!("0x{}", hex::encode(address)),
                format!("0x{block:x}")
            ]),
        )?;
        quantity(&value).ok_or_else(|| self.bad("eth_getBalance", "no balance"))
    }

    /// `token.balanceOf(address)` at `block`; `None` if the call returns no 32-byte word (no
    /// contract there, or not an ERC-20).
    pub fn token_balance(
        &self,
        token: &[u8; 20],
        address: &[u8; 20],
        block: u64,
    ) -> Result<Option<BigUint>, NodeError> {
        let data = format!("0x70a08231{:0>64}", hex::encode(address));
        let value = self.call(
            "eth_call",
            json!([
                {"to": format!("0x{}", hex::encode(token)), "data": data},
                format!("0x{block:x}")
            ]),
        )?;
        let text = value
            .as_str()
            .and_then(|t| t.strip_prefix("0x"))
            .ok_or_else(|| self.bad("eth_call", "no return data"))?;
        let bytes = hex::decode(text).map_err(|_| self.bad("eth_call", "return data not hex"))?;
        Ok((bytes.len() == 32).then(|| BigUint::from_bytes_be(&bytes)))
    }
}

/// What the node confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCheck {
    /// The block's time.
    pub block_time: i64,
    /// The block.
    pub block: u64,
    /// How many wallets were checked.
    pub wallets: usize,
}

/// Checks every `ethereum` wallet's balance at the configured block against the node at `url`,
/// and that the block's time is within [`MAX_BLOCK_SKEW`] of `snapshot_time`.
pub fn check_ethereum_balances(
    url: &str,
    block: u64,
    snapshot_time: i64,
    reserves: &CheckedReserves,
) -> Result<NodeCheck, BalanceError> {
    let node = EthNode::new(url);
    let id = node.chain_id()?;
    if id != MAINNET_CHAIN_ID {
        return Err(NodeError::WrongChain {
            url: url.to_string(),
            id,
        }
        .into());
    }
    let block_time = node.block_time(block)?;
    let skew = block_time - snapshot_time;
    if skew.abs() > MAX_BLOCK_SKEW {
        return Err(BalanceError::Rejected(format!(
            "ethereum block {block} is {} s {} snapshot.time: more than an hour",
            skew.abs(),
            if skew > 0 { "after" } else { "before" }
        )));
    }
    let mut wallets = 0;
    for w in reserves
        .wallets
        .iter()
        .filter(|w| w.entry.chain == "ethereum")
    {
        let crate::address::WalletAddress::Ethereum(address) = &w.address else {
            continue;
        };
        let on_node = match &w.location.token {
            None => Some(node.balance(address, block)?),
            Some(token) => node.token_balance(token, address, block)?,
        };
        let what = match &w.location.token {
            None => "native".to_string(),
            Some(token) => format!("token 0x{}", hex::encode(token)),
        };
        match on_node {
            Some(found) if found == w.on_chain => {}
            Some(found) => {
                return Err(BalanceError::Rejected(format!(
                    "wallet {} ({} on ethereum, {}): declares {} ({} base units, {what}) at block {block}, the node has {found}",
                    w.index + 1,
                    w.entry.asset,
                    w.entry.address,
                    w.entry.balance,
                    w.on_chain
                )))
            }
            None => {
                return Err(BalanceError::Rejected(format!(
                    "wallet {} ({} on ethereum, {}): {what} returns no balanceOf word at block {block}",
                    w.index + 1,
                    w.entry.asset,
                    w.entry.address
                )))
            }
        }
        wallets += 1;
    }
    Ok(NodeCheck {
        block_time,
        block,
        wallets,
    })
}
