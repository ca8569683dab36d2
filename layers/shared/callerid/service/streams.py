"""Event Streams deliveries (outcome source 3): each complete Voice Insights call summary of an outbound call is
one ``CallOutcome``, counted once per call SID across the sources (``OutcomeRecorder``); other events are ignored.
The delivery's signature was checked for the account the events name (the handler), so every outcome is that
account's, and counts only for a number it may dial from."""

from __future__ import annotations

from typing import Any

from callerid.domain.streams import CloudEvent, summary_outcome
from callerid.service.outcomes import OutcomeRecorder


class EventStreamEffects:
    def __init__(self, outcomes: OutcomeRecorder) -> None:
        self.outcomes = outcomes

    def handle(self, account_sid: str, events: list[CloudEvent]) -> dict[str, Any]:
        counted = detailed = ignored = 0
        for event in events:
            outcome = summary_outcome(event)
            if outcome is None or outcome.account_sid != account_sid:
                ignored += 1
                continue
            done = self.outcomes.record(outcome)
            counted += int(bool(done.get("counted")))
            detailed += int(bool(done.get("detailed")))
        return {"events": len(events), "counted": counted, "detailed": detailed, "ignored": ignored}
