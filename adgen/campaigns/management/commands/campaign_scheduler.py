"""`python manage.py campaign_scheduler`: the one process that fires campaign schedules.

Start it anywhere (as many as you like): one holds the lock and fires, the others stand by.
Missed ticks (downtime) fire once when it starts.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fire scheduled campaign runs (one process holds the lock; others wait as standby)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, interval: float, **options):
        from adgen.campaigns.scheduler import run_scheduler

        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())

        def fired(runs):
            for run in runs:
                self.stdout.write(f"fired run {run.pk} of campaign {run.campaign_id} for {run.scheduled_for}")

        self.stdout.write("campaign scheduler: waiting for the lock")
        run_scheduler(stop=stop, interval_s=interval, on_fire=fired)
