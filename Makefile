# Every target installs what it needs into .venv first; `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export LAKEHOUSE_WAREHOUSE ?= $(CURDIR)/warehouse

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

install: $(VENV)/.installed ## Create .venv with the locked dependencies

run: install ## Build every table from the bundled sample data into ./warehouse
	$(BIN)/lakehouse run

# The dbt templater parses the project, which needs its (local) packages installed.
dbt_packages/.installed: $(VENV)/.installed packages.yml
	$(BIN)/dbt deps --quiet
	touch $@

lint: install dbt_packages/.installed ## Lint Python, SQL, YAML and workflows (.pre-commit-config.yaml)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

test: lint ## Lint, then run the whole test suite
	$(BIN)/pytest

bench: install ## Benchmark: 3 scales up to ~10M line items vs the floor and a JVM Spark peer (~15 min)
	$(BIN)/lakehouse bench

lock: ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean: ## Remove the warehouse and dbt build output (keeps .venv)
	rm -rf warehouse target logs

.PHONY: help install run lint test bench lock clean
