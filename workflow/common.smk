from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from egt.analysis.ablation.plan import ARMS, VARIANT_PATTERN, Variant, planned_runs
from egt.analysis.scorer import scorer_name
from egt.cost_plan import SECTIONS as COST_PLAN_SECTIONS
from egt.config import ConfigError, check_config, hub_folder, training_processes
from egt.readers import hub_allow_patterns, missing_local_sources
from egt.data.usability import role
from egt.numerics import pin_cpu_kernels

# Types, ranges, enums, required and unknown keys; then cross-field rules. Either stops the
# run before any job starts, with a message naming the key.
validate(config, "schemas/config.schema.yaml")
try:
    check_config(config)
except ConfigError as error:
    raise WorkflowError(f"invalid configuration: {error}") from None

# Every job's CPU kernels are pinned (numerics.cpu_kernels: portable), through the environment
# the jobs inherit, so that another CPU gives the same figures (egt.numerics).
pin_cpu_kernels(config["numerics"]["cpu_kernels"])

# Every output of a run lives under results/<run>/: one config's data never feeds another's.
RUN = config["run"]
R = f"results/{RUN}"

# Heavy rules (training, evaluation) use every core given, unless cluster.cpus says otherwise.
try:
    ALL_CORES = workflow.cores
except (
    WorkflowError
):  # a cluster profile without --cores, --report, --lint: no core count
    ALL_CORES = 1

SEED = config["seed"]
CLUSTER = config["cluster"]
HEAVY_RULE_GROUPS = {"sft", "grpo", "evaluate"}
# The image budget of every processor egt loads (HF and vLLM alike); None keeps the model's own.
PIXELS = {key: config["model"].get(key) for key in ("min_pixels", "max_pixels")}


def cpus(rule_group):
    """Threads of a job (Slurm --cpus-per-task): cluster.cpus, else every core for the heavy rules."""
    default = ALL_CORES if rule_group in HEAVY_RULE_GROUPS else 1
    return CLUSTER["cpus"].get(rule_group, default)


def gpus(rule_group):
    return CLUSTER["gpus"].get(rule_group, 0)


def mem_mb(rule_group):
    memory = CLUSTER["mem_mb"]
    return memory.get(rule_group, memory["other"])


def runtime(rule_group):
    minutes = CLUSTER["runtime_min"]
    return minutes.get(rule_group, minutes["other"])


def job_name(output_path):
    """A job's name under a folder of the run: its output's path inside results/<run>/, less the suffix."""
    return Path(str(output_path).removeprefix(f"{R}/")).with_suffix("")


def checkpoint_dir(output_path):
    """Where a job keeps resumable work: outside its outputs, which Snakemake deletes after a kill."""
    return f"{R}/checkpoints/{job_name(output_path)}"


def training_job(rule_group, output_path, seed):
    """What a training script needs besides its data: see egt.training.launch."""
    train = config["train"]
    return {
        "params": config[rule_group],
        "seed": seed,
        "device": config["device"],
        "checkpoint_dir": checkpoint_dir(output_path),
        "save_steps": train["save_steps"],
        "bf16": train["bf16"],
        "gradient_checkpointing": train["gradient_checkpointing"],
        "trust_remote_code": config["trust_remote_code"],
        "template": config["judging"]["template"],
        "pixels": PIXELS,
        # how the trained model judges, saved beside it (egt_judge.json): the evaluation's settings
        "judging": {
            "template": config["judging"]["template"],
            "pixels": PIXELS,
            "max_new_tokens": config["evaluation"]["max_new_tokens"],
            "batch_size": config["evaluation"]["batch_size"],
        },
        "processes": training_processes(config, rule_group),
        "accelerate_config": train["accelerate_config"],
        "report_to": train["report_to"],
        "tensorboard_dir": f"{R}/logs/tensorboard/{job_name(output_path)}",
    }


def scorer_training_job(wildcards, output_path):
    """The pipeline's SFT job (sft.*) for a scorer's step count (workflow/scorer.smk)."""
    job = training_job("sft", output_path, SEED)
    return {**job, "params": {**job["params"], "max_steps": int(wildcards.steps)}}


def scored_pairs(scored):
    """What a scorer judges: the pool, or the noisy validation split it is chosen on."""
    if scored == "pool":
        return f"{R}/data/pool.valid.parquet"
    return f"{R}/data/noisy_validation.parquet"


# Which model's rollouts rank the pool for curation, the curriculum and the ablation's schedules
# (entropy.model): the SFT model RL starts from (the paper's setting), or a scorer (workflow/scorer.smk).
ENTROPY = config["entropy"]
ENTROPY_DIR = (
    f"{R}/entropy"
    if ENTROPY["model"] == "sft"
    else f"{R}/scorers/{scorer_name(ENTROPY['scorer'])}/pool"
)
CURATION_PAIRS = f"{ENTROPY_DIR}/pair_entropy.parquet"


STAGES = list(range(1, config["curriculum"]["stages"] + 1))
SHARDS = list(range(config["rollout"]["shards"]))
MODELS_EVALUATED = ["sft", "final"]
# Real datasets by role: pool, sft (or sft_candidates) and benchmark_<name> (data.source: hub);
# each either a Hub repo (repo_id + revision) or a local folder in the published layout (path).
DATASETS = config["data"].get("datasets", {})
# Local sources must be in place before anything runs: say which, where and what, once.
MISSING_SOURCES = missing_local_sources(DATASETS)
if MISSING_SOURCES:
    raise WorkflowError(
        "these local source folders are not there yet; put in each what it says, then rerun:\n"
        + "\n".join(MISSING_SOURCES)
    )
# Hub downloads are shared by every run and named by repository and revision.
HUB_DATASETS = {
    hub_folder(spec): spec for spec in DATASETS.values() if "repo_id" in spec
}
# Evaluated datasets: benchmarks (final numbers) and validation sets (for tuning decisions).
if config["data"]["source"] == "toy_world":
    BENCHMARKS, VALIDATION = ["benchmark_toy"], ["validation_toy"]
else:
    BENCHMARKS = [name for name in DATASETS if name.startswith("benchmark_")]
    VALIDATION = [name for name in DATASETS if name.startswith("validation_")]
EVALUATED = BENCHMARKS + VALIDATION


def scorer(dataset):
    """Which benchmark's official scorer applies to a dataset (its adapter; "toy" for the toy world)."""
    return DATASETS[dataset]["adapter"] if dataset in DATASETS else "toy"


def max_skipped(dataset):
    """The share of a dataset's records adaptation or validation may leave out (data.max_skipped_fraction)."""
    return config["data"]["max_skipped_fraction"][role(dataset)]


def dataset_folder(name):
    spec = DATASETS[name]
    if "repo_id" in spec:
        return f"resources/hub/datasets/{hub_folder(spec)}"
    return spec["path"]


def base_model_path(wildcards=None):
    """The directory SFT starts from: built here, an existing local folder, or a Hub download."""
    model = config["model"]
    if model["base"] == "tiny":
        return f"{R}/models/base"
    if Path(model["base"]).is_dir():
        return model["base"]
    return f"resources/hub/models/{hub_folder({'repo_id': model['base'], 'revision': model['revision']})}"


def base_model_input(wildcards):
    return [] if Path(config["model"]["base"]).is_dir() else [base_model_path()]


def grpo_init_model(wildcards):
    stage = int(wildcards.stage)
    return f"{R}/sft/model" if stage == 1 else f"{R}/grpo/stage_{stage - 1}/model"


def evaluated_model(wildcards):
    if wildcards.model == "sft":
        return f"{R}/sft/model"
    return f"{R}/grpo/stage_{STAGES[-1]}/model"


def grpo_seed(wildcards):
    """Every GRPO stage on its own torch seed; an ablation run's seeds x100 keep runs apart."""
    base = 100 * int(wildcards.seed) if "seed" in wildcards.keys() else SEED
    return base + int(wildcards.stage)


# The ablation target's runs: (variant, seed); see egt.analysis.ablation.plan.
ABLATION = config["ablation"]
ABLATION_ARMS = ABLATION.get("arms") or list(ARMS)
ABLATION_RUNS, SWEEP_RUNS = planned_runs(
    ABLATION_ARMS,
    config["curation"]["keep_quantile"],
    ABLATION["seeds"],
    ABLATION["extra_seeds"],
    ABLATION["keep_quantiles"],
)
# Arms are scored on the benchmark (final numbers) or, while tuning, on the validation set; the
# keep_quantile sweep, a tuning instrument, always on the validation set.
ARM_SPLIT = {"benchmark": BENCHMARKS, "validation": VALIDATION}[ABLATION["split"]][0]
SWEEP_SPLIT = VALIDATION[0] if VALIDATION else None
# The ablation's folder: results/<run>/ablation, or, with entropy ranked by a scorer (entropy.model), one
# of its own beside it, so that the two experiments' tables stand side by side (docs/ablation.md). A
# folder names the ranking its runs read: a run whose schedule no ranking changes (Variant.ranked:
# baseline, oracle labels, random drop) lives in results/<run>/ablation whichever model ranks the pool,
# so the two experiments share it instead of training it twice.
ABLATION_NAME = (
    "ablation"
    if ENTROPY["model"] == "sft"
    else f"ablation_scorer_{scorer_name(ENTROPY['scorer'])}"
)
ABLATION_DIR = f"{R}/{ABLATION_NAME}"
ABLATION_FOLDER_PATTERN = r"ablation(_scorer_t\d+_s\d+)?"
ABLATION_RUN_DIR = f"{R}/{{ablation}}/runs/{{variant}}/seed_{{seed}}"
ABLATION_LOG_DIR = "{ablation}/{variant}/seed_{seed}"  # under logs/ and benchmarks/


def ranking_dir(folder):
    """The entropy tables an ablation folder's runs are ranked by: the SFT model's for
    results/<run>/ablation, a scorer's pool tables for ablation_scorer_<budget>."""
    if folder == "ablation":
        return f"{R}/entropy"
    return f"{R}/scorers/{folder.removeprefix('ablation_scorer_')}/pool"


def ranked_by(folder):
    """What ranks the pool, in the ablation table's words."""
    if folder == "ablation":
        return "the SFT model RL starts from (entropy.model: sft, the paper's setting)"
    return (
        f"the scorer {folder.removeprefix('ablation_scorer_')}'s rollouts (entropy.model: scorer); RL "
        f"still starts from the SFT model, and the runs no ranking changes (baseline, oracle labels, "
        f"random drop) are the ones in {R}/ablation/runs/"
    )


def ablation_run_dir(variant, seed, folder=ABLATION_NAME):
    """Where one run of the ablation in ``folder`` lives (see ABLATION_NAME)."""
    shared_or_own = folder if Variant.parse(variant).ranked else "ablation"
    return ABLATION_RUN_DIR.format(ablation=shared_or_own, variant=variant, seed=seed)


def ablation_ranking(wildcards):
    """The pair table a run's schedule is drawn from: its folder's ranking."""
    return f"{ranking_dir(wildcards.ablation)}/pair_entropy.parquet"


def ablation_table_inputs(wildcards):
    """One ablation folder's table: its ranking, and every run of ABLATION_RUNS, then of SWEEP_RUNS, in
    order (shared runs from results/<run>/ablation)."""
    folder = wildcards.ablation

    def files(runs, name):
        return [f"{ablation_run_dir(v, s, folder)}/{name}" for v, s in runs]

    return {
        "pairs": ablation_ranking(wildcards),
        "analysis": f"{ranking_dir(folder)}/entropy_accuracy.json",
        "metrics": files(ABLATION_RUNS, f"evaluation/{ARM_SPLIT}.json")
        + files(SWEEP_RUNS, f"evaluation/{SWEEP_SPLIT}.json"),
        "judgments": files(ABLATION_RUNS, f"evaluation/{ARM_SPLIT}.parquet"),
        "histories": [
            f"{ablation_run_dir(v, s, folder)}/stage_{stage}/log_history.json"
            for v, s in ABLATION_RUNS
            for stage in STAGES
        ],
    }


def ablation_init_model(wildcards):
    stage = int(wildcards.stage)
    if stage == 1:
        return f"{R}/sft/model"
    return f"{ABLATION_RUN_DIR}/stage_{stage - 1}/model".format(
        ablation=wildcards.ablation, variant=wildcards.variant, seed=wildcards.seed
    )


def ablation_pool(wildcards):
    """The oracle control trains on the true labels; every other arm on the annotated pool."""
    if Variant.parse(wildcards.variant).labels == "oracle":
        return f"{R}/ablation/pool_true_labels.parquet"
    return f"{R}/data/pool.valid.parquet"


def summary_toy_world_inputs(wildcards):
    """The toy world's truth, for the summary only (real data has none)."""
    if config["data"]["source"] != "toy_world":
        return {}
    return {
        "pool_hidden": f"{R}/data/pool_hidden.parquet",
        "clean_hidden": [f"{R}/data/{name}_hidden.parquet" for name in EVALUATED],
        "calibration": f"{R}/evaluation/final/benchmark_toy.calibration.json",
        "best_of_n": f"{R}/evaluation/final/best_of_n.json",
    }


def ablation_toy_world_inputs(wildcards):
    if config["data"]["source"] != "toy_world":
        raise WorkflowError(
            "the ablation measures noise detection against the toy world's injected-noise truth; "
            "run it with data.source: toy_world"
        )
    return {
        "hidden": f"{R}/data/pool_hidden.parquet",
        "split_hidden": f"{R}/data/{ARM_SPLIT}_hidden.parquet",
        "sft_metrics": f"{R}/evaluation/sft/{ARM_SPLIT}.json",
        "sft_judgments": f"{R}/evaluation/sft/{ARM_SPLIT}.parquet",
    }
