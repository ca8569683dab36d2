"""The caller ID of a transfer: the rule is ``domain.transfers``; an agent's number shown must be one list-numbers
offers the agent (its workspace's own, or one an ancestor shares), else 404 as for any number the workspace may
not use. The original caller's number is the customer's: it is passed on as it is, never checked against the
workspace's numbers."""

from __future__ import annotations

from callerid.domain.errors import NotFound
from callerid.domain.identity import Caller
from callerid.domain.transfers import DisplayedNumber, TransferType, transfer_caller_id
from callerid.service.ports import Selectable


class TransferCallerIds:
    def __init__(self, numbers: Selectable, *, include_outgoing_only: bool) -> None:
        self.numbers = numbers
        self.include_outgoing_only = include_outgoing_only

    def caller_id(
        self,
        caller: Caller,
        kind: TransferType,
        displayed: DisplayedNumber,
        caller_number: str | None,
        agent_number: str | None,
    ) -> str:
        chosen = transfer_caller_id(kind, displayed, caller_number, agent_number)
        if chosen.agents and not self.numbers.selectable(
            caller.account_sid, chosen.phone_number, include_outgoing_only=self.include_outgoing_only
        ):
            raise NotFound(f"{chosen.phone_number} is not a number this agent may call from.")
        return chosen.phone_number
