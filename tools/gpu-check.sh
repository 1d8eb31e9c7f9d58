#!/usr/bin/env bash
# The paper DAG's rehearsal on one GPU, through the code paths a first paper run takes:
# config/paper.yaml + config/rehearsal.yaml with device cuda, run locally (no Slurm). The base model
# is the Hub-layout replica of Qwen2.5-VL-7B-Instruct (bf16 weights, the published processor files,
# loaded from a Hub mirror), SFT and every GRPO stage train through `accelerate launch` with the
# paper's ZeRO-3 config (one process on the one GPU), in bf16 with gradient checkpointing; rollouts,
# GRPO (TRL's colocate mode) and evaluation use vLLM when the Python can import it (envs/vllm.yaml's
# pins; it says so either way). CUDA_VISIBLE_DEVICES is set (default 0): on a host
# with several GPUs, TRL's GRPO refuses to start in one process that sees them all.
# Prints each job's wall time and the peak GPU memory its processes logged. Meant to take under 10
# minutes on one GPU (never measured: no GPU was available while this was written). Run from the
# repository root:
#   tools/gpu-check.sh [workdir]        (default: a fresh folder under /tmp)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/egt-gpu-check.XXXXXX)}
python=${PYTHON:-$repo/.venv/bin/python}
export CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0}
"$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "gpu-check: no CUDA device visible to torch")'
mkdir -p "$work"
"$python" "$repo/tools/make_replicas.py" "$work/resources/rehearsal" >/dev/null
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$python" -m egt.data.local_teacher --port "$port" >"$work/teacher.log" 2>&1 &
teacher=$!
trap 'kill $teacher 2>/dev/null || true' EXIT
engine=hf
if "$python" -c 'import vllm' 2>/dev/null; then
  engine=vllm
else
  echo "gpu-check: vLLM is not importable by $python: every step generates with transformers (hf);"
  echo "gpu-check: for the vLLM paths, run with PYTHON set to an environment built from envs/vllm.yaml"
fi
cat >"$work/gpu.yaml" <<CONF
run: gpu-check
device: cuda
teacher: {base_url: "http://127.0.0.1:$port/v1"}
cluster: {gpus: {sft: 1, rollout: 1, grpo: 1, evaluate: 1}}
rollout: {engine: $engine}
grpo: {engine: $engine, vllm: {gpu_memory_utilization: 0.3, max_model_length: 4096}}
evaluation: {engine: $engine}
CONF
echo "gpu-check: GPU $CUDA_VISIBLE_DEVICES, rollouts, GRPO and evaluation by $engine, work folder $work"
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
  peak=$(grep -ho 'peak GPU memory [0-9]* MB' "$log" 2>/dev/null | cut -d' ' -f4 | sort -n | tail -n 1 || true)
  echo "$job | $(tail -n 1 "$tsv" | cut -f1) | ${peak:+$peak MB}"
done
