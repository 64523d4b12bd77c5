//! The shipped Slurm scripts on a real Slurm: `deploy/slurm/test-localhost.sh` installs Debian's
//! `slurm-wlm` and `munge` where they are missing, starts `munged`, `slurmctld` and `slurmd` on
//! loopback, submits `deploy/slurm/submit.sh` (plan, a 4-task worker array depending on it,
//! assemble depending on the array) on a 48-account venue, requeues one array task after it wrote
//! one of its three proofs, and checks that the assembled manifest and `verify --json` are
//! byte-identical to `prove`'s with the same secret; it stops every daemon it started.

#[allow(dead_code, unused_imports)]
mod common;

use std::process::Command;

#[test]
fn slurm_array_with_a_requeued_task_assembles_prove_s_bundle() {
    let script = common::workspace_root().join("deploy/slurm/test-localhost.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg(common::bin())
        .output()
        .expect("run the Slurm test script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({:?}):\n{stdout}\n{stderr}",
        script.display(),
        output.status
    );
    assert!(
        stdout.contains("requeued") && stdout.contains("Restarts=1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SLURM OK: 4 array tasks, one requeued mid-proof"),
        "{stdout}"
    );
}
