"""A workspace's numbers as records (``WS#<account>`` / ``NUMBER#<e164>``), their SID pointers (``SID#<sid>``) and
owners' shared indexes (``SHARED#<owner>``). See docs/design.md.

Each record write is conditional on the revision read, so two writers of one number never lose each other's
change (the loser re-reads and applies its change again). What follows from a record (its dial rule on the phone
item, the shared copy, the counters, the pool entries) is written by ``service.records`` after the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.transactions import TransactWrite

from callerid.domain.audit import AuditEntry
from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus, OutboundAssignment, search_text
from callerid.domain.trust import TrustLink
from callerid.store.audit import audited
from callerid.store.batch import batches
from callerid.store.conditions import failed_condition
from callerid.store.models import NumberItem, SharedNumberItem, SidItem, workspace_key


def number_key(phone_number: str) -> str:
    return f"NUMBER#{phone_number}"


def sid_key(sid: str) -> str:
    return f"SID#{sid}"


def shared_key(owner: str) -> str:
    return f"SHARED#{owner}"


def to_record(item: NumberItem, primary: str | None = None) -> NumberRecord:
    assignment = None
    if item.assign_worker or item.assign_team or item.assign_queue:
        assignment = OutboundAssignment(item.assign_worker, item.assign_team, item.assign_queue)
    return NumberRecord(
        sid=item.sid,
        phone_number=item.phone,
        friendly_name=item.friendly_name,
        source=NumberSource(item.source),
        owner_workspace=item.owner,
        status=NumberStatus(item.status),
        label=item.label,
        is_primary=primary is not None and item.phone == primary,
        voice=bool(item.voice),
        sms=bool(item.sms),
        country=item.country,
        area_code=item.area_code,
        locality=item.locality,
        time_zones=tuple(str(z) for z in item.time_zones or ()),
        inbound_agent=item.inbound_agent,
        allowed_inbound_countries=tuple(str(c) for c in item.allowed_in or ()),
        allowed_outbound_countries=tuple(str(c) for c in item.allowed_out or ()),
        outbound_shareable=bool(item.shareable),
        outbound_assignment=assignment,
        created_at=item.created_at,
        provider=item.provider,
        connection=item.connection,
        trust=tuple(TrustLink.parse(str(t)) for t in item.trust or ()),
        revision=int(item.revision or 0),
    )


def brief_record(data: dict[str, dict[str, Any]]) -> NumberRecord:
    """``to_record`` of a record read with only its SID, number, friendly name, owner, source and status (a brief
    listing's projection), from DynamoDB's answer as it is: no model built and read back, for the tens of
    thousands of records a full list reads."""
    return NumberRecord(
        sid=data["sid"]["S"],
        phone_number=data["phone"]["S"],
        friendly_name=data["friendly_name"]["S"],
        source=NumberSource(data["source"]["S"]),
        owner_workspace=data["owner"]["S"],
        status=NumberStatus(data["status"]["S"]),
    )


def to_item(record: NumberRecord, cls: type[NumberItem], pk: str, sk: str, fingerprint: str | None) -> NumberItem:
    assignment = record.outbound_assignment or OutboundAssignment()
    return cls(
        pk,
        sk,
        sid=record.sid,
        phone=record.phone_number,
        owner=record.owner_workspace,
        friendly_name=record.friendly_name,
        source=record.source.value,
        status=record.status.value,
        label=record.label,
        voice=record.voice,
        sms=record.sms,
        country=record.country,
        area_code=record.area_code,
        locality=record.locality,
        time_zones=list(record.time_zones) or None,
        inbound_agent=record.inbound_agent,
        allowed_in=list(record.allowed_inbound_countries) or None,
        allowed_out=list(record.allowed_outbound_countries) or None,
        shareable=record.outbound_shareable,
        assign_worker=assignment.worker_sid,
        assign_team=assignment.team,
        assign_queue=assignment.queue_sid,
        created_at=record.created_at,
        provider=record.provider,
        connection=record.connection,
        trust=[t.stored() for t in record.trust] or None,
        search=search_text(record),
        twilio_fingerprint=fingerprint,
        revision=record.revision,
    )


class RecordRepository:
    def get(self, account_sid: str, phone_number: str, *, primary: str | None = None) -> NumberRecord | None:
        try:
            item = NumberItem.get(workspace_key(account_sid), number_key(phone_number), consistent_read=True)
        except NumberItem.DoesNotExist:
            return None
        return to_record(item, primary)

    def phone_of(self, account_sid: str, sid: str) -> str | None:
        try:
            return SidItem.get(workspace_key(account_sid), sid_key(sid), consistent_read=True).phone
        except SidItem.DoesNotExist:
            return None

    def fingerprints(self, account_sid: str, phone_numbers: Iterable[str]) -> dict[str, tuple[NumberRecord, str]]:
        """Stored records of these phones with their Twilio fingerprints (the refresh's comparison)."""
        keys = [(workspace_key(account_sid), number_key(p)) for p in phone_numbers]
        found: dict[str, tuple[NumberRecord, str]] = {}
        for raw in batches().get(keys):
            item = NumberItem.from_raw_data(raw)
            found[item.phone] = (to_record(item), item.twilio_fingerprint or "")
        return found

    def insert(
        self,
        record: NumberRecord,
        *,
        expected_revision: int | None = None,
        fingerprint: str | None = None,
        audit: AuditEntry | None = None,
    ) -> bool:
        """Write a new record (``expected_revision`` ``None``), or revive the released one at that revision, with
        its SID pointer. ``False`` when the phone's record is not (or no longer) what was expected. With
        ``audit``, the record, its pointer and the entry are one transaction."""
        key = workspace_key(record.owner_workspace)
        item = to_item(record, NumberItem, key, number_key(record.phone_number), fingerprint)
        if expected_revision is None:
            condition = NumberItem.pk.does_not_exist()
        else:
            condition = (NumberItem.status == NumberStatus.RELEASED.value) & (NumberItem.revision == expected_revision)
        pointer = SidItem(key, sid_key(record.sid), phone=record.phone_number)
        if audit is not None:

            def write(t: TransactWrite) -> None:
                t.save(item, condition=condition)
                t.save(pointer)

            return audited(audit, write)
        try:
            item.save(condition=condition)
        except PutError as exc:
            if failed_condition(exc):
                return False
            raise
        pointer.save()
        return True

    def insert_many(self, records: list[tuple[NumberRecord, str | None]]) -> None:
        """New records known to be absent (a refresh page's new numbers), with their SID pointers, in
        BatchWriteItems of 25."""
        batch = batches()
        batch.put(
            to_item(
                record, NumberItem, workspace_key(record.owner_workspace), number_key(record.phone_number), f
            ).serialize()
            for record, f in records
        )
        batch.put(
            SidItem(workspace_key(record.owner_workspace), sid_key(record.sid), phone=record.phone_number).serialize()
            for record, _ in records
        )

    def replace(
        self,
        record: NumberRecord,
        *,
        expected_revision: int,
        fingerprint: str | None = None,
        audit: AuditEntry | None = None,
        retract: AuditEntry | None = None,
    ) -> NumberRecord:
        """Write ``record`` as revision ``expected_revision + 1`` if nobody wrote it since (``ConcurrentUpdate``
        otherwise). The SID pointer is rewritten when the SID changed (a number bought again). ``audit`` is
        written with it, ``retract`` (the entry of the write this one undoes) deleted with it."""
        written = replace(record, revision=expected_revision + 1)
        key = workspace_key(record.owner_workspace)
        item = to_item(written, NumberItem, key, number_key(record.phone_number), fingerprint)
        if fingerprint is None:
            previous = self._fingerprint(record.owner_workspace, record.phone_number)
            item.twilio_fingerprint = previous
        unchanged = NumberItem.revision == expected_revision
        entry = audit or retract
        if entry is not None:
            if not audited(entry, lambda t: t.save(item, condition=unchanged), retract=retract is not None):
                raise ConcurrentUpdate(f"{record.phone_number} changed while it was being written.")
            return written
        try:
            item.save(condition=unchanged)
        except PutError as exc:
            if failed_condition(exc):
                raise ConcurrentUpdate(f"{record.phone_number} changed while it was being written.") from exc
            raise
        return written

    def _fingerprint(self, account_sid: str, phone_number: str) -> str | None:
        try:
            item = NumberItem.get(
                workspace_key(account_sid), number_key(phone_number), attributes_to_get=["twilio_fingerprint"]
            )
        except NumberItem.DoesNotExist:
            return None
        return item.twilio_fingerprint

    def point_sid(self, account_sid: str, sid: str, phone_number: str) -> None:
        SidItem(workspace_key(account_sid), sid_key(sid), phone=phone_number).save()

    # ----- shared index -----

    def put_shared(self, record: NumberRecord) -> None:
        item = to_item(
            record, SharedNumberItem, shared_key(record.owner_workspace), record.phone_number, fingerprint=None
        )
        item.save()

    def delete_shared(self, owner: str, phone_number: str) -> None:
        SharedNumberItem(shared_key(owner), phone_number).delete()

    def dialable(self, account_sid: str, *, exclude: set[str], take: int) -> list[NumberRecord]:
        """Active voice records not in ``exclude`` (topping up the pool), reading only until ``take`` are found."""
        found: list[NumberRecord] = []
        items = NumberItem.query(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=(NumberItem.status == NumberStatus.ACTIVE.value) & (NumberItem.voice == True),  # noqa: E712
            page_size=min(1000, take + len(exclude)),
        )
        for item in items:
            if item.phone not in exclude:
                found.append(to_record(item))
                if len(found) == take:
                    break
        return found

    def live_sids(self, account_sid: str, source: NumberSource) -> dict[str, str]:
        """SID → phone of the workspace's listed records of one source (a refresh looking for numbers that
        vanished at Twilio: read only when the counts say some did)."""
        items = NumberItem.query(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            filter_condition=(NumberItem.source == source.value) & (NumberItem.status != NumberStatus.RELEASED.value),
            attributes_to_get=["sid", "phone", "kind"],
        )
        return {item.sid: item.phone for item in items}
