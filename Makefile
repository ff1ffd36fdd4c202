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

# Spark 3.5.4's own JVM side (Glue 5.0's Spark), for the benchmark's peer: Spark 3.5.6 and
# later plan CREATE OR REPLACE TABLE ... AS SELECT as an overwrite that Delta 3.3's staged
# tables refuse (delta-io/delta#4671), and the venv's PySpark is 3.5.9. PyPI's pyspark 3.5.4
# source package carries Spark's jars and launch scripts; the peer points SPARK_HOME here.
SPARK := $(VENV)/spark-3.5.4
SPARK_SHA256 := 1c2926d63020902163f58222466adf6f8016f6c43c1f319b8e7a71dbaa05fc51
$(SPARK)/.installed: | $(VENV)/.installed
	rm -rf $(SPARK) && mkdir -p $(SPARK)
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps \
	    --no-binary :all: pyspark==3.5.4 -d $(SPARK)
	echo "$(SPARK_SHA256)  $(SPARK)/pyspark-3.5.4.tar.gz" | sha256sum -c --quiet
	tar -xzf $(SPARK)/pyspark-3.5.4.tar.gz -C $(SPARK) --strip-components=2 \
	    pyspark-3.5.4/deps/bin pyspark-3.5.4/deps/jars
	rm $(SPARK)/pyspark-3.5.4.tar.gz
	touch $@

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

bench: install jars $(SPARK)/.installed ## Benchmark: 3 scales up to ~10M line items vs the floor and a JVM Spark + Delta peer (~20 min)
	$(BIN)/lakehouse bench

lock: ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean: ## Remove the warehouse and dbt build output (keeps .venv)
	rm -rf warehouse target logs

.PHONY: help install jars run lint test bench lock clean
