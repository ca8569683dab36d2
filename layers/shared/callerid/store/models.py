"""PynamoDB models of the one table. Every item has ``pk``/``sk`` and a ``kind`` discriminator, so one
BatchGetItem can return items of several kinds (the call path reads the catalogue and the worker in one request).

Keys (the access patterns they serve are in README.md, "Storage"):
  WS#<account>        NUMBERS                the workspace's head: primary, counters, refresh state, fallback pool
  WS#<account>        NUMBER#<e164>          one record per number (released ones kept for history)
  WS#<account>        SID#<sid>              pointer from a number's SID to its record
  WS#<account>        CATALOGUE#REFRESH      lease: one refresher from Twilio at a time (TTL)
  WS#<account>        REFRESH#SEEN#<n>       SIDs a refresh pass has read so far (when it spans invocations)
  WS#<account>        WORKER#<worker>        the worker's selection, its local-presence preference and team
  WS#<account>        LISTING#<filter>       page anchors: the sort key at every ANCHOR_STRIDE-th record a filter lists
  WS#<account>        POOL#<level>#<key>     local presence: up to 100 dialable numbers of one area code (AC),
                                             locality (LOC), state (ST), time zone (TZ) or country (CC)
  WS#<account>        ASSIGN#<kind>#<key>    up to 100 numbers assigned to a worker (WK), team (TEAM), queue (WQ)
  WS#<account>        IMPORTED#<sid>         an imported number's webhooks before the import (teardown restores them)
  WS#<account>        VERIFICATION#<e164>    the last caller-ID verification of a number
  SHARED#<owner>      <e164>                 sparse: a copy of each active number its owner shares with descendants
  PHONE#<e164>        PHONE                  the phone's caller-ID lock (one per phone, whatever the workspace),
                                             each owning workspace's dial rule (``rule_<account>``), its usage
                                             (``last_used``, ``calls_<day>``, ``cooling_until``, ``recent_rate``);
                                             GSI ``lock_holder``
  NUMBER#<e164>       HEALTH                 call attempts / answered counters, the recent window of outcomes
  RECONCILE           CHECKPOINT             where the scheduled reconcile stopped (store/reconcile.py)
  CALL#<account>#<sid> COUNTED               this call was counted for health (TTL)
  idempotency#…       <hash>                 Powertools idempotency records of the webhooks (TTL)
  TOKEN#<sha256>      TOKEN                  a Flex token's validated answer, keyed by SHA-256 of account and token
                                             (never the token), until the token's expiration, at most 5 min (TTL)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from callerid.config import Settings
from callerid.store.parser import with_item_parser

_Item = TypeVar("_Item", bound=Model)

# Bounded so that a failing DynamoDB is answered with a 503 within the function's 15 s timeout: at worst
# (1 + 2 retries) x (1 s connect + 2 s read) plus backoff, under 10 s (a hung endpoint measured 6.5 s).
# DynamoDB answers a healthy request in milliseconds.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
RETRY_ATTEMPTS = 2
# A listing's Query pages (up to 1,000 records, up to DynamoDB's 1 MB a page) take longer to answer than a point
# read: the DynamoDB server of the local stack answered a page of 1,000 full records in 4.2-4.6 s on the shared
# 2-core machine, so under READ_TIMEOUT_SECONDS every attempt timed out and the list was a 503 (its retries queued
# behind the request they gave up on). They have a connection of their own with this read timeout and no retry: a
# hung DynamoDB is still a 503 within the function's 15 s (1 s connect + 8 s, after reads that answered), and
# ``store.listing`` checks the invocation's deadline between pages.
PAGE_READ_TIMEOUT_SECONDS = 8
PAGE_RETRY_ATTEMPTS = 0


def client_config() -> Any:
    """The same bounds for boto3 clients on the table (Powertools idempotency records)."""
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": RETRY_ATTEMPTS + 1, "mode": "standard"},
    )


class LockHolderIndex(GlobalSecondaryIndex["TableItem"]):
    """Sparse: only phone items whose lock is held carry ``lock_holder`` (``<account>#<worker>``)."""

    class Meta:
        index_name = "lock_holder"
        projection = AllProjection()

    lock_holder = UnicodeAttribute(hash_key=True)


class TableItem(Model):
    """The table's common shape. Its Meta is bound to the configured table by ``bind_table``."""

    class Meta:
        table_name = "caller-id"
        region = "us-east-1"
        host: str | None = None
        max_retry_attempts = RETRY_ATTEMPTS
        connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
        read_timeout_seconds = READ_TIMEOUT_SECONDS

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    expires_at = TTLAttribute(null=True)
    lock_holder = UnicodeAttribute(null=True)
    lock_holder_index = LockHolderIndex()


class NumberItem(TableItem, discriminator="number"):
    """A number's record (``NUMBER#<e164>``), and the same shape as the copy in its owner's shared index."""

    sid = UnicodeAttribute()
    phone = UnicodeAttribute()
    owner = UnicodeAttribute()
    friendly_name = UnicodeAttribute()
    source = UnicodeAttribute()
    status = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    voice = BooleanAttribute(default=True)
    sms = BooleanAttribute(default=False)
    country = UnicodeAttribute(null=True)
    area_code = UnicodeAttribute(null=True)
    locality = UnicodeAttribute(null=True)
    time_zones = ListAttribute(of=UnicodeAttribute, null=True)
    inbound_agent = UnicodeAttribute(null=True)
    allowed_in = ListAttribute(of=UnicodeAttribute, null=True)
    allowed_out = ListAttribute(of=UnicodeAttribute, null=True)
    shareable = BooleanAttribute(default=False)
    assign_worker = UnicodeAttribute(null=True)
    assign_team = UnicodeAttribute(null=True)
    assign_queue = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    provider = UnicodeAttribute(null=True)
    connection = UnicodeAttribute(null=True)
    # Trust Hub products: "<BU…> <kind> <status>" each (domain.trust.TrustLink).
    trust = ListAttribute(of=UnicodeAttribute, null=True)
    # Lower-cased friendly name, label and locality: what list-numbers' ``search`` filters on.
    search = UnicodeAttribute(null=True)
    # Twilio's facts as last written (the refresh writes a number only when they changed).
    twilio_fingerprint = UnicodeAttribute(null=True)
    revision = NumberAttribute(default=0)


class SharedNumberItem(NumberItem, discriminator="shared_number"):
    """``SHARED#<owner>`` / ``<e164>``: present only while the owner shares the active number."""


class SidItem(TableItem, discriminator="sid"):
    phone = UnicodeAttribute()


class HeadItem(TableItem, discriminator="numbers_head"):
    """The workspace's numbers in the large: what the call path reads besides the worker (primary, the fallback
    pool), list-numbers' totals, and the refresh's state."""

    primary = UnicodeAttribute(null=True)
    refreshed_at = NumberAttribute(default=0)
    # e164 -> "<flags>;<allowed outbound countries>" for up to POOL_SIZE dialable numbers (flags: s shared,
    # a assigned): the fallback's candidates, read in the call path's one BatchGetItem.
    pool: MapAttribute[Any, Any] = MapAttribute(default=dict)
    refresh_pass = UnicodeAttribute(null=True)
    refresh_phase = UnicodeAttribute(null=True)
    refresh_next = UnicodeAttribute(null=True)
    refresh_chunks = NumberAttribute(null=True)
    refresh_read = NumberAttribute(null=True)
    refresh_kept = UnicodeAttribute(null=True)  # JSON: source -> SIDs kept in earlier invocations of the pass
    # Bumped whenever a counter changes, that is whenever a record joins or leaves a (source, status): the page
    # anchors built at another version are stale.
    listing_version = NumberAttribute(null=True)
    # Counters of the workspace's own numbers by source and status, and of those it shares (list-numbers' totals).
    n_twilio_active = NumberAttribute(null=True)
    n_twilio_inactive = NumberAttribute(null=True)
    n_byot_active = NumberAttribute(null=True)
    n_byot_inactive = NumberAttribute(null=True)
    n_verified_active = NumberAttribute(null=True)
    n_verified_inactive = NumberAttribute(null=True)
    shared_twilio = NumberAttribute(null=True)
    shared_byot = NumberAttribute(null=True)
    shared_verified = NumberAttribute(null=True)


def count_attribute(source: str, status: str) -> str:
    """The head's counter of the workspace's own numbers of one source and status."""
    return f"n_{source}_{status}"


def shared_count_attribute(source: str) -> str:
    """The head's counter of the numbers of one source the workspace shares with its descendants."""
    return f"shared_{source}"


class AnchorsItem(TableItem, discriminator="listing_anchors"):
    """``LISTING#<sources>|<statuses>``: the sort key of every ANCHOR_STRIDE-th record that filter lists (as deep
    as pages have asked), as of the head's ``listing_version``, so that a deep page starts its Query near its
    first record."""

    version = NumberAttribute()
    anchors = ListAttribute(of=UnicodeAttribute)
    complete = BooleanAttribute(default=False)  # the anchors reach the last record that filter lists


class SeenItem(TableItem, discriminator="refresh_seen"):
    """One page's worth of SIDs a refresh pass has read, kept while the pass spans invocations."""

    phase = UnicodeAttribute()
    sids = ListAttribute(of=UnicodeAttribute)


class RefreshLeaseItem(TableItem, discriminator="refresh_lease"):
    holder = UnicodeAttribute()


class WorkerItem(TableItem, discriminator="worker"):
    caller_id = UnicodeAttribute(null=True)
    local_presence = BooleanAttribute(null=True)
    selection_version = NumberAttribute(null=True)
    updated_at = NumberAttribute(null=True)
    # The worker's TaskRouter ``team_name`` and when TaskRouter said so (epoch seconds): an older event never
    # overwrites a newer team.
    team_name = UnicodeAttribute(null=True)
    team_updated_at = NumberAttribute(null=True)


class HealthItem(TableItem, discriminator="health"):
    attempts = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)
    # Calls the carrier rejected for its analytics (SIP 603/607/608), answered calls shorter than
    # HEALTH_SHORT_CALL_SECONDS.
    blocked = NumberAttribute(null=True)
    short_calls = NumberAttribute(null=True)
    # The last HEALTH_WINDOW_ATTEMPTS outcomes, oldest first ("1" answered, "0" not): the recent answer rate.
    recent = UnicodeAttribute(null=True)


class PhoneItem(TableItem, discriminator="phone"):
    """The phone item (``store.phones`` writes it with the low-level connection: its ``rule_<account>`` and
    ``calls_<day>`` attributes are named at run time); modelled for the health transaction's answer-rate mirror."""

    recent_rate = NumberAttribute(null=True)
    cooling_until = NumberAttribute(null=True)


class PoolItem(TableItem, discriminator="pool"):
    """A small candidate pool of a workspace (``POOL#<level>#<key>`` for local presence, ``ASSIGN#<kind>#<key>``
    for assignments): up to POOL_SIZE entries as attributes ``e_<e164>`` (the head pool's entry format) and their
    count ``n``. Written with the table's low-level connection (``store.pools``)."""

    n = NumberAttribute(null=True)


class ReconcileCheckpointItem(TableItem, discriminator="reconcile_checkpoint"):
    """``RECONCILE`` / ``CHECKPOINT``: where the scheduled reconcile stopped: the scan page it was in (DynamoDB's
    start key of that page, as JSON) and the last workspace of it reconciled."""

    cursor = UnicodeAttribute(null=True)
    after = UnicodeAttribute(null=True)


class ImportedItem(TableItem, discriminator="imported"):
    """``WS#<account>`` / ``IMPORTED#<sid>``: a number's webhooks before this deployment imported it (the first
    import's), so ``callerid-admin teardown`` can put them back."""

    phone = UnicodeAttribute()
    friendly_name = UnicodeAttribute(null=True)
    voice_url = UnicodeAttribute(null=True)
    status_callback = UnicodeAttribute(null=True)


class CallRecordItem(TableItem, discriminator="call_record"):
    """An outbound call the backend chose a From for (``store.calls``): under ``CALLS#<account>#<from>``, sorted by
    its start (``<startedAt>#<to>``), so a number's recent calls are one Query, newest first."""

    worker_sid = UnicodeAttribute()
    from_number = UnicodeAttribute()
    to = UnicodeAttribute()
    reason = UnicodeAttribute()
    started_at = NumberAttribute()
    task_sid = UnicodeAttribute(null=True)
    queue_sid = UnicodeAttribute(null=True)
    # Its outcome, from whichever source reaches it first (a later one adds the SIP code or the duration).
    call_sid = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    duration = NumberAttribute(null=True)
    sip_code = NumberAttribute(null=True)


class CallbackItem(TableItem, discriminator="callback"):
    """The latest call of a From/To pair (``CALLBACK#<from>#<to>``): who placed it, for which account, and its
    record's sort key. An outcome finds its record from it; a customer calling back reaches that agent."""

    account_sid = UnicodeAttribute()
    worker_sid = UnicodeAttribute()
    started_at = NumberAttribute()
    record_sk = UnicodeAttribute()


class CountedCallItem(TableItem, discriminator="counted_call"):
    """Marks a call as counted for its number's health (TTL), so a retried webhook or a second outcome source never
    counts it twice; keeps what was counted, so a later source can add only a detail (the SIP code, the duration)."""

    phone = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    answered = BooleanAttribute(null=True)
    blocked = BooleanAttribute(null=True)
    sip_code = NumberAttribute(null=True)
    duration = NumberAttribute(null=True)
    day = UnicodeAttribute(null=True)
    record_pk = UnicodeAttribute(null=True)
    record_sk = UnicodeAttribute(null=True)


class DailyItem(TableItem, discriminator="daily"):
    """``DAILY#<e164>`` / ``DAY#<YYYY-MM-DD>``: a number's outcomes of one UTC day (TTL 90 days)."""

    calls = NumberAttribute(null=True)
    answered = NumberAttribute(null=True)
    blocked = NumberAttribute(null=True)
    short = NumberAttribute(null=True)


class VerificationItem(TableItem, discriminator="verification"):
    phone_number = UnicodeAttribute()
    status = UnicodeAttribute()
    outgoing_caller_id_sid = UnicodeAttribute(null=True)
    call_sid = UnicodeAttribute(null=True)
    updated_at = NumberAttribute()


class TokenItem(TableItem, discriminator="validated_token"):
    """IAM's answer for one token and account, shared by every container (``twilio.tokens``)."""

    account_sid = UnicodeAttribute()
    identity = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute, null=True)
    worker_sid = UnicodeAttribute(null=True)
    until = NumberAttribute()


ITEM_CLASSES: tuple[type[TableItem], ...] = (
    TableItem,
    NumberItem,
    SharedNumberItem,
    SidItem,
    HeadItem,
    SeenItem,
    RefreshLeaseItem,
    WorkerItem,
    HealthItem,
    CountedCallItem,
    VerificationItem,
    PoolItem,
    PhoneItem,
    TokenItem,
    CallRecordItem,
    CallbackItem,
)


def workspace_key(account_sid: str) -> str:
    return f"WS#{account_sid}"


def bind_table(settings: Settings) -> None:
    """Point every model at the configured table and endpoint, sharing one botocore client."""
    for cls in ITEM_CLASSES:
        cls.Meta.table_name = settings.table_name
        cls.Meta.region = settings.aws_region
        cls.Meta.host = settings.dynamodb_endpoint_url
        cls._connection = None
    shared = TableItem._get_connection()
    for cls in ITEM_CLASSES[1:]:
        cls._connection = shared
    global _pages
    _pages = TableConnection(settings.table_name)
    _pages.connection = PageConnection(
        region=settings.aws_region,
        host=settings.dynamodb_endpoint_url,
        connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
        read_timeout_seconds=PAGE_READ_TIMEOUT_SECONDS,
        max_retry_attempts=PAGE_RETRY_ATTEMPTS,
    )
    _pages.connection.add_meta_table(shared.get_meta_table())


class PageConnection(Connection):
    """The listing's connection: its botocore clients parse answers with ``store.parser.ItemParser`` (a page of
    records costs the function a fraction of botocore's own walk). PynamoDB keeps a session per thread; each one
    gets the parser before it makes a client."""

    @property
    def session(self) -> Any:
        return with_item_parser(super().session)


_pages: TableConnection | None = None


def pages() -> TableConnection:
    """The connection for a listing's Query pages (``PAGE_READ_TIMEOUT_SECONDS``), bound by ``bind_table``."""
    if _pages is None:
        raise RuntimeError("the table is not bound yet (callerid.store.models.bind_table)")
    return _pages


def query_pages(
    cls: type[_Item],
    hash_key: str,
    range_key_condition: Condition | None = None,
    *,
    filter_condition: Condition | None = None,
    page_size: int | None,
    last_evaluated_key: dict[str, dict[str, Any]] | None = None,
    attributes_to_get: list[str] | None = None,
    consistent_read: bool = False,
    before_page: Callable[[int], None] | None = None,
    map_fn: Callable[[dict[str, Any]], Any] | None = None,
) -> ResultIterator[Any]:
    """``cls.query`` on the page connection: the same request (the discriminator's filter included).
    ``page_size`` ``None``: pages as large as DynamoDB answers (1 MB read). ``before_page`` runs before each
    page's request with the number of items the pages before it answered (it may raise to stop the listing).
    ``map_fn``: what each item of the answer becomes (a model of ``cls`` unless told)."""
    discriminator = cls._get_discriminator_attribute()
    if discriminator is not None:
        filter_condition &= discriminator.is_in(*discriminator.get_registered_subclasses(cls))
    kwargs = {
        "range_key_condition": range_key_condition,
        "filter_condition": filter_condition,
        "exclusive_start_key": last_evaluated_key,
        "consistent_read": consistent_read,
        "limit": page_size,
        "attributes_to_get": attributes_to_get,
    }
    query = pages().query
    if before_page is not None:
        unpaced, answered = query, 0

        def query(*args: Any, **kwargs: Any) -> Any:
            nonlocal answered
            before_page(answered)
            page = unpaced(*args, **kwargs)
            answered += len(page.get("Items") or ())
            return page

    return ResultIterator(query, (cls._serialize_keys(hash_key)[0],), kwargs, map_fn=map_fn or cls.from_raw_data)


def connection() -> Connection:
    """The low-level connection behind the models (for transactions)."""
    return TableItem._get_connection().connection


def table() -> TableConnection:
    """The table's low-level connection: for items whose attributes are named at run time (the phone item's
    ``rule_<account>``)."""
    return TableItem._get_connection()
