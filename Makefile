# Two commands do everything: `make run` and `make test`. Each builds .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-latency lint format bench sync clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mentor-coach

sync: $(STAMP)
	$(BIN)/mentor-coach sync $(if $(GUILD),--guild $(GUILD))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
