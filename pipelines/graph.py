"""The stage graph and the content-addressed artifact cache.

A job is a small DAG of nodes (`scrape`, `script`, `voice:0`, `render:0:9x16`, ...). The DAG
grows as outputs arrive (the script decides how many variants and scenes exist), so it is
described by `expand(spec, done)`: given what has finished, every node that can be known now.
Both executors walk it the same way: the in-process one here, and the dramatiq one on the
Django side, which stores each node as a StageRun row.

Each node's output is a directory in the `ArtifactStore` addressed by a hash of (stage,
stage version, engine + settings, params, upstream artifact keys). A node whose key exists is
not run again, so a retry resumes at the failed stage and a re-run of the same job is free.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import Field

from pipelines.errors import Cancelled, PipelineError
from pipelines.product import ASPECTS, AdScript, BrandKit, Model, Product

META = "meta.json"

DEFAULT_ENGINES = {
    "scrape": "auto",
    "script": "template",
    "voice": "espeak",
    "avatar": "puppet",
    "broll": "motion",
    "render": "ffmpeg",
}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- store


class ArtifactStore:
    """Local folder of immutable artifact directories: `root/ab/abcdef.../meta.json + files`.

    An artifact appears atomically (built in a temp dir, then renamed), so a crash mid-stage
    leaves nothing that looks finished.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def has(self, key: str) -> bool:
        return (self.path(key) / META).is_file()

    def meta(self, key: str) -> dict:
        return json.loads((self.path(key) / META).read_text())

    def new_workdir(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-", dir=tmp))

    def commit(self, workdir: Path, key: str, meta: dict) -> Path:
        """Publish a finished workdir under `key`. If another worker won the race, keep theirs."""
        (workdir / META).write_text(canonical_json(meta))
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(workdir, final)
        except OSError:
            if not self.has(key):
                shutil.rmtree(final, ignore_errors=True)
                os.rename(workdir, final)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        return final


# --------------------------------------------------------------------------- job spec


class JobSpec(Model):
    """Everything that decides what a job produces. JSON-able: it crosses queues."""

    url: str | None = None
    product: Product | None = None  # a reviewed/edited product skips the scrape's facts
    scripts: list[AdScript] | None = None  # edited scripts skip the script writer
    variants: int = Field(2, ge=1, le=12)
    aspects: list[str] = Field(default_factory=lambda: list(ASPECTS))
    duration_s: float = Field(20.0, ge=6, le=90)
    language: str = "en"
    tone: str = "friendly"
    frameworks: list[str] | None = None
    seed: int = 0
    engines: dict[str, str] = Field(default_factory=dict)
    engine_settings: dict[str, dict] = Field(default_factory=dict)
    platform: str | None = None  # tiktok | reels | shorts | feed | youtube
    platforms: list[str] | None = None
    preview: bool = False
    brand: BrandKit = Field(default_factory=BrandKit)
    allow_private_hosts: bool = False

    def engine(self, stage: str) -> str:
        return self.engines.get(stage) or DEFAULT_ENGINES[stage]

    def settings(self, stage: str) -> dict:
        return dict(self.engine_settings.get(stage) or {})

    def aspect_platforms(self) -> list[tuple[str, str | None]]:
        platforms = self.platforms or [self.platform]
        return [(a, p) for a in self.aspects for p in platforms]


def aspect_slug(aspect: str) -> str:
    return aspect.replace(":", "x")


# --------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class Node:
    id: str  # "render:0:9x16:tiktok"
    stage: str  # "render"
    params: dict  # everything the stage needs besides its deps; part of the cache key
    deps: tuple[str, ...] = ()
    queue: str = "cpu"


@dataclass
class NodeResult:
    node_id: str
    stage: str
    key: str
    meta: dict
    dir: Path
    cached: bool = False
    elapsed_s: float = 0.0


StageFn = Callable[["StageContext", dict, dict[str, NodeResult]], dict]


@dataclass
class Stage:
    name: str
    version: str
    queue: str
    fn: StageFn
    # volatile stages (scrape) always run; their output is addressed by its content instead
    volatile: bool = False
    volatile_keys: tuple[str, ...] = ()


STAGES: dict[str, Stage] = {}


def register_stage(name: str, version: str, queue: str, *, volatile: bool = False,
                   volatile_keys: tuple[str, ...] = ()):
    def decorate(fn: StageFn) -> StageFn:
        STAGES[name] = Stage(name, version, queue, fn, volatile, volatile_keys)
        return fn

    return decorate


def _ensure_stages_loaded() -> None:
    if not STAGES:
        import pipelines.stages  # noqa: F401  (registers the stage functions)


def node_key(node: Node, deps: dict[str, NodeResult]) -> str:
    _ensure_stages_loaded()
    stage = STAGES[node.stage]
    return sha256_hex(canonical_json({
        "stage": stage.name,
        "version": stage.version,
        "params": node.params,
        "deps": {dep: deps[dep].key for dep in node.deps},
    }))


def expand(spec: JobSpec, done: dict[str, NodeResult], *, with_export: bool = True) -> list[Node]:
    """Every node of the job that can be known from what has finished so far."""
    nodes: list[Node] = []
    have_product = spec.product is not None
    if spec.url and not have_product:
        nodes.append(Node("scrape", "scrape", {
            "url": spec.url, "engine": spec.engine("scrape"), "settings": spec.settings("scrape"),
            "allow_private_hosts": spec.allow_private_hosts,
        }, queue="io"))
    script_deps = () if have_product else ("scrape",)
    nodes.append(Node("script", "script", {
        "engine": spec.engine("script"), "settings": spec.settings("script"),
        "product": spec.product.model_dump(mode="json") if have_product else None,
        "scripts": [s.model_dump(mode="json") for s in spec.scripts] if spec.scripts else None,
        "variants": spec.variants, "duration_s": spec.duration_s, "language": spec.language,
        "tone": spec.tone, "frameworks": spec.frameworks, "seed": spec.seed,
        "brand_safety": spec.brand.banned_words,
    }, script_deps, queue="cpu"))
    if "script" not in done:
        return nodes

    scripts = [AdScript.model_validate(s) for s in done["script"].meta["scripts"]]
    product_dep = () if have_product else ("scrape",)
    render_ids: list[str] = []
    for v, script in enumerate(scripts):
        voice_id, avatar_id = f"voice:{v}", f"avatar:{v}"
        nodes.append(Node(voice_id, "voice", {
            "variant": v, "engine": spec.engine("voice"),
            "settings": {**({"voice": spec.brand.voice} if spec.brand.voice else {}), **spec.settings("voice")},
        }, ("script",), queue="cpu"))
        uses_presenter = any(s.visual == "avatar" for s in script.scenes)
        if uses_presenter:
            avatar_engine = spec.engine("avatar")
            nodes.append(Node(avatar_id, "avatar", {
                "engine": avatar_engine,
                "settings": {**({"presenter": spec.brand.presenter} if spec.brand.presenter else {}),
                             "brand_color": spec.brand.primary_color, **spec.settings("avatar")},
                "preview": spec.preview,
            }, (voice_id,), queue="gpu" if avatar_engine in NEURAL_ENGINES else "cpu"))
        # one b-roll clip per scene, shared by every aspect: motion plans are drawn by the renderer
        # at each layout's size, and a generated (DiT) clip is made once at a size every aspect
        # can be framed from
        broll_ids = []
        broll_engine = spec.engine("broll")
        width, height = broll_master_size(spec.aspects)
        for s, scene in enumerate(script.scenes):
            if scene.visual == "avatar":
                continue
            broll_id = f"broll:{v}:{s}"
            nodes.append(Node(broll_id, "broll", {
                "variant": v, "scene": s, "engine": broll_engine, "settings": spec.settings("broll"),
                "width": width, "height": height, "preview": spec.preview, "seed": spec.seed,
            }, ("script", voice_id, *product_dep), queue="gpu" if broll_engine in NEURAL_ENGINES else "cpu"))
            broll_ids.append(broll_id)
        for aspect, platform in spec.aspect_platforms():
            render_id = f"render:{v}:{aspect_slug(aspect)}" + (f":{platform}" if platform else "")
            deps = ("script", voice_id, *((avatar_id,) if uses_presenter else ()), *product_dep, *broll_ids)
            nodes.append(Node(render_id, "render", {
                "variant": v, "aspect": aspect, "platform": platform,
                "engine": spec.engine("render"), "settings": spec.settings("render"),
                "preview": spec.preview, "brand": spec.brand.model_dump(mode="json"),
                "duration_s": spec.duration_s,
            }, deps, queue="cpu"))
            render_ids.append(render_id)
    if with_export:
        nodes.append(Node("export", "export", {
            "url": spec.url, "engines": {k: spec.engine(k) for k in DEFAULT_ENGINES},
            "product": spec.product.model_dump(mode="json") if have_product else None,
        }, ("script", *product_dep, *render_ids), queue="io"))
    return nodes


NEURAL_ENGINES = {"lipsync", "dit"}


def broll_master_size(aspects: list[str]) -> tuple[int, int]:
    """The size a scene's b-roll is made at: the aspect's own when the job has one, else a
    1080 square, from which every aspect's cover crop keeps the centre of the shot."""
    sizes = {ASPECTS[a] for a in aspects if a in ASPECTS}
    return sizes.pop() if len(sizes) == 1 else (1080, 1080)


# --------------------------------------------------------------------------- running


@dataclass
class ProgressEvent:
    node_id: str
    stage: str
    status: str  # running | done | cached | failed
    fraction: float = 0.0
    message: str = ""


@dataclass
class StageContext:
    store: ArtifactStore
    workdir: Path
    node: Node
    report: Callable[[float, str], None] = lambda fraction, message="": None
    is_cancelled: Callable[[], bool] = lambda: False

    def check_cancelled(self) -> None:
        if self.is_cancelled():
            raise Cancelled("The job was cancelled.", stage=self.node.stage)

    def dep_dir(self, deps: dict[str, NodeResult], node_id: str) -> Path:
        return deps[node_id].dir


def run_node(store: ArtifactStore, node: Node, deps: dict[str, NodeResult], *,
             report: Callable[[ProgressEvent], None] | None = None,
             is_cancelled: Callable[[], bool] = lambda: False) -> NodeResult:
    """Run one node, or return its cached artifact. Idempotent on the node's key."""
    _ensure_stages_loaded()
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
                nodes = expand(spec, run.results, with_export=with_export)
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
                        result = future.result()  # re-raises the stage's error
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
    w, h = ASPECTS.get(node.params.get("aspect") or "", (0, 0))
    seconds = max((float(results[d].meta.get("duration_s") or 0.0) for d in node.deps
                   if d in results and results[d].stage == "voice"), default=0.0)
    return _STAGE_ORDER["render"], -w * h * (seconds + 2.5)  # + the end card


def new_job_id() -> str:
    return uuid.uuid4().hex[:12]
