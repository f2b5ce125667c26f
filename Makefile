# The two set-up commands of the README: `make demo` and `make test`. Both create or update .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= lakehouse_home
DEMO_ARGS ?= --institutions 3 --nights 3 --submissions 300 --seed 7
# Ray's token authentication guards a cluster: it is turned off only for the local Ray a run
# starts inside itself (no RAY_ADDRESS); against a remote cluster it stays on (README, "Roles").
ifeq ($(RAY_ADDRESS),)
export RAY_AUTH_MODE ?= disabled
endif
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS ?=
export HF_HUB_OFFLINE ?= 1

.PHONY: install demo test test-fast lint typecheck ui ui-proxy lock clean

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
	umask 077 && mkdir -p $(DEMO_HOME)/.secrets && \
		$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $(DEMO_HOME)/.secrets/pseudonym.key
	umask 077 && LAKEHOUSE_PSEUDONYM_KEY_FILE=$(DEMO_HOME)/.secrets/pseudonym.key $(BIN)/lakehouse run --home $(DEMO_HOME)
	$(BIN)/lakehouse status --home $(DEMO_HOME)
	@echo "Explore: make ui (Dagster UI on 127.0.0.1), or the warehouse: see dbt_project/README.md"

## make test: install, lint, type-check, run the whole test suite (TEST_WORKERS processes at once).
TEST_WORKERS ?= 2
test: install lint typecheck
	$(BIN)/python -m pytest -q --durations=15 -n $(TEST_WORKERS) --dist loadfile

## make test-fast: the same without the slow end-to-end tests.
test-fast: install lint typecheck
	$(BIN)/python -m pytest -q -m "not slow" -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

## make ui: the Dagster UI on $(UI_HOME) (LAKEHOUSE_HOME, else the demo home), at
## http://$(UI_HOST):$(UI_PORT). It listens on loopback only: anyone who reaches it can launch runs
## and change settings, so share it through the login proxy in deploy/ (make ui-proxy), never by
## setting UI_HOST to a public address.
UI_HOST ?= 127.0.0.1
UI_PORT ?= 3000
UI_HOME = $(abspath $(or $(LAKEHOUSE_HOME),$(DEMO_HOME)))
UI_DAGSTER_HOME = $(abspath $(or $(DAGSTER_HOME),$(UI_HOME)/.dagster))
ui: install
	umask 077 && mkdir -p $(UI_DAGSTER_HOME)
	test -f $(UI_DAGSTER_HOME)/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(UI_DAGSTER_HOME)/dagster.yaml
	umask 077 && LAKEHOUSE_HOME=$(UI_HOME) DAGSTER_HOME=$(UI_DAGSTER_HOME) \
		LAKEHOUSE_PSEUDONYM_KEY_FILE=$${LAKEHOUSE_PSEUDONYM_KEY_FILE:-$(UI_HOME)/.secrets/pseudonym.key} \
		env --default-signal=INT $(BIN)/dagster dev -w workspace.yaml -h $(UI_HOST) -p $(UI_PORT)

## make ui-proxy: Caddy in front of `make ui` with a login (deploy/README.md; UI_PROXY_* variables).
ui-proxy:
	UI_UPSTREAM=$${UI_UPSTREAM:-$(UI_HOST):$(UI_PORT)} deploy/ui-proxy.sh

## make lock: re-pin requirements.lock from the current .venv (after changing requirements.in).
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^homework-lakehouse' > requirements.lock

clean:
	rm -rf $(VENV) $(DEMO_HOME) .mypy_cache .ruff_cache .pytest_cache
