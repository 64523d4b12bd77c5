//! A dishonest prover for attack tests, compiled only with the `test-support` feature (never in a
//! default build: `cargo build -p marginproof-cli --features test-support`). Without the feature
//! every switch here is off, whatever the environment says.
//!
//! - `MARGINPROOF_TEST_ALLOW_DUPLICATES=1`: the loader accepts an account id (and margin unit)
//!   twice, and the prover proves every copy (its leaf, its terms in every total).
//! - `MARGINPROOF_TEST_REPEAT_BATCH=1`: the first batch is proven and listed a second time (the
//!   same accounts, salts and leaves), as a venue re-proving a batch to count it twice would.
//! - `MARGINPROOF_TEST_DISTINCT_LIST=repeat|drop|replace`: what the dishonest prover publishes as
//!   the distinct-key list when keys repeat: every key, repeats included (`repeat`, the default),
//!   each repeated key once (`drop`), or each repeat replaced by a fresh key so that the list is
//!   strictly increasing and as long as the accounts counted (`replace`).

use marginproof_circuits::field::Fp;
use marginproof_circuits::model::distinct::{encode, key_order};

/// The environment variable that lets the loader accept a duplicate.
pub const ALLOW_DUPLICATES: &str = "MARGINPROOF_TEST_ALLOW_DUPLICATES";
/// The environment variable that repeats the first batch.
pub const REPEAT_BATCH: &str = "MARGINPROOF_TEST_REPEAT_BATCH";
/// The environment variable that chooses the published list.
pub const DISTINCT_LIST: &str = "MARGINPROOF_TEST_DISTINCT_LIST";

fn switch(name: &str) -> Option<String> {
    if cfg!(feature = "test-support") {
        std::env::var(name).ok()
    } else {
        None
    }
}

/// Whether the loader accepts duplicates ([`ALLOW_DUPLICATES`]` = 1`, with the feature only).
pub fn allow_duplicates() -> bool {
    switch(ALLOW_DUPLICATES).is_some_and(|v| v == "1")
}

/// Whether the first batch is repeated ([`REPEAT_BATCH`]` = 1`, with the feature only).
pub fn repeat_batch() -> bool {
    switch(REPEAT_BATCH).is_some_and(|v| v == "1")
}

/// Whether any dishonest switch is on: the prover then publishes a list of repeated keys as
/// [`dishonest_list`] says instead of refusing it.
pub fn dishonest() -> bool {
    allow_duplicates() || repeat_batch()
}

/// The list a dishonest prover publishes for `keys`, which repeat (see the module doc).
pub fn dishonest_list(mut keys: Vec<Fp>) -> Vec<u8> {
    keys.sort_unstable_by(key_order);
    match switch(DISTINCT_LIST).as_deref() {
        Some("drop") => {
            keys.dedup();
            encode(keys)
        }
        Some("replace") => {
            let mut fresh = Fp::from(0xF4E5_0000u64);
            for i in 1..keys.len() {
                if keys[i] == keys[i - 1] {
                    fresh += Fp::one();
                    keys[i] = fresh.square().square();
                }
            }
            keys.sort_unstable_by(key_order);
            encode(keys)
        }
        _ => encode(keys),
    }
}
