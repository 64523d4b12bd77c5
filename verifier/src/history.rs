//! A user's account over several snapshots (issue 32): each pair of an inclusion proof and its
//! manifest checked on its own, then put in time order.
//!
//! The order is by snapshot: SPEC §13's `[snapshot] time` is not in the configuration type yet, so
//! pairs are ordered by snapshot id (the manifest's, else the one the proof names), and pairs
//! naming none come last; equal keys keep the order given. When the configuration gains its time,
//! [`snapshot_key`] is the one place to order by it first.

use marginproof_circuits::statement::Manifest;
use serde::Serialize;
use serde_json::Value;

use crate::inclusion::inclusion_verdict;
use crate::manifest::parse_manifest;

/// What orders a pair in a history: its snapshot id, where the files name one.
pub fn snapshot_key(proof_json: &str, manifest: Option<&Manifest>) -> Option<String> {
    manifest
        .map(|m| m.config.snapshot.id.clone())
        .or_else(|| proof_snapshot(proof_json))
}

/// The snapshot id an inclusion proof names, if it is JSON with one.
fn proof_snapshot(proof_json: &str) -> Option<String> {
    let value: Value = serde_json::from_str(proof_json).ok()?;
    value.get("snapshot_id")?.as_str().map(str::to_string)
}

/// The positions of `keys` in history order: by key, pairs with no key last, ties as given.
pub fn history_order(keys: &[Option<String>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        let rank = |i: usize| (keys[i].is_none(), keys[i].clone());
        rank(a).cmp(&rank(b))
    });
    order
}

/// One snapshot of a history: `verify-inclusion --json`'s document for one pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The snapshot id, where the files name one.
    pub snapshot: Option<String>,
    /// Which pair of the input this is (0-based).
    pub pair: usize,
    /// The document `verify-inclusion --json` prints for the pair (`{"valid": false, "reason":
    /// …}` when refused).
    pub verdict: Value,
}

/// Checks each `(proof, manifest)` pair, given as text, on its own, and returns their documents
/// in history order ([`history_order`]). A refused pair is one entry like any other.
pub fn history_verdicts(pairs: &[(&str, &str)]) -> Vec<HistoryEntry> {
    let keys: Vec<Option<String>> = pairs
        .iter()
        .map(|(proof, manifest)| snapshot_key(proof, parse_manifest(manifest).ok().as_ref()))
        .collect();
    history_order(&keys)
        .into_iter()
        .map(|i| HistoryEntry {
            snapshot: keys[i].clone(),
            pair: i,
            verdict: inclusion_verdict(pairs[i].0, pairs[i].1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_ordered_by_snapshot_unnamed_last_ties_as_given() {
        let keys = [
            Some("2026-12".to_string()),
            None,
            Some("2026-10".to_string()),
            Some("2026-12".to_string()),
            Some("2026-11".to_string()),
        ];
        assert_eq!(history_order(&keys), [2, 4, 0, 3, 1]);
    }

    #[test]
    fn the_proof_names_the_snapshot_when_the_manifest_cannot() {
        assert_eq!(
            snapshot_key(r#"{"snapshot_id": "s-1", "units": []}"#, None).as_deref(),
            Some("s-1")
        );
        assert_eq!(snapshot_key("not json", None), None);
        assert_eq!(snapshot_key(r#"{"snapshot_id": 7}"#, None), None);
    }
}
