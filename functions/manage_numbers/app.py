"""Number management for supervisors and admins: a number's detail and configuration, the workspace's primary,
BYOT registration, release and re-sync (PRODUCT.md, "Number management")."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models import ByotIn, NumberHealthOut, NumberOut, NumberPatchIn
from callerid.http.resolver import make_resolver

settings = runtime.settings()
logger = make_logger(__name__)
tracer = Tracer()
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
numbers = runtime.numbers()
management = runtime.number_management()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)
NumberSid = Annotated[str, Path(alias="sid", min_length=34, max_length=34, pattern=r"^[A-Z]{2}[0-9a-fA-F]{32}$")]


def answer(caller: Caller, sid: str) -> NumberOut:
    record = numbers.get(caller.account_sid, sid)
    return NumberOut.of(record, caller.account_sid, numbers.lock_of(record.phone_number))


@app.post("/v1/phone-numbers", responses=answers(*FLEX_ERRORS, 409, success=201), security=FLEX_TOKEN)
def register_byot(caller: Annotated[Caller, Depends(supervisor)], body: ByotIn) -> Response[NumberOut]:
    record = numbers.register_byot(caller.account_sid, body.phone_number, body.provider, body.connection)
    created = NumberOut.of(record, caller.account_sid, None)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)


@app.get("/v1/phone-numbers/<sid>", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def get_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberOut:
    return answer(caller, sid)


@app.patch("/v1/phone-numbers/<sid>", responses=answers(*FLEX_ERRORS, 404, 409), security=FLEX_TOKEN)
def configure_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid, body: NumberPatchIn) -> NumberOut:
    record = numbers.change(caller.account_sid, sid, body.changes())
    return NumberOut.of(record, caller.account_sid, numbers.lock_of(record.phone_number))


@app.put("/v1/phone-numbers/<sid>/primary", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def make_primary(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberOut:
    record = numbers.make_primary(caller.account_sid, sid)
    return NumberOut.of(record, caller.account_sid, numbers.lock_of(record.phone_number))


@app.delete(
    "/v1/phone-numbers/<sid>",
    responses=answers(*FLEX_ERRORS, 404, 409, success=204, description="Released"),
    security=FLEX_TOKEN,
)
def release_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> Response[None]:
    management.release(caller.account_sid, sid)
    return Response(status_code=204)


@app.post("/v1/phone-numbers/<sid>/sync", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def resync_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberOut:
    record = management.resync(caller.account_sid, sid)
    return NumberOut.of(record, caller.account_sid, numbers.lock_of(record.phone_number))


@app.get("/v1/phone-numbers/<sid>/health", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def number_health(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberHealthOut:
    record = numbers.get(caller.account_sid, sid)
    health = management.health(record.phone_number)
    return NumberHealthOut(
        phone_number=record.phone_number,
        attempts=health.attempts,
        answered=health.answered,
        answer_rate=health.answer_rate,
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
