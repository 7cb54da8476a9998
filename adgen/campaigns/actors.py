"""Dramatiq actors for campaign runs (queue `io`: they read feeds, scrape, and move files;
the heavy work is the ads stage actors'). Messages carry run ids only."""

from __future__ import annotations

import dramatiq

MINUTE_MS = 60_000


@dramatiq.actor(queue_name="io", max_retries=3, min_backoff=5_000, time_limit=30 * MINUTE_MS)
def execute_campaign_run(run_id: str) -> None:
    from adgen.campaigns.services import campaign_run_execute

    campaign_run_execute(run_id=run_id)


@dramatiq.actor(queue_name="io", max_retries=3, min_backoff=5_000, time_limit=30 * MINUTE_MS)
def watch_campaign_run(run_id: str) -> None:
    """Settle finished products and deliver when all are; re-sends itself while work is out."""
    from adgen.campaigns.services import campaign_run_refresh

    campaign_run_refresh(run_id=run_id)


@dramatiq.actor(queue_name="io", max_retries=8, min_backoff=5_000, max_backoff=30 * MINUTE_MS, time_limit=MINUTE_MS)
def deliver_campaign_webhook(run_id: str) -> None:
    from adgen.campaigns.services import campaign_webhook_deliver

    campaign_webhook_deliver(run_id=run_id)


ACTORS = [execute_campaign_run, watch_campaign_run, deliver_campaign_webhook]
