#!/usr/bin/env bash
# A real single-node Slurm for the tests: `tools/slurm.sh up` / `tools/slurm.sh down` / `status`.
# Idempotent; needs root (installs from Debian, writes /etc/slurm). One node with one fake GPU
# (a copy of /dev/null as the device), no accounting: status checks use squeue.
set -euo pipefail
action=${1:-up}
host=$(hostname -s)

up() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm slurmctld slurmd slurm-client munge >/dev/null
  fi
  if sinfo -h -o %T 2>/dev/null | grep -q idle; then
    return 0
  fi
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
  [ -e /dev/fakegpu0 ] || mknod -m 0666 /dev/fakegpu0 c 1 3
  # The node's CPU line exactly as slurmd sees it, so it is never drained for a mismatch.
  node=$(slurmd -C | head -n 1 | sed -E 's/ RealMemory=[0-9]+//')
  memory=$(slurmd -C | head -n 1 | sed -E 's/.*RealMemory=([0-9]+).*/\1/')
  cat >/etc/slurm/slurm.conf <<CONF
ClusterName=egt
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=300
ReturnToService=2
GresTypes=gpu
${node} RealMemory=$((memory * 9 / 10)) Gres=gpu:1 NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
  printf 'AutoDetect=off\nNodeName=%s Name=gpu File=/dev/fakegpu0\n' "$host" >/etc/slurm/gres.conf
  chown munge:munge /run/munge
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  pgrep -x slurmctld >/dev/null || slurmctld -i
  pgrep -x slurmd >/dev/null || slurmd -N "$host"
  for _ in $(seq 60); do
    if sinfo -h -o %T 2>/dev/null | grep -q idle; then
      echo "slurm: node ${host} idle"
      return 0
    fi
    sleep 1
  done
  echo "slurm: node did not become idle" >&2
  sinfo -N -l >&2 || true
  return 1
}

down() {
  pkill -x slurmd || true
  pkill -x slurmctld || true
  pkill -x munged || true
}

case "$action" in
  up) up ;;
  down) down ;;
  status) sinfo -N -l ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
