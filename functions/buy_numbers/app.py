"""Buying numbers, for supervisors and admins (PRODUCT.md, "Number management"): search Twilio's numbers for sale,
then buy one with its webhooks pointed at this deployment. Literal paths, so API Gateway routes them before
``/v1/phone-numbers/{sid}``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.adding import (
    AvailableNumberList,
    AvailableNumberOut,
    ProvisionByNumber,
    ProvisionedNumberOut,
    ProvisionIn,
)
from callerid.http.models.countries import CountryCode
from callerid.http.powertools import Body, Depends, Query, Response, content_types
from callerid.http.resolver import make_resolver, public_base_url
from callerid.service.audit import actor_of
from callerid.service.management import hooks_for
from callerid.twilio.records import NumberOrder, NumberSearch

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
management = runtime.number_management()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)


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
    hooks = hooks_for(public_base_url(app, settings))
    joined = management.provision_joined(caller.account_sid, order, hooks, actor_of(caller))
    bought = ProvisionedNumberOut.bought(joined, caller.account_sid)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=bought)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
