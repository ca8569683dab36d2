"""The container's long-lived objects, created once and on first use (cold start pays only for what a function
uses: the call path never builds the REST gateway, so it never imports ``twilio.rest``)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from callerid.config import Settings, get_settings
from callerid.twilio.accounts import AccountDirectory
from callerid.twilio.tokens import FlexTokenValidator
from callerid.twilio.transport import RetryingTwilioHttpClient

if TYPE_CHECKING:
    from callerid.service.callerids import CallerIds
    from callerid.service.inbound import InboundCalls
    from callerid.service.management import NumberManagement
    from callerid.service.numbers import NumberDirectory
    from callerid.service.outbound import OutboundCalls
    from callerid.service.selection import CallerIdSelections
    from callerid.service.taskrouter import TaskRouterEffects
    from callerid.service.transfers import TransferCallerIds
    from callerid.service.webhooks import CallStatusEffects, VerificationEffects
    from callerid.twilio.gateway import TwilioGateway
    from callerid.twilio.signatures import WebhookSignatures


@lru_cache(maxsize=1)
def settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def transport() -> RetryingTwilioHttpClient:
    return RetryingTwilioHttpClient(settings().twilio_api_base_url)


@lru_cache(maxsize=1)
def accounts() -> AccountDirectory:
    return AccountDirectory(settings(), transport())


@lru_cache(maxsize=1)
def token_validator() -> FlexTokenValidator:
    return FlexTokenValidator(accounts(), transport())


@lru_cache(maxsize=1)
def gateway() -> TwilioGateway:
    from callerid.twilio.gateway import TwilioGateway

    return TwilioGateway(settings(), accounts(), transport())


@lru_cache(maxsize=1)
def numbers() -> NumberDirectory:
    """The workspace's numbers as records, refreshed from Twilio (lazily, through ``gateway``) once per TTL."""
    from callerid.service.numbers import NumberDirectory
    from callerid.service.refresh import TwilioRefresh
    from callerid.store.numbers import NumberRepository
    from callerid.store.phones import PhoneRepository
    from callerid.store.pools import PoolRepository

    table()
    store = NumberRepository()
    directory = NumberDirectory(store, PhoneRepository(), ancestors=accounts().ancestors, pools=PoolRepository())
    directory.refresh = TwilioRefresh(store, store, directory, gateway, ttl_seconds=settings().number_cache_ttl_seconds)
    return directory


@lru_cache(maxsize=1)
def number_management() -> NumberManagement:
    """Number management that reaches Twilio (release, re-sync), over ``numbers``."""
    from callerid.service.management import NumberManagement
    from callerid.store.health import HealthRepository

    return NumberManagement(numbers(), gateway, HealthRepository(), limits=settings().reputation())


@lru_cache(maxsize=1)
def outbound_calls() -> OutboundCalls:
    """The From rewrite (the call path): DynamoDB only; Twilio only to read a workspace's numbers the first time."""
    from callerid.service.outbound import OutboundCalls
    from callerid.store.numbers import NumberRepository
    from callerid.store.phones import PhoneRepository

    table()
    return OutboundCalls(
        NumberRepository(),
        PhoneRepository(),
        lock_ttl_seconds=settings().caller_id_lock_ttl_seconds,
        build=lambda account_sid: numbers().fresh_head(account_sid),
        ancestors=accounts().ancestors,
        limits=settings().reputation(),
    )


@lru_cache(maxsize=1)
def selections() -> CallerIdSelections:
    """Workers' caller-ID selections, in DynamoDB and mirrored into TaskRouter."""
    from callerid.service.selection import CallerIdSelections
    from callerid.store.workers import WorkerRepository

    return CallerIdSelections(
        WorkerRepository(),
        numbers(),
        gateway,
        include_outgoing_only=settings().include_outgoing_only_numbers,
    )


@lru_cache(maxsize=1)
def transfers() -> TransferCallerIds:
    """Transfers' caller IDs: an agent's number shown is checked against the phone's rules (one GetItem)."""
    from callerid.service.transfers import TransferCallerIds

    return TransferCallerIds(numbers(), include_outgoing_only=settings().include_outgoing_only_numbers)


@lru_cache(maxsize=1)
def webhook_signatures() -> WebhookSignatures:
    from callerid.twilio.signatures import WebhookSignatures

    return WebhookSignatures(accounts())


@lru_cache(maxsize=1)
def call_status_effects() -> CallStatusEffects:
    from callerid.service.webhooks import CallStatusEffects
    from callerid.store.health import HealthRepository
    from callerid.store.phones import PhoneRepository

    table()
    return CallStatusEffects(PhoneRepository(), HealthRepository(), numbers().may_dial, limits=settings().reputation())


@lru_cache(maxsize=1)
def taskrouter_effects() -> TaskRouterEffects:
    """TaskRouter's events: locks freed when outbound-call tasks end, workers' teams kept current. Twilio only to
    look up a subaccount's workspace (once per container; the root account's is configured)."""
    from callerid.service.taskrouter import TaskRouterEffects
    from callerid.store.phones import PhoneRepository
    from callerid.store.workers import WorkerRepository

    table()
    return TaskRouterEffects(PhoneRepository(), WorkerRepository(), lambda account: gateway().workspace_sid(account))


@lru_cache(maxsize=1)
def verification_effects() -> VerificationEffects:
    from callerid.service.webhooks import VerificationEffects
    from callerid.store.verifications import VerificationRepository

    table()
    return VerificationEffects(VerificationRepository(), numbers(), gateway)


@lru_cache(maxsize=1)
def caller_ids() -> CallerIds:
    """Verified caller IDs and their verification (Twilio through ``gateway``)."""
    from callerid.service.callerids import CallerIds
    from callerid.store.verifications import VerificationRepository

    return CallerIds(numbers(), VerificationRepository(), gateway)


@lru_cache(maxsize=1)
def inbound_calls() -> InboundCalls:
    """Where inbound calls go, from the stored records (no Twilio request but the workflow's one lookup)."""
    from callerid.service.inbound import InboundCalls
    from callerid.store.numbers import NumberRepository

    table()
    return InboundCalls(NumberRepository(), redirect=bool(settings().inbound_flow_url))


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
        gateway,
        numbers,
        number_management,
        outbound_calls,
        selections,
        transfers,
        webhook_signatures,
        call_status_effects,
        taskrouter_effects,
        verification_effects,
        inbound_calls,
        caller_ids,
        table,
        get_settings,
    ):
        cached.cache_clear()
