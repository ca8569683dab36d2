"""Numbers the workspace has already, for supervisors and admins (PRODUCT.md, "Number management"): the account's
own numbers at Twilio and importing one (its webhooks pointed here), and registering a number from another carrier
(BYOT). Literal paths, so API Gateway routes them before ``/v1/phone-numbers/{sid}``."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.adding import ByotIn, ImportedNumberOut, ImportIn, OwnedNumberList, OwnedNumberOut
from callerid.http.models.common import OwnedPageMeta
from callerid.http.models.numbers import NumberOut
from callerid.http.powertools import Depends, Query, Response, content_types
from callerid.http.resolver import make_resolver, public_base_url
from callerid.service.audit import actor_of
from callerid.service.management import hooks_for

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
numbers = runtime.numbers()
management = runtime.number_management()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)


def created(body: NumberOut) -> Response[Any]:
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@app.get("/v1/phone-numbers/twilio", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def owned_numbers(
    caller: Annotated[Caller, Depends(supervisor)],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=1000)] = 50,
) -> OwnedNumberList:
    hooks = hooks_for(public_base_url(app, settings))
    owned, more = management.owned(caller.account_sid, page, per_page, hooks)
    rows = [OwnedNumberOut.of(o.number, o.imported) for o in owned]
    return OwnedNumberList(phone_numbers=rows, meta=OwnedPageMeta(page=page, per_page=per_page, has_more=more))


@app.post("/v1/phone-numbers/import", responses=answers(*FLEX_ERRORS, 404, success=201), security=FLEX_TOKEN)
def import_number(caller: Annotated[Caller, Depends(supervisor)], body: ImportIn) -> Response[ImportedNumberOut]:
    hooks = hooks_for(public_base_url(app, settings))
    imported = management.import_number(caller.account_sid, body.sid, hooks, actor_of(caller))
    return created(ImportedNumberOut.imported(imported, caller.account_sid))


@app.post("/v1/phone-numbers", responses=answers(*FLEX_ERRORS, 409, success=201), security=FLEX_TOKEN)
def register_byot(caller: Annotated[Caller, Depends(supervisor)], body: ByotIn) -> Response[NumberOut]:
    record = numbers.register_byot(
        caller.account_sid, body.phone_number, body.provider, body.connection, actor_of(caller)
    )
    return created(NumberOut.of(record, caller.account_sid, None))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
