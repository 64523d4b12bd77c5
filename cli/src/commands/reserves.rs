//! Reserves evidence (SPEC §13): `reserves-message`, `attach-reserves`, the tester's
//! `sign-reserves`, and the checks of `public/reserves.json` that `verify` and `report` run.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use marginproof_circuits::config::RiskParams;
use marginproof_circuits::decimal::format_decimal;
use marginproof_circuits::statement::Manifest;
use marginproof_reserves::rpc::{check_ethereum_balances, BalanceError, NodeCheck};
use marginproof_reserves::sign::KeyFile;
use marginproof_reserves::{
    check_reserves, parse_reserves_file, reserves_message, CheckedReserves,
};
use marginproof_storage::{read_text, StoreError};
use marginproof_verifier::bundle::VerifiedBundle;
use marginproof_verifier::files::read_manifest;
use serde_json::{json, Value};

use crate::outcome::{finish, store_outcome, OrExit, Outcome};
use crate::write::write_atomically;

/// The published reserves file's name in `public/`.
pub const RESERVES_FILE: &str = "reserves.json";
/// Most bytes a reserves file may have.
pub const MAX_RESERVES_BYTES: u64 = 64 << 20;

/// Arguments of `reserves-message`.
#[derive(clap::Args)]
pub struct MessageArgs {
    /// The bundle's `public/` directory.
    public: PathBuf,
    /// Write the message to this file instead of standard output (no trailing newline either way).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Arguments of `attach-reserves`.
#[derive(clap::Args)]
pub struct AttachArgs {
    /// The bundle directory (its `public/` gets `reserves.json`).
    bundle: PathBuf,
    /// The reserves file to check and attach.
    #[arg(long, value_name = "R.json")]
    reserves: PathBuf,
}

/// Arguments of `sign-reserves`.
#[derive(clap::Args)]
pub struct SignArgs {
    /// The bundle's `public/` directory.
    public: PathBuf,
    /// The test wallets' key file written by `generate` (`reserve-keys.json`).
    #[arg(long)]
    keys: PathBuf,
    /// The reserves file to write.
    #[arg(long)]
    out: PathBuf,
}

/// The validated configuration and the root text of a bundle's manifest.
fn manifest_statement(public: &Path) -> Result<(RiskParams, String), Outcome> {
    let manifest: Manifest = read_manifest(&public.join("manifest.json")).map_err(store_outcome)?;
    let params = RiskParams::from_file(&manifest.config)
        .map_err(|e| Outcome::Rejected(anyhow!("manifest configuration: {e}")))?;
    Ok((params, manifest.root))
}

/// The reserves message of the bundle at `public`.
pub fn message_of(public: &Path) -> Result<String, Outcome> {
    let (params, root) = manifest_statement(public)?;
    Ok(reserves_message(&params.venue, &params.snapshot_id, &root))
}

/// Runs `reserves-message`.
pub fn message(args: MessageArgs) -> Outcome {
    finish((|| {
        let text = message_of(&args.public)?;
        match &args.out {
            Some(path) => write_atomically(path, &text).unusable()?,
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())
                    .and_then(|()| out.flush())
                    .unusable()?;
            }
        }
        Ok(())
    })())
}

/// A reserves or key file's text, at most [`MAX_RESERVES_BYTES`].
fn read_limited(path: &Path) -> Result<String, StoreError> {
    read_text(path, MAX_RESERVES_BYTES as usize)
}

/// Runs `attach-reserves`: every refusal is exit 2 and writes nothing.
pub fn attach(args: AttachArgs) -> Outcome {
    finish((|| {
        let public = args.bundle.join("public");
        let (params, root) = manifest_statement(&public).map_err(|o| match o {
            Outcome::Rejected(e) => Outcome::Unusable(e),
            other => other,
        })?;
        let text = read_limited(&args.reserves).unusable()?;
        let file = parse_reserves_file(&text)
            .map_err(|e| anyhow!("{}: {e}", args.reserves.display()))
            .unusable()?;
        let checked = check_reserves(&params, &root, &file)
            .map_err(|e| anyhow!("{}: {e}", args.reserves.display()))
            .unusable()?;
        let target = public.join(RESERVES_FILE);
        write_atomically(&target, &file.to_json()).unusable()?;
        eprintln!(
            "reserves: {} wallets, every signature verified and every asset's sum equal to its configured reserve; wrote {}",
            checked.wallets.len(),
            target.display()
        );
        Ok(())
    })())
}

/// Runs `sign-reserves` (tester): signs the bundle's reserves message with test keys.
pub fn sign(args: SignArgs) -> Outcome {
    finish((|| {
        let message = message_of(&args.public)?;
        let keys = KeyFile::parse(&read_limited(&args.keys).unusable()?)
            .map_err(|e| anyhow!("{}: {e}", args.keys.display()))
            .unusable()?;
        let file = keys.sign(&message).unusable()?;
        write_atomically(&args.out, &file.to_json()).unusable()?;
        eprintln!(
            "signed the reserves message with {} test wallets; wrote {}",
            file.wallets.len(),
            args.out.display()
        );
        Ok(())
    })())
}

/// What `verify` and `report` found about a bundle's reserves.
pub enum Evidence {
    /// No `public/reserves.json`: the reserves are declared only.
    Absent,
    /// `public/reserves.json` passed the offline checks (and the node's, where asked).
    Checked {
        /// The wallets.
        reserves: CheckedReserves,
        /// The node's confirmation of every `ethereum` wallet, with `--eth-rpc`.
        node: Option<NodeCheck>,
    },
}

/// Checks `public/reserves.json` against a verified bundle: absent is fine; present and wrong
/// is a rejection (exit 1); with `eth_rpc`, every `ethereum` balance is checked at the node
/// (an unusable node is exit 2, a difference exit 1).
pub fn check_evidence(
    public: &Path,
    verified: &VerifiedBundle,
    eth_rpc: Option<&str>,
) -> Result<Evidence, Outcome> {
    let path = public.join(RESERVES_FILE);
    if !path.exists() {
        return Ok(Evidence::Absent);
    }
    let text = read_limited(&path).rejected()?;
    let file = parse_reserves_file(&text)
        .map_err(|e| anyhow!("{}: {e}", path.display()))
        .rejected()?;
    let (_, root) = manifest_statement(public)?;
    let params = &verified.params;
    let reserves = check_reserves(params, &root, &file)
        .map_err(|e| anyhow!("{}: {e}", path.display()))
        .rejected()?;
    let node = match eth_rpc {
        None => None,
        Some(url) if reserves.wallets.iter().any(|w| w.entry.chain == "ethereum") => {
            let block = params.reserve_chains.get("ethereum").copied();
            let (Some(block), Some(time)) = (block, params.snapshot_time) else {
                return Err(Outcome::Rejected(anyhow!(
                    "ethereum wallets without an ethereum block or snapshot.time"
                )));
            };
            Some(
                check_ethereum_balances(url, block, time, &reserves).map_err(|e| match e {
                    BalanceError::Node(e) => Outcome::Unusable(e.into()),
                    BalanceError::Rejected(m) => {
                        Outcome::Rejected(anyhow!("{}: {m}", path.display()))
                    }
                })?,
            )
        }
        Some(_) => None,
    };
    Ok(Evidence::Checked { reserves, node })
}

/// One asset's evidence, for the reports.
pub struct AssetEvidence {
    /// Configuration index.
    pub asset: usize,
    /// Wallets of the asset.
    pub wallets: usize,
    /// Their sum (the configured reserve), in the asset's units.
    pub balance: String,
    /// Whether every wallet's balance was confirmed by a node.
    pub node_verified: bool,
}

impl Evidence {
    /// Per asset with wallets, in configuration order.
    pub fn per_asset(&self, params: &RiskParams) -> Vec<AssetEvidence> {
        let Evidence::Checked { reserves, node } = self else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (a, asset) in params.assets.iter().enumerate() {
            let wallets: Vec<_> = reserves.of_asset(a).collect();
            if wallets.is_empty() {
                continue;
            }
            let node_verified =
                node.is_some() && wallets.iter().all(|w| w.entry.chain == "ethereum");
            let balance = params.reserves[a]
                .as_ref()
                .map(|r| format_decimal(r, asset.decimals))
                .unwrap_or_default();
            out.push(AssetEvidence {
                asset: a,
                wallets: wallets.len(),
                balance,
                node_verified,
            });
        }
        out
    }

    /// `verify --json`'s `reserves` (SPEC §13): `null` without evidence, else per asset.
    pub fn to_json(&self, params: &RiskParams) -> Value {
        if let Evidence::Absent = self {
            return Value::Null;
        }
        let mut map = serde_json::Map::new();
        for a in self.per_asset(params) {
            map.insert(
                params.assets[a.asset].symbol.clone(),
                json!({
                    "wallets": a.wallets,
                    "balance": a.balance,
                    "signatures": "verified",
                    "balances": if a.node_verified { "verified" } else { "declared" },
                }),
            );
        }
        Value::Object(map)
    }

    /// How a wallet's balance stands: verified at the node, or declared at the chain's block.
    pub fn balance_status(&self, params: &RiskParams, chain: &str) -> String {
        let block = params
            .reserve_chains
            .get(chain)
            .map_or_else(|| "?".to_string(), u64::to_string);
        match self {
            Evidence::Checked { node: Some(n), .. } if chain == "ethereum" => {
                format!("verified against a node at block {}", n.block)
            }
            _ => format!("declared at block {block}"),
        }
    }

    /// The text report's lines.
    pub fn text(&self, params: &RiskParams) -> String {
        let mut out = String::from("\nreserves evidence (SPEC §13)\n");
        match self {
            Evidence::Absent => out.push_str(
                "  no reserves.json: the reserves above are declared only (no wallet, no signature, no balance check)\n",
            ),
            Evidence::Checked { reserves, node } => {
                for a in self.per_asset(params) {
                    let asset = &params.assets[a.asset];
                    out.push_str(&format!(
                        "  {}: {} wallets, {} in all (= the configured reserve), signatures verified, balances {}\n",
                        asset.symbol,
                        a.wallets,
                        a.balance,
                        if a.node_verified { "verified against a node" } else { "declared" }
                    ));
                    for w in reserves.of_asset(a.asset) {
                        out.push_str(&format!(
                            "    {} {} {}: {}\n",
                            w.entry.chain,
                            w.address.canonical(),
                            w.entry.balance,
                            self.balance_status(params, &w.entry.chain)
                        ));
                    }
                }
                if let Some(n) = node {
                    out.push_str(&format!(
                        "  ethereum node: {} wallets confirmed at block {} (block time {} s from snapshot.time)\n",
                        n.wallets,
                        n.block,
                        n.block_time - params.snapshot_time.unwrap_or(n.block_time)
                    ));
                }
            }
        }
        out
    }
}
