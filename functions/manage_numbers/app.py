"""Number management for supervisors and admins (PRODUCT.md, "Number management"): Twilio's numbers for sale and
buying one, the account's own numbers at Twilio and importing one, BYOT registration, a number's detail and
configuration, the workspace's primary, release, re-sync and health. Literal paths are routed before ``{sid}``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.common import OwnedPageMeta
from callerid.http.models.management import (
    AvailableNumberList,
    AvailableNumberOut,
    ByotIn,
    CallsPageMeta,
    CountryCode,
    ImportedNumberOut,
    ImportIn,
    NumberHealthOut,
    NumberPatchIn,
    OwnedNumberList,
    OwnedNumberOut,
    ProvisionByNumber,
    ProvisionedNumberOut,
    ProvisionIn,
    RecentCallList,
    RecentCallOut,
    ReplacedHooks,
    TrustIn,
    TrustRefusedOut,
)
from callerid.http.models.numbers import NumberOut
from callerid.http.powertools import Body, Depends, Path, Query, Response, content_types
from callerid.http.resolver import make_resolver, public_base_url
from callerid.service.audit import actor_of
from callerid.service.management import hooks_for
from callerid.service.numbers import NumberWithLock
from callerid.service.trust import Joined
from callerid.twilio.records import NumberHooks, NumberOrder, NumberSearch

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
numbers = runtime.numbers()
management = runtime.number_management()
trust = runtime.trust_assignments()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)
NumberSid = Annotated[str, Path(alias="sid", min_length=34, max_length=34, pattern=r"^[A-Z]{2}[0-9a-fA-F]{32}$")]


def answer(caller: Caller, shown: NumberWithLock) -> NumberOut:
    return NumberOut.of(shown.record, caller.account_sid, shown.lock)


def refused(joined: Joined | None) -> list[TrustRefusedOut]:
    return [TrustRefusedOut(product_sid=r.product_sid, message=r.message) for r in (joined.refusals if joined else ())]


def created(body: NumberOut) -> Response[Any]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


def hooks() -> NumberHooks:
    """This deployment's webhooks, from ``PUBLIC_BASE_URL`` (else API Gateway's own URL for this API)."""
    return hooks_for(public_base_url(app, settings))


@app.get("/v1/phone-numbers/available", responses=answers(*FLEX_ERRORS, 422), security=FLEX_TOKEN)
def available_numbers(
    caller: Annotated[Caller, Depends(supervisor)],
    country: Annotated[CountryCode, Query()] = CountryCode.US,  # type: ignore[attr-defined]
    kind: Annotated[Literal["local", "tollFree", "mobile"], Query(alias="type")] = "local",
    area_code: Annotated[str | None, Query(alias="areaCode", pattern=r"^[2-9][0-9]{2}$")] = None,
    contains: Annotated[str | None, Query(pattern=r"^\+?[0-9A-Za-z*%]{1,16}\$?$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AvailableNumberList:
    search = NumberSearch(str(country), kind, area_code, contains, limit)
    found = management.available(caller.account_sid, search)
    return AvailableNumberList(available_phone_numbers=[AvailableNumberOut.of(n) for n in found])


@app.post("/v1/phone-numbers/provision", responses=answers(*FLEX_ERRORS, 422, success=201), security=FLEX_TOKEN)
def provision_number(
    caller: Annotated[Caller, Depends(supervisor)], body: Annotated[ProvisionIn, Body()]
) -> Response[ProvisionedNumberOut]:
    if isinstance(body, ProvisionByNumber):
        order = NumberOrder(phone_number=body.phone_number)
    else:
        order = NumberOrder(area_code=body.area_code)
    joined = management.provision_joined(caller.account_sid, order, hooks(), actor_of(caller))
    number = NumberOut.of(joined.record, caller.account_sid, None)
    return created(ProvisionedNumberOut(**number.model_dump(), trust_refused=refused(joined)))


@app.get("/v1/phone-numbers/twilio", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def owned_numbers(
    caller: Annotated[Caller, Depends(supervisor)],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=1000)] = 50,
) -> OwnedNumberList:
    owned, more = management.owned(caller.account_sid, page, per_page, hooks())
    rows = [OwnedNumberOut.of(o.number, o.imported) for o in owned]
    return OwnedNumberList(phone_numbers=rows, meta=OwnedPageMeta(page=page, per_page=per_page, has_more=more))


@app.post("/v1/phone-numbers/import", responses=answers(*FLEX_ERRORS, 404, success=201), security=FLEX_TOKEN)
def import_number(caller: Annotated[Caller, Depends(supervisor)], body: ImportIn) -> Response[ImportedNumberOut]:
    imported = management.import_number(caller.account_sid, body.sid, hooks(), actor_of(caller))
    number = answer(caller, imported.number)
    replaced = ReplacedHooks(voice_url=imported.replaced.voice_url, status_callback=imported.replaced.status_callback)
    answer_body = ImportedNumberOut(**number.model_dump(), replaced=replaced, trust_refused=refused(imported.joined))
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=answer_body)


@app.post("/v1/phone-numbers", responses=answers(*FLEX_ERRORS, 409, success=201), security=FLEX_TOKEN)
def register_byot(caller: Annotated[Caller, Depends(supervisor)], body: ByotIn) -> Response[NumberOut]:
    record = numbers.register_byot(
        caller.account_sid, body.phone_number, body.provider, body.connection, actor_of(caller)
    )
    return created(NumberOut.of(record, caller.account_sid, None))


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


@app.get("/v1/phone-numbers/<sid>/health", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def number_health(
    caller: Annotated[Caller, Depends(supervisor)],
    sid: NumberSid,
    days: Annotated[int | None, Query(ge=1, le=90, description="Add the daily counts of the last N UTC days")] = None,
) -> NumberHealthOut:
    record = numbers.get(caller.account_sid, sid)
    return NumberHealthOut.of(record.phone_number, management.health(record.phone_number, days))


@app.get("/v1/phone-numbers/<sid>/calls", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def number_calls(
    caller: Annotated[Caller, Depends(supervisor)],
    sid: NumberSid,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=200)] = 50,
) -> RecentCallList:
    record = numbers.get(caller.account_sid, sid)
    calls, more = management.recent_calls(caller.account_sid, record.phone_number, page, per_page)
    return RecentCallList(
        calls=[RecentCallOut.of(c) for c in calls], meta=CallsPageMeta(page=page, per_page=per_page, has_more=more)
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
