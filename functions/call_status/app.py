"""Twilio call status callback: a finished call frees the caller-ID lock it held and counts for the number's
health, within the account that signed it. Signed; applied once per CallSid + CallStatus."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from callerid import runtime
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.powertools import Response
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import AppliedOnce, TwilioForm, parse_form, signed_form
from callerid.service.webhooks import CallStatusEvent

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger)
signatures = runtime.webhook_signatures()
apply = AppliedOnce(
    settings, "call-status", "[account_sid, call_sid, call_status]", runtime.call_status_effects().handle
)


class CallStatusForm(TwilioForm):
    AccountSid: str
    CallSid: str = Field(min_length=2, max_length=64)
    CallStatus: str = Field(min_length=1, max_length=32)
    From: str | None = None
    To: str | None = Field(default=None, max_length=64)
    Direction: str | None = None
    Timestamp: str | None = None
    CallDuration: int | None = Field(default=None, ge=0, le=7 * 86_400)
    SipResponseCode: str | None = Field(default=None, max_length=16)
    StirStatus: str | None = Field(default=None, max_length=64)


@app.post(
    "/webhooks/twilio/call-status",
    responses=answers(*WEBHOOK_ERRORS, success=204, description="Applied, or already applied"),
    security=TWILIO_SIGNATURE,
)
def call_status() -> Response[None]:
    form = parse_form(signed_form(app, settings, signatures), CallStatusForm)
    apply(
        CallStatusEvent(
            form.AccountSid,
            form.CallSid,
            form.CallStatus,
            form.From,
            form.Direction,
            form.Timestamp,
            form.CallDuration,
            form.SipResponseCode,
            form.StirStatus,
            form.To,
        )
    )
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    apply.register(context)
    return app.resolve(event, context)
