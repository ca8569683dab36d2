"""Twilio's voice webhook for the numbers this backend buys or imports: an inbound call goes to Flex (to the
number's inbound agent when it has one), or is rejected when the number is not active or the caller's country is
outside its allowed inbound countries. Signed; answered with TwiML from the stored record (the Flex workflow's SID
is configured, or looked up once per container)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field
from twilio.twiml.voice_response import VoiceResponse

from callerid import runtime
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.powertools import OpenAPIResponse, Response
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import TwilioForm, parse_form, signed_form
from callerid.service.inbound import InboundCall, InboundRoute, Route

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger)
signatures = runtime.webhook_signatures()
calls = runtime.inbound_calls()
TWIML = "application/xml"


class VoiceForm(TwilioForm):
    AccountSid: str
    CallSid: str = Field(min_length=2, max_length=64)
    To: str = Field(min_length=1, max_length=64)
    From: str | None = Field(default=None, max_length=64)


def twiml(route: InboundRoute, account_sid: str) -> str:
    response = VoiceResponse()
    if route.route is Route.REJECT:
        response.reject(reason="rejected")
    elif route.route is Route.REDIRECT:
        response.redirect(settings.inbound_flow_url, method="POST")
    else:
        enqueue = response.enqueue(None, workflow_sid=runtime.gateway().inbound_workflow_sid(account_sid))
        enqueue.task(json.dumps(route.task_attributes()))
    return str(response)


TWIML_ANSWER: OpenAPIResponse = {
    "description": "TwiML: Enqueue to Flex, Redirect to the Studio flow, or Reject",
    "content": {TWIML: {"schema": {"type": "string"}}},
}


@app.post(
    "/webhooks/twilio/voice",
    responses={**answers(*WEBHOOK_ERRORS), 200: TWIML_ANSWER},
    security=TWILIO_SIGNATURE,
)
def inbound_call() -> Response[str]:
    form = parse_form(signed_form(app, settings, signatures), VoiceForm)
    route = calls.route(InboundCall(form.AccountSid, form.CallSid, form.To, form.From))
    logger.info("inbound call", extra={"route": route.route.value, "reason": route.reason, "call_sid": form.CallSid})
    return Response(status_code=200, content_type=TWIML, body=twiml(route, form.AccountSid))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
