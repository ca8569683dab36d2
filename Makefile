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

test: $(STAMP) ## Run the whole test suite (starts its own local stack on free ports)
	$(PY) -m pytest

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

# The layer's pip (layers/shared/Makefile) is the virtualenv's; the check after the build keeps it honest.
RUNTIME_PROVIDED := boto3 botocore s3transfer
build: $(STAMP) ## sam build (the layer's pip install needs the package registry; it leaves out boto3/botocore)
	LAYER_PIP="$(abspath $(PY)) -m pip" $(VENV)/bin/sam build
	@for package in $(RUNTIME_PROVIDED); do \
		if [ -e .aws-sam/build/SharedLayer/python/$$package ]; then \
			echo "The built layer ships $$package, which the Lambda runtime provides (layers/shared/Makefile)." >&2; \
			exit 1; \
		fi; \
	done

clean: ## Remove build output and caches
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .dev
