"""Running a job's plan: one node (`run_node`) and the in-process executor.

`run_node` is what every executor calls: the in-process one below (the CLI, the demo, the
tests) and the dramatiq one on the Django side (adgen.ads.executor), which stores each node as
a StageRun row. A node whose artifact key already exists in the store is not run again.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from pipelines.errors import PipelineError
from pipelines.jobs import JobSpec, Node, plan
from pipelines.product import ASPECTS
from pipelines.stages import STAGES, NodeResult, ProgressEvent, StageContext
from pipelines.store import ArtifactStore, canonical_json, sha256_hex


def node_key(node: Node, deps: dict[str, NodeResult]) -> str:
    stage = STAGES[node.stage]
    return sha256_hex(canonical_json({
        "stage": stage.name,
        "version": stage.version,
        "params": node.params_json(),
        "deps": {dep: deps[dep].key for dep in node.deps},
    }))


def run_node(store: ArtifactStore, node: Node, deps: dict[str, NodeResult], *,
             report: Callable[[ProgressEvent], None] | None = None,
             is_cancelled: Callable[[], bool] = lambda: False) -> NodeResult:
    """Run one node, or return its cached artifact. Idempotent on the node's key."""
    stage = STAGES[node.stage]
    emit = report or (lambda event: None)
    key = node_key(node, deps)
    if not stage.volatile and store.has(key):
        emit(ProgressEvent(node.id, node.stage, "cached", 1.0))
        return NodeResult(node.id, node.stage, key, store.meta(key), store.path(key), cached=True)

    workdir = store.new_workdir()
    started = time.perf_counter()
    ctx = StageContext(
        store, workdir, node,
        report=lambda fraction, message="": emit(
            ProgressEvent(node.id, node.stage, "running", max(0.0, min(1.0, fraction)), message)),
        is_cancelled=is_cancelled,
    )
    emit(ProgressEvent(node.id, node.stage, "running", 0.0))
    try:
        ctx.check_cancelled()
        meta = stage.fn(ctx, node.params, deps)
    except PipelineError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        exc.stage = exc.stage or node.stage
        emit(ProgressEvent(node.id, node.stage, "failed", 0.0, exc.message))
        raise
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        emit(ProgressEvent(node.id, node.stage, "failed", 0.0))
        raise
    if stage.volatile:
        stable = {k: v for k, v in meta.items() if k not in stage.volatile_keys}
        key = sha256_hex(canonical_json({"key": key, "content": stable}))
    path = store.commit(workdir, key, meta)
    elapsed = time.perf_counter() - started
    emit(ProgressEvent(node.id, node.stage, "done", 1.0))
    return NodeResult(node.id, node.stage, key, store.meta(key), path, elapsed_s=elapsed)


@dataclass
class JobRun:
    results: dict[str, NodeResult] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def renders(self) -> list[NodeResult]:
        return [r for r in self.results.values() if r.stage == "render"]


class InProcessExecutor:
    """Runs a job's graph in this process: the CLI, the demo and the tests use it.

    Independent ready nodes run on a small thread pool; the heavy lifting happens in
    ffmpeg/espeak/numpy, which release the GIL.
    """

    def __init__(self, store: ArtifactStore, *, workers: int | None = None,
                 report: Callable[[ProgressEvent], None] | None = None,
                 is_cancelled: Callable[[], bool] = lambda: False):
        self.store = store
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.report = report
        self.is_cancelled = is_cancelled
        self._lock = threading.Lock()

    def run(self, spec: JobSpec, *, with_export: bool = True) -> JobRun:
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        run = JobRun()
        running: dict[str, Any] = {}
        with ThreadPoolExecutor(self.workers) as pool:
            while True:
                nodes = plan(spec, run.results, with_export=with_export)
                ready = [n for n in nodes if n.id not in run.results and n.id not in running
                         and all(d in run.results for d in n.deps)]
                # a node starts only when a worker is free, chosen then: what unblocks renders first
                # (voice, b-roll, avatar), then the biggest renders, so a variant's renders start as
                # soon as its presenter is done and the batch ends on a small encode
                ready.sort(key=lambda n: schedule_order(n, run.results))
                for node in ready[:max(0, self.workers - len(running))]:
                    deps = {d: run.results[d] for d in node.deps}
                    running[node.id] = pool.submit(run_node, self.store, node, deps,
                                                   report=self.report, is_cancelled=self.is_cancelled)
                if not running:
                    missing = [n.id for n in nodes if n.id not in run.results]
                    if missing:  # pragma: no cover - a graph bug, not a user error
                        raise RuntimeError(f"graph stalled with unfinished nodes: {missing}")
                    break
                finished, _ = wait(running.values(), return_when=FIRST_COMPLETED)
                for node_id, future in list(running.items()):
                    if future in finished:
                        del running[node_id]
                        try:
                            result = future.result()  # re-raises the stage's error
                        except PipelineError:
                            raise
                        except Exception as exc:  # an engine bug still reaches the user as one line
                            stage = node_id.split(":", 1)[0]
                            raise PipelineError(f"The {stage} stage failed unexpectedly: {exc}",
                                                code="internal_error", stage=stage) from exc
                        run.results[node_id] = result
                        with self._lock:
                            run.timings_s[result.stage] = run.timings_s.get(result.stage, 0.0) + result.elapsed_s
        return run


# upstream stages in the order that unblocks a variant's renders soonest (a presenter needs its
# voice; b-roll nodes take a tenth of a second)
_STAGE_ORDER = {"scrape": 0, "script": 1, "voice": 2, "broll": 3, "avatar": 4, "render": 5, "export": 6}


def schedule_order(node: Node, results: dict[str, NodeResult]) -> tuple[int, float]:
    """Upstream stages first; renders by their work (pixels x seconds of voice), biggest first."""
    if node.stage != "render":
        return _STAGE_ORDER.get(node.stage, 4), 0.0
    w, h = ASPECTS.get(getattr(node.params, "aspect", ""), (0, 0))
    seconds = max((float(results[d].meta.get("duration_s") or 0.0) for d in node.deps
                   if d in results and results[d].stage == "voice"), default=0.0)
    return _STAGE_ORDER["render"], -w * h * (seconds + 2.5)  # + the end card


def new_job_id() -> str:
    return uuid.uuid4().hex[:12]
