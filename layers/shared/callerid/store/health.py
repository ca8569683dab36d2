"""Per-number call outcome counters, fed by call-status webhooks."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.update import Action

from callerid.store.models import HealthItem

HEALTH = "HEALTH"


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
    def record_attempt(self, phone_number: str, *, answered: bool) -> None:
        """Atomic ADDs: concurrent webhooks never lose a count."""
        actions: list[Action] = [HealthItem.kind.set(HealthItem), HealthItem.attempts.add(1)]
        if answered:
            actions.append(HealthItem.answered.add(1))
        HealthItem(health_key(phone_number), HEALTH).update(actions=actions)

    def get(self, phone_number: str) -> NumberHealth:
        try:
            item = HealthItem.get(health_key(phone_number), HEALTH, consistent_read=True)
        except HealthItem.DoesNotExist:
            return NumberHealth()
        return NumberHealth(int(item.attempts or 0), int(item.answered or 0))
