//! Proving on many machines (SPEC §10): `plan`, `prove-batches --shard I/N` and `assemble` write
//! the bundle `prove` writes, byte for byte in its manifest, for any number of shards; `assemble`
//! refuses a missing, foreign, misplaced or truncated proof naming the batch; the job directory is
//! owner-only and no worker output names an account or its salt.

#[allow(dead_code, unused_imports)]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{
    assert_exit, assert_valid, cache_dir, copy_dir, files_under, honest, marginproof, read_json,
    secret_file, tempdir, verify_public_json, Run, BATCH_SIZE,
};

/// `plan` of the honest venue into `job`, with the shared secret unless `generated_secret`.
fn plan(job: &Path, generated_secret: bool) -> Run {
    let venue = honest();
    let mut args: Vec<std::ffi::OsString> = vec![
        "plan".into(),
        "--config".into(),
        venue.config.clone().into(),
        "--accounts".into(),
        venue.accounts.clone().into(),
        "--out".into(),
        job.into(),
        "--batch-size".into(),
        BATCH_SIZE.into(),
    ];
    if !generated_secret {
        args.push("--secret-file".into());
        args.push(secret_file().into());
    }
    common::run_args(&args)
}

fn prove_shard(job: &Path, shard: &str) -> Run {
    marginproof!(
        "prove-batches",
        job,
        "--shard",
        shard,
        "--cache-dir",
        cache_dir()
    )
}

fn assemble(job: &Path, out: &Path) -> Run {
    marginproof!("assemble", job, "--out", out, "--cache-dir", cache_dir())
}

fn proof(job: &Path, batch: usize) -> PathBuf {
    job.join("proofs").join(format!("batch-{batch:06}.proof"))
}

/// Every account id and salt of the honest bundle (from its `private/accounts.json`).
fn secrets_of_the_honest_bundle() -> Vec<String> {
    let accounts = read_json(&honest().bundle.join("private").join("accounts.json"));
    let mut out = Vec::new();
    for a in accounts["accounts"].as_array().expect("accounts") {
        out.push(a["account_id"].as_str().expect("id").to_string());
        out.push(a["salt"].as_str().expect("salt").to_string());
    }
    assert!(out.len() >= 2 * common::ACCOUNTS);
    out
}

fn assert_names_nothing_private(what: &str, text: &str, private: &[String]) {
    for p in private {
        assert!(!text.contains(p.as_str()), "{what} contains `{p}`:\n{text}");
    }
}

#[test]
fn plan_shards_and_assemble_write_the_manifest_prove_writes_for_any_shard_count() {
    let venue = honest();
    let expected = fs::read(venue.manifest()).expect("prove's manifest");
    let expected_report = verify_public_json(&venue.public()).json();
    let private = secrets_of_the_honest_bundle();
    for shards in [1usize, 2, 4, 7] {
        let dir = tempdir();
        let job = dir.path().join("job");
        let run = plan(&job, false);
        assert_valid(&run);
        assert!(
            run.stdout.contains("planned 3 batches in 1 size classes")
                && run.stdout.contains("4 per proof"),
            "{}",
            run.stdout
        );
        let plan_text = fs::read_to_string(job.join("plan.json")).expect("plan.json");
        assert_names_nothing_private("plan.json", &plan_text, &private);
        for i in 0..shards {
            let run = prove_shard(&job, &format!("{i}/{shards}"));
            assert_valid(&run);
            assert_names_nothing_private("a worker's output", &run.stdout, &private);
            assert_names_nothing_private("a worker's output", &run.stderr, &private);
            if i * 3 / shards == (i + 1) * 3 / shards {
                assert!(run.stdout.contains("no batches"), "{}", run.stdout);
            }
        }
        let bundle = dir.path().join("bundle");
        assert_valid(&assemble(&job, &bundle));
        let manifest = fs::read(bundle.join("public").join("manifest.json")).expect("manifest");
        assert!(
            manifest == expected,
            "{shards} shards: the assembled manifest differs from prove's"
        );
        assert_eq!(
            verify_public_json(&bundle.join("public")).json(),
            expected_report,
            "{shards} shards"
        );
        // The bundle's private part is prove's as well.
        for name in ["accounts.json", "leaves.json", "job.json"] {
            assert_eq!(
                fs::read(bundle.join("private").join(name)).expect("private file"),
                fs::read(venue.bundle.join("private").join(name)).expect("prove's"),
                "private/{name}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn the_job_directory_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let job = dir.path().join("job");
    assert_valid(&plan(&job, true));
    assert_valid(&prove_shard(&job, "0/2"));
    let mode = |p: &Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    for d in [job.clone(), job.join("private"), job.join("proofs")] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    for f in [
        "plan.json",
        "private/secret",
        "private/config.json",
        "private/accounts.json",
    ] {
        assert_eq!(mode(&job.join(f)), 0o600, "{f}");
    }
    // And a generated secret travels into the assembled bundle, as `prove` keeps it.
    assert_valid(&prove_shard(&job, "1/2"));
    let bundle = dir.path().join("bundle");
    assert_valid(&assemble(&job, &bundle));
    assert_eq!(
        fs::read(bundle.join("private").join("secret")).expect("secret"),
        fs::read(job.join("private").join("secret")).expect("job secret")
    );
}

#[test]
fn assemble_refuses_missing_foreign_misplaced_and_truncated_proofs_naming_the_batch() {
    let dir = tempdir();
    let job = dir.path().join("job");
    assert_valid(&plan(&job, false));
    assert_valid(&prove_shard(&job, "0/1"));
    // Another job of the same accounts with another secret: other salts, other statements.
    let other = dir.path().join("other");
    assert_valid(&plan(&other, true));
    assert_valid(&prove_shard(&other, "0/1"));

    let damaged = |name: &str, damage: &dyn Fn(&Path)| {
        let copy = dir.path().join(name);
        copy_dir(&job, &copy);
        damage(&copy);
        copy
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            damaged("missing", &|j| {
                fs::remove_file(proof(j, 1)).expect("remove")
            }),
            "batch 1: no proof",
        ),
        (
            damaged("foreign", &|j| {
                fs::copy(proof(&other, 1), proof(j, 1)).expect("copy");
            }),
            "batch 1: proof does not verify",
        ),
        (
            damaged("misplaced", &|j| {
                fs::copy(proof(j, 0), proof(j, 1)).expect("copy");
            }),
            "batch 1: proof does not verify",
        ),
        (
            damaged("truncated", &|j| {
                let bytes = fs::read(proof(j, 2)).expect("read");
                fs::write(proof(j, 2), &bytes[..bytes.len() / 2]).expect("truncate");
            }),
            "batch 2: proof does not verify",
        ),
    ];
    for (copy, reason) in cases {
        let bundle = copy.with_extension("bundle");
        let run = assemble(&copy, &bundle);
        assert_exit(&run, 1, reason);
        assert!(!bundle.exists(), "nothing is written on refusal");
        // Rerunning the shard keeps the proofs that verify and proves the rest.
        let rerun = prove_shard(&copy, "0/1");
        assert_valid(&rerun);
        assert!(
            rerun.stdout.contains("proved 1, kept 2"),
            "{}",
            rerun.stdout
        );
        assert_valid(&assemble(&copy, &bundle));
    }
    // No worker output file but proofs.
    for f in files_under(&job.join("proofs")) {
        assert!(
            f.extension().is_some_and(|e| e == "proof"),
            "{}",
            f.display()
        );
    }
}

#[test]
fn bad_shards_and_jobs_are_refused() {
    let dir = tempdir();
    let job = dir.path().join("job");
    assert_valid(&plan(&job, false));
    assert_exit(&prove_shard(&job, "3/3"), 2, "shard index must be 0 to 2");
    assert_exit(&prove_shard(&job, "1"), 2, "expected I/N");
    let run = common::run_with_env(
        &[
            "prove-batches".as_ref(),
            job.as_os_str(),
            "--shard-from-env".as_ref(),
            "2".as_ref(),
            "--cache-dir".as_ref(),
            cache_dir().as_os_str(),
        ],
        &[("SLURM_ARRAY_TASK_ID", "1".as_ref())],
    );
    assert_valid(&run);
    assert!(run.stdout.contains("shard 1/2"), "{}", run.stdout);
    assert_exit(&plan(&job, false), 2, "already exists");
    let not_a_job = dir.path().join("empty");
    fs::create_dir(&not_a_job).expect("mkdir");
    assert_exit(
        &prove_shard(&not_a_job, "0/1"),
        2,
        "not a job that `marginproof plan` wrote",
    );
    // An edited private input no longer matches the plan: a batch's input file for its worker,
    // the accounts file for assemble.
    let rename_first_account = |file: &Path| {
        let text = fs::read_to_string(file).expect("read");
        let first = text.find("\"acct-").expect("an account id");
        let mut changed = text.clone();
        changed.replace_range(first + 1..first + 6, "bcct-");
        fs::write(file, changed).expect("write");
    };
    let edited = dir.path().join("edited");
    copy_dir(&job, &edited);
    rename_first_account(&edited.join("private/batches/batch-000001.json"));
    let run = prove_shard(&edited, "1/3");
    assert_exit(&run, 2, "not a usable job directory");
    assert!(
        run.stderr
            .contains("does not give the statement in plan.json"),
        "{}",
        run.stderr
    );
    assert_valid(&prove_shard(&edited, "0/3"));
    let edited = dir.path().join("edited-accounts");
    copy_dir(&job, &edited);
    assert_valid(&prove_shard(&edited, "0/1"));
    rename_first_account(&edited.join("private/accounts.json"));
    let run = assemble(&edited, &dir.path().join("edited-bundle"));
    assert_exit(&run, 2, "not a usable job directory");
}
