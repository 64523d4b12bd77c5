//! Reserves evidence (SPEC §13): the reserves message a venue's wallets sign, the reserves file
//! (`R.json`, published as `public/reserves.json`), the offline checks of its ownership
//! signatures (EIP-191 `personal_sign`, BIP-322 simple, BIP-137) and of its sums against the
//! configuration, and the balance checks against an Ethereum node (JSON-RPC).
//!
//! Nothing here enters the verifier's WebAssembly build: the command line uses this crate beside
//! `marginproof-verifier`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod address;
pub mod check;
pub mod file;
pub mod message;
pub mod rpc;
pub mod sign;
pub mod signature;
pub mod synthetic;

pub use check::{check_reserves, CheckedReserves, CheckedWallet, ReservesError};
pub use file::{parse_reserves_file, ReservesFile, WalletEntry};
pub use message::reserves_message;
