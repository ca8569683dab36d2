"""Twilio Event Streams webhook sink: Voice Insights call summaries tell how outbound calls ended (the calls Flex's
dialpad places too), counted for the numbers' health once per CallSid across every outcome source.

Signed as Twilio signs Event Streams deliveries: the sink's URL gets a ``bodySHA256`` query parameter (the hex
SHA-256 of the raw body) and ``X-Twilio-Signature`` signs that URL with the account's auth token
(``RequestValidator.validate(url, body, signature)`` checks both). The account is the one the events name; a
body that is not a JSON array of CloudEvents is 400, other event types are answered 204 and ignored."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.errors import InvalidSignature
from callerid.domain.streams import read_events, signing_account
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.resolver import make_resolver, public_base_url
from callerid.twilio.signatures import public_url

settings = runtime.settings()
logger = make_logger(__name__)
tracer = Tracer()
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
    event = app.current_event
    query = event.multi_value_query_string_parameters or {}
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    signature = headers.get("x-twilio-signature")
    if not signature or not query.get("bodySHA256"):
        raise InvalidSignature("Missing X-Twilio-Signature or the bodySHA256 query parameter.")
    body = event.decoded_body or ""
    events = read_events(body)  # 400 before any account is looked at
    account_sid = signing_account(events)
    if account_sid is None:
        raise InvalidSignature("The delivery names no account whose signature it could carry.")
    url = public_url(public_base_url(app, settings), event.path, query)
    signatures.verify_json(url, body, signature, account_sid)
    outcome = effects.handle(account_sid, events)
    logger.info("event streams delivery", extra={"account_sid": account_sid, **outcome})
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
