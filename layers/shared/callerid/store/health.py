"""Per-number call outcomes, fed by every outcome source (call-status, TaskRouter, Event Streams): all-time
counters, the recent window (the last HEALTH_WINDOW_ATTEMPTS outcomes, whose answer rate is mirrored onto the phone
item for the call path), and the daily counts (``DAILY#<e164>`` / ``DAY#<date>``, kept 90 days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from callerid.domain.calls import CallOutcome, DailyCounts, OutcomeWrite
from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.reputation import BLOCKING_SIP_CODES, NO_LIMITS, NumberHealth, RecentWindow, ReputationLimits
from callerid.store.conditions import failed_transaction_conditions
from callerid.store.models import CallRecordItem, CountedCallItem, DailyItem, HealthItem, PhoneItem, connection
from callerid.store.phones import PHONE, phone_key

HEALTH = "HEALTH"
COUNTED = "COUNTED"
# Twilio retries a webhook for at most a day; the marker outlives that.
COUNTED_FOR_SECONDS = 7 * 86_400
# A number's daily counts are kept this long (TTL).
DAILY_DAYS = 90
# The call record's update is the transaction's fifth item.
RECORD_IN_TRANSACTION = 4
# Concurrent outcomes of one number (the window is rewritten conditionally) retry this often.
WINDOW_ATTEMPTS = 10


def health_key(phone_number: str) -> str:
    return f"NUMBER#{phone_number}"


def daily_key(phone_number: str) -> str:
    return f"DAILY#{phone_number}"


def marker_key(account_sid: str, call_sid: str) -> str:
    return f"CALL#{account_sid}#{call_sid}"


def record_actions(outcome: CallOutcome) -> list[Action]:
    actions: list[Action] = [
        CallRecordItem.call_sid.set(outcome.call_sid),
        CallRecordItem.outcome.set(outcome.outcome),
    ]
    if outcome.duration is not None and outcome.answered:
        actions.append(CallRecordItem.duration.set(outcome.duration))
    if outcome.sip_code is not None:
        actions.append(CallRecordItem.sip_code.set(outcome.sip_code))
    return actions


def record_details(outcome: CallOutcome, *, new_code: bool, new_duration: bool, blocks: bool) -> list[Action]:
    details: list[Action] = []
    if new_code and outcome.sip_code is not None:
        details.append(CallRecordItem.sip_code.set(outcome.sip_code))
    if new_duration and outcome.duration is not None:
        details.append(CallRecordItem.duration.set(outcome.duration))
    if blocks:
        details.append(CallRecordItem.outcome.set("blocked"))
    return details


def record_free(outcome: CallOutcome) -> Condition:
    """The record exists and has no outcome of another call."""
    return CallRecordItem.pk.exists() & (
        CallRecordItem.call_sid.does_not_exist() | (CallRecordItem.call_sid == outcome.call_sid)
    )


class HealthRepository:
    def record_outcome(
        self,
        phone_number: str,
        outcome: CallOutcome,
        *,
        now: float,
        limits: ReputationLimits = NO_LIMITS,
        record: tuple[str, str] | None = None,
    ) -> OutcomeWrite:
        """Count one call's outcome for the number, once across every source (the marker ``CALL#<account>#<sid>``):
        the counters' atomic ADDs, the window (conditional on the one read), its answer rate on the phone item, the
        day's counts, the call's record (``record``: its key, when the call path recorded it) and the marker go in
        one transaction, conditional on the marker's absence. A call counted already by another source (or a
        retry) only adds a detail that source lacked (``add_detail``)."""
        short = outcome.short(limits.short_call_seconds)
        day = datetime.fromtimestamp(now, UTC).date().isoformat()
        marker = CountedCallItem(
            marker_key(outcome.account_sid, outcome.call_sid),
            COUNTED,
            expires_at=datetime.fromtimestamp(now + COUNTED_FOR_SECONDS, UTC),
            phone=phone_number,
            source=outcome.source,
            answered=outcome.answered,
            blocked=outcome.blocked,
            sip_code=outcome.sip_code,
            duration=outcome.duration,
            day=day,
            record_pk=record[0] if record else None,
            record_sk=record[1] if record else None,
        )
        for _ in range(WINDOW_ATTEMPTS):
            before = self.get(phone_number).recent
            window = before.add(outcome.answered, limits.window_attempts, blocked=outcome.blocked, short=short)
            actions: list[Action] = [
                HealthItem.kind.set(HealthItem),
                HealthItem.attempts.add(1),
                HealthItem.recent.set(window.outcomes),
            ]
            daily: list[Action] = [
                DailyItem.kind.set(DailyItem),
                DailyItem.calls.add(1),
                DailyItem.expires_at.set(datetime.fromtimestamp(now + DAILY_DAYS * 86_400, UTC)),
            ]
            if outcome.answered:
                actions.append(HealthItem.answered.add(1))
                daily.append(DailyItem.answered.add(1))
            if outcome.blocked:
                actions.append(HealthItem.blocked.add(1))
                daily.append(DailyItem.blocked.add(1))
            if short:
                actions.append(HealthItem.short_calls.add(1))
                daily.append(DailyItem.short.add(1))
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
                    transaction.update(DailyItem(daily_key(phone_number), f"DAY#{day}"), actions=daily)
                    if record is not None:
                        transaction.update(
                            CallRecordItem(*record), actions=record_actions(outcome), condition=record_free(outcome)
                        )
            except TransactWriteError as exc:
                failed = failed_transaction_conditions(exc)
                if 0 in failed:
                    return self.add_detail(phone_number, outcome, limits=limits)
                if RECORD_IN_TRANSACTION in failed:
                    # The pair's latest record is another call's (or gone): count the call without it.
                    record = None
                    marker.record_pk = marker.record_sk = None
                    continue
                if 1 in failed:
                    continue
                raise
            return OutcomeWrite(True, False, window)
        raise ConcurrentUpdate(f"The health of {phone_number} kept changing; Twilio retries the webhook.")

    def add_detail(self, phone_number: str, outcome: CallOutcome, *, limits: ReputationLimits) -> OutcomeWrite:
        """A call counted already: add the SIP code (or the duration) this source has and the counted one lacked,
        once (conditional on its absence). A blocking SIP code on a call counted as unanswered makes it blocked:
        the number's and the day's ``blocked`` counts grow by one, and its mark in the window becomes ``"b"``."""
        try:
            counted = CountedCallItem.get(
                marker_key(outcome.account_sid, outcome.call_sid), COUNTED, consistent_read=True
            )
        except CountedCallItem.DoesNotExist:
            return OutcomeWrite(False)
        new_code = outcome.sip_code is not None and counted.sip_code is None
        new_duration = outcome.duration is not None and counted.duration is None and bool(counted.answered)
        if not (new_code or new_duration) or counted.phone != phone_number:
            return OutcomeWrite(False)
        blocks = new_code and not counted.answered and not counted.blocked and outcome.sip_code in BLOCKING_SIP_CODES
        marked: list[Action] = []
        condition = CountedCallItem.pk.exists()
        if new_code and outcome.sip_code is not None:
            marked.append(CountedCallItem.sip_code.set(outcome.sip_code))
            condition &= CountedCallItem.sip_code.does_not_exist()
        if new_duration and outcome.duration is not None:
            marked.append(CountedCallItem.duration.set(outcome.duration))
            condition &= CountedCallItem.duration.does_not_exist()
        if blocks:
            marked.append(CountedCallItem.blocked.set(True))
        details = record_details(outcome, new_code=new_code, new_duration=new_duration, blocks=blocks)
        for _ in range(WINDOW_ATTEMPTS):
            before = self.get(phone_number).recent
            window = before.mark_blocked() if blocks else None
            try:
                with TransactWrite(connection=connection()) as transaction:
                    transaction.update(counted, actions=marked, condition=condition)
                    if window is not None:
                        self._block_in(transaction, phone_number, counted.day, before, window)
                    if counted.record_pk and counted.record_sk:
                        transaction.update(
                            CallRecordItem(counted.record_pk, counted.record_sk),
                            actions=details,
                            condition=CallRecordItem.call_sid == outcome.call_sid,
                        )
            except TransactWriteError as exc:
                failed = failed_transaction_conditions(exc)
                if 0 in failed:
                    return OutcomeWrite(False)  # another source added it first
                if window is not None and 1 in failed:
                    continue
                raise
            return OutcomeWrite(False, True, window)
        raise ConcurrentUpdate(f"The health of {phone_number} kept changing; Twilio retries the webhook.")

    @staticmethod
    def _block_in(
        transaction: TransactWrite, phone_number: str, day: str | None, before: RecentWindow, window: RecentWindow
    ) -> None:
        """A counted call turns out blocked: the number's and its day's ``blocked`` counts, and the window (a marker
        written before daily counts existed names no day: only the number's)."""
        unchanged = HealthItem.recent == before.outcomes if before.outcomes else HealthItem.recent.does_not_exist()
        transaction.update(
            HealthItem(health_key(phone_number), HEALTH),
            actions=[HealthItem.blocked.add(1), HealthItem.recent.set(window.outcomes)],
            condition=unchanged,
        )
        if day:
            transaction.update(
                DailyItem(daily_key(phone_number), f"DAY#{day}"),
                actions=[DailyItem.kind.set(DailyItem), DailyItem.blocked.add(1)],
            )

    def counted(self, account_sid: str, call_sid: str) -> bool:
        """Whether a source counted the call already (one GetItem of its marker)."""
        try:
            CountedCallItem.get(marker_key(account_sid, call_sid), COUNTED, consistent_read=True)
        except CountedCallItem.DoesNotExist:
            return False
        return True

    def daily(self, phone_number: str, days: int, now: float) -> list[DailyCounts]:
        """The number's counts of the last ``days`` UTC days (today included), oldest first, zeros where a day had
        no outcome: one Query."""
        today = datetime.fromtimestamp(now, UTC).date()
        dates = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
        found: dict[str, DailyItem] = {}
        for item in DailyItem.query(daily_key(phone_number), DailyItem.sk >= f"DAY#{dates[0]}", consistent_read=True):
            found[item.sk.removeprefix("DAY#")] = item
        counts = []
        for date in dates:
            day = found.get(date)
            if day is None:
                counts.append(DailyCounts(date))
                continue
            counts.append(
                DailyCounts(
                    date, int(day.calls or 0), int(day.answered or 0), int(day.blocked or 0), int(day.short or 0)
                )
            )
        return counts

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
