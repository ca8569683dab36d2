"""Outcomes of caller-ID verification calls."""

from __future__ import annotations

from dataclasses import dataclass

from callerid.store.models import VerificationItem, workspace_key


@dataclass(frozen=True, slots=True)
class Verification:
    phone_number: str
    status: str
    outgoing_caller_id_sid: str | None
    call_sid: str | None
    updated_at: float


def verification_key(phone_number: str) -> str:
    return f"VERIFICATION#{phone_number}"


class VerificationRepository:
    def record(self, account_sid: str, verification: Verification) -> None:
        VerificationItem(
            workspace_key(account_sid),
            verification_key(verification.phone_number),
            phone_number=verification.phone_number,
            status=verification.status,
            outgoing_caller_id_sid=verification.outgoing_caller_id_sid,
            call_sid=verification.call_sid,
            updated_at=verification.updated_at,
        ).save()

    def get(self, account_sid: str, phone_number: str) -> Verification | None:
        try:
            item = VerificationItem.get(
                workspace_key(account_sid), verification_key(phone_number), consistent_read=True
            )
        except VerificationItem.DoesNotExist:
            return None
        return Verification(
            item.phone_number, item.status, item.outgoing_caller_id_sid, item.call_sid, float(item.updated_at)
        )
