"""The daily reconcile (an EventBridge schedule): every workspace's counters and pools rebuilt from its records, a
scan page of workspaces at a time, stopping before the function's timeout and resuming from its checkpoint on the
next run. The same service as ``callerid-admin reconcile``. No Twilio request, so no auth token."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import deadline, runtime
from callerid.http.logging import make_logger

logger = make_logger(__name__)
# Time kept back for one workspace's reconcile (its records and pools read and fixed) before the deadline.
PER_WORKSPACE_SECONDS = 20.0


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with deadline.invocation(context):
        done = runtime.reconciler().scheduled(deadline.remaining, per_workspace=PER_WORKSPACE_SECONDS)
    for change in done.changes:
        logger.info(
            "reconciled", extra={"account_sid": change.account_sid, "what": change.what, "detail": change.detail}
        )
    logger.info(
        "reconcile pass",
        extra={"workspaces": len(done.workspaces), "changes": len(done.changes), "complete": done.complete},
    )
    return {"workspaces": len(done.workspaces), "changes": len(done.changes), "complete": done.complete}
