"""The call path's read: one eventually consistent BatchGetItem of the workspace's head, its ancestors' heads, the
worker's state, the small pools and a few candidates' phone items. See docs/design.md."""

from __future__ import annotations

from collections.abc import Iterable

from callerid.domain.catalogue import CallPathRead, Head
from callerid.store.batch import batches, plain
from callerid.store.heads import HEAD, to_head
from callerid.store.models import HeadItem, WorkerItem, workspace_key
from callerid.store.phones import PHONE, parse_state, phone_key
from callerid.store.pools import entries_of, parse_entry
from callerid.store.workers import worker_key, worker_state

BATCH_GET_KEYS = 100


class CallPathRepository:
    def call_path_read(
        self,
        account_sid: str,
        worker_sid: str,
        ancestors: list[str],
        *,
        pools: Iterable[str] = (),
        phones: Iterable[str] = (),
        now: float = 0.0,
    ) -> CallPathRead:
        """The call path's one read, one BatchGetItem: the workspace's head, its ancestors' heads (their shared
        pools), the worker's state, the small pools ``pools`` (sort keys under the workspace: presence and
        assignment pools) and the phone items of ``phones`` (their locks and usage), at most 100 keys in all
        (phones beyond that are left out)."""
        own = workspace_key(account_sid)
        keys = [(own, HEAD), (own, worker_key(worker_sid)), *((workspace_key(a), HEAD) for a in ancestors)]
        read = self.pools_read(account_sid, pools, phones, now=now, with_keys=keys)
        found = {h.account_sid: h for h in read.inherited}
        read.inherited = [found[a] for a in ancestors if a in found]
        return read

    def pools_read(
        self,
        account_sid: str,
        pools: Iterable[str],
        phones: Iterable[str],
        *,
        now: float,
        with_keys: list[tuple[str, str]] | None = None,
        consistent: bool = False,
    ) -> CallPathRead:
        """One BatchGetItem of the workspace's small pools ``pools`` and the phone items of ``phones`` (with the
        call path's other keys, ``with_keys``), at most 100 keys: phones beyond that are left out. Eventually
        consistent (half the read units) unless ``consistent``: whatever a stale answer gets wrong about a number
        (a lock, its usage, a rule) the conditional write that takes the lock judges again."""
        own = workspace_key(account_sid)
        keys = list(with_keys or [])
        keys += [(own, sk) for sk in dict.fromkeys(pools)]
        room = BATCH_GET_KEYS - len(keys)
        keys += [(phone_key(p), PHONE) for p in list(dict.fromkeys(phones))[: max(room, 0)]]
        items = batches().get(keys[:BATCH_GET_KEYS], consistent=consistent)
        heads: dict[str, Head] = {}
        read = CallPathRead(Head(account_sid))
        for item in items:
            pk, sk = str(plain(item["pk"])), str(plain(item["sk"]))
            if pk.startswith("PHONE#"):
                phone = pk.removeprefix("PHONE#")
                read.phones[phone] = parse_state(phone, item, now)
            elif sk == HEAD:
                head = to_head(HeadItem.from_raw_data(item))
                heads[head.account_sid] = head
            elif sk.startswith("WORKER#"):
                read.worker = worker_state(WorkerItem.from_raw_data(item))
            else:
                read.pools[sk] = tuple(parse_entry(account_sid, p, e) for p, e in sorted(entries_of(item).items()))
        read.head = heads.pop(account_sid, Head(account_sid))
        read.inherited = list(heads.values())
        return read
