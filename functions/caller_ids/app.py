"""Verified caller IDs for supervisors and admins (PRODUCT.md, "Verified caller IDs"): list, fetch, rename and
delete them, start a verification (Twilio calls the number; the person enters the code this answers) and follow
its status. The verification's outcome arrives at ``verification_status``."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.caller_ids import (
    CallerIdList,
    CallerIdRenameIn,
    VerificationIn,
    VerificationOut,
    VerificationStarted,
)
from callerid.http.models.common import UNSET, E164Number, PageMeta, iso
from callerid.http.models.numbers import NumberOut
from callerid.http.powertools import Depends, Path, Query, Response, content_types
from callerid.http.resolver import make_resolver, public_base_url
from callerid.service.audit import actor_of
from callerid.service.numbers import NumberWithLock

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
caller_ids = runtime.caller_ids()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)
CallerIdSid = Annotated[str, Path(alias="sid", pattern=r"^PN[0-9a-fA-F]{32}$")]
VERIFICATION_WEBHOOK = "/webhooks/twilio/verification-status"


def out(shown: NumberWithLock, caller: Caller) -> NumberOut:
    return NumberOut.of(shown.record, caller.account_sid, shown.lock)


@app.post("/v1/caller-ids/verifications", responses=answers(*FLEX_ERRORS, 409, 422, success=201), security=FLEX_TOKEN)
def start_verification(
    caller: Annotated[Caller, Depends(supervisor)], body: VerificationIn
) -> Response[VerificationStarted]:
    phone, call = caller_ids.start(
        caller.account_sid,
        body.phone_number,
        friendly_name=body.friendly_name,
        call_delay=body.call_delay,
        extension=body.extension,
        status_callback=public_base_url(app, settings) + VERIFICATION_WEBHOOK,
        actor=actor_of(caller),
    )
    started = VerificationStarted(phone_number=phone, validation_code=call.validation_code, call_sid=call.call_sid)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=started)


@app.get("/v1/caller-ids/verifications/<phoneNumber>", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def verification_status(
    caller: Annotated[Caller, Depends(supervisor)],
    phone_number: Annotated[E164Number, Path(alias="phoneNumber")],
) -> VerificationOut:
    found = caller_ids.status(caller.account_sid, phone_number)
    return VerificationOut(
        phone_number=found.phone_number,
        status=found.status,
        outgoing_caller_id_sid=found.outgoing_caller_id_sid,
        updated_at=iso(found.updated_at),
    )


@app.get("/v1/caller-ids", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def list_caller_ids(
    caller: Annotated[Caller, Depends(supervisor)],
    phone_number: Annotated[E164Number, Query(alias="phoneNumber")] = UNSET,
    friendly_name: Annotated[str, Query(alias="friendlyName", min_length=1, max_length=64)] = UNSET,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=1000)] = 50,
) -> CallerIdList:
    found = caller_ids.page(caller.account_sid, phone_number, friendly_name, page, per_page)
    return CallerIdList(
        caller_ids=[out(n, caller) for n in found.numbers],
        meta=PageMeta(page=page, per_page=per_page, total=found.total),
    )


@app.get("/v1/caller-ids/<sid>", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def get_caller_id(caller: Annotated[Caller, Depends(supervisor)], sid: CallerIdSid) -> NumberOut:
    return out(caller_ids.get(caller.account_sid, sid), caller)


@app.patch("/v1/caller-ids/<sid>", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def rename_caller_id(
    caller: Annotated[Caller, Depends(supervisor)], sid: CallerIdSid, body: CallerIdRenameIn
) -> NumberOut:
    return out(caller_ids.rename(caller.account_sid, sid, body.friendly_name, actor_of(caller)), caller)


@app.delete(
    "/v1/caller-ids/<sid>",
    responses=answers(*FLEX_ERRORS, 404, success=204, description="Deleted"),
    security=FLEX_TOKEN,
)
def delete_caller_id(caller: Annotated[Caller, Depends(supervisor)], sid: CallerIdSid) -> Response[None]:
    caller_ids.delete(caller.account_sid, sid, actor_of(caller))
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
