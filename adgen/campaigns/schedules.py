"""Cron arithmetic for campaign schedules: croniter on each campaign's wall clock (DST-aware).

Pure functions, used by the services (validation, next run) and by the scheduler process.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone
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
