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

# Glue 5's JVM side for PySpark (Delta 3.3.0, S3A): Maven resolves aws/glue5/pom.xml into
# .venv/jars. Java 17 and Maven come from Debian's packages when the machine lacks them.
JARS := $(VENV)/jars
$(JARS)/.installed: aws/glue5/pom.xml | $(VENV)/.installed
	@command -v mvn >/dev/null && command -v java >/dev/null || { \
	    echo "Installing Java 17 and Maven (Debian packages)"; \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	    $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq openjdk-17-jdk-headless maven; }
	mvn -q -B -f aws/glue5/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
	    -DexcludeArtifactIds=scala-library,antlr4-runtime -DoutputDirectory=$(CURDIR)/$(JARS)
	touch $@

jars: $(JARS)/.installed ## Fetch the JVM jars of the Glue stand-in and the peer (Java 17, Maven)

run: install ## Build every table from the bundled sample data into ./warehouse
	$(BIN)/lakehouse run

# The dbt templater parses the project, which needs its (local) packages installed.
dbt_packages/.installed: $(VENV)/.installed packages.yml
	$(BIN)/dbt deps --quiet
	touch $@

lint: install dbt_packages/.installed ## Lint Python, SQL, YAML and workflows (.pre-commit-config.yaml)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

test: lint jars ## Lint, then run the whole test suite
	$(BIN)/pytest

bench: install jars ## Benchmark: 30 to 280 days (to ~30M line items) and one more day on each, vs the floor and a JVM Spark + Delta peer (about 30 minutes)
	$(BIN)/lakehouse bench

lock: ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --all-extras --python-version 3.11 --generate-hashes -o requirements.lock

clean: ## Remove the warehouse and dbt build output (keeps .venv)
	rm -rf warehouse target logs

.PHONY: help install jars run lint test bench lock clean
