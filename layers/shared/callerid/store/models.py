"""PynamoDB models of the one table. Every item has ``pk``/``sk`` and a ``kind`` discriminator, so one
BatchGetItem can return items of several kinds (the call path reads the catalogue and the worker in one request).

Keys:
  WS#<account>        CATALOGUE              the workspace's numbers (compressed JSON) + refreshed_at + version
  WS#<account>        CATALOGUE#REFRESH      lease: one refresher from Twilio at a time (TTL)
  WS#<account>        WORKER#<worker>        the worker's selection and the lock it took last
  WS#<account>        VERIFICATION#<e164>    the last caller-ID verification of a number
  LOCK#<e164>         LOCK                   the caller-ID lock: one per phone number, whatever the workspace (TTL)
  NUMBER#<e164>       HEALTH                 call attempts / answered counters
  CALL#<account>#<sid> COUNTED               this call was counted for health (TTL)
  idempotency#…       <hash>                 Powertools idempotency records of the webhooks (TTL)
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.models import Model

from callerid.config import Settings

# Bounded so that a failing DynamoDB is answered with a 503 within the function's 15 s timeout: at worst
# (1 + 2 retries) x (1 s connect + 2 s read) plus backoff, under 10 s (a hung endpoint measured 6.5 s).
# DynamoDB answers a healthy request in milliseconds.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
RETRY_ATTEMPTS = 2


def client_config() -> Any:
    """The same bounds for boto3 clients on the table (Powertools idempotency records)."""
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": RETRY_ATTEMPTS + 1, "mode": "standard"},
    )


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


class CatalogueItem(TableItem, discriminator="catalogue"):
    numbers = BinaryAttribute(legacy_encoding=False)
    refreshed_at = NumberAttribute()
    version = VersionAttribute()


class RefreshLeaseItem(TableItem, discriminator="refresh_lease"):
    holder = UnicodeAttribute()


class WorkerItem(TableItem, discriminator="worker"):
    caller_id = UnicodeAttribute(null=True)
    local_presence = BooleanAttribute(null=True)
    selection_version = NumberAttribute(null=True)
    lock_phone = UnicodeAttribute(null=True)
    lock_lease = UnicodeAttribute(null=True)
    updated_at = NumberAttribute(null=True)


class LockItem(TableItem, discriminator="lock"):
    holder_account = UnicodeAttribute()
    holder_worker = UnicodeAttribute()
    lease_id = UnicodeAttribute()
    acquired_at = NumberAttribute()


class HealthItem(TableItem, discriminator="health"):
    attempts = NumberAttribute(default=0)
    answered = NumberAttribute(default=0)


class CountedCallItem(TableItem, discriminator="counted_call"):
    """Marks a call as counted for its number's health (TTL), so a retried webhook never counts it twice."""


class VerificationItem(TableItem, discriminator="verification"):
    phone_number = UnicodeAttribute()
    status = UnicodeAttribute()
    outgoing_caller_id_sid = UnicodeAttribute(null=True)
    call_sid = UnicodeAttribute(null=True)
    updated_at = NumberAttribute()


ITEM_CLASSES: tuple[type[TableItem], ...] = (
    TableItem,
    CatalogueItem,
    RefreshLeaseItem,
    WorkerItem,
    LockItem,
    HealthItem,
    CountedCallItem,
    VerificationItem,
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


def connection() -> Connection:
    """The low-level connection behind the models (for transactions)."""
    return TableItem._get_connection().connection
