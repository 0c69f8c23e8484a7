# Two commands do everything: `make run` and `make test`. Each builds .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make install`: the runtime only (no dev tools), in its own virtual environment.
PREFIX ?= /opt/mentor-coach

.PHONY: run test test-latency lint format bench sync clean install

$(STAMP): pyproject.toml setup.py constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# `mentor-coach` alone: `run` with a DISCORD_TOKEN (environment or .env), else `playground`.
run: $(STAMP)
	$(BIN)/mentor-coach

sync: $(STAMP)
	$(BIN)/mentor-coach sync $(if $(GUILD),--guild $(GUILD))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest -q

# The end-to-end stories once more with Discord's latency (median 100 ms), so ordering bugs show.
LATENCY ?= lognormal:100ms:300ms;seed=1
test-latency: $(STAMP)
	SANDBOX_LATENCY='$(LATENCY)' $(BIN)/pytest -q tests/e2e

bench: $(STAMP)
	for b in bench/[!_]*.py; do $(BIN)/python $$b || exit 1; done

# WHEEL=dist/mentor_coach-X.whl installs a built wheel instead of this checkout.
install:
	test -x $(PREFIX)/bin/python || $(PYTHON) -m venv $(PREFIX)
	$(PREFIX)/bin/python -m pip install --quiet $(PIP_FLAGS) -c constraints.txt $(or $(WHEEL),.)
	@echo "Installed $$($(PREFIX)/bin/mentor-coach --version) in $(PREFIX): run $(PREFIX)/bin/mentor-coach run"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
