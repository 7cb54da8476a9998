"""Dramatiq middleware: each worker process writes a heartbeat row (queues, counts, its cache
size) that /healthz reads, and removes it when it shuts down cleanly."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from dramatiq.middleware import Middleware

log = logging.getLogger(__name__)
CACHE_SIZE_EVERY_S = 60.0  # the cache size is a folder walk: not on every beat


class WorkerHeartbeat(Middleware):
    def __init__(self):
        self.processed = self.failed = self.in_progress = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.name = ""

    def after_worker_boot(self, broker, worker):
        from django.conf import settings

        whitelist = getattr(worker, "consumer_whitelist", None)  # the --queues given, else every queue
        queues = sorted(q for q in (whitelist or broker.get_declared_queues()) if not q.endswith((".DQ", ".XQ")))
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat_forever, args=(queues, settings.ADGEN_WORKER_HEARTBEAT_S),
                                        name="adgen-heartbeat", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker, worker):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            from django.db import connection

            from adgen.ops.models import WorkerHeartbeat as Row

            Row.objects.filter(name=self.name).delete()
            connection.close()
        except Exception:  # the database may be gone already; the row goes stale instead
            log.warning("could not remove the heartbeat of %s", self.name, exc_info=True)

    def before_process_message(self, broker, message):
        with self._lock:
            self.in_progress += 1

    def after_process_message(self, broker, message, *, result=None, exception=None):
        with self._lock:
            self.in_progress -= 1
            self.processed += 1
            if exception is not None:
                self.failed += 1

    after_skip_message = after_process_message

    def _beat_forever(self, queues: list[str], interval_s: float) -> None:
        from django.db import connection
        from django.utils import timezone

        from adgen.ops.models import WorkerHeartbeat as Row

        started = timezone.now()
        cache_bytes, cache_at = None, 0.0
        while True:
            try:
                if time.monotonic() - cache_at > CACHE_SIZE_EVERY_S:
                    cache_bytes, cache_at = _cache_bytes(), time.monotonic()
                with self._lock:
                    counts = {"processed": self.processed, "failed": self.failed, "in_progress": self.in_progress}
                # a worker killed without shutting down leaves its row: gone from /healthz after a day
                Row.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
                Row.objects.update_or_create(name=self.name, defaults={
                    "hostname": socket.gethostname(), "pid": os.getpid(), "queues": queues, "started_at": started,
                    "seen_at": timezone.now(), "cache_bytes": cache_bytes, **counts})
            except Exception:  # a database blip: the next beat tries again
                log.warning("heartbeat of %s failed", self.name, exc_info=True)
                connection.close()
            if self._stop.wait(interval_s):
                break
        connection.close()


def _cache_bytes() -> int | None:
    from adgen.ops.selectors import artifact_store

    try:
        return artifact_store().stats().bytes
    except Exception:
        return None
