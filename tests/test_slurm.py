"""The paper DAG rehearsed end to end through a real single-node Slurm with accounting (root only).

config/paper.yaml + config/rehearsal.yaml: every rule of the paper pipeline (downloads from a Hub
mirror of replicas in the published layouts, adapters, validation, teacher traces from a local
stand-in, SFT through accelerate launch with two processes, sharded rollouts, entropy, curation,
curriculum, GRPO stages (two: config/rehearsal.yaml), three benchmarks, summary, report, manifest), submitted with the
shipped profile (`--profile slurm`, job status from sacct as on a real cluster). The base model is a
Hub-layout replica downloaded from the mirror; training runs the paper's ZeRO-3 config in bf16 on CPUs.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake

from egt.benchmarks import BENCHMARKS
from egt.data.local_teacher import serve
from egt.numerics import PORTABLE_CPU_KERNELS

pytestmark = pytest.mark.pipeline
# The benchmarks the paper config evaluates (datasets benchmark_<its registered reader>); the rehearsal
# replicates every registered benchmark (egt.rehearsal), so any the config names can be read.
PAPER_BENCHMARKS = {
    name
    for name, spec in yaml.safe_load((REPO / "config/paper.yaml").read_text())["data"]["datasets"].items()
    if name.startswith("benchmark_") and spec["adapter"] in BENCHMARKS
}
KEY = "rehearsal-key-not-logged"
# The shipped profile; a test cluster answers fast, so status checks may start after 2 s.
SLURM = ["--profile", str(REPO / "slurm"), "--slurm-init-seconds-before-status-checks", "2"]
SLURM += ["--default-resources", "slurm_partition=main"]


def slurm_is_up() -> bool:
    idle = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    accounting = subprocess.run(["sacct", "-n", "-X"], capture_output=True, text=True)
    return idle.returncode == 0 and "idle" in idle.stdout and accounting.returncode == 0


@pytest.fixture(scope="module")
def slurm_cluster():
    if os.geteuid() != 0:
        pytest.skip("a test Slurm can only be started as root (tools/slurm.sh up)")
    started_here = not slurm_is_up()
    if started_here:
        up = subprocess.run([str(REPO / "tools/slurm.sh"), "up"], capture_output=True, text=True)
        if up.returncode != 0:
            pytest.skip(f"Slurm could not be started here: {up.stderr[-500:]}")
    yield
    if started_here:  # leave no daemons behind that the test itself started
        subprocess.run([str(REPO / "tools/slurm.sh"), "down"], capture_output=True)


def unrunnable_jobs(workdir) -> list[str]:
    """This run's jobs that Slurm holds because no node of the partition can ever hold them."""
    queue = subprocess.run(["squeue", "-h", "-o", "%i|%r|%C|%m|%Z|%k"], capture_output=True, text=True).stdout
    return [line for line in queue.splitlines() if "|PartitionConfig|" in line and str(workdir) in line]


def run_watching_the_queue(*args, workdir, timeout: int) -> str:
    """The Slurm run, stopped with the job's request as soon as Slurm says it can never start.

    Snakemake waits for a job that asks for more than the partition has (e.g. a group job's summed
    threads on a two-CPU node) until the timeout; this fails in seconds and says which job.
    """
    capped = str(REPO / "tests/slurm_status_cap.py")  # the plugin's status back-off capped at 3 s (see there)
    command = [sys.executable, capped, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir)]
    with open(workdir / "rehearsal.log", "w+") as log:
        run = subprocess.Popen([*command, *args], stdout=log, stderr=subprocess.STDOUT, text=True)
        for _ in range(timeout // 5):
            try:
                run.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                held = unrunnable_jobs(workdir)
                if held:
                    run.kill()
                    subprocess.run(["scancel", *(line.split("|")[0] for line in held)])
                    raise AssertionError(
                        f"Slurm can never start (id|reason|cpus|memory|workdir|comment): {held}"
                    ) from None
        else:
            run.kill()
            raise AssertionError(f"the rehearsal ran past {timeout} s")
        log.seek(0)
        output = log.read()
    assert run.returncode == 0, output[-5000:]
    return output


@pytest.fixture(scope="module")
def rehearsal(slurm_cluster, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("rehearsal")
    subprocess.run(
        [sys.executable, str(REPO / "tools/make_replicas.py"), str(workdir / "resources/rehearsal")], check=True
    )
    teacher = serve()
    override = workdir / "teacher.yaml"
    override.write_text(yaml.safe_dump({"teacher": {"base_url": f"http://127.0.0.1:{teacher.server_address[1]}/v1"}}))
    configs = ["--configfile", str(REPO / "config/paper.yaml"), str(REPO / "config/rehearsal.yaml"), str(override)]
    os.environ["EGT_REHEARSAL_TEACHER_KEY"] = KEY
    dry = snakemake("-n", *SLURM, *configs, workdir=workdir, timeout=300)
    first = run_watching_the_queue(*SLURM, *configs, workdir=workdir, timeout=1500)
    second = snakemake(*SLURM, *configs, workdir=workdir, timeout=300)
    yield workdir, jobs_planned(dry.stdout + dry.stderr), first, second.stdout + second.stderr
    teacher.shutdown()


def test_every_rule_of_the_paper_dag_ran_as_a_slurm_job(rehearsal):
    workdir, planned, first, _ = rehearsal
    expected = {"download_dataset": 3, "adapt_dataset": 5, "validate_data": 5, "teacher_traces": 1, "download_model": 1}
    expected |= {"sft": 1, "rollout": 2, "entropy_tables": 1, "curate": 1, "curriculum": 1, "grpo_stage": 2}
    expected |= {
        "evaluate": 2 * len(PAPER_BENCHMARKS),
        "summary": 1,
        "report_plots": 1,
        "report_tables": 1,
        "reward_model": 1,
    }
    expected |= {"manifest": 1, "all": 1}
    assert planned == expected
    submitted = re.findall(r"SLURM jobid (\d+)", first)
    # every job but the local `all`; the second-long chains one group job each: every dataset's download,
    # adaptation and validation (13 jobs, 6 chains: the teacher's traces split the SFT candidates'
    # adaptation from their validation), entropy tables -> curation -> curriculum, summary -> the
    # report's plots and tables, model release -> manifest: 36 jobs, 22 submissions
    assert len(set(submitted)) == sum(planned.values()) - 1 - (13 - 6) - (3 - 1) - (3 - 1) - (2 - 1)
    groups = re.findall(r"SLURM jobid \d+ \(log: [^)]*group_(data|curation|report|release)", first)
    assert sorted(groups) == ["curation", *["data"] * 6, "release", "report"], first[-3000:]
    # status came from accounting: sacct knows every job the run submitted, each COMPLETED
    accounted = subprocess.run(
        ["sacct", "-X", "--parsable2", "--noheader", "--format=JobIdRaw,State", "-j", ",".join(submitted)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(line.split("|")[1] for line in accounted) == ["COMPLETED"] * len(submitted)
    # the training rules asked Slurm for a GPU and got one; the others did not ask
    results = workdir / "results/rehearsal"
    sft_log = (results / "logs/sft/sft.log").read_text()
    assert "'CUDA_VISIBLE_DEVICES': '0'" in sft_log.splitlines()[0] and "SLURM_JOB_ID" in sft_log.splitlines()[0]
    assert "launching 2 processes (deepspeed)" in sft_log  # the paper's launcher path and ZeRO-3 config
    assert "global batch 8 = 2 process(es) x 2 per device x 2 accumulation step(s)" in sft_log
    # the Hub checkpoint's bf16 weights, kept as such: ZeRO-3 holds the fp32 masters
    assert "weights in torch.bfloat16, backend deepspeed" in sft_log
    grpo_log = (results / "logs/grpo/stage_1.log").read_text()
    assert "launching 2 processes (deepspeed)" in grpo_log and "backend deepspeed" in grpo_log
    # cores per job from cluster.cpus (a profile run gives Snakemake no core count): sacct's allocation
    logs = dict(re.findall(r"SLURM jobid (\d+) \(log: ([^)]*)\)", first))
    training = [job for job, log in logs.items() if "rule_sft" in log or "rule_grpo_stage" in log]
    assert len(training) == 3, logs
    allocated = subprocess.run(
        ["sacct", "-X", "--parsable2", "--noheader", "--format=JobIdRaw,AllocCPUS", "-j", ",".join(training)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(int(line.split("|")[1]) for line in allocated) == [2, 2, 2]
    assert "CUDA_VISIBLE_DEVICES" not in (results / "logs/data/validate_pool.log").read_text().splitlines()[0]


def test_rehearsal_outputs_are_valid(rehearsal):
    workdir, *_ = rehearsal
    results = workdir / "results/rehearsal"
    summary = json.loads((results / "summary.json").read_text())
    for model in ("sft", "final"):
        assert set(summary["evaluation"][model]) == PAPER_BENCHMARKS
        for name, metrics in summary["evaluation"][model].items():
            assert 0 <= metrics["accuracy"] <= 1 and metrics["official"]["scorer"] == name.removeprefix("benchmark_")
    # what each dataset left out, by role and reason, in the summary (the replica of Multimodal RewardBench
    # skips a tie and the Hateful-Memes items, whose images are not distributed)
    data = summary["data"]
    assert data["benchmark_multimodal_rewardbench"]["role"] == "benchmark" and data["pool"]["role"] == "pool"
    mmrb = data["benchmark_multimodal_rewardbench"]
    assert mmrb["records_skipped"] == sum(mmrb["skip_reasons"].values()) > 0
    assert (
        "benchmark_multimodal_rewardbench, skipped (data/benchmark_multimodal_rewardbench.skipped.parquet)"
        in (results / "summary.md").read_text()
    )
    assert "skipped" in (results / "report/data.html").read_text()
    # the cost plan, from the rehearsal's adapted data, beside what the jobs took
    assert "## Cost plan" in (results / "summary.md").read_text() and "| grpo | 2 |" in summary["cost_plan"]
    # each torch job logged its numeric environment, and the manifest collected them
    numerics = json.loads((results / "manifest.json").read_text())["numerics"]
    jobs = [job for entry in numerics for job in entry["jobs"]]
    pinned = PORTABLE_CPU_KERNELS["ATEN_CPU_CAPABILITY"].upper()
    assert "sft/sft.log" in jobs and all(entry["environment"]["capability"] == pinned for entry in numerics)
    # the final model as a folder to upload: Hub model card and the judging settings it was trained with
    card = (results / "reward_model/README.md").read_text()
    assert card.startswith("---\nlicense: apache-2.0") and "base_model: Qwen/Qwen2.5-VL-7B-Instruct" in card
    assert "- yifanzhang114/R1-Reward-RL" in card and "| benchmark_vl_rewardbench |" in card
    assert json.loads((results / "reward_model/egt_judge.json").read_text())["template"] == "r1_reward"
    teacher = json.loads((results / "data/sft.teacher.json").read_text())
    assert teacher["traces_kept"] + teacher["pairs_dropped"] == teacher["pairs_in"] > 0
    manifest = json.loads((results / "manifest.json").read_text())
    assert manifest["config"]["run"] == "rehearsal" and manifest["outputs"]
    for download in (workdir / "resources/hub/datasets").glob("*.manifest.json"):
        files = [f["path"] for f in json.loads(download.read_text())["files"]]
        assert files and not any(f.endswith((".tsv", ".zip")) for f in files)  # only what the adapter reads
    for path in results.rglob("*"):
        if path.is_file() and path.suffix in {".log", ".json", ".jsonl", ".md"}:
            assert KEY not in path.read_text(errors="ignore"), path


def test_a_second_run_submits_nothing(rehearsal):
    *_, second = rehearsal
    assert "Nothing to be done" in second and "SLURM jobid" not in second
