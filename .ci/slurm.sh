#!/usr/bin/env bash
# .ci/slurm.sh -- test the workflow's SLURM path for real on this one machine.
#
# Run from the repository root:   bash .ci/slurm.sh
#
#  1. installs Debian's slurm-wlm + munge (apt-get); if that is impossible it
#     prints "SKIPPED: ..." and exits 0;
#  2. writes a one-node cluster config to /etc/slurm/slurm.conf (where srun
#     inside a job looks), starts munged, slurmctld and slurmd (no systemd)
#     and waits for the node to be idle;
#  3. runs the smoke study with the SLURM workflow profile
#     (workflow/profiles/slurm, job states from squeue), runs it again locally
#     and compares the per-trial Parquet results (timing columns dropped,
#     rows sorted);
#  4. stops every daemon it started (trap on EXIT).
#
# Environment variables (all optional):
#   GSBENCH_SNAKEFILE          Snakefile                    [$PWD/Snakefile]
#   GSBENCH_SLURM_CONFIGFILE   --configfile for both runs; several files may
#                              be given, space-separated    [$PWD/config/smoke.yaml]
#   GSBENCH_RESULTS_GLOB       files compared, relative to each run's directory
#                              (recursive glob)             [results/smoke/fits/**/*.parquet]
#   GSBENCH_SLURM_PROFILE      workflow profile dir         [$PWD/workflow/profiles/slurm]
#   GSBENCH_SLURM_WORKDIR      scratch dir ($WORK); its slurm/, local/ and
#                              daemons/ subdirs are wiped   [/tmp/gsbench-slurm-ci]
#   GSBENCH_SLURM_PARTITION    partition created here and read by the profile [debug]
#   GSBENCH_VENV               virtualenv with snakemake + the plugin [$PWD/.venv]
#   GSBENCH_SLURM_START_TIMEOUT  seconds to wait for the node to be idle [90]
#   GSBENCH_SLURM_RUN_TIMEOUT  seconds allowed for each snakemake run [2400]
#   GSBENCH_SLURM_STATUS_INTERVAL  --slurm-init-seconds-before-status-checks
#                              for the CI run (plugin default 40 s)  [5]
#   GSBENCH_SLURM_FORCE_INSTALL  non-empty: run apt-get even if SLURM is installed
#   GSBENCH_COMPARE_RTOL / GSBENCH_COMPARE_ATOL  float tolerance of the
#                              comparison                   [1e-9 / 1e-12]
# GSBENCH_SLURM_ACCOUNT is unset for the run: this cluster has no accounts.

set -uo pipefail

log() { printf '[slurm.sh] %s\n' "$*"; }
die() { printf '[slurm.sh] ERROR: %s\n' "$*" >&2; exit 1; }
skip() { printf 'SKIPPED: slurm packages cannot be installed here (%s)\n' "$*"; exit 0; }

REPO=$(pwd)
VENV=${GSBENCH_VENV:-$REPO/.venv}
SNAKEMAKE=$VENV/bin/snakemake
PYTHON=$VENV/bin/python
SNAKEFILE=$(realpath -m "${GSBENCH_SNAKEFILE:-$REPO/Snakefile}")
# one or more config files (space-separated), made absolute: the runs use --directory
read -ra CONFIGFILES <<< "${GSBENCH_SLURM_CONFIGFILE:-$REPO/config/smoke.yaml}"
for i in "${!CONFIGFILES[@]}"; do CONFIGFILES[$i]=$(realpath -m "${CONFIGFILES[$i]}"); done
PROFILE=$(realpath -m "${GSBENCH_SLURM_PROFILE:-$REPO/workflow/profiles/slurm}")
RESULTS_GLOB=${GSBENCH_RESULTS_GLOB:-results/smoke/fits/**/*.parquet}
WORK=$(realpath -m "${GSBENCH_SLURM_WORKDIR:-/tmp/gsbench-slurm-ci}")
PARTITION=${GSBENCH_SLURM_PARTITION:-debug}
START_TIMEOUT=${GSBENCH_SLURM_START_TIMEOUT:-90}
RUN_TIMEOUT=${GSBENCH_SLURM_RUN_TIMEOUT:-2400}
STATUS_INTERVAL=${GSBENCH_SLURM_STATUS_INTERVAL:-5}

CONF_PATH=/etc/slurm/slurm.conf
STATE=/var/lib/gsbench-slurm            # slurmctld state + slurmd spool
DAEMONS=$WORK/daemons                   # daemon logs
MARKER="# written by gsbench .ci/slurm.sh"

for f in "$SNAKEMAKE" "$PYTHON"; do
    [ -x "$f" ] || die "$f not found: create the venv first (GSBENCH_VENV=$VENV)"
done
[ -f "$SNAKEFILE" ] || die "Snakefile not found: $SNAKEFILE (set GSBENCH_SNAKEFILE)"
for f in "${CONFIGFILES[@]}"; do
    [ -f "$f" ] || die "config file not found: $f (set GSBENCH_SLURM_CONFIGFILE)"
done
[ -f "$PROFILE/config.yaml" ] || die "profile not found: $PROFILE/config.yaml"

# Jobs inherit this environment (sbatch --export=ALL): `python` in shell
# directives must be the venv's, in the SLURM jobs as in the local run.
export PATH="$VENV/bin:$PATH"
export GSBENCH_SLURM_PARTITION=$PARTITION
if [ -n "${GSBENCH_SLURM_ACCOUNT:-}" ]; then
    log "ignoring GSBENCH_SLURM_ACCOUNT=$GSBENCH_SLURM_ACCOUNT: this test cluster has no accounts"
fi
unset GSBENCH_SLURM_ACCOUNT SNAKEMAKE_PROFILE SLURM_CONF SLURM_JOB_ID

# ---------------------------------------------------------------- 1. install
SLURM_BINS="slurmctld slurmd munged mungekey sbatch srun squeue sinfo scontrol scancel"
missing_bins() {
    local b out=""
    for b in $SLURM_BINS; do command -v "$b" >/dev/null 2>&1 || out="$out $b"; done
    echo "${out# }"
}
missing=$(missing_bins)
if [ -n "$missing" ] || [ -n "${GSBENCH_SLURM_FORCE_INSTALL:-}" ]; then
    [ "$(id -u)" = 0 ] || skip "not root, and missing: ${missing:-none}"
    command -v apt-get >/dev/null 2>&1 || skip "no apt-get, and missing: ${missing:-none}"
    log "installing slurm-wlm and munge with apt-get (missing: ${missing:-none})"
    export DEBIAN_FRONTEND=noninteractive
    # Keep package scripts from trying to start services (no init system here).
    added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        added_policy=1
    fi
    apt_log=$(mktemp /tmp/gsbench-slurm-apt.XXXXXX)
    if ! apt-get update -q >"$apt_log" 2>&1; then
        [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
        tail -n 5 "$apt_log"
        skip "apt-get update failed: $(grep -E '^(E|W):' "$apt_log" | head -n 1)"
    fi
    if ! apt-get install -y -q --no-install-recommends slurm-wlm munge >>"$apt_log" 2>&1; then
        [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
        tail -n 5 "$apt_log"
        skip "apt-get install slurm-wlm munge failed: $(grep -E '^E:' "$apt_log" | head -n 1)"
    fi
    [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
    missing=$(missing_bins)
    [ -z "$missing" ] || skip "installed, but still missing: $missing"
fi
log "$(slurmctld -V), $(munged -V 2>&1 | awk '{print $1; exit}')"
[ "$(id -u)" = 0 ] || die "must run as root to start slurmctld/slurmd"

# ---------------------------------------------------------------- cleanup
STARTED_MUNGED="" STARTED_CTLD="" STARTED_SLURMD="" CONF_BACKUP="" CONF_WRITTEN="" SMK_PID=""
stop_pid() {  # stop_pid NAME PID: TERM, wait up to 30 s, then KILL
    local name=$1 pid=$2 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    log "$name (pid $pid) still running 30 s after SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
cleanup() {
    local rc=$? i pids
    trap - EXIT INT TERM
    ctld_up=""
    [ -n "$STARTED_CTLD" ] && kill -0 "$STARTED_CTLD" 2>/dev/null && ctld_up=1
    if [ -n "$SMK_PID" ]; then
        # Interrupted mid-run: cancel the jobs first (on SIGTERM Snakemake
        # would wait for running jobs to finish), then stop Snakemake.
        log "interrupted: cancelling SLURM jobs and stopping snakemake (pid $SMK_PID)"
        [ -n "$ctld_up" ] && scancel --user="$(id -un)" 2>/dev/null
        stop_pid snakemake "$SMK_PID"
    fi
    if [ -n "$ctld_up" ]; then
        # Cancel whatever is still queued or running, and wait for it to go.
        scancel --user="$(id -un)" 2>/dev/null
        for i in $(seq 1 30); do
            [ -z "$(squeue -h -t PD,R,CG,S -o %i 2>/dev/null)" ] && break
            sleep 1
        done
    fi
    [ -n "$STARTED_SLURMD" ] && stop_pid slurmd "$STARTED_SLURMD"
    if [ -n "$STARTED_SLURMD" ]; then
        # Job step daemons of a job killed at an unlucky moment: the only
        # slurmd on this machine was ours, so any slurmstepd left is ours.
        pids=$(pgrep -x slurmstepd || true)
        for i in $pids; do log "stopping left-over slurmstepd $i"; stop_pid slurmstepd "$i"; done
    fi
    [ -n "$STARTED_CTLD" ] && stop_pid slurmctld "$STARTED_CTLD"
    [ -n "$STARTED_MUNGED" ] && stop_pid munged "$STARTED_MUNGED"
    if [ -n "$CONF_BACKUP" ]; then
        mv -f "$CONF_BACKUP" "$CONF_PATH"
    elif [ -n "$CONF_WRITTEN" ] && grep -qF "$MARKER" "$CONF_PATH" 2>/dev/null; then
        # Ours, and no controller runs any more: left in place, it makes every later
        # snakemake start wait ~9 s (the SLURM executor plugin runs `scontrol show config`).
        rm -f "$CONF_PATH"
    fi
    [ -n "$STARTED_CTLD$STARTED_SLURMD$STARTED_MUNGED" ] && log "daemons stopped"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

daemon_logs() {
    local f
    for f in "$DAEMONS"/munged.log "$DAEMONS"/slurmctld.log "$DAEMONS"/slurmd.log; do
        [ -f "$f" ] || continue
        echo "----- $f (last 40 lines)"; tail -n 40 "$f"
    done
}

# ---------------------------------------------------------------- 2. cluster
pgrep -x slurmctld >/dev/null && die "a slurmctld is already running (pid $(pgrep -x slurmctld | tr '\n' ' ')); stop it first"
pgrep -x slurmd >/dev/null && die "a slurmd is already running (pid $(pgrep -x slurmd | tr '\n' ' ')); stop it first"

NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/^MemTotal:/ {print int($2/1024); exit}' /proc/meminfo)
REAL_MB=$(( MEM_MB * 95 / 100 ))   # a bit less than total, or slurmd drains the node
# The daemons talk over loopback; srun in a job resolves the node's name.
if ! getent hosts "$NODE" >/dev/null; then
    log "hostname $NODE does not resolve; adding it to /etc/hosts as 127.0.0.1"
    echo "127.0.0.1 $NODE" >> /etc/hosts
fi

mkdir -p "$WORK"
rm -rf "$WORK/slurm" "$WORK/local" "$DAEMONS" "$STATE"
mkdir -p "$DAEMONS" "$STATE/ctld" "$STATE/slurmd" /etc/slurm
chmod 755 "$DAEMONS"

if [ -f "$CONF_PATH" ] && ! grep -qF "$MARKER" "$CONF_PATH"; then
    CONF_BACKUP=$CONF_PATH.gsbench-backup
    cp -p "$CONF_PATH" "$CONF_BACKUP"
    log "existing $CONF_PATH saved to $CONF_BACKUP (restored on exit)"
fi
cat > "$CONF_PATH" <<EOF
$MARKER -- one-node test cluster
ClusterName=gsbench-ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
# squeue keeps finished jobs this long; the SLURM executor plugin's squeue
# status command needs it >= 3 x its first status-check interval.
MinJobAge=300
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$DAEMONS/slurmctld.log
SlurmdLogFile=$DAEMONS/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MB State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
CONF_WRITTEN=1
log "wrote $CONF_PATH: node $NODE, CPUs=$CPUS, RealMemory=$REAL_MB MB, partition $PARTITION"

# munge: reuse a working munged, otherwise start one.
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running; reusing it"
else
    if [ ! -s /etc/munge/munge.key ]; then
        log "creating munge key"
        mkdir -p /etc/munge
        mungekey --create --keyfile=/etc/munge/munge.key || die "mungekey failed"
    fi
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
    chmod 755 /run/munge
    # In the foreground munged logs to stderr; setpriv execs it as user munge,
    # so $! is munged itself.
    if id munge >/dev/null 2>&1; then
        setpriv --reuid=munge --regid=munge --init-groups -- \
            munged --foreground >"$DAEMONS/munged.log" 2>&1 &
    else
        munged --foreground --force >"$DAEMONS/munged.log" 2>&1 &
    fi
    STARTED_MUNGED=$!
    for i in $(seq 1 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        kill -0 "$STARTED_MUNGED" 2>/dev/null || { daemon_logs; die "munged exited"; }
        sleep 0.2
    done
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || { daemon_logs; die "munge does not work"; }
    log "munged started (pid $STARTED_MUNGED)"
fi

slurmctld -D -i >"$DAEMONS/slurmctld.out" 2>&1 &
STARTED_CTLD=$!
slurmd -D >"$DAEMONS/slurmd.out" 2>&1 &
STARTED_SLURMD=$!
log "slurmctld (pid $STARTED_CTLD) and slurmd (pid $STARTED_SLURMD) started"

deadline=$(( SECONDS + START_TIMEOUT ))
state=""
while :; do
    kill -0 "$STARTED_CTLD" 2>/dev/null || { daemon_logs; die "slurmctld exited (see above)"; }
    kill -0 "$STARTED_SLURMD" 2>/dev/null || { daemon_logs; die "slurmd exited (see above)"; }
    state=$(sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -n 1)
    case "$state" in
        idle|mixed|allocated) break ;;
        down*|drain*|fail*)
            scontrol update nodename="$NODE" state=resume 2>/dev/null || true ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
        sinfo -N -l 2>&1 || true
        scontrol show node "$NODE" 2>&1 || true
        daemon_logs
        die "node $NODE not idle after ${START_TIMEOUT}s (state: ${state:-no answer from slurmctld})"
    fi
    sleep 1
done
log "node $NODE is $state:"
sinfo

# A job whose srun must find the configuration, as the plugin's job steps do.
probe=$(timeout 180 sbatch --parsable --wait -p "$PARTITION" -t 2 --mem=100 -o "$DAEMONS/probe-%j.out" \
    --wrap 'srun -n1 hostname && echo "srun ok in job $SLURM_JOB_ID"' 2>&1)
probe_rc=$?
if [ "$probe_rc" != 0 ] || ! grep -q "srun ok" "$DAEMONS"/probe-*.out 2>/dev/null; then
    echo "$probe"; cat "$DAEMONS"/probe-*.out 2>/dev/null; daemon_logs
    die "a test job with srun failed (sbatch rc $probe_rc)"
fi
log "probe job: $(grep 'srun ok' "$DAEMONS"/probe-*.out)"

# ---------------------------------------------------------------- 3. workflow
print_failure_logs() {  # print_failure_logs DIR
    local dir=$1 f
    echo "================ logs of the run in $dir"
    # SLURM job logs (.snakemake/slurm_logs/**) and rule logs (*.log anywhere
    # else but Snakemake's own log, which is on the console already).
    while IFS= read -r f; do
        echo "----- $f (last 80 lines)"; tail -n 80 "$f"
    done < <(find "$dir" -type f -name '*.log' -not -path "$dir/.snakemake/log/*" 2>/dev/null | sort)
    echo "----- squeue"; squeue 2>&1 || true
    daemon_logs
}

# Snakemake runs in the background so that the EXIT trap can stop it (it then
# scancels its jobs) before the daemons go; output is shown and kept.
run_snakemake() {  # run_snakemake OUTFILE ARGS...
    local out=$1 rc; shift
    timeout --kill-after=60 "$RUN_TIMEOUT" "$SNAKEMAKE" "$@" > >(tee "$out") 2>&1 &
    SMK_PID=$!
    wait "$SMK_PID"; rc=$?
    SMK_PID=""
    sleep 0.5   # let tee flush
    return "$rc"
}

# run_checked NAME SECONDS_VAR ARGS...: one Snakemake run of the smoke study into
# $WORK/NAME; on failure print the logs and exit 1; its duration goes to SECONDS_VAR.
run_checked() {
    local name=$1 var=$2 t0=$SECONDS rc; shift 2
    log "$name run: snakemake $* --configfile ${CONFIGFILES[*]} --directory $WORK/$name"
    run_snakemake "$DAEMONS/snakemake-$name.txt" \
        --snakefile "$SNAKEFILE" \
        --configfile "${CONFIGFILES[@]}" \
        --directory "$WORK/$name" \
        "$@"
    rc=$?
    printf -v "$var" '%s' "$(( SECONDS - t0 ))"
    if [ "$rc" != 0 ]; then
        print_failure_logs "$WORK/$name"
        [ "$rc" = 124 ] && log "the $name run timed out after ${RUN_TIMEOUT}s (GSBENCH_SLURM_RUN_TIMEOUT)"
        echo "slurm.sh: FAIL -- the $name run failed (exit $rc after ${!var}s)"
        exit 1
    fi
}

slurm_time=0 local_time=0
run_checked slurm slurm_time \
    --workflow-profile "$PROFILE" \
    --slurm-init-seconds-before-status-checks "$STATUS_INTERVAL" \
    --slurm-keep-successful-logs
njobs=$(find "$WORK/slurm/.snakemake/slurm_logs" -name '*.log' 2>/dev/null | wc -l)
log "SLURM run finished in ${slurm_time}s ($njobs SLURM job logs)"

run_checked local local_time --cores 2
log "local run finished in ${local_time}s"
log "times: SLURM run ${slurm_time}s, local run ${local_time}s"

"$PYTHON" - "$WORK/slurm" "$WORK/local" "$RESULTS_GLOB" <<'PY'
import glob, os, sys
import numpy as np
import pandas as pd

slurm_dir, local_dir, pattern = sys.argv[1:4]
rtol = float(os.environ.get("GSBENCH_COMPARE_RTOL", "1e-9"))
atol = float(os.environ.get("GSBENCH_COMPARE_ATOL", "1e-12"))

def files(root):
    return sorted(os.path.relpath(p, root)
                  for p in glob.glob(os.path.join(root, pattern), recursive=True))

def canon(path):
    df = pd.read_parquet(path)
    drop = [c for c in df.columns if c == "seconds" or str(c).endswith("_seconds")]
    df = df.drop(columns=drop)
    for c in df.columns:  # recorded paths (arrays in a cell) compare as lists
        if df[c].dtype == object and len(df) and isinstance(df[c].iloc[0], np.ndarray):
            df[c] = df[c].map(lambda v: np.asarray(v).tolist())
    df = df[sorted(df.columns, key=str)]
    if len(df.columns):
        key = df.astype(str)   # sortable for any dtype
        df = df.iloc[np.lexsort([key[c].to_numpy() for c in reversed(key.columns)])]
    return df.reset_index(drop=True), drop

a, b = files(slurm_dir), files(local_dir)
problems = []
if not a:
    problems.append(f"no files match {pattern!r} under {slurm_dir}")
if a != b:
    problems.append(f"different file sets: only SLURM {sorted(set(a) - set(b))[:5]}, "
                    f"only local {sorted(set(b) - set(a))[:5]}")
rows = 0
dropped = set()
for rel in sorted(set(a) & set(b)):
    x, dx = canon(os.path.join(slurm_dir, rel))
    y, dy = canon(os.path.join(local_dir, rel))
    dropped |= set(dx) | set(dy)
    rows += len(x)
    try:
        pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=rtol, atol=atol)
    except AssertionError as e:
        detail = "\n    ".join(str(e).strip().splitlines()[:8])
        problems.append(f"{rel}:\n    {detail}")
if problems:
    for p in problems[:10]:
        print("  " + p)
    if len(problems) > 10:
        print(f"  ... and {len(problems) - 10} more")
    print(f"slurm.sh: FAIL -- SLURM and local results differ ({len(problems)} problem(s), "
          f"{len(a)} SLURM vs {len(b)} local files matching {pattern})")
    sys.exit(1)
print(f"slurm.sh: PASS -- SLURM and local results equal: {len(a)} files, {rows} rows "
      f"matching {pattern} (ignored columns: {', '.join(sorted(dropped)) or 'none'})")
PY
exit $?
