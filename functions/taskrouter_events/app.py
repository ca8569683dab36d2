"""TaskRouter event callback: the end of a worker's outbound-call task (Flex's dialpad posts no call-status
webhook here) frees the caller-ID lock taken for that call; a worker's attributes keep its team current. Signed;
applied once per event Sid, within the account that signed it and its configured workspace."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from callerid import runtime
from callerid.domain.taskrouter import TaskRouterEvent, read_event
from callerid.http.answers import TWILIO_SIGNATURE, WEBHOOK_ERRORS, answers
from callerid.http.logging import make_logger, make_metrics
from callerid.http.powertools import Response
from callerid.http.resolver import make_resolver
from callerid.http.webhooks import AppliedOnce, TwilioForm, parse_form, signed_form

settings = runtime.settings()
logger = make_logger(__name__)
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

    def event(self) -> TaskRouterEvent:
        return read_event(
            sid=self.Sid,
            event_type=self.EventType,
            account_sid=self.AccountSid,
            workspace_sid=self.WorkspaceSid,
            timestamp=self.Timestamp,
            timestamp_ms=self.TimestampMs,
            worker_sid=self.WorkerSid,
            task_sid=self.TaskSid,
            task_age=self.TaskAge,
            task_attributes=self.TaskAttributes,
            worker_attributes=self.WorkerAttributes,
        )


@app.post(
    "/webhooks/twilio/taskrouter-events",
    responses=answers(*WEBHOOK_ERRORS, success=204, description="Applied, ignored, or already applied"),
    security=TWILIO_SIGNATURE,
)
def taskrouter_event() -> Response[None]:
    form = parse_form(signed_form(app, settings, signatures), TaskRouterEventForm)
    event = form.event()  # 400 for what an event acted on cannot carry, before anything is recorded
    if event.acts:
        outcome = apply(event)
        logger.info("taskrouter event", extra={"event_sid": form.Sid, "event_type": form.EventType, **outcome})
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    apply.register(context)
    return app.resolve(event, context)
