"""A refresh pass's state beyond the head: the refresh lease (one refresher from Twilio per workspace) and the SIDs a
pass has read while it spans invocations (``REFRESH#SEEN#<n>``). See docs/design.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, PutError

from callerid.domain.catalogue import RefreshState
from callerid.store.batch import batches
from callerid.store.conditions import failed_condition
from callerid.store.heads import HEAD
from callerid.store.models import HeadItem, RefreshLeaseItem, SeenItem, workspace_key

REFRESH_LEASE = "CATALOGUE#REFRESH"
# A seen item holds at most this many SIDs (~75 KB, well under DynamoDB's 400 KB item limit), and they are read
# back a few items per BatchGetItem, so no one answer is large.
SEEN_CHUNK_SIDS = 2000
SEEN_CHUNKS_PER_READ = 4


def seen_key(chunk: int) -> str:
    return f"REFRESH#SEEN#{chunk:05d}"


class RefreshRepository:
    def mark_refreshed(self, account_sid: str, now: float) -> None:
        HeadItem(workspace_key(account_sid), HEAD).update(
            actions=[
                HeadItem.kind.set(HeadItem),
                HeadItem.refreshed_at.set(now),
                HeadItem.refresh_pass.remove(),
                HeadItem.refresh_phase.remove(),
                HeadItem.refresh_next.remove(),
                HeadItem.refresh_chunks.remove(),
                HeadItem.refresh_read.remove(),
                HeadItem.refresh_kept.remove(),
            ]
        )

    def save_refresh(self, account_sid: str, state: RefreshState) -> None:
        HeadItem(workspace_key(account_sid), HEAD).update(
            actions=[
                HeadItem.kind.set(HeadItem),
                HeadItem.refresh_pass.set(state.pass_id),
                HeadItem.refresh_phase.set(state.phase),
                HeadItem.refresh_next.set(state.next_page) if state.next_page else HeadItem.refresh_next.remove(),
                HeadItem.refresh_chunks.set(state.chunks),
                HeadItem.refresh_read.set(state.read),
                HeadItem.refresh_kept.set(json.dumps(dict(state.kept), sort_keys=True)),
            ]
        )

    # ----- the refresh lease: one refresher from Twilio per workspace -----

    def take_refresh_lease(self, account_sid: str, holder: str, now: float, seconds: float) -> bool:
        """A conditional put that wins when no live lease exists."""
        lease = RefreshLeaseItem(
            workspace_key(account_sid),
            REFRESH_LEASE,
            holder=holder,
            expires_at=datetime.fromtimestamp(now + seconds, UTC),
        )
        condition = RefreshLeaseItem.pk.does_not_exist() | (
            RefreshLeaseItem.expires_at < datetime.fromtimestamp(now, UTC)
        )
        try:
            lease.save(condition=condition)
        except PutError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def release_refresh_lease(self, account_sid: str, holder: str) -> None:
        try:
            RefreshLeaseItem(workspace_key(account_sid), REFRESH_LEASE).delete(
                condition=RefreshLeaseItem.holder == holder
            )
        except DeleteError as exc:
            if not failed_condition(exc):
                raise

    # ----- a refresh pass's seen SIDs -----

    def save_seen(self, account_sid: str, first_chunk: int, phase: str, sids: list[str]) -> int:
        """Store ``sids`` (read as ``phase``) in seen items numbered from ``first_chunk``; answers how many."""
        chunks = [sids[i : i + SEEN_CHUNK_SIDS] for i in range(0, len(sids), SEEN_CHUNK_SIDS)] or [[]]
        batches().put(
            SeenItem(workspace_key(account_sid), seen_key(first_chunk + n), phase=phase, sids=chunk or [""]).serialize()
            for n, chunk in enumerate(chunks)
        )
        return len(chunks)

    def seen(self, account_sid: str, chunks: int, phase: str) -> set[str]:
        """The SIDs a pass has stored as read for ``phase`` (the source they were read as), a few items a request."""
        seen: set[str] = set()
        batch = batches()
        for start in range(0, chunks, SEEN_CHUNKS_PER_READ):
            keys = [
                (workspace_key(account_sid), seen_key(n))
                for n in range(start, min(chunks, start + SEEN_CHUNKS_PER_READ))
            ]
            for item in map(SeenItem.from_raw_data, batch.get(keys)):
                if item.phase == phase:
                    seen.update(str(sid) for sid in item.sids if sid)
        return seen

    def forget_seen(self, account_sid: str, chunks: int) -> None:
        batches().delete((workspace_key(account_sid), seen_key(n)) for n in range(chunks))
