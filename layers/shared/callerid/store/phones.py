"""The phone item: one per phone number, whatever the workspace. It holds the phone's caller-ID lock and, for each
workspace that has a record of the phone, that record's dial rule (``rule_<account>``), so that taking the lock is
one conditional write that also checks the worker may call from the phone to that country: the call path never
reads a number's record.

Lock: free when absent or expired (``lock_until`` < now), re-entrant for the worker holding it; release is
conditional on the holder and lease. The ``lock_holder`` attribute (``<account>#<worker>``, removed on release)
keys the sparse GSI ``lock_holder``, which finds a worker's own locks. The item has no TTL: the rules must outlive
its locks.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from callerid.domain.audit import AuditEntry
from callerid.domain.calls import CallRecord
from callerid.domain.errors import CallerIdInUse, DestinationNotAllowed, NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock, PhoneState
from callerid.domain.numbers import DialRule, DialRules, Verdict
from callerid.domain.reputation import Guard, ReputationLimits, Usage, day_of, guard_of
from callerid.store.audit import audited
from callerid.store.batch import batches, plain, typed
from callerid.store.calls import record_items
from callerid.store.conditions import failed_condition, failed_transaction_conditions
from callerid.store.models import PhoneItem, connection, table

PHONE = "PHONE"
HOLDER_INDEX = "lock_holder"
RULE_PREFIX = "rule_"
LOCK_ATTRIBUTES = (
    "lock_holder",
    "holder_account",
    "holder_worker",
    "lease_id",
    "acquired_at",
    "lock_until",
    "task_sid",
)
CALLS_PREFIX = "calls_"
LOCK_IN_TRANSACTION = 2
# A number's calls are counted per UTC day (``calls_<day>``); taking a lock removes the counters of the days before,
# this many of them (a phone unused for longer keeps one stale counter, which no rule reads).
STALE_DAYS_REMOVED = 7


def phone_key(phone_number: str) -> str:
    return f"PHONE#{phone_number}"


def holder_key(worker: WorkerRef) -> str:
    return f"{worker.account_sid}#{worker.worker_sid}"


def rule_path(account_sid: str) -> Path:
    return Path(RULE_PREFIX + account_sid)


def rule_value(rule: DialRule) -> dict[str, Any]:
    return {
        "d": rule.dialable,
        "s": rule.shareable,
        "o": list(rule.outbound_countries),
        "l": rule.listed,
        "v": rule.outgoing_only,
        "r": rule.revision,
    }


def parse_rules(item: Mapping[str, Any]) -> DialRules:
    rules = {}
    for name, value in item.items():
        if name.startswith(RULE_PREFIX):
            raw = plain(value)
            rules[name.removeprefix(RULE_PREFIX)] = DialRule(
                dialable=bool(raw.get("d")),
                shareable=bool(raw.get("s")),
                outbound_countries=tuple(raw.get("o") or ()),
                listed=bool(raw.get("l")),
                outgoing_only=bool(raw.get("v")),
                revision=int(raw.get("r") or 0),
            )
    return DialRules(rules)


def parse_lock(phone_number: str, item: Mapping[str, Any]) -> CallerIdLock | None:
    values = {name: plain(item[name]) for name in LOCK_ATTRIBUTES if name in item}
    if "lock_until" not in values:
        return None
    return CallerIdLock(
        phone_number=phone_number,
        holder=WorkerRef(str(values["holder_account"]), str(values["holder_worker"])),
        lease_id=str(values["lease_id"]),
        acquired_at=float(values["acquired_at"]),
        expires_at=float(values["lock_until"]),
        task_sid=str(values["task_sid"]) if values.get("task_sid") else None,
    )


def parse_usage(item: Mapping[str, Any], now: float) -> Usage:
    """The phone's usage as of ``now`` (its calls on today's UTC day)."""

    def number(name: str) -> float | None:
        return float(plain(item[name])) if name in item else None

    day = day_of(now)
    calls = number(f"{CALLS_PREFIX}{day}")
    return Usage(
        last_used=number("last_used"),
        day=day,
        calls=int(calls or 0),
        cooling_until=number("cooling_until"),
        recent_rate=number("recent_rate"),
        cooling_why=str(plain(item["cooling_why"])) if "cooling_why" in item else None,
    )


def parse_state(phone_number: str, item: Mapping[str, Any], now: float) -> PhoneState:
    return PhoneState(parse_lock(phone_number, item), parse_usage(item, now))


def usage_actions(now: float) -> list[Action]:
    """What taking a lock records of the number's use: its last use and one more call today."""
    day = day_of(now)
    actions: list[Action] = [Path("last_used").set(now), Path(f"{CALLS_PREFIX}{day}").add(1)]
    actions += [Path(f"{CALLS_PREFIX}{day - n}").remove() for n in range(1, STALE_DAYS_REMOVED + 1)]
    return actions


def within_limits_condition(limits: ReputationLimits, now: float) -> Condition | None:
    """``domain.reputation.guard_of`` is ``None``, as a condition (``None``: no rule is on)."""
    parts: list[Condition] = []
    if limits.daily_call_cap:
        calls = Path(f"{CALLS_PREFIX}{day_of(now)}")
        parts.append(calls.does_not_exist() | (calls < limits.daily_call_cap))
    if limits.min_seconds_between_calls:
        last = Path("last_used")
        parts.append(last.does_not_exist() | (last <= now - limits.min_seconds_between_calls))
    if limits.cools_at_all:
        cooling = Path("cooling_until")
        parts.append(cooling.does_not_exist() | (cooling < now))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition = condition & part
    return condition


def lock_free_condition(worker: WorkerRef, now: float) -> Condition:
    """``domain.locks.may_acquire`` as a condition: no lock, an expired one, or the same worker's."""
    until = Path("lock_until")
    return (
        until.does_not_exist()
        | (until < now)
        | ((Path("holder_account") == worker.account_sid) & (Path("holder_worker") == worker.worker_sid))
    )


def dial_condition(account_sid: str, ancestors: Iterable[str], country: str | None) -> Condition:
    """``DialRules.verdict`` is OWN or SHARED, as a condition: the workspace's own dialable rule, or an ancestor's
    shareable one, that admits ``country``."""

    def admits(rule: Path) -> Condition:
        unrestricted = size(rule["o"]) == 0
        return unrestricted | rule["o"].contains(country) if country else unrestricted

    own = rule_path(account_sid)
    condition = (own["d"] == True) & admits(own)  # noqa: E712 - a DynamoDB condition, not a comparison
    for ancestor in ancestors:
        rule = rule_path(ancestor)
        condition = condition | ((rule["s"] == True) & admits(rule))  # noqa: E712
    return condition


class PhoneRepository:
    def rules(self, phone_number: str) -> DialRules:
        return parse_rules(self._item(phone_number))

    def write_rule(self, phone_number: str, account_sid: str, rule: DialRule) -> bool:
        """Set the workspace's rule unless a newer revision is already there (writes of one record may land out
        of order). Answers whether it was written."""
        path = rule_path(account_sid)
        try:
            table().update_item(
                phone_key(phone_number),
                PHONE,
                actions=[Path("kind").set("phone"), path.set(rule_value(rule))],
                condition=path.does_not_exist() | (path["r"] <= rule.revision),
            )
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def write_rules(self, rules: list[tuple[str, str, DialRule]]) -> None:
        """Many (phone, workspace, rule) at once (a refresh's new numbers): phones with no item yet are written in
        BatchWriteItems; the others, which may hold a lock or another workspace's rule, one by one."""
        existing = {str(plain(i["pk"])) for i in self._batch_get([(phone_key(p), PHONE) for p, _, _ in rules])}
        fresh = []
        for phone, account, rule in rules:
            if phone_key(phone) in existing:
                self.write_rule(phone, account, rule)
            else:
                fresh.append((phone, account, rule))
        batches().put(
            {
                "pk": {"S": phone_key(phone)},
                "sk": {"S": PHONE},
                "kind": {"S": "phone"},
                RULE_PREFIX + account: typed(rule_value(rule)),
            }
            for phone, account, rule in fresh
        )

    def acquire(
        self,
        phone_number: str,
        worker: WorkerRef,
        *,
        ancestors: Iterable[str],
        country: str | None,
        ttl_seconds: int,
        now: float,
        diagnose: bool = True,
        task_sid: str | None = None,
        limits: ReputationLimits | None = None,
        within_limits: bool = False,
        record: CallRecord | None = None,
        guard_read: Guard | None = None,
    ) -> CallerIdLock:
        """Take the lock in one conditional write that also checks the worker may call ``country`` from it, and
        records the number's use (last use, calls today). Raises ``CallerIdInUse`` (another worker holds it),
        ``NotFound`` (not the worker's to use) or ``DestinationNotAllowed`` (not to that country). Telling these
        apart costs a read; without ``diagnose`` every refusal is ``CallerIdInUse`` (the call path skipping to its
        next choice needs no more). ``task_sid`` (the call's TaskRouter task, when the plugin named it) pins the
        lock to that task; a re-entrant take without one drops the pin of the earlier call. With ``limits``, the
        lock says whether the number was resting when taken (from the item as it was: no extra request);
        ``within_limits`` refuses a resting number.

        With ``record`` (the call the lock is taken for), the lock's UpdateItem becomes one TransactWriteItems that
        also puts the call's record and its From/To pair's callback item: still one request. A transaction
        returns no old item, so the lock's guard is then ``guard_read``, the one the call path's read saw."""
        ancestors = tuple(ancestors)
        lease = uuid.uuid4().hex
        values: dict[str, Any] = {
            "kind": "phone",
            "lock_holder": holder_key(worker),
            "holder_account": worker.account_sid,
            "holder_worker": worker.worker_sid,
            "lease_id": lease,
            "acquired_at": now,
            "lock_until": now + ttl_seconds,
        }
        actions: list[Action] = [Path(name).set(value) for name, value in values.items()] + usage_actions(now)
        actions.append(Path("task_sid").set(task_sid) if task_sid else Path("task_sid").remove())
        condition = lock_free_condition(worker, now) & dial_condition(worker.account_sid, ancestors, country)
        resting = within_limits_condition(limits, now) if limits is not None and within_limits else None
        if resting is not None:
            condition = condition & resting
        if record is not None:
            return self._acquire_with_record(
                phone_number,
                worker,
                actions,
                condition,
                record,
                lease,
                now,
                ttl_seconds,
                task_sid,
                guard_read if limits is not None else None,
                diagnose=diagnose,
                ancestors=ancestors,
                country=country,
            )
        try:
            answer = table().update_item(
                phone_key(phone_number),
                PHONE,
                actions=actions,
                condition=condition,
                return_values="ALL_OLD" if limits is not None else None,
            )
        except UpdateError as exc:
            if failed_condition(exc):
                if not diagnose:
                    raise CallerIdInUse(f"{phone_number} is not free for this call.") from exc
                raise self._refusal(phone_number, worker, ancestors, country, now) from exc
            raise
        guard = None
        if limits is not None:
            guard = guard_of(parse_usage(answer.get("Attributes") or {}, now), limits, now)
        return CallerIdLock(phone_number, worker, lease, now, now + ttl_seconds, task_sid, guard)

    def _acquire_with_record(
        self,
        phone_number: str,
        worker: WorkerRef,
        actions: list[Action],
        condition: Condition,
        record: CallRecord,
        lease: str,
        now: float,
        ttl_seconds: int,
        task_sid: str | None,
        guard: Guard | None,
        *,
        diagnose: bool,
        ancestors: tuple[str, ...],
        country: str | None,
    ) -> CallerIdLock:
        item, callback = record_items(record)
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.update(PhoneItem(phone_key(phone_number), PHONE), actions=actions, condition=condition)
                transaction.save(item)
                transaction.save(callback)
        except TransactWriteError as exc:
            # PynamoDB sends a transaction's puts before its updates: the lock's update is the third item.
            if LOCK_IN_TRANSACTION in failed_transaction_conditions(exc):
                if not diagnose:
                    raise CallerIdInUse(f"{phone_number} is not free for this call.") from exc
                raise self._refusal(phone_number, worker, ancestors, country, now) from exc
            raise
        return CallerIdLock(phone_number, worker, lease, now, now + ttl_seconds, task_sid, guard)

    def _refusal(
        self, phone_number: str, worker: WorkerRef, ancestors: tuple[str, ...], country: str | None, now: float
    ) -> Exception:
        item = self._item(phone_number)
        verdict = parse_rules(item).verdict(worker.account_sid, ancestors, country)
        if verdict is Verdict.UNKNOWN:
            return NotFound(f"{phone_number} is not a number this worker may call from.")
        if verdict is Verdict.COUNTRY:
            return DestinationNotAllowed(f"{phone_number} may not call {country or 'this destination'}.")
        return CallerIdInUse(f"{phone_number} is in use on another agent's call.")

    def release(self, phone_number: str, worker: WorkerRef, lease_id: str, *, audit: AuditEntry | None = None) -> bool:
        """Release a lock only if this worker still holds it under this lease; a stale release frees nothing. With
        ``audit``, the release and its audit entry are one transaction."""
        condition = (
            (Path("holder_account") == worker.account_sid)
            & (Path("holder_worker") == worker.worker_sid)
            & (Path("lease_id") == lease_id)
        )
        if audit is not None:
            actions: list[Action] = [Path(name).remove() for name in LOCK_ATTRIBUTES]
            item = PhoneItem(phone_key(phone_number), PHONE)
            return audited(audit, lambda t: t.update(item, actions=actions, condition=condition))
        return self._unlock(phone_number, condition)

    def release_for_call(self, phone_number: str, call_began: float, account_sid: str) -> bool:
        """Free the lock a finished call of ``account_sid`` held: only a lock held by a worker of that account
        (a webhook speaks for its own account only) and taken no later than the call began (a later one belongs
        to another call, possibly another worker's), at the whole seconds of Twilio's ``Timestamp``
        (``CallerIdLock.ended_before``)."""
        condition = (
            Path("lock_until").exists()
            & (Path("holder_account") == account_sid)
            & (Path("acquired_at") < math.floor(call_began) + 1)
        )
        return self._unlock(phone_number, condition)

    def _unlock(self, phone_number: str, condition: Condition) -> bool:
        try:
            table().update_item(
                phone_key(phone_number),
                PHONE,
                actions=[Path(name).remove() for name in LOCK_ATTRIBUTES],
                condition=condition,
            )
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def held_by(self, worker: WorkerRef) -> list[CallerIdLock]:
        """The locks the worker holds (the sparse ``holder`` index: eventually consistent, so a lock taken a moment
        ago may be missing; its release then waits for the call's end or its expiry)."""
        answer = table().query(holder_key(worker), index_name=HOLDER_INDEX)
        locks = [parse_lock(str(plain(i["pk"])).removeprefix("PHONE#"), i) for i in answer.get("Items", [])]
        return [lock for lock in locks if lock is not None and lock.holder == worker]

    def get(self, phone_number: str) -> CallerIdLock | None:
        return parse_lock(phone_number, self._item(phone_number))

    def get_many(self, phone_numbers: Iterable[str]) -> dict[str, CallerIdLock]:
        """The current locks of these phones (a list page's), in BatchGetItems of at most 100 keys."""
        found: dict[str, CallerIdLock] = {}
        for item in self._batch_get([(phone_key(p), PHONE) for p in phone_numbers]):
            phone = str(plain(item["pk"])).removeprefix("PHONE#")
            lock = parse_lock(phone, item)
            if lock is not None:
                found[phone] = lock
        return found

    def states(self, phone_numbers: Iterable[str], now: float) -> dict[str, PhoneState]:
        """Locks and usage of these phones (the health route; the call path reads them with its BatchGetItem)."""
        keys = [(phone_key(p), PHONE) for p in dict.fromkeys(phone_numbers)]
        found = {}
        for item in self._batch_get(keys):
            phone = str(plain(item["pk"])).removeprefix("PHONE#")
            found[phone] = parse_state(phone, item, now)
        return found

    def start_cooling(self, phone_number: str, until: float, now: float, why: str | None = None) -> bool:
        """Cool the number down until ``until``, unless it is cooling already (the cooldown is not prolonged);
        ``why``: ``"suspected_blocked"``, or ``None`` for the answer-rate floor."""
        cooling = Path("cooling_until")
        reason = Path("cooling_why").set(why) if why else Path("cooling_why").remove()
        try:
            table().update_item(
                phone_key(phone_number),
                PHONE,
                actions=[cooling.set(until), reason],
                condition=Path("pk").exists() & (cooling.does_not_exist() | (cooling < now)),
            )
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    @staticmethod
    def _batch_get(keys: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        return batches().get(keys)

    def _item(self, phone_number: str) -> dict[str, Any]:
        answer = table().get_item(phone_key(phone_number), PHONE, consistent_read=True)
        return dict(answer.get("Item") or {})
