"""An agent's caller ID selection (``/v1/workers/{workerSid}/caller-id``)."""

from __future__ import annotations

from pydantic import Field, StrictBool

from callerid.domain.identity import WorkerRef
from callerid.domain.workers import WorkerState
from callerid.http.models.common import (
    ApiModel,
    E164Number,
    RequestModel,
)


class CallerIdSelectionIn(RequestModel):
    caller_id: E164Number | None = Field(description="The number to show on outbound calls, or null to clear")
    local_presence: StrictBool | None = Field(
        default=None, description="Prefer a number local to the destination; unchanged when omitted"
    )


class CallerIdSelectionOut(ApiModel):
    worker_sid: str
    caller_id: str | None
    local_presence: bool
    version: int = Field(
        description="Bumped by every save of this worker's selection (0: never saved). A client sends the latest it "
        "saw as selectionVersion on POST /v1/outbound-calls, so a call placed right after a save uses that save"
    )

    @classmethod
    def of(cls, worker: WorkerRef, state: WorkerState) -> CallerIdSelectionOut:
        return cls(
            worker_sid=worker.worker_sid,
            caller_id=state.caller_id,
            local_presence=state.local_presence,
            version=state.version,
        )
