"""The stage functions: each binds one node of the graph to its engine.

A stage function gets its working directory (which becomes the artifact), the node's params
and its finished dependencies, and returns the JSON meta stored beside the files. Paths in
meta are relative to the artifact directory, so artifacts can move between machines.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.graph import NodeResult, StageContext, register_stage
from pipelines.product import AdScript, BrollClip, PresenterClip, Product, ProductImage, VoiceTrack


def _product(params: dict, deps: dict[str, NodeResult]) -> Product:
    if "scrape" in deps:
        return Product.model_validate(deps["scrape"].meta["product"])
    return Product.model_validate(params["product"])


def _script(deps: dict[str, NodeResult], variant: int) -> AdScript:
    return AdScript.model_validate(deps["script"].meta["scripts"][variant])


def _images(deps: dict[str, NodeResult]) -> list[tuple[ProductImage, Path]]:
    if "scrape" not in deps:
        return []
    base = deps["scrape"].dir
    return [(img, base / img.file) for img in
            (ProductImage.model_validate(i) for i in deps["scrape"].meta.get("images", []))]


@register_stage("scrape", "1", "io", volatile=True, volatile_keys=("elapsed_s", "fetch_path"))
def stage_scrape(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.scrape import ScrapeConfig, scrape

    config = ScrapeConfig.model_validate({**params.get("settings", {}),
                                          "allow_private_hosts": params.get("allow_private_hosts", False)})
    result = scrape(params["url"], config, ctx.workdir, report=ctx.report)
    return result.model_dump(mode="json")


@register_stage("script", "1", "cpu")
def stage_script(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.script import ScriptOptions, write_scripts

    if params.get("scripts"):
        scripts = [AdScript.model_validate(s) for s in params["scripts"]]
    else:
        options = ScriptOptions(
            variants=params["variants"], duration_s=params["duration_s"], language=params["language"],
            tone=params["tone"], frameworks=params.get("frameworks"), seed=params["seed"],
            brand_safety=params.get("brand_safety") or [],
        )
        product = _product(params, deps)
        scripts = write_scripts(product, options, engine=params["engine"], settings=params.get("settings"))
    return {"scripts": [s.model_dump(mode="json") for s in scripts]}


@register_stage("voice", "1", "cpu")
def stage_voice(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.voice import synthesize

    track = synthesize(_script(deps, params["variant"]), ctx.workdir,
                       engine=params["engine"], settings=params.get("settings"))
    return track.model_dump(mode="json")


@register_stage("avatar", "1", "cpu")
def stage_avatar(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.avatar import render_presenter

    voice_result = next(r for r in deps.values() if r.stage == "voice")
    voice = VoiceTrack.model_validate(voice_result.meta)
    clip = render_presenter(voice, voice_result.dir, ctx.workdir, engine=params["engine"],
                            settings={**params.get("settings", {}), "preview": params.get("preview", False)},
                            report=ctx.report)
    return clip.model_dump(mode="json")


@register_stage("broll", "2", "cpu")
def stage_broll(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.broll import BrollRequest, render_broll

    script = _script(deps, params["variant"])
    scene_index = params["scene"]
    scene = script.scenes[scene_index]
    voice = VoiceTrack.model_validate(next(r for r in deps.values() if r.stage == "voice").meta)
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
    product = _product(params, deps)
    request = BrollRequest(
        image=str(image_path) if image_path else None,
        subject_box=image.subject_box if image else None,
        prompt=scene.visual.split(":", 1)[1] if scene.visual.startswith("broll:") else scene.on_screen_text,
        product_title=product.title, camera=scene.camera, duration_s=duration,
        width=params["width"], height=params["height"], seed=params.get("seed", 0) + scene_index,
        preview=params.get("preview", False), cuts=cuts,
    )
    clip: BrollClip = render_broll(request, ctx.workdir, engine=params["engine"],
                                   settings=params.get("settings"), report=ctx.report, live=True)
    return clip.model_dump(mode="json")


@register_stage("render", "2", "cpu")
def stage_render(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.render import RenderOptions, build_timeline, render

    variant = params["variant"]
    script = _script(deps, variant)
    voice_result = deps[f"voice:{variant}"]
    avatar_result = deps.get(f"avatar:{variant}")
    brolls = {r.node_id: (BrollClip.model_validate(r.meta), r.dir) for r in deps.values() if r.stage == "broll"}
    broll_by_scene = {int(node_id.split(":")[2]): (clip, base / (clip.plan or clip.video))
                      for node_id, (clip, base) in brolls.items()}
    timeline = build_timeline(
        product=_product(params, deps),
        script=script,
        voice=VoiceTrack.model_validate(voice_result.meta),
        voice_dir=voice_result.dir,
        presenter=PresenterClip.model_validate(avatar_result.meta) if avatar_result else None,
        presenter_dir=avatar_result.dir if avatar_result else None,
        broll=broll_by_scene,
        brand=params.get("brand") or {},
    )
    options = RenderOptions.model_validate({
        **params.get("settings", {}), "platform": params.get("platform"), "preview": params.get("preview", False),
    })
    output = render(timeline, params["aspect"], ctx.workdir, options, report=ctx.report,
                    is_cancelled=ctx.is_cancelled)
    return {**output.model_dump(mode="json"), "timeline": timeline.model_dump(mode="json")}


@register_stage("export", "2", "io")
def stage_export(ctx: StageContext, params: dict, deps: dict[str, NodeResult]) -> dict:
    from pipelines.export import ProductBatch, export_batch

    batch = ProductBatch.from_results(params.get("url"), _product(params, deps), deps)
    # the batch folder and its zip (written beside it) both live inside the artifact
    manifest = export_batch([batch], ctx.workdir / "batch", engines=params.get("engines", {}), timings_s={},
                            zip=True)
    return {"manifest": manifest, "folder": "batch", "zip": "batch.zip"}
