//! The user's page (SPEC §11): the `verifier` crate's inclusion check, compiled to WebAssembly
//! and called by `index.html`, so the page and `verify-inclusion` cannot disagree.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::wasm_bindgen;

/// Checks an inclusion proof against a manifest, both as text, and returns the JSON document
/// `verify-inclusion --json` prints (`{"valid": false, "reason": …}` on rejection), pretty-printed.
/// Never panics: every malformed input is a rejection.
#[wasm_bindgen(js_name = verifyInclusion)]
pub fn verify_inclusion(proof: &str, manifest: &str) -> String {
    let verdict = marginproof_verifier::inclusion::inclusion_verdict(proof, manifest);
    serde_json::to_string_pretty(&verdict).unwrap_or_else(|_| {
        r#"{"valid": false, "reason": "the report could not be written"}"#.into()
    })
}

#[cfg(test)]
mod tests {
    use super::verify_inclusion;

    #[test]
    fn malformed_input_is_a_rejection_not_a_panic() {
        for (proof, manifest) in [("", ""), ("{}", "{}"), ("[", "null"), ("\u{0}", "\"x\"")] {
            let verdict: serde_json::Value =
                serde_json::from_str(&verify_inclusion(proof, manifest)).expect("JSON");
            assert_eq!(verdict["valid"], false, "{proof} {manifest}");
            assert!(verdict["reason"].is_string());
        }
    }
}
