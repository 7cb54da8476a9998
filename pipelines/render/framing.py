"""Where a source sits in a frame: cover crops around a subject, the presenter's head and
shoulders, and where the presenter's face lands on screen (titles keep clear of it)."""

from __future__ import annotations

Box = tuple[int, int, int, int]


def even(v: float) -> int:
    return max(2, int(round(v / 2)) * 2)


def cover_crop(src_w: int, src_h: int, dst_w: int, dst_h: int, focus: tuple | None = None,
               focus_y: float = 0.5, zoom: float = 1.0) -> tuple[int, int, int, int]:
    """Largest crop (x, y, w, h) of dst's aspect inside src, the focus box's centre placed at focus_y."""
    target = dst_w / dst_h
    if src_w / src_h > target:
        ch = src_h / zoom
        cw = ch * target
    else:
        cw = src_w / zoom
        ch = cw / target
    cw, ch = min(src_w, even(cw)), min(src_h, even(ch))
    if focus:
        fx, fy = focus[0] + focus[2] / 2, focus[1] + focus[3] / 2
    else:
        fx, fy = src_w / 2, src_h / 2
    x = min(max(0, fx - cw / 2), src_w - cw)
    y = min(max(0, fy - focus_y * ch), src_h - ch)
    return int(x), int(y), int(cw), int(ch)


def presenter_framing(clip_w: int, clip_h: int, face: tuple[int, int, int, int], dst_w: int, dst_h: int,
                      pad_color: str) -> str:
    """Filters that frame head and shoulders in dst: a crop when it holds them, else a panel."""
    fx, fy, fw, fh = face
    need_h = fh * 2.3  # from above the hair to the top of the shoulders
    zoom = 1.0
    x, y, w, h = cover_crop(clip_w, clip_h, dst_w, dst_h, face, focus_y=0.42)
    if h >= need_h * 0.92:
        # tighten a loose crop a little so the face reads on a phone, keeping the shoulders in
        zoom = min(1.25, h / need_h)
        x, y, w, h = cover_crop(clip_w, clip_h, dst_w, dst_h, face, focus_y=0.42, zoom=zoom)
        return f"crop={w}:{h}:{x}:{y},scale={dst_w}:{dst_h}:flags=bicubic"
    # too wide a frame for a portrait clip: show a 4:5 head-and-shoulders panel on the brand colour
    panel_h = dst_h
    px, py, pw, ph = cover_crop(clip_w, clip_h, 4, 5, face, focus_y=0.4)
    panel_w = min(dst_w, even(panel_h * pw / ph))
    return (f"crop={pw}:{ph}:{px}:{py},scale={panel_w}:{panel_h}:flags=bicubic,"
            f"pad={dst_w}:{dst_h}:{(dst_w - panel_w) // 2}:0:color={pad_color}")


def product_framing(clip_w: int, clip_h: int, subject: tuple | None, dst_w: int, dst_h: int) -> str:
    if (clip_w, clip_h) == (dst_w, dst_h):
        return "null"
    x, y, w, h = cover_crop(clip_w, clip_h, dst_w, dst_h, subject)
    return f"crop={w}:{h}:{x}:{y},scale={dst_w}:{dst_h}:flags=bicubic"


def face_on_screen(presenter, w: int, h: int, pad_color: str, origin: tuple[int, int] = (0, 0)) -> Box:
    """Where the presenter's face lands in a w x h panel (hairline to chin), from the same framing
    the render uses. A title may touch the hair, never the face."""
    chain = presenter_framing(presenter.width, presenter.height, presenter.face_box, w, h, pad_color)
    cw, ch, cx, cy = map(int, chain.split("crop=")[1].split(",")[0].split(":"))
    sw, sh = map(int, chain.split("scale=")[1].split(":")[:2])
    pad_x = int(chain.split(",pad=")[1].split(":")[2]) if ",pad=" in chain else 0
    fx, fy, fw, fh = presenter.face_box
    kx, ky = sw / cw, sh / ch
    x0 = origin[0] + pad_x + (fx - cx) * kx
    y0 = origin[1] + (fy - 0.1 * fh - cy) * ky
    x1 = origin[0] + pad_x + (fx + fw - cx) * kx
    y1 = origin[1] + (fy + 1.1 * fh - cy) * ky
    return (max(origin[0], round(x0)), max(origin[1], round(y0)), min(origin[0] + w, round(x1)),
            min(origin[1] + h, round(y1)))
