"""Twilio caller-ID verification status callback: records the outcome; a verified caller ID joins the
workspace's numbers at once. Signed; idempotent per CallSid."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from callerid import runtime
from callerid.http.logging import make_logger, make_metrics
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import TwilioForm, idempotency_config, idempotency_store, parse_form, signed_form
from callerid.service.webhooks import VerificationEffects, VerificationEvent
from callerid.store.verifications import VerificationRepository
from callerid.twilio.signatures import WebhookSignatures

settings = runtime.settings()
logger = make_logger()
tracer = Tracer()
metrics = make_metrics()
app = make_resolver(settings, logger)
runtime.table()
signatures = WebhookSignatures(runtime.accounts())
catalogue = runtime.catalogue()
effects = VerificationEffects(VerificationRepository(), catalogue)
config = idempotency_config(settings, "call_sid")


class VerificationForm(TwilioForm):
    AccountSid: str
    CallSid: str = Field(min_length=2, max_length=64)
    VerificationStatus: Literal["success", "failed"]
    OutgoingCallerIdSid: str | None = None
    To: str | None = None
    Called: str | None = None


@idempotent_function(
    data_keyword_argument="event", config=config, persistence_store=idempotency_store(settings, "verification-status")
)
def apply(event: VerificationEvent) -> dict[str, Any]:
    return effects.handle(event)


@app.post("/webhooks/twilio/verification-status")
def verification_status() -> Response[None]:
    form = parse_form(signed_form(app, settings, signatures), VerificationForm)
    phone = form.To or form.Called or ""
    apply(
        event=VerificationEvent(form.AccountSid, form.CallSid, form.VerificationStatus, phone, form.OutgoingCallerIdSid)
    )
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    config.register_lambda_context(context)
    return app.resolve(event, context)
