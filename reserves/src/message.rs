//! The reserves message (SPEC §13): what every wallet signs.

/// The reserves message of a snapshot: four lines joined by `\n`, no trailing newline, the root
/// exactly as the manifest writes it.
pub fn reserves_message(venue: &str, snapshot_id: &str, root: &str) -> String {
    format!("marginproof reserves v1\nvenue: {venue}\nsnapshot: {snapshot_id}\nroot: {root}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_lines_without_a_trailing_newline() {
        let m = reserves_message("Example Exchange", "2026-11-21T00:00Z", "0x0a");
        assert_eq!(
            m,
            "marginproof reserves v1\nvenue: Example Exchange\nsnapshot: 2026-11-21T00:00Z\nroot: 0x0a"
        );
        assert_eq!(m.lines().count(), 4);
        assert!(!m.ends_with('\n'));
    }
}
