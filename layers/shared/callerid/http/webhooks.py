"""Plumbing shared by Twilio's webhooks: the signed form, the signed Event Streams delivery, and effects applied once
through Powertools idempotency records in the one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, ValidationError

from callerid.config import Settings
from callerid.domain.errors import InvalidRequest, InvalidSignature, RequestInProgress, StoreUnavailable
from callerid.domain.streams import CloudEvent, read_events, signing_account
from callerid.http.errors import describe_validation_errors
from callerid.http.resolver import public_base_url
from callerid.twilio.signatures import FormParams, WebhookSignatures, public_url

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

FormModel = TypeVar("FormModel", bound=BaseModel)
Event = TypeVar("Event")


class TwilioForm(BaseModel):
    """Twilio posts many more fields than a handler reads; the unknown ones are ignored, never errors."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


def signed_form(app: APIGatewayRestResolver, settings: Settings, signatures: WebhookSignatures) -> FormParams:
    """The request's form fields, after the signature over them and the public URL has been checked."""
    event = app.current_event
    params = FormParams(parse_qs(event.decoded_body or "", keep_blank_values=True))
    url = public_url(public_base_url(app, settings), event.path, event.multi_value_query_string_parameters)
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    signatures.verify_form(url, params, headers.get("x-twilio-signature"))
    return params


def signed_events(
    app: APIGatewayRestResolver, settings: Settings, signatures: WebhookSignatures
) -> tuple[str, list[CloudEvent]]:
    """An Event Streams delivery's account and events, after its signature was checked as Twilio signs them: the
    URL carries ``bodySHA256`` (the raw body's SHA-256) and ``X-Twilio-Signature`` signs that URL with the auth token
    of the account the events name. 403 without either; 400 for a body that is not a JSON array of CloudEvents (read
    before any account is looked at); 403 when no event names an account or the signature is not that account's."""
    event = app.current_event
    query = event.multi_value_query_string_parameters or {}
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    signature = headers.get("x-twilio-signature")
    if not signature or not query.get("bodySHA256"):
        raise InvalidSignature("Missing X-Twilio-Signature or the bodySHA256 query parameter.")
    body = event.decoded_body or ""
    events = read_events(body)
    account_sid = signing_account(events)
    if account_sid is None:
        raise InvalidSignature("The delivery names no account whose signature it could carry.")
    url = public_url(public_base_url(app, settings), event.path, query)
    signatures.verify_json(url, body, signature, account_sid)
    return account_sid, events


def parse_form(params: FormParams, model: type[FormModel]) -> FormModel:
    """Validate the (already signed) form against ``model``: a 400 with the envelope when fields are missing."""
    try:
        return model.model_validate({name: values[0] for name, values in params.items() if values})
    except ValidationError as exc:
        _, message = describe_validation_errors([dict(e) for e in exc.errors()])
        raise InvalidRequest(message) from exc


def idempotency_store(settings: Settings, name: str) -> DynamoDBPersistenceLayer:
    """Powertools idempotency records in the one table (``pk``/``sk``, TTL on ``expires_at``), through the
    store's own botocore client (the models' connection: the same bounded timeouts and retries, and one client
    per container rather than two)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from callerid.store.models import connection

    client: Any = connection().client  # the table is bound: the effects' stores were built at import
    return DynamoDBPersistenceLayer(
        table_name=settings.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{name}",
        expiry_attr="expires_at",
        boto3_client=client,
    )


def idempotency_config(settings: Settings, key: str) -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath=key,
        expires_after_seconds=settings.webhook_idempotency_ttl_seconds,
        raise_on_no_idempotency_key=True,
    )


class AppliedOnce(Generic[Event]):
    """A webhook's side effect, applied once per idempotency key (``key``, a JMESPath over the event).

    The records' namespace is the webhook's ``name``, not the Python module that happens to run it, so every copy
    of the function (Lambda's, or the dev server's warm copies) shares it. A duplicate that arrives while the first
    is still being applied is ``RequestInProgress`` (409: Twilio retries it); a failing record store is
    ``StoreUnavailable`` (503).

    Built on the first webhook, not at import: Powertools' idempotency imports boto3, which nothing else of a
    webhook's import needs (cold import, bench/README.md)."""

    def __init__(self, settings: Settings, name: str, key: str, effect: Callable[[Event], dict[str, Any]]) -> None:
        self.settings, self.name, self.key, self.effect = settings, name, key, effect
        self._config: IdempotencyConfig | None = None
        self._apply: Callable[..., Any] | None = None
        self._context: LambdaContext | None = None

    @property
    def config(self) -> IdempotencyConfig:
        if self._config is None:
            self._config = idempotency_config(self.settings, self.key)
        return self._config

    def register(self, context: LambdaContext) -> None:
        """Let the records expire with the invocation if it dies mid-way (Powertools reads its remaining time)."""
        self._context = context
        if self._config is not None:
            self._config.register_lambda_context(context)

    def _applied_once(self) -> Callable[..., Any]:
        if self._apply is None:
            from aws_lambda_powertools.utilities.idempotency import idempotent_function

            effect = self.effect

            def apply(event: Event) -> dict[str, Any]:
                return effect(event)

            self._apply = idempotent_function(
                apply,
                data_keyword_argument="event",
                config=self.config,
                persistence_store=idempotency_store(self.settings, self.name),
                key_prefix=self.name,
            )
            if self._context is not None:
                self.config.register_lambda_context(self._context)
        return self._apply

    def __call__(self, event: Event) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            BaseError,
            IdempotencyAlreadyInProgressError,
        )

        applied_once = self._applied_once()
        try:
            return dict(applied_once(event=event))
        except IdempotencyAlreadyInProgressError as exc:
            raise RequestInProgress("An identical request is still being applied; retry shortly.") from exc
        except BaseError as exc:
            raise StoreUnavailable("The webhook could not be recorded right now; retry shortly.") from exc
