"""Powertools Logger (structured JSON) that never writes tokens, signatures, auth headers or auth tokens, and
Powertools Metrics with the project's namespace."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord

METRICS_NAMESPACE = "FlexCallerId"
REDACTED = "***"
SECRET_KEYS = frozenset(
    {
        "authorization",
        "x-twilio-signature",
        "token",
        "auth_token",
        "authtoken",
        "twilio_auth_token",
        "password",
        "cookie",
        "set-cookie",
        "x-api-key",
        "validationcode",
        "validation_code",
    }
)
_BEARER = re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# JWS (3 parts) and JWE (5 parts; Flex user tokens, whose encrypted-key part is empty with "alg": "dir").
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}")
_FORM_SECRET = re.compile(r"(?i)\b(Token|AuthToken|ValidationCode)=[^&\s\"]+")
_JSON_SECRET = re.compile(r'(?i)("(?:token|auth_?token|validation_?code)"\s*:\s*")[^"]*"')


def redact(value: Any) -> Any:
    """A copy of ``value`` with secret-named keys and bearer/JWT/form-token text replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SECRET_KEYS else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", value)
        text = _JWT.sub(REDACTED, text)
        text = _FORM_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        return _JSON_SECRET.sub(lambda m: f'{m.group(1)}{REDACTED}"', text)
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        return super().serialize(redact(log))


class FunctionLogger(Logger):
    """Powertools' Logger on a standard logger of its own module. Powertools names the standard logger after the
    service, so every function of one process shares one formatter and its keys (function name, request id):
    harmless in Lambda, one function per process, but the dev server runs every function in one process, and its
    log lines carried another function's name."""

    def __init__(self, module: str, **kwargs: Any) -> None:
        self._module = module
        super().__init__(**kwargs)

    def _get_logger(self) -> logging.Logger:
        return logging.getLogger(f"{self.service}.{self._module}")


def make_logger(module: str) -> Logger:
    """The structured, redacting logger of one function's module (pass its ``__name__``)."""
    return FunctionLogger(module, logger_formatter=RedactingFormatter())


def make_metrics() -> Metrics:
    """Powertools Metrics with the project's namespace unless ``POWERTOOLS_METRICS_NAMESPACE`` says otherwise
    (without one, the 100th metric of a container fails to flush)."""
    return Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or METRICS_NAMESPACE)
