"""Reading ``template.yaml``: the table definition and the API routes, so nothing is declared twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cfn_tools import load_yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


@lru_cache(maxsize=1)
def load_template() -> dict[str, Any]:
    return dict(load_yaml(TEMPLATE.read_text()))


def table_definition() -> dict[str, Any]:
    """CreateTable arguments from the template's one ``AWS::DynamoDB::Table``."""
    tables = [r for r in load_template()["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    (table,) = tables
    props = table["Properties"]
    return {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props["BillingMode"],
        **({"GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"]} if "GlobalSecondaryIndexes" in props else {}),
    }


def ttl_attribute() -> str:
    tables = [r for r in load_template()["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    return str(tables[0]["Properties"]["TimeToLiveSpecification"]["AttributeName"])


def static_environment() -> dict[str, str]:
    """The functions' environment variables that the template sets to plain values (POWERTOOLS_SERVICE_NAME,
    the metrics namespace), as Lambda would see them; parameter references are the local stack's to set."""
    variables = load_template().get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    return {name: value for name, value in variables.items() if isinstance(value, str)}


@dataclass(frozen=True)
class Route:
    """One API Gateway event source of a function: ``GET /v1/phone-numbers`` → ``functions/list_numbers``."""

    function: str
    code_uri: Path
    method: str
    path: str
    pattern: re.Pattern[str]
    timeout_seconds: float


def routes() -> list[Route]:
    """Every ``Type: Api`` event of every function in the template, most specific paths first."""
    found: list[Route] = []
    default_timeout = float(load_template().get("Globals", {}).get("Function", {}).get("Timeout", 3))
    for name, resource in load_template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        for event in props.get("Events", {}).values():
            if event["Type"] != "Api":
                continue
            path = event["Properties"]["Path"]
            regex = re.sub(r"\{(\w+)\+\}", r"(?P<\1>[\\s\\S]+)", path)
            # A trailing slash reaches the same resource, as in API Gateway (and `sam local start-api`).
            regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex) + "/?$"
            found.append(
                Route(
                    name,
                    ROOT / props["CodeUri"],
                    event["Properties"]["Method"].upper(),
                    path,
                    re.compile(regex),
                    float(props.get("Timeout", default_timeout)),
                )
            )
    # Literal segments beat parameters: /v1/workers/me/... before /v1/workers/{workerSid}/...
    # and a path's own methods before its ANY.
    found.sort(key=lambda r: (r.path.count("+}"), r.path.count("{"), -len(r.path), r.method == "ANY"))
    return found
