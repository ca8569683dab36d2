"""The per-workspace number catalogue: read from Twilio at most once per ``NUMBER_CACHE_TTL_SECONDS`` per
workspace, whatever the number of agents or Lambda containers, and served from DynamoDB in between.

A stale catalogue is refreshed by exactly one caller, the one that wins the refresh lease (a conditional put);
the others keep serving the previous catalogue, or wait briefly for the first one to be written. When Twilio
cannot be read, the stored catalogue is served (marked ``stale``) and the lease is kept until it expires, so
Twilio is tried again at most once per lease period; only a workspace with nothing stored fails.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from callerid import deadline as invocation_deadline
from callerid.domain.errors import ConcurrentUpdate, UpstreamUnavailable
from callerid.domain.locks import CallerIdLock
from callerid.domain.numbers import (
    Catalogue,
    CatalogueNumber,
    NumberPage,
    NumberQuery,
    NumberSource,
    dialable_numbers,
    merge_refresh,
    select_numbers,
    with_number,
)
from callerid.domain.phone import describe_number
from callerid.store.catalogue import CatalogueRepository
from callerid.store.locks import LockRepository
from callerid.twilio.records import IncomingNumber, OutgoingCallerId

REFRESH_LEASE_SECONDS = 30.0
FIRST_BUILD_WAIT_SECONDS = 10.0
SAVE_ATTEMPTS = 8


class NumberSourceGateway(Protocol):
    def incoming_numbers(self, account_sid: str) -> list[IncomingNumber]: ...
    def outgoing_caller_ids(self, account_sid: str) -> list[OutgoingCallerId]: ...


@dataclass(frozen=True, slots=True)
class ListedNumbers:
    page: NumberPage
    locks: dict[str, CallerIdLock]
    stale: bool = False


def described(
    account_sid: str,
    sid: str,
    phone_number: str,
    friendly_name: str,
    source: NumberSource,
    *,
    voice: bool = True,
    sms: bool = False,
    created_at: str | None = None,
) -> CatalogueNumber:
    """A catalogue entry with the facts the call path needs derived now (geocoding is too slow per call)."""
    facts = describe_number(phone_number)
    return CatalogueNumber(
        sid=sid,
        phone_number=phone_number,
        friendly_name=friendly_name,
        source=source,
        owner_workspace=account_sid,
        voice=voice,
        sms=sms,
        country=facts.country,
        area_code=facts.area_code,
        locality=facts.locality,
        time_zones=facts.time_zones,
        created_at=created_at,
    )


def from_incoming(account_sid: str, record: IncomingNumber) -> CatalogueNumber:
    return described(
        account_sid,
        record.sid,
        record.phone_number,
        record.friendly_name,
        NumberSource.TWILIO,
        voice=record.voice,
        sms=record.sms,
        created_at=record.date_created,
    )


def from_caller_id(account_sid: str, record: OutgoingCallerId) -> CatalogueNumber:
    return described(
        account_sid,
        record.sid,
        record.phone_number,
        record.friendly_name,
        NumberSource.VERIFIED,
        created_at=record.date_created,
    )


class NumberCatalogue:
    def __init__(
        self,
        repository: CatalogueRepository,
        locks: LockRepository,
        gateway: Callable[[], NumberSourceGateway],
        *,
        ttl_seconds: float,
        ancestors: Callable[[str], list[str]] = lambda account_sid: [],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.repository = repository
        self.ancestors = ancestors
        self.locks = locks
        self.gateway = gateway
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.sleep = sleep

    def current(self, account_sid: str) -> Catalogue:
        """The workspace's catalogue, refreshed from Twilio first if it is older than the TTL."""
        catalogue = self.repository.get(account_sid)
        if catalogue is not None and catalogue.is_fresh(self.clock(), self.ttl_seconds):
            return catalogue
        return self.refresh(account_sid, catalogue)

    def refresh(self, account_sid: str, previous: Catalogue | None) -> Catalogue:
        holder = uuid.uuid4().hex
        if not self.repository.take_refresh_lease(account_sid, holder, self.clock(), REFRESH_LEASE_SECONDS):
            return replace(previous, stale=True) if previous else self._wait_for_first_build(account_sid)
        try:
            fresh = self._read_twilio(account_sid)
        except UpstreamUnavailable:
            if previous is None:
                self.repository.release_refresh_lease(account_sid, holder)
                raise
            # Keep the lease: Twilio is retried when it expires, not by every request meanwhile.
            return replace(previous, stale=True)
        except BaseException:
            self.repository.release_refresh_lease(account_sid, holder)
            raise
        try:
            return self._save(
                account_sid,
                lambda current: merge_refresh(current, fresh, account_sid=account_sid, now=self.clock()),
            )
        finally:
            self.repository.release_refresh_lease(account_sid, holder)

    def _lineage(self, account_sid: str) -> tuple[Catalogue, list[Catalogue]]:
        """The workspace's catalogue and its ancestors' (each refreshed first if older than the TTL)."""
        return self.current(account_sid), [self.current(a) for a in self.ancestors(account_sid)]

    def dialable(self, account_sid: str) -> tuple[CatalogueNumber, ...]:
        """The workspace's numbers plus those its ancestors share."""
        return dialable_numbers(*self._lineage(account_sid))

    def may_dial(self, account_sid: str, phone_number: str) -> bool:
        """Whether the workspace may call from ``phone_number`` by its stored numbers (no Twilio request): its
        own, or one an ancestor shares. What a webhook of that account may touch."""
        lineage = [account_sid, *self.ancestors(account_sid)]
        stored = {c.account_sid: c for c in self.repository.get_many(lineage)}
        inherited = [stored[a] for a in lineage[1:] if a in stored]
        return any(n.phone_number == phone_number for n in dialable_numbers(stored.get(account_sid), inherited))

    def page(self, account_sid: str, query: NumberQuery) -> ListedNumbers:
        own, inherited = self._lineage(account_sid)
        page = select_numbers(dialable_numbers(own, inherited), query)
        now = self.clock()
        locks = self.locks.get_many(n.phone_number for n in page.numbers)
        live = {phone: lock for phone, lock in locks.items() if lock.is_live(now)}
        return ListedNumbers(page, live, stale=any(c.stale for c in (own, *inherited)))

    def add_verified_caller_id(self, account_sid: str, sid: str, phone_number: str) -> Catalogue:
        """A caller ID that just passed verification is usable at once; the next list re-reads Twilio for the
        rest of its details (the catalogue is marked stale)."""
        number = described(account_sid, sid, phone_number, phone_number, NumberSource.VERIFIED)

        def add(current: Catalogue | None) -> Catalogue:
            base = current or Catalogue(account_sid, (), 0.0)
            existing = base.find(phone_number)
            if existing is not None and existing.source is not NumberSource.VERIFIED:
                return replace(base, refreshed_at=0.0)
            return replace(with_number(base, number), refreshed_at=0.0)

        return self._save(account_sid, add)

    def _save(self, account_sid: str, change: Callable[[Catalogue | None], Catalogue]) -> Catalogue:
        """Apply ``change`` to the latest catalogue and write it conditionally, re-reading on conflict."""
        for _ in range(SAVE_ATTEMPTS):
            current = self.repository.get(account_sid)
            updated = change(current)
            updated = replace(updated, version=current.version if current else None)
            try:
                return self.repository.save(updated)
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate("The catalogue kept changing; try again.")

    def _read_twilio(self, account_sid: str) -> list[CatalogueNumber]:
        gateway = self.gateway()
        incoming = [from_incoming(account_sid, r) for r in gateway.incoming_numbers(account_sid)]
        owned = {n.phone_number for n in incoming}
        verified = [
            from_caller_id(account_sid, r)
            for r in gateway.outgoing_caller_ids(account_sid)
            if r.phone_number not in owned
        ]
        return incoming + verified

    def _wait_for_first_build(self, account_sid: str) -> Catalogue:
        left = invocation_deadline.remaining()
        wait = FIRST_BUILD_WAIT_SECONDS if left is None else min(FIRST_BUILD_WAIT_SECONDS, left)
        deadline = self.clock() + wait
        while self.clock() < deadline:
            self.sleep(0.1)
            catalogue = self.repository.get(account_sid)
            if catalogue is not None:
                return catalogue
        raise UpstreamUnavailable("The workspace's numbers are still being read from Twilio; try again.")
