"""Still graphics drawn once per output with PIL: end card, logo bug, watermark, pip mask."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from pipelines.product import BrandKit
from pipelines.render.fonts import Font, pick_font, strip_emoji


def hex_rgb(value: str, default: str = "#111111") -> tuple[int, int, int]:
    h = (value or default).lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    try:
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    except ValueError:
        return hex_rgb(default)


def _contrast_text(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = rgb
    return (17, 17, 17) if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (255, 255, 255)


def _wrap(text: str, font, max_width: float, max_lines: int, cjk: bool) -> list[str]:
    if cjk:
        lines, line = [], ""
        for ch in text:
            if font.getlength(line + ch) > max_width and line:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    else:
        lines = []
        for width in range(60, 8, -2):
            lines = textwrap.wrap(text, width=width)
            if all(font.getlength(line) <= max_width for line in lines):
                break
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and font.getlength(lines[-1] + "…") > max_width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


def _cover(img: Image.Image, size: tuple[int, int], focus: tuple[int, int, int, int] | None = None) -> Image.Image:
    if focus:
        x, y, w, h = focus
        cx, cy = (x + w / 2) / img.width, (y + h / 2) / img.height
    else:
        cx, cy = 0.5, 0.5
    return ImageOps.fit(img, size, Image.LANCZOS, centering=(cx, cy))


def _rounded(img: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1), radius, fill=255)
    out = img.convert("RGBA")
    out.putalpha(mask)
    return out


def load_logo(path: str | None) -> Image.Image | None:
    if not path or not Path(path).is_file():
        return None
    try:
        return Image.open(path).convert("RGBA")
    except OSError:
        return None


def end_card(path: Path, width: int, height: int, safe: tuple[int, int, int, int], *, brand: BrandKit,
             title: str, price: str | None, list_price: str | None, cta: str, language: str,
             product_still: Image.Image | None, subject_box=None, brand_name: str = "") -> Path:
    """The closing frame: product, title, price (crossed list price on sale), CTA, logo."""
    primary, accent = hex_rgb(brand.primary_color), hex_rgb(brand.accent_color, "#ff3d57")
    title = strip_emoji(title)
    cta = strip_emoji(cta) or "Shop now"
    font: Font = pick_font(language, title + cta, brand.font)
    cjk = font.family.startswith("Noto Sans CJK")
    short = min(width, height)
    if product_still is not None:
        bg = _cover(product_still.convert("RGB"), (width // 8, height // 8)).filter(ImageFilter.GaussianBlur(4))
        bg = bg.resize((width, height), Image.BILINEAR)
        bg = Image.blend(bg, Image.new("RGB", (width, height), primary), 0.62)
    else:
        bg = Image.new("RGB", (width, height), primary)
    canvas = bg.convert("RGBA")
    draw = ImageDraw.Draw(canvas)
    sx0, sy0, sx1, sy1 = safe
    safe_w, safe_h = sx1 - sx0, sy1 - sy0
    landscape = width > height * 1.2

    title_font = font.pil(round(short * 0.055))
    price_font = font.pil(round(short * 0.095))
    list_font = font.pil(round(short * 0.05))
    cta_font = font.pil(round(short * 0.05))
    brand_font = font.pil(round(short * 0.04))
    logo = load_logo(brand.logo)
    white = (255, 255, 255)

    # text column geometry
    if landscape:
        image_box = (sx0, sy0, sx0 + safe_w // 2 - round(0.02 * width), sy1)
        col = (sx0 + safe_w // 2 + round(0.02 * width), sy0, sx1, sy1)
    else:
        col = (sx0, sy0, sx1, sy1)
        image_box = None
    col_w = col[2] - col[0]
    title_lines = _wrap(title, title_font, col_w * 0.92, 2, cjk)
    line_h = round(title_font.size * 1.2)
    blocks_h = 0
    logo_h = round(short * 0.075)
    header_h = logo_h if (logo is not None or brand_name) else 0
    cta_h = round(cta_font.size * 2.1)
    price_h = round(price_font.size * 1.15) if price else 0
    text_h = header_h + len(title_lines) * line_h + price_h + cta_h + round(short * 0.03) * 4
    if not landscape and product_still is not None:
        img_h = max(0, min(round(safe_h - text_h), round(col_w * 0.85)))
        blocks_h = img_h + round(short * 0.03)
    else:
        img_h = 0
    y = col[1] + max(0, (col[3] - col[1] - text_h - blocks_h) // 2)
    cx = (col[0] + col[2]) // 2

    def centered(text, f, yy, fill):
        w = f.getlength(text)
        draw.text((cx - w / 2, yy), text, font=f, fill=fill)
        return w

    if header_h:
        if logo is not None:
            lg = logo.copy()
            lg.thumbnail((round(col_w * 0.5), logo_h), Image.LANCZOS)
            canvas.alpha_composite(lg, (cx - lg.width // 2, y + (logo_h - lg.height) // 2))
        else:
            centered(strip_emoji(brand_name).upper(), brand_font, y + (logo_h - brand_font.size) // 2, white)
        y += header_h + round(short * 0.03)
    if product_still is not None:
        if landscape:
            bx0, by0, bx1, by1 = image_box
            side = min(bx1 - bx0, by1 - by0)
            card = _rounded(_cover(product_still, (side, side), subject_box), round(side * 0.06))
            canvas.alpha_composite(card, (bx0 + (bx1 - bx0 - side) // 2, by0 + (by1 - by0 - side) // 2))
        elif img_h > short * 0.15:
            img_w = min(col_w, round(img_h * 1.0))
            card = _rounded(_cover(product_still, (img_w, img_h), subject_box), round(min(img_w, img_h) * 0.06))
            canvas.alpha_composite(card, (cx - img_w // 2, y))
            y += img_h + round(short * 0.03)
    for line in title_lines:
        centered(line, title_font, y, white)
        y += line_h
    y += round(short * 0.03)
    if price:
        pw = price_font.getlength(price)
        lw = list_font.getlength(list_price) + short * 0.03 if list_price else 0
        x = cx - (pw + lw) / 2
        draw.text((x, y), price, font=price_font, fill=white)
        if list_price:
            lx = x + pw + short * 0.03
            ly = y + price_font.size - list_font.size * 1.1
            draw.text((lx, ly), list_price, font=list_font, fill=(200, 200, 200))
            mid = ly + list_font.size * 0.6
            draw.line((lx - 2, mid, lx + list_font.getlength(list_price) + 2, mid), fill=accent,
                      width=max(2, round(short * 0.005)))
        y += price_h + round(short * 0.03)
    while cta_font.getlength(cta) + short * 0.12 > col_w * 0.92 and cta_font.size > short * 0.028:
        cta_font = font.pil(cta_font.size - 2)  # long CTAs shrink to fit the button, never overflow
    bw = min(col_w * 0.92, cta_font.getlength(cta) + short * 0.16)
    draw.rounded_rectangle((cx - bw / 2, y, cx + bw / 2, y + cta_h), radius=cta_h // 2, fill=accent)
    centered(cta, cta_font, y + (cta_h - cta_font.size) / 2 - cta_font.size * 0.08, _contrast_text(accent))
    canvas.convert("RGB").save(path, compress_level=1)  # read once by the render's ffmpeg: speed over size
    return path


def logo_bug(path: Path, short_side: int, brand: BrandKit, brand_name: str, language: str) -> Path | None:
    """Small corner mark: the brand logo, or the brand name on a translucent pill."""
    logo = load_logo(brand.logo)
    size = round(short_side * 0.07)
    if logo is not None:
        logo.thumbnail((size * 3, size), Image.LANCZOS)
        alpha = logo.getchannel("A").point(lambda a: round(a * 0.9))
        logo.putalpha(alpha)
        logo.save(path)
        return path
    name = strip_emoji(brand_name).upper()
    if not name:
        return None
    font = pick_font(language, name, brand.font).pil(round(short_side * 0.032))
    pad = round(short_side * 0.015)
    w = round(font.getlength(name)) + 2 * pad
    h = font.size + 2 * pad
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=h // 2, fill=(0, 0, 0, 110))
    d.text((pad, pad - font.size * 0.08), name, font=font, fill=(255, 255, 255, 235))
    img.save(path)
    return path


def watermark(path: Path, short_side: int, text: str = "PREVIEW") -> Path:
    font = pick_font().pil(round(short_side * 0.09))
    w, h = round(font.getlength(text)) + 20, font.size + 20
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.text((10, 6), text, font=font, fill=(255, 255, 255, 90), stroke_width=2, stroke_fill=(0, 0, 0, 60))
    img.save(path)
    return path


def circle_mask(path: Path, size: int) -> Path:
    mask = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(mask).ellipse((4, 4, size * 2 - 5, size * 2 - 5), fill=255)
    mask.resize((size, size), Image.LANCZOS).save(path)
    return path


def ring(path: Path, size: int, color: str) -> Path:
    img = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    width = max(4, size // 22) * 2
    ImageDraw.Draw(img).ellipse((2, 2, size * 2 - 3, size * 2 - 3), outline=hex_rgb(color) + (255,), width=width)
    img.resize((size, size), Image.LANCZOS).save(path)
    return path
