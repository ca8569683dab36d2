"""Plumbing shared by Twilio's webhooks: the signed form, and the Powertools idempotency store in the one table."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from pydantic import BaseModel, ConfigDict, ValidationError

from callerid.config import Settings
from callerid.domain.errors import InvalidRequest
from callerid.http.errors import describe_validation_errors
from callerid.http.resolver import public_base_url
from callerid.twilio.signatures import FormParams, WebhookSignatures, public_url

FormModel = TypeVar("FormModel", bound=BaseModel)


class TwilioForm(BaseModel):
    """Twilio posts many more fields than a handler reads; the unknown ones are ignored, never errors."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def signed_form(app: APIGatewayRestResolver, settings: Settings, signatures: WebhookSignatures) -> FormParams:
    """The request's form fields, after the signature over them and the public URL has been checked."""
    event = app.current_event
    params = FormParams(parse_qs(event.decoded_body or "", keep_blank_values=True))
    url = public_url(public_base_url(app, settings), event.path, event.multi_value_query_string_parameters)
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    signatures.verify_form(url, params, headers.get("x-twilio-signature"))
    return params


def parse_form(params: FormParams, model: type[FormModel]) -> FormModel:
    """Validate the (already signed) form against ``model``: a 400 with the envelope when fields are missing."""
    try:
        return model.model_validate({name: values[0] for name, values in params.items() if values})
    except ValidationError as exc:
        _, message = describe_validation_errors([dict(e) for e in exc.errors()])
        raise InvalidRequest(message) from exc


def idempotency_store(settings: Settings, name: str) -> DynamoDBPersistenceLayer:
    """Powertools idempotency records in the one table (``pk``/``sk``, TTL on ``expires_at``)."""
    import boto3

    client: Any = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.aws_region)
    return DynamoDBPersistenceLayer(
        table_name=settings.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{name}",
        expiry_attr="expires_at",
        boto3_client=client,
    )


def idempotency_config(settings: Settings, key: str) -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath=key,
        expires_after_seconds=settings.webhook_idempotency_ttl_seconds,
        raise_on_no_idempotency_key=True,
    )
