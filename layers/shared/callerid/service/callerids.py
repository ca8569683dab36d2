"""Verified caller IDs (Twilio's OutgoingCallerIds): listing and managing them, and verifying a number the
workspace does not get from Twilio (a desk line, a mobile, a number at another carrier).

Starting a verification asks Twilio for a ValidationRequest whose StatusCallback is this deployment's verification
webhook; Twilio calls the number and the person enters the 6-digit code the API answered. Starting again while one
is pending supersedes it (a new call and code; the earlier call's outcome no longer counts unless it succeeded,
which Twilio confirms). A deleted caller ID leaves list-numbers and cannot be dialled from at once; a call that
holds its lock keeps it until the call ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from callerid.domain.audit import Actor, AuditTarget, TargetKind
from callerid.domain.errors import AlreadyVerified, CallerIdError, InvalidRequest, NotFound, NumberExists
from callerid.domain.numbers import NumberQuery, NumberRecord, NumberSource, NumberStatus
from callerid.domain.phone import normalise_e164
from callerid.domain.verification import Verification
from callerid.service.audit import AuditTrail
from callerid.service.numbers import NumberDirectory, NumberWithLock
from callerid.service.ports import CallerIdGateway, Verifications
from callerid.twilio.records import ValidationCall

# A pending verification expires this long after its call was due (Twilio's call rings for about a minute).
PENDING_SECONDS = 600
# Twilio's limit on a StatusCallback URL.
CALLBACK_URL_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class CallerIdPage:
    numbers: list[NumberWithLock]
    total: int


class CallerIds:
    def __init__(
        self,
        numbers: NumberDirectory,
        verifications: Verifications,
        gateway: Callable[[], CallerIdGateway],
        clock: Callable[[], float] = time.time,
        audit: AuditTrail | None = None,
    ) -> None:
        self.audit = audit or AuditTrail(clock=clock)
        self.numbers = numbers
        self.verifications = verifications
        self.gateway = gateway
        self.clock = clock

    def page(
        self, account_sid: str, phone_number: str | None, friendly_name: str | None, page: int, per_page: int
    ) -> CallerIdPage:
        """The workspace's own verified caller IDs, with their locks; ``phone_number`` and ``friendly_name`` match
        exactly."""
        if phone_number is not None:
            record = self.numbers.stored(account_sid, normalise_e164(phone_number))
            found = record is not None and self._listed(record) and friendly_name in (None, record.friendly_name)
            rows = [self.numbers.with_lock(record)] if found and record is not None and page == 1 else []
            return CallerIdPage(rows, 1 if found else 0)
        query = NumberQuery(source=NumberSource.VERIFIED, friendly_name=friendly_name, page=page, per_page=per_page)
        listed = self.numbers.page(account_sid, query, with_shared=False)
        rows = [NumberWithLock(r, listed.locks.get(r.phone_number)) for r in listed.page.numbers]
        return CallerIdPage(rows, listed.page.total)

    @staticmethod
    def _listed(record: NumberRecord) -> bool:
        return record.source is NumberSource.VERIFIED and record.status is not NumberStatus.RELEASED

    def get(self, account_sid: str, sid: str) -> NumberWithLock:
        """The workspace's verified caller ID with this SID, with its lock; 404 for anything else."""
        return self.numbers.with_lock(self._verified(account_sid, sid))

    def _verified(self, account_sid: str, sid: str) -> NumberRecord:
        record = self.numbers.own(account_sid, sid)
        if record.source is not NumberSource.VERIFIED:
            raise NotFound("No such verified caller ID in this workspace.")
        return record

    def rename(self, account_sid: str, sid: str, friendly_name: str, actor: Actor | None = None) -> NumberWithLock:
        """Rename at Twilio, then the record (one Twilio request); with ``actor``, the record's write carries its
        audit entry, and when that write fails Twilio's name is put back (one more request)."""
        record = self._verified(account_sid, sid)
        gateway = self.gateway()
        gateway.rename_caller_id(account_sid, sid, friendly_name)
        try:
            renamed = self.numbers.rewrite(
                account_sid, sid, {"friendly_name": friendly_name}, actor=actor, action="caller_id.rename"
            )
        except BaseException:
            with suppress(CallerIdError):
                gateway.rename_caller_id(account_sid, sid, record.friendly_name)
            raise
        return self.numbers.with_lock(renamed)

    def delete(self, account_sid: str, sid: str, actor: Actor | None = None) -> None:
        """Remove at Twilio (one request) and here; the number may be verified again afterwards."""
        record = self._verified(account_sid, sid)

        def at_twilio(found: NumberRecord) -> None:
            try:
                self.gateway().delete_caller_id(account_sid, found.sid)
            except NotFound:
                return

        self.numbers.release(account_sid, sid, at_twilio, while_locked=True, actor=actor)
        self.verifications.forget(account_sid, record.phone_number)

    def start(
        self,
        account_sid: str,
        phone_number: str,
        *,
        friendly_name: str | None,
        call_delay: int,
        extension: str | None,
        status_callback: str,
        actor: Actor | None = None,
    ) -> tuple[str, ValidationCall]:
        """Ask Twilio to call the number; answers it as E.164 and the call (its SID and the code to show). With
        ``actor``, the pending verification is written with its audit entry (when that write fails, the call
        Twilio places verifies nothing: the webhook finds no pending verification of it)."""
        e164 = normalise_e164(phone_number)
        if len(status_callback) > CALLBACK_URL_LIMIT:
            raise InvalidRequest("PUBLIC_BASE_URL is too long for Twilio's StatusCallback (1,000 characters).")
        self.numbers.fresh_head(account_sid)  # the workspace's numbers are known before one is said to be new
        existing = self.numbers.stored(account_sid, e164)
        if existing is not None and existing.status is not NumberStatus.RELEASED:
            if existing.source is NumberSource.VERIFIED:
                raise AlreadyVerified(f"{e164} is already a verified caller ID of this workspace.")
            raise NumberExists(f"{e164} is already one of this workspace's numbers; it needs no verification.")
        call = self.gateway().validation_request(
            account_sid,
            e164,
            friendly_name=friendly_name,
            call_delay=call_delay,
            extension=extension,
            status_callback=status_callback,
        )
        now = self.clock()
        entry = None
        if actor is not None:
            target = AuditTarget(TargetKind.CALLER_ID, call.call_sid, e164)
            entry = self.audit.entry(
                account_sid, actor, "caller_id.verify", target, {"verification": (None, "pending")}
            )
        self.verifications.start(
            account_sid, e164, call.call_sid, now=now, expires_at=now + call_delay + PENDING_SECONDS, audit=entry
        )
        return e164, call

    def status(self, account_sid: str, phone_number: str) -> Verification:
        """The number's last verification; an expired pending one reads as gone (404), as once the TTL took it."""
        found = self.verifications.get(account_sid, normalise_e164(phone_number))
        if found is None or found.expired(self.clock()):
            raise NotFound("No verification of this number in this workspace.")
        return found
