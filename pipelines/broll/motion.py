"""`motion`: camera moves over a product photo, offline, faster than real time on a laptop CPU.

How it stays fast and smooth:
- the still is laid out once (cover-crop when the subject fits the frame, otherwise the sharp
  photo as a card on a blurred, darkened copy of itself) at a supersampled "canvas" resolution,
  and converted to YUV 4:2:0 once;
- every frame is then one float-matrix warp per plane (cv2.warpAffine / warpPerspective,
  bilinear, sub-pixel exact: no integer-crop jitter) written straight into an I420 buffer that
  is piped to x264; layered moves (parallax, orbit) add one premultiplied-alpha layer.
- the subject box (from the scraper, or a saliency estimate) bounds every view, so the
  product stays in frame.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
from pydantic import BaseModel, Field

from pipelines.broll.base import BrollRequest, FrameWriter, Report
from pipelines.broll.subject import Box, clamp_box, find_subject_box, subject_matte
from pipelines.errors import BrollError
from pipelines.product import BrollClip


class MotionConfig(BaseModel):
    intensity: float = Field(1.0, ge=0.0, le=2.5)  # scales zoom amounts and travel
    crf: int = Field(20, ge=0, le=40)
    preset: str = "ultrafast"  # the renderer re-encodes; this only has to be fast and clean
    fill: str = "auto"  # auto | cover | card: how a photo of another aspect fills the frame
    backdrop_dim: float = Field(0.55, ge=0.0, le=1.0)
    # clips longer than this are cut into several shots (0: one shot however long)
    max_shot_s: float = Field(3.5, ge=0.0, le=60.0)


# --------------------------------------------------------------------------- image + layout


def load_image(path: str) -> np.ndarray:
    """BGR uint8, EXIF-rotated, transparency flattened onto white (how shops show cut-outs)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "P"):
                img = img.convert("RGBA")
                white = Image.new("RGBA", img.size, (255, 255, 255, 255))
                img = Image.alpha_composite(white, img)
            rgb = np.asarray(img.convert("RGB"))
    except (FileNotFoundError, UnidentifiedImageError, OSError) as exc:
        raise BrollError(f"The product image could not be read ({Path(path).name}): {exc}",
                         code="broll_bad_image") from exc
    if rgb.shape[0] < 8 or rgb.shape[1] < 8:
        raise BrollError("The product image is too small to animate.", code="broll_bad_image")
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _ease(t: float) -> float:
    """Mostly constant speed (a cut lands mid-move) with softened ends."""
    t = min(1.0, max(0.0, t))
    return 0.6 * t + 0.4 * (t * t * (3 - 2 * t))


@dataclass
class Canvas:
    """The laid-out still. Coordinates in 'frame units' (output pixels at zoom 1)."""

    width: float  # canvas extent in frame units (>= output size)
    height: float
    scale: float  # canvas pixels per frame unit (supersampling)
    base: np.ndarray  # BGR, canvas pixels
    box: tuple[float, float, float, float]  # subject box in frame units
    matte: np.ndarray | None = None  # subject matte in canvas pixels, float [0,1]
    backdrop_fn: object = None  # makes the blurred, darkened version (reveal) when asked

    @property
    def backdrop(self) -> np.ndarray:
        if not isinstance(self.backdrop_fn, np.ndarray):
            self.backdrop_fn = self.backdrop_fn()
        return self.backdrop_fn
    layer: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (fg BGR, fg alpha, what is behind)
    # output pixels per photo pixel at zoom 1 (above 1 the photo is being enlarged); None: no photo
    photo_scale: float | None = None


def _backdrop(image: np.ndarray, width: int, height: int, dim: float) -> np.ndarray:
    """A designed fill: the photo enlarged to cover, heavily blurred, darkened, vignetted.

    All the blurring happens on a small copy; a blur this strong has no detail to lose.
    """
    h, w = image.shape[:2]
    small_w, small_h = max(8, round(width / 16)), max(8, round(height / 16))
    cover = max(small_w / w, small_h / h)
    cw, ch = max(small_w, round(w * cover)), max(small_h, round(h * cover))
    small = cv2.resize(image, (cw, ch), interpolation=cv2.INTER_AREA)
    x0, y0 = (cw - small_w) // 2, (ch - small_h) // 2
    small = small[y0:y0 + small_h, x0:x0 + small_w].astype(np.float32)
    small = cv2.GaussianBlur(small, (0, 0), max(small_w, small_h) / 30, borderType=cv2.BORDER_REFLECT)
    yy, xx = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    vignette = 1.0 - 0.35 * (((xx / small_w - 0.5) * 2) ** 2 + ((yy / small_h - 0.5) * 2) ** 2) / 2
    small = np.clip(small * dim * vignette[..., None], 0, 255)
    mid = cv2.resize(small, (max(8, width // 4), max(8, height // 4)), interpolation=cv2.INTER_CUBIC)
    mid = np.clip(cv2.GaussianBlur(mid, (0, 0), 2.0), 0, 255).astype(np.uint8)
    # the last step is linear (no overshoot), so it can run on 8-bit pixels at full size
    return cv2.resize(mid, (width, height), interpolation=cv2.INTER_LINEAR)


def _rounded_mask(width: int, height: int, radius: int) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    radius = max(0, min(radius, width // 2, height // 2))
    cv2.rectangle(mask, (radius, 0), (width - 1 - radius, height - 1), 255, -1)
    cv2.rectangle(mask, (0, radius), (width - 1, height - 1 - radius), 255, -1)
    for cx, cy in ((radius, radius), (width - 1 - radius, radius), (radius, height - 1 - radius),
                   (width - 1 - radius, height - 1 - radius)):
        cv2.circle(mask, (cx, cy), radius, 255, -1, lineType=cv2.LINE_AA)
    return mask


def layout(image: np.ndarray, box: Box, out_w: int, out_h: int, supersample: float,
           config: MotionConfig, *, want_matte: bool) -> Canvas:
    h, w = image.shape[:2]
    bx, by, bw, bh = box
    cover = max(out_w / w, out_h / h)
    view_w, view_h = out_w / cover, out_h / cover  # frame at zoom 1, in image pixels
    fits = bw * 1.08 <= view_w and bh * 1.08 <= view_h
    # a panorama would make a canvas many frames wide (memory, time): show it as a card instead
    reasonable = w * cover <= 3 * out_w and h * cover <= 3 * out_h
    use_cover = reasonable and (config.fill == "cover" or (config.fill == "auto" and fits))
    if use_cover:
        matte_src = subject_matte(image, box) if want_matte else None
        # the canvas is the whole photo scaled to cover: wide photos give real room to pan
        scale = cover * supersample
        cw, ch = _even(w * scale), _even(h * scale)
        base = cv2.resize(image, (cw, ch), interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
        matte = cv2.resize(matte_src, (cw, ch), interpolation=cv2.INTER_LINEAR) if matte_src is not None else None
        frame_box = (bx * cover, by * cover, bw * cover, bh * cover)
        canvas = Canvas(cw / supersample, ch / supersample, supersample, base, frame_box, matte,
                        photo_scale=cover)
        canvas.backdrop_fn = lambda: _backdrop(image, cw, ch, config.backdrop_dim * 0.8)
        return canvas

    # card layout: the sharp photo, rounded and shadowed, on its own blurred backdrop
    cw, ch = _even(out_w * supersample), _even(out_h * supersample)
    portrait = out_h > out_w * 1.1
    margin = 0.06 if portrait else 0.08
    fit = min(cw * (1 - 2 * margin) / w, ch * (1 - 2 * margin) / h)
    iw, ih = max(2, round(w * fit)), max(2, round(h * fit))
    x0, y0 = (cw - iw) // 2, (ch - ih) // 2
    backdrop = _backdrop(image, cw, ch, config.backdrop_dim)
    radius = round(min(iw, ih) * 0.045)
    card = np.zeros((ch, cw), np.float32)
    card[y0:y0 + ih, x0:x0 + iw] = _rounded_mask(iw, ih, radius).astype(np.float32) / 255
    # a soft drop shadow under the card (drawn and blurred at quarter size: it has no detail)
    q = 4
    shadow = np.zeros((ch // q, cw // q), np.float32)
    offset = round(ch * 0.012)
    cv2.rectangle(shadow, (x0 // q, (y0 + offset) // q), ((x0 + iw) // q, (y0 + offset + ih) // q), 1.0, -1)
    shadow = cv2.GaussianBlur(shadow, (0, 0), max(cw, ch) * 0.018 / q)
    shadow = cv2.resize(shadow, (cw, ch), interpolation=cv2.INTER_LINEAR) * 0.6
    # the card and its shadow form one layer (black where only the shadow is), so layered
    # moves float the whole card over its backdrop
    card_bgr = np.zeros((ch, cw, 3), np.uint8)
    photo = cv2.resize(image, (iw, ih), interpolation=cv2.INTER_CUBIC if fit > 1 else cv2.INTER_AREA)
    card_bgr[y0:y0 + ih, x0:x0 + iw] = photo
    alpha = card + shadow * (1 - card)
    # backdrop * (1 - alpha) + card: card_bgr is black outside the card and alpha == card inside it
    canvas_base = cv2.blendLinear(backdrop, card_bgr, 1.0 - alpha, alpha)
    s = supersample
    frame_box = ((x0 + bx * fit) / s, (y0 + by * fit) / s, bw * fit / s, bh * fit / s)
    canvas = Canvas(cw / s, ch / s, s, canvas_base, frame_box, matte=card, photo_scale=fit / s)
    canvas.layer = (card_bgr, alpha, backdrop)
    canvas.backdrop_fn = lambda: _backdrop(image, cw, ch, config.backdrop_dim * 0.8)
    return canvas


def abstract_canvas(out_w: int, out_h: int, supersample: float, seed: int, title: str) -> Canvas:
    """No photo: a soft gradient with out-of-focus light, coloured from the seed and title."""
    rng = np.random.default_rng([seed, sum(map(ord, title or "adgen"))])
    cw, ch = _even(out_w * supersample), _even(out_h * supersample)
    hue = rng.uniform(0, 180)
    top = cv2.cvtColor(np.uint8([[[hue, 140, 70]]]), cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)
    bottom = cv2.cvtColor(np.uint8([[[(hue + 25) % 180, 180, 25]]]), cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)
    ramp = np.linspace(0, 1, ch, dtype=np.float32)[:, None, None]
    base = np.broadcast_to(top * (1 - ramp) + bottom * ramp, (ch, cw, 3)).copy()
    lights = np.zeros((ch, cw), np.float32)
    for _ in range(14):
        cx, cy = rng.uniform(0, cw), rng.uniform(0, ch)
        radius = rng.uniform(0.03, 0.12) * max(cw, ch)
        cv2.circle(lights, (int(cx), int(cy)), int(radius), float(rng.uniform(0.15, 0.5)), -1, cv2.LINE_AA)
    lights = cv2.GaussianBlur(lights, (0, 0), max(cw, ch) / 80)
    base = np.clip(base + lights[..., None] * 255 * 0.6, 0, 255).astype(np.uint8)
    s = supersample
    box = (out_w * 0.25, out_h * 0.25, out_w * 0.5, out_h * 0.5)
    return Canvas(cw / s, ch / s, s, base, box, None, base.copy())


def _even(value: float) -> int:
    return max(2, int(math.ceil(value / 2.0)) * 2)


# --------------------------------------------------------------------------- camera


@dataclass
class View:
    zoom: float
    cx: float  # view centre, frame units
    cy: float


class CameraPath:
    """Per-frame views for one move, bounded by the canvas and the subject box."""

    def __init__(self, camera: str, canvas: Canvas, out_w: int, out_h: int, intensity: float):
        self.camera, self.canvas, self.w, self.h = camera, canvas, out_w, out_h
        self.k = intensity
        bx, by, bw, bh = canvas.box
        self.margin = 0.04 * min(out_w, out_h)
        self.subject_centre = (bx + bw / 2, by + bh / 2)
        # the largest zoom that still shows the whole subject (with margin)
        self.fit_zoom = max(1.0, min(out_w / (bw + 2 * self.margin), out_h / (bh + 2 * self.margin)))

    def clamp(self, zoom: float, cx: float, cy: float) -> View:
        c = self.canvas
        bx, by, bw, bh = c.box
        m = self.margin
        out = []
        for centre, size, extent, b0, bs in ((cx, self.w, c.width, bx, bw), (cy, self.h, c.height, by, bh)):
            half = size / (2 * zoom)
            low, high = half, extent - half  # the view stays on the canvas
            s_low, s_high = b0 + bs + m - half, b0 - m + half  # ... and holds the subject
            if s_low <= s_high:
                low2, high2 = max(low, s_low), min(high, s_high)
                if low2 <= high2:
                    low, high = low2, high2
            out.append(min(max(centre, low), high) if low <= high else extent / 2)
        return View(zoom, out[0], out[1])

    def zoom_target(self, amount: float) -> float:
        # push towards the subject, but never so far that it leaves the frame
        return max(1.0 + amount * 0.35, min(1.0 + amount, self.fit_zoom))

    def range_along(self, axis: int, zoom: float) -> tuple[float, float]:
        """Feasible view-centre interval on an axis (x=0, y=1) at this zoom."""
        lo = self.clamp(zoom, -1e9, -1e9)
        hi = self.clamp(zoom, 1e9, 1e9)
        return (lo.cx, hi.cx) if axis == 0 else (lo.cy, hi.cy)

    def max_zoom(self) -> float:
        return max(self.view(f / 20).zoom for f in range(21))

    def view(self, t: float) -> View:
        e = _ease(t)
        k = self.k
        sx, sy = self.subject_centre
        start = self.clamp(1.0, sx, sy)
        if self.camera in ("push_in", "parallax", "reveal", "rack_focus", "orbit"):
            amount = {"push_in": 0.16, "parallax": 0.06, "reveal": 0.08, "rack_focus": 0.06, "orbit": 0.08}[self.camera]
            z = 1.0 + (self.zoom_target(amount * k) - 1.0) * e
            return self.clamp(z, start.cx + (sx - start.cx) * e, start.cy + (sy - start.cy) * e)
        if self.camera == "pull_out":
            z_hi = self.zoom_target(0.16 * k)
            z = z_hi + (1.0 - z_hi) * e
            return self.clamp(z, sx + (start.cx - sx) * e, sy + (start.cy - sy) * e)
        if self.camera == "static":  # a locked-off shot still breathes a little
            return self.clamp(1.0 + 0.035 * k * e, sx, sy)
        axis = 0 if self.camera in ("pan_left", "pan_right") else 1
        z = self.zoom_target(0.18 * k)
        low, high = self.range_along(axis, z)
        size = self.w if axis == 0 else self.h
        travel = min(high - low, 0.2 * size * k)
        centre = (low + high) / 2
        a, b = centre - travel / 2, centre + travel / 2
        if self.camera in ("pan_left", "tilt_up"):  # the camera moves left/up: the view centre decreases
            a, b = b, a
        pos = a + (b - a) * e
        return self.clamp(z, pos, sy) if axis == 0 else self.clamp(z, sx, pos)


# --------------------------------------------------------------------------- YUV planes


def to_planes(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return i420_planes(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420), bgr.shape[1], bgr.shape[0])


def i420_planes(buffer: np.ndarray, width: int, height: int) -> list[np.ndarray]:
    """Y, U, V views into one contiguous I420 buffer (chroma planes are packed, not row-aligned)."""
    flat = buffer.reshape(-1)
    luma, chroma = width * height, (width // 2) * (height // 2)
    return [flat[:luma].reshape(height, width),
            flat[luma:luma + chroma].reshape(height // 2, width // 2),
            flat[luma + chroma:luma + 2 * chroma].reshape(height // 2, width // 2)]


_LUMA_FROM_CHROMA = np.array([[2, 0, 0.5], [0, 2, 0.5], [0, 0, 1]], np.float64)
_CHROMA_FROM_LUMA = np.linalg.inv(_LUMA_FROM_CHROMA)


def _chroma_matrix(m: np.ndarray) -> np.ndarray:
    """The luma-plane transform re-expressed for the half-resolution chroma planes."""
    return _CHROMA_FROM_LUMA @ m @ _LUMA_FROM_CHROMA


def _affine(view: View, canvas: Canvas, out_w: int, out_h: int) -> np.ndarray:
    """3x3 matrix mapping canvas pixels to output pixels for a view."""
    s = view.zoom / canvas.scale
    return np.array([[s, 0, out_w / 2 - view.cx * view.zoom], [0, s, out_h / 2 - view.cy * view.zoom], [0, 0, 1]])


def _warp(src: np.ndarray, m: np.ndarray, dst: np.ndarray, perspective: bool) -> None:
    size = (dst.shape[1], dst.shape[0])
    if perspective:
        cv2.warpPerspective(src, m, size, dst=dst, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    else:
        cv2.warpAffine(src, m[:2], size, dst=dst, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


class Layer:
    """A still in I420 planes (+ optional alpha) that can be warped into a frame.

    With alpha, planes are premultiplied (chroma around its 128 neutral point), so bilinear
    warping of colour and alpha stays consistent at the cut-out's edge; the layer is cropped to
    where its alpha is, and only the part of the frame it lands on is warped and blended.
    """

    def __init__(self, bgr: np.ndarray, alpha: np.ndarray | None = None):
        self.origin = (0, 0)
        self.alpha = None
        if alpha is not None:
            ys, xs = np.nonzero(alpha > 1 / 255)
            if len(xs):
                pad = 4
                x0, y0 = max(0, xs.min() - pad) // 2 * 2, max(0, ys.min() - pad) // 2 * 2
                x1 = min(alpha.shape[1], (xs.max() + pad + 2) // 2 * 2)
                y1 = min(alpha.shape[0], (ys.max() + pad + 2) // 2 * 2)
                bgr, alpha = bgr[y0:y1, x0:x1], alpha[y0:y1, x0:x1]
                self.origin = (x0, y0)
        planes = to_planes(np.ascontiguousarray(bgr))
        if alpha is not None:
            a = np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)
            a_c = cv2.resize(a, (a.shape[1] // 2, a.shape[0] // 2), interpolation=cv2.INTER_AREA)
            y = planes[0].astype(np.float32) * (a / 255.0)
            chroma = [(c.astype(np.float32) - 128) * (a_c / 255.0) + 128 for c in planes[1:]]
            y, u, v = (np.clip(p + 0.5, 0, 255).astype(np.uint8) for p in (y, *chroma))
            # colour and alpha warped together: one luma pass (Y, A), one chroma pass (U, V, A)
            self.alpha = True
            self.packed = (cv2.merge([y, a]), cv2.merge([u, v, a_c]))
            planes = [y, u, v]
        self.planes = planes

    def render(self, m: np.ndarray, out: list[np.ndarray], *, perspective: bool = False) -> None:
        if self.alpha is None:
            mc = _chroma_matrix(m)
            for i, plane in enumerate(self.planes):
                _warp(plane, m if i == 0 else mc, out[i], perspective)
            return
        m = m @ _translate(*self.origin)
        h, w = self.planes[0].shape
        corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float64) @ m.T
        corners = corners[:, :2] / corners[:, 2:3]
        out_h, out_w = out[0].shape
        x0 = max(0, int(math.floor(corners[:, 0].min())) - 2) // 2 * 2
        y0 = max(0, int(math.floor(corners[:, 1].min())) - 2) // 2 * 2
        x1 = min(out_w, (int(math.ceil(corners[:, 0].max())) + 4) // 2 * 2)
        y1 = min(out_h, (int(math.ceil(corners[:, 1].max())) + 4) // 2 * 2)
        if x1 <= x0 or y1 <= y0:
            return
        m = _translate(-x0, -y0) @ m
        # premultiplied "over" inside the region the layer lands on: out = fg + out * (1 - a)
        luma = out[0][y0:y1, x0:x1]
        ya = _warped(self.packed[0], m, (x1 - x0, y1 - y0), perspective, border=cv2.BORDER_CONSTANT)
        inv = cv2.subtract(255, ya[..., 1])
        luma[...] = cv2.add(ya[..., 0], cv2.multiply(luma, inv, scale=1 / 255))
        cx0, cy0, cx1, cy1 = x0 // 2, y0 // 2, x1 // 2, y1 // 2
        # outside the layer: neutral chroma (128), no alpha
        uva = _warped(self.packed[1], _chroma_matrix(m), (cx1 - cx0, cy1 - cy0), perspective,
                      border=cv2.BORDER_CONSTANT, value=(128, 128, 0, 0))
        inv = cv2.subtract(255, uva[..., 2]).astype(np.int16)
        for i in (1, 2):
            target = out[i][cy0:cy1, cx0:cx1]
            # chroma is premultiplied around 128: out = fg + (out - 128) * (1 - a)
            bg = (target.astype(np.int16) - 128) * inv // 255
            target[...] = np.clip(uva[..., i - 1].astype(np.int16) + bg, 0, 255)


def _warped(src: np.ndarray, m: np.ndarray, size: tuple[int, int], perspective: bool,
            border: int = cv2.BORDER_REPLICATE, value: tuple = (0, 0, 0, 0)) -> np.ndarray:
    if perspective:
        return cv2.warpPerspective(src, m, size, flags=cv2.INTER_LINEAR, borderMode=border, borderValue=value)
    return cv2.warpAffine(src, m[:2], size, flags=cv2.INTER_LINEAR, borderMode=border, borderValue=value)


def _inpaint_subject(bgr: np.ndarray, matte: np.ndarray) -> np.ndarray:
    """The photo with the subject filled from its surroundings (what parallax reveals)."""
    h, w = bgr.shape[:2]
    scale = min(1.0, 256 / max(h, w))
    sw, sh = max(8, round(w * scale)), max(8, round(h * scale))
    small = cv2.resize(bgr, (sw, sh), interpolation=cv2.INTER_AREA)
    hole = cv2.resize((matte > 0.1).astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST)
    hole = cv2.dilate(hole, np.ones((7, 7), np.uint8))
    filled = cv2.inpaint(small, hole, 5, cv2.INPAINT_TELEA)
    filled = cv2.GaussianBlur(filled, (0, 0), 2.0)
    filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_CUBIC)
    grown = cv2.GaussianBlur(cv2.dilate(matte, np.ones((15, 15), np.uint8)), (0, 0), 4)[..., None]
    return (bgr * (1 - grown) + filled * grown).astype(np.uint8)


# --------------------------------------------------------------------------- engine


class MotionClip:
    """One request's frames at one size: its shots drawn on demand into one reused I420 buffer.

    The engine encodes them to a file; the renderer draws them live into its own ffmpeg (a plan
    costs nothing to store and the frames come out at exactly the size the layout shows)."""

    def __init__(self, request: BrollRequest, config: MotionConfig, width: int, height: int):
        self.request, self.config = request, config
        self.width, self.height = width // 2 * 2, height // 2 * 2
        self.shots = shot_plan(request, config)
        self.frame_count = request.frame_count()
        self.fps = request.fps
        self._photo_cache: dict = {}
        self._shared: Canvas | None = None
        self.buffer = np.empty((self.height * 3 // 2, self.width), np.uint8)
        self._planes = i420_planes(self.buffer, self.width, self.height)

    def _renderer(self, shot: int) -> "_FrameRenderer":
        _, camera, intensity = self.shots[shot]
        config = self.config.model_copy(update={"intensity": intensity})
        return prepare(self.request.model_copy(update={"camera": camera}), self.width, self.height, config,
                       photo_cache=self._photo_cache, shared_canvas=self._canvas())

    def _canvas(self) -> "Canvas":
        """One layout for every shot: supersampled for the deepest of their zooms, with the
        subject matte when any shot is layered."""
        if self._shared is None:
            supersample = supersample_for(max(intensity for _, _, intensity in self.shots))
            if self.request.image:
                image, box = _photo(self.request, self._photo_cache)
                want_matte = any(camera in LAYERED_CAMERAS for _, camera, _ in self.shots)
                self._shared = layout(image, box, self.width, self.height, supersample, self.config,
                                      want_matte=want_matte)
            else:
                self._shared = abstract_canvas(self.width, self.height, supersample, self.request.seed,
                                               self.request.product_title)
        return self._shared

    def frames(self, limit: int | None = None) -> Iterator[np.ndarray]:
        """The I420 frames in order (the same buffer, redrawn: consume each before the next)."""
        drawn = 0
        for shot, (shot_frames, _, _) in enumerate(self.shots):
            renderer = self._renderer(shot)
            for index in range(shot_frames):
                if limit is not None and drawn >= limit:
                    return
                renderer.draw(index / max(1, shot_frames - 1), self._planes)
                drawn += 1
                yield self.buffer

    def detail_scale(self) -> float:
        """The photo's own detail relative to this size at the tightest framing of any shot.

        Below 1 the moves only enlarge the photo, so drawing the frames that much smaller and
        upscaling them in the encoder's graph loses nothing the photo had, and saves most of the
        drawing (a web shop's 600 px photo filling a 1080x1920 frame: 0.5). 1.0 means full size."""
        canvas = self._canvas()
        if canvas.photo_scale is None:
            return 0.5  # a designed gradient backdrop has no fine detail
        zoom = max(CameraPath(camera, canvas, self.width, self.height, intensity).max_zoom()
                   for _, camera, intensity in self.shots)
        # layered moves bring the subject up to ~8 % closer than the camera's own zoom
        return min(1.0, max(0.5, 1.0 / (canvas.photo_scale * zoom * 1.08)))

    def still(self, t: float) -> np.ndarray:
        """RGB frame at t seconds (a product still for end cards)."""
        frame = min(self.frame_count - 1, max(0, round(t * self.fps)))
        for shot, (shot_frames, _, _) in enumerate(self.shots):
            if frame < shot_frames or shot == len(self.shots) - 1:
                break
            frame -= shot_frames
        self._renderer(shot).draw(min(1.0, frame / max(1, shot_frames - 1)), self._planes)
        return cv2.cvtColor(self.buffer, cv2.COLOR_YUV2RGB_I420)

    def end_subject_box(self) -> tuple[int, int, int, int]:
        """The subject box as it sits at the end of the last move, in output pixels."""
        renderer = self._renderer(len(self.shots) - 1)
        end = renderer.path.view(1.0)
        bx, by, bw, bh = renderer.canvas.box
        x0 = (bx - end.cx) * end.zoom + self.width / 2
        y0 = (by - end.cy) * end.zoom + self.height / 2
        return clamp_box((x0, y0, bw * end.zoom, bh * end.zoom), self.width, self.height)


PLAN_SUFFIX = ".plan.json"


def is_motion_plan(path: str | Path | None) -> bool:
    return bool(path) and str(path).endswith(PLAN_SUFFIX)


def load_plan(path: str | Path, width: int | None = None, height: int | None = None) -> MotionClip:
    """The clip a stored plan describes, drawn at width x height (default: the planned size;
    the image sits beside the plan)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        request = BrollRequest.model_validate(data["request"])
        config = MotionConfig.model_validate(data["config"])
    except (OSError, ValueError, KeyError) as exc:
        raise BrollError(f"The b-roll plan {path.name} could not be read: {exc}", code="broll_bad_plan") from exc
    if request.image:
        request = request.model_copy(update={"image": str(path.parent / request.image)})
    planned_w, planned_h = request.output_size()
    return MotionClip(request, config, width or planned_w, height or planned_h)


class MotionEngine:
    def __init__(self, config: MotionConfig):
        self.config = config

    def __call__(self, request: BrollRequest, out_dir: Path, report: Report | None = None) -> BrollClip:
        report = report or (lambda fraction, message="": None)
        clip = MotionClip(request, self.config, *request.output_size())
        video = out_dir / "broll.mp4"
        with FrameWriter(video, clip.width, clip.height, request.fps, crf=self.config.crf,
                         preset=self.config.preset, pix_fmt="yuv420p") as writer:
            for done, buffer in enumerate(clip.frames(), 1):
                writer.write(buffer)
                if done % 15 == 0:
                    report(0.02 + 0.98 * done / clip.frame_count, f"frame {done}/{clip.frame_count}")
        return self._describe(clip, video=video.name)

    def plan(self, request: BrollRequest, out_dir: Path) -> BrollClip:
        """Store what to draw instead of drawing it: the renderer draws the frames live."""
        clip = MotionClip(request, self.config, *request.output_size())
        stored = request
        if request.image:
            image = Path(request.image)
            name = "image" + image.suffix.lower()
            shutil.copyfile(image, out_dir / name)  # the plan travels with its own photo
            stored = request.model_copy(update={"image": name})
        plan = out_dir / f"broll{PLAN_SUFFIX}"
        plan.write_text(json.dumps({"request": stored.model_dump(mode="json"),
                                    "config": self.config.model_dump(mode="json")}))
        return self._describe(clip, plan=plan.name)

    def _describe(self, clip: MotionClip, **files) -> BrollClip:
        request = clip.request
        return BrollClip(**files, width=clip.width, height=clip.height, fps=request.fps,
                         duration_s=clip.frame_count / request.fps, subject_box=clip.end_subject_box(),
                         engine="motion", seed=request.seed, prompt=request.prompt or None)


# after the requested move, the shots that cut well with it (a wide, a detail, a counter-move)
_FOLLOW_UPS = ("push_in", "pan_right", "pull_out", "parallax", "pan_left", "tilt_up")


def shot_plan(request: BrollRequest, config: MotionConfig) -> list[tuple[int, str, float]]:
    """(frames, camera, intensity) per shot. One long slow move on a still bores, so a clip longer
    than `max_shot_s` is cut into shots: the requested move, then complementary ones, every other
    shot tighter on the product (a detail). Cuts land on `request.cuts` (beats) when one is near."""
    total = request.frame_count()
    duration = total / request.fps
    if not config.max_shot_s or duration <= config.max_shot_s * 1.25:
        return [(total, request.camera, config.intensity)]
    count = math.ceil(duration / config.max_shot_s)
    bounds = [round(total * i / count) for i in range(count + 1)]
    beats = sorted(round(t * request.fps) for t in request.cuts if 0 < t < duration)
    window = 0.6 * request.fps
    for i in range(1, count):
        near = [b for b in beats if abs(b - bounds[i]) <= window and bounds[i - 1] + request.fps < b]
        if near:
            bounds[i] = min(near, key=lambda b: abs(b - bounds[i]))
    cameras = [request.camera] + [c for c in _FOLLOW_UPS if c != request.camera]
    return [(bounds[i + 1] - bounds[i], cameras[i % len(cameras)],
             config.intensity * (1.6 if i % 2 else 1.0)) for i in range(count) if bounds[i + 1] > bounds[i]]


LAYERED_CAMERAS = ("parallax", "orbit", "rack_focus")


def supersample_for(intensity: float) -> float:
    """Canvas pixels per output pixel: the deepest zoom of a move, so its tightest frame is 1:1."""
    return 1.0 + 0.2 * max(1.0, intensity)


def prepare(request: BrollRequest, out_w: int, out_h: int, config: MotionConfig,
            photo_cache: dict | None = None, shared_canvas: "Canvas | None" = None) -> "_FrameRenderer":
    """Lay out the request's photo (or a designed backdrop) and set up its camera move.

    `shared_canvas`: a layout already made for this photo and size (the shots of one clip share
    one: laying out costs ~0.1 s at 1080x1920)."""
    camera = request.camera
    layered = camera in LAYERED_CAMERAS
    supersample = supersample_for(config.intensity)
    if shared_canvas is not None:
        canvas = shared_canvas
    elif request.image:
        image, box = _photo(request, photo_cache)
        canvas = layout(image, box, out_w, out_h, supersample, config, want_matte=layered)
    else:
        canvas = abstract_canvas(out_w, out_h, supersample, request.seed, request.product_title)
    if not request.image and layered:  # nothing to cut out of an abstract backdrop
        camera, layered = "push_in", False
    path = CameraPath(camera, canvas, out_w, out_h, config.intensity)
    return _FrameRenderer(camera, canvas, path, out_w, out_h, layered)


def _photo(request: BrollRequest, cache: dict | None) -> tuple[np.ndarray, Box]:
    cache = cache if cache is not None else {}
    if request.image not in cache:
        image = load_image(request.image)
        ih, iw = image.shape[:2]
        box = clamp_box(request.subject_box, iw, ih) if request.subject_box else find_subject_box(image)
        cache[request.image] = (image, box)
    return cache[request.image]


def render_keyframes(request: BrollRequest, width: int, height: int,
                     config: MotionConfig | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """RGB first and last frames of the move at width x height (conditioning for video models)."""
    width, height = width // 2 * 2, height // 2 * 2
    renderer = prepare(request, width, height, config or MotionConfig())
    buffer = np.empty((height * 3 // 2, width), np.uint8)
    planes = i420_planes(buffer, width, height)
    shots = []
    # a reveal starts on an empty backdrop: condition on the revealed shot instead
    for t in ((0.5 if request.camera == "reveal" else 0.0), 1.0):
        renderer.draw(t, planes)
        shots.append(cv2.cvtColor(buffer, cv2.COLOR_YUV2RGB_I420))
    return shots[0], (shots[1] if request.camera != "static" else None)


class _FrameRenderer:
    """Draws frame t of a move into I420 planes."""

    def __init__(self, camera: str, canvas: Canvas, path: CameraPath, out_w: int, out_h: int, layered: bool):
        self.camera, self.canvas, self.path = camera, canvas, path
        self.w, self.h = out_w, out_h
        self.fg = None
        base = canvas.base
        if layered and camera in ("parallax", "orbit"):
            if canvas.layer is not None:  # a card over its backdrop
                fg_bgr, fg_alpha, base = canvas.layer
                self.fg = Layer(fg_bgr, fg_alpha)
            elif canvas.matte is not None:  # the subject cut out of the photo
                self.fg = Layer(base, canvas.matte)
                base = _inpaint_subject(base, canvas.matte)
        self.base = Layer(base)
        if camera == "reveal":
            self.hidden = Layer(canvas.backdrop)
            # a soft diagonal edge, wide enough to slide across the whole frame
            self.ramp = np.arange(out_w, dtype=np.float32)[None, :] + \
                np.arange(out_h, dtype=np.float32)[:, None] * 0.5
            self.ramp_c = np.ascontiguousarray(self.ramp[::2, ::2] + 0.75)
            self.soft = 0.18 * out_w
            self.tmp = [np.empty((out_h, out_w), np.uint8), np.empty((out_h // 2, out_w // 2), np.uint8),
                        np.empty((out_h // 2, out_w // 2), np.uint8)]
        if camera == "rack_focus":
            self._build_focus_levels(canvas)

    def _build_focus_levels(self, canvas: Canvas) -> None:
        """Blur levels of subject-in-focus and backdrop-in-focus, blended per frame."""
        base = canvas.base
        sigma_unit = canvas.scale * min(self.w, self.h) / 1080
        levels = [0.0, 3.0, 7.0, 14.0]
        blurred = [base if s == 0 else cv2.GaussianBlur(base, (0, 0), s * sigma_unit) for s in levels]
        matte = canvas.matte if canvas.matte is not None else np.zeros(base.shape[:2], np.float32)
        m = cv2.GaussianBlur(matte, (0, 0), 6 * sigma_unit)[..., None]
        # start: the subject soft, the surroundings crisp; end: the subject crisp, the rest soft
        start = (blurred[3] * m + blurred[0] * (1 - m)).astype(np.uint8)
        middle = (blurred[2] * m + blurred[1] * (1 - m)).astype(np.uint8)
        end = (blurred[0] * m + blurred[2] * (1 - m)).astype(np.uint8)
        self.focus = [Layer(start), Layer(middle), Layer(end)]
        self.focus_tmp = [[np.empty((self.h, self.w), np.uint8), np.empty((self.h // 2, self.w // 2), np.uint8),
                           np.empty((self.h // 2, self.w // 2), np.uint8)] for _ in range(2)]

    def draw(self, t: float, out: list[np.ndarray]) -> None:
        view = self.path.view(t)
        m = _affine(view, self.canvas, self.w, self.h)
        if self.camera == "rack_focus":
            # the focus pull happens in the first 70% and then holds on the product
            p = _ease(min(1.0, t / 0.7)) * 2
            i = min(1, int(p))
            frac = p - i
            self.focus[i].render(m, self.focus_tmp[0])
            self.focus[i + 1].render(m, self.focus_tmp[1])
            for plane, a, b in zip(out, self.focus_tmp[0], self.focus_tmp[1]):
                cv2.addWeighted(a, 1 - frac, b, frac, 0, dst=plane)
            return
        if self.fg is None:
            self.base.render(m, out)
        else:
            k = self.path.k
            # the background drifts one way, the subject the other and a little closer
            sx, sy = self.path.subject_centre
            e = _ease(t)
            if self.camera == "parallax":
                drift = 0.025 * self.w * k
                bg_view = View(view.zoom * 1.04, view.cx + drift * (e - 0.5), view.cy)
                fg_view = View(view.zoom * (1.0 + 0.07 * k * e), view.cx, view.cy)
                self.base.render(_affine(bg_view, self.canvas, self.w, self.h), out)
                fg_m = _zoom_about(_affine(view, self.canvas, self.w, self.h), fg_view.zoom / view.zoom,
                                   self._on_screen(view, sx, sy))
                fg_m = _translate(drift * (e - 0.5) * view.zoom, 0) @ fg_m
                self.fg.render(fg_m, out)
            else:  # orbit: the subject turns a few degrees while the room slides behind it
                angle = math.radians(9 * k) * (e - 0.5) * 2
                drift = 0.04 * self.w * k
                bg_view = View(view.zoom * 1.05, view.cx - drift * (e - 0.5), view.cy)
                self.base.render(_affine(bg_view, self.canvas, self.w, self.h), out)
                centre = self._on_screen(view, sx, sy)
                fg_m = _yaw_about(centre, angle, focal=1.6 * max(self.w, self.h)) @ m
                self.fg.render(fg_m, out, perspective=True)
        if self.camera == "reveal":
            self._reveal(t, m, out)

    def _on_screen(self, view: View, x: float, y: float) -> tuple[float, float]:
        return ((x - view.cx) * view.zoom + self.w / 2, (y - view.cy) * view.zoom + self.h / 2)

    def _reveal(self, t: float, m: np.ndarray, out: list[np.ndarray]) -> None:
        """A soft diagonal wipe from the blurred backdrop to the sharp shot over the first 45%."""
        p = _ease(min(1.0, t / 0.45))
        if p >= 1.0:
            return
        self.hidden.render(m, self.tmp)
        # edge position in ramp units: from fully hidden to fully shown
        total = self.w + self.h * 0.5 + self.soft
        edge = p * total
        gain = -255 / self.soft
        # (edge - ramp) * 255 / soft, saturated to 0..255 in one pass
        masks = [cv2.addWeighted(r, gain, r, 0, edge * 255 / self.soft, dtype=cv2.CV_8U)
                 for r in (self.ramp, self.ramp_c)]
        for i, plane in enumerate(out):
            a = masks[0 if i == 0 else 1]
            shown = cv2.multiply(plane, a, scale=1 / 255)
            hidden = cv2.multiply(self.tmp[i], cv2.subtract(255, a), scale=1 / 255)
            cv2.add(shown, hidden, dst=plane)


def _translate(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _zoom_about(m: np.ndarray, factor: float, centre: tuple[float, float]) -> np.ndarray:
    cx, cy = centre
    return _translate(cx, cy) @ np.diag([factor, factor, 1.0]) @ _translate(-cx, -cy) @ m


def _yaw_about(centre: tuple[float, float], angle: float, focal: float) -> np.ndarray:
    """Homography of a flat subject turning about its vertical axis, seen by a pinhole camera."""
    cx, cy = centre
    c, s = math.cos(angle), math.sin(angle)
    h = np.array([[focal * c, 0, 0], [0, focal, 0], [-s, 0, focal]], np.float64)
    return _translate(cx, cy) @ h @ _translate(-cx, -cy)
