#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests and for trying the runner's job arrays:
#   scripts/slurm-local.sh up      starts munged (when not running), slurmctld and slurmd; prints the
#                                  `export SLURM_CONF=...` that sbatch, squeue, scancel and scontrol need
#   scripts/slurm-local.sh down    stops what `up` started (by the PIDs in its pid files) and removes its folder
#   scripts/slurm-local.sh env     prints the export line again (exit 1 when the cluster is not up)
# Needs root (slurmd starts jobs as their user) and Debian's slurm-wlm and munge (apt-get install slurm-wlm
# munge); no systemd. State, spool, logs and slurm.conf live in $ODL_SLURM_DIR (default /tmp/odl-slurm);
# the controller and node daemon listen on 127.0.0.1 ports $ODL_SLURM_PORT and $ODL_SLURM_PORT + 1
# (default 6817, 6818). No accounting database: finished jobs are in $ODL_SLURM_DIR/jobcomp.txt and, for
# 5 minutes, in `scontrol show job`.
set -euo pipefail

DIR=${ODL_SLURM_DIR:-/tmp/odl-slurm}
PORT=${ODL_SLURM_PORT:-6817}
CONF=$DIR/slurm.conf

die() { echo "slurm-local: $*" >&2; exit 1; }

alive() { local pid; pid=$(cat "$1" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; }

# Waits (up to $2 tenths of a second) for the process of pid file $1 to exit.
wait_gone() {
  local pid n=0
  pid=$(cat "$1" 2>/dev/null) || return 0
  while kill -0 "$pid" 2>/dev/null; do
    n=$((n + 1))
    [ "$n" -gt "$2" ] && return 1
    sleep 0.1
  done
}

stop() { # pid file, name
  if alive "$1"; then
    kill -TERM "$(cat "$1")" 2>/dev/null || true
    wait_gone "$1" 100 || { echo "slurm-local: $2 did not stop in 10 s; killing it" >&2; kill -KILL "$(cat "$1")" 2>/dev/null || true; wait_gone "$1" 50 || true; }
  fi
  rm -f "$1"
}

up() {
  [ "$(id -u)" = 0 ] || die "needs root (slurmd starts each job as the user who submitted it)."
  for b in munged slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || die "$b is missing: apt-get install slurm-wlm munge"
  done
  if alive "$DIR/slurmctld.pid" && alive "$DIR/slurmd.pid"; then
    echo "export SLURM_CONF=$CONF"
    return 0
  fi
  mkdir -p "$DIR/state" "$DIR/spool"

  # munge: the key (created once), its socket folder, the daemon as the munge user; reused when running.
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
    if [ ! -s /etc/munge/munge.key ]; then
      if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key >/dev/null
      else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 0400 /etc/munge/munge.key
    chmod 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done
    cp /run/munge/munged.pid "$DIR/munged.pid"
  fi
  [ -S /run/munge/munge.socket.2 ] || die "munged did not start (no /run/munge/munge.socket.2)."

  # The node as slurmd sees it, memory a little below what the machine has.
  local host node mem
  host=$(hostname -s)
  node=$(/usr/sbin/slurmd -C | head -1 | sed -E 's/ RealMemory=[0-9]+//')
  mem=$(free -m | awk '/^Mem:/ { print int($2 * 0.95) }')
  cat > "$CONF" <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster for tests and trials.
ClusterName=odl-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
MinJobAge=300
KillWait=10
InactiveLimit=0
$node RealMemory=$mem NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  /usr/sbin/slurmctld -f "$CONF"
  /usr/sbin/slurmd -f "$CONF"
  # Both must keep running (a port in use makes them exit after writing their pid files).
  sleep 0.5
  for d in slurmctld slurmd; do
    alive "$DIR/$d.pid" || die "$d did not stay up (port $PORT or $((PORT + 1)) in use by another cluster?); see $DIR/$d.log"
  done
  export SLURM_CONF=$CONF
  # Up when the node takes jobs.
  local state=""
  for _ in $(seq 100); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    case "$state" in idle|mix|alloc) break ;; esac
    sleep 0.1
  done
  case "$state" in idle|mix|alloc) ;; *) die "the node is not up (state \"$state\"); see $DIR/slurmctld.log and $DIR/slurmd.log" ;; esac
  echo "export SLURM_CONF=$CONF"
}

down() {
  stop "$DIR/slurmd.pid" slurmd
  stop "$DIR/slurmctld.pid" slurmctld
  # munged only when `up` started it.
  stop "$DIR/munged.pid" munged
  rm -rf "$DIR"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) alive "$DIR/slurmctld.pid" || die "not up ($DIR)"; echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
