# Trellis: `make demo` serves a synthetic demo organization with its background worker;
# `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: demo test lint venv bench bench-scale clean

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

clean:
	rm -rf $(VENV) data
