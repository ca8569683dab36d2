"""CORS preflight answers and 405s: each path's own methods, taken from the API's OpenAPI document.

API Gateway sends every ``OPTIONS`` request, and every other method a path has no route for, to one function (an
``ANY`` event per path, and ``/{proxy+}``), which has none of the other functions' routes, so Powertools' built-in
preflight answer (the methods of the resolver that answers) would be wrong for every other path. The OpenAPI
document is the route table: it is generated from the handlers themselves (``make openapi``, checked for staleness
by the contract tests) and ships in the layer, unlike ``template.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import Response

from callerid.domain.errors import NotFound
from callerid.http.errors import envelope

ALLOWED_HEADERS = ("Authorization", "Content-Type", "X-Twilio-Account-Sid", "If-None-Match")
MAX_AGE_SECONDS = 600
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"})
OTHER_METHODS = sorted(HTTP_METHODS)
_PARAMETER = re.compile(r"^\{[^/{}]+\}$")


@dataclass(frozen=True)
class PathTemplate:
    """One path of the API (``/v1/workers/{workerSid}/caller-id``) and the methods it takes."""

    template: str
    methods: tuple[str, ...]

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))

    def matches(self, path: str) -> bool:
        requested = path.strip("/").split("/")
        if len(requested) != len(self.segments):
            return False
        return all(
            part == template or (bool(part) and _is_parameter(template))
            for template, part in zip(self.segments, requested, strict=True)
        )

    @property
    def specificity(self) -> tuple[bool, ...]:
        """Literal segments outrank parameters, leftmost first (``/workers/me`` before ``/workers/{workerSid}``),
        as API Gateway picks between overlapping resources."""
        return tuple(not _is_parameter(segment) for segment in self.segments)


@dataclass(frozen=True)
class PreflightAnswer:
    """Status and headers of the answer to one ``OPTIONS`` request; ``None`` from ``answer`` means no such path."""

    status: int
    headers: dict[str, str]


class CorsPreflight:
    """Answers preflights for the API's paths, granting only the configured origins."""

    def __init__(self, paths: Mapping[str, Iterable[str]], allowed_origins: Sequence[str]) -> None:
        templates = [PathTemplate(template, _with_options(methods)) for template, methods in paths.items()]
        self._paths = sorted(
            (t for t in templates if t.methods != ("OPTIONS",)), key=lambda t: t.specificity, reverse=True
        )
        self._origins = frozenset(allowed_origins)

    @classmethod
    def from_openapi(cls, document: Mapping[str, object], allowed_origins: Sequence[str]) -> CorsPreflight:
        """The paths and methods of an OpenAPI 3 document (its ``paths`` object)."""
        paths = document.get("paths") or {}
        if not isinstance(paths, Mapping):
            raise ValueError("the OpenAPI document has no paths object")
        return cls({template: list(operations) for template, operations in paths.items()}, allowed_origins)

    def methods_for(self, path: str) -> tuple[str, ...] | None:
        """The methods ``path`` takes, ``OPTIONS`` included, or ``None`` when the API has no such path."""
        for candidate in self._paths:
            if candidate.matches(path):
                return candidate.methods
        return None

    def not_allowed(self, path: str) -> Response[Any]:
        """The answer to a method ``path`` does not take: 405 with ``Allow`` (404 for a path the API lacks)."""
        methods = self.methods_for(path)
        if methods is None:
            raise NotFound("No such route.")
        answer = envelope(405, "method_not_allowed", f"{path} takes {', '.join(methods)}.", path)
        answer.headers["Allow"] = ",".join(methods)
        return answer

    def allowed_origin(self, origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for ``origin``: itself when listed, ``*`` when every origin
        is (as the resolver answers the requests that follow), else ``None``: no grant."""
        if not origin:
            return None
        if origin in self._origins:
            return origin
        return "*" if "*" in self._origins else None

    def answer(self, path: str, origin: str | None) -> PreflightAnswer | None:
        """204 with the path's methods in ``Allow``; the CORS grant only for an allowed origin."""
        methods = self.methods_for(path)
        if methods is None:
            return None
        headers = {"Allow": ",".join(methods), "Vary": "Origin"}
        granted = self.allowed_origin(origin)
        if granted is not None:
            headers |= {
                "Access-Control-Allow-Origin": granted,
                "Access-Control-Allow-Methods": ",".join(methods),
                "Access-Control-Allow-Headers": ",".join(ALLOWED_HEADERS),
                "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
            }
        return PreflightAnswer(204, headers)


def _is_parameter(segment: str) -> bool:
    return _PARAMETER.match(segment) is not None


def _with_options(methods: Iterable[str]) -> tuple[str, ...]:
    """The HTTP methods among ``methods`` (an OpenAPI path item also holds ``parameters``, ``summary``, …),
    upper-cased and sorted, plus ``OPTIONS``."""
    return tuple(sorted({m.upper() for m in methods if m.upper() in HTTP_METHODS} | {"OPTIONS"}))
