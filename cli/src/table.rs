//! The command line's one table printer: columns sized to their widest cell, plain (two spaces
//! apart, indented) or boxed.

/// How a column aligns its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

fn widths(rows: &[Vec<String>]) -> Vec<usize> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn pad(cell: &str, width: usize, align: Align) -> String {
    match align {
        Align::Left => format!("{cell:<width$}"),
        Align::Right => format!("{cell:>width$}"),
    }
}

/// `rows` in columns two spaces apart, each line indented by two; column `i` aligned as
/// `aligns[i]`, right when not given; no trailing spaces.
pub fn table(rows: &[Vec<String>], aligns: &[Align]) -> String {
    let widths = widths(rows);
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| pad(cell, w, aligns.get(c).copied().unwrap_or(Align::Right)))
            .collect();
        let line = format!("  {}", cells.join("  "));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `rows` in a box: `| a | b |` lines between `+---+---+` rules, aligned as in [`table`].
pub fn boxed(rows: &[Vec<String>], aligns: &[Align]) -> String {
    let widths = widths(rows);
    let rule = format!(
        "+{}+\n",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let mut out = rule.clone();
    for row in rows {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, &w)| {
                let cell = row.get(c).map(String::as_str).unwrap_or("");
                pad(cell, w, aligns.get(c).copied().unwrap_or(Align::Right))
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push_str(&rule);
    out
}

/// `(label, value)` pairs as owned rows.
pub fn pairs(rows: &[(&str, String)]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|(label, value)| vec![label.to_string(), value.clone()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned() {
        let rows = vec![
            vec!["asset".to_string(), "balance".to_string()],
            vec!["BTC".to_string(), "1.5".to_string()],
        ];
        assert_eq!(
            table(&rows, &[Align::Left]),
            "  asset  balance\n  BTC        1.5\n"
        );
        assert_eq!(
            boxed(&rows, &[Align::Left]),
            "+-------+---------+\n| asset | balance |\n| BTC   |     1.5 |\n+-------+---------+\n"
        );
    }
}
