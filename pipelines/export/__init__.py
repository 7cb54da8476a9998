"""Export: a batch folder a brand uploads from, with manifest.json (the contract in issue 2).

Files are named by `render_filename`: `<product>_v<n>_<aspect>_<platform>.mp4` (+ .srt, .vtt, .jpg)
plus a post copy `<product>_v<n>_post.txt` per variant; the dashboard and the API name their
downloads with the same function. Every MP4 is checked with ffprobe before it is
announced in the manifest, so a manifest never names a broken file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import ExportError
from pipelines.media import has_faststart, media_info
from pipelines.product import ASPECTS, AdScript, Product, RenderOutput

__all__ = ["ProductBatch", "RenderedOutput", "export_batch", "export_combine", "export_files", "slugify",
           "adgen_version", "render_filename", "post_copy_filename", "archive_filename", "product_slug"]


def adgen_version() -> str:
    try:
        from importlib.metadata import version

        return version("adgen")
    except Exception:  # not installed as a distribution (running from a checkout)
        return "0.1.0"


def product_slug(title: str | None, url: str | None = None) -> str:
    """A file-name stem for the product: its title, or the page's URL name when the title is
    mostly non-Latin (a Chinese title would otherwise shrink to its digits). Up to 48 characters,
    cut between words: enough for most product names whole, short enough for a phone's file list."""
    from_title = slugify(title or "", 48)
    if len(from_title.replace("-", "")) >= 6:
        return from_title
    from urllib.parse import urlsplit

    page = urlsplit(url or "").path.rstrip("/").rsplit("/", 1)[-1]
    from_url = slugify(page.rsplit(".", 1)[0], 48) if page else ""
    return from_url if len(from_url) > len(from_title) else from_title


def render_filename(product_title: str | None, variant_index: int, aspect: str, platform: str | None, ext: str,
                    *, product_url: str | None = None, same_title_number: int = 1) -> str:
    """The one name a delivered file has wherever it is downloaded (export folder and zip, the
    dashboard, the API): `<product>_v<n>_<aspect>_<platform>.<ext>`, ASCII only, e.g.
    `cloud-nest-calming-cat-bed_v1_9x16_tiktok.mp4`. `variant_index` counts from 0 (shown from 1);
    `same_title_number` > 1 tells apart products of one export that share a title."""
    product = _product_part(product_title, product_url, same_title_number)
    return f"{product}_v{variant_index + 1}_{aspect.replace(':', 'x')}_{platform or 'generic'}.{ext.lstrip('.')}"


def post_copy_filename(product_title: str | None, variant_index: int, *, product_url: str | None = None,
                       same_title_number: int = 1) -> str:
    """A variant's post copy (caption, CTA, hashtags), named like its videos: `<product>_v<n>_post.txt`."""
    return f"{_product_part(product_title, product_url, same_title_number)}_v{variant_index + 1}_post.txt"


def archive_filename(product_title: str | None, job_id: str, *, product_url: str | None = None) -> str:
    """A job's zip of every file: `<product>_<job id's first 8>.zip` (one product has many jobs)."""
    return f"{product_slug(product_title, product_url)}_{str(job_id).replace('-', '')[:8]}.zip"


def _product_part(title: str | None, url: str | None, same_title_number: int) -> str:
    product = product_slug(title, url)
    return f"{product}-{same_title_number}" if same_title_number > 1 else product


def slugify(text: str, max_len: int = 40) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    if len(text) > max_len:  # cut at a word boundary when there is one
        head = text[:max_len + 1]
        cut = head.rsplit("-", 1)[0] if "-" in head else ""
        text = cut if len(cut) >= max_len // 2 else text[:max_len]
    return text.rstrip("-") or "item"


@dataclass
class RenderedOutput:
    variant: int
    output: RenderOutput
    dir: Path  # the render artifact directory holding output.file etc.
    layout: str | None = None


@dataclass
class ProductBatch:
    url: str | None
    product: Product
    scripts: list[AdScript]
    renders: list[RenderedOutput] = field(default_factory=list)
    # per variant: who speaks and who presents it (the manifest names them)
    voices: dict[int, dict] = field(default_factory=dict)
    presenters: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_results(cls, url: str | None, product: Product, deps: dict) -> "ProductBatch":
        """From finished graph nodes: "script", every "render:<variant>:<aspect>[:<platform>]",
        and the variants' "voice:<v>" and "avatar:<v>" when present."""
        scripts = [AdScript.model_validate(s) for s in deps["script"].meta["scripts"]]
        renders, voices, presenters = [], {}, {}
        for node_id, result in deps.items():
            if result.stage == "voice":
                meta = result.meta
                voices[int(node_id.split(":")[1])] = {
                    "engine": meta.get("voice_engine") or meta.get("engine"), "voice": meta.get("voice"),
                    "label": meta.get("voice_label") or None, "natural": meta.get("natural"),
                    "notice": meta.get("notice")}
            if result.stage == "avatar":
                presenters[int(node_id.split(":")[1])] = result.meta.get("engine")
            if result.stage != "render":
                continue
            variant = int(node_id.split(":")[1])
            output = RenderOutput.model_validate(result.meta)
            layout = (result.meta.get("timeline") or {}).get("layout")
            renders.append(RenderedOutput(variant, output, Path(result.dir), layout))
        order = list(ASPECTS)
        renders.sort(key=lambda r: (r.variant, order.index(r.output.aspect) if r.output.aspect in order else 99,
                                    r.output.platform or ""))
        return cls(url=url, product=product, scripts=scripts, renders=renders, voices=voices, presenters=presenters)


def _place(src: Path, dst: Path) -> None:
    """Hard-link when on the same filesystem (artifacts are immutable), else copy."""
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _check_video(path: Path, expected: RenderOutput) -> dict:
    try:
        info = media_info(path)
    except Exception as exc:  # ffprobe could not read it at all
        raise ExportError(f"{path.name} is not a readable video ({exc}).", code="bad_output") from None
    problems = []
    if (info.width, info.height) != (expected.width, expected.height):
        problems.append(f"size {info.width}x{info.height}, expected {expected.width}x{expected.height}")
    if info.video_codec != "h264":
        problems.append(f"video codec {info.video_codec}")
    if not info.audio_codec:
        problems.append("no audio")
    if info.duration_s <= 0.5:
        problems.append(f"duration {info.duration_s:.2f} s")
    if problems:
        raise ExportError(f"{path.name} failed its check: {', '.join(problems)}.", code="bad_output")
    return {"duration_s": round(info.duration_s, 3), "size_bytes": info.size_bytes,
            "video_codec": info.video_codec, "audio_codec": info.audio_codec, "fps": info.fps,
            "faststart": has_faststart(path)}


def post_copy(script: AdScript, product: Product, url: str | None) -> str:
    lines = [script.caption.strip() or script.hook.strip()]
    if script.cta:
        lines.append(f"{script.cta.strip()} {url or product.canonical_url or product.url}".strip())
    if script.hashtags:
        lines.append(" ".join(h if h.startswith("#") else f"#{h}" for h in script.hashtags))
    return "\n\n".join(line for line in lines if line) + "\n"


def export_batch(batches: list[ProductBatch], out_dir: Path, engines: dict, timings_s: dict,
                 zip: bool = False) -> dict:
    """Place every output in out_dir, check it, write manifest.json; returns the manifest."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    products_json = []
    used_slugs: dict[str, int] = {}  # product slug -> how many products of this export carry it
    written: list[Path] = []
    for batch in batches:
        title, page_url = batch.product.title, batch.product.canonical_url or batch.product.url
        slug = product_slug(title, page_url)
        used_slugs[slug] = same_title_number = used_slugs.get(slug, 0) + 1
        names = {"product_url": page_url, "same_title_number": same_title_number}
        variants_json = []
        for v, script in enumerate(batch.scripts):
            outputs = []
            layout = None
            for item in (r for r in batch.renders if r.variant == v):
                out = item.output
                layout = layout or item.layout
                src = item.dir / out.file
                if not src.is_file():
                    raise ExportError(f"The {out.aspect} render of variant {script.variant_id} is missing.",
                                      code="missing_output")
                video = out_dir / render_filename(title, v, out.aspect, out.platform, "mp4", **names)
                _place(src, video)
                checked = _check_video(video, out)
                entry = {"aspect": out.aspect, "width": out.width, "height": out.height,
                         "duration_s": checked["duration_s"], "file": video.name,
                         "captions": None, "thumbnail": None, "captions_vtt": None,
                         "platform": out.platform, "size_bytes": checked["size_bytes"],
                         "video_codec": checked["video_codec"], "audio_codec": checked["audio_codec"],
                         "fps": checked["fps"], "faststart": checked["faststart"]}
                for key, attr, ext in (("captions", "captions", "srt"), ("captions_vtt", "captions_vtt", "vtt"),
                                       ("thumbnail", "thumbnail", "jpg")):
                    name = getattr(out, attr)
                    if name and (item.dir / name).is_file():
                        dst = out_dir / render_filename(title, v, out.aspect, out.platform, ext, **names)
                        _place(item.dir / name, dst)
                        entry[key] = dst.name
                        written.append(dst)
                written.append(video)
                outputs.append(entry)
            copy_file = out_dir / post_copy_filename(title, v, **names)
            copy_file.write_text(post_copy(script, batch.product, batch.url), encoding="utf-8")
            written.append(copy_file)
            variants_json.append({"id": script.variant_id, "framework": script.framework,
                                  "language": script.language, "angle": script.angle, "layout": layout,
                                  "voice": batch.voices.get(v), "presenter": batch.presenters.get(v),
                                  "warnings": list(script.warnings),
                                  "script": script.model_dump(mode="json"), "post_copy": copy_file.name,
                                  "outputs": outputs})
        products_json.append({"url": batch.url or batch.product.url,
                              "product": batch.product.model_dump(mode="json"), "variants": variants_json})
    timings = dict(timings_s or {})
    timings.setdefault("export", round(time.perf_counter() - started, 3))
    manifest = {
        "adgen_version": adgen_version(),
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "engines": dict(engines or {}),
        "timings_s": timings,
        "products": products_json,
    }
    tmp = out_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out_dir / "manifest.json")
    if zip:
        zip_path = out_dir.parent / f"{out_dir.name}.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as zf:  # MP4s do not compress further
            for path in [*written, out_dir / "manifest.json"]:
                zf.write(path, f"{out_dir.name}/{path.name}")
        manifest["zip"] = zip_path.name  # beside the batch folder; never an absolute path
    return manifest


def export_files(manifest: dict) -> list[str]:
    """Every file a batch manifest names (videos, captions, thumbnails, post copy), in order."""
    names: list[str] = []
    for product in manifest.get("products", []):
        for variant in product.get("variants", []):
            for output in variant.get("outputs", []):
                names += [output[k] for k in ("file", "captions", "captions_vtt", "thumbnail") if output.get(k)]
            if variant.get("post_copy"):
                names.append(variant["post_copy"])
    return names


def _prefixed(manifest_product: dict, prefix: str) -> dict:
    product = json.loads(json.dumps(manifest_product))
    for variant in product.get("variants", []):
        for output in variant.get("outputs", []):
            for key in ("file", "captions", "captions_vtt", "thumbnail"):
                if output.get(key):
                    output[key] = f"{prefix}/{output[key]}"
        if variant.get("post_copy"):
            variant["post_copy"] = f"{prefix}/{variant['post_copy']}"
    return product


def export_combine(batch_dirs: list[Path], out_dir: Path, *, engines: dict, timings_s: dict,
                   failed: list[dict] | None = None, zip: bool = False) -> dict:
    """One folder and manifest from the export stage's batch folders (one per job): how the CLI
    packages several products. Files keep the export's names; a product whose names are taken
    already (two products with one title) goes into a subfolder of its own."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    products, written, taken = [], [], set()
    for n, batch_dir in enumerate(batch_dirs):
        manifest = json.loads((Path(batch_dir) / "manifest.json").read_text(encoding="utf-8"))
        names = export_files(manifest)
        prefix = "" if not taken & set(names) else f"product-{n + 1}"
        for name in names:
            target = out_dir / prefix / name if prefix else out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _place(Path(batch_dir) / name, target)
            written.append(target)
            taken.add(name)
        products += [_prefixed(p, prefix) if prefix else p for p in manifest["products"]]
    combined = {"adgen_version": adgen_version(),
                "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "engines": dict(engines or {}), "timings_s": dict(timings_s or {}), "products": products}
    if failed is not None:
        combined["failed"] = failed
    (out_dir / "manifest.json").write_text(json.dumps(combined, indent=2, ensure_ascii=False), encoding="utf-8")
    if zip:
        zip_path = out_dir.parent / f"{out_dir.name}.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as zf:
            for path in [*written, out_dir / "manifest.json"]:
                zf.write(path, f"{out_dir.name}/{path.relative_to(out_dir)}")
        combined["zip"] = zip_path.name
    return combined
