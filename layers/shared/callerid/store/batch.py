"""Every BatchGetItem and BatchWriteItem of the store, and the attribute values they carry (boto3's serialisers).

DynamoDB may leave part of a batch unprocessed, or refuse it for throttling; both are retried here, only the part
left over, with exponential backoff and full jitter, and the retries stop at the invocation's deadline
(``callerid.deadline``) or after ``ATTEMPTS`` with ``StoreUnavailable`` (503): a throttled table never makes a
request spin until Lambda's timeout. See docs/design.md.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from callerid import deadline
from callerid.domain.errors import StoreUnavailable
from callerid.store.models import table

GET_KEYS = 100
WRITE_ITEMS = 25
# Throttling errors DynamoDB answers a batch with (the client's own retries of them are already spent).
THROTTLING = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
# Requests sent for one batch at most, and their backoff: full jitter over an exponential bound.
ATTEMPTS = 6
BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 1.0
# A retry with less time than this left before the deadline is not worth sending.
MIN_ATTEMPT_SECONDS = 0.5

Key = tuple[str, str]
Item = dict[str, Any]

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer


@cache
def _serializers() -> tuple[TypeSerializer, TypeDeserializer]:
    # Imported on first use: ``boto3`` (its package, not the module) costs a function's import ~20 ms, and the
    # functions import the store at load time. In AWS the first request loads boto3 anyway (the secret's read).
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def plain(value: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value as Python, numbers as ``float`` (as the store's readers expect)."""
    raw: Any = value
    return _floats(_serializers()[1].deserialize(raw))


def typed(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB attribute value (``float`` numbers included)."""
    return dict(_serializers()[0].serialize(_decimals(value)))


def _floats(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_floats(v) for v in value]
    return value


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


class Dispatch(Protocol):
    """One DynamoDB request (PynamoDB's ``Connection.dispatch``)."""

    def __call__(self, operation: str, body: dict[str, Any], /) -> dict[str, Any]: ...


class Batches:
    """BatchGetItem and BatchWriteItem on one table, in chunks DynamoDB takes, retrying what is left over."""

    def __init__(
        self,
        table_name: str,
        dispatch: Dispatch,
        *,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.table_name = table_name
        self.dispatch = dispatch
        self.attempts = attempts
        self.sleep = sleep
        self.jitter = jitter

    def get(
        self, keys: Iterable[Key], *, attributes: Sequence[str] | None = None, consistent: bool = True
    ) -> list[Item]:
        """The items of ``keys`` that exist (strongly consistent unless ``consistent`` is false: half the read
        units), in BatchGetItems of at most 100 keys, in no particular order. ``attributes``: only these (a
        projection)."""
        wanted = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in dict.fromkeys(keys)]
        found: list[Item] = []
        for start in range(0, len(wanted), GET_KEYS):
            request: dict[str, Any] = {"Keys": wanted[start : start + GET_KEYS], "ConsistentRead": consistent}
            if attributes:
                names = {f"#a{n}": name for n, name in enumerate(attributes)}
                request["ProjectionExpression"] = ", ".join(names)
                request["ExpressionAttributeNames"] = names
            found += self._send("BatchGetItem", request)
        return found

    def put(self, items: Iterable[Item]) -> None:
        """Write whole items (attribute values), 25 a BatchWriteItem."""
        self._write([{"PutRequest": {"Item": item}} for item in items])

    def delete(self, keys: Iterable[Key]) -> None:
        self._write([{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in keys])

    def _write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), WRITE_ITEMS):
            self._send("BatchWriteItem", requests[start : start + WRITE_ITEMS])

    def _send(self, operation: str, pending: Any) -> list[Item]:
        """Send one chunk until nothing of it is left over; answers what was read (BatchGetItem)."""
        name = self.table_name
        found: list[Item] = []
        for attempt in range(1, self.attempts + 1):
            try:
                answer = self.dispatch(operation, {"RequestItems": {name: pending}})
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in THROTTLING:
                    raise
            else:
                if operation == "BatchGetItem":
                    found += answer.get("Responses", {}).get(name, [])
                    pending = answer.get("UnprocessedKeys", {}).get(name)
                    pending = pending if pending and pending.get("Keys") else None
                else:
                    pending = answer.get("UnprocessedItems", {}).get(name)
                if not pending:
                    return found
            if attempt < self.attempts:
                self._back_off(attempt)
        raise StoreUnavailable("The caller-ID store is throttling; try again shortly.")

    def _back_off(self, attempt: int) -> None:
        seconds = self.jitter(0, min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** (attempt - 1)))
        left = deadline.remaining()
        if left is not None and left - seconds < MIN_ATTEMPT_SECONDS:
            raise StoreUnavailable("The caller-ID store did not answer before this request's deadline.")
        self.sleep(seconds)


def batches() -> Batches:
    """The configured table's batches (through the models' shared connection)."""
    connection = table()
    return Batches(connection.table_name, connection.connection.dispatch)
