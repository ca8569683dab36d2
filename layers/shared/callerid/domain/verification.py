"""A caller-ID verification: the last one of a number per workspace (see docs/design.md)."""

from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"
SUCCESS = "success"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Verification:
    phone_number: str
    status: str
    outgoing_caller_id_sid: str | None
    call_sid: str | None
    updated_at: float
    expires_at: float | None = None

    def expired(self, now: float) -> bool:
        return self.status == PENDING and self.expires_at is not None and self.expires_at < now
