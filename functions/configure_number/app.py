"""One number's configuration, for supervisors and admins (PRODUCT.md, "Number management"): its detail and edits,
the workspace's primary, freeing its lock, release, re-sync from Twilio and its Trust Hub products."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.configuration import NumberPatchIn, TrustIn
from callerid.http.models.numbers import NumberOut
from callerid.http.powertools import Depends, NumberSid, Response
from callerid.http.resolver import make_resolver
from callerid.service.audit import actor_of
from callerid.service.numbers import NumberWithLock

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
numbers = runtime.numbers()
management = runtime.number_management()
trust = runtime.trust_assignments()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)


def answer(caller: Caller, shown: NumberWithLock) -> NumberOut:
    return NumberOut.of(shown.record, caller.account_sid, shown.lock)


@app.get("/v1/phone-numbers/<sid>", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def get_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberOut:
    return answer(caller, numbers.shown(caller.account_sid, sid))


@app.patch("/v1/phone-numbers/<sid>", responses=answers(*FLEX_ERRORS, 404, 409), security=FLEX_TOKEN)
def configure_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid, body: NumberPatchIn) -> NumberOut:
    return answer(caller, numbers.change(caller.account_sid, sid, body.changes(), actor_of(caller)))


@app.put("/v1/phone-numbers/<sid>/primary", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def make_primary(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberOut:
    return answer(caller, numbers.make_primary(caller.account_sid, sid, actor_of(caller)))


@app.delete(
    "/v1/phone-numbers/<sid>/lock",
    responses=answers(*FLEX_ERRORS, 404, success=204, description="Lock freed"),
    security=FLEX_TOKEN,
)
def free_lock(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> Response[None]:
    numbers.free_lock(caller.account_sid, sid, actor_of(caller))
    return Response(status_code=204)


@app.delete(
    "/v1/phone-numbers/<sid>",
    responses=answers(*FLEX_ERRORS, 404, 409, success=204, description="Released"),
    security=FLEX_TOKEN,
)
def release_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> Response[None]:
    management.release(caller.account_sid, sid, actor_of(caller))
    return Response(status_code=204)


@app.post("/v1/phone-numbers/<sid>/sync", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def resync_number(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid) -> NumberOut:
    return answer(caller, management.resync(caller.account_sid, sid))


@app.put("/v1/phone-numbers/<sid>/trust", responses=answers(*FLEX_ERRORS, 404, 409, 422), security=FLEX_TOKEN)
def set_trust(caller: Annotated[Caller, Depends(supervisor)], sid: NumberSid, body: TrustIn) -> NumberOut:
    return answer(caller, trust.set_products(caller.account_sid, sid, body.product_sids, actor_of(caller)))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
