"""A worker's caller-ID selection (own, or another worker's for supervisors), mirrored into TaskRouter."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.domain.identity import Caller, Role, WorkerRef
from callerid.http.answers import FLEX_ERRORS, FLEX_TOKEN, answers
from callerid.http.auth import caller_dependency
from callerid.http.logging import make_logger, make_metrics
from callerid.http.models.workers import CallerIdSelectionIn, CallerIdSelectionOut
from callerid.http.powertools import Depends, Path
from callerid.http.resolver import make_resolver
from callerid.service.audit import actor_of

settings = runtime.settings()
logger = make_logger(__name__)
metrics = make_metrics()
app = make_resolver(settings, logger, runtime.token_validator)
selections = runtime.selections()
agent = caller_dependency(runtime.token_validator, Role.AGENT)
supervisor = caller_dependency(runtime.token_validator, Role.SUPERVISOR)
WorkerSid = Annotated[str, Path(alias="workerSid", pattern=r"^WK[0-9a-fA-F]{32}$")]


@app.get("/v1/workers/me/caller-id", responses=answers(*FLEX_ERRORS), security=FLEX_TOKEN)
def get_own(caller: Annotated[Caller, Depends(agent)]) -> CallerIdSelectionOut:
    return CallerIdSelectionOut.of(caller.worker(), selections.get(caller.worker()))


@app.put("/v1/workers/me/caller-id", responses=answers(*FLEX_ERRORS, 404, 409), security=FLEX_TOKEN)
def put_own(caller: Annotated[Caller, Depends(agent)], body: CallerIdSelectionIn) -> CallerIdSelectionOut:
    worker = caller.worker()
    return CallerIdSelectionOut.of(worker, selections.put(worker, body.caller_id, body.local_presence))


@app.get("/v1/workers/<workerSid>/caller-id", responses=answers(*FLEX_ERRORS, 404), security=FLEX_TOKEN)
def get_worker(caller: Annotated[Caller, Depends(supervisor)], worker_sid: WorkerSid) -> CallerIdSelectionOut:
    worker = WorkerRef(caller.account_sid, worker_sid)
    return CallerIdSelectionOut.of(worker, selections.get(worker, confirm_worker=True))


@app.put("/v1/workers/<workerSid>/caller-id", responses=answers(*FLEX_ERRORS, 404, 409), security=FLEX_TOKEN)
def put_worker(
    caller: Annotated[Caller, Depends(supervisor)], worker_sid: WorkerSid, body: CallerIdSelectionIn
) -> CallerIdSelectionOut:
    worker = WorkerRef(caller.account_sid, worker_sid)
    chosen = selections.put(worker, body.caller_id, body.local_presence, actor_of(caller))
    return CallerIdSelectionOut.of(worker, chosen)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
