# Two commands: `make demo` (renders a batch of ads from the bundled store) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo
LOCK := requirements.lock

# Services for the test suite; override for another machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/adgen
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: setup system venv lock demo test bench clean

setup: system venv node_modules/.installed

system:
	@scripts/install-system.sh

venv: $(STAMP)
	@$(BIN)/python scripts/fetch_face_models.py  # MediaPipe face models for the photo presenter (hash-checked)

# Installs are locked: every package at the version and hash in requirements.lock (torch is the
# CPU build, 2.13.0+cpu, which pip takes from the machine's wheel folder; elsewhere point pip at
# PyTorch's CPU index: PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu), then adgen
# itself with no dependencies of its own choosing.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python scripts/lock_check.py
	@$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	@$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Regenerate the lock after editing pyproject.toml's dependencies (keeps every pin that still
# fits); `make lock UPGRADE=1` moves everything to the newest releases the ranges allow,
# `make lock UPGRADE=transformers` just that one.
lock: $(BIN)/pip-compile
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --extra ml --extra dev --extra s3 --output-file $(LOCK) \
	  $(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE))) pyproject.toml

$(BIN)/pip-compile:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check 'pip-tools>=7.4'

# browser-side test tools (axe-core for the accessibility checks), pinned in package-lock.json
node_modules/.installed: package.json package-lock.json
	@npm ci --silent --no-audit --no-fund
	@touch $@

demo: setup
	$(BIN)/adgen demo --out $(OUT)

test: setup
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) BROKER_URL= \
	  $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf out var .pytest_cache
