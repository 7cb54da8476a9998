"""Cron arithmetic for campaign schedules: croniter on each campaign's wall clock (DST-aware).

Pure functions, used by the services (validation, next run) and by the scheduler process, and
the one translation between the dashboard's schedule picker (manual / daily / weekly on a day,
at a time) and the cron the campaign stores — both ways, so an edit form shows the picker again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter


class ScheduleError(ValueError):
    pass


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Unknown time zone {name!r} (use an IANA name like Asia/Shanghai).") from None


def validate_schedule(cron: str, tz: str) -> None:
    zone(tz)
    if cron and not croniter.is_valid(cron):
        raise ScheduleError(f"{cron!r} is not a cron expression (minute hour day month weekday, e.g. '0 9 * * mon').")


def next_fire(cron: str, tz: str, after: datetime) -> datetime:
    """The first tick strictly after `after`, read on the campaign's wall clock, returned in UTC."""
    local = after.astimezone(zone(tz))
    return croniter(cron, local).get_next(datetime).astimezone(dt_timezone.utc)


def last_fire(cron: str, tz: str, at_or_before: datetime) -> datetime:
    """The latest tick at or before `at_or_before` (the one a late scheduler stands for)."""
    local = (at_or_before + timedelta(microseconds=1)).astimezone(zone(tz))
    return croniter(cron, local).get_prev(datetime).astimezone(dt_timezone.utc)


def schedule_reset(campaign, *, now: datetime) -> None:
    """Set `next_run_at` from the campaign's cron (None when it has no schedule or is disabled)."""
    if campaign.schedule and campaign.enabled:
        campaign.next_run_at = next_fire(campaign.schedule, campaign.time_zone, now)
    else:
        campaign.next_run_at = None


# --------------------------------------------------------------------------- the picker <-> cron

MANUAL, DAILY, WEEKLY, CUSTOM = "manual", "daily", "weekly", "custom"
FREQUENCIES = [(MANUAL, "Manual (Run now only)"), (DAILY, "Every day"), (WEEKLY, "Every week"),
               (CUSTOM, "Advanced: a cron expression")]
WEEKDAYS = [("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
            ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday")]
_CRON_WEEKDAY = {**{str(i): day for i, (day, _) in enumerate(WEEKDAYS, start=1)}, "0": "sun", "7": "sun",
                 **{day: day for day, _ in WEEKDAYS}}


@dataclass(frozen=True)
class SchedulePick:
    """What the picker shows: how often, on which weekday (weekly), at what wall-clock time; or a raw cron."""

    frequency: str = MANUAL
    weekday: str = "mon"
    at: time = time(9, 0)
    cron: str = ""  # CUSTOM only


def schedule_to_cron(pick: SchedulePick) -> str:
    """The cron the campaign stores for a picker state ("" = run by hand only)."""
    if pick.frequency == MANUAL:
        return ""
    if pick.frequency == CUSTOM:
        return " ".join(pick.cron.split())
    day = "*" if pick.frequency == DAILY else pick.weekday
    if pick.frequency not in (DAILY, WEEKLY) or day not in (*dict(WEEKDAYS), "*"):
        raise ScheduleError(f"Unknown schedule {pick.frequency!r} / {pick.weekday!r}.")
    return f"{pick.at.minute} {pick.at.hour} * * {day}"


def schedule_from_cron(cron: str) -> SchedulePick:
    """The picker state a stored cron reads as: daily or weekly when it is one, else CUSTOM (Advanced)."""
    cron = " ".join((cron or "").split())
    if not cron:
        return SchedulePick()
    parts = cron.split(" ")
    if len(parts) == 5 and parts[2] == parts[3] == "*" and parts[0].isdigit() and parts[1].isdigit():
        minute, hour, weekday = int(parts[0]), int(parts[1]), parts[4].lower()
        if minute < 60 and hour < 24:
            if weekday == "*":
                return SchedulePick(frequency=DAILY, at=time(hour, minute))
            if weekday in _CRON_WEEKDAY:
                return SchedulePick(frequency=WEEKLY, weekday=_CRON_WEEKDAY[weekday], at=time(hour, minute))
    return SchedulePick(frequency=CUSTOM, cron=cron)


def schedule_describe(cron: str, tz: str) -> str:
    """The schedule in words: "Every Monday at 09:00 Europe/Paris", "Run by hand only"."""
    pick = schedule_from_cron(cron)
    at = f"{pick.at:%H:%M} {tz or 'UTC'}"
    if pick.frequency == MANUAL:
        return "Run by hand only"
    if pick.frequency == DAILY:
        return f"Every day at {at}"
    if pick.frequency == WEEKLY:
        return f"Every {dict(WEEKDAYS)[pick.weekday]} at {at}"
    return f"Custom schedule “{pick.cron}” ({tz or 'UTC'})"


def time_zone_choices() -> list[str]:
    """Every IANA zone name this machine knows, sorted (UTC first)."""
    from zoneinfo import available_timezones

    return ["UTC", *sorted(z for z in available_timezones() if z != "UTC" and "/" in z)]
