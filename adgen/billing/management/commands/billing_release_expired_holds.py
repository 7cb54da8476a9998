"""Release credit holds whose job died without saying so (run from cron or the job sweeper)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from adgen.billing.conf import hold_ttl_hours
from adgen.billing.services import holds_release_expired


class Command(BaseCommand):
    help = "Return to their accounts the credits of holds older than BILLING_HOLD_TTL_HOURS."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=float, default=None,
                            help=f"Age after which an open hold is released (default {hold_ttl_hours()}).")

    def handle(self, *args, older_than_hours=None, **options):
        age = timedelta(hours=older_than_hours) if older_than_hours is not None else None
        released = holds_release_expired(older_than=age)
        self.stdout.write(f"released {released} credits")
