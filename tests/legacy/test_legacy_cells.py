"""The old system's times and words as its export writes them (legacy.services, legacy.layout)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from legacy import layout
from legacy.services import read_datetime
from projects.inputs import NotReadable

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-08-15 10:30", dt.datetime(2020, 8, 15, 10, 30, tzinfo=SHANGHAI)),
        ("2020/8/15 10:30:05", dt.datetime(2020, 8, 15, 10, 30, 5, tzinfo=SHANGHAI)),
        ("2020-08-15T07:05:00.123", dt.datetime(2020, 8, 15, 7, 5, tzinfo=SHANGHAI)),
        ("2020-08-15", dt.datetime(2020, 8, 15, tzinfo=SHANGHAI)),
        ("2020年8月15日", dt.datetime(2020, 8, 15, tzinfo=SHANGHAI)),
        ("20200815", dt.datetime(2020, 8, 15, tzinfo=SHANGHAI)),
    ],
)
def test_the_old_systems_times_are_read_as_beijing_time(text, expected):
    assert read_datetime(text) == expected


@pytest.mark.parametrize("text", ["2020-13-01 10:00", "2020-02-30", "2020-08-15 25:00", "昨天", ""])
def test_what_is_no_time_is_not_guessed(text):
    with pytest.raises(NotReadable):
        read_datetime(text)


def test_every_state_and_level_word_maps_to_a_known_value():
    from accounts.models import AuthorityLevel
    from legacy.models import LegacyStatus

    assert set(layout.STATUS_WORDS.values()) == set(LegacyStatus.values)
    assert set(layout.LEVEL_WORDS.values()) == set(AuthorityLevel.values)
