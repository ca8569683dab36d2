"""Per-number call outcomes, fed by call-status webhooks: all-time counters and the recent window (the last
HEALTH_WINDOW_ATTEMPTS outcomes), whose answer rate is mirrored onto the phone item for the call path."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.reputation import NO_LIMITS, NumberHealth, RecentWindow, ReputationLimits
from callerid.store.conditions import failed_transaction_conditions
from callerid.store.models import CountedCallItem, HealthItem, PhoneItem, connection
from callerid.store.phones import PHONE, phone_key

HEALTH = "HEALTH"
COUNTED = "COUNTED"
# Twilio retries a webhook for at most a day; the marker outlives that.
COUNTED_FOR_SECONDS = 7 * 86_400
# Concurrent outcomes of one number (the window is rewritten conditionally) retry this often.
WINDOW_ATTEMPTS = 10


def health_key(phone_number: str) -> str:
    return f"NUMBER#{phone_number}"


class HealthRepository:
    def record_attempt(
        self,
        phone_number: str,
        *,
        answered: bool,
        call: str,
        now: float,
        limits: ReputationLimits = NO_LIMITS,
        blocked: bool = False,
        short: bool = False,
    ) -> RecentWindow | None:
        """Count one call (``call``: its account and CallSid) for the number, once, and add it to the recent
        window: the counters' atomic ADDs, the window (conditional on the one read), its answer rate on the phone
        item and a marker for the call go in one transaction, conditional on the marker's absence, so a webhook
        retried after its effect was applied (its idempotency record lost) counts nothing more. Answers the new
        window, or ``None`` when the call was counted already."""
        marker = CountedCallItem(
            f"CALL#{call}", COUNTED, expires_at=datetime.fromtimestamp(now + COUNTED_FOR_SECONDS, UTC)
        )
        for _ in range(WINDOW_ATTEMPTS):
            before = self.get(phone_number).recent
            window = before.add(answered, limits.window_attempts, blocked=blocked, short=short)
            actions: list[Action] = [
                HealthItem.kind.set(HealthItem),
                HealthItem.attempts.add(1),
                HealthItem.recent.set(window.outcomes),
            ]
            if answered:
                actions.append(HealthItem.answered.add(1))
            if blocked and not answered:
                actions.append(HealthItem.blocked.add(1))
            if short and answered:
                actions.append(HealthItem.short_calls.add(1))
            unchanged = HealthItem.recent == before.outcomes if before.outcomes else HealthItem.recent.does_not_exist()
            rate = window.rate_for_ranking(limits)
            mirrored = PhoneItem.recent_rate.set(rate) if rate is not None else PhoneItem.recent_rate.remove()
            try:
                with TransactWrite(connection=connection()) as transaction:
                    transaction.save(marker, condition=CountedCallItem.pk.does_not_exist())
                    transaction.update(
                        HealthItem(health_key(phone_number), HEALTH), actions=actions, condition=unchanged
                    )
                    transaction.update(PhoneItem(phone_key(phone_number), PHONE), actions=[mirrored])
            except TransactWriteError as exc:
                failed = failed_transaction_conditions(exc)
                if 0 in failed:
                    return None
                if 1 in failed:
                    continue
                raise
            return window
        raise ConcurrentUpdate(f"The health of {phone_number} kept changing; Twilio retries the webhook.")

    def get(self, phone_number: str) -> NumberHealth:
        try:
            item = HealthItem.get(health_key(phone_number), HEALTH, consistent_read=True)
        except HealthItem.DoesNotExist:
            return NumberHealth()
        return NumberHealth(
            int(item.attempts or 0),
            int(item.answered or 0),
            RecentWindow(item.recent or ""),
            int(item.blocked or 0),
            int(item.short_calls or 0),
        )
