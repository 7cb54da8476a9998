from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per live dramatiq worker process, refreshed every ADGEN_WORKER_HEARTBEAT_S.
    /healthz reads them; a row older than ADGEN_WORKER_STALE_S is a worker that died."""

    name = models.CharField(max_length=200, primary_key=True)  # hostname:pid
    hostname = models.CharField(max_length=200)
    pid = models.IntegerField()
    queues = models.JSONField(default=list)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    processed = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    cache_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["hostname", "pid"]

    def __str__(self):
        return self.name
