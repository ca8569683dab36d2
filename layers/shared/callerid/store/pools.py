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
same BatchGetItem as the head. ``service.records.RecordKeeper.settle_pools`` keeps them equal to the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action

from callerid.domain.geography import Place
from callerid.domain.numbers import Candidate
from callerid.domain.pools import POOL_SIZE
from callerid.store.batch import plain
from callerid.store.conditions import failed_condition
from callerid.store.models import table, workspace_key

ENTRY_PREFIX = "e_"


def pool_entry(candidate: Candidate) -> str:
    """A pool entry (here and in the head's fallback pool): flags (``s`` shared with descendants, ``a`` assigned),
    the allowed outbound countries and the number's place (area, locality, state, time zone, country)."""
    flags = ("s" if candidate.shared else "") + ("a" if candidate.assigned else "")
    place = candidate.place
    geography = (place.area, place.locality, place.region, place.time_zone, place.country)
    return ";".join((flags, ",".join(candidate.outbound_countries), *(g or "" for g in geography)))


def parse_entry(account_sid: str, phone: str, entry: str) -> Candidate:
    flags, countries, *geography = str(entry).split(";")
    area, locality, region, zone, country = ([*geography, "", "", "", "", ""])[:5]
    return Candidate(
        phone_number=phone,
        owner_workspace=account_sid,
        shared=("s" in flags),
        assigned=("a" in flags),
        outbound_countries=tuple(c for c in countries.split(",") if c),
        place=Place(country or None, area or None, locality or None, region or None, zone or None),
    )


def parse_pool(account_sid: str, pool: Mapping[str, Any] | None) -> tuple[Candidate, ...]:
    return tuple(parse_entry(account_sid, phone, entry) for phone, entry in sorted((pool or {}).items()))


def entries_of(item: Mapping[str, Any]) -> dict[str, str]:
    """A raw pool item's entries, phone -> entry."""
    found = {}
    for name, value in item.items():
        if name.startswith(ENTRY_PREFIX):
            found[name.removeprefix(ENTRY_PREFIX)] = str(plain(value))
    return found


def entry_path(phone: str) -> Path:
    return Path(ENTRY_PREFIX + phone)


class PoolRepository:
    def set_entry(self, account_sid: str, key: str, candidate: Candidate, *, exists: bool = False) -> bool:
        """Add or change the candidate's entry in the pool ``key``; a new one only while the pool has room.
        ``exists`` says which case to try first (one write when right, two when not). Answers whether it is in the
        pool."""
        phone, entry = candidate.phone_number, pool_entry(candidate)
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

    def set_entries(self, account_sid: str, key: str, candidates: Sequence[Candidate]) -> None:
        """New entries at once (a refresh page's new numbers) while the pool has room for all of them; else one by
        one until it is full."""
        if not candidates:
            return
        entries = {c.phone_number: pool_entry(c) for c in candidates}
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
        for candidate in candidates:
            if not self.set_entry(account_sid, key, candidate):
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
