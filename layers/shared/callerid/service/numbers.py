"""A workspace's numbers: listing, the detail and configuration routes (each answering the number with its lock),
registering and releasing. What follows from every record write is ``service.records.RecordKeeper``'s; the
workspace's numbers are read from Twilio first when stale (``service.refresh``). See docs/design.md.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from callerid.domain.audit import Actor, AuditEntry, AuditTarget, TargetKind, plain, record_changes
from callerid.domain.catalogue import Head
from callerid.domain.errors import CallerIdInUse, ConcurrentUpdate, InvalidRequest, NotFound, NumberExists
from callerid.domain.locks import CallerIdLock
from callerid.domain.numbers import NumberPage, NumberQuery, NumberRecord, NumberSource, NumberStatus, TwilioFacts
from callerid.domain.phone import normalise_e164
from callerid.service.audit import AuditTrail
from callerid.service.ports import Heads, Listing, NumberRecords, PhoneLocks, PhoneRules
from callerid.service.records import RecordKeeper, described, with_geography
from callerid.service.refresh import TwilioRefresh

# What PATCH may change; anything else is an unknown field (400).
# Part of every listing tag: a new answer format (fields added to the listing) changes every tag.
LISTING_TAG_FORMAT = "listing-1"
PATCHABLE = frozenset(
    {
        "label",
        "inbound_agent",
        "allowed_inbound_countries",
        "allowed_outbound_countries",
        "status",
        "outbound_shareable",
        "outbound_assignment",
    }
)


def byot_sid(account_sid: str, phone_number: str) -> str:
    """A BYOT number has no Twilio SID; its own is stable per workspace and phone."""
    return "BY" + hashlib.sha256(f"{account_sid}:{phone_number}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class NumberWithLock:
    """A number as the routes show it: its record and its live lock (``None`` when free)."""

    record: NumberRecord
    lock: CallerIdLock | None = None


@dataclass(frozen=True, slots=True)
class ListedNumbers:
    page: NumberPage
    locks: dict[str, CallerIdLock]
    stale: bool = False
    # The listing's entity tag (``listing_tag``): empty when the answer holds lock state, which changes without
    # the listing; ``unchanged`` when it equals the tag the caller already holds (nothing was listed).
    tag: str = ""
    unchanged: bool = False


def listing_tag(account_sid: str, query: NumberQuery, heads: list[Head]) -> str:
    """A strong entity tag for a page of the listing without lock state: everything the answer is made of, as the
    heads read before listing say it. A record written (any field) bumps its owner's ``listing_version``; the
    primary, the refresh time and the shared records' owners' heads are in it; so are the filters and the paging."""
    parts = [
        LISTING_TAG_FORMAT,
        account_sid,
        repr(astuple(query)),
        *(f"{h.account_sid}:{h.listing_version}:{h.primary}:{h.refreshed_at!r}:{h.exists}" for h in heads),
    ]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


class NumberDirectory:
    def __init__(
        self,
        records: NumberRecords,
        heads: Heads,
        listing: Listing,
        rules: PhoneRules,
        locks: PhoneLocks,
        keeper: RecordKeeper,
        refresh: TwilioRefresh,
        *,
        ancestors: Callable[[str], list[str]] = lambda account_sid: [],
        clock: Callable[[], float] = time.time,
        audit: AuditTrail | None = None,
    ) -> None:
        self.audit = audit or AuditTrail(clock=clock)
        self.records = records
        self.heads = heads
        self.listing = listing
        self.rules = rules
        self.locks = locks
        self.keeper = keeper
        self.refresh = refresh
        self.ancestors = ancestors
        self.clock = clock

    # ----- reading -----

    def fresh_head(self, account_sid: str) -> tuple[Head, bool]:
        """The workspace's head, read from Twilio first when stale; and whether it is still stale (Twilio down)."""
        freshness = self.refresh.ensure(account_sid)
        return freshness.head, freshness.stale

    def page(
        self,
        account_sid: str,
        query: NumberQuery,
        *,
        with_shared: bool = True,
        with_locks: bool = True,
        unless_tag: str | None = None,
        brief: bool = False,
    ) -> ListedNumbers:
        """One page of what the workspace may dial from: its own records, then (``with_shared``) the active numbers
        its ancestors share, with each number's live lock (``with_locks``: one more read per 100 numbers). Reads
        as far as the page reaches; totals come from the heads' counters (``search`` and ``friendly_name``
        count). Without locks the answer carries its ``listing_tag``; when that equals ``unless_tag`` nothing is
        listed (``unchanged``): the heads were the only read. ``brief``: each record's SID, number, friendly name,
        owner, source and status only (the rest as if unset), for an answer of nothing more."""
        head, stale = self.fresh_head(account_sid)
        lineage = []
        for ancestor in self.ancestors(account_sid) if with_shared else []:
            ancestor_head, ancestor_stale = self.fresh_head(ancestor)
            lineage.append(ancestor_head)
            stale = stale or ancestor_stale
        tag = "" if with_locks else listing_tag(account_sid, query, [head, *lineage])
        if tag and unless_tag is not None and _matches(unless_tag, tag):
            return ListedNumbers(NumberPage((), query.page, query.per_page, 0), {}, stale, tag, unchanged=True)
        if not query.sources():  # verified caller IDs asked for while they are left out: nothing to read
            return ListedNumbers(NumberPage((), query.page, query.per_page, 0), {}, stale, tag)
        counted = bool(query.needle) or query.friendly_name is not None
        own_total = self.listing.count(account_sid, query) if counted else head.total(query)
        shared_totals = [
            self.listing.count_shared(h.account_sid, query) if counted else h.shared_total(query) for h in lineage
        ]
        skip, take = query.offset, query.per_page
        numbers: list[NumberRecord] = []
        if skip < own_total:
            own = self.listing.listed(
                account_sid, query, skip=skip, take=take, version=head.listing_version, brief=brief
            )
            # The head says which one is primary: only a record that says otherwise is copied (one, not 50,000).
            numbers += [
                n if n.is_primary == (n.phone_number == head.primary) else replace(n, is_primary=not n.is_primary)
                for n in own
            ]
        skip = max(0, skip - own_total)
        for ancestor_head, total in zip(lineage, shared_totals, strict=True):
            if len(numbers) >= take:
                break
            if skip >= total:
                skip -= total
                continue
            numbers += self.listing.listed_shared(
                ancestor_head.account_sid, query, skip=skip, take=take - len(numbers), brief=brief, held=len(numbers)
            )
            skip = 0
        seen: set[str] = set()
        unique = [n for n in numbers if not (n.phone_number in seen or seen.add(n.phone_number))]  # type: ignore[func-returns-value]
        live: dict[str, CallerIdLock] = {}
        if with_locks:
            locks = self.locks.get_many(n.phone_number for n in unique)
            now = self.clock()
            live = {phone: lock for phone, lock in locks.items() if lock.is_live(now)}
        page = NumberPage(tuple(unique), query.page, query.per_page, own_total + sum(shared_totals))
        return ListedNumbers(page, live, stale, tag)

    def selectable(self, account_sid: str, phone_number: str, *, include_outgoing_only: bool) -> bool:
        """Whether list-numbers offers ``phone_number`` to this workspace as a caller ID: its own dialable number,
        or one an ancestor shares (read from the phone's rules: one GetItem, after the workspace's first read from
        Twilio)."""
        self.fresh_head(account_sid)
        held = self.rules.rules(phone_number).holder(account_sid, self.ancestors(account_sid))
        if held is None:
            return False
        owner, rule = held
        usable = rule.dialable if owner == account_sid else rule.shareable
        return usable and (include_outgoing_only or not rule.outgoing_only)

    def may_dial(self, account_sid: str, phone_number: str) -> bool:
        """Whether the workspace has the phone, or an ancestor shares it with it: what a webhook of that account
        may touch (no Twilio request)."""
        return self.rules.rules(phone_number).holder(account_sid, self.ancestors(account_sid)) is not None

    def get(self, account_sid: str, sid: str) -> NumberRecord:
        """The workspace's own listed record with this SID, or an ancestor's shared one; 404 otherwise."""
        own = self._own(account_sid, sid)
        if own is not None:
            return own
        for ancestor in self.ancestors(account_sid):
            phone = self.records.phone_of(ancestor, sid)
            record = self.records.get(ancestor, phone) if phone else None
            if record is not None and record.sid == sid and record.shared_with_descendants:
                return record
        raise NotFound("No such number in this workspace.")

    def own(self, account_sid: str, sid: str) -> NumberRecord:
        """A record the workspace itself owns (what it may change); 404 for anything else."""
        record = self._own(account_sid, sid)
        if record is None:
            raise NotFound("No such number in this workspace.")
        return record

    def _own(self, account_sid: str, sid: str) -> NumberRecord | None:
        phone = self.records.phone_of(account_sid, sid)
        if phone is None:
            return None
        head = self.heads.head(account_sid)
        record = self.records.get(account_sid, phone, primary=head.primary)
        if record is None or record.sid != sid or record.status is NumberStatus.RELEASED:
            return None
        return record

    def lock_of(self, phone_number: str) -> CallerIdLock | None:
        lock = self.locks.get(phone_number)
        return lock if lock is not None and lock.is_live(self.clock()) else None

    def with_lock(self, record: NumberRecord) -> NumberWithLock:
        """The number with its live lock (one read of the phone item)."""
        return NumberWithLock(record, self.lock_of(record.phone_number))

    def shown(self, account_sid: str, sid: str) -> NumberWithLock:
        """``get``, with the number's lock."""
        return self.with_lock(self.get(account_sid, sid))

    def free_lock(self, account_sid: str, sid: str, actor: Actor) -> CallerIdLock:
        """A supervisor frees the live lock on one of the workspace's own numbers (a stuck lock, an agent's browser
        closed mid-call). The release is conditional on the lock read (its holder and lease), so a lock taken
        after the read is never freed by it; 404 when the number is not the workspace's or holds no live lock.
        The release and its audit entry are one transaction."""
        record = self.own(account_sid, sid)
        lock = self.lock_of(record.phone_number)
        if lock is None:
            raise NotFound("This number holds no lock.")
        entry = self.audit.entry(
            account_sid, actor, "lock.release", target_of(record), {"lockedBy": (lock.holder.worker_sid, None)}
        )
        if not self.locks.release(record.phone_number, lock.holder, lock.lease_id, audit=entry):
            raise NotFound("This number holds no lock.")
        return lock

    def stored(self, account_sid: str, phone_number: str) -> NumberRecord | None:
        """The workspace's stored record of the phone (any status), without reading Twilio."""
        return self.records.get(account_sid, phone_number)

    # ----- writing -----

    def change(self, account_sid: str, sid: str, changes: dict[str, Any], actor: Actor | None = None) -> NumberWithLock:
        """Apply ``changes`` (PATCH fields) to the record, re-reading on a concurrent write so that both writers'
        fields survive. With ``actor``, the fields that changed are audited in the record's own write."""
        unknown = set(changes) - PATCHABLE
        if unknown:
            raise InvalidRequest(f"Unknown field: {sorted(unknown)[0]}.")
        if changes.get("status") == NumberStatus.RELEASED:
            raise InvalidRequest("status must be active or inactive; DELETE releases a number.")
        return self.with_lock(self.rewrite(account_sid, sid, changes, actor=actor))

    def audited_change(self, account_sid: str, actor: Actor, action: str) -> Callable[..., AuditEntry | None]:
        """The audit entry of one record write by ``actor``: the fields that differ; none when nothing did."""

        def entry(before: NumberRecord, after: NumberRecord) -> AuditEntry | None:
            changed = record_changes(before, after)
            if not changed:
                return None
            return self.audit.entry(account_sid, actor, action, target_of(after), changed)

        return entry

    def rewrite(
        self,
        account_sid: str,
        sid: str,
        changes: dict[str, Any],
        *,
        actor: Actor | None = None,
        action: str = "number.update",
    ) -> NumberRecord:
        """Write ``changes`` over the record, re-reading it when another writer got there first; with ``actor``,
        audited as ``action``."""
        audit = self.audited_change(account_sid, actor, action) if actor else None
        saved = self.keeper.save(
            lambda: self.own(account_sid, sid), lambda current: replace(current, **changes), audit=audit
        )
        assert saved is not None  # ``own`` raises NotFound rather than answer nothing
        return replace(saved.after, is_primary=saved.before.is_primary)

    def make_primary(self, account_sid: str, sid: str, actor: Actor | None = None) -> NumberWithLock:
        """Make the number the workspace's primary; with ``actor``, audited (unless it already was)."""
        record = self.own(account_sid, sid)
        self.heads.ensure_head(account_sid)
        entry = None
        if actor is not None and not record.is_primary:
            entry = self.audit.entry(
                account_sid, actor, "number.primary", target_of(record), {"isPrimary": (False, True)}
            )
        self.heads.set_primary(account_sid, record.phone_number, audit=entry)
        return self.with_lock(replace(record, is_primary=True))

    def add(self, record: NumberRecord, actor: Actor | None = None, action: str = "number.add") -> NumberRecord:
        """A new record (bought, imported or verified), listed and dialable at once; a released one of the same
        phone is revived over its revision (its rule is written over the old one). When the workspace already has
        a live record of the phone, that one is answered unchanged (and nothing is audited). With ``actor``, the
        record and its audit entry are one transaction."""
        added = self._insert(record, actor, action)
        if added is None:
            existing = self.records.get(record.owner_workspace, record.phone_number)
            if existing is not None:
                head = self.heads.head(record.owner_workspace)
                return replace(existing, is_primary=existing.phone_number == head.primary)
            raise ConcurrentUpdate(f"{record.phone_number} changed while it was being added; try again.")
        return added

    def _insert(
        self, record: NumberRecord, actor: Actor | None = None, action: str = "number.add"
    ) -> NumberRecord | None:
        """Write the new record and what follows from it; ``None`` when a live record of the phone exists."""
        self.heads.ensure_head(record.owner_workspace)
        previous = self.records.get(record.owner_workspace, record.phone_number)
        if previous is not None and previous.status is not NumberStatus.RELEASED:
            return None
        fresh = replace(record, revision=previous.revision + 1 if previous else 0)
        expected = previous.revision if previous else None
        entry = None
        if actor is not None:
            changes = {
                "status": (plain(previous.status) if previous else None, plain(fresh.status)),
                "source": (None, plain(fresh.source)),
            }
            entry = self.audit.entry(fresh.owner_workspace, actor, action, target_of(fresh), changes)
        if not self.records.insert(fresh, expected_revision=expected, audit=entry):
            return None
        self.keeper.settle(None, fresh)
        return fresh

    def register_byot(
        self, account_sid: str, phone: str, provider: str, connection: str, actor: Actor | None = None
    ) -> NumberRecord:
        """Register a number from another carrier. Nothing proves who holds it, so a phone another workspace
        already has (a Twilio number, a verified or registered one) is refused: it would share that phone's lock
        and health."""
        e164 = normalise_e164(phone)
        existing = self.records.get(account_sid, e164)
        if existing is not None and existing.status is not NumberStatus.RELEASED:
            raise NumberExists(f"{e164} is already one of this workspace's numbers.")
        others = [a for a, rule in self.rules.rules(e164).by_workspace.items() if a != account_sid and rule.listed]
        if others:
            raise NumberExists(f"{e164} is another account's number; it cannot be registered here.")
        record = with_geography(
            NumberRecord(
                sid=byot_sid(account_sid, e164),
                phone_number=e164,
                friendly_name=e164,
                source=NumberSource.BYOT,
                owner_workspace=account_sid,
                provider=provider,
                connection=connection,
                created_at=iso_now(self.clock()),
                sms=False,
            )
        )
        added = self._insert(record, actor, "number.register")
        if added is None:
            raise NumberExists(f"{e164} is already one of this workspace's numbers.")
        return added

    def add_verified_caller_id(
        self, account_sid: str, sid: str, phone_number: str, friendly_name: str | None = None
    ) -> NumberRecord:
        """A caller ID that just passed verification is usable at once (unless the workspace owns the number at
        Twilio, which needs no verification)."""
        facts = TwilioFacts(
            sid, phone_number, friendly_name or phone_number, NumberSource.VERIFIED, created_at=iso_now(self.clock())
        )
        return self.add(described(account_sid, facts))

    def release(
        self,
        account_sid: str,
        sid: str,
        remove_at_source: Callable[[NumberRecord], None],
        *,
        while_locked: bool = False,
        actor: Actor | None = None,
    ) -> NumberRecord:
        """Release the number: refused while a call holds its lock, unless ``while_locked`` (the call keeps its
        lock until it ends). The record is marked released first, conditionally on its revision, with its rule
        withdrawn (no new lock; a concurrent change of the number conflicts instead of bringing the rule back);
        the lock is checked again, then the number is removed where it lives (``remove_at_source``). A refusal or
        a failure there puts the record back as it was. With ``actor``, the release's audit entry is written with
        the mark and deleted with the restore, so only a release that happened stays logged."""
        record = self.own(account_sid, sid)
        if not while_locked:
            self._refuse_if_locked(record)
        entry = None
        if actor is not None:
            action = "caller_id.delete" if record.source is NumberSource.VERIFIED else "number.release"
            changes = {"status": (plain(record.status), NumberStatus.RELEASED.value)}
            entry = self.audit.entry(account_sid, actor, action, target_of(record), changes)
        released = self.records.replace(
            replace(record, status=NumberStatus.RELEASED), expected_revision=record.revision, audit=entry
        )
        self.keeper.settle(record, released)
        try:
            if not while_locked:
                self._refuse_if_locked(record)
            remove_at_source(record)
        except BaseException:
            self._restore(record, released, entry)
            raise
        self.keeper.refill_pool(account_sid)
        return released

    def _restore(self, record: NumberRecord, released: NumberRecord, entry: AuditEntry | None = None) -> None:
        restored = self.records.replace(
            replace(record, revision=released.revision), expected_revision=released.revision, retract=entry
        )
        self.keeper.settle(released, restored)
        if record.is_primary:
            self.heads.set_primary(record.owner_workspace, record.phone_number)

    def _refuse_if_locked(self, record: NumberRecord) -> None:
        lock = self.lock_of(record.phone_number)
        if lock is not None:
            raise CallerIdInUse(f"{record.phone_number} is on a call ({lock.holder.worker_sid}); release it after.")

    def resync(self, account_sid: str, sid: str, facts: TwilioFacts | None) -> NumberWithLock:
        """Write Twilio's current facts over the record (``None``: Twilio no longer has it: released)."""
        record = self.own(account_sid, sid)
        if facts is None:
            self.keeper.mark_released(account_sid, record.phone_number)
            raise NotFound("Twilio no longer has this number; it is released.")
        saved = self.keeper.save(
            lambda: self.own(account_sid, sid),
            lambda current: replace(current, friendly_name=facts.friendly_name, voice=facts.voice, sms=facts.sms),
            fingerprint=facts.fingerprint(),
        )
        assert saved is not None  # ``own`` raises NotFound rather than answer nothing
        return self.with_lock(replace(saved.after, is_primary=saved.before.is_primary))


def target_of(record: NumberRecord) -> AuditTarget:
    """What an entry about this record names: a verified caller ID or a phone number, by SID and E.164."""
    kind = TargetKind.CALLER_ID if record.source is NumberSource.VERIFIED else TargetKind.PHONE_NUMBER
    return AuditTarget(kind, record.sid, record.phone_number)


def _matches(if_none_match: str, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (RFC 9110 13.1.2: weak comparison; ``*`` matches any)."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",") if t.strip()}
    return tag in tags or "*" in tags


def iso_now(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")
