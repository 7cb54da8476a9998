"""Schedules: cron on the campaign's wall clock, one run per tick, missed ticks once, one lock."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from adgen.campaigns import scheduler, services
from adgen.campaigns.models import CampaignRun

UTC = timezone.utc


def test_cron_is_read_on_the_campaigns_wall_clock():
    # Monday 09:00 in Shanghai is Monday 01:00 UTC; in New York across the DST change it moves
    assert scheduler.next_fire("0 9 * * mon", "Asia/Shanghai", datetime(2026, 11, 22, 12, tzinfo=UTC)) == \
        datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert scheduler.next_fire("0 9 * * *", "America/New_York", datetime(2026, 3, 7, 15, tzinfo=UTC)) == \
        datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # EDT from 8 March: 09:00 = 13:00 UTC
    assert scheduler.next_fire("0 9 * * *", "America/New_York", datetime(2026, 3, 6, 15, tzinfo=UTC)) == \
        datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # still EST
    with pytest.raises(scheduler.ScheduleError):
        scheduler.validate_schedule("every monday", "UTC")
    with pytest.raises(scheduler.ScheduleError):
        scheduler.validate_schedule("0 9 * * mon", "Mars/Olympus")


@pytest.fixture
def weekly(tenant, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_send_execute", sent.append)  # the run itself is not under test here
    clock = scheduler.ManualClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # a Sunday
    monkeypatch.setattr(services.timezone, "now", clock.now)
    campaign = services.campaign_create(workspace=tenant.workspace, name="Mondays", source_kind="urls",
                                        source_urls=["https://shop.example/p/1"], schedule="0 9 * * mon",
                                        time_zone="Asia/Shanghai")
    return campaign, clock, sent


def runs(campaign) -> list[CampaignRun]:
    return list(CampaignRun.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign).order_by("created"))


@pytest.mark.django_db(transaction=True)
def test_schedule_fires_at_the_right_wall_time_once(weekly):
    campaign, clock, sent = weekly
    assert campaign.next_run_at == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 23, 0, 59, 59, tzinfo=UTC))  # 08:59:59 in Shanghai
    assert scheduler.scheduler_tick(now=clock.now()) == []
    clock.set(datetime(2026, 11, 23, 1, 0, 5, tzinfo=UTC))
    [run] = scheduler.scheduler_tick(now=clock.now())
    assert run.trigger == "schedule" and run.scheduled_for == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert scheduler.scheduler_tick(now=clock.now()) == []  # same tick: nothing more
    campaign.refresh_from_db()
    assert campaign.next_run_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert sent == [run.pk]


@pytest.mark.django_db(transaction=True)
def test_missed_ticks_during_downtime_run_once_on_start(weekly):
    campaign, clock, sent = weekly
    clock.set(datetime(2026, 12, 16, 3, 0, tzinfo=UTC))  # three Mondays were missed
    stop = threading.Event()
    fired = []

    def on_fire(new):
        fired.extend(new)
        stop.set()  # one loop is enough

    scheduler.run_scheduler(clock=clock, stop=stop, interval_s=60, on_fire=on_fire)
    assert [r.scheduled_for for r in fired] == [datetime(2026, 12, 14, 1, 0, tzinfo=UTC)]  # the latest tick, once
    assert len(runs(campaign)) == 1
    campaign.refresh_from_db()
    assert campaign.next_run_at == datetime(2026, 12, 21, 1, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_the_lock_lets_one_scheduler_fire(weekly):
    campaign, clock, sent = weekly
    first, second = scheduler.SchedulerLock(), scheduler.SchedulerLock()
    try:
        assert first.acquire() and first.still_held()
        assert not second.acquire()  # a standby
        first.release()
        assert second.acquire()
    finally:
        first.release()
        second.release()

    # two scheduler processes racing on the same due tick: one run, never two
    clock.set(datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC))
    stop, fired, errors = threading.Event(), [], []

    def scheduler_process():
        try:
            scheduler.run_scheduler(clock=clock, stop=stop, interval_s=0.05, on_fire=fired.extend)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler_process) for _ in range(2)]
    for t in threads:
        t.start()
    stop.wait(1.5)
    stop.set()
    for t in threads:
        t.join(10)
    assert not errors
    assert len(fired) == 1 and len(runs(campaign)) == 1
    # and the database refuses a second run for the same tick even without the lock
    assert services.campaign_run_start(campaign=campaign, trigger="schedule",
                                       scheduled_for=fired[0].scheduled_for) is None


@pytest.mark.django_db(transaction=True)
def test_disabled_or_unscheduled_campaigns_do_not_fire(weekly):
    campaign, clock, sent = weekly
    services.campaign_update(campaign=campaign, enabled=False)
    assert campaign.next_run_at is None
    assert scheduler.scheduler_tick(now=datetime(2027, 1, 1, tzinfo=UTC)) == []
