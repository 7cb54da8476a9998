# Two commands: `make demo` (renders a batch of ads from the bundled store) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo

# Services for the test suite; override for another machine.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/adgen
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: setup system venv demo test bench clean

setup: system venv

system:
	@scripts/install-system.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -U pip setuptools wheel
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[ml,dev,s3]'
	@touch $(STAMP)

demo: setup
	$(BIN)/adgen demo --out $(OUT)

test: setup
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) BROKER_URL= \
	  $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf out var .pytest_cache
