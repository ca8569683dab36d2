"""Twilio call status callback: a finished call frees the caller-ID lock it held and counts for the number's
health. Signed; idempotent per CallSid + CallStatus."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from callerid import runtime
from callerid.http.logging import make_logger, make_metrics
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import TwilioForm, idempotency_config, idempotency_store, parse_form, signed_form
from callerid.service.webhooks import CallStatusEffects, CallStatusEvent
from callerid.store.health import HealthRepository
from callerid.store.locks import LockRepository
from callerid.twilio.signatures import WebhookSignatures

settings = runtime.settings()
logger = make_logger()
tracer = Tracer()
metrics = make_metrics()
app = make_resolver(settings, logger)
runtime.table()
signatures = WebhookSignatures(runtime.accounts())
effects = CallStatusEffects(LockRepository(), HealthRepository())
config = idempotency_config(settings, "[call_sid, call_status]")


class CallStatusForm(TwilioForm):
    CallSid: str = Field(min_length=2, max_length=64)
    CallStatus: str = Field(min_length=1, max_length=32)
    AccountSid: str
    From: str | None = None
    Direction: str | None = None
    Timestamp: str | None = None
    CallDuration: str | None = None


@idempotent_function(
    data_keyword_argument="event", config=config, persistence_store=idempotency_store(settings, "call-status")
)
def apply(event: CallStatusEvent) -> dict[str, Any]:
    return effects.handle(event)


@app.post("/webhooks/twilio/call-status")
def call_status() -> Response[None]:
    form = parse_form(signed_form(app, settings, signatures), CallStatusForm)
    apply(
        event=CallStatusEvent(
            form.CallSid, form.CallStatus, form.From, form.Direction, form.Timestamp, form.CallDuration
        )
    )
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config.register_lambda_context(context)
    return app.resolve(event, context)
