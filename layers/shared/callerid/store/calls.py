"""Outbound call records and the callback affinity of a From/To pair (see ``domain.calls``), written in the lock's
transaction (``store.phones.PhoneRepository.acquire``): the call path pays no extra round trip for them.

  CALLS#<account>#<from>   CALL#<startedAt>#<to>   the record (TTL CALL_RECORD_DAYS), newest last in sort order
  CALLBACK#<from>#<to>     CALLBACK                the pair's latest call: account, worker, start, the record's sk
"""

from __future__ import annotations

from datetime import UTC, datetime

from callerid.domain.calls import CallRecord, LatestCall, RecentCall
from callerid.domain.numbers import NumberRecord
from callerid.store.batch import batches, plain
from callerid.store.models import CallbackItem, CallRecordItem, NumberItem, workspace_key
from callerid.store.records import number_key, to_record

CALLBACK = "CALLBACK"


def records_key(account_sid: str, from_number: str) -> str:
    return f"CALLS#{account_sid}#{from_number}"


def record_sort_key(started_at: float, to: str) -> str:
    # Fixed-width epoch milliseconds: the sort keys order as the starts do.
    return f"CALL#{int(started_at * 1000):015d}#{to}"


def callback_key(from_number: str, to: str) -> str:
    return f"CALLBACK#{from_number}#{to}"


def record_items(record: CallRecord) -> tuple[CallRecordItem, CallbackItem]:
    """The record's item and its pair's callback item, both expiring with the record."""
    expires = datetime.fromtimestamp(record.expires_at, UTC)
    sk = record_sort_key(record.started_at, record.to)
    item = CallRecordItem(
        records_key(record.workspace, record.from_number),
        sk,
        worker_sid=record.worker_sid,
        from_number=record.from_number,
        to=record.to,
        reason=record.reason,
        started_at=record.started_at,
        task_sid=record.task_sid,
        queue_sid=record.queue_sid,
        expires_at=expires,
    )
    callback = CallbackItem(
        callback_key(record.from_number, record.to),
        CALLBACK,
        account_sid=record.workspace,
        worker_sid=record.worker_sid,
        started_at=record.started_at,
        record_sk=sk,
        expires_at=expires,
    )
    return item, callback


def latest_call(item: CallbackItem) -> LatestCall:
    _, from_number, to = item.pk.split("#", 2)
    return LatestCall(item.account_sid, item.worker_sid, from_number, to, float(item.started_at), item.record_sk)


class CallRepository:
    def inbound_read(
        self, account_sid: str, called: str, caller: str | None
    ) -> tuple[NumberRecord | None, LatestCall | None]:
        """An inbound call's one read, one BatchGetItem: the workspace's record of the called number and, when
        the caller is a phone number, the latest call from the called number to the caller (a callback)."""
        keys = [(workspace_key(account_sid), number_key(called))]
        if caller:
            keys.append((callback_key(called, caller), CALLBACK))
        record = latest = None
        for item in batches().get(keys):
            if str(plain(item["sk"])) == CALLBACK:
                latest = latest_call(CallbackItem.from_raw_data(item))
            else:
                record = to_record(NumberItem.from_raw_data(item), None)
        return record, latest

    def latest(self, from_number: str, to: str) -> LatestCall | None:
        """The latest call of a From/To pair (its callback item: one GetItem), or ``None``."""
        try:
            item = CallbackItem.get(callback_key(from_number, to), CALLBACK, consistent_read=True)
        except CallbackItem.DoesNotExist:
            return None
        return latest_call(item)

    def record_key(self, latest: LatestCall) -> tuple[str, str]:
        """The key of the record a pair's latest call points at (where its outcome is written)."""
        return records_key(latest.account_sid, latest.from_number), latest.record_sk

    def recent(self, account_sid: str, from_number: str, page: int, per_page: int) -> tuple[list[RecentCall], bool]:
        """The account's calls from the number, newest first: page ``page`` of ``per_page``, and whether more
        follow (one Query, reading ``page * per_page + 1`` records at most)."""
        wanted = page * per_page + 1
        rows = list(
            CallRecordItem.query(
                records_key(account_sid, from_number),
                CallRecordItem.sk.startswith("CALL#"),
                scan_index_forward=False,
                limit=wanted,
                consistent_read=True,
            )
        )
        chosen = rows[(page - 1) * per_page : page * per_page]
        return [recent_call(item) for item in chosen], len(rows) > page * per_page


def recent_call(item: CallRecordItem) -> RecentCall:
    return RecentCall(
        worker_sid=item.worker_sid,
        to=item.to,
        reason=item.reason,
        started_at=float(item.started_at),
        call_sid=item.call_sid,
        outcome=item.outcome,
        duration_seconds=None if item.duration is None else int(item.duration),
        sip_code=None if item.sip_code is None else int(item.sip_code),
    )
