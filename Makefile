# `make run` and `make test` are the README's two commands. Every target builds .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: run smoke test test-fast test-reference test-slow lint format clean

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: an unpinned resolve could pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# DeepSpeed (the paper's ZeRO-3, rehearsed on CPUs) builds against the installed torch.
	$(BIN)/pip install --quiet --no-build-isolation deepspeed==0.19.8
	$(BIN)/pip install --quiet -e '.[test,cluster]'
	touch $@

# The embedded default, end to end.
run: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES)

# The smaller preset of the same pipeline (under a minute); it lands in results/smoke/.
smoke: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES) --configfile config/smoke.yaml

# The whole suite: unit tests, real Snakemake runs, the report in Chromium and (as root) Slurm.
# pytest runs at a lower priority than the jobs of the test Slurm (started by slurmd, not by pytest):
# the Slurm rehearsal is the longest chain, and the other tests fill the CPU it leaves idle. Two
# workers: a third (tried) slowed the rehearsal, the critical path, more than it gained.
test: $(BIN)/snakemake
	./tools/install-browser.sh
	nice -n 10 $(BIN)/python -m pytest -ra -n 2 --dist loadgroup --durations=15 -m "not reference and not slow"

# The default run up to its SFT model, against reference/toy.json (about 4 minutes on 2 cores).
test-reference: $(BIN)/snakemake
	$(BIN)/python -m pytest -ra -m reference

# What CI's budget has no room for: the real ablation run on the smoke preset (about 4 minutes) and
# the default run's SFT reference (about 4 minutes).
test-slow: $(BIN)/snakemake
	$(BIN)/python -m pytest -ra -n 2 --dist loadgroup -m "slow or reference"

# Unit tests and in-process checks only (under a minute): run it while you work.
test-fast: $(BIN)/snakemake
	$(BIN)/python -m pytest -ra -m "not pipeline"

# The format and lint gates CI runs before the tests.
lint: $(BIN)/snakemake
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint --cores 1

# Rewrites files so that `make lint` passes its format checks.
format: $(BIN)/snakemake
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow

clean:
	rm -rf results .snakemake
