# Trellis: `make demo` serves a synthetic demo organization with its background worker;
# `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: demo test lint venv bench bench-scale load faults clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: venv
	$(BIN)/trellis migrate --noinput
	$(BIN)/trellis collectstatic --noinput --verbosity 0
	$(BIN)/trellis demo
	@echo "\nServing Trellis at http://127.0.0.1:$(PORT) beside a Celery worker with beat, on"
	@echo "the embedded broker in the data folder unless TRELLIS_BROKER_URL says (Ctrl-C stops both)"
	@# A background command of a script ignores Ctrl-C: the trap stops the worker (warm shutdown).
	@$(BIN)/celery -A trellis.celery worker --beat --concurrency 1 --loglevel INFO & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/trellis runserver 127.0.0.1:$(PORT)

lint: venv
	$(BIN)/ruff check .

test: venv lint
	bash scripts/test.sh

bench: venv
	bash scripts/bench.sh

# PostgreSQL and Redis required; each builds millions of rows (about half an hour together).
bench-scale: venv
	$(BIN)/python bench/bench_nightly.py
	env DATABASE_URL="$${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/trellis_scale}" $(BIN)/python bench/bench_scale.py

# PostgreSQL and Redis required. The load test: locust, 110 users for 5 minutes (bench/bench_load.py).
load: venv
	$(BIN)/python bench/bench_load.py

# Each fault test starts its own Redis or PostgreSQL cluster (as root: the cluster runs as postgres).
faults: venv
	$(BIN)/python bench/faults/worker_killed.py
	$(BIN)/python bench/faults/redis_down.py
	$(BIN)/python bench/faults/database_restart.py

clean:
	rm -rf $(VENV) data
