"""The webhooks each imported number had before the import (``WS#<account>`` / ``IMPORTED#<sid>``): written once,
by the first import (a second import finds this deployment's own webhooks, which are not worth keeping), read and
forgotten by ``callerid-admin teardown`` when it puts them back."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from callerid.domain.deployment import PriorHooks
from callerid.store.conditions import failed_condition
from callerid.store.models import ImportedItem, workspace_key

PREFIX = "IMPORTED#"


class ImportedHooksRepository:
    def keep(self, account_sid: str, before: PriorHooks) -> None:
        item = ImportedItem(
            workspace_key(account_sid),
            PREFIX + before.sid,
            phone=before.phone_number,
            voice_url=before.voice_url,
            status_callback=before.status_callback,
        )
        try:
            item.save(condition=ImportedItem.sk.does_not_exist())
        except PutError as exc:
            if not failed_condition(exc):
                raise

    def imported(self, account_sid: str) -> list[PriorHooks]:
        items = ImportedItem.query(workspace_key(account_sid), ImportedItem.sk.startswith(PREFIX), consistent_read=True)
        return [
            PriorHooks(
                sid=i.sk.removeprefix(PREFIX),
                phone_number=i.phone,
                voice_url=i.voice_url,
                status_callback=i.status_callback,
            )
            for i in items
        ]

    def forget(self, account_sid: str, sid: str) -> None:
        ImportedItem(workspace_key(account_sid), PREFIX + sid).delete()
