"""list-numbers: the numbers an agent may dial from, paged through the workspace's records in DynamoDB."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.domain.numbers import NumberQuery, NumberSource, NumberStatus
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, CompatError, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.common import UNSET, PageMeta, TextBool, flag
from callerid.http.models.listing import (
    CompatNumber,
    CompatNumberList,
    ListInclude,
    NumberList,
    catalogue_answer,
    not_modified,
)
from callerid.http.models.numbers import NumberOut
from callerid.http.powertools import Depends, Form, Header, Query, Response
from callerid.http.resolver import make_resolver

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
numbers = runtime.numbers()
agent = caller_dependency(runtime.token_validator, Role.AGENT)
LOCKS_INCLUDED = (
    "`locks`: each number's live lock in `lockedBy`/`lockedUntil` (null otherwise); such an answer has no ETag"
)


@app.get("/v1/phone-numbers", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def list_numbers(
    caller: Annotated[Caller, Depends(agent)],
    include_outgoing_only: Annotated[TextBool, Query(alias="includeOutgoingOnly")] = UNSET,
    search: Annotated[str | None, Query(max_length=64)] = None,
    source: Annotated[NumberSource | None, Query()] = None,
    status: Annotated[NumberStatus | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=1000)] = 50,
    include: Annotated[ListInclude | None, Query(description=LOCKS_INCLUDED)] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=512)] = None,
) -> Response[NumberList]:
    outgoing = flag(include_outgoing_only, settings.include_outgoing_only_numbers)
    query = NumberQuery(outgoing, search, source, status, page, per_page)
    with_locks = include is ListInclude.LOCKS
    listed = numbers.page(caller.account_sid, query, with_locks=with_locks, unless_tag=if_none_match)
    if listed.unchanged:
        raise not_modified(listed.tag, stale=listed.stale)
    listing = [NumberOut.of(n, caller.account_sid, listed.locks.get(n.phone_number)) for n in listed.page.numbers]
    meta = PageMeta(page=page, per_page=per_page, total=listed.page.total)
    return catalogue_answer(NumberList(phone_numbers=listing, meta=meta), stale=listed.stale, tag=listed.tag)


@app.post(
    "/common/flex/phone-numbers/list-phone-numbers",
    responses=answers(*FLEX_ERRORS, envelope=CompatError),
    security=FLEX_TOKEN,
)
def list_numbers_compat(
    caller: Annotated[Caller, Depends(agent)],
    token: Annotated[str, Form(alias="Token")] = UNSET,
    account: Annotated[str, Form(alias="AccountSid")] = UNSET,
    include_outgoing: Annotated[TextBool, Form(alias="IncludeOutgoing")] = UNSET,
) -> Response[CompatNumberList]:
    outgoing = flag(include_outgoing, settings.include_outgoing_only_numbers)
    query = NumberQuery(include_outgoing_only=outgoing, per_page=100_000)
    listed = numbers.page(caller.account_sid, query, with_locks=False, brief=True)
    listing = [CompatNumber(friendlyName=n.friendly_name, phoneNumber=n.phone_number) for n in listed.page.numbers]
    return catalogue_answer(CompatNumberList(phoneNumbers=listing), stale=listed.stale)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
