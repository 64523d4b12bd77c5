//! The reserves file (SPEC §13) from arbitrary text: the strict reader, then every offline check
//! against a real bundle's configuration and root (`seeds/reserves/manifest.json`, whose
//! reserves `seeds/reserves_json/signed.json` signs): addresses, balances, signatures, sums.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use marginproof_circuits::statement::Manifest;
use marginproof_circuits::RiskParams;
use marginproof_reserves::{check_reserves, parse_reserves_file};

fn fixture() -> &'static (RiskParams, String) {
    static F: OnceLock<(RiskParams, String)> = OnceLock::new();
    F.get_or_init(|| {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("seeds/reserves/manifest.json");
        let text = std::fs::read_to_string(&path).expect("fixture manifest");
        let manifest: Manifest =
            marginproof_verifier::manifest::parse_manifest(&text).expect("fixture manifest parses");
        let params = RiskParams::from_file(&manifest.config).expect("fixture configuration");
        (params, manifest.root)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (params, root) = fixture();
    if let Ok(file) = parse_reserves_file(text) {
        if let Ok(checked) = check_reserves(params, root, &file) {
            // Whatever passes must be what the file says, each address once.
            assert_eq!(checked.wallets.len(), file.wallets.len());
            let _ = file.to_json();
        }
    }
});
