"""The per-workspace number catalogue and its refresh lease."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, PutError

from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.numbers import Catalogue
from callerid.store.codec import decode_numbers, encode_numbers
from callerid.store.conditions import failed_condition
from callerid.store.models import CatalogueItem, RefreshLeaseItem, TableItem, WorkerItem, workspace_key
from callerid.store.workers import WorkerState, worker_key, worker_state

CATALOGUE = "CATALOGUE"
REFRESH_LEASE = "CATALOGUE#REFRESH"


def to_catalogue(item: CatalogueItem) -> Catalogue:
    return Catalogue(
        account_sid=item.pk.removeprefix("WS#"),
        numbers=decode_numbers(item.numbers),
        refreshed_at=float(item.refreshed_at),
        version=item.version,
    )


class CatalogueRepository:
    """Reads and writes catalogues; writes are conditional on the version read (optimistic concurrency)."""

    def get(self, account_sid: str) -> Catalogue | None:
        try:
            return to_catalogue(CatalogueItem.get(workspace_key(account_sid), CATALOGUE, consistent_read=True))
        except CatalogueItem.DoesNotExist:
            return None

    def get_many(self, account_sids: list[str]) -> list[Catalogue]:
        """The stored catalogues of these workspaces, in the order asked (missing ones left out), in one read."""
        keys = [(workspace_key(sid), CATALOGUE) for sid in dict.fromkeys(account_sids)]
        found = {c.account_sid: c for c in map(to_catalogue, CatalogueItem.batch_get(keys, consistent_read=True))}
        return [found[sid] for sid in account_sids if sid in found]

    def get_with_worker(
        self, account_sid: str, worker_sid: str, ancestors: list[str] | None = None
    ) -> tuple[Catalogue | None, list[Catalogue], WorkerState]:
        """The workspace's catalogue, its ancestors' catalogues and the worker's state in one BatchGetItem (the
        call path's one read). Ancestors' catalogues come back in the order asked; missing ones are left out."""
        keys = [(workspace_key(account_sid), CATALOGUE), (workspace_key(account_sid), worker_key(worker_sid))]
        keys += [(workspace_key(sid), CATALOGUE) for sid in ancestors or []]
        catalogues: dict[str, Catalogue] = {}
        worker = WorkerState()
        for item in TableItem.batch_get(keys, consistent_read=True):
            if isinstance(item, CatalogueItem):
                catalogue = to_catalogue(item)
                catalogues[catalogue.account_sid] = catalogue
            elif isinstance(item, WorkerItem):
                worker = worker_state(item)
        inherited = [catalogues[sid] for sid in ancestors or [] if sid in catalogues]
        return catalogues.get(account_sid), inherited, worker

    def save(self, catalogue: Catalogue) -> Catalogue:
        """Write ``catalogue`` if nobody wrote since it was read; raises ``ConcurrentUpdate`` otherwise."""
        item = CatalogueItem(
            workspace_key(catalogue.account_sid),
            CATALOGUE,
            numbers=encode_numbers(catalogue.numbers),
            refreshed_at=catalogue.refreshed_at,
        )
        if catalogue.version is not None:
            item.version = catalogue.version
        try:
            item.save()
        except PutError as exc:
            if failed_condition(exc):
                raise ConcurrentUpdate("The catalogue changed while it was being written.") from exc
            raise
        return to_catalogue(item)

    def take_refresh_lease(self, account_sid: str, holder: str, now: float, seconds: float) -> bool:
        """One refresher per workspace: a conditional put that wins when no live lease exists."""
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
        lease = RefreshLeaseItem(workspace_key(account_sid), REFRESH_LEASE)
        try:
            lease.delete(condition=RefreshLeaseItem.holder == holder)
        except DeleteError as exc:
            if not failed_condition(exc):
                raise
