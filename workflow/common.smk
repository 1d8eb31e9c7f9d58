from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from egt.analysis.ablation import is_oracle, parse_variant, planned_runs
from egt.config import check_config

# Types, ranges, enums, required and unknown keys; then cross-field rules. Either stops the
# run before any job starts, with a message naming the key.
validate(config, "schemas/config.schema.yaml")
check_config(config)

# Heavy rules (training, evaluation) use every core given.
try:
    ALL_CORES = workflow.cores
except WorkflowError:  # --report, --summary, --lint: nothing runs, any number will do
    ALL_CORES = 1

SEED = config["seed"]
CLUSTER = config.get("cluster", {})


def gpus(rule_group):
    return CLUSTER.get("gpus", {}).get(rule_group, 0)


def train_processes(rule_group):
    """One training process per GPU of the job; on CPU, train.cpu_processes (1 by default)."""
    if config["device"] == "cuda":
        return max(1, gpus(rule_group))
    return config["train"].get("cpu_processes", 1)


def runtime(rule_group):
    minutes = CLUSTER.get("runtime_min", {})
    return minutes.get(rule_group, minutes.get("other", 15))


USE_CPU = config["device"] == "cpu"
STAGES = list(range(1, config["curriculum"]["stages"] + 1))
SHARDS = list(range(config["rollout"]["shards"]))
MODELS_EVALUATED = ["sft", "final"]
# Real datasets by role: pool, sft and benchmark_<name> (data.source: hub); each either a Hub
# repo (repo_id + revision) or a local folder in the same layout (path).
DATASETS = config["data"].get("datasets", {})
HUB_DATASETS = [name for name, spec in DATASETS.items() if "repo_id" in spec]
if config["data"]["source"] == "toy_world":
    BENCHMARKS = ["toy"]
else:
    BENCHMARKS = [
        name.removeprefix("benchmark_")
        for name in DATASETS
        if name.startswith("benchmark_")
    ]


def dataset_folder(name):
    spec = DATASETS[name]
    return f"resources/hub/datasets/{name}" if "repo_id" in spec else spec["path"]


def base_model_path(wildcards=None):
    """The directory SFT starts from: built here, an existing local folder, or a Hub download."""
    base = config["model"]["base"]
    if base == "tiny":
        return "results/models/base"
    if Path(base).is_dir():
        return base
    return "resources/hub/models/base"


def base_model_input(wildcards):
    base = config["model"]["base"]
    return [] if Path(base).is_dir() else [base_model_path()]


def grpo_init_model(wildcards):
    stage = int(wildcards.stage)
    return (
        "results/sft/model" if stage == 1 else f"results/grpo/stage_{stage - 1}/model"
    )


def evaluated_model(wildcards):
    if wildcards.model == "sft":
        return "results/sft/model"
    return f"results/grpo/stage_{STAGES[-1]}/model"


# The ablation target's runs: (variant, seed), variant = {order}_q{keep_quantile}.
ABLATION = config["ablation"]
ABLATION_RUNS = planned_runs(
    config["curation"]["keep_quantile"],
    ABLATION["seeds"],
    ABLATION["keep_quantiles"],
    ABLATION["sweep_seeds"],
)
ABLATION_RUN_DIR = "results/ablation/runs/{variant}/seed_{seed}"


def ablation_init_model(wildcards):
    stage = int(wildcards.stage)
    if stage == 1:
        return "results/sft/model"
    return f"{ABLATION_RUN_DIR}/stage_{stage - 1}/model".format(
        variant=wildcards.variant, seed=wildcards.seed
    )


def ablation_pool(wildcards):
    """The oracle control trains on the true labels; every other arm on the annotated pool."""
    if is_oracle(wildcards.variant):
        return "results/ablation/pool_true_labels.parquet"
    return "results/data/pool.valid.parquet"


def ablation_toy_world_inputs(wildcards):
    if config["data"]["source"] != "toy_world":
        raise WorkflowError(
            "the ablation measures noise detection against the toy world's injected-noise truth; "
            "run it with data.source: toy_world"
        )
    return {
        "hidden": "results/data/pool_hidden.parquet",
        "benchmark_hidden": "results/data/benchmark_toy_hidden.parquet",
        "sft_metrics": "results/eval/sft/toy.json",
        "sft_judgments": "results/eval/sft/toy.parquet",
    }
