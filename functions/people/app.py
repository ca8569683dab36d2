"""People and queues by name for supervisors (PRODUCT.md, "People, queues and the audit log"): the workspace's
TaskRouter workers and task queues, kept at most ``NUMBER_CACHE_TTL_SECONDS``; the audit log; and who a token is
(any role)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.common import OwnedPageMeta
from callerid.http.people import AuditEntryOut, AuditList, MeOut, TaskQueueList, TaskQueueOut, WorkerList
from callerid.http.powertools import Depends, Query
from callerid.http.resolver import make_resolver

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
people = runtime.people()
audit = runtime.audit_reader()
anyone = caller_dependency(runtime.token_validator, Role.AGENT)
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)


@app.get("/v1/workers", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def list_workers(
    caller: Annotated[Caller, Depends(supervisor)],
    search: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=1000)] = 50,
) -> WorkerList:
    return WorkerList.of(people.workers(caller.account_sid, search, page, per_page), page, per_page)


@app.get("/v1/task-queues", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def list_task_queues(caller: Annotated[Caller, Depends(supervisor)]) -> TaskQueueList:
    return TaskQueueList(task_queues=[TaskQueueOut.of(q) for q in people.task_queues(caller.account_sid)])


@app.get("/v1/me", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def me(caller: Annotated[Caller, Depends(anyone)]) -> MeOut:
    return MeOut.of(people.me(caller))


@app.get("/v1/audit", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def audit_log(
    caller: Annotated[Caller, Depends(supervisor)],
    target: Annotated[str | None, Query(pattern=r"^([A-Z]{2}[0-9a-fA-F]{32}|\+[1-9][0-9]{6,14})$")] = None,
    actor: Annotated[str | None, Query(pattern=r"^WK[0-9a-fA-F]{32}$")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=200)] = 50,
) -> AuditList:
    entries, more = audit.page(caller.account_sid, target=target, actor=actor, page=page, per_page=per_page)
    meta = OwnedPageMeta(page=page, per_page=per_page, has_more=more)
    return AuditList(entries=[AuditEntryOut.of(e) for e in entries], meta=meta)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
