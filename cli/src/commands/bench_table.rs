//! The figures `bench` measured, as one table or one JSON object.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::table::{boxed, pairs, Align};

/// Wall time of each stage of the run.
pub struct Stages {
    /// Reading and validating the venue files.
    pub load: Duration,
    /// Keyed shuffle and salts.
    pub layout: Duration,
    /// Holdings, keys, leaves, batch roots and the snapshot root.
    pub tree: Duration,
    /// Valuations, running totals, totals commitments and circuit witnesses.
    pub witness: Duration,
    /// IPA parameters as `prove` read them (warmed before: a cache read).
    pub params: Duration,
    /// Verifying and proving keys.
    pub keygen: Duration,
    /// Batch proofs.
    pub prove: Duration,
    /// Private files and manifest.
    pub write: Duration,
    /// The auditor reading the manifest.
    pub verify_read: Duration,
    /// The auditor's circuit layout and parameters.
    pub verify_params: Duration,
    /// The auditor's key derivation and proof checks (batched).
    pub verify: Duration,
}

/// One size class of the proven snapshot.
pub struct ClassFigures {
    /// Asset slots per account.
    pub asset_slots: usize,
    /// Position slots per account.
    pub position_slots: usize,
    /// Accounts per proof.
    pub batch_size: usize,
    /// Circuit size.
    pub k: u32,
    /// Rows one batch circuit of the class uses.
    pub rows_used: usize,
    /// Accounts in the class.
    pub accounts: usize,
    /// Its batch proofs.
    pub batches: usize,
    /// Whether it is a portfolio-margin class (SPEC §12).
    pub portfolio: bool,
}

impl ClassFigures {
    fn rows_per_account(&self) -> f64 {
        self.rows_used as f64 / self.batch_size.max(1) as f64
    }
}

/// What `bench` measured.
pub struct Figures {
    /// Accounts proven.
    pub accounts: usize,
    /// Assets of the venue.
    pub assets: usize,
    /// Perpetual markets of the venue.
    pub markets: usize,
    /// Long-tail whales asked for (`--whales`, ppm of the accounts).
    pub whales_ppm: u32,
    /// Stress scenarios proven (`--scenarios`).
    pub scenarios: usize,
    /// Whether the margin distribution was proven (`--distribution`).
    pub distribution: bool,
    /// Portfolio-margin units proven (`--portfolio`).
    pub portfolio_units: usize,
    /// Shocks of the portfolio-margin grid (`--shocks`), 0 without one.
    pub shocks: usize,
    /// The size classes.
    pub classes: Vec<ClassFigures>,
    /// Batch proofs.
    pub batches: usize,
    /// CPU time (user + system, all threads) of the prove stage; `None` if unavailable.
    pub prove_cpu: Option<Duration>,
    /// Wall time of the prove stage.
    pub prove_wall: Duration,
    /// Wall time of the auditor's whole verification (batched proof checks).
    pub verify: Duration,
    /// The same with the proofs checked one by one.
    pub verify_one_by_one: Duration,
    /// Batch proofs the auditor verified.
    pub verified_batches: usize,
    /// From starting `marginproof verify-inclusion` to its verdict.
    pub inclusion_check: Duration,
    /// Bytes of all batch proofs.
    pub proof_bytes: usize,
    /// Peak resident set of this process, KiB.
    pub peak_rss_kib: Option<u64>,
    /// Peak resident set of the inclusion check process, KiB.
    pub inclusion_peak_rss_kib: Option<u64>,
    /// Time to warm the parameter cache (not part of any other figure).
    pub params_warm: Duration,
    /// Whether warming generated the parameters (else they were cached).
    pub params_generated: bool,
    /// Stage timings.
    pub stages: Stages,
    /// Where the venue and bundle were kept (`--keep`).
    pub kept: Option<PathBuf>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Rounded to 6 significant decimals for JSON (no binary noise like 0.30000000000000004).
fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(5 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

impl Figures {
    fn per_account(&self, x: f64) -> f64 {
        x / self.accounts.max(1) as f64
    }

    fn prove_cpu_s(&self) -> Option<f64> {
        self.prove_cpu.map(|d| d.as_secs_f64())
    }

    /// The figures as one JSON object.
    pub fn to_json(&self) -> Value {
        let s = &self.stages;
        json!({
            "accounts": self.accounts,
            "assets": self.assets,
            "markets": self.markets,
            "whales": round(f64::from(self.whales_ppm) / 1e6),
            "scenarios": self.scenarios,
            "distribution": self.distribution,
            "portfolio_units": self.portfolio_units,
            "shocks": self.shocks,
            "classes": self.classes.iter().map(|c| json!({
                "portfolio": c.portfolio,
                "asset_slots": c.asset_slots,
                "position_slots": c.position_slots,
                "batch_size": c.batch_size,
                "k": c.k,
                "rows_used": c.rows_used,
                "rows_per_account": round(c.rows_per_account()),
                "accounts": c.accounts,
                "batches": c.batches,
            })).collect::<Vec<_>>(),
            "batches": self.batches,
            "prove_cpu_s": self.prove_cpu_s().map(round),
            "prove_cpu_s_per_account": self.prove_cpu_s().map(|x| round(self.per_account(x))),
            "prove_wall_s": round(self.prove_wall.as_secs_f64()),
            "verify_ms": round(ms(self.verify)),
            "verify_ms_per_account": round(self.per_account(ms(self.verify))),
            "verify_one_by_one_ms": round(ms(self.verify_one_by_one)),
            "verified_batches": self.verified_batches,
            "inclusion_check_ms": round(ms(self.inclusion_check)),
            "proof_bytes": self.proof_bytes,
            "proof_bytes_per_account": round(self.per_account(self.proof_bytes as f64)),
            "peak_rss_kib": self.peak_rss_kib,
            "inclusion_peak_rss_kib": self.inclusion_peak_rss_kib,
            "params_warm_s": round(self.params_warm.as_secs_f64()),
            "params_generated": self.params_generated,
            "stages_s": {
                "load": round(s.load.as_secs_f64()),
                "layout": round(s.layout.as_secs_f64()),
                "tree": round(s.tree.as_secs_f64()),
                "witness": round(s.witness.as_secs_f64()),
                "params": round(s.params.as_secs_f64()),
                "keygen": round(s.keygen.as_secs_f64()),
                "prove": round(s.prove.as_secs_f64()),
                "write": round(s.write.as_secs_f64()),
                "verify_read": round(s.verify_read.as_secs_f64()),
                "verify_layout_params": round(s.verify_params.as_secs_f64()),
                "verify": round(s.verify.as_secs_f64()),
            },
            "kept": self.kept.as_ref().map(|p| p.display().to_string()),
        })
    }

    /// The figures as one text table.
    pub fn to_table(&self) -> String {
        let s = &self.stages;
        let secs = |d: Duration| format!("{:.3} s", d.as_secs_f64());
        let kib = |v: Option<u64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v} KiB"));
        let cpu = |f: &dyn Fn(f64) -> String| self.prove_cpu_s().map_or_else(|| "n/a".into(), f);
        let class_rows: Vec<(String, String)> = self
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    format!(
                        "class {i}: {}×{}{} slots",
                        c.asset_slots,
                        c.position_slots,
                        if c.portfolio { " portfolio" } else { "" }
                    ),
                    format!(
                        "{} accounts, {} × {} per proof, k = {}, {:.1} rows/account",
                        c.accounts,
                        c.batches,
                        c.batch_size,
                        c.k,
                        c.rows_per_account()
                    ),
                )
            })
            .collect();
        let mut rows: Vec<(&str, String)> = vec![
            ("accounts", self.accounts.to_string()),
            ("assets", self.assets.to_string()),
            ("markets", self.markets.to_string()),
            (
                "whales (--whales)",
                format!("{}", f64::from(self.whales_ppm) / 1e6),
            ),
            ("stress scenarios (--scenarios)", self.scenarios.to_string()),
            (
                "margin distribution (--distribution)",
                if self.distribution { "yes" } else { "no" }.to_string(),
            ),
            (
                "portfolio-margin units (--portfolio)",
                format!("{}, {} shocks", self.portfolio_units, self.shocks),
            ),
            ("batches", self.batches.to_string()),
        ];
        rows.extend(class_rows.iter().map(|(a, b)| (a.as_str(), b.clone())));
        rows.extend(vec![
            (
                "prove CPU per account",
                cpu(&|x| format!("{:.4} core·s", self.per_account(x))),
            ),
            ("prove CPU total", cpu(&|x| format!("{x:.3} core·s"))),
            ("prove wall", secs(self.prove_wall)),
            (
                "auditor verify per account",
                format!("{:.3} ms", self.per_account(ms(self.verify))),
            ),
            (
                "auditor verify total (batched)",
                format!("{:.1} ms", ms(self.verify)),
            ),
            (
                "auditor verify total (one by one)",
                format!("{:.1} ms", ms(self.verify_one_by_one)),
            ),
            (
                "inclusion check (process)",
                format!("{:.1} ms", ms(self.inclusion_check)),
            ),
            (
                "proof bytes per account",
                format!(
                    "{:.1} ({} total)",
                    self.per_account(self.proof_bytes as f64),
                    self.proof_bytes
                ),
            ),
            ("peak RSS (bench process)", kib(self.peak_rss_kib)),
            (
                "peak RSS (inclusion check)",
                kib(self.inclusion_peak_rss_kib),
            ),
            (
                "params warm-up (excluded)",
                format!(
                    "{} ({})",
                    secs(self.params_warm),
                    if self.params_generated {
                        "generated"
                    } else {
                        "cached"
                    }
                ),
            ),
            ("stage: load + validate", secs(s.load)),
            ("stage: shuffle + salts", secs(s.layout)),
            ("stage: tree (leaves, roots)", secs(s.tree)),
            ("stage: witness", secs(s.witness)),
            ("stage: params", secs(s.params)),
            ("stage: keygen", secs(s.keygen)),
            ("stage: prove", secs(s.prove)),
            ("stage: write bundle", secs(s.write)),
            ("stage: verify read manifest", secs(s.verify_read)),
            ("stage: verify layout + params", secs(s.verify_params)),
            ("stage: verify keygen + proofs", secs(s.verify)),
        ]);
        let mut out = boxed(&pairs(&rows), &[Align::Left, Align::Right]);
        if let Some(dir) = &self.kept {
            let _ = writeln!(out, "venue and bundle kept in {}", dir.display());
        }
        out
    }
}
