"""A workspace's numbers as records (``WS#<account>`` / ``NUMBER#<e164>``), their SID pointers, the workspace's
head item (primary, counters, fallback pool, refresh state) and owners' shared indexes (``SHARED#<owner>``).

Each record write is conditional on the revision read, so two writers of one number never lose each other's
change (the loser re-reads and applies its change again). What follows from a record (its dial rule on the phone
item, the shared copy, the counters, the pool entry) is written by ``service.numbers`` after the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action

from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.geography import Place, place_of_e164
from callerid.domain.numbers import (
    Candidate,
    NumberQuery,
    NumberRecord,
    NumberSource,
    NumberStatus,
    OutboundAssignment,
    search_text,
)
from callerid.domain.reputation import PhoneState
from callerid.store.batch import batches, plain
from callerid.store.conditions import failed_condition
from callerid.store.models import (
    AnchorsItem,
    HeadItem,
    NumberItem,
    RefreshLeaseItem,
    SeenItem,
    SharedNumberItem,
    SidItem,
    WorkerItem,
    count_attribute,
    shared_count_attribute,
    workspace_key,
)
from callerid.store.phones import PHONE, parse_state, phone_key
from callerid.store.pools import entries_of
from callerid.store.workers import WorkerState, worker_key, worker_state

HEAD = "NUMBERS"
REFRESH_LEASE = "CATALOGUE#REFRESH"
POOL_SIZE = 100
BATCH_GET_KEYS = 100
# A seen item holds at most this many SIDs (~75 KB, well under DynamoDB's 400 KB item limit), and they are read
# back a few items per BatchGetItem, so no one answer is large.
SEEN_CHUNK_SIDS = 2000
SEEN_CHUNKS_PER_READ = 4
# A page deeper than this many records starts its Query at the nearest anchor, so it reads at most this many
# records more than it shows, however deep it is.
ANCHOR_STRIDE = 100
# Records a request reads while anchors are built (keys only).
ANCHOR_BUILD_PAGE = 1000


def number_key(phone_number: str) -> str:
    return f"NUMBER#{phone_number}"


def sid_key(sid: str) -> str:
    return f"SID#{sid}"


def shared_key(owner: str) -> str:
    return f"SHARED#{owner}"


def anchors_key(query: NumberQuery) -> str:
    sources = ",".join(sorted(s.value for s in query.sources()))
    return f"LISTING#{sources}|{','.join(sorted(s.value for s in query.statuses()))}"


def seen_key(chunk: int) -> str:
    return f"REFRESH#SEEN#{chunk:05d}"


@dataclass(frozen=True, slots=True)
class RefreshState:
    """A refresh pass that stopped before its end: where to go on from."""

    pass_id: str
    phase: str
    next_page: str | None
    chunks: int
    read: int
    # SIDs kept (standing for a record) per source in the invocations before this one; their SIDs are stored in
    # the ``chunks`` seen items, read back only when a source's counter says some of its numbers vanished.
    kept: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class CallPathRead:
    """What the call path's one BatchGetItem found."""

    head: Head
    inherited: list[Head] = field(default_factory=list)
    worker: WorkerState = field(default_factory=lambda: WorkerState())
    pools: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    phones: dict[str, PhoneState] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Head:
    account_sid: str
    exists: bool = False
    primary: str | None = None
    refreshed_at: float = 0.0
    pool: tuple[Candidate, ...] = ()
    counts: dict[tuple[NumberSource, NumberStatus], int] = field(default_factory=dict)
    shared_counts: dict[NumberSource, int] = field(default_factory=dict)
    refresh: RefreshState | None = None
    listing_version: int = 0

    def total(self, query: NumberQuery) -> int:
        return sum(self.counts.get((s, st), 0) for s in query.sources() for st in query.statuses())

    def shared_total(self, query: NumberQuery) -> int:
        if NumberStatus.ACTIVE not in query.statuses():
            return 0
        return sum(self.shared_counts.get(s, 0) for s in query.sources())

    @property
    def own_numbers(self) -> int:
        return sum(self.counts.values())


def pool_entry(record: NumberRecord) -> str:
    """A pool entry: flags (``s`` shared with descendants, ``a`` assigned), the allowed outbound countries and the
    number's place (area, locality, state, time zone, country: what local presence compares, derived now)."""
    flags = ("s" if record.shared_with_descendants else "") + ("a" if record.outbound_assignment else "")
    place = place_of_e164(record.phone_number)
    geography = (place.area, place.locality, place.region, place.time_zone, place.country)
    return ";".join((flags, ",".join(record.allowed_outbound_countries), *(g or "" for g in geography)))


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


def parse_pool(account_sid: str, pool: dict[str, Any] | None) -> tuple[Candidate, ...]:
    return tuple(parse_entry(account_sid, phone, entry) for phone, entry in sorted((pool or {}).items()))


def to_head(item: HeadItem) -> Head:
    account = item.pk.removeprefix("WS#")
    counts = {
        (source, status): int(getattr(item, count_attribute(source, status)) or 0)
        for source in NumberSource
        for status in (NumberStatus.ACTIVE, NumberStatus.INACTIVE)
    }
    shared = {source: int(getattr(item, shared_count_attribute(source)) or 0) for source in NumberSource}
    refresh = None
    if item.refresh_pass:
        refresh = RefreshState(
            item.refresh_pass,
            item.refresh_phase or "",
            item.refresh_next,
            int(item.refresh_chunks or 0),
            int(item.refresh_read or 0),
            tuple(sorted(json.loads(item.refresh_kept or "{}").items())),
        )
    pool = item.pool.as_dict() if hasattr(item.pool, "as_dict") else dict(item.pool or {})
    return Head(
        account,
        True,
        item.primary,
        float(item.refreshed_at or 0),
        parse_pool(account, pool),
        counts,
        shared,
        refresh,
        int(item.listing_version or 0),
    )


def to_record(item: NumberItem, primary: str | None = None) -> NumberRecord:
    assignment = None
    if item.assign_worker or item.assign_team or item.assign_queue:
        assignment = OutboundAssignment(item.assign_worker, item.assign_team, item.assign_queue)
    return NumberRecord(
        sid=item.sid,
        phone_number=item.phone,
        friendly_name=item.friendly_name,
        source=NumberSource(item.source),
        owner_workspace=item.owner,
        status=NumberStatus(item.status),
        label=item.label,
        is_primary=primary is not None and item.phone == primary,
        voice=bool(item.voice),
        sms=bool(item.sms),
        country=item.country,
        area_code=item.area_code,
        locality=item.locality,
        time_zones=tuple(str(z) for z in item.time_zones or ()),
        inbound_agent=item.inbound_agent,
        allowed_inbound_countries=tuple(str(c) for c in item.allowed_in or ()),
        allowed_outbound_countries=tuple(str(c) for c in item.allowed_out or ()),
        outbound_shareable=bool(item.shareable),
        outbound_assignment=assignment,
        created_at=item.created_at,
        provider=item.provider,
        connection=item.connection,
        revision=int(item.revision or 0),
    )


def to_item(record: NumberRecord, cls: type[NumberItem], pk: str, sk: str, fingerprint: str | None) -> NumberItem:
    assignment = record.outbound_assignment or OutboundAssignment()
    return cls(
        pk,
        sk,
        sid=record.sid,
        phone=record.phone_number,
        owner=record.owner_workspace,
        friendly_name=record.friendly_name,
        source=record.source.value,
        status=record.status.value,
        label=record.label,
        voice=record.voice,
        sms=record.sms,
        country=record.country,
        area_code=record.area_code,
        locality=record.locality,
        time_zones=list(record.time_zones) or None,
        inbound_agent=record.inbound_agent,
        allowed_in=list(record.allowed_inbound_countries) or None,
        allowed_out=list(record.allowed_outbound_countries) or None,
        shareable=record.outbound_shareable,
        assign_worker=assignment.worker_sid,
        assign_team=assignment.team,
        assign_queue=assignment.queue_sid,
        created_at=record.created_at,
        provider=record.provider,
        connection=record.connection,
        search=search_text(record),
        twilio_fingerprint=fingerprint,
        revision=record.revision,
    )


def listing_filter(cls: type[NumberItem], query: NumberQuery) -> Condition:
    """The store's form of ``NumberQuery.matches``."""
    condition = cls.source.is_in(*query.sources()) & cls.status.is_in(*query.statuses())
    if query.friendly_name is not None:
        condition = condition & (cls.friendly_name == query.friendly_name)
    if query.needle:
        found = cls.search.contains(query.needle)
        if query.digits:
            found = found | cls.phone.contains(query.digits)
        condition = condition & found
    return condition


class NumberRepository:
    # ----- records -----

    def get(self, account_sid: str, phone_number: str, *, primary: str | None = None) -> NumberRecord | None:
        try:
            item = NumberItem.get(workspace_key(account_sid), number_key(phone_number), consistent_read=True)
        except NumberItem.DoesNotExist:
            return None
        return to_record(item, primary)

    def phone_of(self, account_sid: str, sid: str) -> str | None:
        try:
            return SidItem.get(workspace_key(account_sid), sid_key(sid), consistent_read=True).phone
        except SidItem.DoesNotExist:
            return None

    def fingerprints(self, account_sid: str, phone_numbers: Iterable[str]) -> dict[str, tuple[NumberRecord, str]]:
        """Stored records of these phones with their Twilio fingerprints (the refresh's comparison)."""
        keys = [(workspace_key(account_sid), number_key(p)) for p in phone_numbers]
        found: dict[str, tuple[NumberRecord, str]] = {}
        for raw in batches().get(keys):
            item = NumberItem.from_raw_data(raw)
            found[item.phone] = (to_record(item), item.twilio_fingerprint or "")
        return found

    def insert(
        self, record: NumberRecord, *, expected_revision: int | None = None, fingerprint: str | None = None
    ) -> bool:
        """Write a new record (``expected_revision`` ``None``), or revive the released one at that revision, with
        its SID pointer. ``False`` when the phone's record is not (or no longer) what was expected."""
        key = workspace_key(record.owner_workspace)
        item = to_item(record, NumberItem, key, number_key(record.phone_number), fingerprint)
        if expected_revision is None:
            condition = NumberItem.pk.does_not_exist()
        else:
            condition = (NumberItem.status == NumberStatus.RELEASED.value) & (NumberItem.revision == expected_revision)
        try:
            item.save(condition=condition)
        except PutError as exc:
            if failed_condition(exc):
                return False
            raise
        SidItem(key, sid_key(record.sid), phone=record.phone_number).save()
        return True

    def insert_many(self, records: list[tuple[NumberRecord, str | None]]) -> None:
        """New records known to be absent (a refresh page's new numbers), with their SID pointers, in
        BatchWriteItems of 25."""
        batch = batches()
        batch.put(
            to_item(
                record, NumberItem, workspace_key(record.owner_workspace), number_key(record.phone_number), f
            ).serialize()
            for record, f in records
        )
        batch.put(
            SidItem(workspace_key(record.owner_workspace), sid_key(record.sid), phone=record.phone_number).serialize()
            for record, _ in records
        )

    def replace(self, record: NumberRecord, *, expected_revision: int, fingerprint: str | None = None) -> NumberRecord:
        """Write ``record`` as revision ``expected_revision + 1`` if nobody wrote it since (``ConcurrentUpdate``
        otherwise). The SID pointer is rewritten when the SID changed (a number bought again)."""
        written = replace(record, revision=expected_revision + 1)
        key = workspace_key(record.owner_workspace)
        item = to_item(written, NumberItem, key, number_key(record.phone_number), fingerprint)
        if fingerprint is None:
            previous = self._fingerprint(record.owner_workspace, record.phone_number)
            item.twilio_fingerprint = previous
        try:
            item.save(condition=NumberItem.revision == expected_revision)
        except PutError as exc:
            if failed_condition(exc):
                raise ConcurrentUpdate(f"{record.phone_number} changed while it was being written.") from exc
            raise
        return written

    def _fingerprint(self, account_sid: str, phone_number: str) -> str | None:
        try:
            item = NumberItem.get(
                workspace_key(account_sid), number_key(phone_number), attributes_to_get=["twilio_fingerprint"]
            )
        except NumberItem.DoesNotExist:
            return None
        return item.twilio_fingerprint

    def point_sid(self, account_sid: str, sid: str, phone_number: str) -> None:
        SidItem(workspace_key(account_sid), sid_key(sid), phone=phone_number).save()

    # ----- shared index -----

    def put_shared(self, record: NumberRecord) -> None:
        item = to_item(
            record, SharedNumberItem, shared_key(record.owner_workspace), record.phone_number, fingerprint=None
        )
        item.save()

    def delete_shared(self, owner: str, phone_number: str) -> None:
        SharedNumberItem(shared_key(owner), phone_number).delete()

    # ----- head -----

    def head(self, account_sid: str) -> Head:
        try:
            return to_head(HeadItem.get(workspace_key(account_sid), HEAD, consistent_read=True))
        except HeadItem.DoesNotExist:
            return Head(account_sid)

    def call_path_read(
        self,
        account_sid: str,
        worker_sid: str,
        ancestors: list[str],
        *,
        pools: Iterable[str] = (),
        phones: Iterable[str] = (),
        now: float = 0.0,
    ) -> CallPathRead:
        """The call path's one read, one BatchGetItem: the workspace's head, its ancestors' heads (their shared
        pools), the worker's state, the small pools ``pools`` (sort keys under the workspace: presence and
        assignment pools) and the phone items of ``phones`` (their locks and usage), at most 100 keys in all
        (phones beyond that are left out)."""
        own = workspace_key(account_sid)
        keys = [(own, HEAD), (own, worker_key(worker_sid)), *((workspace_key(a), HEAD) for a in ancestors)]
        read = self.pools_read(account_sid, pools, phones, now=now, with_keys=keys)
        found = {h.account_sid: h for h in read.inherited}
        read.inherited = [found[a] for a in ancestors if a in found]
        return read

    def pools_read(
        self,
        account_sid: str,
        pools: Iterable[str],
        phones: Iterable[str],
        *,
        now: float,
        with_keys: list[tuple[str, str]] | None = None,
    ) -> CallPathRead:
        """One BatchGetItem of the workspace's small pools ``pools`` and the phone items of ``phones`` (with the
        call path's other keys, ``with_keys``), at most 100 keys: phones beyond that are left out."""
        own = workspace_key(account_sid)
        keys = list(with_keys or [])
        keys += [(own, sk) for sk in dict.fromkeys(pools)]
        room = BATCH_GET_KEYS - len(keys)
        keys += [(phone_key(p), PHONE) for p in list(dict.fromkeys(phones))[: max(room, 0)]]
        items = batches().get(keys[:BATCH_GET_KEYS])
        heads: dict[str, Head] = {}
        read = CallPathRead(Head(account_sid))
        for item in items:
            pk, sk = str(plain(item["pk"])), str(plain(item["sk"]))
            if pk.startswith("PHONE#"):
                phone = pk.removeprefix("PHONE#")
                read.phones[phone] = parse_state(phone, item, now)
            elif sk == HEAD:
                head = to_head(HeadItem.from_raw_data(item))
                heads[head.account_sid] = head
            elif sk.startswith("WORKER#"):
                read.worker = worker_state(WorkerItem.from_raw_data(item))
            else:
                read.pools[sk] = tuple(parse_entry(account_sid, p, e) for p, e in sorted(entries_of(item).items()))
        read.head = heads.pop(account_sid, Head(account_sid))
        read.inherited = list(heads.values())
        return read

    def ensure_head(self, account_sid: str) -> None:
        try:
            HeadItem(workspace_key(account_sid), HEAD, pool={}).save(condition=HeadItem.pk.does_not_exist())
        except PutError as exc:
            if not failed_condition(exc):
                raise

    def adjust_counts(self, account_sid: str, deltas: dict[str, int]) -> None:
        actions = [getattr(HeadItem, name).add(delta) for name, delta in deltas.items() if delta]
        if actions:
            HeadItem(workspace_key(account_sid), HEAD).update(
                actions=[HeadItem.kind.set(HeadItem), HeadItem.listing_version.add(1), *actions]
            )

    def set_pool_entry(self, account_sid: str, phone_number: str, entry: str) -> bool:
        """Add or change the phone's pool entry; a new one only while the pool holds fewer than POOL_SIZE."""
        slot = HeadItem.pool[phone_number]
        return self._update_head(account_sid, [slot.set(entry)], slot.exists() | (size(HeadItem.pool) < POOL_SIZE))

    def remove_pool_entry(self, account_sid: str, phone_number: str) -> None:
        slot = HeadItem.pool[phone_number]
        HeadItem(workspace_key(account_sid), HEAD).update(actions=[slot.remove()])

    def set_primary(self, account_sid: str, phone_number: str) -> None:
        """One attribute of one item: whoever writes last is the primary, and there is only ever one."""
        HeadItem(workspace_key(account_sid), HEAD).update(
            actions=[HeadItem.kind.set(HeadItem), HeadItem.primary.set(phone_number)]
        )

    def clear_primary(self, account_sid: str, phone_number: str) -> bool:
        """Forget the primary if it is still ``phone_number`` (a released primary leaves none)."""
        return self._update_head(account_sid, [HeadItem.primary.remove()], HeadItem.primary == phone_number)

    @staticmethod
    def _update_head(account_sid: str, actions: list[Action], condition: Condition) -> bool:
        """A conditional update of the workspace's head; answers whether the condition held."""
        try:
            HeadItem(workspace_key(account_sid), HEAD).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def mark_refreshed(self, account_sid: str, now: float) -> None:
        HeadItem(workspace_key(account_sid), HEAD).update(
            actions=[
                HeadItem.kind.set(HeadItem),
                HeadItem.refreshed_at.set(now),
                HeadItem.refresh_pass.remove(),
                HeadItem.refresh_phase.remove(),
                HeadItem.refresh_next.remove(),
                HeadItem.refresh_chunks.remove(),
                HeadItem.refresh_read.remove(),
                HeadItem.refresh_kept.remove(),
            ]
        )

    def save_refresh(self, account_sid: str, state: RefreshState) -> None:
        HeadItem(workspace_key(account_sid), HEAD).update(
            actions=[
                HeadItem.kind.set(HeadItem),
                HeadItem.refresh_pass.set(state.pass_id),
                HeadItem.refresh_phase.set(state.phase),
                HeadItem.refresh_next.set(state.next_page) if state.next_page else HeadItem.refresh_next.remove(),
                HeadItem.refresh_chunks.set(state.chunks),
                HeadItem.refresh_read.set(state.read),
                HeadItem.refresh_kept.set(json.dumps(dict(state.kept), sort_keys=True)),
            ]
        )

    # ----- the refresh lease: one refresher from Twilio per workspace -----

    def take_refresh_lease(self, account_sid: str, holder: str, now: float, seconds: float) -> bool:
        """A conditional put that wins when no live lease exists."""
        lease = RefreshLeaseItem(
            workspace_key(account_sid),
            REFRESH_LEASE,
            holder=holder,
            expires_at=datetime.fromtimestamp(now + seconds, UTC),
        )
        condition = RefreshLeaseItem.pk.does_not_exist() | (
            RefreshLeaseItem.expires_at < datetime.fromtimestamp(now, UTC)
        )
        try:
            lease.save(condition=condition)
        except PutError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def release_refresh_lease(self, account_sid: str, holder: str) -> None:
        try:
            RefreshLeaseItem(workspace_key(account_sid), REFRESH_LEASE).delete(
                condition=RefreshLeaseItem.holder == holder
            )
        except DeleteError as exc:
            if not failed_condition(exc):
                raise

    # ----- a refresh pass's seen SIDs -----

    def save_seen(self, account_sid: str, first_chunk: int, phase: str, sids: list[str]) -> int:
        """Store ``sids`` (read as ``phase``) in seen items numbered from ``first_chunk``; answers how many."""
        chunks = [sids[i : i + SEEN_CHUNK_SIDS] for i in range(0, len(sids), SEEN_CHUNK_SIDS)] or [[]]
        batches().put(
            SeenItem(workspace_key(account_sid), seen_key(first_chunk + n), phase=phase, sids=chunk or [""]).serialize()
            for n, chunk in enumerate(chunks)
        )
        return len(chunks)

    def seen(self, account_sid: str, chunks: int, phase: str) -> set[str]:
        """The SIDs a pass has stored as read for ``phase`` (the source they were read as), a few items a request."""
        seen: set[str] = set()
        batch = batches()
        for start in range(0, chunks, SEEN_CHUNKS_PER_READ):
            keys = [
                (workspace_key(account_sid), seen_key(n))
                for n in range(start, min(chunks, start + SEEN_CHUNKS_PER_READ))
            ]
            for item in map(SeenItem.from_raw_data, batch.get(keys)):
                if item.phase == phase:
                    seen.update(str(sid) for sid in item.sids if sid)
        return seen

    def forget_seen(self, account_sid: str, chunks: int) -> None:
        batches().delete((workspace_key(account_sid), seen_key(n)) for n in range(chunks))

    # ----- listing -----

    def listed(
        self, account_sid: str, query: NumberQuery, *, skip: int, take: int, version: int = 0
    ) -> list[NumberRecord]:
        """``take`` records after the first ``skip`` that match ``query``, in phone-number order. Reads only as far
        as the page reaches; a page deeper than ``ANCHOR_STRIDE`` (without ``search`` or ``friendly_name``)
        starts at the page anchor before it (``_anchors``), so it reads fewer than ``ANCHOR_STRIDE`` records it
        does not show."""
        start: dict[str, dict[str, str]] | None = None
        if skip >= ANCHOR_STRIDE and not query.needle and query.friendly_name is None:
            anchors = self._anchors(account_sid, query, version, depth=skip)
            passed = min(skip // ANCHOR_STRIDE, len(anchors))
            if passed:
                start = {"pk": {"S": workspace_key(account_sid)}, "sk": {"S": anchors[passed - 1]}}
                skip -= passed * ANCHOR_STRIDE
        return self._take(self._records(account_sid, query, start, page_size=min(1000, skip + take)), skip, take)

    @staticmethod
    def _records(
        account_sid: str,
        query: NumberQuery,
        start: dict[str, dict[str, str]] | None,
        *,
        page_size: int,
        keys_only: bool = False,
    ) -> Iterator[NumberItem]:
        return NumberItem.query(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=listing_filter(NumberItem, query),
            page_size=page_size,
            last_evaluated_key=start,
            attributes_to_get=["sk", "kind"] if keys_only else None,
            # Anchors are kept under the listing version read from the head (consistently): built from an
            # eventually consistent read, they could miss a record that version counts, until the next change.
            consistent_read=keys_only,
        )

    def _anchors(self, account_sid: str, query: NumberQuery, version: int, *, depth: int) -> list[str]:
        """The sort keys of every ``ANCHOR_STRIDE``-th record ``query`` lists, as of the listing ``version``, at
        least as deep as ``depth``. Stored anchors of that version are used as they are, extended when a page goes
        deeper than any before (reading from the last anchor, keys only); a record joining or leaving bumps the
        version, and the anchors are built again as deep pages ask for them. So the first page at a depth after a
        change reads as far as that depth, once, and every later page reads about what it shows."""
        key = workspace_key(account_sid), anchors_key(query)
        anchors: list[str] = []
        complete = False
        try:
            stored = AnchorsItem.get(*key, consistent_read=True)
            if int(stored.version) == version:
                anchors, complete = [str(a) for a in stored.anchors if a], bool(stored.complete)
        except AnchorsItem.DoesNotExist:
            pass
        wanted = depth // ANCHOR_STRIDE
        if complete or len(anchors) >= wanted:
            return anchors
        start = {"pk": {"S": key[0]}, "sk": {"S": anchors[-1]}} if anchors else None
        complete = True
        for index, item in enumerate(
            self._records(account_sid, query, start, page_size=ANCHOR_BUILD_PAGE, keys_only=True)
        ):
            if (index + 1) % ANCHOR_STRIDE == 0:
                anchors.append(item.sk)
                if len(anchors) >= wanted:
                    complete = False
                    break
        older = AnchorsItem.version.does_not_exist() | (AnchorsItem.version < version)
        shallower = (AnchorsItem.version == version) & (size(AnchorsItem.anchors) < len(anchors))
        try:
            AnchorsItem(*key, version=version, anchors=anchors, complete=complete).save(condition=older | shallower)
        except PutError as exc:
            if not failed_condition(exc):
                raise
        return anchors

    def listed_shared(self, owner: str, query: NumberQuery, *, skip: int, take: int) -> list[NumberRecord]:
        return self._take(
            SharedNumberItem.query(
                shared_key(owner),
                filter_condition=listing_filter(SharedNumberItem, query),
                page_size=min(1000, skip + take),
            ),
            skip,
            take,
        )

    def count(self, account_sid: str, query: NumberQuery) -> int:
        """Matching records counted by the store (``search`` has no counter: it reads the workspace)."""
        return NumberItem.count(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=listing_filter(NumberItem, query),
        )

    def count_shared(self, owner: str, query: NumberQuery) -> int:
        return SharedNumberItem.count(shared_key(owner), filter_condition=listing_filter(SharedNumberItem, query))

    @staticmethod
    def _take(items: Iterator[NumberItem], skip: int, take: int) -> list[NumberRecord]:
        records: list[NumberRecord] = []
        if take <= 0:
            return records
        for index, item in enumerate(items):
            if index >= skip:
                records.append(to_record(item))
                if len(records) == take:
                    break
        return records

    def dialable(self, account_sid: str, *, exclude: set[str], take: int) -> list[NumberRecord]:
        """Active voice records not in ``exclude`` (topping up the pool), reading only until ``take`` are found."""
        found: list[NumberRecord] = []
        items = NumberItem.query(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=(NumberItem.status == NumberStatus.ACTIVE.value) & (NumberItem.voice == True),  # noqa: E712
            page_size=min(1000, take + len(exclude)),
        )
        for item in items:
            if item.phone not in exclude:
                found.append(to_record(item))
                if len(found) == take:
                    break
        return found

    def live_sids(self, account_sid: str, source: NumberSource) -> dict[str, str]:
        """SID → phone of the workspace's listed records of one source (a refresh looking for numbers that
        vanished at Twilio: read only when the counts say some did)."""
        items = NumberItem.query(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=(NumberItem.source == source.value) & (NumberItem.status != NumberStatus.RELEASED.value),
            attributes_to_get=["sid", "phone", "kind"],
        )
        return {item.sid: item.phone for item in items}
