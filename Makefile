# Caller-ID backend for Twilio Flex. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/shared
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.DEFAULT_GOAL := help
.PHONY: help install dev test test-unit lint format bench build validate openapi events clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml layers/shared/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create the virtualenv and install everything (dev extras included)

dev: $(STAMP) ## Run the local stack: API :3000, Twilio emulator :3001, DynamoDB :8000, demo data
	$(PY) -m local.stack

test: $(STAMP) chromium ## Run the whole test suite (starts its own local stack on free ports)
	$(PY) -m pytest

# The browser tests (tests/browser) drive Debian's Chromium through Playwright, which cannot download its own.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
.PHONY: chromium
chromium: ## Make sure headless Chromium is installed (apt-get as root) for the browser tests
	@test -x "$(CHROMIUM)" || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update && apt-get install -y --no-install-recommends chromium; }
	@test -x "$(CHROMIUM)" || { echo "The browser tests need Chromium at $(CHROMIUM): as root, \
	\`apt-get install chromium\` (\`make chromium\` does it), or set CHROMIUM=/path/to/chromium." >&2; exit 1; }

test-unit: $(STAMP) ## Unit tests only (no network)
	$(PY) -m pytest tests/unit

lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/shared/callerid local
	for handler in functions/*/app.py; do $(VENV)/bin/mypy "$$handler" || exit 1; done

format: $(STAMP) ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP) ## Request counts and latency ratios against the local stack
	$(PY) -m bench.run

openapi: $(STAMP) ## Regenerate layers/shared/callerid/openapi.json from the handlers' models
	$(PY) -m local.openapi

events: $(STAMP) ## Regenerate events/ (one API Gateway event per route of template.yaml)
	$(PY) -m local.events

validate: $(STAMP) ## sam validate --lint
	$(VENV)/bin/sam validate --lint

build: $(STAMP) ## sam build (the layer's pip install needs the package registry)
	$(VENV)/bin/sam build

clean: ## Remove build output and caches
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .dev
