"""The number store against the DynamoDB server: a refresh pass's stored state (the SIDs of a pass that spans
invocations fit in items under DynamoDB's item limit and come back by source; the head keeps the per-source
counts), and deep list pages that start at their page anchor."""

from __future__ import annotations

import uuid

import pytest

from callerid.config import Settings
from callerid.domain.catalogue import RefreshState, count_deltas
from callerid.domain.numbers import NumberQuery, NumberRecord, NumberSource, NumberStatus
from callerid.store.heads import HeadRepository
from callerid.store.listing import ANCHOR_STRIDE, ListingRepository, anchors_key
from callerid.store.models import AnchorsItem, SeenItem, bind_table, workspace_key
from callerid.store.records import RecordRepository
from callerid.store.refresh import SEEN_CHUNK_SIDS, RefreshRepository


class Store:
    """The repositories a refresh and a listing use, side by side."""

    def __init__(self) -> None:
        self.records, self.heads = RecordRepository(), HeadRepository()
        self.refresh, self.listing = RefreshRepository(), ListingRepository()


@pytest.fixture(scope="module")
def store(local_stack):
    bind_table(Settings(table_name=local_stack.stack.table_name, dynamodb_endpoint_url=local_stack.dynamodb))
    return Store()


def test_the_sids_of_many_pages_are_stored_in_small_items_and_read_back_by_source(store):
    account = "AC" + uuid.uuid4().hex
    numbers = [f"PN{n:032d}" for n in range(5 * SEEN_CHUNK_SIDS + 7)]
    callers = [f"PN{n:032x}" for n in range(3)]
    written = store.refresh.save_seen(account, 0, "twilio", numbers)
    written += store.refresh.save_seen(account, written, "verified", callers)
    assert written == 6 + 1
    sizes = [len(item.sids) for item in SeenItem.query(workspace_key(account), SeenItem.sk.startswith("REFRESH#"))]
    assert max(sizes) <= SEEN_CHUNK_SIDS and sum(sizes) == len(numbers) + len(callers)
    assert store.refresh.seen(account, written, "twilio") == set(numbers)
    assert store.refresh.seen(account, written, "verified") == set(callers)
    store.refresh.forget_seen(account, written)
    assert store.refresh.seen(account, written, "twilio") == set()


def test_a_stopped_pass_keeps_its_cursor_and_what_each_source_kept(store):
    account = "AC" + uuid.uuid4().hex
    store.heads.ensure_head(account)
    state = RefreshState("pass", "verified", "2", 3, 4000, (("twilio", 3998), ("verified", 1)))
    store.refresh.save_refresh(account, state)
    assert store.heads.head(account).refresh == state
    store.refresh.mark_refreshed(account, 1.0)
    head = store.heads.head(account)
    assert head.refresh is None and head.refreshed_at == 1.0


def records(account: str, phones: list[str], status: NumberStatus = NumberStatus.ACTIVE) -> list[NumberRecord]:
    return [
        NumberRecord(
            sid=f"PN{uuid.uuid4().hex}",
            phone_number=p,
            friendly_name=p,
            source=NumberSource.TWILIO,
            owner_workspace=account,
            status=status,
        )
        for p in phones
    ]


def add(store: Store, new: list[NumberRecord]) -> None:
    """Records written as the refresh writes them, with the counters that follow (and the listing version)."""
    store.records.insert_many([(r, None) for r in new])
    for record in new:
        store.heads.adjust_counts(record.owner_workspace, count_deltas(None, record))


def page(store: Store, account: str, skip: int, take: int = 50, **query) -> list[str]:
    head = store.heads.head(account)
    listed = store.listing.listed(account, NumberQuery(**query), skip=skip, take=take, version=head.listing_version)
    return [r.phone_number for r in listed]


def query_bytes(local_stack, read) -> int:
    local_stack.clear_dynamodb_requests()
    read()
    return int(local_stack.dynamodb_requests()["bytesByOperation"].get("Query", 0))


def test_a_deep_page_starts_at_its_anchor_and_reads_about_what_it_shows(store, local_stack):
    account = "AC" + uuid.uuid4().hex
    store.heads.ensure_head(account)
    phones = [f"+1206555{n:04d}" for n in range(0, 2200, 2)]
    add(store, records(account, phones))
    assert page(store, account, skip=1000) == phones[1000:1050], "the anchors are built by the first deep page"
    anchors = AnchorsItem.get(workspace_key(account), anchors_key(NumberQuery()))
    every = [f"NUMBER#{p}" for p in phones[ANCHOR_STRIDE - 1 :: ANCHOR_STRIDE]]
    assert anchors.anchors == every[: 1000 // ANCHOR_STRIDE] and not anchors.complete, "only as deep as asked"
    first = query_bytes(local_stack, lambda: page(store, account, skip=0))
    deep = query_bytes(local_stack, lambda: page(store, account, skip=1000))
    assert deep <= first * 1.2, "a page at record 1,000 reads about what page 1 reads, not 1,050 records"
    assert page(store, account, skip=1060, take=40) == phones[1060:1100]
    assert page(store, account, skip=1200) == [], "past the last record"
    anchors = AnchorsItem.get(workspace_key(account), anchors_key(NumberQuery()))
    assert anchors.anchors == every and anchors.complete, "extended from the last anchor to the end"


def test_a_record_joining_or_leaving_moves_the_deep_pages_with_it(store):
    account = "AC" + uuid.uuid4().hex
    store.heads.ensure_head(account)
    phones = [f"+1206555{n:04d}" for n in range(1, 1200, 2)]
    add(store, records(account, phones))
    assert page(store, account, skip=500, take=3) == phones[500:503]
    earlier = "+12065550000"
    add(store, records(account, [earlier]))
    listed = [earlier, *phones]
    assert page(store, account, skip=500, take=3) == listed[500:503]
    inactive = records(account, [f"+1312555{n:04d}" for n in range(300)], NumberStatus.INACTIVE)
    add(store, inactive)
    listed += [r.phone_number for r in inactive]
    assert page(store, account, skip=260, take=3, status=NumberStatus.INACTIVE) == listed[601 + 260 : 601 + 263]
    assert page(store, account, skip=599, take=4) == listed[599:603], "active and inactive, across the anchors"
