from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_core import Config, OpenAPI

SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "twilio-oai"


def load(name: str) -> OpenAPI:
    return OpenAPI.from_dict(json.loads((SPECS / name).read_text()), config=Config(spec_validator_cls=None))


@pytest.fixture(scope="session")
def api_2010() -> OpenAPI:
    return load("twilio_api_v2010.json")


@pytest.fixture(scope="session")
def taskrouter() -> OpenAPI:
    return load("twilio_taskrouter_v1.json")


@pytest.fixture(scope="session")
def twilio_paths() -> list[tuple[str, str]]:
    """Every (method, path template) in Twilio's Api 2010 and TaskRouter specs."""
    found = []
    for name in ("twilio_api_v2010.json", "twilio_taskrouter_v1.json"):
        for path, operations in json.loads((SPECS / name).read_text())["paths"].items():
            found += [(method.upper(), path) for method in operations if method in {"get", "post", "delete"}]
    return found
