"""Recognising a failed condition in PynamoDB's errors by their codes (never by message text), and the errors
that mean the store itself is failing (unreachable, timing out, throttling) after the client's bounded retries."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError

# What reaches a handler from a store call that did not fail a condition: DynamoDB is down or throttling.
STORE_FAILURES: tuple[type[Exception], ...] = (PynamoDBException, BotoCoreError, ClientError)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"


def failed_condition(exc: PynamoDBException) -> bool:
    """Whether DynamoDB refused the write for its condition. A request that got no answer at all (a timeout) was
    not refused: it is a failing store, so the caller re-raises it (503), never a 500 here."""
    cause = exc.cause
    response = getattr(cause, "response", None)
    if not isinstance(response, dict):
        return False
    return response.get("Error", {}).get("Code") == CONDITIONAL_CHECK_FAILED


def failed_transaction_conditions(exc: TransactWriteError) -> list[int]:
    """Indexes of the transaction's items whose condition failed."""
    return [i for i, r in enumerate(exc.cancellation_reasons) if r is not None and r.code == "ConditionalCheckFailed"]
