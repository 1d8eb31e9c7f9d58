#!/usr/bin/env bash
# The paper DAG's rehearsal on one GPU: config/paper.yaml + config/rehearsal.yaml with device cuda
# and bf16, run locally (no Slurm). Prints each job's wall time and the peak GPU memory each GPU job
# logged. Meant to take under 10 minutes on one GPU. Run from the repository root:
#   tools/gpu-check.sh [workdir]        (default: a fresh folder under /tmp)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/egt-gpu-check.XXXXXX)}
python=${PYTHON:-$repo/.venv/bin/python}
"$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "gpu-check: no CUDA device visible to torch")'
mkdir -p "$work"
"$python" "$repo/tools/make_replicas.py" "$work/resources/rehearsal" >/dev/null
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$python" -m egt.data.local_teacher --port "$port" >"$work/teacher.log" 2>&1 &
teacher=$!
trap 'kill $teacher 2>/dev/null || true' EXIT
cat >"$work/gpu.yaml" <<CONF
run: gpu-check
device: cuda
teacher: {base_url: "http://127.0.0.1:$port/v1"}
cluster: {gpus: {sft: 1, rollout: 1, grpo: 1, evaluate: 1}}
train: {bf16: true, gradient_checkpointing: true}
CONF
start=$(date +%s)
EGT_REHEARSAL_TEACHER_KEY=local "$python" -m snakemake --snakefile "$repo/Snakefile" --directory "$work" \
  --cores "$(nproc)" --resources gpu=1 \
  --configfile "$repo/config/paper.yaml" "$repo/config/rehearsal.yaml" "$work/gpu.yaml" >"$work/snakemake.log" 2>&1 \
  || { tail -n 40 "$work/snakemake.log"; exit 1; }
echo "gpu-check: the rehearsal on $("$python" -c 'import torch; print(torch.cuda.get_device_name(0))') in $(( $(date +%s) - start )) s"
echo "job | wall time (s) | peak GPU memory"
for tsv in $(find "$work/results/gpu-check/benchmarks" -name '*.tsv' | sort); do
  job=${tsv#"$work/results/gpu-check/benchmarks/"}; job=${job%.tsv}
  log="$work/results/gpu-check/logs/$job.log"
  peak=$(grep -ho 'peak GPU memory [0-9]* MB' "$log" 2>/dev/null | tail -n 1 | cut -d' ' -f4 || true)
  echo "$job | $(tail -n 1 "$tsv" | cut -f1) | ${peak:+$peak MB}"
done
