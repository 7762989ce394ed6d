# The course's task runner. The README's two commands are `make start` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
# The Pythons the lock (constraints.txt) resolves on; tests/test_setup_resolves.py checks each one present.
PYTHONS_SUPPORTED := 3.10 3.11 3.12 3.13
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Jupyter refuses to run as root unless told; only pass the flag when we are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup check-python start lab update test test-chapters test-fast book vendor chromium bubblewrap lint format bench freeze clean

# One line naming the supported versions when $(PYTHON) is missing or outside them (checked before the venv exists).
PYTHON_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
define check_python
	@case " $(PYTHONS_SUPPORTED) " in *" $(PYTHON_VERSION) "*) ;; *) \
	echo "The course needs Python $(firstword $(PYTHONS_SUPPORTED)) to $(lastword $(PYTHONS_SUPPORTED)), but PYTHON=$(PYTHON) is $(if $(PYTHON_VERSION),Python $(PYTHON_VERSION),not a working Python); choose one with PYTHON=, e.g. make start PYTHON=python3.12" >&2; \
	exit 1;; esac
endef

check-python:
	$(check_python)

## setup: create .venv and install the pinned packages and dlcore (only when something changed)
$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(check_python)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	@# -W: setuptools' "Editable installation ... folders with the same name as your package" notice is expected
	@# here (dlcore/ and dlgrade/ are those folders, on purpose), so it is not shown.
	$(BIN)/python -W "ignore:Editable installation" -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# JupyterLab defaults for the course (no news prompt, Markdown opens rendered, no date column beside the chapter
# names); JupyterLab reads them from the venv, and a learner's own settings still win.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): lab_settings/overrides.json $(STAMP)
	mkdir -p $(@D) && cp lab_settings/overrides.json $@

# The course's first layout: a file browser wide enough for the chapter names. Copied once; JupyterLab then keeps
# the learner's own layout there.
LAB_WORKSPACES := $(VENV)/share/jupyter/lab/workspaces
$(LAB_WORKSPACES)/default-37a8.jupyterlab-workspace: | $(STAMP)
	mkdir -p $(@D) && cp lab_settings/default.jupyterlab-workspace $@

setup: $(STAMP) $(LAB_OVERRIDES) $(LAB_WORKSPACES)/default-37a8.jupyterlab-workspace

## start: set up, then open JupyterLab on chapters/START_HERE.md (the whole repository is browsable)
start: setup lab

lab:
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/chapters/START_HERE.md \
		--LabApp.workspaces_dir="$(abspath $(LAB_WORKSPACES))" $(ALLOW_ROOT) $(LAB_FLAGS)

## update: get the course's new chapters; your edited notebooks stay, or are saved to my_work/ (tools/update_course.sh)
update:
	@bash tools/update_course.sh

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
	@# Chapters run once, in the book build (tests/test_book.py): any failing cell or assert fails it.
	$(BIN)/pytest tests exercises --nbval-lax --ignore=exercises/instructor

## test-chapters: run every chapter with nbval, one by one (the book build also executes them)
test-chapters: setup
	$(BIN)/pytest chapters --nbval-lax

## test-fast: unit tests only (no notebooks, no slow training, no book, no resolving against the package index)
test-fast: setup bubblewrap
	$(BIN)/pytest tests -m "not slow and not book and not resolve"

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## bench: speed benchmarks (PyTorch comparison when TORCH_PYTHON names a Python that has torch)
bench: setup
	for b in bench/bench_*.py; do $(BIN)/python $$b; done

## freeze: re-lock constraints.txt from requirements.txt for every supported Python (a universal lock with
## environment markers, made by uv; the current pins are kept wherever they still fit)
UV_VERSION := 0.13.9
UV := $(VENV)/uv-tool/bin/uv
$(UV): | setup
	$(BIN)/python -m pip install --quiet --target $(VENV)/uv-tool uv==$(UV_VERSION)

freeze: $(UV)
	cp constraints.txt $(VENV)/constraints.lock
	UV_PYTHON_DOWNLOADS=never $(UV) pip compile requirements.txt --universal --python-version $(firstword $(PYTHONS_SUPPORTED)) \
		--no-header --no-annotate --quiet --output-file $(VENV)/constraints.lock
	{ head -3 constraints.txt; cat $(VENV)/constraints.lock; } > $(VENV)/constraints.new
	mv $(VENV)/constraints.new constraints.txt

clean:
	rm -rf _build book/_vendor .pytest_cache .ruff_cache .jupyter_cache
