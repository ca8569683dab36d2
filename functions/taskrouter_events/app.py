"""TaskRouter event callback: the end of a worker's outbound-call task (Flex's dialpad posts no call-status
webhook here) frees the caller-ID lock taken for that call; a worker's attributes keep its team current. Signed;
applied once per event Sid, within the account that signed it and its configured workspace."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from callerid import runtime
from callerid.domain.taskrouter import read_event
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import AppliedOnce, TwilioForm, parse_form, signed_form

settings = runtime.settings()
logger = make_logger(__name__)
tracer = Tracer()
metrics = make_metrics()
app = make_resolver(settings, logger)
signatures = runtime.webhook_signatures()
apply = AppliedOnce(settings, "taskrouter-events", "[account_sid, sid]", runtime.taskrouter_effects().handle)
SID = r"^[A-Z]{2}[0-9a-fA-F]{32}$"
ATTRIBUTES = 100_000


class TaskRouterEventForm(TwilioForm):
    Sid: str = Field(pattern=SID)
    EventType: str = Field(min_length=1, max_length=64)
    AccountSid: str
    WorkspaceSid: str = Field(pattern=r"^WS[0-9a-fA-F]{32}$")
    Timestamp: str | None = Field(default=None, max_length=32)
    TimestampMs: str | None = Field(default=None, max_length=32)
    WorkerSid: str | None = Field(default=None, pattern=r"^(WK[0-9a-fA-F]{32})?$")
    TaskSid: str | None = Field(default=None, pattern=r"^(WT[0-9a-fA-F]{32})?$")
    TaskAge: str | None = Field(default=None, max_length=16)
    TaskAttributes: str | None = Field(default=None, max_length=ATTRIBUTES)
    WorkerAttributes: str | None = Field(default=None, max_length=ATTRIBUTES)


@app.post(
    "/webhooks/twilio/taskrouter-events",
    responses=answers(*WEBHOOK_ERRORS, success=204, description="Applied, ignored, or already applied"),
    security=TWILIO_SIGNATURE,
)
def taskrouter_event() -> Response[None]:
    form = parse_form(signed_form(app, settings, signatures), TaskRouterEventForm)
    event = read_event(
        sid=form.Sid,
        event_type=form.EventType,
        account_sid=form.AccountSid,
        workspace_sid=form.WorkspaceSid,
        timestamp=form.Timestamp,
        timestamp_ms=form.TimestampMs,
        worker_sid=form.WorkerSid,
        task_sid=form.TaskSid,
        task_age=form.TaskAge,
        task_attributes=form.TaskAttributes,
        worker_attributes=form.WorkerAttributes,
    )
    if event.acts:
        outcome = apply(event)
        logger.info("taskrouter event", extra={"event_sid": form.Sid, "event_type": form.EventType, **outcome})
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    apply.register(context)
    return app.resolve(event, context)
