//! `parse_accounts` (accounts.csv) of arbitrary bytes under the fixture's configuration
//! (1 asset, 1 market).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use marginproof_prover::input::parse_accounts;

fuzz_target!(|data: &[u8]| {
    let params = marginproof_fuzz::risk_params();
    if let Err(e) = parse_accounts(data, Path::new("fuzz.csv"), params) {
        let _ = e.to_string();
    }
});
