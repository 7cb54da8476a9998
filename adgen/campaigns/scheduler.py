"""Campaign schedules: cron in each campaign's time zone, fired by ONE scheduler process.

- cron arithmetic lives in adgen.campaigns.schedules (the services use it too);
- `scheduler_tick(now=)`: fires every campaign whose `next_run_at` has passed, once, whatever
  the number of ticks it missed (downtime), then moves `next_run_at` past `now`.
- `SchedulerLock`: a PostgreSQL session advisory lock (a file lock on SQLite) so only one
  scheduler fires; a second process waits as a hot standby. The unique (campaign,
  scheduled_for) constraint on CampaignRun is the last line behind it.
- `Clock` / `ManualClock`: the scheduler asks a clock for the time, so tests can move it.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import zlib
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

from django.db import connections, transaction

from adgen.campaigns import services
from adgen.campaigns.models import Campaign
from adgen.campaigns.schedules import ScheduleError, last_fire, next_fire, schedule_reset, validate_schedule, zone  # noqa: F401

log = logging.getLogger(__name__)

LOCK_NAME = "adgen.campaigns.scheduler"
LOCK_KEY = zlib.crc32(LOCK_NAME.encode())  # a stable 32-bit advisory lock id


class Clock:
    def now(self) -> datetime:
        return datetime.now(dt_timezone.utc)

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        stop.wait(seconds)


class ManualClock(Clock):
    """A clock tests move by hand; `sleep` returns at once (after advancing, if asked)."""

    def __init__(self, now: datetime, *, advance_on_sleep: bool = False):
        self._now = now
        self.advance_on_sleep = advance_on_sleep

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, **delta) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        if self.advance_on_sleep:
            self._now += timedelta(seconds=seconds)
        stop.wait(0.01)


def scheduler_tick(*, now: datetime) -> list:
    """Fire each due campaign once. Safe to call concurrently (rows are claimed with SKIP LOCKED,
    and a tick's run is unique per campaign), but only the lock holder is meant to call it."""

    fired = []
    with transaction.atomic():
        due = list(Campaign.objects.dangerously_unscoped().select_for_update(skip_locked=True)
                   .filter(enabled=True, next_run_at__isnull=False, next_run_at__lte=now).exclude(schedule=""))
        for campaign in due:
            # downtime: many ticks may have passed; the run stands for the latest one, once
            tick = last_fire(campaign.schedule, campaign.time_zone, now)
            run = services.campaign_run_start(campaign=campaign, trigger="schedule", scheduled_for=tick)
            if run is not None:
                fired.append(run)
            campaign.next_run_at = next_fire(campaign.schedule, campaign.time_zone, now)
            campaign.save(update_fields=["next_run_at"])
    return fired


class SchedulerLock:
    """Held for the scheduler process's lifetime on its own database connection."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self._connection = None
        self._file = None

    def acquire(self) -> bool:
        settings_dict = connections[self.alias].settings_dict
        if settings_dict["ENGINE"].endswith("postgresql"):
            if self._connection is None:
                self._connection = connections.create_connection(self.alias)
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                return bool(cursor.fetchone()[0])
        # SQLite: one machine by definition; a file lock beside the database
        path = Path(str(settings_dict["NAME"]) + ".scheduler.lock")
        self._file = self._file or open(path, "a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                with self._connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            finally:
                self._connection.close()  # closing the session drops the lock in any case
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def still_held(self) -> bool:
        if self._connection is None:
            return self._file is not None
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                               "AND pid = pg_backend_pid() AND granted", [LOCK_KEY & 0xFFFFFFFF])
                return cursor.fetchone() is not None
        except Exception:
            return False


def run_scheduler(*, clock: Clock | None = None, stop: threading.Event | None = None, interval_s: float = 30.0,
                  on_fire=None) -> None:
    """The scheduler loop: wait for the lock (hot standby), fire what is due at once (missed runs
    run once on start), then every `interval_s`, and keep active runs moving."""

    clock = clock or Clock()
    stop = stop or threading.Event()
    lock = SchedulerLock()
    try:
        while not stop.is_set() and not lock.acquire():
            clock.sleep(interval_s, stop)
        while not stop.is_set():
            if not lock.still_held():  # the database connection dropped: stand by again
                lock.release()
                while not stop.is_set() and not lock.acquire():
                    clock.sleep(interval_s, stop)
                continue
            try:
                fired = scheduler_tick(now=clock.now())
                if on_fire is not None and fired:
                    on_fire(fired)
                services.campaign_runs_refresh_active()
            except Exception:  # a bad campaign or a DB blip must not stop every schedule
                log.exception("campaign scheduler tick failed")
            finally:
                connections.close_all()
            clock.sleep(interval_s, stop)
    finally:
        lock.release()
