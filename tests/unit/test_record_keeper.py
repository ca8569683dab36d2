"""The one save-and-retry loop every rewrite of a record goes through (``RecordKeeper.save``), over the fakes, wired
by the same builder as ``runtime.py``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus
from callerid.service.records import SAVE_ATTEMPTS
from tests.unit.factories import ACCOUNT, number
from tests.unit.fakes import FakeTwilio, FakeWorld

PHONE = "+12065550100"


@pytest.fixture
def world() -> FakeWorld:
    world = FakeWorld()
    world.services(lambda: FakeTwilio(ACCOUNT), clock=lambda: 1.0).numbers.add(number(PHONE))
    return world


def keeper(world: FakeWorld):
    return world.services(lambda: FakeTwilio(ACCOUNT), clock=lambda: 1.0).keeper


def test_a_writer_overtaken_reads_again_and_both_changes_survive(world):
    reads = 0

    def read() -> NumberRecord | None:
        nonlocal reads
        reads += 1
        current = world.store.get(ACCOUNT, PHONE)
        if reads == 1 and current is not None:  # another writer lands between this read and this write
            world.store.replace(replace(current, label="Sales"), expected_revision=current.revision)
        return current

    saved = keeper(world).save(read, lambda current: replace(current, friendly_name="Front desk"))

    assert saved is not None and reads == 2
    stored = world.store.get(ACCOUNT, PHONE)
    assert stored is not None and (stored.label, stored.friendly_name) == ("Sales", "Front desk")


def test_a_record_that_keeps_changing_is_a_conflict_after_bounded_attempts(world):
    attempts = 0

    def read() -> NumberRecord | None:
        nonlocal attempts
        attempts += 1
        current = world.store.get(ACCOUNT, PHONE)
        assert current is not None
        world.store.replace(current, expected_revision=current.revision)  # always overtaken
        return current

    with pytest.raises(ConcurrentUpdate):
        keeper(world).save(read, lambda current: replace(current, label="x"))
    assert attempts == SAVE_ATTEMPTS


def test_what_follows_from_a_write_is_settled_and_nothing_is_written_when_nothing_changes(world):
    saved = keeper(world).save(
        lambda: world.store.get(ACCOUNT, PHONE), lambda current: replace(current, status=NumberStatus.INACTIVE)
    )
    assert saved is not None and saved.after.status is NumberStatus.INACTIVE
    head = world.store.head(ACCOUNT)
    assert head.pool == () and head.counts[(NumberSource.TWILIO, NumberStatus.INACTIVE)] == 1

    writes = world.store.writes["replace"]
    unchanged = keeper(world).save(lambda: world.store.get(ACCOUNT, PHONE), lambda current: None)
    assert unchanged is not None and unchanged.after is unchanged.before
    assert world.store.writes["replace"] == writes
