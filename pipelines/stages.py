"""The stage functions: each binds one node of the graph to its engine.

A stage function gets its working directory (which becomes the artifact), the node's typed
params (pipelines.jobs) and its finished dependencies, and returns the JSON meta stored beside
the files. Paths in meta are relative to the artifact directory, so artifacts can move between
machines. `STAGES` is the table both executors run from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipelines.engines import engine_get
from pipelines.errors import Cancelled
from pipelines.jobs import (AvatarParams, BrollParams, ExportParams, Node, RenderParams, ScrapeParams,
                            ScriptParams, StageParams, VoiceParams)
from pipelines.product import AdScript, BrollClip, PresenterClip, Product, ProductImage, VoiceTrack
from pipelines.store import ArtifactStore


@dataclass
class NodeResult:
    node_id: str
    stage: str
    key: str
    meta: dict
    dir: Path
    cached: bool = False
    elapsed_s: float = 0.0


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


StageFn = Callable[[StageContext, StageParams, dict[str, NodeResult]], dict]


@dataclass
class Stage:
    name: str
    version: str  # bump when a change alters what the stage makes: old artifacts are not reused
    fn: StageFn
    # volatile stages (scrape) always run; their output is addressed by its content instead
    volatile: bool = False
    volatile_keys: tuple[str, ...] = ()


STAGES: dict[str, Stage] = {}


def register_stage(name: str, version: str, *, volatile: bool = False, volatile_keys: tuple[str, ...] = ()):
    def decorate(fn: StageFn) -> StageFn:
        STAGES[name] = Stage(name, version, fn, volatile, volatile_keys)
        return fn

    return decorate


def _product(deps: dict[str, NodeResult]) -> Product:
    """The scraped product, or the one the job was given (the script node records it)."""
    if "scrape" in deps:
        return Product.model_validate(deps["scrape"].meta["product"])
    return Product.model_validate(deps["script"].meta["product"])


def _script(deps: dict[str, NodeResult], variant: int) -> AdScript:
    return AdScript.model_validate(deps["script"].meta["scripts"][variant])


def _images(deps: dict[str, NodeResult]) -> list[tuple[ProductImage, Path]]:
    if "scrape" not in deps:
        return []
    base = deps["scrape"].dir
    return [(img, base / img.file) for img in
            (ProductImage.model_validate(i) for i in deps["scrape"].meta.get("images", []))]


def _voice(deps: dict[str, NodeResult]) -> NodeResult:
    return next(r for r in deps.values() if r.stage == "voice")


@register_stage("scrape", "1", volatile=True, volatile_keys=("elapsed_s", "fetch_path"))
def stage_scrape(ctx: StageContext, params: ScrapeParams, deps: dict[str, NodeResult]) -> dict:
    scraper = engine_get("scrape", params.engine, {**params.settings,
                                                   "allow_private_hosts": params.allow_private_hosts})
    result = scraper(params.url, ctx.workdir, report=ctx.report)
    return result.model_dump(mode="json")


@register_stage("script", "2")
def stage_script(ctx: StageContext, params: ScriptParams, deps: dict[str, NodeResult]) -> dict:
    from pipelines.script import ScriptOptions, write_scripts

    if params.scripts:
        scripts = [AdScript.model_validate(s) for s in params.scripts]
    else:
        product = _product(deps) if "scrape" in deps else Product.model_validate(params.product)
        # no language asked for: the product page's own
        language = params.language or product.language or "en"
        options = ScriptOptions(
            variants=params.variants, duration_s=params.duration_s, language=language, tone=params.tone,
            frameworks=params.frameworks, seed=params.seed, brand_safety=params.brand_safety,
            words_per_second=params.words_per_second(language),
        )
        scripts = write_scripts(product, options, engine=params.engine, settings=params.settings)
    meta = {"scripts": [s.model_dump(mode="json") for s in scripts]}
    if "scrape" not in deps and params.product:
        meta["product"] = params.product
    return meta


@register_stage("voice", "1")
def stage_voice(ctx: StageContext, params: VoiceParams, deps: dict[str, NodeResult]) -> dict:
    from pipelines.voice import synthesize

    track = synthesize(_script(deps, params.variant), ctx.workdir, engine=params.engine, settings=params.settings)
    return track.model_dump(mode="json")


@register_stage("avatar", "1")
def stage_avatar(ctx: StageContext, params: AvatarParams, deps: dict[str, NodeResult]) -> dict:
    from pipelines.avatar import render_presenter

    voice_result = _voice(deps)
    voice = VoiceTrack.model_validate(voice_result.meta)
    clip = render_presenter(voice, voice_result.dir, ctx.workdir, engine=params.engine,
                            settings={**params.settings, "preview": params.preview}, report=ctx.report)
    return clip.model_dump(mode="json")


@register_stage("broll", "2")
def stage_broll(ctx: StageContext, params: BrollParams, deps: dict[str, NodeResult]) -> dict:
    from pipelines.broll import BrollRequest, render_broll

    script = _script(deps, params.variant)
    scene_index = params.scene
    scene = script.scenes[scene_index]
    voice = VoiceTrack.model_validate(_voice(deps).meta)
    if voice.scene_spans and scene_index < len(voice.scene_spans):
        start, end = voice.scene_spans[scene_index]
        duration = max(0.5, end - start)
    else:
        start, end, duration = 0.0, scene.duration_s, scene.duration_s
    # word onsets are the beats a cut can land on
    cuts = [round(w.start - start, 3) for w in voice.words if w.scene == scene_index and start < w.start < end]
    images = _images(deps)
    image, image_path = (None, None)
    if images:
        index = 0
        if scene.visual.startswith("product_image:"):
            try:
                index = int(scene.visual.split(":", 1)[1])
            except ValueError:
                index = 0
        else:
            index = scene_index
        image, image_path = images[index % len(images)]
    product = _product(deps)
    request = BrollRequest(
        image=str(image_path) if image_path else None,
        subject_box=image.subject_box if image else None,
        prompt=scene.visual.split(":", 1)[1] if scene.visual.startswith("broll:") else scene.on_screen_text,
        product_title=product.title, camera=scene.camera, duration_s=duration,
        width=params.width, height=params.height, seed=params.seed + scene_index,
        preview=params.preview, cuts=cuts,
    )
    clip: BrollClip = render_broll(request, ctx.workdir, engine=params.engine,
                                   settings=params.settings, report=ctx.report, live=True)
    return clip.model_dump(mode="json")


@register_stage("render", "2")
def stage_render(ctx: StageContext, params: RenderParams, deps: dict[str, NodeResult]) -> dict:
    from pipelines.render import build_timeline

    variant = params.variant
    script = _script(deps, variant)
    voice_result = deps[f"voice:{variant}"]
    avatar_result = deps.get(f"avatar:{variant}")
    brolls = {r.node_id: (BrollClip.model_validate(r.meta), r.dir) for r in deps.values() if r.stage == "broll"}
    broll_by_scene = {int(node_id.split(":")[2]): (clip, base / (clip.plan or clip.video))
                      for node_id, (clip, base) in brolls.items()}
    timeline = build_timeline(
        product=_product(deps),
        script=script,
        voice=VoiceTrack.model_validate(voice_result.meta),
        voice_dir=voice_result.dir,
        presenter=PresenterClip.model_validate(avatar_result.meta) if avatar_result else None,
        presenter_dir=avatar_result.dir if avatar_result else None,
        broll=broll_by_scene,
        brand=params.brand,
    )
    renderer = engine_get("render", params.engine, {**params.settings, "platform": params.platform,
                                                    "preview": params.preview})
    output = renderer(timeline, params.aspect, ctx.workdir, report=ctx.report, is_cancelled=ctx.is_cancelled)
    return {**output.model_dump(mode="json"), "timeline": timeline.model_dump(mode="json")}


@register_stage("export", "4")  # 4: files named by render_filename (v<n>, not the script id)
def stage_export(ctx: StageContext, params: ExportParams, deps: dict[str, NodeResult]) -> dict:
    from pipelines.export import ProductBatch, export_batch

    batch = ProductBatch.from_results(params.url, _product(deps), deps)
    # the batch folder and its zip (written beside it) both live inside the artifact
    manifest = export_batch([batch], ctx.workdir / "batch", engines=params.engines, timings_s={}, zip=True)
    return {"manifest": manifest, "folder": "batch", "zip": "batch.zip"}
