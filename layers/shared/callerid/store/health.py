"""Per-number call outcome counters, fed by call-status webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from callerid.store.conditions import failed_transaction_conditions
from callerid.store.models import CountedCallItem, HealthItem, connection

HEALTH = "HEALTH"
COUNTED = "COUNTED"
# Twilio retries a webhook for at most a day; the marker outlives that.
COUNTED_FOR_SECONDS = 7 * 86_400


@dataclass(frozen=True, slots=True)
class NumberHealth:
    attempts: int = 0
    answered: int = 0

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.attempts if self.attempts else None


def health_key(phone_number: str) -> str:
    return f"NUMBER#{phone_number}"


class HealthRepository:
    def record_attempt(self, phone_number: str, *, answered: bool, call: str, now: float) -> bool:
        """Count one call (``call``: its account and CallSid) for the number, once: the counters' atomic ADDs and a
        marker for the call go in one transaction, conditional on the marker's absence, so a webhook retried after
        its effect was applied (its idempotency record lost) counts nothing more. Answers whether it counted."""
        actions: list[Action] = [HealthItem.kind.set(HealthItem), HealthItem.attempts.add(1)]
        if answered:
            actions.append(HealthItem.answered.add(1))
        marker = CountedCallItem(
            f"CALL#{call}", COUNTED, expires_at=datetime.fromtimestamp(now + COUNTED_FOR_SECONDS, UTC)
        )
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(marker, condition=CountedCallItem.pk.does_not_exist())
                transaction.update(HealthItem(health_key(phone_number), HEALTH), actions=actions)
        except TransactWriteError as exc:
            if 0 in failed_transaction_conditions(exc):
                return False
            raise
        return True

    def get(self, phone_number: str) -> NumberHealth:
        try:
            item = HealthItem.get(health_key(phone_number), HEALTH, consistent_read=True)
        except HealthItem.DoesNotExist:
            return NumberHealth()
        return NumberHealth(int(item.attempts or 0), int(item.answered or 0))
