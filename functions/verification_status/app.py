"""Twilio caller-ID verification status callback: records the outcome; a verified caller ID, once Twilio confirms
it under the account that signed the callback, joins that workspace's numbers at once. Signed; applied once per
CallSid."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from callerid import runtime
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.powertools import Response
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import AppliedOnce, TwilioForm, parse_form, signed_form
from callerid.service.webhooks import VerificationEvent

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger)
signatures = runtime.webhook_signatures()
apply = AppliedOnce(settings, "verification-status", "[account_sid, call_sid]", runtime.verification_effects().handle)


class VerificationForm(TwilioForm):
    AccountSid: str
    CallSid: str = Field(min_length=2, max_length=64)
    VerificationStatus: Literal["success", "failed"]
    OutgoingCallerIdSid: str | None = Field(default=None, pattern=r"^PN[0-9a-fA-F]{32}$")
    To: str | None = Field(default=None, max_length=64)
    Called: str | None = Field(default=None, max_length=64)


@app.post(
    "/webhooks/twilio/verification-status",
    responses=answers(*WEBHOOK_ERRORS, success=204, description="Recorded, or already recorded"),
    security=TWILIO_SIGNATURE,
)
def verification_status() -> Response[None]:
    form = parse_form(signed_form(app, settings, signatures), VerificationForm)
    phone = form.To or form.Called or ""
    outcome = apply(
        VerificationEvent(form.AccountSid, form.CallSid, form.VerificationStatus, phone, form.OutgoingCallerIdSid)
    )
    logger.info("verification callback", extra={"call_sid": form.CallSid, **outcome})
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    apply.register(context)
    return app.resolve(event, context)
