"""People and queues by name (``service/people.py``) over a fake TaskRouter: search, pages, the cache's time and
its tenancy, and who a token is."""

from __future__ import annotations

import pytest

from callerid.domain.errors import UpstreamUnavailable
from callerid.domain.identity import Caller
from callerid.domain.people import Person, Queue, team_of
from callerid.service.people import People
from tests.unit.fakes import FakePeople, people_port

ACCOUNT = "AC" + "a" * 32
OTHER = "AC" + "b" * 32


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def person(n: int, name: str, team: str | None = None) -> Person:
    return Person(f"WK{n:032d}", name, team, n % 2 == 0)


@pytest.fixture
def world():
    fake, clock = FakePeople(), Clock()
    fake.workers[ACCOUNT] = [
        person(1, "Zoe Park", "sales"),
        person(2, "alice Jones"),
        person(3, "Bob Smith", "support"),
    ]
    fake.workers[OTHER] = [person(9, "Mallory")]
    fake.queues[ACCOUNT] = [Queue("WQ" + "2" * 32, "Support"), Queue("WQ" + "1" * 32, "Everyone")]
    fake.names[ACCOUNT] = "Acme Support"
    return fake, clock, People(lambda: people_port(fake), ttl_seconds=300, clock=clock)


def names(page) -> list[str]:
    return [p.friendly_name for p in page.people]


def test_workers_by_name_searched_and_paged(world):
    _, _, people = world
    assert names(people.workers(ACCOUNT, None, 1, 50)) == ["alice Jones", "Bob Smith", "Zoe Park"]
    assert names(people.workers(ACCOUNT, "SMI", 1, 50)) == ["Bob Smith"]
    assert names(people.workers(ACCOUNT, "sales", 1, 50)) == ["Zoe Park"]  # the team
    assert names(people.workers(ACCOUNT, "WK" + "0" * 31 + "2", 1, 50)) == ["alice Jones"]  # the SID
    second = people.workers(ACCOUNT, None, 2, 2)
    assert names(second) == ["Zoe Park"] and second.total == 3


def test_reads_are_kept_for_the_ttl_per_account_and_never_shared(world):
    fake, clock, people = world
    people.workers(ACCOUNT, None, 1, 50)
    people.workers(ACCOUNT, "bob", 1, 50)
    assert fake.reads == 1
    assert names(people.workers(OTHER, None, 1, 50)) == ["Mallory"]
    assert fake.reads == 2
    clock.now += 299
    people.workers(ACCOUNT, None, 1, 50)
    assert fake.reads == 2
    clock.now += 2
    people.workers(ACCOUNT, None, 1, 50)
    assert fake.reads == 3


def test_queues_by_name_and_a_failing_twilio_is_unavailable(world):
    fake, _, people = world
    assert [q.friendly_name for q in people.task_queues(ACCOUNT)] == ["Everyone", "Support"]
    assert people.task_queues(OTHER) == []
    fake.fail = True
    with pytest.raises(UpstreamUnavailable):
        people.workers(ACCOUNT, None, 1, 50)


def test_me_is_the_token_and_the_accounts_name(world):
    _, _, people = world
    me = people.me(Caller(ACCOUNT, "alice", frozenset({"supervisor", "agent"}), "WK" + "1" * 32))
    assert (me.account_name, me.identity, me.roles, me.worker_sid) == (
        "Acme Support",
        "alice",
        ["agent", "supervisor"],
        "WK" + "1" * 32,
    )


def test_the_team_is_the_team_name_attribute():
    assert team_of('{"team_name": "sales", "x": 1}') == "sales"
    assert team_of("not json") is None and team_of('["x"]') is None and team_of('{"team_name": ""}') is None
