"""Refreshing a workspace's numbers from Twilio: at most once per ``NUMBER_CACHE_TTL_SECONDS`` per workspace
(whoever wins the refresh lease, a conditional put), incremental, and able to span invocations.

A pass reads every page of the account's IncomingPhoneNumbers, then of its OutgoingCallerIds, at ``PageSize=1000``.
Per page it reads the stored records of those phones (BatchGetItem), writes the new ones (BatchWriteItem) and
rewrites only those whose Twilio facts changed, keeping what this backend owns. A pass that runs out of invocation
time stores the SIDs it has read (an item per source) and its cursor (Twilio's next page), and the next refresh goes
on from there. At the end, a source whose stored count exceeds what Twilio listed may have numbers that vanished
at Twilio: only then are its records read, and each one the pass did not see is asked for at Twilio (it may have
been bought or verified during the pass) before it is marked ``released``.

When Twilio cannot be read, what is stored is served (``stale``) and the lease is kept until it expires, so Twilio
is tried again at most once per lease period; only a workspace with nothing stored fails.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from callerid import deadline as invocation_deadline
from callerid.domain.catalogue import Head, RefreshState
from callerid.domain.errors import UpstreamUnavailable
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus, TwilioFacts
from callerid.service.ports import Heads, NumberRecords, NumberSourceGateway, RefreshProgress, RefreshRecords
from callerid.service.records import RecordKeeper, described

REFRESH_LEASE_SECONDS = 30.0
FIRST_BUILD_WAIT_SECONDS = 10.0
# A pass stops to save its cursor unless another page, taking as long as the longest so far, would leave this much of
# the invocation (to save the cursor and answer the list).
CONTINUE_MARGIN_SECONDS = 4.0
PHASES = (NumberSource.TWILIO, NumberSource.VERIFIED)
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Freshness:
    head: Head
    stale: bool = False


class TwilioRefresh:
    def __init__(
        self,
        heads: Heads,
        progress: RefreshProgress,
        records: NumberRecords,
        bulk: RefreshRecords,
        keeper: RecordKeeper,
        gateway: Callable[[], NumberSourceGateway],
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        remaining: Callable[[], float | None] = invocation_deadline.remaining,
        trust: Callable[[str, Mapping[str, NumberRecord]], None] | None = None,
    ) -> None:
        # Trust Hub statuses of the Twilio numbers the pass read (``service.trust.TrustAssignments.refresh``).
        self.trust = trust
        self.heads = heads
        self.progress = progress
        self.records = records
        self.bulk = bulk
        self.keeper = keeper
        self.gateway = gateway
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.sleep = sleep
        self.remaining = remaining

    def ensure(self, account_sid: str) -> Freshness:
        """The workspace's head, refreshed from Twilio first when it is older than the TTL (or a pass is under
        way)."""
        head = self.heads.head(account_sid)
        if self._fresh(head):
            return Freshness(head)
        return self.run(account_sid, head)

    def _fresh(self, head: Head) -> bool:
        return head.refreshed_at > 0 and head.refresh is None and self.clock() - head.refreshed_at < self.ttl_seconds

    def run(self, account_sid: str, head: Head) -> Freshness:
        holder = uuid.uuid4().hex
        built = head.refreshed_at > 0 or head.refresh is not None
        if not self.progress.take_refresh_lease(account_sid, holder, self.clock(), REFRESH_LEASE_SECONDS):
            return Freshness(head, stale=True) if built else self._wait_for_first_build(account_sid)
        keep_lease = False
        try:
            finished = self._pass(account_sid, head)
        except UpstreamUnavailable:
            if not built:
                raise
            keep_lease = True  # Twilio is retried when the lease expires, not by every request meanwhile.
            return Freshness(self.heads.head(account_sid), stale=True)
        finally:
            if not keep_lease:
                self.progress.release_refresh_lease(account_sid, holder)
        return Freshness(self.heads.head(account_sid), stale=not finished)

    def _pass(self, account_sid: str, head: Head) -> bool:
        """Go on with the pass under way (or start one); answers whether it reached its end. The SIDs read are
        kept in memory, and stored only when the pass must stop before its end; at the end they are read back only
        for a source whose counter says some of its numbers vanished at Twilio."""
        if not head.exists:
            self.heads.ensure_head(account_sid)
        state = head.refresh or RefreshState(uuid.uuid4().hex, PHASES[0].value, None, 0, 0)
        read: dict[str, list[str]] = {}
        twilio_numbers: dict[str, NumberRecord] = {}
        gateway = self.gateway()
        # A page of new numbers is a Twilio request and some hundred store requests: slow when the store is.
        pace = invocation_deadline.PagePace(CONTINUE_MARGIN_SECONDS, self.remaining)
        while True:
            pace.start()
            source = NumberSource(state.phase)
            page = gateway.number_page(account_sid, source, state.next_page)
            read.setdefault(source.value, []).extend(self._apply_page(account_sid, source, page.items, twilio_numbers))
            state = replace(state, next_page=page.next_page, read=state.read + len(page.items))
            if page.next_page is None:
                following = PHASES.index(source) + 1
                if following == len(PHASES):
                    break
                state = replace(state, phase=PHASES[following].value)
            if not pace.another_fits():
                kept = dict(state.kept)
                for phase, sids in read.items():
                    written = self.progress.save_seen(account_sid, state.chunks, phase, sids)
                    kept[phase] = kept.get(phase, 0) + len(sids)
                    state = replace(state, chunks=state.chunks + written)
                self.progress.save_refresh(account_sid, replace(state, kept=tuple(sorted(kept.items()))))
                return False
        earlier = dict(state.kept)
        # A pass stored before the counts were kept: what it kept is unknown, so its stored SIDs are read back.
        uncounted = bool(state.chunks) and not earlier

        def seen(phase: str) -> set[str]:
            stored = self.progress.seen(account_sid, state.chunks, phase) if uncounted or earlier.get(phase) else set()
            return stored | set(read.get(phase, ()))

        listed = {phase: earlier.get(phase, 0) + len(read.get(phase, ())) for phase in {*earlier, *read}}
        self._release_vanished(account_sid, listed, seen)
        self._refresh_trust(account_sid, twilio_numbers)
        if state.chunks:
            self.progress.forget_seen(account_sid, state.chunks)
        self.progress.mark_refreshed(account_sid, self.clock())
        return True

    def _refresh_trust(self, account_sid: str, numbers: Mapping[str, NumberRecord]) -> None:
        """Trust Hub statuses, per product; Trust Hub out of reach leaves them as they were (the numbers are
        fresh all the same)."""
        if self.trust is None:
            return
        try:
            self.trust(account_sid, numbers)
        except UpstreamUnavailable:
            logger.warning("refresh: Trust Hub could not be read; trust statuses kept as they were")

    def _apply_page(
        self,
        account_sid: str,
        source: NumberSource,
        items: list[TwilioFacts],
        twilio_numbers: dict[str, NumberRecord] | None = None,
    ) -> list[str]:
        """Write what is new or changed on one page; answers the SIDs that stand for a record of that source.
        The records of Twilio numbers are gathered in ``twilio_numbers`` (SID → record) for the Trust Hub pass."""
        stored = self.bulk.fingerprints(account_sid, [f.phone_number for f in items])
        new: list[tuple[NumberRecord, str | None]] = []
        kept: list[str] = []
        for facts in items:
            found = stored.get(facts.phone_number)
            record, fingerprint = found if found else (None, "")
            if record is not None and record.source is not source and record.status is not NumberStatus.RELEASED:
                continue  # a verified caller ID of a number the workspace owns at Twilio: the owned one stands
            kept.append(facts.sid)
            if record is None or record.status is NumberStatus.RELEASED:
                revived = record.revision + 1 if record else 0  # over the released record's rule
                new.append((replace(described(account_sid, facts), revision=revived), facts.fingerprint()))
                record = new[-1][0]
            elif fingerprint != facts.fingerprint():
                self._rewrite(account_sid, facts)
            if twilio_numbers is not None and source is NumberSource.TWILIO:
                twilio_numbers[facts.sid] = record
        if new:
            self.bulk.insert_many(new)
            self.keeper.settle_new([record for record, _ in new])
        return kept

    def _rewrite(self, account_sid: str, facts: TwilioFacts) -> None:
        """Twilio's facts changed: write them over the record, keeping what this backend owns."""

        def from_twilio(current: NumberRecord) -> NumberRecord:
            return replace(
                current,
                sid=facts.sid,
                friendly_name=facts.friendly_name,
                voice=facts.voice,
                sms=facts.sms,
                created_at=current.created_at or facts.created_at,
            )

        self.keeper.save(
            lambda: self.records.get(account_sid, facts.phone_number),
            from_twilio,
            fingerprint=facts.fingerprint(),
            what=f"{facts.phone_number} (during the refresh)",
        )

    def _release_vanished(self, account_sid: str, listed: dict[str, int], seen: Callable[[str], set[str]]) -> None:
        """``listed``: how many SIDs of each source the pass kept. A source with more stored records than that
        has numbers that vanished at Twilio: only then are its seen SIDs and its records read."""
        head = self.heads.head(account_sid)
        for source in PHASES:
            stored = sum(n for (s, _), n in head.counts.items() if s is source)
            if stored <= listed.get(source.value, 0):
                continue
            read = seen(source.value)
            gateway = self.gateway()
            for sid, phone in self.bulk.live_sids(account_sid, source).items():
                # Not listed in this pass; asked once more, since it may have been bought or verified meanwhile.
                if sid not in read and not gateway.still_held(account_sid, source, sid):
                    self.keeper.mark_released(account_sid, phone)

    def _wait_for_first_build(self, account_sid: str) -> Freshness:
        left = self.remaining()
        wait = FIRST_BUILD_WAIT_SECONDS if left is None else min(FIRST_BUILD_WAIT_SECONDS, left)
        deadline = self.clock() + wait
        while self.clock() < deadline:
            self.sleep(0.1)
            head = self.heads.head(account_sid)
            if head.refreshed_at > 0:
                return Freshness(head)
        raise UpstreamUnavailable("The workspace's numbers are still being read from Twilio; try again.")
