"""Twilio Event Streams webhook sink: Voice Insights call summaries tell how outbound calls ended (the calls Flex's
dialpad places too), counted for the numbers' health once per CallSid across every outcome source.

Signed as Twilio signs Event Streams deliveries: the sink's URL gets a ``bodySHA256`` query parameter (the hex
SHA-256 of the raw body) and ``X-Twilio-Signature`` signs that URL with the account's auth token
(``RequestValidator.validate(url, body, signature)`` checks both). The account is the one the events name; a
body that is not a JSON array of CloudEvents is 400, other event types are answered 204 and ignored."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.powertools import Response
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import signed_events

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger)
signatures = runtime.webhook_signatures()
effects = runtime.stream_effects()


@app.post(
    "/webhooks/twilio/event-streams",
    responses=answers(*WEBHOOK_ERRORS, success=204, description="Counted, ignored, or counted already"),
    security=TWILIO_SIGNATURE,
)
def event_streams() -> Response[None]:
    account_sid, events = signed_events(app, settings, signatures)
    outcome = effects.handle(account_sid, events)
    logger.info("event streams delivery", extra={"account_sid": account_sid, **outcome})
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
