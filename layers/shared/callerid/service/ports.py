"""What the services need of the store and of Twilio, as small ``typing.Protocol`` ports in the domain's types: the
DynamoDB repositories (the ``store`` package) and the Twilio gateway (``callerid.twilio.gateway``) satisfy them, and so
do the unit tests' in-memory fakes (``tests/unit/fakes.py``, checked by mypy). See docs/design.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from callerid.domain.audit import AuditEntry
from callerid.domain.calls import CallOutcome, CallRecord, DailyCounts, LatestCall, OutcomeWrite, RecentCall
from callerid.domain.catalogue import CallPathRead, CounterKey, Head, RefreshState
from callerid.domain.deployment import PriorHooks
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock, PhoneState
from callerid.domain.numbers import Candidate, DialRule, DialRules, NumberQuery, NumberRecord, NumberSource, TwilioFacts
from callerid.domain.people import Person, Queue
from callerid.domain.reputation import Guard, NumberHealth, ReputationLimits
from callerid.domain.trust import TrustProduct
from callerid.domain.verification import Verification
from callerid.domain.workers import WorkerState
from callerid.twilio.records import (
    AvailableNumber,
    EndedCall,
    NumberHooks,
    NumberOrder,
    NumberSearch,
    OutgoingCallerId,
    OwnedNumber,
    TwilioPage,
    ValidationCall,
    WorkerSnapshot,
)

# ----- a workspace's numbers -----------------------------------------------------------------------------------------


class RecordReader(Protocol):
    """A workspace's stored record of a phone (inbound calls read nothing more)."""

    def get(self, account_sid: str, phone_number: str, *, primary: str | None = None) -> NumberRecord | None: ...


class InboundReads(Protocol):
    """An inbound call's one read: the called number's record and the latest call from it to the caller."""

    def inbound_read(
        self, account_sid: str, called: str, caller: str | None
    ) -> tuple[NumberRecord | None, LatestCall | None]: ...


class NumberRecords(RecordReader, Protocol):
    """The records themselves: read, written conditionally on their revision, found by SID."""

    def phone_of(self, account_sid: str, sid: str) -> str | None: ...
    def insert(
        self,
        record: NumberRecord,
        *,
        expected_revision: int | None = None,
        fingerprint: str | None = None,
        audit: AuditEntry | None = None,
    ) -> bool: ...
    def replace(
        self,
        record: NumberRecord,
        *,
        expected_revision: int,
        fingerprint: str | None = None,
        audit: AuditEntry | None = None,
        retract: AuditEntry | None = None,
    ) -> NumberRecord: ...
    def point_sid(self, account_sid: str, sid: str, phone_number: str) -> None: ...
    def dialable(self, account_sid: str, *, exclude: set[str], take: int) -> list[NumberRecord]: ...


class SharedCopies(Protocol):
    """An owner's index of the numbers it shares with its descendants."""

    def put_shared(self, record: NumberRecord) -> None: ...
    def delete_shared(self, owner: str, phone_number: str) -> None: ...


class Heads(Protocol):
    """A workspace's head: primary, counters, fallback pool."""

    def head(self, account_sid: str) -> Head: ...
    def ensure_head(self, account_sid: str) -> None: ...
    def adjust_counts(self, account_sid: str, deltas: dict[CounterKey, int]) -> None: ...
    def add_to_pool(self, account_sid: str, candidate: Candidate) -> bool: ...
    def remove_from_pool(self, account_sid: str, phone_number: str) -> None: ...
    def set_primary(self, account_sid: str, phone_number: str, *, audit: AuditEntry | None = None) -> None: ...
    def clear_primary(self, account_sid: str, phone_number: str) -> bool: ...


class Pools(Protocol):
    """The small presence and assignment pools, by name (``domain.pools``)."""

    def set_entry(self, account_sid: str, key: str, candidate: Candidate, *, exists: bool = False) -> bool: ...
    def set_entries(self, account_sid: str, key: str, candidates: Sequence[Candidate]) -> None: ...
    def remove_entry(self, account_sid: str, key: str, phone: str) -> None: ...


class Listing(Protocol):
    """List-numbers' reads: pages of records and counts."""

    def listed(
        self, account_sid: str, query: NumberQuery, *, skip: int, take: int, version: int = 0, brief: bool = False
    ) -> list[NumberRecord]: ...
    def listed_shared(
        self, owner: str, query: NumberQuery, *, skip: int, take: int, brief: bool = False, held: int = 0
    ) -> list[NumberRecord]: ...
    def count(self, account_sid: str, query: NumberQuery) -> int: ...
    def count_shared(self, owner: str, query: NumberQuery) -> int: ...


class RefreshRecords(Protocol):
    """What a refresh reads and writes of the records in bulk."""

    def fingerprints(self, account_sid: str, phone_numbers: Iterable[str]) -> dict[str, tuple[NumberRecord, str]]: ...
    def insert_many(self, records: list[tuple[NumberRecord, str | None]]) -> None: ...
    def live_sids(self, account_sid: str, source: NumberSource) -> dict[str, str]: ...


class RefreshProgress(Protocol):
    """A refresh pass's lease, its state between invocations and the SIDs it has read."""

    def take_refresh_lease(self, account_sid: str, holder: str, now: float, seconds: float) -> bool: ...
    def release_refresh_lease(self, account_sid: str, holder: str) -> None: ...
    def mark_refreshed(self, account_sid: str, now: float) -> None: ...
    def save_refresh(self, account_sid: str, state: RefreshState) -> None: ...
    def save_seen(self, account_sid: str, first_chunk: int, phase: str, sids: list[str]) -> int: ...
    def seen(self, account_sid: str, chunks: int, phase: str) -> set[str]: ...
    def forget_seen(self, account_sid: str, chunks: int) -> None: ...


class CallPathReads(Protocol):
    """The call path's one read (and the few it may add)."""

    def call_path_read(
        self,
        account_sid: str,
        worker_sid: str,
        ancestors: list[str],
        *,
        pools: Iterable[str] = (),
        phones: Iterable[str] = (),
        now: float = 0.0,
    ) -> CallPathRead: ...
    def pools_read(
        self,
        account_sid: str,
        pools: Iterable[str],
        phones: Iterable[str],
        *,
        now: float,
        with_keys: list[tuple[str, str]] | None = None,
        consistent: bool = False,
    ) -> CallPathRead: ...


# ----- phones: dial rules, locks, usage ---------------------------------------------------------------------------


class PhoneRules(Protocol):
    """Each workspace's dial rule of a phone."""

    def rules(self, phone_number: str) -> DialRules: ...
    def write_rule(self, phone_number: str, account_sid: str, rule: DialRule) -> bool: ...
    def write_rules(self, rules: list[tuple[str, str, DialRule]]) -> None: ...


class PhoneLocks(Protocol):
    """Caller-ID locks: taken with the dial rule checked, released by their holder or by the call's end."""

    def acquire(
        self,
        phone_number: str,
        worker: WorkerRef,
        *,
        ancestors: Iterable[str],
        country: str | None,
        ttl_seconds: int,
        now: float,
        diagnose: bool = True,
        task_sid: str | None = None,
        limits: ReputationLimits | None = None,
        within_limits: bool = False,
        record: CallRecord | None = None,
        guard_read: Guard | None = None,
    ) -> CallerIdLock: ...
    def release(
        self, phone_number: str, worker: WorkerRef, lease_id: str, *, audit: AuditEntry | None = None
    ) -> bool: ...
    def release_for_call(self, phone_number: str, call_began: float, account_sid: str) -> bool: ...
    def held_by(self, worker: WorkerRef) -> list[CallerIdLock]: ...
    def get(self, phone_number: str) -> CallerIdLock | None: ...
    def get_many(self, phone_numbers: Iterable[str]) -> dict[str, CallerIdLock]: ...


class PhoneUsage(Protocol):
    """A phone's lock and usage as the call path sees them, and its cooldown."""

    def states(self, phone_numbers: Iterable[str], now: float) -> dict[str, PhoneState]: ...
    def start_cooling(self, phone_number: str, until: float, now: float, why: str | None = None) -> bool: ...


# ----- workers, health, verifications -------------------------------------------------------------------------------


class Teams(Protocol):
    """A worker's team as TaskRouter last reported it."""

    def save_team(self, worker: WorkerRef, team: str | None, *, at: float) -> bool: ...


class WorkerStates(Protocol):
    """A worker's saved selection and team, read strongly consistent (one GetItem): what the call path reads again
    when its eventually consistent read is older than the selection the client saw."""

    def get(self, worker: WorkerRef) -> WorkerState: ...


class Workers(WorkerStates, Teams, Protocol):
    """A worker's saved selection (and team)."""

    def save_selection(
        self,
        worker: WorkerRef,
        caller_id: str | None,
        local_presence: bool,
        *,
        expected_version: int,
        audit: AuditEntry | None = None,
        retract: AuditEntry | None = None,
    ) -> WorkerState: ...


class HealthRecords(Protocol):
    """A number's call outcomes: all time, its recent window, its daily counts."""

    def get(self, phone_number: str) -> NumberHealth: ...
    def record_outcome(
        self,
        phone_number: str,
        outcome: CallOutcome,
        *,
        now: float,
        limits: ReputationLimits = ...,
        record: tuple[str, str] | None = ...,
    ) -> OutcomeWrite: ...
    def daily(self, phone_number: str, days: int, now: float) -> list[DailyCounts]: ...
    def counted(self, account_sid: str, call_sid: str) -> bool: ...


class Calls(Protocol):
    """``InboundReads`` and ``CallRecords`` of one store (``store.calls.CallRepository``)."""

    def inbound_read(
        self, account_sid: str, called: str, caller: str | None
    ) -> tuple[NumberRecord | None, LatestCall | None]: ...
    def latest(self, from_number: str, to: str) -> LatestCall | None: ...
    def record_key(self, latest: LatestCall) -> tuple[str, str]: ...
    def recent(self, account_sid: str, from_number: str, page: int, per_page: int) -> tuple[list[RecentCall], bool]: ...


class CallRecords(Protocol):
    """Outbound calls' records: a pair's latest call (where an outcome is written) and a number's recent calls."""

    def latest(self, from_number: str, to: str) -> LatestCall | None: ...
    def record_key(self, latest: LatestCall) -> tuple[str, str]: ...
    def recent(self, account_sid: str, from_number: str, page: int, per_page: int) -> tuple[list[RecentCall], bool]: ...


class Verifications(Protocol):
    """The last verification of each number per workspace."""

    def start(
        self,
        account_sid: str,
        phone_number: str,
        call_sid: str,
        *,
        now: float,
        expires_at: float,
        audit: AuditEntry | None = None,
    ) -> None: ...
    def record_success(self, account_sid: str, verification: Verification) -> None: ...
    def record_failure(self, account_sid: str, phone_number: str, call_sid: str, now: float) -> bool: ...
    def get(self, account_sid: str, phone_number: str) -> Verification | None: ...
    def forget(self, account_sid: str, phone_number: str) -> None: ...


# ----- Twilio ----------------------------------------------------------------------------------------------------


class NumberSourceGateway(Protocol):
    def number_page(self, account_sid: str, source: NumberSource, next_page: str | None) -> TwilioPage: ...
    def still_held(self, account_sid: str, source: NumberSource, sid: str) -> bool: ...


class TwilioNumbers(Protocol):
    """Twilio's side of number management (``callerid.twilio.gateway.TwilioGateway``)."""

    def available_numbers(self, account_sid: str, search: NumberSearch) -> list[AvailableNumber]: ...
    def buy_number(self, account_sid: str, order: NumberOrder, hooks: NumberHooks) -> TwilioFacts: ...
    def owned_numbers(self, account_sid: str, page: int, per_page: int) -> tuple[list[OwnedNumber], bool]: ...
    def point_number(self, account_sid: str, sid: str, hooks: NumberHooks) -> tuple[TwilioFacts, OwnedNumber]: ...
    def release_number(self, account_sid: str, sid: str) -> None: ...
    def delete_caller_id(self, account_sid: str, sid: str) -> None: ...
    def incoming_number(self, account_sid: str, sid: str) -> TwilioFacts: ...
    def caller_id_facts(self, account_sid: str, sid: str) -> TwilioFacts: ...


class WorkerGateway(Protocol):
    """TaskRouter's worker, whose attributes mirror the selection."""

    def fetch_worker(self, account_sid: str, worker_sid: str) -> WorkerSnapshot: ...
    def update_worker_attributes(
        self, account_sid: str, worker_sid: str, attributes: str, etag: str | None
    ) -> WorkerSnapshot: ...


class CallerIdGateway(Protocol):
    """Twilio's verified caller IDs: verification calls, renaming, removal."""

    def validation_request(
        self,
        account_sid: str,
        phone_number: str,
        *,
        friendly_name: str | None,
        call_delay: int,
        extension: str | None,
        status_callback: str,
    ) -> ValidationCall: ...
    def rename_caller_id(self, account_sid: str, sid: str, friendly_name: str) -> None: ...
    def delete_caller_id(self, account_sid: str, sid: str) -> None: ...


class CallerIdConfirmation(Protocol):
    """Twilio's word on a verification's outcome."""

    def outgoing_caller_id(self, account_sid: str, sid: str) -> OutgoingCallerId: ...


class TrustHub(Protocol):
    """Twilio Trust Hub's products and their phone-number assignments (the deployment's own account's)."""

    def trust_product(self, product_sid: str) -> TrustProduct: ...
    def trust_assignments(self, product_sid: str, number_sid: str | None = None) -> dict[str, str]: ...
    def assign_trust(self, product_sid: str, number_sid: str) -> str: ...
    def unassign_trust(self, product_sid: str, assignment_sid: str) -> None: ...


class PeopleGateway(Protocol):
    """TaskRouter's workers and queues of an account's Flex workspace, and the account's name (the people routes)."""

    def list_workers(self, account_sid: str) -> list[Person]: ...
    def list_task_queues(self, account_sid: str) -> list[Queue]: ...
    def account_name(self, account_sid: str) -> str: ...


class CallsGateway(Protocol):
    """Twilio's Calls resource: an outbound task's customer leg, found by its numbers, and how a call ended."""

    def find_call(self, account_sid: str, from_number: str, to: str, started_after: float) -> str | None: ...
    def call_ended(self, account_sid: str, call_sid: str) -> EndedCall | None: ...


class Gateway(
    NumberSourceGateway,
    TwilioNumbers,
    WorkerGateway,
    CallerIdGateway,
    CallerIdConfirmation,
    TrustHub,
    PeopleGateway,
    CallsGateway,
    Protocol,
):
    """Everything the services ask of Twilio (``twilio.gateway.TwilioGateway``)."""


# ----- services other services use -----------------------------------------------------------------------------


class Selectable(Protocol):
    """Whether list-numbers offers a number to a workspace as a caller ID."""

    def selectable(self, account_sid: str, phone_number: str, *, include_outgoing_only: bool) -> bool: ...


# ----- the operator's reconcile ----------------------------------------------------------------------------------


class ReconcileReads(Protocol):
    """A workspace in the large (every record, every small pool) and where the scheduled reconcile stopped."""

    def all_records(self, account_sid: str) -> list[NumberRecord]: ...
    def pool_entries(self, account_sid: str) -> dict[str, dict[str, Candidate]]: ...
    def workspaces(self, cursor: str | None) -> tuple[list[str], str | None]: ...
    def checkpoint(self) -> tuple[str | None, str | None] | None: ...
    def save_checkpoint(self, cursor: str | None, after: str | None) -> None: ...
    def clear_checkpoint(self) -> None: ...


class ImportedHooks(Protocol):
    """The webhooks imported numbers had before their import (``teardown`` puts them back)."""

    def keep(self, account_sid: str, before: PriorHooks) -> None: ...
    def imported(self, account_sid: str) -> list[PriorHooks]: ...
    def forget(self, account_sid: str, sid: str) -> None: ...


# ----- the audit log ----------------------------------------------------------------------------------------------


class AuditEntries(Protocol):
    """The workspace's audit entries, newest first, by target (a SID or an E.164 number) and/or actor (a worker
    SID); answers the page and whether more follow. Entries are written by the store methods that take ``audit=``,
    in the same transaction as their change."""

    def entries(
        self, account_sid: str, *, target: str | None, actor: str | None, skip: int, take: int
    ) -> tuple[list[AuditEntry], bool]: ...
