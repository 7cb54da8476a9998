"""The end card: product, price and call to action on the brand's colours, drawn once with PIL
from a frame of the first product shot, shown for the end card's frames after the body."""

from __future__ import annotations

from pathlib import Path

import cv2
from PIL import Image

from pipelines.broll.motion import is_motion_plan, load_plan
from pipelines.product import TimelineSegment
from pipelines.render import cards
from pipelines.render.canvas import Canvas
from pipelines.render.filtergraph import Graph


def product_still(segments: list[TimelineSegment]) -> tuple[Image.Image | None, tuple | None, float]:
    """A frame that shows the product (for the end card), and where in its clip it was taken."""
    for seg in segments:
        if seg.kind in ("product_image", "broll") and is_motion_plan(seg.source):
            t = min(1.0, (seg.end - seg.start) / 2)
            clip = load_plan(seg.source)
            return Image.fromarray(clip.still(t)), clip.end_subject_box(), t
        if seg.kind in ("product_image", "broll") and seg.source and Path(seg.source).is_file():
            t = min(1.0, (seg.end - seg.start) / 2)
            # read in-process (OpenCV's FFmpeg): starting an ffmpeg for one frame costs ~3x as much
            capture = cv2.VideoCapture(seg.source)
            capture.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
            ok, frame = capture.read()
            capture.release()
            if ok:
                return Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)), seg.subject_box, t
    return None, None, 0.0


def draw(canvas: Canvas) -> Path:
    timeline, brand = canvas.timeline, canvas.brand
    still, still_box, _ = product_still(canvas.body_segments)
    return cards.end_card(canvas.work / "end.png", canvas.width, canvas.height, canvas.safe, brand=brand,
                          title=timeline.product_title, price=timeline.price_text,
                          list_price=timeline.list_price_text, cta=timeline.cta, language=timeline.language,
                          product_still=still, subject_box=still_box, brand_name=brand.name)


def chain(g: Graph, canvas: Canvas, png: Path) -> str:
    """The card as a clip of exactly the end card's frames."""
    idx = g.input("-i", png)
    card = g.label("card")
    fps = canvas.fps
    # a still comes in on a 1/25 s clock: N/30 s in it rounds to repeated timestamps, and the
    # encoder's constant rate would drop those frames, so the card gets the output's clock first
    g.add(f"[{idx}:v]format=yuv420p,loop=loop={max(0, canvas.clock.end_frames - 1)}:size=1:start=0,"
          f"settb=1/{fps:g},setpts=N,setsar=1[{card}]")
    return card
