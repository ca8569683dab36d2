"""Recognising a failed condition in PynamoDB's errors by their codes (never by message text), and the errors
that mean the store itself is failing (unreachable, timing out, throttling) after the client's bounded retries."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError

# What reaches a handler from a store call that did not fail a condition: DynamoDB is down or throttling.
STORE_FAILURES: tuple[type[Exception], ...] = (PynamoDBException, BotoCoreError, ClientError)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"


def failed_condition(exc: PynamoDBException) -> bool:
    return exc.cause_response_code == CONDITIONAL_CHECK_FAILED


def failed_transaction_conditions(exc: TransactWriteError) -> list[int]:
    """Indexes of the transaction's items whose condition failed."""
    return [i for i, r in enumerate(exc.cancellation_reasons) if r is not None and r.code == "ConditionalCheckFailed"]
