"""StartOutboundCall From rewrite: which number this call shows, locked to this agent. The call path: no Twilio
request, two DynamoDB requests in steady state, no ``twilio.rest`` import. Also the caller ID of a transfer."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.calls import (
    LockOut,
    LockReleaseOut,
    OutboundCallIn,
    OutboundCallOut,
    TransferCallerIdIn,
    TransferCallerIdOut,
)
from callerid.http.powertools import Depends
from callerid.http.resolver import make_resolver

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
calls = runtime.outbound_calls()
agent = caller_dependency(runtime.token_validator, Role.AGENT)


@app.post("/v1/outbound-calls", responses=answers(*FLEX_ERRORS, 404, 409, 422), security=FLEX_TOKEN)
def start_outbound_call(caller: Annotated[Caller, Depends(agent)], body: OutboundCallIn) -> OutboundCallOut:
    call = calls.start(
        caller,
        body.to,
        body.from_,
        queue_sid=body.queue_sid,
        task_sid=body.task_sid,
        selection_version=body.selection_version,
    )
    metrics.add_metric(name=f"FromResolved_{call.choice.reason.value}", unit=MetricUnit.Count, value=1)
    return OutboundCallOut(
        from_=call.lock.phone_number, reason=call.choice.reason, lock=LockOut.of(call.lock), guard=call.lock.guard
    )


@app.delete("/v1/outbound-calls/lock", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def release_lock(caller: Annotated[Caller, Depends(agent)]) -> LockReleaseOut:
    released = calls.release_own(caller)
    return LockReleaseOut(
        released=bool(released), phone_number=released[0] if released else None, phone_numbers=released
    )


@app.post("/v1/transfers/caller-id", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def transfer_caller_id(caller: Annotated[Caller, Depends(agent)], body: TransferCallerIdIn) -> TransferCallerIdOut:
    shown = runtime.transfers().caller_id(
        caller, body.type, body.displayed_number, body.caller_number, body.agent_number
    )
    return TransferCallerIdOut(caller_id=shown)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
