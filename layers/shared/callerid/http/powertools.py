"""Powertools' event handler as the handlers declare their routes with it, without its packages' ``__init__``.

The event handler's ``__init__`` imports every resolver Powertools has (AppSync's, with ``asyncio``; Bedrock's; VPC
Lattice's; the local HTTP one), and its event data classes' ``__init__`` every event source's class; Python runs a
package's ``__init__`` before any of its modules. At every cold start that was about a fifth of an ``import boto3``
for resolvers and events no function here uses (``bench/cold_imports.py``, docs/decisions.md). So these packages
are put in ``sys.modules`` unexecuted, and a name is found when it is first asked for: a name the ``__init__``
imports, in the module it imports it from (read from the ``__init__``'s own import statements); a submodule as a
submodule; anything else by running the ``__init__`` after all. So ``from <package> import X`` still works for
every ``X``, with the same objects.

``callerid.http`` does this before any of its modules imports Powertools' event handler; the handlers take its
names from here, so that their first import of it comes after. A package imported already (a test, the dev
server's tools) is left as it is.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def lean_package(name: str) -> None:
    """Put the package ``name`` in ``sys.modules`` without running its ``__init__`` (never over one imported
    already)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.origin is None:
        return
    package = importlib.util.module_from_spec(spec)
    package.__getattr__ = _on_first_use(package, _defined_in(name, spec.origin))  # type: ignore[method-assign]
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, package)


def _defined_in(package: str, init: str) -> dict[str, str]:
    """The names the package's ``__init__`` imports, by the module it imports each from."""
    with open(init, encoding="utf-8") as source:
        tree = ast.parse(source.read(), init)
    modules: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module:
            module = f"{package}.{statement.module}" if statement.level == 1 else statement.module
            if statement.level in (0, 1):
                modules.update({alias.asname or alias.name: module for alias in statement.names})
    return modules


def _on_first_use(package: ModuleType, defined_in: dict[str, str]) -> Callable[[str], Any]:
    def attribute(name: str) -> Any:
        if name in defined_in:
            value = getattr(importlib.import_module(defined_in[name]), name)
            setattr(package, name, value)
            return value
        if not name.startswith("__") and importlib.util.find_spec(f"{package.__name__}.{name}") is not None:
            return importlib.import_module(f"{package.__name__}.{name}")
        if not package.__dict__.get("__complete__"):
            package.__complete__ = True  # type: ignore[attr-defined]
            assert package.__spec__ is not None and package.__spec__.loader is not None
            package.__spec__.loader.exec_module(package)  # the package's own __init__, all of it
            if name in package.__dict__:
                return package.__dict__[name]
        raise AttributeError(f"module {package.__name__!r} has no attribute {name!r}")

    return attribute


for _package in PACKAGES:
    lean_package(_package)

from aws_lambda_powertools.event_handler import Depends, Response, content_types  # noqa: E402
from aws_lambda_powertools.event_handler.exceptions import NotFoundError  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.params import Body, Form, Header, Path, Query  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse  # noqa: E402

__all__ = [
    "PACKAGES",
    "Body",
    "Depends",
    "Form",
    "Header",
    "NotFoundError",
    "OpenAPIResponse",
    "Path",
    "Query",
    "Response",
    "content_types",
    "lean_package",
]
