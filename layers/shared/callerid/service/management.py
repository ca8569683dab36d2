"""Number management that reaches Twilio: releasing a number where it lives and re-reading it from Twilio. The
records side is ``service.numbers``; this adds the Twilio requests each route costs."""

from __future__ import annotations

from collections.abc import Callable

from callerid.domain.errors import NotFound
from callerid.domain.numbers import NumberRecord, NumberSource, TwilioFacts
from callerid.service.numbers import NumberDirectory
from callerid.service.ports import HealthReader, TwilioNumbers
from callerid.store.health import NumberHealth


class NumberManagement:
    def __init__(self, directory: NumberDirectory, gateway: Callable[[], TwilioNumbers], health: HealthReader) -> None:
        self.directory = directory
        self.gateway = gateway
        self.health_reader = health

    def release(self, account_sid: str, sid: str) -> NumberRecord:
        """A Twilio number is released at Twilio (permanent), a verified caller ID removed at Twilio, a BYOT number
        only unregistered. One already gone at Twilio is released here all the same."""

        def at_source(record: NumberRecord) -> None:
            try:
                if record.source is NumberSource.TWILIO:
                    self.gateway().release_number(account_sid, record.sid)
                elif record.source is NumberSource.VERIFIED:
                    self.gateway().delete_caller_id(account_sid, record.sid)
            except NotFound:
                return

        return self.directory.release(account_sid, sid, at_source)

    def resync(self, account_sid: str, sid: str) -> NumberRecord:
        """Re-read the number from Twilio now (a BYOT number has nothing to re-read)."""
        record = self.directory.own(account_sid, sid)
        if record.source is NumberSource.BYOT:
            return record
        facts: TwilioFacts | None
        try:
            if record.source is NumberSource.TWILIO:
                facts = self.gateway().incoming_number(account_sid, sid)
            else:
                facts = self.gateway().caller_id_facts(account_sid, sid)
        except NotFound:
            facts = None
        return self.directory.resync(account_sid, sid, facts)

    def health(self, phone_number: str) -> NumberHealth:
        return self.health_reader.get(phone_number)
