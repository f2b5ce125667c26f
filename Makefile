# The two set-up commands of the README: `make demo` and `make test`. Both create or update .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= lakehouse_home
DEMO_ARGS ?= --institutions 3 --nights 3 --submissions 300 --seed 7
export RAY_AUTH_MODE ?= disabled
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS ?=
export HF_HUB_OFFLINE ?= 1

.PHONY: install demo test test-fast lint typecheck ui lock clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

## make demo: install, generate a sample landing zone, run every partition through every asset.
demo: install
	rm -rf $(DEMO_HOME)
	$(BIN)/lakehouse generate --home $(DEMO_HOME) $(DEMO_ARGS)
	mkdir -p $(DEMO_HOME)/.secrets
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $(DEMO_HOME)/.secrets/pseudonym.key
	LAKEHOUSE_PSEUDONYM_KEY_FILE=$(DEMO_HOME)/.secrets/pseudonym.key $(BIN)/lakehouse run --home $(DEMO_HOME)
	$(BIN)/lakehouse status --home $(DEMO_HOME)
	@echo "Explore: make ui (Dagster UI), or duckdb over $(DEMO_HOME)/lake/**/*.parquet"

## make test: install, lint, type-check, run the whole test suite.
test: install lint typecheck
	$(BIN)/python -m pytest -q --durations=15

## make test-fast: the same without the slow end-to-end tests.
test-fast: install lint typecheck
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

## make ui: the Dagster UI on the demo home (http://localhost:3000).
ui: install
	mkdir -p $(DEMO_HOME)/.dagster
	test -f $(DEMO_HOME)/.dagster/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(DEMO_HOME)/.dagster/dagster.yaml
	LAKEHOUSE_HOME=$(abspath $(DEMO_HOME)) DAGSTER_HOME=$(abspath $(DEMO_HOME))/.dagster \
		LAKEHOUSE_PSEUDONYM_KEY_FILE=$(abspath $(DEMO_HOME))/.secrets/pseudonym.key \
		env --default-signal=INT $(BIN)/dagster dev -w workspace.yaml -h 0.0.0.0 -p 3000

## make lock: re-pin requirements.lock from the current .venv (after changing requirements.in).
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^homework-lakehouse' > requirements.lock

clean:
	rm -rf $(VENV) $(DEMO_HOME) .mypy_cache .ruff_cache .pytest_cache
