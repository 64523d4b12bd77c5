#!/usr/bin/env bash
# A real Slurm cluster on localhost, for the end-to-end test of the shipped scripts
# (tests/tests/slurm.rs): installs Debian's slurm-wlm and munge where they are missing (as root),
# starts munged, slurmctld and slurmd on loopback with state in a temporary directory, submits
# submit.sh on a 48-account venue (12 batches of 4) with 4 array tasks, requeues one task while it is proving, waits for
# assemble, and checks that the assembled manifest is byte-identical to `prove`'s with the same
# secret. Stops every daemon it started, whatever happens.
#
#   bash deploy/slurm/test-localhost.sh path/to/marginproof
set -euo pipefail

BIN="$(realpath "${1:?path to the marginproof binary}")"
here="$(cd "$(dirname "$0")" && pwd)"
T="$(mktemp -d /tmp/marginproof-slurm.XXXXXX)"
pids=()
jobs_submitted=""
stop() {
  local code=$?
  # Jobs first (slurmd leaves running job steps behind when it stops), then the daemons.
  if [ -n "$jobs_submitted" ]; then
    scancel $jobs_submitted 2>/dev/null || true
    for _ in $(seq 100); do
      [ -z "$(squeue -h 2>/dev/null)" ] && ! pgrep -f "prove-batches $T" >/dev/null && break
      sleep 0.1
    done
    pkill -f "marginproof.*$T/work" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$code" -ne 0 ]; then
    for log in "$T"/*.log "$T"/work/*.out; do
      [ -f "$log" ] && { echo "== $log"; tail -n 40 "$log"; }
    done
  fi
  rm -rf "$T"
  exit "$code"
}
trap stop EXIT

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurm-wlm and munge are missing, and installing them needs root" >&2
    exit 1
  fi
  echo "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

host="$(hostname -s)"
ctld_port=$((20000 + RANDOM % 20000))
slurmd_port=$((ctld_port + 1))
mkdir -p "$T/ctld" "$T/spool" "$T/work"
chmod 700 "$T"

# munge with its own key and socket.
mungekey --create --keyfile="$T/munge.key" --force
chmod 600 "$T/munge.key"
munged --foreground --force --key-file="$T/munge.key" --socket="$T/munge.socket" \
  --pid-file="$T/munged.pid" --log-file="$T/munged.log" --seed-file="$T/munged.seed" \
  2>>"$T/munged.log" &
pids+=($!)

cat >"$T/slurm.conf" <<CONF
ClusterName=marginproof-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$T/munge.socket
CredType=cred/munge
StateSaveLocation=$T/ctld
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1,sched_min_interval=100000
JobRequeue=1
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
for _ in $(seq 50); do [ -S "$T/munge.socket" ] && break; sleep 0.1; done
slurmctld -D -f "$SLURM_CONF" 2>>"$T/slurmctld.log" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" 2>>"$T/slurmd.log" &
pids+=($!)
for _ in $(seq 100); do
  state="$(sinfo -h -N -o %t 2>/dev/null || true)"
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.2
done
echo "slurm up: node $host is ${state:-unknown}"

# A small venue, and the bundle `prove` makes of it with the same secret.
cd "$T/work"
"$BIN" generate --accounts 48 --assets 2 --markets 1 --seed 11 --out venue >/dev/null
head -c 32 /dev/urandom >venue.secret
"$BIN" prove --config venue/venue.toml --accounts venue/accounts.csv --out reference \
  --secret-file venue.secret --batch-size 4 --cache-dir "$T/cache" >/dev/null 2>&1

ids="$(MP_BIN="$BIN" MP_CONFIG=venue/venue.toml MP_ACCOUNTS=venue/accounts.csv \
  MP_SECRET=venue.secret MP_JOB="$T/work/job" MP_BUNDLE="$T/work/bundle" MP_SHARDS=4 \
  MP_BATCH_SIZE=4 MP_CACHE="$T/cache" \
  MP_PLAN_CPUS=1 MP_PLAN_MEM=500 MP_WORKER_CPUS=1 MP_WORKER_MEM=1000 \
  MP_ASSEMBLE_CPUS=1 MP_ASSEMBLE_MEM=500 bash "$here/submit.sh")"
echo "submitted: $ids"
read -r _ plan _ workers _ assemble <<<"$ids"
jobs_submitted="$plan $workers $assemble"

# Requeue array task 1 while it proves: once a proof of its own shard (batches 3 to 5 of 12) is
# on disk and the task still runs. The rerun must keep that proof and prove the rest.
task="${workers}_1"
for _ in $(seq 1200); do
  [ "$(squeue -h -j "$task" -o %T 2>/dev/null)" = RUNNING ] \
    && compgen -G "$T/work/job/proofs/batch-00000[3-5].proof" >/dev/null && break
  sleep 0.05
done
[ "$(squeue -h -j "$task" -o %T)" = RUNNING ] || { echo "task $task never ran" >&2; exit 1; }
done_before="$( (compgen -G "$T/work/job/proofs/batch-00000[3-5].proof" || true) | wc -l)"
scontrol requeue "$task"
echo "requeued $task while it was proving ($done_before of its 3 proofs written)"

for _ in $(seq 1800); do
  [ -z "$(squeue -h -j "$plan,$workers,$assemble" 2>/dev/null)" ] && break
  sleep 0.2
done
restarts="$(scontrol show job "$task" | grep -o 'Restarts=[0-9]*')"
echo "task $task: $restarts"
[ "$restarts" = "Restarts=1" ] || { echo "task $task was not requeued" >&2; exit 1; }
rerun="$( (grep 'shard 1/4' "marginproof-prove-${workers}_1.out" || true) | tail -n 1)"
echo "task $task after its requeue: $rerun"
# Mid-proof: the rerun kept at least one proof and proved at least one.
case "$rerun" in
  *"proved 0,"*|*"kept 0 "*) echo "task $task was not requeued mid-proof" >&2; exit 1 ;;
  *"proved "*", kept "*) ;;
  *) echo "no report from the requeued task" >&2; exit 1 ;;
esac
[ -f bundle/public/manifest.json ] || { echo "assemble wrote no bundle" >&2; exit 1; }
cmp reference/public/manifest.json bundle/public/manifest.json
"$BIN" verify reference/public --json --cache-dir "$T/cache" >reference.json
"$BIN" verify bundle/public --json --cache-dir "$T/cache" >bundle.json
cmp reference.json bundle.json
echo "SLURM OK: 4 array tasks, one requeued mid-proof; manifest and verify --json equal prove's"
