"""`puppet`: the offline default presenter, a drawn character animated from viseme timings.

Each look is drawn once (backdrop, body, head, hair) and cached on disk; each distinct mouth
shape and eyelid position is drawn once as a small sprite. A frame is then a cached base
(body at its breathing offset, head at its sway offset) plus two sprite copies, piped to one
ffmpeg process.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict

from pipelines.avatar.base import PresenterRequest, cache_key, cache_root, load_arrays, save_arrays
from pipelines.avatar.looks import LOOKS, Look, get_look
from pipelines.avatar.motion import VISEME_SHAPES, blink_track, head_motion, mouth_track
from pipelines.avatar.output import CLIP_NAME, ClipSpec, FrameWriter
from pipelines.avatar import puppet_art as art
from pipelines.product import PresenterClip

ART_VERSION = "3"
MOUTH_STEPS = np.array([8, 4, 4, 3, 2, 2], np.float32)  # quantisation per mouth parameter
EYE_LEVELS = 4


class PuppetConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # an intermediate the render decodes once per aspect: ultrafast with High's tools put back
    # (media.ULTRAFAST_HIGH) costs ~20 % less than superfast; its deblocking keeps the mouth clean
    x264_preset: str = "ultrafast"
    crf: int = 18


def _over(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Alpha-composite RGBA src over RGB dst (same shape), integer maths."""
    a = src[..., 3:4].astype(np.uint16)
    out = (src[..., :3].astype(np.uint16) * a + dst.astype(np.uint16) * (255 - a) + 127) // 255
    return out.astype(np.uint8)


def _rgba_over(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    return np.asarray(Image.alpha_composite(Image.fromarray(dst), Image.fromarray(src)))


class PuppetAssets:
    """Every sprite of one look at one size and brand colour; mouth/eye sprites drawn on demand."""

    def __init__(self, look: Look, brand: str, width: int, height: int, root: Path):
        self.look, self.brand, self.width, self.height = look, brand, width, height
        self.g = art.geometry_for(width, height)
        key = cache_key("puppet", v=ART_VERSION, look=look.__dict__, brand=brand, w=width, h=height)
        arrays = load_arrays(root, key)
        if arrays is None:
            backdrop = art.draw_backdrop(width, height, brand, self.g)
            body = art.draw_body(width, height, look, brand, self.g)
            hair_back, bare, hair_front = art.draw_head(width, height, look, self.g)
            arrays = {"backdrop": backdrop, "body": body, "hair_back": hair_back, "bare": bare,
                      "hair_front": hair_front}
            save_arrays(root, key, arrays)
        self.backdrop, self.body = arrays["backdrop"], arrays["body"]
        self.bare, self.hair_front = arrays["bare"], arrays["hair_front"]
        ys, xs = np.nonzero(arrays["hair_back"][..., 3])
        if len(ys):
            self.hair_back_origin = (int(xs.min()), int(ys.min()))
            self.hair_back = np.ascontiguousarray(arrays["hair_back"][ys.min():ys.max() + 1, xs.min():xs.max() + 1])
        else:
            self.hair_back_origin, self.hair_back = (0, 0), None
        self.mouth_box = self.g.mouth_box()
        self.eyes_box = self.g.eyes_box()
        self._mouths: dict[tuple, np.ndarray] = {}
        self._eyes: dict[int, np.ndarray] = {}
        head = self.bare.copy()
        head = self._paste_rgba(head, self.eyes_sprite(0), self.eyes_box)
        head = self._paste_rgba(head, self.mouth_sprite(self.quantise(np.array(VISEME_SHAPES["rest"]))), self.mouth_box)
        head = _rgba_over(head, self.hair_front)
        ys, xs = np.nonzero(head[..., 3])
        self.head_origin = (int(xs.min()), int(ys.min()))
        self.head = np.ascontiguousarray(head[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
        self._bases: OrderedDict[tuple[int, int, int], np.ndarray] = OrderedDict()
        self._body_layers: dict[int, np.ndarray] = {}
        self._body_frames: dict[int, np.ndarray] = {}
        self.region = self._head_region()

    # -- sprites ---------------------------------------------------------------

    @staticmethod
    def quantise(params: np.ndarray) -> tuple:
        return tuple(np.round(np.clip(params, 0, 1) * (MOUTH_STEPS - 1)).astype(int).tolist())

    def _region(self, layer: np.ndarray, box) -> np.ndarray:
        x, y, w, h = box
        return layer[y:y + h, x:x + w]

    def _paste_rgba(self, layer: np.ndarray, sprite: np.ndarray, box) -> np.ndarray:
        x, y, w, h = box
        out = layer.copy()
        out[y:y + h, x:x + w] = _rgba_over(np.ascontiguousarray(layer[y:y + h, x:x + w]), sprite)
        return out

    def _patch(self, sprite_rgba_ss: Image.Image, box) -> np.ndarray:
        """Sprite downsampled to frame pixels, over the bare head, under the front hair."""
        x, y, w, h = box
        small = np.asarray(sprite_rgba_ss.resize((w, h), Image.LANCZOS))
        patch = _rgba_over(np.ascontiguousarray(self._region(self.bare, box)), small)
        return _rgba_over(patch, np.ascontiguousarray(self._region(self.hair_front, box)))

    def mouth_sprite(self, key: tuple) -> np.ndarray:
        if key not in self._mouths:
            params = np.array(key, np.float32) / (MOUTH_STEPS - 1)
            self._mouths[key] = self._patch(art.draw_mouth(self.look, self.g, params, self.mouth_box), self.mouth_box)
        return self._mouths[key]

    def eyes_sprite(self, level: int) -> np.ndarray:
        if level not in self._eyes:
            closure = 0.18 + 0.82 * level / (EYE_LEVELS - 1)  # relaxed lids cover the iris top
            self._eyes[level] = self._patch(art.draw_eyes(self.look, self.g, closure, self.eyes_box), self.eyes_box)
        return self._eyes[level]

    # -- frames ----------------------------------------------------------------

    def _body_layer(self, body_dy: int) -> np.ndarray:
        """The body RGBA shifted by the breathing offset (a handful of values, cached)."""
        layer = self._body_layers.get(body_dy)
        if layer is None:
            layer = self.body
            if body_dy:
                layer = np.roll(layer, body_dy, axis=0)
                if body_dy > 0:
                    layer[:body_dy] = 0
                else:  # keep the bottom edge covered by repeating the last row
                    layer[body_dy:] = layer[body_dy - 1]
            self._body_layers[body_dy] = layer
        return layer

    def _body_frame(self, body_dy: int) -> np.ndarray:
        frame = self._body_frames.get(body_dy)
        if frame is None:
            body = self._body_layer(body_dy)
            ys, = np.nonzero(body[..., 3].any(axis=1))
            frame = self.backdrop.copy()
            frame[ys.min():] = _over(frame[ys.min():], body[ys.min():])
            self._body_frames[body_dy] = frame
        return frame

    def _head_region(self) -> tuple[int, int, int, int]:
        """Every pixel head motion can change: the head and the visible back hair, plus margin."""
        margin = int(8 * self.height / 1080) + 2
        hh, hw = self.head.shape[:2]
        x0, y0 = self.head_origin[0] - margin, self.head_origin[1] - margin
        x1, y1 = self.head_origin[0] + hw + margin, self.head_origin[1] + hh + margin
        if self.hair_back is not None:
            bh, bw = self.hair_back.shape[:2]
            bx, by = self.hair_back_origin
            # hair below the row where the body is opaque across the hair's width is never seen
            cols = slice(max(bx - margin, 0), min(bx + bw + margin, self.width))
            opaque = (self.body[:, cols, 3] == 255).all(axis=1)
            hidden_from = next((y for y in range(self.height) if opaque[y:].all()), self.height)
            x0, y0 = min(x0, bx - margin), min(y0, by - margin)
            x1, y1 = max(x1, bx + bw + margin), max(y1, min(by + bh, hidden_from) + margin)
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, self.width), min(y1, self.height)
        return x0, y0, x1 - x0, y1 - y0

    def base(self, hx: int, hy: int, body_dy: int) -> np.ndarray:
        """The head region (backdrop, back hair, body, head with rest mouth and open eyes) for
        one (sway, breath) offset; a small LRU, since the sway moves slowly."""
        key = (hx, hy, body_dy)
        region = self._bases.get(key)
        if region is not None:
            self._bases.move_to_end(key)
            return region
        x, y, w, h = self.region
        region = np.ascontiguousarray(self.backdrop[y:y + h, x:x + w])
        if self.hair_back is not None:
            self._over_at(region, self.hair_back, self.hair_back_origin[0] + hx - x, self.hair_back_origin[1] + hy - y)
        region[:] = _over(region, self._body_layer(body_dy)[y:y + h, x:x + w])
        self._over_at(region, self.head, self.head_origin[0] + hx - x, self.head_origin[1] + hy - y)
        self._bases[key] = region
        if len(self._bases) > 40:  # ~1.5 MB each at 1080p; the sway revisits few offsets
            self._bases.popitem(last=False)
        return region

    @staticmethod
    def _over_at(frame: np.ndarray, sprite: np.ndarray, x: int, y: int) -> None:
        """Composite sprite onto frame at (x, y), clipped to the frame."""
        h, w = sprite.shape[:2]
        fx0, fy0 = max(x, 0), max(y, 0)
        fx1, fy1 = min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
        if fx1 <= fx0 or fy1 <= fy0:
            return
        frame[fy0:fy1, fx0:fx1] = _over(frame[fy0:fy1, fx0:fx1], sprite[fy0 - y:fy1 - y, fx0 - x:fx1 - x])

    def frame(self, hx: int, hy: int, body_dy: int, mouth_key: tuple, eye_level: int) -> np.ndarray:
        frame = self._body_frame(body_dy).copy()
        x, y, w, h = self.region
        frame[y:y + h, x:x + w] = self.base(hx, hy, body_dy)
        for sprite, (x, y, w, h) in ((self.mouth_sprite(mouth_key), self.mouth_box),
                                     (self.eyes_sprite(eye_level), self.eyes_box)):
            x, y = x + hx, y + hy
            frame[y:y + h, x:x + w] = _over(frame[y:y + h, x:x + w], sprite)
        return frame

    def face_box(self) -> tuple[int, int, int, int]:
        return self.g.face_box()


@functools.lru_cache(maxsize=4)
def puppet_assets(look_name: str, brand: str, width: int, height: int, root: str) -> PuppetAssets:
    """One set of sprites per (look, brand, size): every variant of a job reuses it."""
    return PuppetAssets(get_look(look_name), brand, width, height, Path(root))


class PuppetEngine:
    name = "puppet"

    def __init__(self, config: PuppetConfig):
        self.config = config

    def look_name(self, request: PresenterRequest) -> str:
        s = request.settings
        if s.look:
            return s.look
        if s.presenter and s.presenter.strip().lower() in LOOKS:
            return s.presenter
        return "ava"

    def __call__(self, request: PresenterRequest, out_dir: Path) -> PresenterClip:
        s = request.settings
        brand = s.brand_color if s.brand_color.startswith("#") else "#111111"
        assets = puppet_assets(self.look_name(request).strip().lower(), brand.lower(), request.width,
                               request.height, str(cache_root(s)))
        request.report(0.1, "presenter drawn")
        n, fps = request.n_frames, request.fps
        energy = request.energy()
        mouth = mouth_track(request.voice, n, fps, energy)
        blinks = blink_track(n, fps, request.seed)
        motion = head_motion(n, fps, request.seed, energy, scale=request.height / 1080)
        hx = np.round(motion.dx).astype(int)
        hy = np.round(motion.dy).astype(int)
        by = np.round(motion.body_dy).astype(int)
        eye_levels = np.round(blinks * (EYE_LEVELS - 1)).astype(int)
        spec = ClipSpec(request.width, request.height, fps, n, request.audio, request.duration_s)
        out = Path(out_dir) / CLIP_NAME
        with FrameWriter(out, spec, preset=self.config.x264_preset, crf=self.config.crf) as writer:
            for i in range(n):
                writer.write(assets.frame(hx[i], hy[i], by[i], assets.quantise(mouth[i]), int(eye_levels[i])))
                if i % 60 == 0:
                    request.report(0.1 + 0.9 * i / n, "animating presenter")
        return PresenterClip(video=CLIP_NAME, has_alpha=False, key_color=None, width=request.width,
                             height=request.height, fps=fps, duration_s=n / fps, face_box=assets.face_box(),
                             engine=self.name)
