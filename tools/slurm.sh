#!/usr/bin/env bash
# A real single-node Slurm for the tests, with accounting: `tools/slurm.sh up` / `down` / `status`.
# Idempotent; needs root (installs from Debian, writes /etc/slurm). One node with one fake GPU
# (a copy of /dev/null as the device). Accounting runs as on a real cluster (slurmdbd on a
# socket-only MariaDB), so the shipped profile's sacct status checks work unchanged.
set -euo pipefail
action=${1:-up}
host=$(hostname -s)
socket=/run/mysqld/mysqld.sock

install() {
  if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null || ! command -v mariadbd >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm slurmctld slurmd slurmdbd slurm-client munge mariadb-server >/dev/null
  fi
}

wait_for() {  # wait_for SECONDS COMMAND...: until the command succeeds
  local seconds=$1
  shift
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  return 1
}

database() {
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  if ! mariadb-admin --socket="$socket" ping >/dev/null 2>&1; then
    [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    runuser -u mysql -- mariadbd --datadir=/var/lib/mysql --socket="$socket" --skip-networking \
      --pid-file=/run/mysqld/mysqld.pid >/var/log/slurm/mariadb.log 2>&1 &
    wait_for 60 mariadb-admin --socket="$socket" ping || { echo "slurm: MariaDB did not start" >&2; return 1; }
  fi
  mariadb --socket="$socket" -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
    CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
}

up() {
  install
  if sinfo -h -o %T 2>/dev/null | grep -q idle && sacct -n -X >/dev/null 2>&1; then
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
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=300
ReturnToService=2
GresTypes=gpu
${node} RealMemory=$((memory * 9 / 10)) Gres=gpu:1 NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
  cat >/etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=slurm
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
CONF
  chmod 600 /etc/slurm/slurmdbd.conf
  printf 'AutoDetect=off\nNodeName=%s Name=gpu File=/dev/fakegpu0\n' "$host" >/etc/slurm/gres.conf
  chown munge:munge /run/munge
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  database
  pgrep -x slurmdbd >/dev/null || slurmdbd
  wait_for 60 sacctmgr -n list cluster || { echo "slurm: slurmdbd did not answer" >&2; return 1; }
  sacctmgr -n list cluster format=cluster | grep -qw egt || sacctmgr -i add cluster egt >/dev/null
  pgrep -x slurmctld >/dev/null || slurmctld -i
  pgrep -x slurmd >/dev/null || slurmd -N "$host"
  if wait_for 60 sh -c 'sinfo -h -o %T | grep -q idle'; then
    echo "slurm: node ${host} idle, accounting through slurmdbd"
    return 0
  fi
  echo "slurm: node did not become idle" >&2
  sinfo -N -l >&2 || true
  return 1
}

down() {
  pkill -x slurmd || true
  pkill -x slurmctld || true
  pkill -x slurmdbd || true
  mariadb-admin --socket="$socket" shutdown >/dev/null 2>&1 || true
  pkill -x munged || true
}

case "$action" in
  up) up ;;
  down) down ;;
  status) sinfo -N -l && sacct -n -X | tail -n 5 ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
