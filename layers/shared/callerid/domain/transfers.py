"""Which number a transferred call shows (PRODUCT.md, "Transfers"): a cold transfer passes the original caller's
number on by default (the transferee sees who is calling), or the agent's when asked; a warm transfer and a
conference are new calls the agent places, so they always show the agent's number."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callerid.domain.errors import InvalidRequest
from callerid.domain.phone import normalise_e164


class TransferType(StrEnum):
    COLD = "cold"
    WARM = "warm"
    CONFERENCE = "conference"


class DisplayedNumber(StrEnum):
    TRANSFEREE_NUMBER = "transferee_number"
    AGENT_NUMBER = "agent_number"


@dataclass(frozen=True, slots=True)
class TransferCallerId:
    """The number to dial the transfer from, and whether it is the agent's (one the workspace must own)."""

    phone_number: str
    agents: bool


def transfer_caller_id(
    kind: TransferType,
    displayed: DisplayedNumber,
    caller_number: str | None,
    agent_number: str | None,
) -> TransferCallerId:
    """Every number given must parse (``InvalidPhoneNumber``); the one shown must be given (``InvalidRequest``
    naming it)."""
    caller = normalise_e164(caller_number) if caller_number is not None else None
    agent = normalise_e164(agent_number) if agent_number is not None else None
    if kind is TransferType.COLD and displayed is DisplayedNumber.TRANSFEREE_NUMBER:
        if caller is None:
            raise InvalidRequest("callerNumber: a cold transfer shows the original caller's number; it is required.")
        return TransferCallerId(caller, agents=False)
    if agent is None:
        raise InvalidRequest("agentNumber: this transfer dials from the agent's number; it is required.")
    return TransferCallerId(agent, agents=True)
