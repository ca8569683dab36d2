"""One number's reports, for supervisors and admins (PRODUCT.md, "Number management" and "Outbound calls"): its
health (outcomes, today's use, the reputation state, daily counts) and its recent outbound calls."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.reports import CallsPageMeta, NumberHealthOut, RecentCallList, RecentCallOut
from callerid.http.powertools import Depends, NumberSid, Query
from callerid.http.resolver import make_resolver

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
numbers = runtime.numbers()
management = runtime.number_management()
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)


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
