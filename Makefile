# Targets a newcomer can guess. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install dev test lint format clean

help:
	@echo "make dev     start the API locally with the sample essays (no AWS account, no Docker)"
	@echo "make test    run every test"
	@echo "make lint    ruff and mypy over the code"
	@echo "make clean   remove the virtual environment and caches"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

dev: install
	$(BIN)/essays-dev

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check functions shared infra tests
	$(BIN)/ruff format --check functions shared infra tests
	$(BIN)/mypy functions shared infra/essays_cli tests

format: install
	$(BIN)/ruff check --fix functions shared infra tests
	$(BIN)/ruff format functions shared infra tests

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam .dev
