"""Number management that reaches Twilio: searching and buying numbers, importing the account's own, releasing a
number where it lives, re-reading it. The records side is ``service.numbers``; this adds the Twilio requests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from callerid.domain.audit import Actor
from callerid.domain.calls import DailyCounts, RecentCall
from callerid.domain.deployment import PriorHooks
from callerid.domain.errors import NotFound
from callerid.domain.locks import PhoneState
from callerid.domain.numbers import NumberRecord, NumberSource, TwilioFacts
from callerid.domain.reputation import NO_LIMITS, Guard, NumberHealth, ReputationLimits, Usage, guard_of
from callerid.service.numbers import NumberDirectory, NumberWithLock
from callerid.service.ports import CallRecords, HealthRecords, ImportedHooks, PhoneUsage, TwilioNumbers
from callerid.service.records import described
from callerid.service.trust import Joined, TrustAssignments
from callerid.twilio.records import AvailableNumber, NumberHooks, NumberOrder, NumberSearch, OwnedNumber

VOICE_WEBHOOK = "/webhooks/twilio/voice"
CALL_STATUS_WEBHOOK = "/webhooks/twilio/call-status"


def hooks_for(base_url: str) -> NumberHooks:
    """This deployment's webhooks for a number it manages: inbound calls and call status."""
    return NumberHooks(voice_url=base_url + VOICE_WEBHOOK, status_callback=base_url + CALL_STATUS_WEBHOOK)


@dataclass(frozen=True, slots=True)
class Imported:
    number: NumberWithLock
    replaced: OwnedNumber
    joined: Joined | None = None


@dataclass(frozen=True, slots=True)
class Owned:
    number: OwnedNumber
    imported: bool


class NumberManagement:
    def __init__(
        self,
        directory: NumberDirectory,
        gateway: Callable[[], TwilioNumbers],
        health: HealthRecords,
        usage: PhoneUsage,
        *,
        limits: ReputationLimits = NO_LIMITS,
        clock: Callable[[], float] = time.time,
        imported: ImportedHooks | None = None,
        trust: TrustAssignments | None = None,
        calls: CallRecords | None = None,
    ) -> None:
        self.calls = calls
        self.imported = imported
        self.trust = trust
        self.directory = directory
        self.gateway = gateway
        self.health_reader = health
        self.usage = usage
        self.limits = limits
        self.clock = clock

    def available(self, account_sid: str, search: NumberSearch) -> list[AvailableNumber]:
        """Twilio's numbers for sale (one Twilio request)."""
        return self.gateway().available_numbers(account_sid, search)

    def provision(self, account_sid: str, order: NumberOrder, hooks: NumberHooks) -> NumberRecord:
        """Buy the number with its webhooks pointed here; listed and dialable at once (one Twilio request)."""
        return self.provision_joined(account_sid, order, hooks).record

    def provision_joined(
        self, account_sid: str, order: NumberOrder, hooks: NumberHooks, actor: Actor | None = None
    ) -> Joined:
        """``provision``, then the number joins ``TRUST_PRODUCT_SIDS`` (three Trust Hub requests a product); a
        product's refusal is answered beside the number, which is kept. With ``actor``, the record is written
        with its audit entry (a number bought whose record and entry cannot be written is found by the next
        refresh, unaudited: Twilio's purchase cannot join a DynamoDB transaction)."""
        facts = self.gateway().buy_number(account_sid, order, hooks)
        return self._joined(self.directory.add(described(account_sid, facts), actor, "number.provision"))

    def _joined(self, record: NumberRecord) -> Joined:
        return self.trust.join_configured(record) if self.trust is not None else Joined(record)

    def owned(self, account_sid: str, page: int, per_page: int, hooks: NumberHooks) -> tuple[list[Owned], bool]:
        """A page of the account's numbers at Twilio, each marked imported when its voice URL is this
        deployment's (one Twilio request)."""
        numbers, more = self.gateway().owned_numbers(account_sid, page, per_page)
        return [Owned(n, n.voice_url == hooks.voice_url) for n in numbers], more

    def import_number(self, account_sid: str, sid: str, hooks: NumberHooks, actor: Actor | None = None) -> Imported:
        """Point an owned number's webhooks here (answering what they were) and make sure it is a record (two
        Twilio requests: fetch, update)."""
        facts, before = self.gateway().point_number(account_sid, sid, hooks)
        if self.imported is not None and before.voice_url != hooks.voice_url:
            # What ``callerid-admin teardown`` puts back.
            self.imported.keep(
                account_sid, PriorHooks(before.sid, before.phone_number, before.voice_url, before.status_callback)
            )
        joined = self._joined(self.directory.add(described(account_sid, facts), actor, "number.import"))
        return Imported(self.directory.with_lock(joined.record), before, joined)

    def release(self, account_sid: str, sid: str, actor: Actor | None = None) -> NumberRecord:
        """A Twilio number is released at Twilio (permanent), a verified caller ID removed at Twilio, a BYOT number
        only unregistered. One already gone at Twilio is released here all the same."""

        def at_source(record: NumberRecord) -> None:
            try:
                if record.source is NumberSource.TWILIO:
                    self.gateway().release_number(account_sid, record.sid)
                elif record.source is NumberSource.VERIFIED:
                    self.gateway().delete_caller_id(account_sid, record.sid)
            except NotFound:
                return

        return self.directory.release(account_sid, sid, at_source, actor=actor)

    def resync(self, account_sid: str, sid: str) -> NumberWithLock:
        """Re-read the number from Twilio now (a BYOT number has nothing to re-read)."""
        record = self.directory.own(account_sid, sid)
        if record.source is NumberSource.BYOT:
            return self.directory.with_lock(record)
        facts: TwilioFacts | None
        try:
            if record.source is NumberSource.TWILIO:
                facts = self.gateway().incoming_number(account_sid, sid)
            else:
                facts = self.gateway().caller_id_facts(account_sid, sid)
        except NotFound:
            facts = None
        shown = self.directory.resync(account_sid, sid, facts)
        if self.trust is None or record.source is not NumberSource.TWILIO:
            return shown
        self.trust.resync(account_sid, sid)  # its Trust Hub products and their status, read now
        return self.directory.shown(account_sid, sid)

    def health(self, phone_number: str, days: int | None = None) -> HealthReport:
        """The number's outcomes (all time and its recent window) and its use today, with the reputation state
        the call path would see now (two reads: the health item and the phone item); with ``days``, its daily
        counts of the last ``days`` UTC days too (one Query more)."""
        now = self.clock()
        state = self.usage.states([phone_number], now).get(phone_number, PhoneState())
        return HealthReport(
            self.health_reader.get(phone_number),
            state.usage,
            guard_of(state.usage, self.limits, now),
            now,
            self.limits,
            self.health_reader.daily(phone_number, days, now) if days else None,
        )

    def recent_calls(
        self, account_sid: str, phone_number: str, page: int, per_page: int
    ) -> tuple[list[RecentCall], bool]:
        """The workspace's recent calls from the number, newest first, and whether more follow (one Query)."""
        if self.calls is None:
            return [], False
        return self.calls.recent(account_sid, phone_number, page, per_page)


@dataclass(frozen=True, slots=True)
class HealthReport:
    outcomes: NumberHealth
    usage: Usage
    guard: Guard | None
    now: float
    limits: ReputationLimits
    daily: list[DailyCounts] | None = None

    @property
    def cooling_until(self) -> float | None:
        """When its cooldown ends, while it is cooling (a floor of 0 cools nothing)."""
        until = self.usage.cooling_until
        return until if self.limits.cools_at_all and until is not None and until >= self.now else None
