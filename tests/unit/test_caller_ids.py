"""The verified caller-ID service over in-memory stores: starting, superseding and the outcome of verifications,
renaming and deleting caller IDs."""

from __future__ import annotations

import pytest

from callerid.domain.errors import AlreadyVerified, InvalidRequest, NotFound, NumberExists
from callerid.domain.identity import Caller, Role
from callerid.domain.numbers import NumberSource
from callerid.service.callerids import PENDING_SECONDS
from callerid.service.webhooks import VerificationEvent
from tests.unit.fakes import FakeCallerIdTwilio, FakeWorld

ACCOUNT = "AC" + "a" * 32
HOOK = "https://api.example.com/webhooks/twilio/verification-status"
DESK = "+17025550100"


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world():
    clock, twilio = Clock(), FakeCallerIdTwilio(ACCOUNT)
    services = FakeWorld().services(lambda: twilio, clock=clock)
    return services.caller_ids, services.verification_effects, twilio, clock, services.outbound_calls


def succeed(effects, twilio, call_sid, phone=DESK):
    sid = twilio.add(phone, source=NumberSource.VERIFIED).sid
    return effects.handle(VerificationEvent(ACCOUNT, call_sid, "success", phone, sid)), sid


def test_a_verification_is_pending_until_its_call_succeeds(world):
    service, effects, twilio, _, _ = world
    phone, call = service.start(
        ACCOUNT, "(702) 555-0100", friendly_name=None, call_delay=0, extension=None, status_callback=HOOK
    )
    assert phone == DESK and twilio.calls[0]["callback"] == HOOK
    assert service.status(ACCOUNT, DESK).status == "pending"
    outcome, sid = succeed(effects, twilio, call.call_sid)
    assert outcome["status"] == "success" and service.status(ACCOUNT, DESK).outgoing_caller_id_sid == sid
    assert [n.record.phone_number for n in service.page(ACCOUNT, None, None, 1, 50).numbers] == [DESK]


def test_a_late_failure_never_erases_a_success_and_a_superseded_call_does_not_count(world):
    service, effects, twilio, _, _ = world
    _, first = service.start(ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK)
    _, second = service.start(ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK)
    assert effects.handle(VerificationEvent(ACCOUNT, first.call_sid, "failed", DESK, None))["status"] == "ignored"
    assert service.status(ACCOUNT, DESK).status == "pending"
    succeed(effects, twilio, second.call_sid)
    effects.handle(VerificationEvent(ACCOUNT, second.call_sid, "failed", DESK, None))
    assert service.status(ACCOUNT, DESK).status == "success"
    with pytest.raises(AlreadyVerified):
        service.start(ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK)


def test_a_pending_verification_expires(world):
    service, _, _, clock, _ = world
    service.start(ACCOUNT, DESK, friendly_name=None, call_delay=30, extension=None, status_callback=HOOK)
    clock.now += 30 + PENDING_SECONDS + 1
    with pytest.raises(NotFound):
        service.status(ACCOUNT, DESK)


def test_owned_numbers_need_no_verification_and_long_callback_urls_are_refused(world):
    service, _, twilio, _, _ = world
    twilio.add("+12065550100")
    with pytest.raises(NumberExists):
        service.start(ACCOUNT, "+12065550100", friendly_name=None, call_delay=0, extension=None, status_callback=HOOK)
    with pytest.raises(InvalidRequest):
        service.start(ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback="h" * 1001)
    assert twilio.calls == []


def test_renaming_reaches_twilio_and_deleting_keeps_a_calls_lock(world):
    service, effects, twilio, _, calls = world
    _, call = service.start(ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK)
    _, sid = succeed(effects, twilio, call.call_sid)
    renamed = service.rename(ACCOUNT, sid, "Desk").record
    assert renamed.friendly_name == "Desk" == twilio.caller_ids[sid].friendly_name
    agent = Caller(ACCOUNT, "alice", frozenset({Role.AGENT}), "WK" + "1" * 32)
    held = calls.start(agent, "+14155552671", DESK).lock
    service.delete(ACCOUNT, sid)
    assert sid in twilio.removed and calls.locks.get(DESK) == held
    with pytest.raises(NotFound):
        calls.start(Caller(ACCOUNT, "bob", frozenset({Role.AGENT}), "WK" + "2" * 32), "+14155552671", DESK)
    assert service.page(ACCOUNT, None, None, 1, 50).numbers == []
    service.start(ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK)
    with pytest.raises(NotFound):
        service.get(ACCOUNT, sid)
