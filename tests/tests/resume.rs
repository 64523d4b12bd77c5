//! Crash safety of `prove`: a run killed with SIGKILL leaves only whole proof files and no
//! manifest; running the same command again resumes it, keeps every proof that verifies, proves the
//! rest, and ends with the bundle an uninterrupted run makes (same root and totals). A resumed run
//! refuses other inputs, a complete bundle, and a directory that is not a job.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use common::{
    assert_exit, assert_valid, bin, copy_dir, files_under, generate_venue, proof_path, prove_args,
    read_json, run_args, secret_file, tempdir, to_hex, verify_public_json, Run,
};

/// What is in `public/batches/` of `bundle`: whole proof files (`batch-NNNNNN.proof`) and
/// anything else (temporary files of an interrupted write).
fn batch_files(bundle: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let dir = bundle.join("public").join("batches");
    let Ok(entries) = fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut proofs = Vec::new();
    let mut other = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_proof = name.len() == "batch-000000.proof".len()
            && name.starts_with("batch-")
            && name.ends_with(".proof");
        if is_proof {
            proofs.push(entry.path());
        } else {
            other.push(entry.path());
        }
    }
    proofs.sort();
    other.sort();
    (proofs, other)
}

fn manifest(bundle: &Path) -> PathBuf {
    bundle.join("public").join("manifest.json")
}

/// The verify report of a bundle, which must be valid.
fn verified(bundle: &Path) -> Value {
    let run = verify_public_json(&bundle.join("public"));
    assert_valid(&run);
    run.json()
}

/// Asserts that a resumed run exited 0 and kept `kept` of `batches` proofs.
fn assert_resumed(run: &Run, kept: usize, batches: usize) {
    assert_valid(run);
    let line = format!("resumed: kept {kept} of {batches} batch proofs");
    assert!(run.stdout.contains(&line), "no `{line}`:\n{run:#?}");
}

/// Starts `prove` and kills it (SIGKILL) once at least one proof file is written and before the
/// manifest is; `None` if it finished first.
fn prove_and_kill(args: &[std::ffi::OsString], out: &Path) -> Option<()> {
    let mut child = Command::new(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start marginproof prove");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            assert!(status.success(), "prove failed: {status}");
            return None;
        }
        let (proofs, _) = batch_files(out);
        if !proofs.is_empty() && !manifest(out).exists() {
            // `kill` is SIGKILL on Unix: no handler runs, nothing is cleaned up.
            child.kill().expect("kill prove");
            child.wait().expect("reap prove");
            return (!manifest(out).exists()).then_some(());
        }
        assert!(Instant::now() < deadline, "prove wrote no proof in time");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn killed_prove_resumes_to_the_bundle_of_an_uninterrupted_run() {
    let dir = tempdir();
    let secret = dir.path().join("venue.secret");
    let bytes: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(91).wrapping_add(5))
        .collect();
    fs::write(&secret, &bytes).expect("write the secret");
    // If the run finishes before it can be killed, try again with more accounts.
    for accounts in [16, 48, 128] {
        let (config, csv) =
            generate_venue(&dir.path().join(format!("venue-{accounts}")), accounts, 11);
        let a = dir.path().join(format!("A-{accounts}"));
        let args = prove_args(&config, &csv, &a, Some(&secret), "2");
        if prove_and_kill(&args, &a).is_none() {
            continue;
        }

        // Killed: no manifest, only whole proofs (temporary files are not counted as proofs),
        // the job file, and no copy of the given secret.
        assert!(!manifest(&a).exists());
        let (proofs, _temp) = batch_files(&a);
        assert!(!proofs.is_empty());
        assert!(a.join("private").join("job.json").is_file());
        assert!(!a.join("private").join("secret").exists());
        let verify = verify_public_json(&a.join("public"));
        assert_exit(&verify, 2, "manifest.json");

        // Resumed: every proof that was there is whole, so every one is kept.
        let batches = accounts.div_ceil(2);
        let run = run_args(&args);
        assert_resumed(&run, proofs.len(), batches);
        let (after, stray) = batch_files(&a);
        assert_eq!(after.len(), batches);
        assert!(stray.is_empty(), "left behind: {stray:?}");
        let report_a = verified(&a);

        // An uninterrupted run of the same inputs: the same root and totals.
        let b = dir.path().join(format!("B-{accounts}"));
        let run = run_args(&prove_args(&config, &csv, &b, Some(&secret), "2"));
        assert_valid(&run);
        assert!(!run.stdout.contains("resumed"), "{run:#?}");
        let report_b = verified(&b);
        assert_eq!(report_a["root"], report_b["root"]);
        for key in [
            "accounts",
            "liquidatable",
            "bankrupt",
            "equity_usd",
            "bad_debt_usd",
            "shortfall_usd",
            "assets",
            "markets",
            "batches",
        ] {
            assert_eq!(report_a[key], report_b[key], "{key}");
        }
        assert_eq!(report_a, report_b);

        // Every proof the killed run left was whole: the same length as an uninterrupted run's.
        let (proofs_b, _) = batch_files(&b);
        let length = fs::metadata(&proofs_b[0]).expect("a proof").len();
        for proof in proofs.iter().chain(&proofs_b) {
            assert_eq!(fs::metadata(proof).expect("a proof").len(), length);
        }
        return;
    }
    panic!("prove finished every time before it could be killed");
}

/// A tiny venue (4 accounts, 2 batches of 2), proven once to completion with the shared secret.
struct Tiny {
    config: PathBuf,
    accounts: PathBuf,
    bundle: PathBuf,
    _dir: TempDir,
}

fn tiny() -> &'static Tiny {
    static TINY: OnceLock<Tiny> = OnceLock::new();
    TINY.get_or_init(|| {
        let dir = tempdir();
        let (config, accounts) = generate_venue(&dir.path().join("venue"), 4, 3);
        let bundle = dir.path().join("bundle");
        assert_valid(&run_args(&prove_args(
            &config,
            &accounts,
            &bundle,
            Some(secret_file()),
            "2",
        )));
        Tiny {
            config,
            accounts,
            bundle,
            _dir: dir,
        }
    })
}

/// A copy of the tiny bundle with its manifest removed: what a run killed after its last proof
/// leaves (plus the private files, which a resumed run writes again).
fn tiny_partial() -> (TempDir, PathBuf) {
    let dir = tempdir();
    let bundle = dir.path().join("bundle");
    copy_dir(&tiny().bundle, &bundle);
    fs::remove_file(manifest(&bundle)).expect("remove the manifest");
    (dir, bundle)
}

fn tiny_args(bundle: &Path) -> Vec<std::ffi::OsString> {
    let t = tiny();
    prove_args(&t.config, &t.accounts, bundle, Some(secret_file()), "2")
}

#[test]
fn rerun_on_a_complete_bundle_exits_2() {
    let (_dir, bundle) = tiny_partial();
    fs::copy(manifest(&tiny().bundle), manifest(&bundle)).expect("restore the manifest");
    let before = files_under(&bundle);
    let run = run_args(&tiny_args(&bundle));
    assert_exit(&run, 2, "already complete");
    assert_eq!(files_under(&bundle), before);
}

#[test]
fn resume_with_other_inputs_exits_2_naming_the_difference() {
    let (dir, bundle) = tiny_partial();
    let t = tiny();
    let proofs = batch_files(&bundle).0;

    // Another configuration: the same venue under another snapshot id.
    let text = fs::read_to_string(&t.config).expect("read venue.toml");
    let config = dir.path().join("other.toml");
    fs::write(
        &config,
        text.replace("id = \"synthetic-3\"", "id = \"synthetic-3b\""),
    )
    .expect("write");
    assert_ne!(fs::read(&config).expect("read"), text.as_bytes());
    let run = run_args(&prove_args(
        &config,
        &t.accounts,
        &bundle,
        Some(secret_file()),
        "2",
    ));
    assert_exit(&run, 2, "the configuration (config_digest");

    // Other accounts: the last one dropped.
    let csv = fs::read_to_string(&t.accounts).expect("read accounts.csv");
    let mut lines: Vec<&str> = csv.lines().collect();
    lines.pop();
    let accounts = dir.path().join("fewer.csv");
    fs::write(&accounts, lines.join("\n") + "\n").expect("write");
    let run = run_args(&prove_args(
        &t.config,
        &accounts,
        &bundle,
        Some(secret_file()),
        "2",
    ));
    assert_exit(&run, 2, "the accounts (accounts_digest");

    // Another batch size.
    let run = run_args(&prove_args(
        &t.config,
        &t.accounts,
        &bundle,
        Some(secret_file()),
        "4",
    ));
    assert_exit(&run, 2, "the batch size (batch_size");

    // Another secret.
    let other = dir.path().join("other.secret");
    fs::write(&other, [7u8; 32]).expect("write");
    let run = run_args(&prove_args(
        &t.config,
        &t.accounts,
        &bundle,
        Some(&other),
        "2",
    ));
    assert_exit(&run, 2, "the secret (secret_fingerprint");

    // No secret at all: the job was started with --secret-file.
    let run = run_args(&prove_args(&t.config, &t.accounts, &bundle, None, "2"));
    assert_exit(&run, 2, "no secret");

    // Nothing was touched by the refusals.
    assert_eq!(batch_files(&bundle).0, proofs);
    assert!(!manifest(&bundle).exists());

    // Rows reordered: the accounts digest is of the records, so this resumes.
    let mut rows: Vec<&str> = csv.lines().collect();
    rows[1..].reverse();
    let reordered = dir.path().join("reordered.csv");
    fs::write(&reordered, rows.join("\n") + "\n").expect("write");
    let run = run_args(&prove_args(
        &t.config,
        &reordered,
        &bundle,
        Some(secret_file()),
        "2",
    ));
    assert_resumed(&run, 2, 2);
    assert_eq!(
        read_json(&manifest(&bundle))["root"],
        read_json(&manifest(&t.bundle))["root"]
    );
}

#[test]
fn corrupted_proof_and_temporary_files_are_proven_again() {
    let (_dir, bundle) = tiny_partial();
    let public = bundle.join("public");
    let proof = proof_path(&public, 0);
    let mut bytes = fs::read(&proof).expect("read a proof");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    fs::write(&proof, &bytes).expect("corrupt a proof");
    let stray = public.join("batches").join(".batch-000001.proof.tmp-99999");
    fs::write(&stray, b"half a proof").expect("write a temporary file");
    let stray_private = bundle.join("private").join(".accounts.json.tmp-99999");
    fs::write(&stray_private, b"{").expect("write a temporary file");

    let run = run_args(&tiny_args(&bundle));
    assert_resumed(&run, 1, 2);
    assert!(run.stdout.contains("1 did not verify"), "{run:#?}");
    assert!(!stray.exists() && !stray_private.exists());
    assert_ne!(fs::read(&proof).expect("read the new proof"), bytes);
    let report = verified(&bundle);
    assert_eq!(report["root"], read_json(&manifest(&tiny().bundle))["root"]);
}

#[test]
fn truncated_and_missing_proofs_are_proven_again() {
    let (_dir, bundle) = tiny_partial();
    let public = bundle.join("public");
    let proof = proof_path(&public, 1);
    let bytes = fs::read(&proof).expect("read a proof");
    fs::write(&proof, &bytes[..bytes.len() / 3]).expect("truncate a proof");
    let run = run_args(&tiny_args(&bundle));
    assert_resumed(&run, 1, 2);
    verified(&bundle);

    let (_dir, bundle) = tiny_partial();
    fs::remove_file(proof_path(&bundle.join("public"), 0)).expect("remove a proof");
    fs::write(proof_path(&bundle.join("public"), 1), b"").expect("empty a proof");
    let run = run_args(&tiny_args(&bundle));
    assert_resumed(&run, 0, 2);
    verified(&bundle);
}

#[test]
fn generated_secret_is_kept_and_reused_on_resume() {
    let dir = tempdir();
    let t = tiny();
    let bundle = dir.path().join("bundle");
    let args = prove_args(&t.config, &t.accounts, &bundle, None, "2");
    assert_valid(&run_args(&args));
    let secret = fs::read(bundle.join("private").join("secret")).expect("the generated secret");
    assert_eq!(secret.len(), 32);
    let job = read_json(&bundle.join("private").join("job.json"));
    assert_eq!(job["secret_generated"], Value::Bool(true));
    let root = read_json(&manifest(&bundle))["root"].clone();

    fs::remove_file(manifest(&bundle)).expect("remove the manifest");
    fs::remove_file(proof_path(&bundle.join("public"), 1)).expect("remove a proof");
    let run = run_args(&args);
    // Batch 0's proof verifies only under the same secret: it was read back from private/.
    assert_resumed(&run, 1, 2);
    assert_eq!(read_json(&manifest(&bundle))["root"], root);
    assert_eq!(
        fs::read(bundle.join("private").join("secret")).expect("the secret"),
        secret
    );
    assert!(!run.stdout.contains(&to_hex(&secret)));
    verified(&bundle);
}

#[test]
fn existing_directory_that_is_not_a_job_exits_2() {
    let dir = tempdir();
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("create");
    fs::write(out.join("notes.txt"), b"mine").expect("write");
    let run = run_args(&tiny_args(&out));
    assert_exit(&run, 2, "not a marginproof job");
    assert_eq!(files_under(&out), vec![out.join("notes.txt")]);

    let file = dir.path().join("file");
    fs::write(&file, b"mine").expect("write");
    let run = run_args(&tiny_args(&file));
    assert_exit(&run, 2, "not a marginproof job");
}

#[test]
fn corrupt_job_file_exits_2_without_a_crash() {
    let job = |bundle: &Path| bundle.join("private").join("job.json");
    for content in [
        &b""[..],
        b"{",
        b"[]",
        b"\xff\xfe garbage",
        b"{\"format_version\": 1}",
        b"{\"format_version\": -1, \"config_digest\": 7}",
    ] {
        let (_dir, bundle) = tiny_partial();
        fs::write(job(&bundle), content).expect("corrupt job.json");
        let run = run_args(&tiny_args(&bundle));
        assert_exit(&run, 2, "not a marginproof job file");
        assert!(!run.stderr.contains("panicked"), "{run:#?}");
    }
    // A job file of another format version.
    let (_dir, bundle) = tiny_partial();
    common::edit_json(&job(&bundle), |j| j["format_version"] = Value::from(999));
    let run = run_args(&tiny_args(&bundle));
    assert_exit(&run, 2, "format_version");
}
