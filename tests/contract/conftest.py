from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from openapi_core import Config, OpenAPI

API = "https://api.twilio.com"
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
def events() -> OpenAPI:
    return load("twilio_events_v1.json")


@pytest.fixture(scope="session")
def trusthub() -> OpenAPI:
    return load("twilio_trusthub_v1.json")


@pytest.fixture(scope="session")
def insights_spec() -> dict:
    """Twilio's Voice Insights spec as JSON (the call summary an Event Streams delivery carries is its schema)."""
    return json.loads((SPECS / "twilio_insights_v1.json").read_text())


@pytest.fixture(scope="session")
def twilio_paths() -> list[tuple[str, str]]:
    """Every (method, path template) in Twilio's Api 2010, TaskRouter, Events and Trust Hub specs."""
    found = []
    names = ("twilio_api_v2010.json", "twilio_taskrouter_v1.json", "twilio_events_v1.json", "twilio_trusthub_v1.json")
    for name in names:
        for path, operations in json.loads((SPECS / name).read_text())["paths"].items():
            found += [(method.upper(), path) for method in operations if method in {"get", "post", "delete"}]
    return found


@pytest.fixture
def parent(local_stack):
    return local_stack.parent


@pytest.fixture
def auth(parent):
    return (parent["sid"], parent["authToken"])


@dataclass
class Tenant:
    """A fresh account and its subaccount at the emulator: tests that buy, change and release numbers use their own,
    so the demo accounts stay as the other suites expect them."""

    sid: str
    auth: tuple[str, str]
    child_sid: str

    def url(self, path, account_sid=None):
        return f"{API}/2010-04-01/Accounts/{account_sid or self.sid}/{path}"


@pytest.fixture
def tenant(local_stack):
    key = f"contract-{uuid.uuid4().hex[:8]}"
    accounts = [
        {"key": key, "friendlyName": "Contract tenant"},
        {"key": f"{key}-sub", "parent": key, "friendlyName": "Contract tenant (subaccount)"},
    ]
    created = requests.post(f"{local_stack.emulator}/_emulator/seed", json={"accounts": accounts}, timeout=10)
    created.raise_for_status()
    parent, child = created.json()["accounts"]
    return Tenant(parent["sid"], (parent["sid"], parent["authToken"]), child["sid"])
