# Trellis: `make demo` serves a synthetic demo organization; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: demo test lint venv bench clean

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
	@echo "\nServing Trellis at http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	$(BIN)/trellis runserver 127.0.0.1:$(PORT)

lint: venv
	$(BIN)/ruff check .

test: venv lint
	bash scripts/test.sh

bench: venv
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) data
