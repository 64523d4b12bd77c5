#!/usr/bin/env bash
# Proves a snapshot on a Slurm cluster (SPEC §10): one plan job, an array of workers that depends
# on it, and an assemble job that depends on the whole array. Prints the three job ids.
#
#   MP_CONFIG=venue.toml MP_ACCOUNTS=accounts.csv MP_SECRET=venue.secret \
#   MP_JOB=/shared/job-2026-11-21 MP_BUNDLE=/shared/bundle-2026-11-21 MP_SHARDS=64 \
#   bash deploy/slurm/submit.sh
#
# MP_CONFIG, MP_ACCOUNTS, MP_SECRET (read by the plan job), MP_JOB and MP_BUNDLE must be on a file
# system every node mounts (NFS, Lustre): give absolute paths. The job directory holds the accounts
# and the secret and is created owner-only. If plan or a worker fails for good, the jobs that depend
# on it are cancelled (--kill-on-invalid-dep); rerun the failed step, then submit what is left. Each worker keeps its parameter and
# key cache in MP_CACHE (default: node-local /tmp/marginproof-cache-$USER).
#
# Resources (README "Proving on many machines"): a worker proves one k = 16 batch at a time,
# peaking at 3.7 GiB with its 1.2 GB proving key, 31-34 s per batch of 256 accounts on 2 cores at
# 50 assets; plan and assemble run on one node and hold every batch's witness (8.6 KiB an account). Override with the MP_*_CPUS / MP_*_MEM /
# MP_*_TIME variables below.
set -euo pipefail

: "${MP_CONFIG:?risk configuration (TOML)}"
: "${MP_ACCOUNTS:?accounts CSV}"
: "${MP_JOB:?job directory to create (shared file system)}"
: "${MP_BUNDLE:?bundle directory to create (shared file system)}"
: "${MP_SHARDS:?number of workers}"
MP_BIN="${MP_BIN:-marginproof}"
MP_CACHE="${MP_CACHE:-/tmp/marginproof-cache-${USER:-$(id -un)}}"
MP_BATCH_SIZE="${MP_BATCH_SIZE:-}"
MP_PLAN_CPUS="${MP_PLAN_CPUS:-2}"
MP_PLAN_MEM="${MP_PLAN_MEM:-4G}"
MP_PLAN_TIME="${MP_PLAN_TIME:-01:00:00}"
MP_WORKER_CPUS="${MP_WORKER_CPUS:-2}"
MP_WORKER_MEM="${MP_WORKER_MEM:-5G}"
MP_WORKER_TIME="${MP_WORKER_TIME:-08:00:00}"
MP_ASSEMBLE_CPUS="${MP_ASSEMBLE_CPUS:-2}"
MP_ASSEMBLE_MEM="${MP_ASSEMBLE_MEM:-4G}"
MP_ASSEMBLE_TIME="${MP_ASSEMBLE_TIME:-01:00:00}"
MP_SBATCH_ARGS="${MP_SBATCH_ARGS:-}"   # e.g. "--partition=prove --account=risk"

case "$MP_SHARDS" in
  ''|*[!0-9]*|0) echo "MP_SHARDS=$MP_SHARDS: a number of workers, at least 1" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
export MP_BIN MP_CACHE MP_CONFIG MP_ACCOUNTS MP_JOB MP_BUNDLE MP_SHARDS MP_BATCH_SIZE
export MP_SECRET="${MP_SECRET:-}"

# shellcheck disable=SC2086
# If a later submission fails, cancel what was queued before it.
queued=()
trap '[ "$?" -ne 0 ] && [ "${#queued[@]}" -gt 0 ] && scancel "${queued[@]}"' EXIT
plan=$(sbatch --parsable $MP_SBATCH_ARGS --job-name=marginproof-plan \
  --cpus-per-task="$MP_PLAN_CPUS" --mem="$MP_PLAN_MEM" --time="$MP_PLAN_TIME" \
  --export=ALL "$here/plan.sbatch")
plan="${plan%%;*}"
queued+=("$plan")
# shellcheck disable=SC2086
workers=$(sbatch --parsable $MP_SBATCH_ARGS --job-name=marginproof-prove \
  --array="0-$((MP_SHARDS - 1))" --dependency="afterok:$plan" --kill-on-invalid-dep=yes --requeue \
  --cpus-per-task="$MP_WORKER_CPUS" --mem="$MP_WORKER_MEM" --time="$MP_WORKER_TIME" \
  --export=ALL "$here/worker.sbatch")
workers="${workers%%;*}"
queued+=("$workers")
# shellcheck disable=SC2086
assemble=$(sbatch --parsable $MP_SBATCH_ARGS --job-name=marginproof-assemble \
  --dependency="afterok:$workers" --kill-on-invalid-dep=yes \
  --cpus-per-task="$MP_ASSEMBLE_CPUS" --mem="$MP_ASSEMBLE_MEM" --time="$MP_ASSEMBLE_TIME" \
  --export=ALL "$here/assemble.sbatch")
assemble="${assemble%%;*}"
echo "plan $plan workers $workers assemble $assemble"
