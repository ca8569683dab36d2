"""The one place services are wired, for ``runtime.py`` (over the DynamoDB repositories and the Twilio gateway) and
for the tests (over in-memory fakes) alike. Each service is built on first use, from the ports it needs and the
services below it, so nothing is patched after construction and a function builds (and imports) only what it
uses: the call path never builds the REST gateway. See docs/design.md."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from callerid import deadline
from callerid.domain.reputation import NO_LIMITS, ReputationLimits
from callerid.service.ports import (
    AuditEntries,
    CallPathReads,
    Calls,
    Gateway,
    Heads,
    HealthRecords,
    ImportedHooks,
    Listing,
    NumberRecords,
    PhoneLocks,
    PhoneRules,
    PhoneUsage,
    Pools,
    ReconcileReads,
    RefreshProgress,
    RefreshRecords,
    SharedCopies,
    Verifications,
    Workers,
)

if TYPE_CHECKING:
    from callerid.service.audit import AuditReader, AuditTrail
    from callerid.service.callerids import CallerIds
    from callerid.service.inbound import InboundCalls
    from callerid.service.management import NumberManagement
    from callerid.service.numbers import NumberDirectory
    from callerid.service.outbound import OutboundCalls
    from callerid.service.outcomes import OutcomeRecorder
    from callerid.service.people import People
    from callerid.service.reconcile import Reconciler
    from callerid.service.records import RecordKeeper
    from callerid.service.refresh import TwilioRefresh
    from callerid.service.selection import CallerIdSelections
    from callerid.service.streams import EventStreamEffects
    from callerid.service.taskrouter import TaskRouterEffects
    from callerid.service.transfers import TransferCallerIds
    from callerid.service.trust import TrustAssignments
    from callerid.service.webhooks import CallStatusEffects, VerificationEffects


@dataclass(frozen=True, slots=True)
class Stores:
    """The store's side of every port. One object may stand for several (a fake of the whole table)."""

    records: NumberRecords
    shared: SharedCopies
    heads: Heads
    listing: Listing
    bulk: RefreshRecords
    progress: RefreshProgress
    call_path: CallPathReads
    pools: Pools
    rules: PhoneRules
    locks: PhoneLocks
    usage: PhoneUsage
    workers: Workers
    health: HealthRecords
    verifications: Verifications
    reconcile: ReconcileReads | None = None  # the operator's reconcile (``callerid-admin``, the schedule)
    imported: ImportedHooks | None = None  # imported numbers' webhooks before the import (teardown)
    # The audit log's reads (its writes go with each change, ``audit=`` of the store methods).
    audit: AuditEntries | None = None
    # Outbound calls' records and callbacks (none: inbound calls read the number's record alone).
    calls: Calls | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """The deployment's settings the services take (``config.Settings`` gives them in ``runtime.py``)."""

    lock_ttl_seconds: int = 300
    number_cache_ttl_seconds: float = 300.0
    include_outgoing_only: bool = False
    inbound_redirect: bool = False
    limits: ReputationLimits = NO_LIMITS
    # How long an outbound call's record is kept (DynamoDB TTL), and how long a customer calling back reaches the
    # agent who called them (0 = off).
    call_record_days: int = 30
    callback_affinity_days: int = 7
    ancestors: Callable[[str], list[str]] = field(default=lambda account_sid: [])
    # The TaskRouter workspace of a (sub)account.
    workspace_of: Callable[[str], str] = field(default=lambda account_sid: "")
    # The Trust Hub products numbers join when bought or imported (TRUST_PRODUCT_SIDS).
    trust_product_sids: tuple[str, ...] = ()
    # How long audit entries are kept (``AUDIT_DAYS``).
    audit_days: int = 400


class Services:
    """Every service, built once on first use."""

    def __init__(
        self,
        stores: Stores,
        gateway: Callable[[], Gateway],
        options: Options = Options(),
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        remaining: Callable[[], float | None] = deadline.remaining,
    ) -> None:
        self.stores = stores
        self.gateway = gateway  # built on first use: the call path never builds it
        self.options = options
        self.clock = clock
        self.sleep = sleep
        self.remaining = remaining  # seconds left of the invocation (``callerid.deadline``)

    @cached_property
    def keeper(self) -> RecordKeeper:
        from callerid.service.records import RecordKeeper

        s = self.stores
        return RecordKeeper(s.records, s.shared, s.heads, s.rules, s.pools)

    @cached_property
    def refresh(self) -> TwilioRefresh:
        from callerid.service.refresh import TwilioRefresh

        s = self.stores
        return TwilioRefresh(
            s.heads,
            s.progress,
            s.records,
            s.bulk,
            self.keeper,
            self.gateway,
            ttl_seconds=self.options.number_cache_ttl_seconds,
            clock=self.clock,
            sleep=self.sleep,
            remaining=self.remaining,
            trust=lambda account_sid, numbers: self.trust.refresh(account_sid, numbers),
        )

    @cached_property
    def numbers(self) -> NumberDirectory:
        from callerid.service.numbers import NumberDirectory

        s = self.stores
        return NumberDirectory(
            s.records,
            s.heads,
            s.listing,
            s.rules,
            s.locks,
            self.keeper,
            self.refresh,
            ancestors=self.options.ancestors,
            clock=self.clock,
            audit=self.audit_trail,
        )

    @cached_property
    def outbound_calls(self) -> OutboundCalls:
        from callerid.service.outbound import OutboundCalls

        s = self.stores
        return OutboundCalls(
            s.call_path,
            s.heads,
            s.locks,
            s.workers,
            lock_ttl_seconds=self.options.lock_ttl_seconds,
            # Built when first needed (a workspace never read from Twilio): the call path imports no refresh.
            build=lambda account_sid: self.refresh.ensure(account_sid),
            ancestors=self.options.ancestors,
            clock=self.clock,
            limits=self.options.limits,
            call_record_days=self.options.call_record_days,
        )

    @cached_property
    def management(self) -> NumberManagement:
        from callerid.service.management import NumberManagement

        s = self.stores
        return NumberManagement(
            self.numbers,
            self.gateway,
            s.health,
            s.usage,
            limits=self.options.limits,
            clock=self.clock,
            imported=s.imported,
            trust=self.trust,
            calls=s.calls,
        )

    @cached_property
    def trust(self) -> TrustAssignments:
        from callerid.service.trust import TrustAssignments

        return TrustAssignments(
            self.numbers, self.stores.records, self.gateway, configured=self.options.trust_product_sids
        )

    @cached_property
    def selections(self) -> CallerIdSelections:
        from callerid.service.selection import CallerIdSelections

        return CallerIdSelections(
            self.stores.workers,
            self.numbers,
            self.gateway,
            include_outgoing_only=self.options.include_outgoing_only,
            sleep=self.sleep,
            clock=self.clock,
            audit=self.audit_trail,
        )

    @cached_property
    def transfers(self) -> TransferCallerIds:
        from callerid.service.transfers import TransferCallerIds

        return TransferCallerIds(self.numbers, include_outgoing_only=self.options.include_outgoing_only)

    @cached_property
    def call_status_effects(self) -> CallStatusEffects:
        from callerid.service.webhooks import CallStatusEffects

        return CallStatusEffects(self.stores.locks, self.outcomes, clock=self.clock)

    @cached_property
    def outcomes(self) -> OutcomeRecorder:
        from callerid.service.outcomes import OutcomeRecorder

        s = self.stores
        return OutcomeRecorder(
            s.health, s.usage, s.calls, self.numbers.may_dial, clock=self.clock, limits=self.options.limits
        )

    @cached_property
    def stream_effects(self) -> EventStreamEffects:
        from callerid.service.streams import EventStreamEffects

        return EventStreamEffects(self.outcomes)

    @cached_property
    def taskrouter_effects(self) -> TaskRouterEffects:
        from callerid.service.taskrouter import TaskRouterEffects

        return TaskRouterEffects(
            self.stores.locks,
            self.stores.workers,
            self.options.workspace_of,
            clock=self.clock,
            outcomes=self.outcomes,
            calls=self.gateway,
            records=self.stores.calls,
        )

    @cached_property
    def verification_effects(self) -> VerificationEffects:
        from callerid.service.webhooks import VerificationEffects

        return VerificationEffects(self.stores.verifications, self.numbers, self.gateway, clock=self.clock)

    @cached_property
    def caller_ids(self) -> CallerIds:
        from callerid.service.callerids import CallerIds

        return CallerIds(
            self.numbers, self.stores.verifications, self.gateway, clock=self.clock, audit=self.audit_trail
        )

    @cached_property
    def inbound_calls(self) -> InboundCalls:
        from callerid.service.inbound import InboundCalls

        return InboundCalls(
            self.stores.records,
            redirect=self.options.inbound_redirect,
            calls=self.stores.calls,
            affinity_days=self.options.callback_affinity_days,
            clock=self.clock,
        )

    @cached_property
    def reconciler(self) -> Reconciler:
        from callerid.service.reconcile import Reconciler

        s = self.stores
        if s.reconcile is None:
            raise RuntimeError("These stores have no reconcile reads.")
        return Reconciler(s.reconcile, s.heads, s.pools, self.keeper)

    @cached_property
    def people(self) -> People:
        from callerid.service.people import People

        return People(self.gateway, ttl_seconds=self.options.number_cache_ttl_seconds)

    @cached_property
    def audit_trail(self) -> AuditTrail:
        from callerid.service.audit import AuditTrail

        return AuditTrail(days=self.options.audit_days, clock=self.clock)

    @cached_property
    def audit_reader(self) -> AuditReader:
        from callerid.service.audit import AuditReader

        if self.stores.audit is None:
            raise RuntimeError("These stores keep no audit log.")
        return AuditReader(self.stores.audit)
