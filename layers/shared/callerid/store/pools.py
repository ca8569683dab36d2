"""Small candidate pools beside the workspace's head, so the call path never reads the workspace's records:

  WS#<account> / POOL#AC#<area>     local presence: numbers of one area code (or geographic prefix: "1212", "4420")
  WS#<account> / POOL#LOC#<place>   ... of one locality ("New York, NY", shared by the overlays 212/646/332)
  WS#<account> / POOL#ST#<state>    ... of one state or province ("US-NY")
  WS#<account> / POOL#TZ#<zone>     ... of one time zone
  WS#<account> / POOL#CC#<country>  ... of one country
  WS#<account> / ASSIGN#WK#<worker>, ASSIGN#TEAM#<team>, ASSIGN#WQ#<queue>   numbers assigned to them (step 4)

Each holds at most POOL_SIZE entries, as attributes ``e_<e164>`` (the head pool's entry format, place included)
with their count ``n``: adding an entry is one conditional UpdateItem, on a missing item too. The keys of the
presence pools follow from the dialled number alone (``domain.geography``), so the call path reads them in the
same BatchGetItem as the head. ``service.numbers.NumberDirectory.settle_pools`` keeps them equal to the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action

from callerid.domain.geography import Closeness, Place
from callerid.domain.numbers import NumberRecord, OutboundAssignment
from callerid.store.conditions import failed_condition
from callerid.store.models import table, workspace_key

POOL_SIZE = 100
ENTRY_PREFIX = "e_"
LEVEL_CODES = {
    Closeness.AREA: "AC",
    Closeness.LOCALITY: "LOC",
    Closeness.STATE: "ST",
    Closeness.TIMEZONE: "TZ",
    Closeness.COUNTRY: "CC",
}


def presence_keys(place: Place) -> list[str]:
    """The sort keys of the presence pools a place belongs to, closest first."""
    return [f"POOL#{LEVEL_CODES[level]}#{key}" for level, key in place.levels()]


def worker_assignment_key(worker_sid: str) -> str:
    return f"ASSIGN#WK#{worker_sid}"


def team_assignment_key(team: str) -> str:
    return f"ASSIGN#TEAM#{team}"


def queue_assignment_key(queue_sid: str) -> str:
    return f"ASSIGN#WQ#{queue_sid}"


def assignment_keys(assignment: OutboundAssignment | None) -> list[str]:
    if assignment is None:
        return []
    keys = []
    if assignment.worker_sid:
        keys.append(worker_assignment_key(assignment.worker_sid))
    if assignment.team:
        keys.append(team_assignment_key(assignment.team))
    if assignment.queue_sid:
        keys.append(queue_assignment_key(assignment.queue_sid))
    return keys


def pool_keys(record: NumberRecord) -> set[str]:
    """Every small pool a record belongs to while it is dialable."""
    from callerid.domain.geography import place_of_e164

    if not record.dialable:
        return set()
    return set(presence_keys(place_of_e164(record.phone_number))) | set(assignment_keys(record.outbound_assignment))


def entries_of(item: Mapping[str, Any]) -> dict[str, str]:
    """A raw pool item's entries, phone -> entry."""
    found = {}
    for name, value in item.items():
        if name.startswith(ENTRY_PREFIX):
            (_, raw), *_ = value.items()
            found[name.removeprefix(ENTRY_PREFIX)] = str(raw)
    return found


def entry_path(phone: str) -> Path:
    return Path(ENTRY_PREFIX + phone)


class PoolRepository:
    def set_entry(self, account_sid: str, key: str, phone: str, entry: str, *, exists: bool = False) -> bool:
        """Add or change the phone's entry in the pool ``key``; a new one only while the pool has room. ``exists``
        says which case to try first (one write when right, two when not). Answers whether it is in the pool."""
        first = self._write(account_sid, key, phone, entry, change=exists)
        return first or self._write(account_sid, key, phone, entry, change=not exists)

    def _write(self, account_sid: str, key: str, phone: str, entry: str, *, change: bool) -> bool:
        slot = entry_path(phone)
        count = Path("n")
        actions: list[Action]
        if change:
            actions = [slot.set(entry)]
            condition = slot.exists()
        else:
            actions = [Path("kind").set("pool"), slot.set(entry), count.add(1)]
            condition = slot.does_not_exist() & (count.does_not_exist() | (count < POOL_SIZE))
        try:
            table().update_item(workspace_key(account_sid), key, actions=actions, condition=condition)
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def set_entries(self, account_sid: str, key: str, entries: Mapping[str, str]) -> None:
        """New entries at once (a refresh page's new numbers) while the pool has room for all of them; else one by
        one until it is full."""
        if not entries:
            return
        fits = len(entries) <= POOL_SIZE
        if fits:
            count = Path("n")
            condition = count.does_not_exist() | (count <= POOL_SIZE - len(entries))
            for phone in entries:
                condition = condition & entry_path(phone).does_not_exist()
            actions: list[Action] = [Path("kind").set("pool"), count.add(len(entries))]
            actions += [entry_path(phone).set(entry) for phone, entry in entries.items()]
            try:
                table().update_item(workspace_key(account_sid), key, actions=actions, condition=condition)
                return
            except UpdateError as exc:
                if not failed_condition(exc):
                    raise
        for phone, entry in entries.items():
            if not self.set_entry(account_sid, key, phone, entry):
                break

    def remove_entry(self, account_sid: str, key: str, phone: str) -> None:
        try:
            table().update_item(
                workspace_key(account_sid),
                key,
                actions=[entry_path(phone).remove(), Path("n").add(-1)],
                condition=entry_path(phone).exists(),
            )
        except UpdateError as exc:
            if not failed_condition(exc):
                raise

    def entries(self, account_sid: str, key: str) -> dict[str, str]:
        answer = table().get_item(workspace_key(account_sid), key, consistent_read=True)
        return entries_of(answer.get("Item") or {})

    def remove_everywhere(self, account_sid: str, keys: Iterable[str], phone: str) -> None:
        for key in keys:
            self.remove_entry(account_sid, key, phone)
