"""Reads for the operator: what the services look like (/healthz), what active jobs reference."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from pipelines.store import ArtifactStore, open_store

QUEUES = ("io", "cpu", "gpu")


def artifact_store() -> ArtifactStore:
    """This process's artifact store, as the settings describe it (the bucket + local cache, or
    the local folder alone)."""
    return open_store(settings.ARTIFACT_ROOT, settings.ARTIFACT_STORE_URL,
                      cache_max_bytes=int(settings.ARTIFACT_CACHE_MAX_MB * 1024 * 1024),
                      grace_s=settings.ARTIFACT_CACHE_GRACE_S)


def active_artifact_keys() -> set[str]:
    """Artifact keys that unfinished jobs (and their products) still read: never evicted."""
    from adgen.ads.models import AdJob, StageRun

    active = [AdJob.Status.QUEUED, AdJob.Status.RUNNING]
    keys = set(StageRun.objects.dangerously_unscoped().filter(job__status__in=active)
               .exclude(artifact_key="").values_list("artifact_key", flat=True))
    return keys


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        ok = True
    except Exception as exc:  # the point of a health check: say what is down, never raise
        detail, ok = {"error": f"{type(exc).__name__}: {exc}"[:300]}, False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1), **detail}


def _database() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _broker_kind(broker) -> str:
    return type(broker).__name__.replace("Broker", "").lower()


def queue_depths(broker=None) -> dict[str, dict[str, int]]:
    """Messages waiting per queue (ready, delayed), from the broker itself."""
    import dramatiq
    from dramatiq.common import dq_name

    broker = broker or dramatiq.get_broker()
    kind = _broker_kind(broker)
    depths = {}
    for queue in QUEUES:
        if kind == "redis":
            client, ns = broker.client, broker.namespace
            depths[queue] = {"ready": int(client.llen(f"{ns}:{queue}")),
                             "delayed": int(client.llen(f"{ns}:{dq_name(queue)}"))}
        elif kind == "rabbitmq":
            if queue not in broker.get_declared_queues():
                broker.declare_queue(queue)
            ready, delayed, _dead = broker.get_queue_message_counts(queue)
            depths[queue] = {"ready": int(ready), "delayed": int(delayed)}
        elif kind == "stub":
            depths[queue] = {"ready": broker.queues[queue].qsize() if queue in broker.queues else 0,
                             "delayed": broker.queues[dq_name(queue)].qsize() if dq_name(queue) in broker.queues else 0}
    return depths


def _broker() -> dict:
    import dramatiq

    broker = dramatiq.get_broker()
    kind = _broker_kind(broker)
    if kind == "redis":
        broker.client.ping()
    return {"kind": kind, "queues": queue_depths(broker)}


def _storage() -> dict:
    from django.core.files.storage import storages

    storage = storages["default"]
    storage.exists("healthz-probe")  # a round trip to the bucket (or the folder)
    return {"backend": type(storage).__name__}


def _artifacts() -> dict:
    store = artifact_store()
    detail = {"backend": store.backend}
    if store.backend == "s3":
        store.client.head_bucket(Bucket=store.bucket)
        detail["url"] = store.url
    elif not store.root.is_dir():
        raise OSError(f"{store.root} is not a folder")
    return detail


def workers() -> list[dict]:
    from adgen.ops.models import WorkerHeartbeat

    stale_before = timezone.now() - timedelta(seconds=settings.ADGEN_WORKER_STALE_S)
    rows = []
    for row in WorkerHeartbeat.objects.all():
        rows.append({"name": row.name, "queues": row.queues, "alive": row.seen_at >= stale_before,
                     "seen_s_ago": round((timezone.now() - row.seen_at).total_seconds(), 1),
                     "processed": row.processed, "failed": row.failed, "in_progress": row.in_progress,
                     "cache_bytes": row.cache_bytes})
    return rows


def queues_without_worker(queues) -> list[str]:
    """Which of `queues` (those a waiting job needs) no live worker consumes: the dashboard's
    "no worker is running" banner. One query, and none at all when nothing waits."""
    from adgen.ops.models import WorkerHeartbeat

    needed = set(queues)
    if not needed:
        return []
    stale_before = timezone.now() - timedelta(seconds=settings.ADGEN_WORKER_STALE_S)
    consumed = {q for row in WorkerHeartbeat.objects.filter(seen_at__gte=stale_before).values_list("queues", flat=True)
                for q in row or ()}
    return sorted(needed - consumed, key=_queue_order)


def _queue_order(queue: str) -> tuple:
    return (QUEUES.index(queue) if queue in QUEUES else len(QUEUES), queue)


# every ad needs both (pages are read on io, scripts and renders run on cpu): one worker takes both
EVERY_JOB_NEEDS = ("io", "cpu")


def worker_gap(queues) -> dict | None:
    """The dashboard's banner for a job or product that waits: the queues nobody consumes and the
    command an operator runs, or None when a live worker covers them (or nothing waits)."""
    missing = queues_without_worker(queues)
    if not missing:
        return None
    start = set(missing) | (set(EVERY_JOB_NEEDS) if set(missing) & set(EVERY_JOB_NEEDS) else set())
    return {"queues": missing, "command": "adgen worker --queues " + ",".join(sorted(start, key=_queue_order))}


def health() -> tuple[bool, dict]:
    """(healthy, report). Healthy = database, broker, file storage and artifact store answer.
    Workers and queues are reported (a queue with work and no live consumer is a warning)."""
    checks = {"database": _timed(_database), "broker": _timed(_broker), "storage": _timed(_storage),
              "artifacts": _timed(_artifacts)}
    healthy = all(c["ok"] for c in checks.values())
    report = {"status": "ok" if healthy else "unavailable", "checks": checks}
    warnings = []
    if checks["database"]["ok"]:
        try:
            report["workers"] = workers()
        except Exception as exc:  # the ops table is missing before `adgen migrate`
            report["workers"] = []
            warnings.append(f"worker heartbeats unavailable: {exc}"[:200])
        consumed = {q for w in report["workers"] if w["alive"] for q in w["queues"]}
        for queue, depth in (checks["broker"].get("queues") or {}).items():
            if depth["ready"] and queue not in consumed:
                warnings.append(f"{depth['ready']} messages wait on '{queue}' and no live worker consumes it")
    report["warnings"] = warnings
    return healthy, report
