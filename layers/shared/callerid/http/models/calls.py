"""The outbound call and transfer routes' models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from callerid.domain.locks import CallerIdLock
from callerid.domain.resolution import Reason
from callerid.domain.transfers import DisplayedNumber, TransferType
from callerid.http.models.common import (
    JSON_NUMBER,
    ApiModel,
    E164Number,
    RequestModel,
    iso,
)

# The largest integer a JavaScript client holds exactly (Number.MAX_SAFE_INTEGER).
MAX_SELECTION_VERSION = 2**53 - 1


class OutboundCallIn(RequestModel):
    """Flex's StartOutboundCall payload: ``destination`` as ``to``, ``callerId`` as ``from``, ``queueSid``,
    ``taskSid``; and ``selectionVersion``, the plugin's."""

    to: E164Number
    from_: E164Number | None = Field(default=None, alias="from")
    queue_sid: Annotated[str | None, Field(default=None, pattern=r"^WQ[0-9a-fA-F]{32}$")] = None
    task_sid: Annotated[str | None, Field(default=None, pattern=r"^WT[0-9a-fA-F]{32}$")] = None
    selection_version: (
        Annotated[
            int,
            Field(
                ge=0,
                le=MAX_SELECTION_VERSION,
                description="The version of the worker's selection the client last saw (the selection routes' "
                "version): when the call path's read shows an older one, it reads the worker's selection again",
            ),
            JSON_NUMBER,
        ]
        | None
    ) = None


class LockOut(ApiModel):
    phone_number: str
    worker_sid: str
    expires_at: str

    @classmethod
    def of(cls, lock: CallerIdLock) -> LockOut:
        return cls(
            phone_number=lock.phone_number, worker_sid=lock.holder.worker_sid, expires_at=iso(lock.expires_at) or ""
        )


class OutboundCallOut(ApiModel):
    from_: str = Field(alias="from")
    reason: Reason
    lock: LockOut
    guard: Literal["capped", "spacing", "cooling", "suspected_blocked"] | None = Field(
        default=None, description="Why the number chosen rests (number reputation); null when it does not"
    )


class TransferCallerIdIn(RequestModel):
    type: TransferType = Field(description="cold: the call is handed over; warm and conference: the agent dials")
    displayed_number: DisplayedNumber = Field(
        default=DisplayedNumber.TRANSFEREE_NUMBER,
        description="What a cold transfer shows: the original caller's number (default) or the agent's; warm and "
        "conference always show the agent's",
    )
    caller_number: E164Number | None = Field(default=None, description="The original caller's number")
    agent_number: E164Number | None = Field(
        default=None, description="The agent's caller ID: a number list-numbers offers the agent"
    )


class TransferCallerIdOut(ApiModel):
    caller_id: str


class LockReleaseOut(ApiModel):
    released: bool
    # The first (or only) number released; ``phone_numbers`` names every one.
    phone_number: str | None
    phone_numbers: list[str]
