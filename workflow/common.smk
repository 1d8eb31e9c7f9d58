from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from egt.config import check_config

# Types, ranges, enums, required and unknown keys; then cross-field rules. Either stops the
# run before any job starts, with a message naming the key.
validate(config, "schemas/config.schema.yaml")
check_config(config)

try:
    ALL_CORES = (
        workflow.cores
    )  # heavy rules (training, evaluation) use every core given
except WorkflowError:  # --report, --summary, --lint: nothing runs, any number will do
    ALL_CORES = 1

SEED = config["seed"]
USE_CPU = config["device"] == "cpu"
STAGES = list(range(1, config["curriculum"]["stages"] + 1))
SHARDS = list(range(config["rollout"]["shards"]))
MODELS_EVALUATED = ["sft", "final"]
BENCHMARKS = ["toy"]


def base_model_path(wildcards=None):
    """The directory (or Hub id) SFT starts from."""
    if config["model"]["base"] == "tiny":
        return "results/models/base"
    return config["model"]["base"]


def base_model_input(wildcards):
    # Only a model built by this workflow is a file dependency; a Hub id is not.
    return ["results/models/base"] if config["model"]["base"] == "tiny" else []


def grpo_init_model(wildcards):
    stage = int(wildcards.stage)
    return (
        "results/sft/model" if stage == 1 else f"results/grpo/stage_{stage - 1}/model"
    )


def evaluated_model(wildcards):
    if wildcards.model == "sft":
        return "results/sft/model"
    return f"results/grpo/stage_{STAGES[-1]}/model"
