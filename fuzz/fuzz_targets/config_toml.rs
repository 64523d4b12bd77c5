//! `parse_config` (venue.toml: TOML, then validation with file/line/column errors).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use marginproof_prover::input::parse_config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(params) = parse_config(text, Path::new("fuzz.toml")) {
        let _ = params.digest();
    }
});
