"""The root account's auth token from its secret store, with the value before it and when it changed, through a
Powertools parameters provider (its cache, ``max_age`` and ``force_fetch``). Imported only by functions that read
the secret. Why the history comes from the store itself: docs/operations.md, "Rotating the auth token"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.parameters.base import BaseProvider
from botocore.exceptions import ClientError

from callerid.config import AuthTokens, secret_store_client_config

# botocore writes every response body to its DEBUG log, secrets included, whenever the root logger is at DEBUG.
# A container that reads the auth token never lets it: an explicit level on botocore's parser logger only.
if logging.getLogger("botocore.parsers").level == logging.NOTSET:
    logging.getLogger("botocore.parsers").setLevel(logging.INFO)

# What the stores answer when there is no version before the current one: no grace, not a failure.
NO_PREVIOUS = frozenset({"ParameterVersionNotFound", "ResourceNotFoundException"})


class AuthTokenProvider(BaseProvider):
    """``AuthTokens`` of one secret.

    SSM: ``GetParameter`` answers the value, its ``Version`` and ``LastModifiedDate`` (when "the parameter version
    was created"); the previous value is ``GetParameter`` of the selector ``<name>:<Version - 1>``, the same action
    on the same parameter, so the functions need ``ssm:GetParameter`` and nothing more. Secrets Manager:
    ``GetSecretValue`` answers the ``AWSCURRENT`` value and its version's ``CreatedDate``; ``VersionStage=
    AWSPREVIOUS`` the one before (Secrets Manager moves that label whenever ``AWSCURRENT`` moves). The previous
    value is read only while the change is younger than the grace, so in steady state a refresh is one request.
    """

    def __init__(
        self, client: Any, *, secrets_manager: bool, grace_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(client=client)
        self.client = client
        self.secrets_manager = secrets_manager
        self.grace_seconds = grace_seconds
        self.clock = clock

    def tokens(self, name: str, *, max_age: int = 300, force_fetch: bool = False) -> AuthTokens:
        value = self.get(name, max_age=max_age, force_fetch=force_fetch)
        if not isinstance(value, dict):
            raise TypeError("the auth token provider answers a mapping")
        return AuthTokens(value["current"], value["previous"], value["changed_at"])

    def _get(self, name: str, **sdk_options: Any) -> dict[str, Any]:
        if self.secrets_manager:
            answer = self.client.get_secret_value(SecretId=name)
            current, changed_at = str(answer["SecretString"]), _epoch(answer["CreatedDate"])
            previous = self._previous(changed_at, lambda: self._secret_value(name, "AWSPREVIOUS"))
        else:
            parameter = self.client.get_parameter(Name=name, WithDecryption=True)["Parameter"]
            current, changed_at = str(parameter["Value"]), _epoch(parameter["LastModifiedDate"])
            version = int(parameter["Version"])
            previous = (
                self._previous(changed_at, lambda: self._parameter_value(f"{name}:{version - 1}"))
                if version > 1
                else None
            )
        return {"current": current, "previous": previous, "changed_at": changed_at if previous else None}

    def _get_multiple(self, path: str, **sdk_options: Any) -> dict[str, str]:
        raise NotImplementedError("one secret only")

    def _secret_value(self, name: str, stage: str) -> str:
        return str(self.client.get_secret_value(SecretId=name, VersionStage=stage)["SecretString"])

    def _parameter_value(self, selector: str) -> str:
        return str(self.client.get_parameter(Name=selector, WithDecryption=True)["Parameter"]["Value"])

    def _previous(self, changed_at: float, read: Callable[[], str]) -> str | None:
        if self.clock() >= changed_at + self.grace_seconds:
            return None
        try:
            return read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in NO_PREVIOUS:
                return None
            raise


def _epoch(value: datetime | float) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


@lru_cache(maxsize=4)
def auth_token_provider(secrets_manager: bool, grace_seconds: int) -> AuthTokenProvider:
    """One provider (and so one cache) per container. Its client honours ``AWS_ENDPOINT_URL_SSM`` (botocore's
    service-specific endpoint variable): the local stack points it at its moto server; the code path is AWS's."""
    import boto3

    client = boto3.client("secretsmanager" if secrets_manager else "ssm", config=secret_store_client_config())
    return AuthTokenProvider(client, secrets_manager=secrets_manager, grace_seconds=grace_seconds)
