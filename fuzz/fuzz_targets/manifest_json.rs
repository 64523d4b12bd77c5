//! `parse_manifest` on arbitrary text; on success the configuration and totals checks of the bundle
//! check, and `bundle_shape` when the manifest describes a small circuit (see the README: the
//! circuit layout that `bundle_shape` runs is bounded by MAX_K, not by the input size).
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginproof_circuits::RiskParams;
use marginproof_verifier::bundle::bundle_shape;
use marginproof_verifier::manifest::parse_manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(manifest) = parse_manifest(text) else {
        return;
    };
    let Ok(params) = RiskParams::from_file(&manifest.config) else {
        return;
    };
    let _ = params.digest();
    let _ = manifest.totals.to_totals(&params);
    if params.assets.len() + params.markets.len() <= 8
        && manifest.classes.iter().all(|c| c.batch_size <= 64)
    {
        let _ = bundle_shape(&manifest);
    }
});
