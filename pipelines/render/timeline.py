"""Build the aspect-independent Timeline of one variant from the stages' outputs."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

from pipelines.errors import RenderError
from pipelines.media import media_info
from pipelines.product import (AdScript, BrandKit, BrollClip, PresenterClip, Product, Timeline,
                               TimelineSegment, VoiceTrack)

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩",
                    "AUD": "A$", "CAD": "C$", "BRL": "R$", "CHF": "CHF ", "SEK": "kr ", "PLN": "zł "}
NO_DECIMALS = {"JPY", "KRW"}

# one layout per framework, so the variants of a batch look different from each other
LAYOUT_BY_FRAMEWORK = {"ugc": "fullbleed", "pas": "fullbleed", "aida": "pip", "demo": "split",
                       "listicle": "split", "offer": "showcase"}
LAYOUTS = ("fullbleed", "split", "pip", "showcase")
# A brand intro/outro is a sting, not content: longer clips are cut so the ad itself keeps the time.
BRAND_CLIP_MAX_S = 5.0


def format_price(value: float | None, currency: str | None) -> str | None:
    if value is None:
        return None
    code = (currency or "").upper()
    digits = 0 if code in NO_DECIMALS or (float(value).is_integer() and value >= 100) else 2
    amount = f"{value:,.{digits}f}"
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{symbol}{amount}"
    return f"{amount} {code}".strip()


def _scene_spans(script: AdScript, voice: VoiceTrack) -> list[tuple[float, float]]:
    n = len(script.scenes)
    if len(voice.scene_spans) >= n:
        return [tuple(s) for s in voice.scene_spans[:n]]
    if voice.words and all(w.scene is not None for w in voice.words):
        spans = []
        for i in range(n):
            ws = [w for w in voice.words if w.scene == i]
            spans.append((ws[0].start, ws[-1].end) if ws else None)
        if all(spans):
            return spans
    total = sum(max(0.1, s.duration_s) for s in script.scenes)
    spans, t = [], 0.0
    for s in script.scenes:
        d = voice.duration_s * max(0.1, s.duration_s) / total
        spans.append((t, t + d))
        t += d
    return spans


def brand_clip_seconds(path: str | None, fps: float, what: str) -> float:
    """How long a brand intro/outro clip plays: its length in whole frames, at most BRAND_CLIP_MAX_S."""
    if not path:
        return 0.0
    name = Path(path).name
    if not Path(path).is_file():
        raise RenderError(f"The brand kit's {what} clip {name} does not exist.", code="brand_kit_invalid")
    try:
        info = media_info(path)
    except (subprocess.CalledProcessError, ValueError, KeyError):
        info = None
    length = (info.video_duration_s or info.duration_s) if info and info.width else 0.0
    if length < 1 / fps:
        raise RenderError(f"The brand kit's {what} {name} is not a video we can play (a still image, or "
                          f"unreadable); use an MP4/MOV/WebM clip.", code="brand_kit_invalid")
    return math.floor(min(length, BRAND_CLIP_MAX_S) * fps + 1e-6) / fps


def build_timeline(product: Product, script: AdScript, voice: VoiceTrack, voice_dir: Path,
                   presenter: PresenterClip | None, presenter_dir: Path | None,
                   broll: dict[int, tuple[BrollClip, Path]], brand: dict | BrandKit) -> Timeline:
    """Segments follow the voice's scene spans; an end card follows the voice; the brand kit's intro
    and outro clips, when it has them, play before and after."""
    brand = brand if isinstance(brand, BrandKit) else BrandKit.model_validate(brand or {})
    fps = 30.0
    intro_s = brand_clip_seconds(brand.intro, fps, "intro")
    outro_s = brand_clip_seconds(brand.outro, fps, "outro")
    spans = _scene_spans(script, voice)
    voice_end = max(voice.duration_s, spans[-1][1] if spans else 0.0)
    voice_end = math.ceil(voice_end * fps - 1e-6) / fps
    # cut points sit between scenes (mid-gap), so visuals change in the pause, not mid-word
    cuts = [0.0] + [round((spans[i][1] + spans[i + 1][0]) / 2 * fps) / fps for i in range(len(spans) - 1)] + [voice_end]
    presenter_path = str(Path(presenter_dir) / presenter.video) if presenter and presenter_dir else None
    available = sorted(broll)
    segments = []
    for i, scene in enumerate(script.scenes):
        start, end = cuts[i], cuts[i + 1]
        if end - start <= 0:
            continue
        clip = None
        if scene.visual == "avatar" and presenter_path:
            kind, source, box = "avatar", presenter_path, presenter.face_box
        else:
            # a scene without its own clip borrows the nearest one (showcase layouts, no presenter)
            key = i if i in broll else (min(available, key=lambda k: (abs(k - i), k)) if available else None)
            clip, path = broll[key] if key is not None else (None, None)
            kind = "product_image" if scene.visual.startswith("product_image") or scene.visual == "avatar" else "broll"
            source, box = (str(path) if path else None), (clip.subject_box if clip else None)
        size = (clip.width, clip.height) if clip and clip.video and not clip.plan else None
        segments.append(TimelineSegment(start=start, end=end, kind=kind, source=source, subject_box=box,
                                        source_size=size, on_screen_text=scene.on_screen_text, scene=i))
    end_card_s = 2.5
    segments.append(TimelineSegment(start=voice_end, end=voice_end + end_card_s, kind="end_card",
                                    source=None, on_screen_text=brand.cta or script.cta))
    layout = LAYOUT_BY_FRAMEWORK.get(script.framework, "fullbleed") if presenter_path else "showcase"
    return Timeline(
        duration_s=intro_s + voice_end + end_card_s + outro_s, fps=fps,
        language=script.language or product.language,
        voice_audio=str(Path(voice_dir) / voice.audio), words=voice.words,
        presenter=presenter, presenter_path=presenter_path, segments=segments,
        product_title=product.title, price_text=format_price(product.price, product.currency),
        list_price_text=format_price(product.list_price, product.currency) if product.on_sale else None,
        cta=brand.cta or script.cta or "Shop now",
        brand=brand.model_copy(update={"name": brand.name or product.brand or ""}),
        layout=layout, end_card_s=end_card_s, intro_s=intro_s, outro_s=outro_s,
    )
