//! `verify_inclusion` of arbitrary text against the fixture's real manifest; a proof that
//! verifies is also rendered as the JSON the CLI and the page print.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginproof_verifier::inclusion::verify_inclusion;

fuzz_target!(|data: &[u8]| {
    let manifest = marginproof_fuzz::manifest();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(report) = verify_inclusion(text, manifest) {
        let _ = report.to_json(true);
    }
});
