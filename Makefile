# The course's task runner. The README's two commands are `make start` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Jupyter refuses to run as root unless told; only pass the flag when we are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup start lab test test-fast book vendor chromium bubblewrap lint format bench freeze clean

## setup: create .venv and install the pinned packages and dlcore (only when something changed)
$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

## start: set up, then open JupyterLab on chapters/ (the whole repository is browsable: exercises/, dlcore/)
start: setup lab

lab:
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/chapters $(ALLOW_ROOT) $(LAB_FLAGS)

## vendor: copy the book's JavaScript (MathJax, RequireJS, widget manager) from npm into book/_vendor
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

vendor: node_modules/.package-lock.json
	rm -rf book/_vendor && mkdir -p book/_vendor/mathjax book/_vendor/requirejs
	cp -r node_modules/mathjax/es5 book/_vendor/mathjax/es5
	cp node_modules/requirejs/require.js book/_vendor/requirejs/require.js
	cp -r node_modules/@jupyter-widgets/html-manager/dist book/_vendor/html-manager

## chromium: headless Chromium for the book's browser test (Debian's package)
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## bubblewrap: the grader's sandbox (Debian's package; the grader refuses to grade for credit without it)
bubblewrap:
	@command -v bwrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }

## book: build the static book into _build/html, executing every chapter, warnings as errors
book: setup vendor
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

## test: everything CI runs: lint, dlcore and grader tests, every notebook (nbval), the book in Chromium
test: setup vendor chromium bubblewrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest tests chapters exercises --nbval-lax --ignore=exercises/instructor

## test-fast: unit tests only (no notebooks, no slow training, no book)
test-fast: setup bubblewrap
	$(BIN)/pytest tests -m "not slow and not book"

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## bench: speed benchmarks (PyTorch comparison when TORCH_PYTHON names a Python that has torch)
bench: setup
	for b in bench/bench_*.py; do $(BIN)/python $$b; done

## freeze: rewrite constraints.txt from the current environment
freeze: setup
	{ head -2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^dlcore'; } > constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf _build book/_vendor .pytest_cache .ruff_cache .jupyter_cache
