"""Download the chosen product images: size/type checked, re-encoded, EXIF stripped, subject boxed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from pipelines.errors import ScrapeError
from pipelines.product import ProductImage
from pipelines.scrape.config import ScrapeConfig
from pipelines.scrape.fetch import Budget, fetch

log = logging.getLogger(__name__)


def subject_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Where the product is: spectral-residual saliency (Hou & Zhang 2007) mass, 4th-96th percentile.

    Cheap (a 96-px FFT) and model-free; croppers keep this box in frame, so it errs on the
    generous side: a loose crop is better than a product cut in half.
    """
    width, height = image.size
    small = image.convert("L")
    scale = 96 / max(width, height)
    sw, sh = max(8, round(width * scale)), max(8, round(height * scale))
    gray = np.asarray(small.resize((sw, sh), Image.BILINEAR), dtype=np.float32) / 255.0
    spectrum = np.fft.fft2(gray)
    log_amp = np.log(np.abs(spectrum) + 1e-6)
    phase = np.angle(spectrum)
    from scipy.ndimage import gaussian_filter, uniform_filter

    residual = log_amp - uniform_filter(log_amp, size=3, mode="nearest")
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * phase))) ** 2
    saliency = gaussian_filter(saliency, sigma=2.5)
    # product shots sit on plain backgrounds: distance from the border colour adds a second cue
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    contrast = gaussian_filter(np.abs(gray - np.median(border)), sigma=1.5)
    cue = saliency / (saliency.max() + 1e-9) + contrast / (contrast.max() + 1e-9)
    cue = np.clip(cue - np.percentile(cue, 50), 0, None)
    if cue.sum() <= 0:
        return 0, 0, width, height

    def span(profile: np.ndarray) -> tuple[float, float]:
        cumulative = np.cumsum(profile) / profile.sum()
        return float(np.searchsorted(cumulative, 0.04)), float(np.searchsorted(cumulative, 0.96) + 1)

    x0, x1 = span(cue.sum(axis=0))
    y0, y1 = span(cue.sum(axis=1))
    pad_x, pad_y = 0.06 * sw, 0.06 * sh
    x0, x1 = max(0.0, x0 - pad_x), min(float(sw), x1 + pad_x)
    y0, y1 = max(0.0, y0 - pad_y), min(float(sh), y1 + pad_y)
    fx, fy = width / sw, height / sh
    box = (int(x0 * fx), int(y0 * fy), int(round((x1 - x0) * fx)), int(round((y1 - y0) * fy)))
    if box[2] < width * 0.15 or box[3] < height * 0.15:  # a speck is not a product
        return 0, 0, width, height
    return box


def _average_hash(image: Image.Image) -> int:
    pixels = np.asarray(image.convert("L").resize((16, 16), Image.BILINEAR), dtype=np.float32)
    bits = (pixels > pixels.mean()).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def decode_image(data: bytes, config: ScrapeConfig, url: str) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = config.max_image_pixels
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP", "GIF", "BMP", "AVIF", "TIFF", "MPO"):
                raise ScrapeError(f"{url[:120]} is not a supported image ({probe.format}).", code="not_image")
            if probe.width * probe.height > config.max_image_pixels:
                raise ScrapeError(f"{url[:120]} has too many pixels.", code="too_large")
            image = ImageOps.exif_transpose(probe)
            image.load()
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ScrapeError(f"{url[:120]} is not a readable image ({exc}).", code="not_image") from None
    return image


def save_image(image: Image.Image, out_dir: Path, index: int) -> tuple[str, Image.Image]:
    """Re-encode without any metadata: PNG when it has real transparency, otherwise JPEG."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        if rgba.getextrema()[3][0] < 250:
            name = f"image-{index:02d}.png"
            rgba.save(out_dir / name, "PNG", optimize=False)
            return name, rgba
        image = rgba
    rgb = image.convert("RGB")
    name = f"image-{index:02d}.jpg"
    rgb.save(out_dir / name, "JPEG", quality=92, optimize=True)
    return name, rgb


def _fetch_image(url: str, config: ScrapeConfig, budget: Budget) -> Image.Image | None:
    try:
        fetched = fetch(url, config, budget=budget, accept="image/avif,image/webp,image/*;q=0.8",
                        max_bytes=config.max_image_bytes, timeout_s=min(10.0, config.page_timeout_s), kind="image")
        if fetched.status >= 400:
            raise ScrapeError(f"HTTP {fetched.status}", code="http_error")
        return decode_image(fetched.body, config, url)
    except ScrapeError as exc:
        if exc.code == "ssrf_blocked":
            log.warning("image refused by the guard: %s", exc.message)
        else:
            log.info("image skipped %s: %s", url, exc.message)
        return None


def download_images(urls: list[str], config: ScrapeConfig, out_dir: Path, budget: Budget,
                    report=None) -> tuple[list[ProductImage], list[str]]:
    """Download up to max_images usable images; returns (images, urls that failed or were rejected).

    A few downloads run at once (CDNs answer slowly, not heavily); the results are taken in the
    page's ranking order, so the product's main image stays first.
    """
    from concurrent.futures import ThreadPoolExecutor

    out_dir.mkdir(parents=True, exist_ok=True)
    images: list[ProductImage] = []
    rejected: list[str] = []
    hashes: list[int] = []
    pending = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="adgen-image") as workers:
        while pending and len(images) < config.max_images and budget.remaining_s() >= 1:
            batch, pending = pending[: config.max_images - len(images) + 2], pending[config.max_images - len(images) + 2:]
            for url, image in zip(batch, workers.map(lambda u: _fetch_image(u, config, budget), batch)):
                if len(images) >= config.max_images:
                    break
                if image is None or min(image.size) < config.min_image_side or max(image.size) / min(image.size) > 4:
                    rejected.append(url)
                    continue
                fingerprint = _average_hash(image)
                if any(bin(fingerprint ^ other).count("1") <= 10 for other in hashes):
                    rejected.append(url)  # the same picture at another size
                    continue
                hashes.append(fingerprint)
                name, saved = save_image(image, out_dir, len(images))
                images.append(ProductImage(url=url, file=name, width=saved.width, height=saved.height,
                                           subject_box=subject_box(saved)))
                if report:
                    report(min(0.95, 0.6 + 0.35 * len(images) / max(1, config.max_images)),
                           f"downloaded image {len(images)}")
    return images, rejected
