//! The user's check end to end: the input is two length-prefixed parts (see
//! `marginproof_fuzz::split`), a manifest and an inclusion proof; `parse_manifest`, then
//! `verify_inclusion`, then the report as JSON, as the CLI and the page print it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginproof_verifier::inclusion::verify_inclusion;
use marginproof_verifier::manifest::parse_manifest;

fuzz_target!(|data: &[u8]| {
    let parts = marginproof_fuzz::split(data, 2);
    let (Some(manifest), Some(proof)) = (parts.first(), parts.get(1)) else {
        return;
    };
    let (Ok(manifest), Ok(proof)) = (std::str::from_utf8(manifest), std::str::from_utf8(proof))
    else {
        return;
    };
    let Ok(manifest) = parse_manifest(manifest) else {
        return;
    };
    if let Ok(report) = verify_inclusion(proof, &manifest) {
        let _ = report.to_json(true);
    }
});
