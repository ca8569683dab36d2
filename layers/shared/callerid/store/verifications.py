"""Caller-ID verifications: the last one of each number per workspace (``VERIFICATION#<e164>``).

A started verification is ``pending`` until its call's callback, and expires through the table's TTL (it reads as
gone once past its ``expires_at``, before the TTL deletes it). Starting again supersedes it (a new call). A success
is written whatever was there (Twilio confirmed it); a failure only over the pending verification of the same call,
so a late failure of a superseded call, or of any call after a success, changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from callerid.domain.audit import AuditEntry
from callerid.domain.errors import AlreadyVerified
from callerid.domain.verification import FAILED, PENDING, SUCCESS, Verification
from callerid.store.audit import audited
from callerid.store.conditions import failed_condition
from callerid.store.models import VerificationItem, workspace_key


def verification_key(phone_number: str) -> str:
    return f"VERIFICATION#{phone_number}"


def to_verification(item: VerificationItem) -> Verification:
    return Verification(
        item.phone_number,
        item.status,
        item.outgoing_caller_id_sid,
        item.call_sid,
        float(item.updated_at),
        item.expires_at.timestamp() if item.expires_at else None,
    )


class VerificationRepository:
    def start(
        self,
        account_sid: str,
        phone_number: str,
        call_sid: str,
        *,
        now: float,
        expires_at: float,
        audit: AuditEntry | None = None,
    ) -> None:
        """A pending verification (superseding a pending or failed one); ``AlreadyVerified`` over a success. With
        ``audit``, the verification and its entry are one transaction."""
        item = VerificationItem(
            workspace_key(account_sid),
            verification_key(phone_number),
            phone_number=phone_number,
            status=PENDING,
            call_sid=call_sid,
            updated_at=now,
            expires_at=datetime.fromtimestamp(expires_at, UTC),
        )
        condition = VerificationItem.pk.does_not_exist() | (VerificationItem.status != SUCCESS)
        if audit is not None:
            if not audited(audit, lambda t: t.save(item, condition=condition)):
                raise AlreadyVerified(f"{phone_number} is already a verified caller ID.")
            return
        try:
            item.save(condition=condition)
        except PutError as exc:
            if failed_condition(exc):
                raise AlreadyVerified(f"{phone_number} is already a verified caller ID.") from exc
            raise

    def record_success(self, account_sid: str, verification: Verification) -> None:
        VerificationItem(
            workspace_key(account_sid),
            verification_key(verification.phone_number),
            phone_number=verification.phone_number,
            status=SUCCESS,
            outgoing_caller_id_sid=verification.outgoing_caller_id_sid,
            call_sid=verification.call_sid,
            updated_at=verification.updated_at,
        ).save()

    def record_failure(self, account_sid: str, phone_number: str, call_sid: str, now: float) -> bool:
        """Mark the pending verification of this call failed; ``False`` when it is not the one pending."""
        item = VerificationItem(workspace_key(account_sid), verification_key(phone_number))
        try:
            item.update(
                actions=[VerificationItem.status.set(FAILED), VerificationItem.updated_at.set(now)],
                condition=(VerificationItem.status == PENDING) & (VerificationItem.call_sid == call_sid),
            )
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def get(self, account_sid: str, phone_number: str) -> Verification | None:
        try:
            item = VerificationItem.get(
                workspace_key(account_sid), verification_key(phone_number), consistent_read=True
            )
        except VerificationItem.DoesNotExist:
            return None
        return to_verification(item)

    def forget(self, account_sid: str, phone_number: str) -> None:
        """The caller ID was deleted: its number may be verified again."""
        try:
            VerificationItem(workspace_key(account_sid), verification_key(phone_number)).delete()
        except DeleteError as exc:
            if not failed_condition(exc):
                raise
