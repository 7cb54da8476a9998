"""`photo`: animate a still portrait a brand uploads.

The portrait is framed head-and-shoulders on the clip canvas once; the face and its features
are found once per portrait (cached on disk by the file's hash). Mouth shapes are warps of the
lower face (the jaw drops, the lips part over a shaded mouth interior, rounded visemes narrow
the lips) and blinks pull the upper lid skin down; both are computed once per quantised level
and pasted per frame. A slow head sway moves the head region with a feathered warp so the
background stays put.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from pipelines.avatar.base import PresenterRequest, cache_key, cache_root, file_digest
from pipelines.avatar.face import FaceFeatures, find_features, load_portrait
from pipelines.avatar.looks import LOOKS
from pipelines.avatar.motion import blink_track, head_motion, mouth_track
from pipelines.avatar.output import CLIP_NAME, ClipSpec, FrameWriter
from pipelines.errors import AvatarError
from pipelines.product import PresenterClip

OPEN_LEVELS = 9
ROUND_LEVELS = 3
BLINK_LEVELS = 5
FACE_WIDTH_OF_CANVAS = 0.40  # detector box width relative to the canvas width


class PhotoConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # an intermediate the render decodes once per aspect: ultrafast with High's tools put back
    # (media.ULTRAFAST_HIGH) costs ~20 % less than superfast; its deblocking keeps the mouth clean
    x264_preset: str = "ultrafast"
    crf: int = 18


def _features_cached(image: np.ndarray, portrait_id: str, root: Path) -> FaceFeatures:
    key = cache_key("face", id=portrait_id, shape=image.shape)
    path = root / f"{key}.json"
    if path.is_file():
        try:
            return FaceFeatures.from_json(json.loads(path.read_text()))
        except (ValueError, KeyError):
            pass
    features = find_features(image)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(features.to_json()))
        tmp.replace(path)
    except OSError:
        pass
    return features


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


class PortraitRig:
    """A portrait framed on the canvas with its mouth/eye sprites; sprites made on demand."""

    def __init__(self, image: np.ndarray, features: FaceFeatures, width: int, height: int):
        self.width, self.height = width, height
        fx, fy, fw, fh = features.box
        scale = FACE_WIDTH_OF_CANVAS * width / fw
        scale = max(scale, width / image.shape[1], height / image.shape[0])
        # place the face centre at 50% x, 40% y of the canvas, keeping the canvas covered
        face_cx, face_cy = (fx + fw / 2) * scale, (fy + fh / 2) * scale
        ox = float(np.clip(width / 2 - face_cx, width - image.shape[1] * scale, 0))
        oy = float(np.clip(0.40 * height - face_cy, height - image.shape[0] * scale, 0))
        matrix = np.float32([[scale, 0, ox], [0, scale, oy]])
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        self.canvas = cv2.warpAffine(image, matrix, (width, height), flags=interp, borderMode=cv2.BORDER_REFLECT)

        def tr(p):
            return (p[0] * scale + ox, p[1] * scale + oy)

        self.face_box = (int(fx * scale + ox), int(fy * scale + oy), int(fw * scale), int(fh * scale))
        self.fw = fw * scale
        self.left_eye, self.right_eye = tr(features.left_eye), tr(features.right_eye)
        self.mouth = tr(features.mouth)
        self.mouth_w = features.mouth_width * scale
        self.skin = self._skin_tone()
        self.mouth_rect = self._rect(self.mouth[0], self.mouth[1] + 0.12 * self.fw, 1.0 * self.fw, 0.62 * self.fw)
        self.eye_rects = [self._rect(ex, ey - 0.08 * self.fw, 0.36 * self.fw, 0.36 * self.fw)
                          for ex, ey in (self.left_eye, self.right_eye)]
        self.head_rect = self._rect(self.face_box[0] + self.face_box[2] / 2, self.face_box[1] + self.face_box[3] / 2,
                                    2.3 * self.fw, 2.5 * self.fw)
        self._mouths: dict[tuple[int, int], np.ndarray] = {}
        self._eyes: dict[int, list[np.ndarray]] = {}
        self._heads: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._head_weight = self._make_head_weight()

    def _rect(self, cx: float, cy: float, w: float, h: float) -> tuple[int, int, int, int]:
        x0 = int(np.clip(cx - w / 2, 0, self.width - 2))
        y0 = int(np.clip(cy - h / 2, 0, self.height - 2))
        x1 = int(np.clip(cx + w / 2, x0 + 2, self.width))
        y1 = int(np.clip(cy + h / 2, y0 + 2, self.height))
        return x0, y0, x1 - x0, y1 - y0

    def _skin_tone(self) -> np.ndarray:
        x, y, w, h = self.face_box
        cheeks = self.canvas[int(y + 0.55 * h):int(y + 0.7 * h), int(x + 0.2 * w):int(x + 0.8 * w)]
        return np.median(cheeks.reshape(-1, 3), axis=0).astype(np.float32) if cheeks.size else np.float32([180, 140, 120])

    # -- mouth ----------------------------------------------------------------

    def mouth_sprite(self, open_level: int, round_level: int) -> np.ndarray:
        key = (open_level, round_level)
        if key not in self._mouths:
            self._mouths[key] = self._make_mouth(open_level / (OPEN_LEVELS - 1), round_level / (ROUND_LEVELS - 1))
        return self._mouths[key]

    def _make_mouth(self, openness: float, roundness: float) -> np.ndarray:
        x0, y0, w, h = self.mouth_rect
        region = self.canvas[y0:y0 + h, x0:x0 + w]
        if openness <= 0 and roundness <= 0:
            return region.copy()
        mx, my = self.mouth[0] - x0, self.mouth[1] - y0
        half = self.mouth_w / 2 * (1 - 0.3 * roundness)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        lens = np.clip(1 - ((xx - mx) / (half * 0.92)) ** 2, 0, 1) ** 0.65  # the parted lips' outline
        gap = openness * 0.21 * self.fw  # how far the lips part at the centre
        drop = gap * 0.8  # the lower lip moves down...
        lift = gap * 0.2  # ...the upper lip up a little
        below = yy >= my
        # every shift fades out before the region's edges so the sprite pastes seamlessly
        fade_down = 1 - _smoothstep((yy - my - 0.22 * self.fw) / max(h - my - 0.22 * self.fw, 1))
        fade_up = 1 - _smoothstep((my - yy - 0.02 * self.fw) / max(my * 0.8, 1))
        fade_x = 1 - _smoothstep((np.abs(xx - mx) - 0.3 * self.fw) / max(w / 2 - 0.3 * self.fw, 1))
        lips = np.where(below, drop * lens * fade_down, -lift * lens * fade_up)  # parts only inside the lens
        # the jaw drops with the lower lip; continuous across the lip line, so cheeks don't tear
        jaw = np.clip(np.cos(np.clip((xx - mx) / (0.6 * self.fw), -1, 1) * np.pi / 2), 0, 1) * fade_x
        rise = _smoothstep((yy - my + 0.1 * self.fw) / (0.2 * self.fw))
        shift = lips + 0.6 * drop * jaw * rise * fade_down
        map_y = yy - shift
        # rounded lips: pull the mouth corners toward the centre
        near_lips = 1 - _smoothstep((np.abs(xx - mx) - half) / (0.15 * self.fw))
        squeeze = 0.28 * roundness * near_lips * np.where(below, fade_down, fade_up) * np.exp(-((yy - my) / (0.12 * self.fw)) ** 2)
        map_x = mx + (xx - mx) * (1 + squeeze)
        warped = cv2.remap(region, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)
        if gap > 0.5:
            # the opening: a lens between the parted lips, filled with a shaded interior
            jaw_at_line = 0.6 * drop * jaw * _smoothstep(np.float32(0.5))
            top = my - lift * lens + jaw_at_line
            bottom = my + drop * lens + jaw_at_line
            inside = (yy > top) & (yy < bottom) & (lens > 0.02)
            soft = inside.astype(np.float32)
            soft = cv2.GaussianBlur(soft, (0, 0), max(0.006 * self.fw, 0.6))
            depth = np.clip((yy - top) / np.maximum(bottom - top, 1), 0, 1)
            dark = np.float32([52, 16, 20]) * (0.8 + 0.4 * depth[..., None]) + self.skin * 0.04
            teeth_band = ((yy - top < 0.028 * self.fw * (0.5 + openness)) & (np.abs(xx - mx) < half * 0.7)
                          & (openness > 0.3))
            teeth = np.float32([214, 206, 198])
            interior = np.where(teeth_band[..., None], teeth * (0.7 + 0.3 * lens[..., None]), dark)
            tongue = (depth > 0.7) & (np.abs(xx - mx) < half * 0.6) & (openness > 0.45)
            interior = np.where(tongue[..., None], np.float32([150, 62, 70]), interior)
            warped = (warped.astype(np.float32) * (1 - soft[..., None]) + interior * soft[..., None])
        return np.clip(warped, 0, 255).astype(np.uint8)

    # -- eyes -----------------------------------------------------------------

    def eye_sprites(self, level: int) -> list[np.ndarray]:
        if level not in self._eyes:
            closure = level / (BLINK_LEVELS - 1)
            self._eyes[level] = [self._make_eye(rect, centre, closure)
                                 for rect, centre in zip(self.eye_rects, (self.left_eye, self.right_eye))]
        return self._eyes[level]

    def _make_eye(self, rect, centre, closure: float) -> np.ndarray:
        """The upper lid comes down: the eye above the lid edge is replaced by lid skin
        (inpainted from the surrounding skin), with lashes along the edge."""
        x0, y0, w, h = rect
        region = self.canvas[y0:y0 + h, x0:x0 + w]
        if closure <= 0:
            return region.copy()
        ex, ey = centre[0] - x0, centre[1] - y0
        eye_w, eye_h = 0.12 * self.fw, 0.045 * self.fw
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        across = np.clip(1 - ((xx - ex) / eye_w) ** 2, 0, 1)
        top = ey - eye_h * np.sqrt(across)
        bottom = ey + eye_h * 0.8 * np.sqrt(across)
        lid_edge = top + closure * (bottom - top)
        covered = (yy >= top - 1) & (yy <= lid_edge) & (across > 0)
        lid = cv2.inpaint(region, (covered * 255).astype(np.uint8), max(2.0, 0.02 * self.fw), cv2.INPAINT_TELEA)
        soft = cv2.GaussianBlur(covered.astype(np.float32), (0, 0), max(0.004 * self.fw, 0.6))
        lid = lid.astype(np.float32) * 0.94  # the lid sits a touch darker than the brow skin
        out = region.astype(np.float32) * (1 - soft[..., None]) + lid * soft[..., None]
        line = np.exp(-((yy - lid_edge) / max(0.004 * self.fw, 0.6)) ** 2) * np.sqrt(across) * min(1.0, closure * 1.3)
        out = out * (1 - 0.6 * line[..., None]) + np.float32([45, 32, 28]) * 0.6 * line[..., None]
        return np.clip(out, 0, 255).astype(np.uint8)

    # -- head sway --------------------------------------------------------------

    def _make_head_weight(self) -> np.ndarray:
        x0, y0, w, h = self.head_rect
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = self.face_box[0] + self.face_box[2] / 2 - x0, self.face_box[1] + self.face_box[3] * 0.45 - y0
        r = np.sqrt(((xx - cx) / (0.75 * self.fw)) ** 2 + ((yy - cy) / (0.95 * self.fw)) ** 2)
        return (1 - _smoothstep((r - 1.0) / 0.6)).astype(np.float32)  # rigid over the head, fades to 0

    def head(self, dx: int, dy: int) -> np.ndarray:
        key = (dx, dy)
        cached = self._heads.get(key)
        if cached is not None:
            self._heads.move_to_end(key)
            return cached
        x0, y0, w, h = self.head_rect
        region = self.canvas[y0:y0 + h, x0:x0 + w]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        weight = self._head_weight
        out = cv2.remap(region, xx - dx * weight, yy - dy * weight, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        self._heads[key] = out
        if len(self._heads) > 24:
            self._heads.popitem(last=False)
        return out

    def frame(self, dx: int, dy: int, open_level: int, round_level: int, blink_level: int) -> np.ndarray:
        frame = self.canvas.copy()
        if dx or dy:
            x0, y0, w, h = self.head_rect
            frame[y0:y0 + h, x0:x0 + w] = self.head(dx, dy)
        self._paste(frame, self.mouth_sprite(open_level, round_level), self.mouth_rect, dx, dy)
        if blink_level:
            for sprite, rect in zip(self.eye_sprites(blink_level), self.eye_rects):
                self._paste(frame, sprite, rect, dx, dy)
        return frame

    def _paste(self, frame, sprite, rect, dx, dy):
        x, y, w, h = rect
        x, y = x + dx, y + dy
        fx0, fy0 = max(x, 0), max(y, 0)
        fx1, fy1 = min(x + w, self.width), min(y + h, self.height)
        if fx1 > fx0 and fy1 > fy0:
            frame[fy0:fy1, fx0:fx1] = sprite[fy0 - y:fy1 - y, fx0 - x:fx1 - x]


@functools.lru_cache(maxsize=4)
def portrait_rig(portrait: str | None, width: int, height: int, root: str) -> PortraitRig:
    """One rig per (portrait, size): every variant of a job reuses the detection and sprites."""
    image, portrait_id = load_portrait(Path(portrait) if portrait else None)
    if portrait:
        portrait_id = file_digest(Path(portrait))
    features = _features_cached(image, portrait_id, Path(root))
    return PortraitRig(image, features, width, height)


def portrait_path(request: PresenterRequest) -> str | None:
    presenter = request.settings.presenter
    if not presenter:
        return None  # the bundled demo portrait
    if presenter.strip().lower() in LOOKS:
        raise AvatarError(f"{presenter!r} is a drawn look; the photo presenter needs a portrait image "
                          f"(JPEG/PNG path).", code="portrait_required", stage="avatar")
    return str(Path(presenter).expanduser().resolve())


class PhotoEngine:
    name = "photo"

    def __init__(self, config: PhotoConfig):
        self.config = config

    def __call__(self, request: PresenterRequest, out_dir: Path) -> PresenterClip:
        path = portrait_path(request)
        rig = portrait_rig(path, request.width, request.height, str(cache_root(request.settings)))
        request.report(0.1, "face found")
        n, fps = request.n_frames, request.fps
        energy = request.energy()
        mouth = mouth_track(request.voice, n, fps, energy)
        open_levels = np.round(np.clip(mouth[:, 0], 0, 1) * (OPEN_LEVELS - 1)).astype(int)
        round_levels = np.round(np.clip(mouth[:, 2], 0, 1) * (ROUND_LEVELS - 1)).astype(int)
        blinks = np.round(blink_track(n, fps, request.seed) * (BLINK_LEVELS - 1)).astype(int)
        motion = head_motion(n, fps, request.seed, energy, scale=request.height / 1080)
        dx, dy = np.round(motion.dx).astype(int), np.round(motion.dy).astype(int)
        spec = ClipSpec(request.width, request.height, fps, n, request.audio, request.duration_s)
        out = Path(out_dir) / CLIP_NAME
        with FrameWriter(out, spec, preset=self.config.x264_preset, crf=self.config.crf) as writer:
            for i in range(n):
                writer.write(rig.frame(int(dx[i]), int(dy[i]), int(open_levels[i]), int(round_levels[i]), int(blinks[i])))
                if i % 60 == 0:
                    request.report(0.1 + 0.9 * i / n, "animating portrait")
        return PresenterClip(video=CLIP_NAME, has_alpha=False, key_color=None, width=request.width,
                             height=request.height, fps=fps, duration_s=n / fps, face_box=rig.face_box,
                             engine=self.name)
