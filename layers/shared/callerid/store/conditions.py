"""Recognising a failed condition in PynamoDB's errors by their codes (never by message text)."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException, TransactWriteError

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"


def failed_condition(exc: PynamoDBException) -> bool:
    return exc.cause_response_code == CONDITIONAL_CHECK_FAILED


def failed_transaction_conditions(exc: TransactWriteError) -> list[int]:
    """Indexes of the transaction's items whose condition failed."""
    return [i for i, r in enumerate(exc.cancellation_reasons) if r is not None and r.code == "ConditionalCheckFailed"]
