"""Third-party packages whose ``__init__`` imports far more than the layer uses, put in ``sys.modules`` without
running it: Python runs a package's ``__init__`` before any of its modules, so importing only the module one needs
is not enough. A name is found when it is first asked for: a name the ``__init__`` imports, in the module it
imports it from (read from the ``__init__``'s own import statements); a submodule as a submodule; anything else by
running the ``__init__`` after all. So ``from <package> import X`` still works for every ``X``, with the same
objects, and a package imported already is left as it is. Cold start is the reason (``bench/cold_imports.py``,
docs/decisions.md): ``phonenumbers`` (``callerid/__init__.py``: its ``__init__`` imports the as-you-type formatter
and the number matcher), Powertools' event handler and its event data classes (``callerid.http.powertools``).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any


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
    if parent:
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
    whole = threading.RLock()

    def attribute(name: str) -> Any:
        if name in defined_in:
            value = getattr(importlib.import_module(defined_in[name]), name)
            setattr(package, name, value)
            return value
        if not name.startswith("__") and importlib.util.find_spec(f"{package.__name__}.{name}") is not None:
            return importlib.import_module(f"{package.__name__}.{name}")
        with whole:  # the dev server's threads: one runs the __init__, the others wait for it
            if not package.__dict__.get("__complete__"):
                package.__complete__ = True  # type: ignore[attr-defined]
                assert package.__spec__ is not None and package.__spec__.loader is not None
                package.__spec__.loader.exec_module(package)  # the package's own __init__, all of it
        if name in package.__dict__:
            return package.__dict__[name]
        raise AttributeError(f"module {package.__name__!r} has no attribute {name!r}")

    return attribute
