"""Settings: one pydantic model, read from the environment once per container.

Secrets are not environment values in AWS: ``TWILIO_AUTH_TOKEN_PARAMETER`` names an SSM SecureString (or a
Secrets Manager secret when it starts with ``secretsmanager:``) read through a Powertools parameters provider,
cached, and only when a Twilio request actually needs it. The provider also reads, from the store's own history,
the value before the current one and when it changed, so webhook signatures made with the previous auth token
are accepted for ``AUTH_TOKEN_GRACE_SECONDS`` after a rotation (docs/operations.md, "Rotating the auth token").
Locally ``TWILIO_AUTH_TOKEN`` may be set directly (no history: no grace).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

if TYPE_CHECKING:
    from botocore.config import Config

    from callerid.domain.reputation import ReputationLimits

FLEX_ORIGIN = "https://flex.twilio.com"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = "caller-id"
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    twilio_auth_token_parameter: str | None = None
    taskrouter_workspace_sid: str | None = None
    public_base_url: str = ""
    include_outgoing_only_numbers: bool = True
    caller_id_lock_ttl_seconds: Annotated[int, Field(ge=10, le=86_400)] = 300
    number_cache_ttl_seconds: Annotated[int, Field(ge=0, le=86_400)] = 300
    allowed_origins: tuple[str, ...] = (FLEX_ORIGIN,)
    dynamodb_endpoint_url: str | None = None
    twilio_api_base_url: str | None = None
    aws_region: str = "us-east-1"
    webhook_idempotency_ttl_seconds: Annotated[int, Field(ge=60)] = 7 * 86_400
    inbound_workflow_sid: str | None = None
    inbound_flow_url: str = ""
    # Number reputation (PRODUCT.md): 0 turns a cap, a spacing or a floor off.
    number_daily_call_cap: Annotated[int, Field(ge=0, le=100_000)] = 0
    number_min_seconds_between_calls: Annotated[int, Field(ge=0, le=86_400)] = 0
    health_window_attempts: Annotated[int, Field(ge=1, le=500)] = 50
    health_min_attempts: Annotated[int, Field(ge=1, le=500)] = 20
    health_min_answer_rate: Annotated[float, Field(ge=0, le=1)] = 0.0
    health_cooldown_seconds: Annotated[int, Field(ge=0, le=30 * 86_400)] = 86_400
    # How long the audit log keeps an entry (DynamoDB TTL).
    audit_days: Annotated[int, Field(ge=1, le=3650)] = 400
    health_short_call_seconds: Annotated[int, Field(ge=0, le=3_600)] = 6
    health_max_blocked_rate: Annotated[float, Field(ge=0, le=1)] = 0.2
    call_record_days: Annotated[int, Field(ge=1, le=365)] = 30
    callback_affinity_days: Annotated[int, Field(ge=0, le=365)] = 7
    # How long, after a change of an account's auth token, signatures made with the one before still count.
    auth_token_grace_seconds: Annotated[int, Field(ge=0, le=30 * 86_400)] = 86_400
    # The Trust Hub products (``BU…``, comma-separated) numbers join when bought or imported; empty: none.
    trust_product_sids: tuple[str, ...] = ()

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip()) or (FLEX_ORIGIN,)
        return value

    @field_validator("trust_product_sids", mode="before")
    @classmethod
    def _split_products(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
        return value

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def reputation(self) -> ReputationLimits:
        """The reputation limits, as the domain states them."""
        from callerid.domain.reputation import ReputationLimits

        return ReputationLimits(
            daily_call_cap=self.number_daily_call_cap,
            min_seconds_between_calls=self.number_min_seconds_between_calls,
            window_attempts=self.health_window_attempts,
            min_attempts=self.health_min_attempts,
            min_answer_rate=self.health_min_answer_rate,
            cooldown_seconds=self.health_cooldown_seconds,
            short_call_seconds=self.health_short_call_seconds,
            max_blocked_rate=self.health_max_blocked_rate,
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {name: env[name.upper()] for name in cls.model_fields if env.get(name.upper()) not in (None, "")}
        if "aws_region" not in values and env.get("AWS_DEFAULT_REGION"):
            values["aws_region"] = env["AWS_DEFAULT_REGION"]
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The container's settings (read once)."""
    return Settings.from_env()


@dataclass(frozen=True, slots=True)
class AuthTokens:
    """An account's auth token and, once it has changed, the one before it and when (epoch seconds). Neither
    token is ever part of a ``repr`` (so never of a log line or a traceback's locals)."""

    current: str = field(repr=False)
    previous: str | None = field(default=None, repr=False)
    changed_at: float | None = None

    def accepted(self, now: float, grace_seconds: float) -> tuple[str, ...]:
        """The tokens a signature may be made with at ``now``: the current one, and the previous one until
        ``grace_seconds`` after the change."""
        if (
            self.previous
            and self.previous != self.current
            and self.changed_at is not None
            and now < self.changed_at + grace_seconds
        ):
            return (self.current, self.previous)
        return (self.current,)

    def replaced_by(self, current: str, now: float) -> AuthTokens:
        """These tokens after the account's token was seen to be ``current`` at ``now`` (unchanged: the same)."""
        if current == self.current:
            return self
        return AuthTokens(current, self.current, now)


def root_auth_tokens(settings: Settings, *, force_fetch: bool = False) -> AuthTokens:
    """The configured account's auth tokens: the current one and, for the grace after a change, the previous one.
    ``force_fetch`` reads the store now instead of the 5-minute cache (a signature that matched neither)."""
    if settings.twilio_auth_token is not None:
        return AuthTokens(settings.twilio_auth_token.get_secret_value())
    name = settings.twilio_auth_token_parameter
    if not name:
        raise RuntimeError("Set TWILIO_AUTH_TOKEN_PARAMETER (or TWILIO_AUTH_TOKEN locally).")
    # Imported here: only functions that talk to Twilio read the secret. A failing secret store is a failing
    # dependency (503), never a 500; its client has the store's bounded timeouts.
    from aws_lambda_powertools.utilities import parameters
    from botocore.exceptions import BotoCoreError, ClientError

    from callerid.domain.errors import UpstreamUnavailable
    from callerid.secret_store import auth_token_provider

    secrets_manager = name.startswith("secretsmanager:")
    provider = auth_token_provider(secrets_manager, settings.auth_token_grace_seconds)
    try:
        return provider.tokens(name.removeprefix("secretsmanager:"), max_age=300, force_fetch=force_fetch)
    except (parameters.exceptions.GetParameterError, BotoCoreError, ClientError) as exc:
        raise UpstreamUnavailable("The Twilio auth token could not be read from its secret store.") from exc


def twilio_auth_token(settings: Settings) -> str:
    """The configured account's auth token: from the environment locally, from SSM/Secrets Manager in AWS."""
    return root_auth_tokens(settings).current


def secret_store_client_config() -> Config:
    """The secret store's client: bounded timeouts and retries (a webhook waits on it)."""
    from botocore.config import Config

    return Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 3, "mode": "standard"})
