"""The container's long-lived objects, created once and on first use (cold start pays only for what a function
uses: the call path never builds the REST gateway, so it never imports ``twilio.rest``)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from callerid.config import Settings, get_settings
from callerid.twilio.accounts import AccountDirectory
from callerid.twilio.tokens import FlexTokenValidator, SharedTokens

if TYPE_CHECKING:
    from callerid.service.audit import AuditReader
    from callerid.service.builder import Services, Stores
    from callerid.service.callerids import CallerIds
    from callerid.service.inbound import InboundCalls
    from callerid.service.management import NumberManagement
    from callerid.service.numbers import NumberDirectory
    from callerid.service.outbound import OutboundCalls
    from callerid.service.people import People
    from callerid.service.reconcile import Reconciler
    from callerid.service.selection import CallerIdSelections
    from callerid.service.streams import EventStreamEffects
    from callerid.service.taskrouter import TaskRouterEffects
    from callerid.service.transfers import TransferCallerIds
    from callerid.service.trust import TrustAssignments
    from callerid.service.webhooks import CallStatusEffects, VerificationEffects
    from callerid.twilio.gateway import TwilioGateway
    from callerid.twilio.signatures import WebhookSignatures
    from callerid.twilio.transport import RetryingTwilioHttpClient


@lru_cache(maxsize=1)
def settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def transport() -> RetryingTwilioHttpClient:
    """The Twilio HTTP client (``requests`` and ``twilio.http`` are imported here, on the first Twilio request: a
    token the fleet has validated already needs none)."""
    from callerid.twilio.transport import RetryingTwilioHttpClient

    built = RetryingTwilioHttpClient(settings().twilio_api_base_url)
    # A 401 to a token this container cached (rotated at Twilio) is retried once with the token re-read.
    built.fresher_token = accounts().fresher_token
    return built


class _TransportOnFirstUse:
    """Stands for ``transport()`` until something asks it for anything (a request): then it is built."""

    def __getattr__(self, name: str) -> Any:
        return getattr(transport(), name)


def deferred_transport() -> RetryingTwilioHttpClient:
    return cast("RetryingTwilioHttpClient", _TransportOnFirstUse())


@lru_cache(maxsize=1)
def accounts() -> AccountDirectory:
    return AccountDirectory(settings(), deferred_transport())


@lru_cache(maxsize=1)
def token_validator() -> FlexTokenValidator:
    return FlexTokenValidator(accounts(), deferred_transport(), shared=shared_tokens)


@lru_cache(maxsize=1)
def shared_tokens() -> SharedTokens:
    """Validated tokens in the table, shared by the fleet (imported on first use: the store is not cheap)."""
    from callerid.store.tokens import TokenCacheRepository

    table()
    return TokenCacheRepository()


@lru_cache(maxsize=1)
def gateway() -> TwilioGateway:
    from callerid.twilio.gateway import TwilioGateway

    return TwilioGateway(settings(), accounts(), transport())


@lru_cache(maxsize=1)
def stores() -> Stores:
    """The DynamoDB repositories behind every port, on the configured table."""
    table()
    return repositories()


def repositories() -> Stores:
    """The DynamoDB repositories behind every port (on the table the models are bound to)."""
    from callerid.service.builder import Stores
    from callerid.store.audit import AuditLog
    from callerid.store.callpath import CallPathRepository
    from callerid.store.calls import CallRepository
    from callerid.store.heads import HeadRepository
    from callerid.store.health import HealthRepository
    from callerid.store.imported import ImportedHooksRepository
    from callerid.store.listing import ListingRepository
    from callerid.store.phones import PhoneRepository
    from callerid.store.pools import PoolRepository
    from callerid.store.reconcile import ReconcileRepository
    from callerid.store.records import RecordRepository
    from callerid.store.refresh import RefreshRepository
    from callerid.store.verifications import VerificationRepository
    from callerid.store.workers import WorkerRepository

    records, phones = RecordRepository(), PhoneRepository()
    return Stores(
        records=records,
        shared=records,
        heads=HeadRepository(),
        listing=ListingRepository(),
        bulk=records,
        progress=RefreshRepository(),
        call_path=CallPathRepository(),
        pools=PoolRepository(),
        rules=phones,
        locks=phones,
        usage=phones,
        workers=WorkerRepository(),
        health=HealthRepository(),
        verifications=VerificationRepository(),
        reconcile=ReconcileRepository(),
        imported=ImportedHooksRepository(),
        audit=AuditLog(),
        calls=CallRepository(),
    )


@lru_cache(maxsize=1)
def services() -> Services:
    """Every service, wired by the one builder over ``stores`` and the Twilio ``gateway`` (built on first use)."""
    from callerid.service.builder import Options, Services

    config = settings()
    options = Options(
        lock_ttl_seconds=config.caller_id_lock_ttl_seconds,
        number_cache_ttl_seconds=config.number_cache_ttl_seconds,
        include_outgoing_only=config.include_outgoing_only_numbers,
        inbound_redirect=bool(config.inbound_flow_url),
        limits=config.reputation(),
        call_record_days=config.call_record_days,
        callback_affinity_days=config.callback_affinity_days,
        ancestors=accounts().ancestors,
        workspace_of=lambda account: gateway().workspace_sid(account),
        trust_product_sids=config.trust_product_sids,
        audit_days=config.audit_days,
    )
    return Services(stores(), gateway, options)


def numbers() -> NumberDirectory:
    """The workspace's numbers as records, refreshed from Twilio (lazily, through ``gateway``) once per TTL."""
    return services().numbers


def trust_assignments() -> TrustAssignments:
    """The numbers' Trust Hub products (``PUT …/trust``)."""
    return services().trust


def number_management() -> NumberManagement:
    """Number management that reaches Twilio (release, re-sync), over ``numbers``."""
    return services().management


def outbound_calls() -> OutboundCalls:
    """The From rewrite (the call path): DynamoDB only; Twilio only to read a workspace's numbers the first time."""
    return services().outbound_calls


def selections() -> CallerIdSelections:
    """Workers' caller-ID selections, in DynamoDB and mirrored into TaskRouter."""
    return services().selections


def people() -> People:
    """Workers and queues by name, and who a token is: TaskRouter and Twilio, kept per account for the TTL."""
    return services().people


def audit_reader() -> AuditReader:
    """The audit log's entries (DynamoDB only)."""
    return services().audit_reader


def transfers() -> TransferCallerIds:
    """Transfers' caller IDs: an agent's number shown is checked against the phone's rules (one GetItem)."""
    return services().transfers


def reconciler() -> Reconciler:
    """The reconcile of counters and pools from the records (``callerid-admin reconcile``, the daily schedule)."""
    return services().reconciler


@lru_cache(maxsize=1)
def webhook_signatures() -> WebhookSignatures:
    from callerid.twilio.signatures import WebhookSignatures

    return WebhookSignatures(accounts())


def call_status_effects() -> CallStatusEffects:
    return services().call_status_effects


def taskrouter_effects() -> TaskRouterEffects:
    """TaskRouter's events: locks freed when outbound-call tasks end, workers' teams kept current. Twilio only to
    look up a subaccount's workspace (once per container; the root account's is configured)."""
    return services().taskrouter_effects


def stream_effects() -> EventStreamEffects:
    """Event Streams deliveries: call summaries counted as outcomes (no Twilio request)."""
    return services().stream_effects


def verification_effects() -> VerificationEffects:
    return services().verification_effects


def caller_ids() -> CallerIds:
    """Verified caller IDs and their verification (Twilio through ``gateway``)."""
    return services().caller_ids


def inbound_calls() -> InboundCalls:
    """Where inbound calls go, from the stored records (no Twilio request but the workflow's one lookup)."""
    return services().inbound_calls


@lru_cache(maxsize=1)
def table() -> None:
    """Bind the PynamoDB models to the configured table (once)."""
    from callerid.store.models import bind_table

    bind_table(settings())


def reset() -> None:
    """Forget every long-lived object (tests that re-point a process at another stack)."""
    from callerid.config import get_settings

    for cached in (
        settings,
        transport,
        accounts,
        token_validator,
        shared_tokens,
        gateway,
        stores,
        services,
        webhook_signatures,
        table,
        get_settings,
    ):
        cached.cache_clear()
