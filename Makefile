# Caller-ID backend for Twilio Flex. `make help` lists the targets.
SHELL := /bin/bash
# The interpreter that makes the virtualenv: Python 3.11 or 3.12 (pyproject.toml's requires-python).
# Another one: `make dev PYTHON=python3.12`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Two installs, one stamp each (pyproject.toml's extras): `make dev` needs the runtime dependencies and the local
# stack (.[local]); every other target adds the test, lint and SAM tools (.[dev]). So `make test` after
# `make dev` only adds what is missing.
LOCAL_STAMP := $(VENV)/.installed-local
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR):$(CURDIR)/layers/shared
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.DEFAULT_GOAL := help
.PHONY: help install dev test test-unit lint format bench bench-imports build validate openapi events vendor geo clean local-env \
	dev-env plugin-test plugin-build

# The names' column is as wide as the longest name, so a longer target never pushes its row out of line.
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {name[++n] = $$1; text[n] = $$2; if (length($$1) > width) width = length($$1)} \
	END {for (i = 1; i <= n; i++) printf "  make %-" width "s  %s\n", name[i], text[i]}' $(MAKEFILE_LIST)

# Before anything is installed: is PYTHON one the project supports, and was .venv made by it? A wrong PYTHON stops
# here with one line; a .venv made by another (or a gone) interpreter is removed, and the sub-make makes it again.
CHECK_PYTHON = command -v $(PYTHON) >/dev/null || { echo "PYTHON=$(PYTHON) is not a command here: run \
	\`make $(or $(firstword $(MAKECMDGOALS)),install) PYTHON=/path/to/python3.12\` (3.11 and 3.12 do)." >&2; exit 1; }; \
	$(PYTHON) local/interpreter.py --python $(PYTHON) --venv $(VENV) --goal $(or $(firstword $(MAKECMDGOALS)),install) \
	$(if $(filter file,$(origin PYTHON)),,--explicit)

local-env:
	@$(CHECK_PYTHON)
	@$(MAKE) --no-print-directory --silent $(LOCAL_STAMP)

dev-env:
	@$(CHECK_PYTHON)
	@$(MAKE) --no-print-directory --silent $(STAMP)

$(LOCAL_STAMP): pyproject.toml layers/shared/requirements.txt
	@test -x $(PY) || { echo "==> Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Installing the runtime dependencies and the local stack: pip install -e '.[local]'"
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[local]'
	@touch $@

$(STAMP): $(LOCAL_STAMP)
	@echo "==> Adding the test, lint and SAM tools: pip install -e '.[dev]'"
	$(PY) -m pip install -e '.[dev]'
	@touch $@

install: dev-env ## Create the virtualenv and install everything (what CI runs first)

dev: local-env ## Run the local stack: API :3000, Twilio emulator :3001, DynamoDB :8000, demo data
	$(PY) -m local.stack

# The suite runs in TEST_WORKERS processes (pytest-xdist; one per core, at most 4), each with a local stack of its
# own on free ports; a test file stays in one process. `make test TEST_WORKERS=0` runs it in this process alone.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n : 4 )))
test: dev-env chromium jq plugin-test ## Run the whole test suite (each worker starts its own local stack on free ports)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# The reference Flex plugin (clients/flex-plugin): npm ci when package-lock.json is newer than the install, its
# bundle built by the Flex plugin builder (`flex-plugin build`: build/plugin-caller-id.js, which
# tests/browser/test_flex_plugin.py loads in a page), then its jest tests (deploy's pre-upload checks among them,
# on that bundle) and its type check against @twilio/flex-ui's own types. See clients/flex-plugin/README.md.
PLUGIN := clients/flex-plugin
PLUGIN_STAMP := $(PLUGIN)/node_modules/.installed
NPM ?= npm
$(PLUGIN_STAMP): $(PLUGIN)/package.json $(PLUGIN)/package-lock.json $(PLUGIN)/stubs/fs/package.json
	@command -v $(NPM) >/dev/null || { echo "The Flex plugin's tests need Node 20+ and npm: \
	\`apt-get install nodejs npm\` (as root), or set NPM=/path/to/npm." >&2; exit 1; }
	cd $(PLUGIN) && $(NPM) ci --no-audit --no-fund
	@touch $@

plugin-test: plugin-build ## The Flex plugin's bundle (npm ci first when needed), its jest tests and type check
	cd $(PLUGIN) && $(NPM) test && $(NPM) run typecheck

plugin-build: $(PLUGIN_STAMP) ## Build clients/flex-plugin/build/plugin-caller-id.js with the Flex plugin builder
	cd $(PLUGIN) && $(NPM) run build

# The browser tests (tests/browser) drive Debian's Chromium through Playwright, which cannot download its own.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
.PHONY: chromium
chromium: ## Make sure headless Chromium is installed (apt-get as root) for the browser tests
	@test -x "$(CHROMIUM)" || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update && apt-get install -y --no-install-recommends chromium; }
	@test -x "$(CHROMIUM)" || { echo "The browser tests need Chromium at $(CHROMIUM): as root, \
	\`apt-get install chromium\` (\`make chromium\` does it), or set CHROMIUM=/path/to/chromium." >&2; exit 1; }

# The docs' walks (tests/integration/test_docs_walks.py runs them) use curl and read JSON with jq, as a reader does.
.PHONY: jq
jq: ## Make sure jq and curl are installed (apt-get as root) for the docs' walks
	@{ command -v jq && command -v curl; } >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update && apt-get install -y --no-install-recommends jq curl; }
	@{ command -v jq && command -v curl; } >/dev/null || { echo "The docs' walks need jq and curl: as root, \
	\`apt-get install jq curl\` (\`make jq\` does it); elsewhere install them with your package manager." >&2; exit 1; }

test-unit: dev-env ## Unit tests only (no network)
	$(PY) -m pytest tests/unit

lint: dev-env ## ruff (lint + format check), mypy (fakes too), import layers (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/shared/callerid local tests/unit/fakes.py
	$(VENV)/bin/lint-imports
	for handler in functions/*/app.py; do $(VENV)/bin/mypy "$$handler" || exit 1; done

format: dev-env ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: dev-env ## Request counts and latency ratios against the local stack
	$(PY) -m bench.run

bench-imports: dev-env ## Only the bench's cold imports (BENCH_IMPORT_REPEATS pairs; name functions in FUNCTIONS=)
	$(PY) -m bench.cold_imports $(FUNCTIONS)

openapi: dev-env ## Regenerate layers/shared/callerid/openapi.json from the handlers' models
	$(PY) -m local.openapi

geo: dev-env ## Regenerate the call path's geography tables (callerid/domain/geo_tables.py) from phonenumbers
	$(PY) -m local.geo

events: dev-env ## Regenerate events/ (one API Gateway event per route of template.yaml)
	$(PY) -m local.events

vendor: dev-env ## Vendor Swagger UI (served at /docs) and axe-core (the browser tests') with npm pack
	$(PY) -m local.vendor

validate: dev-env ## sam validate --lint
	$(VENV)/bin/sam validate --lint

# The layer's pip (layers/shared/Makefile) is the virtualenv's; the check after the build keeps it honest.
RUNTIME_PROVIDED := boto3 botocore s3transfer
build: dev-env ## sam build (the layer's pip install needs the package registry; it leaves out boto3/botocore)
	LAYER_PIP="$(abspath $(PY)) -m pip" $(VENV)/bin/sam build
	@for package in $(RUNTIME_PROVIDED); do \
		if [ -e .aws-sam/build/SharedLayer/python/$$package ]; then \
			echo "The built layer ships $$package, which the Lambda runtime provides (layers/shared/Makefile)." >&2; \
			exit 1; \
		fi; \
	done

clean: ## Remove build output and caches
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .dev $(PLUGIN)/build
