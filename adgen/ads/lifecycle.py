"""The job lifecycle on dramatiq: walks a job's plan from its StageRun rows in PostgreSQL, and
ends the job (delivered, or failed with a code and its hold released).

- `job_advance(job_id)` expands the graph from the finished runs (pipelines.jobs.plan), adds
  rows for newly known nodes, and enqueues (on commit) every pending run whose inputs are done.
  When every node is done it delivers the outputs and finishes the job.
- `stage_run_execute(run_id)` is the body of every stage actor: claim the run, run its node with
  pipelines.runner.run_node (cooperative cancellation + heartbeats), record the result, advance.
  It is idempotent: a duplicate or late message finds the run done/running and returns.
- `stage_runs_sweep()` re-enqueues runs whose message was lost or whose worker died.

Lock order everywhere: the job row, then its stage-run rows.
"""

from __future__ import annotations

import logging
from pathlib import Path
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from django.core.files import File
from django.core.files.storage import default_storage

from adgen.ads import billing_hooks
from adgen.ads.models import AdJob, Product, Render, StageRun, Variant
from adgen.ads.selectors import job_progress_percent
from adgen.ads.webhooks import webhooks_emit
from adgen.ops.selectors import artifact_store  # this process's store: a local folder or a bucket + cache
from pipelines.errors import Cancelled, PipelineError
from pipelines.jobs import JobSpec, Node, plan
from pipelines.runner import node_key, run_node
from pipelines.stages import NodeResult
from pipelines.store import ArtifactStore

log = logging.getLogger(__name__)

ACTIVE = (StageRun.Status.QUEUED, StageRun.Status.RUNNING)
FINISHED = (StageRun.Status.DONE, StageRun.Status.FAILED, StageRun.Status.CANCELLED)


def _jobs():
    return AdJob.objects.dangerously_unscoped()  # messages carry ids; the ids came from scoped code


def _runs():
    return StageRun.objects.dangerously_unscoped()


def stale_after() -> timedelta:
    return timedelta(seconds=settings.ADGEN_STAGE_STALE_S)


# --------------------------------------------------------------------------- enqueue


def enqueue_run(run: StageRun, *, delay_ms: int | None = None) -> None:
    """Send the run's message once the current transaction commits (never for rolled-back rows)."""
    run_id, stage, queue = run.pk, run.stage, run.queue

    def send():
        from adgen.ads.actors import send_stage

        send_stage(stage=stage, queue=queue, stage_run_id=run_id, delay_ms=delay_ms)

    transaction.on_commit(send)


def enqueue_advance(job_id) -> None:
    def send():
        from adgen.ads.actors import advance_job

        advance_job.send(str(job_id))

    transaction.on_commit(send)


# --------------------------------------------------------------------------- advancing


def _result(store: ArtifactStore, run: StageRun) -> NodeResult | None:
    if not run.artifact_key or not store.has(run.artifact_key):
        return None
    return NodeResult(run.node_id, run.stage, run.artifact_key, store.meta(run.artifact_key),
                      store.path(run.artifact_key), cached=run.cached, elapsed_s=run.elapsed_s or 0.0)


def job_nodes(job: AdJob, done: dict[str, NodeResult]) -> list[Node]:
    spec = JobSpec.model_validate(job.spec)
    nodes = plan(spec, done)
    if job.kind == AdJob.Kind.SCRAPE:
        nodes = [n for n in nodes if n.stage == "scrape"]
    return nodes


def job_advance(job_id) -> AdJob:
    """Bring the job's rows up to date with what has finished; enqueue what became ready."""
    store = artifact_store()
    with transaction.atomic():
        job = _jobs().select_for_update().get(pk=job_id)
        if job.is_terminal:
            return job
        runs = {r.node_id: r for r in _runs().filter(job=job)}
        failed = next((r for r in runs.values() if r.status == StageRun.Status.FAILED), None)
        if failed is not None:
            job_fail(job=job, code=failed.error_code or "stage_failed",
                              message=failed.error_message or f"The {failed.stage} stage failed.", stage=failed.stage)
            return job

        done: dict[str, NodeResult] = {}
        for run in runs.values():
            if run.status == StageRun.Status.DONE:
                result = _result(store, run)
                if result is None:  # its artifact vanished (store wiped): build it again
                    run.status, run.artifact_key, run.progress = StageRun.Status.PENDING, "", 0.0
                    run.save(update_fields=["status", "artifact_key", "progress"])
                else:
                    done[run.node_id] = result
        try:
            nodes = job_nodes(job, done)
        except PipelineError as exc:
            job_fail(job=job, code=exc.code, message=exc.message, stage=exc.stage or "")
            return job
        except Exception as exc:  # a malformed script or spec: a clear failure, never a stuck job
            log.exception("expanding job %s failed", job.pk)
            job_fail(job=job, code="invalid_job", message=f"The job cannot be planned: {exc}")
            return job

        for node in nodes:
            if node.id not in runs:
                runs[node.id] = StageRun.objects.create(
                    workspace_id=job.workspace_id, job=job, node_id=node.id, stage=node.stage, queue=node.queue,
                    params=node.params_json(), deps=list(node.deps))
        if "script" in done:
            job_variants_record(job=job, script_meta=done["script"].meta)

        now = timezone.now()
        for run in runs.values():
            if run.status == StageRun.Status.PENDING and all(d in done for d in run.deps):
                run.status, run.enqueued_at, run.heartbeat_at = StageRun.Status.QUEUED, now, now
                run.save(update_fields=["status", "enqueued_at", "heartbeat_at"])
                enqueue_run(run)

        node_ids = {n.id for n in nodes}
        if node_ids and node_ids <= set(done):
            job_complete(job=job, results={nid: done[nid] for nid in node_ids}, store=store)
            return job
        if not any(r.status in ACTIVE for r in runs.values()):
            # nothing is running or can start: a plan whose dependencies cannot be met ends here,
            # with its hold released, instead of being advanced for ever
            waiting = sorted(r.node_id for r in runs.values() if r.status == StageRun.Status.PENDING)
            job_fail(job=job, code="plan_stalled",
                              message=f"The job cannot go on: {', '.join(waiting[:5]) or 'no stage'} can never start.")
            return job
        if job.status == AdJob.Status.QUEUED:
            job.status, job.started_at = AdJob.Status.RUNNING, now
        job.progress = max(job.progress, job_progress_percent(job, list(runs.values())))
        job.save(update_fields=["status", "started_at", "progress"])
        return job


# --------------------------------------------------------------------------- executing


CANCEL_POLL_S = 0.5


class _Heartbeat(threading.Thread):
    """Writes the run's heartbeat + progress and watches for cancellation, off the stage's thread."""

    def __init__(self, run_id: int, attempt: int, job_id, interval_s: float):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.run_id, self.attempt, self.job_id, self.interval_s = run_id, attempt, job_id, interval_s
        self.cancelled = threading.Event()
        self.stopped = threading.Event()
        self.progress: tuple[float, str] | None = None

    def report(self, event) -> None:
        if event.status == "running":
            self.progress = (event.fraction, event.message or "")

    def beat(self) -> None:
        fields = {"heartbeat_at": timezone.now()}
        if self.progress is not None:
            fields["progress"], fields["message"] = self.progress[0], self.progress[1][:500]
        _runs().filter(pk=self.run_id, attempt=self.attempt, status=StageRun.Status.RUNNING).update(**fields)

    def watch_cancel(self) -> None:
        job = _jobs().filter(pk=self.job_id).values("status", "cancel_requested_at").first()
        if job is None or job["cancel_requested_at"] or job["status"] in AdJob.TERMINAL:
            self.cancelled.set()

    def run(self) -> None:
        last_beat = time.monotonic()
        try:
            # cancellation is polled often (a user waits on it); the heartbeat is written less often
            while not self.stopped.wait(CANCEL_POLL_S):
                try:
                    self.watch_cancel()
                    if time.monotonic() - last_beat >= self.interval_s:
                        self.beat()
                        last_beat = time.monotonic()
                except Exception:  # a DB blip must not kill the stage; the next beat retries
                    log.warning("heartbeat for stage run %s failed", self.run_id, exc_info=True)
        finally:
            connection.close()


def _claim(run_id: int) -> StageRun | None:
    with transaction.atomic():
        job_id = _runs().filter(pk=run_id).values_list("job_id", flat=True).first()
        if job_id is None:
            return None
        job = _jobs().select_for_update().get(pk=job_id)
        run = _runs().select_for_update().get(pk=run_id)
        if run.status not in ACTIVE:
            return None  # done, failed, cancelled, or not yet ready: a late or duplicate message
        if job.is_terminal or job.cancel_requested_at:
            run.status, run.finished_at = StageRun.Status.CANCELLED, timezone.now()
            run.save(update_fields=["status", "finished_at"])
            return None
        now = timezone.now()
        if run.status == StageRun.Status.RUNNING and run.heartbeat_at and now - run.heartbeat_at < stale_after():
            return None  # another worker is on it
        run.status, run.attempt = StageRun.Status.RUNNING, run.attempt + 1
        run.started_at = run.heartbeat_at = now
        run.progress, run.message = 0.0, ""
        run.save(update_fields=["status", "attempt", "started_at", "heartbeat_at", "progress", "message"])
        if job.status == AdJob.Status.QUEUED:
            job.status, job.started_at = AdJob.Status.RUNNING, now
            job.save(update_fields=["status", "started_at"])
        run.job = job
        return run


def _deps(store: ArtifactStore, run: StageRun) -> dict[str, NodeResult] | None:
    results = {}
    for dep in _runs().filter(job_id=run.job_id, node_id__in=run.deps, status=StageRun.Status.DONE):
        result = _result(store, dep)
        if result is None:
            return None
        results[dep.node_id] = result
    return results if len(results) == len(run.deps) else None


def _finish(run_id: int, attempt: int, **fields) -> bool:
    """Record the outcome if this attempt still owns the run; False when it was superseded."""
    with transaction.atomic():
        job_id = _runs().filter(pk=run_id).values_list("job_id", flat=True).first()
        _jobs().select_for_update().get(pk=job_id)
        updated = _runs().filter(pk=run_id, attempt=attempt, status=StageRun.Status.RUNNING).update(
            finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields)
    return bool(updated)


class RetryStage(Exception):
    """Raised to let dramatiq's Retries middleware run the stage again after a backoff."""


def stage_run_execute(run_id: int) -> str:
    """Run one stage run. Returns what happened: done | skipped | failed | cancelled.
    (Database connections are recycled around each message by django_dramatiq's middleware.)"""
    run = _claim(run_id)
    if run is None:
        return "skipped"
    store = artifact_store()
    deps = _deps(store, run)
    if deps is None:
        if run.attempt >= settings.ADGEN_STAGE_MAX_ATTEMPTS:  # it keeps vanishing: stop, say why
            if _finish(run.pk, run.attempt, status=StageRun.Status.FAILED, error_code="input_missing",
                       error_message=f"The {run.stage} stage's inputs could not be found in the artifact store "
                                     f"after {run.attempt} attempts."):
                job_advance(run.job_id)
            return "failed"
        # an input vanished: put the run back and let the executor rebuild what it needs
        _finish(run.pk, run.attempt, status=StageRun.Status.PENDING)
        job_advance(run.job_id)
        return "skipped"
    node = Node.from_json(run.node_id, run.stage, run.params, run.deps, run.queue)
    heartbeat = _Heartbeat(run.pk, run.attempt, run.job_id, interval_s=max(0.5, min(5.0, settings.ADGEN_STAGE_STALE_S / 4)))
    heartbeat.start()
    started = time.perf_counter()
    try:
        result = run_node(store, node, deps, report=heartbeat.report, is_cancelled=heartbeat.cancelled.is_set)
    except Cancelled:
        heartbeat.stopped.set()
        _finish(run.pk, run.attempt, status=StageRun.Status.CANCELLED, error_code="cancelled",
                error_message="The job was cancelled.")
        return "cancelled"
    except BaseException as exc:
        heartbeat.stopped.set()
        return _failed(run, exc)
    finally:
        heartbeat.stopped.set()
    ok = _finish(run.pk, run.attempt, status=StageRun.Status.DONE, cache_key=node_key(node, deps),
                 artifact_key=result.key, artifacts=result.meta, cached=result.cached, progress=1.0,
                 elapsed_s=round(time.perf_counter() - started, 3), error_code="", error_message="")
    if ok:
        job_advance(run.job_id)
    return "done" if ok else "skipped"


def _failed(run: StageRun, exc: BaseException) -> str:
    from dramatiq.middleware import Interrupt

    if isinstance(exc, PipelineError):
        code, message, retryable = exc.code, exc.message, exc.retryable
    elif isinstance(exc, Interrupt):  # TimeLimitExceeded / Shutdown
        code, message, retryable = "stage_timeout", f"The {run.stage} stage ran out of time.", True
    elif isinstance(exc, Exception):
        log.exception("stage run %s (%s) crashed", run.pk, run.node_id)
        code, message, retryable = "internal_error", f"The {run.stage} stage failed unexpectedly: {exc}", True
    else:
        raise exc
    if retryable and run.attempt < settings.ADGEN_STAGE_MAX_ATTEMPTS:
        if _finish(run.pk, run.attempt, status=StageRun.Status.QUEUED, error_code=code, error_message=message):
            raise RetryStage(f"{run.node_id} attempt {run.attempt}: {code}") from exc
        return "skipped"
    if _finish(run.pk, run.attempt, status=StageRun.Status.FAILED, error_code=code, error_message=message):
        job_advance(run.job_id)
    return "failed"


# --------------------------------------------------------------------------- sweeping


def stage_runs_sweep(*, stale_s: float | None = None) -> dict[str, int]:
    """Re-enqueue runs whose worker died (stale heartbeat) or whose message was lost, and
    advance jobs that have nothing in flight. Safe to run from many places at once."""
    stale = timedelta(seconds=stale_s if stale_s is not None else settings.ADGEN_STAGE_STALE_S)
    now = timezone.now()
    counts = {"requeued": 0, "advanced": 0, "cancelled": 0}
    with transaction.atomic():
        lost = list(_runs().select_for_update(skip_locked=True, of=("self",))
                    .filter(status__in=ACTIVE, heartbeat_at__lt=now - stale)
                    .exclude(job__status__in=AdJob.TERMINAL))
        for run in lost:
            run.status, run.heartbeat_at = StageRun.Status.QUEUED, now
            run.save(update_fields=["status", "heartbeat_at"])
            enqueue_run(run)
            counts["requeued"] += 1
    with transaction.atomic():
        # a worker died while its job was being cancelled or failed: nothing will finish the run
        orphans = (_runs()
                   .filter(status__in=ACTIVE, heartbeat_at__lt=now - stale, job__status__in=AdJob.TERMINAL))
        counts["cancelled"] = orphans.update(status=StageRun.Status.CANCELLED, finished_at=now)
    idle_jobs = (_jobs().filter(status__in=[AdJob.Status.QUEUED, AdJob.Status.RUNNING], created__lt=now - stale)
                 .exclude(stage_runs__status__in=ACTIVE).values_list("pk", flat=True))
    for job_id in list(idle_jobs):
        job_advance(job_id)
        counts["advanced"] += 1
    return counts


# --------------------------------------------------------------------------- outcomes


def job_fail(*, job: AdJob, code: str, message: str, stage: str = "") -> AdJob:
    """Called with the job row locked: record a clear error, stop the rest, release the hold."""
    now = timezone.now()
    job.status, job.finished_at = AdJob.Status.FAILED, now
    job.error_code, job.error_message, job.error_stage = code, message, stage
    job.save(update_fields=["status", "finished_at", "error_code", "error_message", "error_stage"])
    job.stage_runs.filter(status__in=[StageRun.Status.PENDING, StageRun.Status.QUEUED]).update(
        status=StageRun.Status.CANCELLED, finished_at=now)  # running ones stop themselves (see job_cancel)
    job_outputs_discard(job)
    billing_hooks.job_release(job=job)
    if job.kind == AdJob.Kind.SCRAPE and job.product_id:
        Product.objects.dangerously_unscoped().filter(pk=job.product_id).update(
            status=Product.Status.FAILED, error_code=code, error_message=message)
    else:
        webhooks_emit(job=job, event="ad.failed")
    return job


def job_variants_record(*, job: AdJob, script_meta: dict) -> None:
    if job.variants.exists():
        return
    Variant.objects.bulk_create([Variant(workspace_id=job.workspace_id, job=job, index=i, script=script)
                                 for i, script in enumerate(script_meta.get("scripts", []))])


def job_complete(*, job: AdJob, results: dict[str, NodeResult], store: ArtifactStore) -> AdJob:
    """Called with the job row locked once every node is done: deliver the outputs, capture the
    credits of what was delivered, release the rest, notify."""
    if job.kind == AdJob.Kind.SCRAPE:
        scrape = results["scrape"]
        product_data = scrape.meta.get("product") or {}
        Product.objects.dangerously_unscoped().filter(pk=job.product_id).update(
            status=Product.Status.READY, data=product_data, title=(product_data.get("title") or "")[:500],
            images=scrape.meta.get("images", []), artifact_key=scrape.key, error_code="", error_message="")
    else:
        saved: list[str] = []
        try:
            renders = _renders_deliver(job, results, saved)
            if "export" in results:
                job.export_artifact_key = results["export"].key
                job.archive = _export_archive(job, results["export"], saved) or ""
        except Exception:
            for name in saved:  # nothing half-delivered
                default_storage.delete(name)
            raise
        shares = _shares(job.quoted_credits or 0, len(renders))
        for render, share in zip(renders, shares):
            billing_hooks.render_capture(job=job, render=render, amount=share)
    billing_hooks.job_release(job=job)
    job.status, job.progress, job.finished_at = AdJob.Status.SUCCEEDED, 100, timezone.now()
    job.save(update_fields=["status", "progress", "finished_at", "export_artifact_key", "archive"])
    if job.kind == AdJob.Kind.AD:
        webhooks_emit(job=job, event="ad.completed")
    return job


def _shares(total: int, count: int) -> list[int]:
    """Split a quote over the delivered renders; the remainder goes to the first ones."""
    if count <= 0 or total <= 0:
        return [0] * max(count, 0)
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _store_file(source: Path, name: str, saved: list[str]) -> str:
    with open(source, "rb") as fh:
        stored = default_storage.save(name, File(fh))
    saved.append(stored)
    return stored


def _renders_deliver(job: AdJob, results: dict[str, NodeResult], saved: list[str]) -> list[Render]:
    from pipelines.media import media_info

    variants = {v.index: v for v in job.variants.all()}
    renders = []
    for node_id, result in sorted(results.items()):
        if result.stage != "render":
            continue
        meta = result.meta
        prefix = f"renders/{job.workspace_id}/{job.pk}/{node_id.replace(':', '_')}"
        video = result.dir / meta["file"]
        info = media_info(video)
        render = Render(workspace_id=job.workspace_id, job=job, node_id=node_id,
                        variant=variants.get(int(node_id.split(":")[1])), aspect=meta.get("aspect", ""),
                        platform=meta.get("platform") or "", artifact_key=result.key,
                        width=info.width or meta.get("width", 0), height=info.height or meta.get("height", 0),
                        duration_s=info.duration_s, size_bytes=info.size_bytes,
                        video_codec=info.video_codec or "", audio_codec=info.audio_codec or "",
                        facts={"fps": info.fps, "pix_fmt": info.pix_fmt, "profile": info.profile,
                               "sample_rate": info.sample_rate, "audio_duration_s": info.audio_duration_s,
                               "video_duration_s": info.video_duration_s})
        render.file.name = _store_file(video, f"{prefix}{video.suffix}", saved)
        if meta.get("thumbnail"):
            thumb = result.dir / meta["thumbnail"]
            render.thumbnail.name = _store_file(thumb, f"{prefix}{thumb.suffix}", saved)
        if meta.get("captions"):
            captions = result.dir / meta["captions"]
            render.captions.name = _store_file(captions, f"{prefix}{captions.suffix}", saved)
        render.save()
        renders.append(render)
    return renders


def _export_archive(job: AdJob, export: NodeResult, saved: list[str]) -> str | None:
    zips = sorted(export.dir.rglob("*.zip"))
    if not zips:
        return None
    return _store_file(zips[0], f"exports/{job.workspace_id}/{job.pk}/{zips[0].name}", saved)


def job_outputs_discard(job: AdJob) -> None:
    """A job that did not finish keeps no outputs (files and rows)."""
    for render in job.renders.all():
        for field in (render.file, render.thumbnail, render.captions):
            if field:
                field.delete(save=False)
    job.renders.all().delete()
    if job.archive:
        job.archive.delete(save=False)
        job.archive = ""
        job.save(update_fields=["archive"])
