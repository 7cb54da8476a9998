"""`photo`: animate a still portrait a brand uploads.

Once per portrait (cached by the file's hash): MediaPipe's face mesh (468 landmarks) and its
selfie segmenter. Once per canvas: the person is framed head-and-shoulders and cut out onto
the brand's studio backdrop. Then per quantised pose, drawn once and pasted per frame:

- mouth: a mesh warp of the lower face driven by the viseme track. The inner-lip landmarks
  move to the pose's opening (upper lip lifts a little, lower lip and the whole jaw drop, rounded
  visemes draw the corners in); the face between landmarks follows piecewise-affinely, with
  the upper and lower face warped as separate sheets so the lips can part. The mouth interior
  is drawn only inside the new inner-lip contour, with an anti-aliased, feathered edge: a
  cavity shaded from the photo's own lip colour (darker under the upper lip and toward the
  corners, a tongue glow when wide open), the photo's grain, and teeth: the photo's own teeth
  where they show (upper teeth stay with the skull, lower teeth travel with the jaw), or, for
  a closed-mouth portrait, soft shaded upper teeth exposure-matched to the face.
- blinks: the upper-lid landmarks slide down to the lower lid, the lid skin following.
- a slow head sway and nods (a feathered warp of the head over the static backdrop).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from pipelines.avatar import landmarks as lm
from pipelines.avatar.base import PresenterRequest, cache_root, file_digest
from pipelines.avatar.face import PortraitFace, find_face_cached, load_portrait
from pipelines.avatar.looks import LOOKS
from pipelines.avatar.meshwarp import border_ring, displacement_field, remap
from pipelines.avatar.motion import blink_track, head_motion, mouth_track
from pipelines.avatar.output import CLIP_NAME, ClipSpec, FrameWriter
from pipelines.avatar.puppet_art import FaceGeometry, draw_backdrop
from pipelines.errors import AvatarError
from pipelines.product import PresenterClip

OPEN_LEVELS = 12
ROUND_LEVELS = 3
TEETH_LEVELS = 3
BLINK_LEVELS = 5
FACE_WIDTH_OF_CANVAS = 0.40  # cheek-to-cheek width relative to the canvas width
MAX_GAP = 0.36  # at full "aa" the lips part by this fraction of the mouth width
UPPER_LIFT = 0.22  # share of the opening made by the upper lip (the jaw makes the rest)
_BROW = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300)


class PhotoConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # an intermediate the render decodes once per aspect: ultrafast with High's tools put back
    # (media.ULTRAFAST_HIGH) costs ~20 % less than superfast; its deblocking keeps the mouth clean
    x264_preset: str = "ultrafast"
    crf: int = 18


def _smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


def _lens(u):
    return np.sqrt(np.clip(1 - np.asarray(u, np.float32) ** 2, 0, 1))


def _poly_mask(points: np.ndarray, w: int, h: int, feather: float) -> np.ndarray:
    """Anti-aliased polygon coverage (subpixel vertices), softened by `feather` px."""
    mask = np.zeros((h, w), np.uint8)
    if len(points) >= 3:
        cv2.fillPoly(mask, [np.round(points * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    out = mask.astype(np.float32) / 255
    return cv2.GaussianBlur(out, (0, 0), feather) if feather > 0 else out


class PortraitRig:
    """A portrait on the canvas with its mouth/eye sprites (made on demand, cached)."""

    def __init__(self, image: np.ndarray, face: PortraitFace, width: int, height: int, brand: str = "#111111"):
        self.width, self.height = width, height
        fx, fy, fw, fh = face.box()
        scale = FACE_WIDTH_OF_CANVAS * width / max(fw, 1)
        scale = max(scale, width / image.shape[1], height / image.shape[0])
        # face centre at 50% x, 40% y of the canvas, keeping the canvas covered by the photo
        face_cx, face_cy = (fx + fw / 2) * scale, (fy + fh / 2) * scale
        ox = float(np.clip(width / 2 - face_cx, width - image.shape[1] * scale, 0))
        oy = float(np.clip(0.40 * height - face_cy, height - image.shape[0] * scale, 0))
        matrix = np.float32([[scale, 0, ox], [0, scale, oy]])
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        photo = cv2.warpAffine(image, matrix, (width, height), flags=interp, borderMode=cv2.BORDER_REFLECT)
        person = cv2.warpAffine(face.person, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
        self.scale = scale
        self.points = face.points[:, :2] * scale + np.float32([ox, oy])
        self.face_box = (int(fx * scale + ox), int(fy * scale + oy), int(fw * scale), int(fh * scale))
        self.fw = fw * scale
        p = self.points
        self.mouth_c = (p[61] + p[291]) / 2
        self.mw = float(np.linalg.norm(p[291] - p[61]))

        # the person cut out onto the brand backdrop (the face itself is always opaque)
        alpha = _smoothstep((person - 0.3) / 0.45)
        cv2.fillPoly(alpha, [np.round(p[list(lm.FACE_OVAL)]).astype(np.int32)], 1.0)
        alpha = cv2.GaussianBlur(alpha, (0, 0), max(0.6, 0.004 * height))
        self.alpha = alpha
        x, y, w, h = self.face_box
        geometry = FaceGeometry(cx=x + w / 2, cy=y + h / 2, rx=w / 2, ry=h * 0.65)
        backdrop = draw_backdrop(width, height, brand, geometry).astype(np.float32)
        self.canvas = np.clip(photo * alpha[..., None] + backdrop * (1 - alpha[..., None]) + 0.5, 0, 255).astype(np.uint8)

        self.skin = self._median(self.canvas, self._cheeks())
        self._grain_sigma = self._grain()
        m = self.mw
        top = p[list(lm.LIPS_OUTER_UPPER), 1].min() - 0.45 * m
        self.mouth_rect = self._rect_span(self.mouth_c[0] - 1.25 * m, top, self.mouth_c[0] + 1.25 * m,
                                          p[lm.CHIN, 1] + 0.6 * m)
        self.has_teeth = self._source_teeth()
        self.eye_rects = [self._eye_rect(upper, lower) for upper, lower in
                          ((lm.RIGHT_EYE_UPPER, lm.RIGHT_EYE_LOWER), (lm.LEFT_EYE_UPPER, lm.LEFT_EYE_LOWER))]
        self.head_rect = self._rect(x + w / 2, y + h / 2, 2.3 * self.fw, 2.5 * self.fw)
        self._mouths: dict[tuple[int, int, int], np.ndarray] = {}
        self._warps: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}
        self._eyes: dict[int, list[np.ndarray]] = {}
        self._heads: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._head_weight = self._make_head_weight()

    # -- geometry helpers -----------------------------------------------------------

    def _rect(self, cx: float, cy: float, w: float, h: float) -> tuple[int, int, int, int]:
        return self._rect_span(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    def _rect_span(self, x0, y0, x1, y1) -> tuple[int, int, int, int]:
        x0 = int(np.clip(x0, 0, self.width - 2))
        y0 = int(np.clip(y0, 0, self.height - 2))
        x1 = int(np.clip(np.ceil(x1), x0 + 2, self.width))
        y1 = int(np.clip(np.ceil(y1), y0 + 2, self.height))
        return x0, y0, x1 - x0, y1 - y0

    def _cheeks(self) -> np.ndarray:
        p = self.points
        mask = np.zeros((self.height, self.width), np.uint8)
        for idx in ((50, 101, 36, 205), (280, 330, 266, 425)):  # below each eye, beside the nose
            centre = p[list(idx)].mean(axis=0)
            cv2.circle(mask, (int(centre[0]), int(centre[1])), max(2, int(0.05 * self.fw)), 1, -1)
        return mask.astype(bool)

    @staticmethod
    def _median(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        pixels = image[mask]
        return np.median(pixels, axis=0).astype(np.float32) if len(pixels) else np.float32([180, 140, 120])

    def _grain(self) -> float:
        """The photo's own grain on the cheeks (std of its fine detail), so drawn areas match it."""
        gray = cv2.cvtColor(self.canvas, cv2.COLOR_RGB2GRAY).astype(np.float32)
        detail = gray - cv2.GaussianBlur(gray, (0, 0), 1.5)
        values = detail[self._cheeks()]
        return float(np.clip(values.std() if len(values) else 2.0, 1.2, 6.0))

    def _source_teeth(self) -> bool:
        """Does the photo show an open mouth with teeth (an open smile)?"""
        p = self.points
        inner = np.concatenate([p[list(lm.LIPS_INNER_UPPER)], p[list(lm.LIPS_INNER_LOWER)][::-1]])
        x0, y0, w, h = self.mouth_rect
        mask = _poly_mask(inner - [x0, y0], w, h, 0) > 0.5
        if mask.sum() < max(6.0, 0.004 * self.mw ** 2):
            return False
        region = self.canvas[y0:y0 + h, x0:x0 + w]
        luma = region[mask].astype(np.float32).mean(axis=1)
        return float(np.percentile(luma, 75)) > 0.8 * float(self.skin.mean())

    # -- mouth --------------------------------------------------------------------------

    def mouth_sprite(self, open_level: int, round_level: int, teeth_level: int = 0) -> np.ndarray:
        teeth_level = 0 if self.has_teeth else teeth_level  # the photo's own teeth: no drawn row
        key = (open_level, round_level, teeth_level)
        if key not in self._mouths:
            self._mouths[key] = self._make_mouth(open_level / (OPEN_LEVELS - 1), round_level / (ROUND_LEVELS - 1),
                                                 teeth_level / (TEETH_LEVELS - 1))
        return self._mouths[key]

    def mouth_pose(self, openness: float, roundness: float) -> dict:
        """Where the landmarks go for a pose (region coordinates): per-landmark displacement,
        which sheet (upper face / jaw) each belongs to, and the new inner-lip contour."""
        x0, y0, w, h = self.mouth_rect
        pts = self.points - np.float32([x0, y0])
        m, cx = self.mw, self.mouth_c[0] - x0
        gap = openness * MAX_GAP * m
        squeeze = 1 - 0.24 * roundness  # rounded lips draw the corners toward the centre
        iu, il = np.array(lm.LIPS_INNER_UPPER), np.array(lm.LIPS_INNER_LOWER)
        inner_cx = (pts[78, 0] + pts[308, 0]) / 2
        inner_half = max(abs(pts[308, 0] - pts[78, 0]) / 2, 1.0)
        lens_i = _lens((pts[iu, 0] - inner_cx) / inner_half)  # 0 at the inner corners: the opening closes there
        new_iu_y = pts[iu, 1] - UPPER_LIFT * gap * lens_i
        new_il_y = new_iu_y + gap * lens_i  # an elliptical opening, closing at the corners
        jaw = float(new_il_y[5] - pts[il[5], 1])  # how far the lower lip centre (and the jaw) moves
        # the lip seam at rest: between the inner contours, level beyond the corners
        seam_x = pts[iu, 0]
        seam_y = (pts[iu, 1] + pts[il, 1]) / 2
        order = np.argsort(seam_x)
        seam_x, seam_y = seam_x[order], seam_y[order]

        inside = ((pts[:, 0] > 1) & (pts[:, 0] < w - 2) & (pts[:, 1] > 1) & (pts[:, 1] < h - 2))
        move = np.zeros((468, 2), np.float32)
        lower = np.zeros(468, bool)
        u = (pts[:, 0] - cx) / (m / 2)
        above_seam = np.interp(pts[:, 0], seam_x, seam_y) - pts[:, 1]  # > 0 above the lips' seam
        lower[:] = above_seam < 0
        # the jaw: everything below the seam drops with it, less toward the jaw's hinge
        # near the lips the drop follows the opening's shape (nothing at the corners), lower down
        # the chin moves as one piece
        below = _smoothstep(-above_seam / (0.6 * m))
        chin_weight = 1 - 0.85 * _smoothstep((np.abs(u) - 0.7) / 1.4)
        move[:, 1] = np.where(lower, jaw * (_lens(u) * (1 - below) + chin_weight * below), 0)
        # above: the upper lip lifts, fading out toward the nose
        lift = -UPPER_LIFT * gap * _lens(u / 1.15) * np.exp(-np.clip(above_seam, 0, None) / (0.22 * m))
        move[:, 1] = np.where(lower, move[:, 1], lift)
        outer_u, outer_l = list(lm.LIPS_OUTER_UPPER[1:-1]), list(lm.LIPS_OUTER_LOWER[1:-1])
        move[outer_u, 1] = -UPPER_LIFT * gap * _lens(u[outer_u]) * 0.85
        move[outer_l, 1] = jaw * _lens(u[outer_l]) ** 0.8
        lower[outer_u], lower[outer_l] = False, True
        move[iu, 1] = new_iu_y - pts[iu, 1]
        move[il, 1] = new_il_y - pts[il, 1]
        lower[iu], lower[il] = False, True
        corners = [61, 291, 78, 308]
        move[corners, 1] = 0.3 * max(jaw, 0.0)
        # horizontal: lips and the skin next to them follow the corners in (rounding)
        near = np.exp(-(above_seam / (0.5 * m)) ** 2) * (1 - _smoothstep((np.abs(u) - 1.3) / 0.9))
        move[:, 0] = (pts[:, 0] - cx) * (squeeze - 1) * near
        # the new opening, sampled densely: the moved upper inner lip, and below it the lower lip
        # an elliptical gap away (what the lower inner landmarks were moved to, between them too)
        new_iu = pts[iu] + move[iu]
        order = np.argsort(new_iu[:, 0])
        xs = np.linspace(new_iu[:, 0].min(), new_iu[:, 0].max(), 64, dtype=np.float32)
        top = np.interp(xs, new_iu[order, 0], new_iu[order, 1]).astype(np.float32)
        centre, half = (xs[0] + xs[-1]) / 2, max((xs[-1] - xs[0]) / 2, 1.0)
        bottom = top + gap * _lens((xs - centre) / half)
        return {"pts": pts, "move": move, "lower": lower, "inside": inside, "corners": corners, "jaw": jaw,
                "gap": gap, "iu": np.stack([xs, top], axis=1), "il": np.stack([xs, bottom], axis=1)}

    def _fields(self, pose: dict) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, w, h = self.mouth_rect
        ring = border_ring(w, h, max(8.0, 0.2 * self.mw))
        pts, move, lower, inside = pose["pts"], pose["move"], pose["lower"], pose["inside"]
        corner = np.zeros(468, bool)
        corner[pose["corners"]] = True
        fields = []
        for sheet in (~lower | corner, lower | corner):
            chosen = sheet & inside
            targets = np.concatenate([pts[chosen] + move[chosen], ring])
            moves = np.concatenate([move[chosen], np.zeros_like(ring)])
            # a node every ~2.5 % of the mouth width: the lips' triangles stay resolved
            fields.append(displacement_field(targets, moves, w, h, step=max(1, round(self.mw / 40))))
        return fields[0], fields[1]

    def _make_mouth(self, openness: float, roundness: float, teeth: float) -> np.ndarray:
        x0, y0, w, h = self.mouth_rect
        region = self.canvas[y0:y0 + h, x0:x0 + w]
        if openness <= 0 and roundness <= 0 and not self.has_teeth:
            return region.copy()  # the photo's own closed mouth
        pose = self.mouth_pose(openness, roundness)
        key = (round(openness, 4), round(roundness, 4))
        if key not in self._warps:  # the drawn-teeth levels of one pose share its warp
            self._warps[key] = self._fields(pose)
        upper_field, lower_field = self._warps[key]
        m = self.mw
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        iu, il = pose["iu"], pose["il"]
        # which sheet a pixel belongs to: below the new seam -> jaw; beyond the corners the
        # two sheets blend over a band that widens toward the cheeks (no tear)
        xs = iu[:, 0]
        order = np.argsort(xs)
        mid = np.interp(xx, xs[order], ((iu[:, 1] + il[:, 1]) / 2)[order])
        half = max(float(xs.max() - xs.min()) / 2, 1.0)
        cx = float(xs.min() + half)
        band = 1.0 + 1.2 * m * np.clip((np.abs(xx - cx) - half) / (0.5 * m), 0, 1)
        w_low = _smoothstep((yy - mid) / band + 0.5)[..., None]
        field = upper_field * (1 - w_low) + lower_field * w_low
        out = remap(region, field).astype(np.float32)

        polygon = np.concatenate([iu, il[::-1][1:-1]])
        feather = max(0.5, 0.012 * m)
        inside = _poly_mask(polygon, w, h, feather)
        if inside.max() < 0.02:
            return np.clip(out + 0.5, 0, 255).astype(np.uint8)
        interior = self._interior(region, pose, (upper_field, lower_field), xx, yy, teeth)
        out = out * (1 - inside[..., None]) + interior * inside[..., None]
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def _interior(self, region, pose, fields, xx, yy, teeth: float) -> np.ndarray:
        """The mouth seen through the parted lips (region coordinates, float RGB)."""
        h, w = xx.shape
        m = self.mw
        iu, il = pose["iu"], pose["il"]
        ou, oi = np.argsort(iu[:, 0]), np.argsort(il[:, 0])
        top = np.interp(xx, iu[ou, 0], iu[ou, 1])
        bottom = np.interp(xx, il[oi, 0], il[oi, 1])
        opening = np.maximum(bottom - top, 1.0)
        depth = np.clip((yy - top) / opening, 0, 1)
        half = max(float(iu[:, 0].max() - iu[:, 0].min()) / 2, 1.0)
        across = _lens((xx - (iu[:, 0].min() + half)) / half)
        lip = self._lip_colour(region, pose)
        # the cavity: the lip colour deep in shadow, darkest under the upper lip and at the corners
        shade = (0.5 + 0.5 * _smoothstep(depth / 0.5)) * (0.55 + 0.45 * across)
        cavity = (lip * np.float32([0.30, 0.17, 0.17]))[None, None] * shade[..., None] + np.float32([4, 1, 2])
        openness = pose["gap"] / (MAX_GAP * m)
        if openness > 0.4:  # the tongue catches some light low in a wide-open mouth
            tongue = _smoothstep((depth - 0.5) / 0.45) * across ** 2 * min(1.0, (openness - 0.4) * 2.5) * 0.6
            cavity = cavity * (1 - tongue[..., None]) + (lip * 0.58)[None, None] * (0.7 + 0.3 * across[..., None]) * tongue[..., None]
        if self.has_teeth:
            cavity = self._photo_teeth(region, pose, fields, cavity, xx, yy)
        elif teeth > 0 and openness > 0.08:
            cavity = self._drawn_teeth(cavity, top, opening, across, xx, teeth, openness)
        grain = self._noise(h, w)
        return cavity + grain[..., None] * (0.7 * self._grain_sigma)

    def _lip_colour(self, region, pose) -> np.ndarray:
        if not hasattr(self, "_lip"):
            p = pose["pts"]
            outer = np.concatenate([p[list(lm.LIPS_OUTER_UPPER)], p[list(lm.LIPS_OUTER_LOWER)][::-1]])
            inner = np.concatenate([p[list(lm.LIPS_INNER_UPPER)], p[list(lm.LIPS_INNER_LOWER)][::-1]])
            h, w = region.shape[:2]
            band = (_poly_mask(outer, w, h, 0) > 0.5) & ~(_poly_mask(inner, w, h, 0) > 0.5)
            self._lip = self._median(region, band) if band.any() else self.skin * np.float32([0.9, 0.6, 0.6])
        return self._lip

    def _photo_teeth(self, region, pose, fields, cavity, xx, yy) -> np.ndarray:
        """The photo's own teeth: the upper row stays under the upper lip (the photo shows only its
        lower edge, so a lifted lip shows more of the same row), the lower row travels with the
        jaw; each is seen only where the photo showed it."""
        upper_field, lower_field = fields
        h, w = xx.shape
        p = pose["pts"]
        iu, il = p[list(lm.LIPS_INNER_UPPER)], p[list(lm.LIPS_INNER_LOWER)]
        src_open = _poly_mask(np.concatenate([iu, il[::-1][1:-1]]), w, h, max(0.5, 0.01 * self.mw))
        ou, oi = np.argsort(iu[:, 0]), np.argsort(il[:, 0])
        src_top = np.interp(xx, iu[ou, 0], iu[ou, 1])
        src_gap = np.maximum(np.interp(xx, il[oi, 0], il[oi, 1]) - src_top, 1)
        split = _smoothstep((yy - src_top) / src_gap / 0.3 - 1.2)  # upper ~60 % / lower ~40 % of the teeth
        upper_alpha = remap(np.ascontiguousarray(src_open * (1 - split)), upper_field)
        upper_teeth = remap(region, upper_field).astype(np.float32)
        # the photo's teeth are together (a smile); speaking, the jaw parts them: the lower row
        # drops further than the lower lip, by up to the photo's own gap, and hides behind the lip
        apart = np.zeros_like(lower_field)
        openness = float(np.clip(pose["gap"] / (MAX_GAP * self.mw), 0, 1))
        apart[..., 1] = openness * float(self.points[14, 1] - self.points[13, 1])
        lower_alpha = remap(np.ascontiguousarray(src_open * split), lower_field + apart)
        lower_teeth = remap(region, lower_field + apart).astype(np.float32)
        out = cavity * (1 - lower_alpha[..., None]) + lower_teeth * lower_alpha[..., None]
        return out * (1 - upper_alpha[..., None]) + upper_teeth * upper_alpha[..., None]

    def _drawn_teeth(self, cavity, top, opening, across, xx, teeth: float, openness: float) -> np.ndarray:
        """Upper teeth for a closed-mouth portrait: a soft, shaded row under the upper lip,
        exposure-matched to the face; edges never harder than the feather."""
        m = self.mw
        height = (0.05 + 0.06 * openness) * m * np.sqrt(across) * teeth
        height = np.minimum(height, 0.55 * opening)
        cx = float(self.mouth_c[0] - self.mouth_rect[0])
        scallop = 1 - 0.06 * np.abs(np.sin(np.pi * (xx - cx) / (0.12 * m)))  # tooth edges, softened
        edge = top + height * scallop
        soft = max(0.8, 0.03 * m)
        rows = np.arange(cavity.shape[0], dtype=np.float32)[:, None]
        alpha = _smoothstep((edge - rows) / soft + 0.5) * _smoothstep(across * 1.6) * _smoothstep(height / soft)
        exposure = float(np.clip(self.skin.mean() / 165, 0.6, 1.05))
        base = np.float32([228, 214, 188]) * exposure
        # side teeth turn away from the light; the lip shades the top of the row
        light = (0.62 + 0.38 * across) * (0.72 + 0.28 * _smoothstep((rows - top) / np.maximum(height, 1)))
        colour = (base * 0.72 + self.skin * 0.18 + self._lip * 0.10)[None, None] * light[..., None]
        alpha = alpha * 0.9
        return cavity * (1 - alpha[..., None]) + colour * alpha[..., None]

    def _noise(self, h: int, w: int) -> np.ndarray:
        if getattr(self, "_noise_cache", None) is None or self._noise_cache.shape != (h, w):
            rng = np.random.default_rng(19)
            noise = rng.normal(0, 1, (h, w)).astype(np.float32)
            blur = 0.5 * max(self.scale, 1.0)  # the photo's grain is as coarse as its upscaling
            if blur > 0.6:
                noise = cv2.GaussianBlur(noise, (0, 0), blur)
                noise /= max(float(noise.std()), 1e-6)
            self._noise_cache = noise
        return self._noise_cache

    # -- eyes ---------------------------------------------------------------------------

    def _eye_rect(self, upper, lower) -> tuple[int, int, int, int]:
        p = self.points
        ring = p[list(upper) + list(lower)]
        ew = float(np.linalg.norm(p[upper[0]] - p[upper[-1]]))
        cy = float(ring[:, 1].mean())
        return self._rect_span(ring[:, 0].min() - 0.45 * ew, cy - 0.95 * ew, ring[:, 0].max() + 0.45 * ew, cy + 0.6 * ew)

    def eye_sprites(self, level: int) -> list[np.ndarray]:
        if level not in self._eyes:
            closure = level / (BLINK_LEVELS - 1)
            self._eyes[level] = [self._make_eye(rect, upper, lower, closure) for rect, (upper, lower) in
                                 zip(self.eye_rects, ((lm.RIGHT_EYE_UPPER, lm.RIGHT_EYE_LOWER),
                                                      (lm.LEFT_EYE_UPPER, lm.LEFT_EYE_LOWER)))]
        return self._eyes[level]

    def _make_eye(self, rect, upper, lower, closure: float) -> np.ndarray:
        """The upper lid slides down over the eye: its landmarks move toward the lower lid and the
        lid skin above follows (mesh warp); the eyeball below the lid's new edge stays put."""
        x0, y0, w, h = rect
        region = self.canvas[y0:y0 + h, x0:x0 + w]
        if closure <= 0:
            return region.copy()
        pts = self.points - np.float32([x0, y0])
        up, lo = pts[list(upper)], pts[list(lower)]
        ew = float(np.linalg.norm(up[0] - up[-1]))
        ou, ol = np.argsort(up[:, 0]), np.argsort(lo[:, 0])
        gaps = np.maximum(np.interp(up[:, 0], lo[ol, 0], lo[ol, 1]) - up[:, 1], 0)
        reach = 0.86 * closure  # the lash line covers the last sliver; meeting the lower lid would fold the mesh
        inside = (pts[:, 0] > 1) & (pts[:, 0] < w - 2) & (pts[:, 1] > 1) & (pts[:, 1] < h - 2)
        move = np.zeros((468, 2), np.float32)
        lid_y = np.interp(pts[:, 0], up[ou, 0], up[ou, 1])
        gap_at = np.interp(pts[:, 0], up[ou, 0], gaps[ou])
        above = lid_y - pts[:, 1]
        # skin above the lid comes down with it, less the higher it sits (the brow stays)
        # the lid edge is drawn from skin above the lashes (a stretched lash line reads as a bruise)
        lash = 0.1 * ew * min(1.0, 2 * closure)
        move[:, 1] = np.where(above > 0.5, (reach * gap_at + lash) * np.exp(-above / (0.18 * ew)), 0)
        move[list(upper[1:-1]), 1] = reach * gaps[1:-1] + lash
        move[[upper[0], upper[-1]]] = 0
        # the lid sheet is anchored below the lower lid, not on it: anchoring on it would squeeze
        # the eye into sliver triangles right under the lid's edge
        sheet = inside.copy()
        sheet[list(lower[1:-1])] = False
        anchors = lo[1:-1] + np.float32([0, 0.35 * ew])
        ring = border_ring(w, h, max(6.0, 0.25 * ew))
        targets = np.concatenate([pts[sheet] + move[sheet], anchors, ring])
        moves = np.concatenate([move[sheet], np.zeros_like(anchors), np.zeros_like(ring)])
        field = displacement_field(targets, moves, w, h, step=max(1, round(ew / 30)))
        lid_skin = remap(region, field).astype(np.float32)
        # the eyeball shows only inside the eye outline, below the lid's new edge
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        edge = np.interp(xx, up[ou, 0], up[ou, 1] + reach * gaps[ou])
        soft = max(0.5, 0.02 * ew)
        outline = _poly_mask(np.concatenate([up, lo[::-1][1:-1]]), w, h, soft)
        eyeball = outline * _smoothstep((yy - edge) / soft + 0.5)
        below = _smoothstep((yy - np.interp(xx, lo[ol, 0], lo[ol, 1])) / soft + 0.5)  # under the lower lid
        keep = np.maximum(eyeball, below)
        out = lid_skin * (1 - keep[..., None]) + region.astype(np.float32) * keep[..., None]
        # lashes: the closing lid's edge reads as a soft dark line
        span = _lens((xx - (up[:, 0].min() + up[:, 0].max()) / 2) / max(ew / 2, 1))
        line = np.exp(-((yy - edge) / max(0.03 * ew, 0.6)) ** 2) * np.sqrt(span) * min(1.0, closure * 1.2)
        out *= (1 - 0.35 * line)[..., None]
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    # -- head sway --------------------------------------------------------------------

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

    def frame(self, dx: int, dy: int, open_level: int, round_level: int, blink_level: int,
              teeth_level: int = 0) -> np.ndarray:
        frame = self.canvas.copy()
        if dx or dy:
            x0, y0, w, h = self.head_rect
            frame[y0:y0 + h, x0:x0 + w] = self.head(dx, dy)
        self._paste(frame, self.mouth_sprite(open_level, round_level, teeth_level), self.mouth_rect, dx, dy)
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
def portrait_rig(portrait: str | None, width: int, height: int, root: str, brand: str = "#111111") -> PortraitRig:
    """One rig per (portrait, size, brand): every variant of a job reuses the landmarks and sprites."""
    image, _ = load_portrait(Path(portrait) if portrait else None)
    portrait_id = file_digest(Path(portrait)) if portrait else "demo:astronaut"
    face = find_face_cached(image, portrait_id, Path(root))
    return PortraitRig(image, face, width, height, brand)


def portrait_path(request: PresenterRequest) -> str | None:
    presenter = request.settings.presenter
    if not presenter:
        return None  # the bundled demo portrait
    if presenter.strip().lower() in LOOKS:
        raise AvatarError(f"{presenter!r} is a drawn look; the photo presenter needs a portrait image "
                          f"(JPEG/PNG path).", code="portrait_required", stage="avatar")
    return str(Path(presenter).expanduser().resolve())


def pose_levels(mouth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantise a mouth_track (open, wide, round, teeth, ...) to sprite levels."""
    open_levels = np.round(np.clip(mouth[:, 0], 0, 1) * (OPEN_LEVELS - 1)).astype(int)
    round_levels = np.round(np.clip(mouth[:, 2], 0, 1) * (ROUND_LEVELS - 1)).astype(int)
    teeth_levels = np.round(np.clip(mouth[:, 3], 0, 1) * (TEETH_LEVELS - 1)).astype(int)
    return open_levels, round_levels, teeth_levels


class PhotoEngine:
    name = "photo"

    def __init__(self, config: PhotoConfig):
        self.config = config

    def __call__(self, request: PresenterRequest, out_dir: Path) -> PresenterClip:
        path = portrait_path(request)
        rig = portrait_rig(path, request.width, request.height, str(cache_root(request.settings)),
                           request.settings.brand_color)
        request.report(0.1, "face found")
        n, fps = request.n_frames, request.fps
        energy = request.energy()
        mouth = mouth_track(request.voice, n, fps, energy)
        open_levels, round_levels, teeth_levels = pose_levels(mouth)
        blinks = np.round(blink_track(n, fps, request.seed) * (BLINK_LEVELS - 1)).astype(int)
        motion = head_motion(n, fps, request.seed, energy, scale=request.height / 1080)
        dx, dy = np.round(motion.dx).astype(int), np.round(motion.dy).astype(int)
        spec = ClipSpec(request.width, request.height, fps, n, request.audio, request.duration_s)
        out = Path(out_dir) / CLIP_NAME
        with FrameWriter(out, spec, preset=self.config.x264_preset, crf=self.config.crf) as writer:
            for i in range(n):
                writer.write(rig.frame(int(dx[i]), int(dy[i]), int(open_levels[i]), int(round_levels[i]),
                                       int(blinks[i]), int(teeth_levels[i])))
                if i % 60 == 0:
                    request.report(0.1 + 0.9 * i / n, "animating portrait")
        return PresenterClip(video=CLIP_NAME, has_alpha=False, key_color=None, width=request.width,
                             height=request.height, fps=fps, duration_s=n / fps, face_box=rig.face_box,
                             engine=self.name)
