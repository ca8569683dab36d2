"""A brief listing's records are built from DynamoDB's answer as it is (``records.brief_record``): each one is what
``to_record`` makes of the model PynamoDB builds from the same answer."""

from __future__ import annotations

import pytest

from callerid.domain.numbers import NumberSource, NumberStatus, OutboundAssignment
from callerid.store.listing import BRIEF_ATTRIBUTES
from callerid.store.models import NumberItem, SharedNumberItem
from callerid.store.records import brief_record, to_item, to_record
from tests.unit.factories import number


@pytest.mark.parametrize("cls", [NumberItem, SharedNumberItem])
@pytest.mark.parametrize(
    "record",
    [
        number("+12065550100"),
        number(
            "+14155550123",
            source=NumberSource.VERIFIED,
            status=NumberStatus.INACTIVE,
            primary=True,
            voice=False,
            countries=("US", "CA"),
            assignment=OutboundAssignment("WK" + "1" * 32, "team", None),
            label="Front desk",
            friendly="Réception ☎",
        ),
    ],
)
def test_a_brief_record_is_what_the_model_makes_of_the_same_answer(cls, record):
    stored = to_item(record, cls, "WS#AC1", f"NUMBER#{record.phone_number}", "print").serialize()
    answered = {name: value for name, value in stored.items() if name in BRIEF_ATTRIBUTES}
    assert set(answered) == set(BRIEF_ATTRIBUTES)
    # The model needs the keys and the kind, which the brief projection leaves out and to_record does not read.
    keys = {name: stored[name] for name in ("pk", "sk", "kind")}
    assert brief_record(answered) == to_record(cls.from_raw_data({**keys, **answered}))
