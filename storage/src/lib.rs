//! marginproof's storage: the file-system layer under the prover, the verifier's command-line
//! path and the command line itself. Nothing here checks what a file means; it only reads and
//! writes bytes safely.
//!
//! - [`atomic`]: the project's one way to write a file (a crash never leaves half a file).
//! - [`read`]: size-limited reads of untrusted files.
//! - [`framed`]: cache files framed with a magic, a digest and a checksum, loaded or created.
//! - [`keys`]: the verifying key cache (file names from the circuit's shape), and
//!   [`proving_keys`]: the proving key cache, which keeps only the most recently used keys.
//! - [`cache_dir`]: where the caches live, and the name of a cached IPA parameter file.
//!
//! The browser's verifier never links this crate (`marginproof-verifier` pulls it in only with
//! its default feature `fs`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod atomic;
pub mod cache_dir;
mod checksum;
mod error;
pub mod framed;
pub mod keys;
pub mod proving_keys;
pub mod read;

pub use atomic::{is_temp_name, write_atomic, write_atomic_with};
pub use error::StoreError;
pub use read::{read_limited, read_text};
