"""Drawing the puppet presenter: backdrop, body, head, eyes and mouth shapes.

Everything is drawn once per look with PIL at SS x supersampling and downsampled (antialiased
edges, soft shading from blurred masks). The per-frame renderer only copies these sprites.
Geometry is in frame pixels derived from the face radius, so any canvas size works.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from pipelines.avatar.looks import Look

SS = 3  # supersampling factor for the small sprites (mouth, eyes)
SS_BIG = 2  # for the full-size layers


# --------------------------------------------------------------------------- colours


def rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def shade(c, f: float) -> tuple[int, int, int]:
    """f < 0 darkens toward black, f > 0 lightens toward white."""
    return mix(c, (0, 0, 0), -f) if f < 0 else mix(c, (255, 255, 255), f)


def luminance(c) -> float:
    return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255


def saturation(c) -> float:
    return (max(c) - min(c)) / 255


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class FaceGeometry:
    """Key points of the drawn face in frame pixels (at rest, before head motion)."""

    cx: float
    cy: float
    rx: float
    ry: float

    @property
    def eye_y(self) -> float:
        return self.cy - 0.08 * self.ry

    @property
    def eye_dx(self) -> float:
        return 0.40 * self.rx

    @property
    def mouth_y(self) -> float:
        return self.cy + 0.56 * self.ry

    @property
    def mouth_w(self) -> float:
        return 0.50 * self.rx

    def face_box(self) -> tuple[int, int, int, int]:
        return (int(self.cx - self.rx), int(self.cy - self.ry), int(2 * self.rx), int(2 * self.ry))

    def mouth_box(self) -> tuple[int, int, int, int]:
        """Region the mouth sprites replace: inside the face outline for every mouth shape."""
        x0 = int(self.cx - 0.46 * self.rx)
        x1 = int(math.ceil(self.cx + 0.46 * self.rx))
        y0 = int(self.cy + 0.36 * self.ry)
        y1 = int(math.ceil(self.cy + 0.84 * self.ry))
        return x0, y0, x1 - x0, y1 - y0

    def eyes_box(self) -> tuple[int, int, int, int]:
        x0 = int(self.cx - self.eye_dx - 0.30 * self.rx)
        x1 = int(math.ceil(self.cx + self.eye_dx + 0.30 * self.rx))
        y0 = int(self.eye_y - 0.17 * self.rx)
        y1 = int(math.ceil(self.eye_y + 0.15 * self.rx))
        return x0, y0, x1 - x0, y1 - y0


def geometry_for(width: int, height: int) -> FaceGeometry:
    rx = 0.138 * height
    return FaceGeometry(cx=width / 2, cy=0.375 * height, rx=rx, ry=1.3 * rx)


def face_outline(g: FaceGeometry, s: float, n: int = 120) -> list[tuple[float, float]]:
    """An egg: round cranium, cheeks, tapered jaw and a soft chin. Coordinates scaled by s."""
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = math.cos(t), math.sin(t)
        if y > 0:  # lower half: narrow toward the chin
            x *= 1 - 0.22 * y ** 2.2
        pts.append(((g.cx + g.rx * x) * s, (g.cy + g.ry * y) * s))
    return pts


def _curve(points, n=24):
    """Catmull-Rom through the points (open curve)."""
    pts = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(n):
            t = k / n
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * (2 * p1[j] + (-p0[j] + p2[j]) * t + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                                    + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3) for j in range(2)))
    out.append(points[-1])
    return out


def _down(img: Image.Image, factor: int) -> Image.Image:
    return img.resize((img.width // factor, img.height // factor), Image.LANCZOS)


def _premultiplied_over(dst: np.ndarray, src_rgba: np.ndarray) -> np.ndarray:
    a = src_rgba[..., 3:4].astype(np.float32) / 255
    return (src_rgba[..., :3].astype(np.float32) * a + dst.astype(np.float32) * (1 - a)).round().astype(np.uint8)


# --------------------------------------------------------------------------- backdrop


def draw_backdrop(width: int, height: int, brand: str, g: FaceGeometry) -> np.ndarray:
    """A soft studio backdrop tinted by the brand colour: gradient, key light glow behind the
    head, a few out-of-focus light discs, gentle vignette."""
    b = rgb(brand)
    tint = 0.10 if saturation(b) < 0.15 else 0.22
    top = np.array(mix((236, 233, 228), b, tint), np.float32)
    bottom = np.array(mix((176, 170, 163), b, tint * 1.4), np.float32)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    img = top * (1 - y) + bottom * y
    img = np.broadcast_to(img, (height, width, 3)).copy()
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    glow = np.exp(-(((xx - g.cx) / (0.9 * width)) ** 2 + ((yy - g.cy) / (0.55 * height)) ** 2) * 2.2)
    img += glow[..., None] * 26
    # bokeh discs: blurred, brand-tinted, placed away from the face
    rng = np.random.default_rng(int.from_bytes(brand.encode(), "little") % 2**32)
    layer = Image.new("L", (width, height), 0)
    d = ImageDraw.Draw(layer)
    for _ in range(7):
        side = rng.choice([-1, 1])
        cx = g.cx + side * rng.uniform(0.28, 0.55) * width
        cy = rng.uniform(0.05, 0.75) * height
        r = rng.uniform(0.04, 0.11) * height
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=int(rng.uniform(40, 90)))
    layer = layer.filter(ImageFilter.GaussianBlur(0.012 * height))
    disc = np.asarray(layer, np.float32)[..., None] / 255
    light = np.array(mix((255, 255, 255), b, tint * 1.5), np.float32)
    img = img * (1 - disc * 0.5) + light * disc * 0.5
    vignette = ((xx - width / 2) / width) ** 2 + ((yy - height * 0.45) / height) ** 2
    img *= (1 - 0.35 * vignette)[..., None]
    noise = np.random.default_rng(3).normal(0, 1.2, img.shape).astype(np.float32)  # no banding
    return np.clip(img + noise, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- body


def draw_body(width: int, height: int, look: Look, brand: str, g: FaceGeometry) -> np.ndarray:
    """Neck, shoulders and outfit as an RGBA layer at frame size."""
    s = SS_BIG
    W, H = width * s, height * s
    skin = rgb(look.skin)
    cloth = rgb(look.outfit_color or brand)
    if luminance(cloth) > 0.93:  # a white brand colour would vanish into the light backdrop
        cloth = shade(cloth, -0.12)
    layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, rx = g.cx * s, g.rx * s
    chin = (g.cy + g.ry) * s
    neck_top = (g.cy + 0.35 * g.ry) * s
    shoulder_y = chin + 0.62 * rx

    # neck with the shadow the jaw casts on it
    neck_w = 0.44 * rx
    neck_skin = shade(skin, -0.10)
    d.rounded_rectangle((cx - neck_w, neck_top, cx + neck_w, shoulder_y + 0.6 * rx), radius=int(0.3 * rx),
                        fill=neck_skin + (255,))
    shadow = Image.new("L", (W, H), 0)
    ImageDraw.Draw(shadow).ellipse((cx - 0.62 * rx, chin - 0.35 * rx, cx + 0.62 * rx, chin + 0.22 * rx), fill=150)
    shadow = shadow.filter(ImageFilter.GaussianBlur(0.09 * rx))
    neck_mask = layer.getchannel("A")
    shadow = ImageChops.multiply(shadow, neck_mask)
    layer = Image.composite(Image.new("RGBA", (W, H), shade(skin, -0.45) + (255,)), layer, shadow.point(lambda v: v * 0.6))
    d = ImageDraw.Draw(layer)

    # torso: sloping shoulders, arms falling out of frame
    half = min(2.75 * rx, W / 2 - 0.02 * W)
    torso = _curve([(cx - half * 1.08, H + 10), (cx - half, shoulder_y + 1.4 * rx), (cx - half * 0.86, shoulder_y + 0.42 * rx),
                    (cx - half * 0.55, shoulder_y + 0.02 * rx), (cx - 0.5 * rx, shoulder_y - 0.16 * rx),
                    (cx, shoulder_y - 0.2 * rx),
                    (cx + 0.5 * rx, shoulder_y - 0.16 * rx), (cx + half * 0.55, shoulder_y + 0.02 * rx),
                    (cx + half * 0.86, shoulder_y + 0.42 * rx), (cx + half, shoulder_y + 1.4 * rx), (cx + half * 1.08, H + 10)])
    d.polygon(torso, fill=cloth + (255,))
    neckline_y = shoulder_y + 0.06 * rx
    dark, darker, light = shade(cloth, -0.18), shade(cloth, -0.35), shade(cloth, 0.12)

    if look.outfit in ("tee", "knit"):
        d.ellipse((cx - 0.62 * rx, neckline_y - 0.55 * rx, cx + 0.62 * rx, neckline_y + 0.38 * rx), fill=dark + (255,))
        d.ellipse((cx - 0.5 * rx, neckline_y - 0.6 * rx, cx + 0.5 * rx, neckline_y + 0.26 * rx), fill=neck_skin + (255,))
        if look.outfit == "knit":  # ribbed texture, only on the sweater
            ribs = Image.new("L", (W, H), 0)
            rd = ImageDraw.Draw(ribs)
            for k in range(-20, 21):
                x = cx + k * 0.14 * rx
                rd.line((x, shoulder_y + 0.5 * rx, x, H), fill=255, width=max(1, int(0.02 * rx)))
            torso_mask = Image.new("L", (W, H), 0)
            ImageDraw.Draw(torso_mask).polygon(torso, fill=255)
            layer.paste(Image.new("RGBA", (W, H), shade(cloth, -0.06) + (255,)), (0, 0),
                        ImageChops.multiply(ribs, torso_mask))
            d = ImageDraw.Draw(layer)
    elif look.outfit == "vneck":
        d.polygon([(cx - 0.62 * rx, neckline_y - 0.2 * rx), (cx + 0.62 * rx, neckline_y - 0.2 * rx),
                   (cx, neckline_y + 1.25 * rx)], fill=dark + (255,))
        d.polygon([(cx - 0.5 * rx, neckline_y - 0.25 * rx), (cx + 0.5 * rx, neckline_y - 0.25 * rx),
                   (cx, neckline_y + 1.1 * rx)], fill=neck_skin + (255,))
    elif look.outfit == "blazer":
        inner = rgb(look.inner_color)
        d.polygon([(cx - 0.75 * rx, neckline_y - 0.2 * rx), (cx + 0.75 * rx, neckline_y - 0.2 * rx),
                   (cx + 0.35 * rx, H), (cx - 0.35 * rx, H)], fill=inner + (255,))
        d.polygon([(cx - 0.48 * rx, neckline_y - 0.28 * rx), (cx + 0.48 * rx, neckline_y - 0.28 * rx),
                   (cx, neckline_y + 0.75 * rx)], fill=neck_skin + (255,))
        for side in (-1, 1):  # lapels
            lapel = [(cx + side * 0.75 * rx, neckline_y - 0.25 * rx), (cx + side * 1.05 * rx, neckline_y + 0.5 * rx),
                     (cx + side * 0.82 * rx, neckline_y + 0.75 * rx), (cx + side * 0.95 * rx, neckline_y + 0.95 * rx),
                     (cx + side * 0.3 * rx, H), (cx + side * 0.45 * rx, H),
                     (cx + side * 0.45 * rx, neckline_y + 1.6 * rx)]
            d.polygon(lapel, fill=dark + (255,))
            d.line([(cx + side * 0.75 * rx, neckline_y - 0.25 * rx), (cx + side * 0.3 * rx, H)],
                   fill=darker + (255,), width=int(0.035 * rx))
    elif look.outfit == "hoodie":
        d.ellipse((cx - 1.15 * rx, neckline_y - 0.75 * rx, cx + 1.15 * rx, neckline_y + 0.65 * rx), fill=dark + (255,))
        d.ellipse((cx - 0.8 * rx, neckline_y - 0.62 * rx, cx + 0.8 * rx, neckline_y + 0.35 * rx), fill=darker + (255,))
        d.ellipse((cx - 0.5 * rx, neckline_y - 0.7 * rx, cx + 0.5 * rx, neckline_y + 0.18 * rx), fill=neck_skin + (255,))
        for side in (-1, 1):
            x = cx + side * 0.32 * rx
            d.line([(x, neckline_y + 0.3 * rx), (x + side * 0.04 * rx, neckline_y + 1.5 * rx)],
                   fill=(245, 245, 245, 255), width=int(0.05 * rx))
            d.ellipse((x - 0.06 * rx, neckline_y + 1.45 * rx, x + 0.1 * rx, neckline_y + 1.6 * rx), fill=(230, 230, 230, 255))
    elif look.outfit == "shirt":
        d.polygon([(cx - 0.5 * rx, neckline_y - 0.3 * rx), (cx + 0.5 * rx, neckline_y - 0.3 * rx),
                   (cx, neckline_y + 0.55 * rx)], fill=neck_skin + (255,))
        for side in (-1, 1):
            collar = [(cx + side * 0.52 * rx, neckline_y - 0.45 * rx), (cx + side * 0.02 * rx, neckline_y + 0.6 * rx),
                      (cx + side * 0.78 * rx, neckline_y + 0.45 * rx), (cx + side * 0.72 * rx, neckline_y - 0.28 * rx)]
            d.polygon(collar, fill=light + (255,), outline=dark + (255,), width=int(0.025 * rx))
        d.line([(cx, neckline_y + 0.6 * rx), (cx, H)], fill=dark + (255,), width=int(0.03 * rx))
        for k in range(4):
            y = neckline_y + (1.0 + 0.9 * k) * rx
            d.ellipse((cx + 0.06 * rx, y, cx + 0.16 * rx, y + 0.1 * rx), fill=shade(cloth, 0.35) + (255,))

    # soft form shading: darker toward the arms, light from the upper left
    arr = np.asarray(layer, np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    side_shade = np.clip(np.abs(xx - cx) / (half * 1.05), 0, 1) ** 3 * 0.35
    lift = np.exp(-(((xx - cx + 0.8 * rx) / (1.6 * rx)) ** 2 + ((yy - shoulder_y - 0.8 * rx) / (1.6 * rx)) ** 2)) * 0.10
    factor = (1 - side_shade + lift)[..., None]
    body_mask = (yy > neck_top + 0.7 * rx)[..., None]
    arr[..., :3] = np.where(body_mask, np.clip(arr[..., :3] * factor, 0, 255), arr[..., :3])
    layer = Image.fromarray(arr.astype(np.uint8))
    return np.asarray(_down(layer, s))


# --------------------------------------------------------------------------- head


def _hair_shapes(look: Look, g: FaceGeometry, s: float, W: int, H: int):
    """(back, front) hair masks at scale s: back is drawn behind the face, front over it."""
    cx, cy, rx, ry = g.cx * s, g.cy * s, g.rx * s, g.ry * s
    back = Image.new("L", (W, H), 0)
    front = Image.new("L", (W, H), 0)
    db, df = ImageDraw.Draw(back), ImageDraw.Draw(front)
    crown = (cx - 1.08 * rx, cy - 1.12 * ry, cx + 1.08 * rx, cy + 0.35 * ry)
    style = look.hair_style

    def above(points):
        m = Image.new("L", (W, H), 0)
        ImageDraw.Draw(m).polygon([(0, 0), *points, (W, 0)], fill=255)
        return m

    cap = Image.new("L", (W, H), 0)
    ImageDraw.Draw(cap).ellipse(crown, fill=255)
    if style == "long":
        db.rounded_rectangle((cx - 1.22 * rx, cy - 1.05 * ry, cx + 1.22 * rx, cy + 2.0 * ry), radius=int(0.9 * rx), fill=255)
        line = _curve([(cx - 1.2 * rx, cy + 0.9 * ry), (cx - 0.95 * rx, cy - 0.2 * ry), (cx - 0.55 * rx, cy - 0.68 * ry),
                       (cx - 0.02 * rx, cy - 0.86 * ry), (cx + 0.5 * rx, cy - 0.62 * ry), (cx + 0.9 * rx, cy - 0.15 * ry),
                       (cx + 1.2 * rx, cy + 0.9 * ry)])
        front = ImageChops.lighter(front, ImageChops.multiply(cap, above(line)))
        for side in (-1, 1):  # strands framing the face
            df.polygon(_curve([(cx + side * 0.78 * rx, cy - 0.55 * ry), (cx + side * 1.0 * rx, cy + 0.1 * ry),
                               (cx + side * 0.98 * rx, cy + 0.8 * ry), (cx + side * 1.25 * rx, cy + 1.6 * ry),
                               (cx + side * 1.2 * rx, cy + 0.2 * ry), (cx + side * 1.02 * rx, cy - 0.6 * ry)]), fill=255)
    elif style == "bob":
        db.rounded_rectangle((cx - 1.22 * rx, cy - 1.08 * ry, cx + 1.22 * rx, cy + 0.82 * ry), radius=int(0.85 * rx), fill=255)
        line = [(cx - 1.1 * rx, cy + 0.1 * ry), (cx - 0.86 * rx, cy - 0.42 * ry), (cx, cy - 0.45 * ry),
                (cx + 0.86 * rx, cy - 0.42 * ry), (cx + 1.1 * rx, cy + 0.1 * ry)]
        front = ImageChops.lighter(front, ImageChops.multiply(cap, above(_curve(line))))
        for side in (-1, 1):
            df.polygon([(cx + side * 0.86 * rx, cy - 0.5 * ry), (cx + side * 1.02 * rx, cy + 0.2 * ry),
                        (cx + side * 1.05 * rx, cy + 0.8 * ry), (cx + side * 1.25 * rx, cy + 0.8 * ry),
                        (cx + side * 1.2 * rx, cy - 0.5 * ry)], fill=255)
    elif style == "afro":
        db.ellipse((cx - 1.55 * rx, cy - 1.55 * ry, cx + 1.55 * rx, cy + 0.55 * ry), fill=255)
        line = _curve([(cx - 1.1 * rx, cy + 0.05 * ry), (cx - 0.85 * rx, cy - 0.5 * ry), (cx, cy - 0.66 * ry),
                       (cx + 0.85 * rx, cy - 0.5 * ry), (cx + 1.1 * rx, cy + 0.05 * ry)])
        big = Image.new("L", (W, H), 0)
        ImageDraw.Draw(big).ellipse((cx - 1.55 * rx, cy - 1.55 * ry, cx + 1.55 * rx, cy + 0.55 * ry), fill=255)
        front = ImageChops.lighter(front, ImageChops.multiply(big, above(line)))
    elif style in ("short", "textured"):
        db.ellipse((cx - 1.1 * rx, cy - 1.16 * ry, cx + 1.1 * rx, cy + 0.2 * ry), fill=255)
        line = _curve([(cx - 1.08 * rx, cy - 0.05 * ry), (cx - 0.9 * rx, cy - 0.55 * ry), (cx - 0.35 * rx, cy - 0.68 * ry),
                       (cx + 0.25 * rx, cy - 0.78 * ry), (cx + 0.85 * rx, cy - 0.58 * ry), (cx + 1.08 * rx, cy - 0.05 * ry)])
        front = ImageChops.lighter(front, ImageChops.multiply(cap, above(line)))
        if style == "textured":  # tufts over the crown
            rng = np.random.default_rng(5)
            for k in range(26):
                a = math.pi * (0.05 + 0.9 * k / 25)
                x = cx - math.cos(a) * 1.0 * rx
                y = cy - 0.55 * ry - math.sin(a) * 0.6 * ry
                r = rng.uniform(0.16, 0.26) * rx
                df.polygon([(x - r, y + r), (x + rng.uniform(-0.5, 0.5) * r, y - 1.8 * r), (x + r, y + r)], fill=255)
    elif style == "buzz":
        line = _curve([(cx - 1.02 * rx, cy - 0.1 * ry), (cx - 0.8 * rx, cy - 0.6 * ry), (cx, cy - 0.74 * ry),
                       (cx + 0.8 * rx, cy - 0.6 * ry), (cx + 1.02 * rx, cy - 0.1 * ry)])
        front = ImageChops.lighter(front, ImageChops.multiply(cap, above(line)).point(lambda v: int(v * 0.82)))
    return back, front


def draw_head(width: int, height: int, look: Look, g: FaceGeometry, *, with_features: bool = True):
    """Returns (hair_back, bare, hair_front) RGBA arrays at frame size, drawn at SS_BIG.

    `hair_back` goes behind the body (long hair falls behind the shoulders); `bare` has ears, face with shading, nose, brows, beard; eyes and mouth are
    separate sprites composited between `bare` and `hair_front`.
    """
    s = SS_BIG
    W, H = width * s, height * s
    skin = rgb(look.skin)
    hair = rgb(look.hair_color)
    cx, cy, rx, ry = g.cx * s, g.cy * s, g.rx * s, g.ry * s
    back_mask, front_mask = _hair_shapes(look, g, s, W, H)

    hair_fill = Image.new("RGBA", (W, H), hair + (255,))
    # hair behind the head (and behind neck and shoulders), a shade darker for depth
    back_layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    back_layer.paste(Image.new("RGBA", (W, H), shade(hair, -0.22) + (255,)), (0, 0), back_mask)
    layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    # ears
    for side in (-1, 1):
        ex = cx + side * 0.97 * rx
        d.ellipse((ex - 0.16 * rx, cy - 0.18 * ry, ex + 0.16 * rx, cy + 0.28 * ry), fill=shade(skin, -0.05) + (255,))
        d.ellipse((ex - 0.08 * rx, cy - 0.08 * ry, ex + 0.08 * rx, cy + 0.18 * ry), fill=shade(skin, -0.2) + (255,))
    # face
    face_mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(face_mask).polygon(face_outline(g, s), fill=255)
    layer.paste(Image.new("RGBA", (W, H), skin + (255,)), (0, 0), face_mask)

    # shading: soft shadow along the jaw and sides, warm cheeks, a highlight on the forehead
    shading = Image.new("L", (W, H), 0)
    sd = ImageDraw.Draw(shading)
    sd.polygon(face_outline(g, s), fill=255)
    inner = shading.filter(ImageFilter.GaussianBlur(0.16 * rx))
    edge = ImageChops.subtract(face_mask, inner)
    layer.paste(Image.new("RGBA", (W, H), shade(skin, -0.35) + (255,)), (0, 0), edge.point(lambda v: int(v * 0.55)))
    glow = Image.new("L", (W, H), 0)
    ImageDraw.Draw(glow).ellipse((cx - 0.45 * rx, cy - 0.85 * ry, cx + 0.35 * rx, cy - 0.35 * ry), fill=70)
    glow = ImageChops.multiply(glow.filter(ImageFilter.GaussianBlur(0.2 * rx)), face_mask)
    layer.paste(Image.new("RGBA", (W, H), shade(skin, 0.35) + (255,)), (0, 0), glow)
    cheeks = Image.new("L", (W, H), 0)
    for side in (-1, 1):
        ImageDraw.Draw(cheeks).ellipse((cx + side * 0.55 * rx - 0.2 * rx, cy + 0.2 * ry, cx + side * 0.55 * rx + 0.2 * rx,
                                        cy + 0.42 * ry), fill=60 if look.gender == "female" else 35)
    cheeks = cheeks.filter(ImageFilter.GaussianBlur(0.1 * rx))
    layer.paste(Image.new("RGBA", (W, H), mix(skin, (215, 80, 80), 0.5) + (255,)), (0, 0), cheeks)

    d = ImageDraw.Draw(layer)
    if look.beard:
        beard = Image.new("L", (W, H), 0)
        bd = ImageDraw.Draw(beard)
        bd.polygon(face_outline(g, s), fill=255)
        # the cheek line curves up toward the ears; the cheeks above the mouth stay clear
        bd.ellipse((cx - 1.3 * rx, cy - 1.1 * ry, cx + 1.3 * rx, cy + 0.4 * ry), fill=0)
        bd.ellipse((cx - 0.36 * rx, cy + 0.36 * ry, cx + 0.36 * rx, cy + 0.5 * ry), fill=255)  # moustache
        beard = ImageChops.multiply(beard.filter(ImageFilter.GaussianBlur(0.05 * rx)), face_mask)
        layer.paste(Image.new("RGBA", (W, H), mix(hair, skin, 0.2) + (255,)), (0, 0), beard.point(lambda v: int(v * 0.9)))

    # nose: a soft side shadow and nostrils, no outline
    nose = Image.new("L", (W, H), 0)
    nd = ImageDraw.Draw(nose)
    nd.ellipse((cx - 0.17 * rx, cy + 0.26 * ry, cx + 0.17 * rx, cy + 0.38 * ry), fill=90)
    nd.line([(cx + 0.08 * rx, cy - 0.02 * ry), (cx + 0.12 * rx, cy + 0.28 * ry)], fill=70, width=int(0.06 * rx))
    nose = nose.filter(ImageFilter.GaussianBlur(0.04 * rx))
    layer.paste(Image.new("RGBA", (W, H), shade(skin, -0.3) + (255,)), (0, 0), nose)
    for side in (-1, 1):
        nx = cx + side * 0.075 * rx
        d.ellipse((nx - 0.045 * rx, cy + 0.31 * ry, nx + 0.045 * rx, cy + 0.345 * ry), fill=shade(skin, -0.45) + (255,))
    tip = Image.new("L", (W, H), 0)
    ImageDraw.Draw(tip).ellipse((cx - 0.06 * rx, cy + 0.17 * ry, cx + 0.04 * rx, cy + 0.27 * ry), fill=70)
    layer.paste(Image.new("RGBA", (W, H), shade(skin, 0.3) + (255,)), (0, 0), tip.filter(ImageFilter.GaussianBlur(0.03 * rx)))

    # brows
    brow = shade(hair, -0.1) if look.hair_style != "bob" else shade(hair, -0.45)
    for side in (-1, 1):
        bx = cx + side * g.eye_dx * s
        by = g.eye_y * s - 0.27 * rx
        pts = _curve([(bx - side * 0.2 * rx, by + 0.05 * rx), (bx, by - 0.04 * rx), (bx + side * 0.24 * rx, by + 0.04 * rx)], 16)
        d.line(pts, fill=brow + (255,), width=int((0.075 if look.gender == "male" else 0.055) * rx), joint="curve")

    hair_layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    hair_layer.paste(hair_fill, (0, 0), front_mask)
    # strand highlights so the hair reads as hair, not a flat shape
    strands = Image.new("L", (W, H), 0)
    st = ImageDraw.Draw(strands)
    for k in range(-6, 7):
        x0 = cx + k * 0.16 * rx
        st.arc((x0 - 0.9 * rx, cy - 1.2 * ry, x0 + 0.9 * rx, cy + 0.6 * ry), 200, 300, fill=80, width=int(0.03 * rx))
    strands = ImageChops.multiply(strands.filter(ImageFilter.GaussianBlur(0.02 * rx)), front_mask)
    hair_layer.paste(Image.new("RGBA", (W, H), shade(hair, 0.3) + (255,)), (0, 0), strands)
    if look.hair_style == "afro":  # curls: texture of small circles
        rng = np.random.default_rng(11)
        curls = Image.new("L", (W, H), 0)
        cd = ImageDraw.Draw(curls)
        for _ in range(900):
            x = cx + rng.uniform(-1.6, 1.6) * rx
            y = cy + rng.uniform(-1.6, 0.6) * ry
            r = rng.uniform(0.04, 0.08) * rx
            cd.arc((x - r, y - r, x + r, y + r), rng.uniform(0, 360), rng.uniform(0, 360) + 200, fill=120, width=max(1, int(0.02 * rx)))
        light = Image.new("RGBA", (W, H), shade(hair, 0.35) + (255,))
        back_layer.paste(light, (0, 0), ImageChops.multiply(curls, back_mask).point(lambda v: v // 2))
        hair_layer.paste(light, (0, 0), ImageChops.multiply(curls, front_mask).point(lambda v: v // 2))
    return np.asarray(_down(back_layer, s)), np.asarray(_down(layer, s)), np.asarray(_down(hair_layer, s))


# --------------------------------------------------------------------------- eyes


def draw_eyes(look: Look, g: FaceGeometry, closure: float, box: tuple[int, int, int, int]) -> Image.Image:
    """RGBA sprite of both eyes (lids, lashes, iris) for the given lid closure 0..1, in box coords."""
    s = SS
    x0, y0, bw, bh = box
    img = Image.new("RGBA", (bw * s, bh * s), (0, 0, 0, 0))
    skin = rgb(look.skin)
    rx = g.rx * s
    ew, eh = 0.2 * rx, 0.105 * rx
    lash = (35, 24, 20)
    for side in (-1, 1):
        ex = (g.cx + side * g.eye_dx - x0) * s
        ey = (g.eye_y - y0) * s
        top = _curve([(ex - ew, ey + 0.1 * eh), (ex - 0.3 * ew, ey - eh), (ex + 0.35 * ew, ey - 0.95 * eh), (ex + ew, ey)], 12)
        bottom = _curve([(ex + ew, ey), (ex + 0.3 * ew, ey + 0.75 * eh), (ex - 0.4 * ew, ey + 0.7 * eh), (ex - ew, ey + 0.1 * eh)], 12)
        if side > 0:  # mirror
            top = [(2 * ex - x, y) for x, y in top]
            bottom = [(2 * ex - x, y) for x, y in bottom]
        mask = Image.new("L", img.size, 0)
        ImageDraw.Draw(mask).polygon(top + bottom, fill=255)
        eye = Image.new("RGBA", img.size, (0, 0, 0, 0))
        ed = ImageDraw.Draw(eye)
        ed.rectangle((0, 0, img.width, img.height), fill=(246, 243, 240, 255))
        ir = 0.62 * eh * 1.25
        ed.ellipse((ex - ir, ey - ir, ex + ir, ey + ir), fill=rgb(look.iris) + (255,))
        ed.ellipse((ex - 0.7 * ir, ey - 0.7 * ir, ex + 0.7 * ir, ey + 0.7 * ir), fill=shade(rgb(look.iris), 0.15) + (255,))
        ed.ellipse((ex - 0.45 * ir, ey - 0.45 * ir, ex + 0.45 * ir, ey + 0.45 * ir), fill=(18, 12, 10, 255))
        ed.ellipse((ex + 0.15 * ir, ey - 0.6 * ir, ex + 0.5 * ir, ey - 0.25 * ir), fill=(255, 255, 255, 235))
        # upper lid comes down: skin above a curve between the top contour and the bottom contour
        if closure > 0:
            lid = [(x, y + (yb - y) * closure) for (x, y), (_, yb) in zip(top, reversed(bottom))]
            ed.polygon([(lid[0][0], 0), *lid, (lid[-1][0], 0)], fill=shade(skin, -0.06) + (255,))
            lid_line = lid
        else:
            lid_line = top
        img.paste(eye, (0, 0), mask)
        d = ImageDraw.Draw(img)
        d.line(lid_line, fill=lash + (255,), width=int(0.022 * rx), joint="curve")
        if look.gender == "female":  # lashes flick out at the outer corner
            outer = min(lid_line, key=lambda p: p[0]) if side < 0 else max(lid_line, key=lambda p: p[0])
            ox, oy = outer
            d.line([(ox, oy), (ox + side * 0.06 * rx, oy - 0.045 * rx)], fill=lash + (255,), width=int(0.018 * rx))
        if closure < 0.9:
            d.line(bottom, fill=shade(skin, -0.25) + (200,), width=max(1, int(0.008 * rx)))
        # crease above the eye
        crease = [(x, y - 0.45 * eh) for x, y in top[3:-3]]
        d.line(crease, fill=shade(skin, -0.18) + (255,), width=max(1, int(0.012 * rx)))
    return img


# --------------------------------------------------------------------------- mouth


def lip_colour(look: Look):
    return rgb(look.lips) if look.lips else mix(rgb(look.skin), (170, 70, 70), 0.35)


def draw_mouth(look: Look, g: FaceGeometry, params, box: tuple[int, int, int, int]) -> Image.Image:
    """RGBA sprite of the mouth for (open, wide, round, teeth, tongue, bite), in box coords."""
    open_, wide, round_, teeth, tongue, bite = (float(v) for v in params)
    s = SS
    x0, y0, bw, bh = box
    img = Image.new("RGBA", (bw * s, bh * s), (0, 0, 0, 0))
    rx = g.rx * s
    mx, my = (g.cx - x0) * s, (g.mouth_y - y0) * s
    half = 0.5 * g.mouth_w * s * (0.78 + 0.42 * wide) * (1 - 0.38 * round_)
    gap = 0.36 * rx * open_ * (1 + 0.25 * round_)
    upper_t, lower_t = 0.075 * rx * (1 + 0.3 * round_), 0.10 * rx * (1 + 0.25 * round_) * (1 - 0.35 * bite)
    power = 0.9 - 0.45 * round_
    n = 40
    xs = np.linspace(-1, 1, n)
    env = (1 - xs ** 2).clip(0) ** power
    bow = np.exp(-(xs / 0.16) ** 2)
    inner_top = my - 0.38 * gap * env
    lift = 0.5 * bite * 0.06 * rx
    inner_bot = my + 0.62 * gap * env - lift * env
    outer_top = inner_top - upper_t * (1 - xs ** 2).clip(0) ** 0.55 * (1 - 0.3 * bow) - 0.02 * rx * (1 - xs ** 2)
    outer_bot = inner_bot + lower_t * (1 - xs ** 2).clip(0) ** 0.6
    X = mx + half * xs
    lips = lip_colour(look)
    lip_dark = shade(lips, -0.35)
    d = ImageDraw.Draw(img)
    # soft shadow under the lower lip
    shadow = Image.new("L", img.size, 0)
    ImageDraw.Draw(shadow).ellipse((mx - 0.6 * half, outer_bot.max() - 0.01 * rx, mx + 0.6 * half, outer_bot.max() + 0.07 * rx), fill=80)
    shadow = shadow.filter(ImageFilter.GaussianBlur(0.03 * rx))
    img.paste(Image.new("RGBA", img.size, shade(rgb(look.skin), -0.3) + (255,)), (0, 0), shadow)
    d.polygon(list(zip(X, outer_top)) + list(zip(X[::-1], outer_bot[::-1])), fill=lips + (255,))
    # upper lip a touch darker than the lower (it faces away from the light)
    d.polygon(list(zip(X, outer_top)) + list(zip(X[::-1], np.minimum(inner_top, my)[::-1])), fill=shade(lips, -0.12) + (255,))
    # lower lip highlight
    hl = Image.new("L", img.size, 0)
    ImageDraw.Draw(hl).ellipse((mx - 0.35 * half, inner_bot.max() + 0.25 * lower_t, mx + 0.35 * half,
                                inner_bot.max() + 0.6 * lower_t), fill=90)
    hl = hl.filter(ImageFilter.GaussianBlur(0.015 * rx))
    img.paste(Image.new("RGBA", img.size, shade(lips, 0.4) + (255,)), (0, 0), hl)
    if gap * 0.62 > 0.6 or bite > 0.3:
        opening = list(zip(X, inner_top)) + list(zip(X[::-1], inner_bot[::-1]))
        mask = Image.new("L", img.size, 0)
        ImageDraw.Draw(mask).polygon(opening, fill=255)
        inside = Image.new("RGBA", img.size, (70, 22, 28, 255))
        idraw = ImageDraw.Draw(inside)
        top_y = float(inner_top.min())
        bot_y = float(inner_bot.max())
        if tongue > 0.05:
            ty = bot_y - (bot_y - top_y) * (0.25 + 0.45 * tongue)
            idraw.ellipse((mx - 0.55 * half, ty, mx + 0.55 * half, bot_y + 0.3 * (bot_y - top_y)), fill=(196, 96, 104, 255))
        if teeth > 0.05:
            th = 0.075 * rx * (0.5 + 0.5 * teeth)
            idraw.rounded_rectangle((mx - 0.7 * half, top_y - 0.05 * rx, mx + 0.7 * half, top_y + th),
                                    radius=int(0.02 * rx), fill=(246, 244, 238, 255))
            if teeth > 0.6 and open_ < 0.5:
                idraw.rounded_rectangle((mx - 0.55 * half, bot_y - 0.6 * th, mx + 0.55 * half, bot_y + 0.05 * rx),
                                        radius=int(0.02 * rx), fill=(232, 229, 222, 255))
        img.paste(inside, (0, 0), mask)
    # the line where the lips meet
    d.line(list(zip(X, inner_top)), fill=lip_dark + (255,), width=max(1, int(0.014 * rx)))
    if bite > 0.3:  # upper teeth resting on the lower lip
        d.rounded_rectangle((mx - 0.55 * half, my - 0.005 * rx, mx + 0.55 * half, my + 0.045 * rx),
                            radius=int(0.015 * rx), fill=(246, 244, 238, 255))
    # corners
    for sgn in (-1, 1):
        cx = mx + sgn * half
        d.ellipse((cx - 0.015 * rx, my - 0.012 * rx, cx + 0.015 * rx, my + 0.012 * rx), fill=lip_dark + (255,))
    return img
