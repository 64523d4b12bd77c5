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

/// Checks several snapshots of one account: `pairs` is a JSON array of `[proof, manifest]` text
/// pairs. Returns a JSON array, in snapshot order, of `{"snapshot", "pair", "verdict"}` where
/// `verdict` is what [`verify_inclusion`] returns for the pair. Input that is not such an array is
/// an empty history.
#[wasm_bindgen(js_name = verifyHistory)]
pub fn verify_history(pairs: &str) -> String {
    let pairs: Vec<(String, String)> = serde_json::from_str(pairs).unwrap_or_default();
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(p, m)| (p.as_str(), m.as_str()))
        .collect();
    let entries = marginproof_verifier::history::history_verdicts(&borrowed);
    serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::{verify_history, verify_inclusion};

    #[test]
    fn a_history_of_malformed_pairs_is_refused_pair_by_pair() {
        let history: serde_json::Value = serde_json::from_str(&verify_history(
            r#"[["{}", "{}"], ["{\"snapshot_id\": \"a\"}", "null"]]"#,
        ))
        .expect("JSON");
        let entries = history.as_array().expect("an array");
        assert_eq!(entries.len(), 2);
        // The pair naming a snapshot comes first; each is refused on its own.
        assert_eq!(entries[0]["snapshot"], "a");
        assert_eq!(entries[0]["pair"], 1);
        assert!(entries.iter().all(|e| e["verdict"]["valid"] == false));
        assert_eq!(verify_history("not json"), "[]");
    }

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
