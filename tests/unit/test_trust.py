"""Trust Hub over in-memory fakes: PUT trust makes a number's products exactly those named, a refusal undoes what
the request did at Twilio and writes nothing, new numbers join TRUST_PRODUCT_SIDS (a refusal keeps the number), and
the refresh reads each product once, not each number."""

from __future__ import annotations

import pytest

from callerid.domain.errors import NotFound, NotTwilioNumber, TwilioRefused, UpstreamUnavailable
from callerid.domain.numbers import NumberQuery, NumberSource
from callerid.domain.trust import TrustKind, TrustLink, kind_of
from callerid.service.builder import Options
from callerid.twilio.records import NumberHooks, NumberOrder
from tests.unit.fakes import FakeTrustHub, FakeTwilio, FakeWorld

ACCOUNT = "AC" + "a" * 32
OTHER = "AC" + "b" * 32
HOOKS = NumberHooks("https://x/voice", "https://x/status")


class Twilio(FakeTwilio, FakeTrustHub):
    def __init__(self) -> None:
        FakeTwilio.__init__(self, ACCOUNT)
        FakeTrustHub.__init__(self)

    def buy_number(self, account_sid, order, hooks):
        return self.add(order.phone_number)

    def point_number(self, account_sid, sid, hooks):
        return self.numbers[sid], None


class World:
    def __init__(self, configured: tuple[str, ...] = ()) -> None:
        self.now = 1_000_000.0
        fake = FakeWorld()
        self.store, self.twilio = fake.store, Twilio()
        self.vi = self.twilio.product(1, TrustKind.VOICE_INTEGRITY)
        self.shaken = self.twilio.product(2, TrustKind.SHAKEN_STIR, "draft")
        self.rejected = self.twilio.product(3, TrustKind.CNAM, "twilio-rejected")
        self.messaging = self.twilio.product(4, TrustKind.OTHER)
        options = Options(number_cache_ttl_seconds=300, trust_product_sids=configured)
        self.services = fake.services(lambda: self.twilio, options, clock=lambda: self.now)
        self.trust, self.directory = self.services.trust, self.services.numbers

    def number(self, phone: str = "+12065550100", account: str = ACCOUNT) -> str:
        facts = self.twilio.add(phone)
        self.directory.page(account, NumberQuery())
        return facts.sid

    def products(self, sid: str) -> list[str]:
        return [t.product_sid for t in self.directory.get(ACCOUNT, sid).trust]


@pytest.fixture
def world() -> World:
    return World()


def test_the_kind_follows_the_policy():
    assert kind_of("RN5b3660f9598883b1df4e77f77acefba0") is TrustKind.VOICE_INTEGRITY
    assert kind_of("RNb0d4771c2c98518d916a3d4cd70a8f8b") is TrustKind.OTHER
    assert TrustLink.parse(TrustLink("BU1", TrustKind.CNAM, "draft").stored()) == TrustLink(
        "BU1", TrustKind.CNAM, "draft"
    )


def test_put_trust_makes_the_products_exactly_those_named(world):
    sid = world.number()
    shown = world.trust.set_products(ACCOUNT, sid, [world.vi, world.shaken])
    assert [(t.product_sid, t.kind, t.status) for t in shown.record.trust] == [
        (world.vi, TrustKind.VOICE_INTEGRITY, "twilio-approved"),
        (world.shaken, TrustKind.SHAKEN_STIR, "draft"),
    ]
    assert world.twilio.of(sid) == {world.vi, world.shaken}

    world.trust.set_products(ACCOUNT, sid, [world.shaken])
    assert world.twilio.of(sid) == {world.shaken}
    assert world.products(sid) == [world.shaken]
    world.trust.set_products(ACCOUNT, sid, [])
    assert world.twilio.of(sid) == set() and world.products(sid) == []


@pytest.mark.parametrize("which", ["rejected", "messaging", "unknown"])
def test_a_refusal_undoes_what_the_request_did_at_twilio_and_writes_nothing(world, which):
    sid = world.number()
    world.trust.set_products(ACCOUNT, sid, [world.shaken])
    before = world.store.get(ACCOUNT, "+12065550100")
    refused = {"rejected": world.rejected, "messaging": world.messaging, "unknown": "BU" + "f" * 32}[which]

    with pytest.raises(TwilioRefused, match=refused):
        world.trust.set_products(ACCOUNT, sid, [world.vi, refused])

    assert world.twilio.of(sid) == {world.shaken}  # vi added then removed again; shaken kept
    assert world.store.get(ACCOUNT, "+12065550100") == before


def test_only_twilio_numbers_and_only_the_workspaces_own(world):
    sid = world.number()
    with pytest.raises(NotFound):
        world.trust.set_products(OTHER, sid, [world.vi])
    byot = world.directory.register_byot(ACCOUNT, "+13125550100", "carrier", "sip:trunk")
    with pytest.raises(NotTwilioNumber):
        world.trust.set_products(ACCOUNT, byot.sid, [world.vi])
    assert world.twilio.of(sid) == set()


def test_a_bought_number_joins_the_configured_products_and_a_refusal_keeps_it():
    world = World()
    world = World(configured=(world.vi, world.rejected))
    joined = world.services.management.provision_joined(ACCOUNT, NumberOrder(phone_number="+12065550111"), HOOKS)
    assert [t.product_sid for t in joined.record.trust] == [world.vi]
    assert [r.product_sid for r in joined.refusals] == [world.rejected]
    assert world.twilio.of(joined.record.sid) == {world.vi}
    assert world.products(joined.record.sid) == [world.vi]


def test_trust_hub_down_keeps_the_bought_number():
    world = World()
    world = World(configured=(world.vi,))
    world.twilio.fail = True  # Trust Hub unreachable (buying does not read pages)
    joined = world.services.management.provision_joined(ACCOUNT, NumberOrder(phone_number="+12065550112"), HOOKS)
    assert joined.record.trust == () and len(joined.refusals) == 1
    assert world.directory.get(ACCOUNT, joined.record.sid).source is NumberSource.TWILIO


def test_the_refresh_reads_each_product_once_and_keeps_statuses_current():
    world = World()
    world = World(configured=(world.vi,))
    sids = [world.twilio.add(f"+1206555{n:04d}").sid for n in range(30)]
    for sid in sids[:10]:
        world.twilio.assign_trust(world.vi, sid)
    world.twilio.requests = 0
    world.directory.page(ACCOUNT, NumberQuery())
    assert world.twilio.requests == 2  # the product and its assignments: not per number
    assert all(world.products(sid) == [world.vi] for sid in sids[:10])
    assert world.products(sids[10]) == []

    world.twilio.products[world.vi] = world.twilio.products[world.vi].__class__(
        world.vi, TrustKind.VOICE_INTEGRITY, "twilio-rejected"
    )
    world.now += 301
    world.directory.page(ACCOUNT, NumberQuery())
    assert world.directory.get(ACCOUNT, sids[0]).trust[0].status == "twilio-rejected"


def test_trust_hub_down_during_the_refresh_keeps_the_numbers_fresh():
    world = World()
    world = World(configured=(world.vi,))
    world.twilio.add("+12065550100")

    def failing(product_sid):
        raise UpstreamUnavailable("down")

    world.twilio.trust_product = failing  # type: ignore[method-assign]
    listed = world.directory.page(ACCOUNT, NumberQuery())
    assert not listed.stale and len(listed.page.numbers) == 1


def test_sync_rereads_the_numbers_products(world):
    sid = world.number()
    world.trust.set_products(ACCOUNT, sid, [world.vi])
    world.twilio.assigned[world.vi].clear()  # removed at Twilio, outside this API
    shown = world.services.management.resync(ACCOUNT, sid)
    assert shown.record.trust == ()
