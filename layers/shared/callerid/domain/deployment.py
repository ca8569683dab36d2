"""What a deployment changed at Twilio that it must be able to put back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PriorHooks:
    """An imported number's webhooks before the import (``callerid-admin teardown`` restores them)."""

    sid: str
    phone_number: str
    voice_url: str | None
    status_callback: str | None
