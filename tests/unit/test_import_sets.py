"""What each function imports at cold start (module load = Lambda init), as sets, not times: nothing it does not use
there comes back. ``make bench`` prints the times (``bench/cold_imports.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local.template import ROOT

FUNCTIONS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))
# Never at import: the X-Ray SDK (no Powertools Tracer: Lambda's active tracing records each invocation), the REST
# client (built on first use), the geocoder (the call path's tables stand in for it), boto3 (the webhooks'
# Powertools idempotency, built on the first webhook with the store's botocore client) and Powertools'
# idempotency itself; nor the event handler's other resolvers (its package's ``__init__``, AppSync's ``asyncio``
# with it: ``callerid.http.powertools``), nor what ``phonenumbers``' ``__init__`` imports besides parsing and formatting
# (``callerid.lean_packages``).
NEVER = (
    "aws_xray_sdk",
    "twilio.rest",
    "phonenumbers.geocoder",
    "boto3",
    "aws_lambda_powertools.utilities.idempotency",
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.event_handler.bedrock_agent",
    "aws_lambda_powertools.event_handler.vpc_lattice",
    "asyncio",
    "phonenumbers.asyoutypeformatter",
    "phonenumbers.phonenumbermatcher",
)
WATCHED = (*NEVER, "pynamodb.models")
# The HTTP models' modules (``callerid.http.models.*``, one per area) each function imports: its own routes' and
# what they share (``common``, and ``numbers``: a number as shown), never another area's classes.
MODEL_AREAS = {
    "api_docs": {"common"},
    "caller_ids": {"common", "numbers", "caller_ids"},
    "buy_numbers": {"common", "numbers", "adding", "countries"},
    "configure_number": {"common", "numbers", "configuration"},
    "import_numbers": {"common", "numbers", "adding"},
    "list_numbers": {"common", "numbers", "listing"},
    "number_reports": {"common", "reports"},
    "outbound_call": {"common", "calls"},
    "people": {"common"},
    "worker_caller_id": {"common", "workers"},
}
MODELS = "callerid.http.models."
# Besides the modules: the HTTP models whose schema was built at import (none: each is built on first use).
LOADED = """
import json, sys
from pathlib import Path
from pydantic import BaseModel
from local.functions import load_function
load_function(Path("functions") / sys.argv[1])
built = []
areas = sorted(m for m in sys.modules if m.startswith({models!r}))
for module in (*areas, "callerid.http.people", "callerid.http.answers", "callerid.http.webhooks"):
    for name, value in getattr(sys.modules.get(module), "__dict__", {{}}).items():
        model = isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module
        if model and value.__pydantic_complete__:
            built.append(name)
print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules) + built + areas))
"""


def imported(function: str) -> set[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "shared")]),
        "TABLE_NAME": "t",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    code = LOADED.format(watched=WATCHED, models=MODELS)
    done = subprocess.run([sys.executable, "-c", code, function], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_imports_only_what_it_uses_at_cold_start(function):
    loaded = imported(function)
    areas = {m.removeprefix(MODELS) for m in loaded if m.startswith(MODELS)}
    loaded -= {MODELS + area for area in areas}
    assert not loaded & set(NEVER)
    assert loaded <= set(WATCHED), f"HTTP models built at import: {sorted(loaded - set(WATCHED))}"
    assert areas == MODEL_AREAS.get(function, set()), "only its own routes' models (and what they share)"
    if function in {"api_docs", "console"}:
        assert "pynamodb.models" not in loaded, "no table behind the docs and the console's files"


EVERY_MODEL = """
import importlib, pkgutil, sys
import callerid.http.models as models
for area in pkgutil.iter_modules(models.__path__):
    importlib.import_module(f"{models.__name__}.{area.name}")
assert models.__name__ + ".countries" in sys.modules
"""


def test_the_http_models_do_not_import_the_store():
    done = subprocess.run(
        [sys.executable, "-c", EVERY_MODEL + "print('pynamodb.models' in sys.modules)"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "layers" / "shared")},
        capture_output=True,
        text=True,
    )
    assert done.stdout.split() == ["False"], done.stderr[-2000:]
