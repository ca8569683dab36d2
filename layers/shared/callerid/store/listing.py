"""List-numbers' reads: a page of a workspace's records (or an owner's shared ones) in phone-number order, reading
only as far as the page reaches, with page anchors for deep pages, and counts. See docs/design.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import cast

from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition, size

from callerid import deadline
from callerid.domain.errors import StoreUnavailable
from callerid.domain.numbers import NumberQuery, NumberRecord
from callerid.store.conditions import failed_condition
from callerid.store.models import AnchorsItem, NumberItem, SharedNumberItem, query_pages, workspace_key
from callerid.store.records import brief_record, shared_key, to_record

# A page deeper than this many records starts its Query at the nearest anchor, so it reads at most this many
# records more than it shows, however deep it is.
ANCHOR_STRIDE = 100
# Records a request reads while anchors are built (keys only).
ANCHOR_BUILD_PAGE = 1000
# A listing longer than any page the API offers (the compat route's every number) reads DynamoDB's largest pages
# (no Limit: 1 MB read each). Before each page it checks the invocation's deadline, and stops with a 503 unless the
# page fits with the time to build the answer still left (``paced``): never Lambda's timeout.
LARGEST_LIMITED_PAGE = 1000
# The answer's time grows with the records it holds. The compat route's work after its last page (records to the
# answer model, serialised, the API Gateway answer) took 0.19-0.55 s for 50,000 records on one core of the shared
# 2-core development machine (bench/README.md, 2026-12-06): at most 11 µs a record. list_numbers has 512 MB, about
# 0.29 of the vCPU Lambda gives 1,769 MB, so about 38 µs a record there (taking a core here for a vCPU; not measured
# in AWS): 40 µs, 2 s at 50,000. Kept for the records read and the largest page's worth more, on top of the
# deadline's own margin (``deadline.MARGIN_SECONDS``: returning the answer and logging). A fixed 3 s held as much
# for 1,000 records as for 50,000, and too little for a listing past 75,000 (an ancestor's shared numbers too).
ANSWER_SECONDS_PER_RECORD = 40e-6
# What a brief listing reads of each record (the compat route answers phone numbers and friendly names): what
# ``records.brief_record`` makes a record of, nothing more (not the keys nor the kind: the answer's
# LastEvaluatedKey carries the keys, and the Query's filter already keeps to records). DynamoDB bills the whole
# item whatever is projected; what shrinks is the answer to read, parse and (in the local stack's DynamoDB server)
# serialise.
BRIEF_ATTRIBUTES = ["sid", "phone", "owner", "friendly_name", "source", "status"]


def paced(remaining: Callable[[], float | None] = deadline.remaining, *, held: int = 0) -> Callable[[int], None]:
    """Run before each Query page of a listing, given the records the pages before it answered: a 503
    (``StoreUnavailable``) unless the page, taking as long as the longest so far, leaves the time to build an answer
    of those records, the ``held`` ones the answer has already (an own listing's, before an ancestor's shared
    numbers) and as many more as the largest page held (``ANSWER_SECONDS_PER_RECORD``; ``deadline.PagePace``)."""
    pace = deadline.PagePace(0.0, remaining)
    pages = largest = before = 0

    def before_page(answered: int) -> None:
        nonlocal pages, largest, before
        largest, before = max(largest, answered - before), answered
        if not pace.another_fits(ANSWER_SECONDS_PER_RECORD * (held + answered + largest)):
            raise StoreUnavailable(f"The list was not read in time ({pages} pages so far); try again shortly.")
        pages += 1
        pace.start()

    return before_page


def anchors_key(query: NumberQuery) -> str:
    sources = ",".join(sorted(s.value for s in query.sources()))
    return f"LISTING#{sources}|{','.join(sorted(s.value for s in query.statuses()))}"


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


class ListingRepository:
    def listed(
        self, account_sid: str, query: NumberQuery, *, skip: int, take: int, version: int = 0, brief: bool = False
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
        records = self._records(account_sid, query, start, page_size=page_size(skip, take), brief=brief)
        return self._take(records, skip, take)

    @staticmethod
    def _records(
        account_sid: str,
        query: NumberQuery,
        start: dict[str, dict[str, str]] | None,
        *,
        page_size: int | None,
        keys_only: bool = False,
        brief: bool = False,
    ) -> Iterator[NumberItem | NumberRecord]:
        return query_pages(
            NumberItem,
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=listing_filter(NumberItem, query),
            page_size=page_size,
            last_evaluated_key=start,
            attributes_to_get=["sk", "kind"] if keys_only else BRIEF_ATTRIBUTES if brief else None,
            # Anchors are kept under the listing version read from the head (consistently): built from an
            # eventually consistent read, they could miss a record that version counts, until the next change.
            consistent_read=keys_only,
            before_page=paced(),
            map_fn=brief_record if brief else None,
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
                anchors.append(cast(NumberItem, item).sk)  # keys only: models
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

    def listed_shared(
        self, owner: str, query: NumberQuery, *, skip: int, take: int, brief: bool = False, held: int = 0
    ) -> list[NumberRecord]:
        """``take`` of the active numbers ``owner`` shares, after the first ``skip``; ``held``: the records the
        answer holds already, whose time to answer the pacing keeps too."""
        return self._take(
            query_pages(
                SharedNumberItem,
                shared_key(owner),
                filter_condition=listing_filter(SharedNumberItem, query),
                page_size=page_size(skip, take),
                attributes_to_get=BRIEF_ATTRIBUTES if brief else None,
                before_page=paced(held=held),
                map_fn=brief_record if brief else None,
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
    def _take(items: Iterator[NumberItem | NumberRecord], skip: int, take: int) -> list[NumberRecord]:
        """``take`` records after the first ``skip`` of ``items`` (models, or a brief listing's records)."""
        records: list[NumberRecord] = []
        if take <= 0:
            return records
        for index, item in enumerate(items):
            if index >= skip:
                records.append(item if isinstance(item, NumberRecord) else to_record(item))
                if len(records) == take:
                    break
        return records


def page_size(skip: int, take: int) -> int | None:
    """A page's Query Limit: what the page reaches (at most ``LARGEST_LIMITED_PAGE``), or none (DynamoDB's 1 MB
    pages) for a listing longer than any page the API offers."""
    return None if take > LARGEST_LIMITED_PAGE else min(LARGEST_LIMITED_PAGE, skip + take)
