# `make run` and `make test` are the README's two commands. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: run smoke test lint clean

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: an unpinned resolve could pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The embedded default, end to end.
run: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES)

# The smaller preset of the same pipeline.
smoke: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES) --configfile config/smoke.yaml --directory results-smoke

test: $(BIN)/snakemake
	./tools/install-browser.sh
	$(BIN)/python -m pytest -ra

lint: $(BIN)/snakemake
	$(BIN)/snakemake --lint

clean:
	rm -rf results .snakemake
