"""The dashboard's schedule picker <-> the stored cron (adgen.campaigns.schedules), both ways."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from adgen.campaigns.schedules import (CUSTOM, DAILY, MANUAL, WEEKLY, ScheduleError, SchedulePick, next_fire,
                                       schedule_describe, schedule_from_cron, schedule_to_cron)


@pytest.mark.parametrize("pick, cron", [
    (SchedulePick(frequency=MANUAL), ""),
    (SchedulePick(frequency=DAILY, at=time(7, 5)), "5 7 * * *"),
    (SchedulePick(frequency=WEEKLY, weekday="mon", at=time(9, 0)), "0 9 * * mon"),
    (SchedulePick(frequency=WEEKLY, weekday="sun", at=time(23, 30)), "30 23 * * sun"),
    (SchedulePick(frequency=CUSTOM, cron="*/15 8-18 * * mon-fri"), "*/15 8-18 * * mon-fri"),
])
def test_round_trip(pick, cron):
    assert schedule_to_cron(pick) == cron
    assert schedule_from_cron(cron) == pick


def test_crons_written_elsewhere_read_as_the_picker_when_they_are_one():
    assert schedule_from_cron("0  9 * * 1") == SchedulePick(frequency=WEEKLY, weekday="mon", at=time(9, 0))
    assert schedule_from_cron("0 9 * * 0") == schedule_from_cron("0 9 * * 7") == schedule_from_cron("0 9 * * SUN")
    assert schedule_from_cron("0 9 1 * *").frequency == CUSTOM  # monthly: only the Advanced field shows it
    assert schedule_from_cron("0 9 * * mon,thu").frequency == CUSTOM
    with pytest.raises(ScheduleError):
        schedule_to_cron(SchedulePick(frequency=WEEKLY, weekday="someday"))


def test_in_words():
    assert schedule_describe("0 9 * * mon", "Europe/Paris") == "Every Monday at 09:00 Europe/Paris"
    assert schedule_describe("5 7 * * *", "Asia/Shanghai") == "Every day at 07:05 Asia/Shanghai"
    assert schedule_describe("", "UTC") == "Run by hand only"
    assert "0 9 1 * *" in schedule_describe("0 9 1 * *", "UTC")


def test_the_picked_time_is_the_campaigns_wall_clock_across_dst():
    cron = schedule_to_cron(SchedulePick(frequency=WEEKLY, weekday="mon", at=time(9, 0)))
    winter = next_fire(cron, "Europe/Paris", datetime(2026, 1, 1, tzinfo=timezone.utc))
    summer = next_fire(cron, "Europe/Paris", datetime(2026, 7, 1, tzinfo=timezone.utc))
    assert (winter.weekday(), winter.hour) == (0, 8)  # 09:00 CET
    assert (summer.weekday(), summer.hour) == (0, 7)  # 09:00 CEST
