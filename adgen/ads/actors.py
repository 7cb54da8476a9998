"""Dramatiq actors: one per stage (queues io / cpu / gpu), the lifecycle's advance, webhooks, sweeper.

Messages carry ids only; all state is in PostgreSQL (see adgen.ads.lifecycle). Retries use
dramatiq's Retries middleware with exponential backoff; the lifecycle decides (from the StageRun's
attempt count) whether another attempt is allowed, so the database stays the authority.
"""

from __future__ import annotations

import dramatiq
from django.conf import settings

MINUTE_MS = 60_000
RETRY = {"max_retries": settings.ADGEN_STAGE_MAX_ATTEMPTS, "min_backoff": 2_000, "max_backoff": 5 * MINUTE_MS}

# (stage, default queue, time limit). Avatar and b-roll run on `gpu` when their engine is neural:
# the lifecycle routes those messages there (see send_stage).
STAGE_ACTORS = {
    "scrape": ("io", 5 * MINUTE_MS),
    "script": ("cpu", 10 * MINUTE_MS),
    "voice": ("cpu", 10 * MINUTE_MS),
    "avatar": ("cpu", 60 * MINUTE_MS),
    "broll": ("cpu", 60 * MINUTE_MS),
    "render": ("cpu", 30 * MINUTE_MS),
    "export": ("io", 10 * MINUTE_MS),
}


def _stage_actor(stage: str, queue: str, time_limit: int):
    def run_stage(stage_run_id: int) -> str:
        from adgen.ads.lifecycle import stage_run_execute

        return stage_run_execute(int(stage_run_id))

    run_stage.__name__ = f"stage_{stage}"
    run_stage.__qualname__ = run_stage.__name__
    return dramatiq.actor(run_stage, actor_name=f"stage_{stage}", queue_name=queue, time_limit=time_limit, **RETRY)


STAGE_ACTOR = {stage: _stage_actor(stage, queue, limit) for stage, (queue, limit) in STAGE_ACTORS.items()}
stage_scrape = STAGE_ACTOR["scrape"]
stage_script = STAGE_ACTOR["script"]
stage_voice = STAGE_ACTOR["voice"]
stage_avatar = STAGE_ACTOR["avatar"]
stage_broll = STAGE_ACTOR["broll"]
stage_render = STAGE_ACTOR["render"]
stage_export = STAGE_ACTOR["export"]


@dramatiq.actor(queue_name="gpu", max_retries=0, time_limit=MINUTE_MS)
def gpu_queue_declared() -> None:
    """Never sent: declares the `gpu` queue so `adgen worker --queues gpu` has one to consume."""


def send_stage(*, stage: str, queue: str, stage_run_id: int, delay_ms: int | None = None) -> None:
    actor = STAGE_ACTOR[stage]
    message = actor.message(stage_run_id)
    if queue != actor.queue_name:
        message = message.copy(queue_name=queue)
    actor.broker.enqueue(message, delay=delay_ms)


@dramatiq.actor(queue_name="io", time_limit=2 * MINUTE_MS, **RETRY)
def advance_job(job_id: str) -> None:
    from adgen.ads.lifecycle import job_advance

    job_advance(job_id)


@dramatiq.actor(queue_name="io", max_retries=8, min_backoff=5_000, max_backoff=30 * MINUTE_MS, time_limit=MINUTE_MS)
def deliver_webhook(delivery_id: str) -> None:
    from adgen.ads.webhooks import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)


@dramatiq.actor(queue_name="io", max_retries=0, time_limit=5 * MINUTE_MS)
def sweep_stage_runs() -> dict:
    from adgen.ads.lifecycle import stage_runs_sweep

    return stage_runs_sweep()
