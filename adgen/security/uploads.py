"""Uploaded brand files are checked by content before they are stored, and stored as what they
proved to be: images are decoded and re-encoded by Pillow (pixel limit against decompression
bombs; SVG and anything Pillow cannot decode refused), fonts are parsed and re-written by
fontTools, audio and video are probed by ffprobe (streams, duration, frame size). A refusal is a
ValidationError naming the problem; the API and the dashboard attach it to the field.

The stored name is ours (`logo.png`, `music.m4a`), so the type the file is served with comes from
what it is, never from the name the uploader chose."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from pipelines.media import FFPROBE

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadRule:
    kind: str  # image | font | audio | video
    max_bytes: int
    max_duration_s: float = 0.0
    photo: bool = False  # re-encode as JPEG (portraits) rather than PNG (logos keep transparency)


BRAND_FILE_RULES = {
    "logo": UploadRule("image", 10 * MB),
    "presenter_image": UploadRule("image", 15 * MB, photo=True),
    "font": UploadRule("font", 10 * MB),
    "music": UploadRule("audio", 50 * MB, max_duration_s=15 * 60),
    "intro": UploadRule("video", 100 * MB, max_duration_s=120),
    "outro": UploadRule("video", 100 * MB, max_duration_s=120),
}
MAX_VIDEO_SIDE = 4096
AUDIO_FORMATS = {"mp3": "mp3", "wav": "wav", "ogg": "ogg", "flac": "flac", "mov,mp4,m4a,3gp,3g2,mj2": "m4a",
                 "aac": "aac", "matroska,webm": "webm"}
VIDEO_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "mp3": "audio/mpeg", "wav": "audio/wav",
                 "ogg": "audio/ogg", "flac": "audio/flac", "m4a": "audio/mp4", "aac": "audio/aac",
                 "mp4": "video/mp4", "webm": "video/webm"}


def served_content_type(name: str) -> str:
    """The type a stored user file is served with: only types we produced, else a download."""
    return CONTENT_TYPES.get(Path(name).suffix.lower().lstrip("."), "application/octet-stream")


def _read_all(upload, limit: int) -> bytes:
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > limit:
            break
    return bytes(data)


def _check_size(upload, rule: UploadRule) -> None:
    if upload.size is not None and upload.size > rule.max_bytes:
        raise ValidationError(f"Keep this file under {rule.max_bytes // MB} MB.", code="too_large")
    if not upload.size:
        raise ValidationError("The file is empty.", code="empty")


def clean_image(upload, rule: UploadRule) -> ContentFile:
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = _read_all(upload, rule.max_bytes)
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")) or b"<svg" in head:
        raise ValidationError("SVG and HTML files are not accepted; upload a PNG, JPEG or WebP image.",
                              code="not_an_image")
    limit = settings.ADGEN_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in {"PNG", "JPEG", "WEBP", "GIF"}:
                    raise ValidationError("Upload a PNG, JPEG or WebP image.", code="not_an_image")
                width, height = image.size
                if width * height > limit:
                    raise ValidationError(f"The image is {width}x{height}; keep it under "
                                          f"{limit // 1_000_000} megapixels.", code="too_many_pixels")
                image.seek(0)  # the first frame of an animation
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if rule.photo:
                    image.convert("RGB").save(out, "JPEG", quality=92)
                    extension = "jpg"
                else:
                    image.convert("RGBA").save(out, "PNG", optimize=False)
                    extension = "png"
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError, EOFError) as exc:
        if "ecompression" in type(exc).__name__:  # Pillow's own bomb guard fired first
            raise ValidationError(f"The image has too many pixels; keep it under {limit // 1_000_000} "
                                  "megapixels.", code="too_many_pixels") from None
        raise ValidationError("This is not an image we can use (it cannot be decoded); upload a PNG, JPEG "
                              "or WebP.", code="not_an_image") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def clean_font(upload, rule: UploadRule) -> ContentFile:
    from fontTools.ttLib import TTFont, TTLibError

    data = _read_all(upload, rule.max_bytes)
    if data[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        raise ValidationError("Upload a TrueType (.ttf) or OpenType (.otf) font.", code="not_a_font")
    try:
        font = TTFont(io.BytesIO(data), lazy=False)
        tables = set(font.keys())
        if not {"cmap", "name", "head"} <= tables or not ({"glyf", "loca"} <= tables or "CFF " in tables
                                                            or "CFF2" in tables):
            raise ValidationError("This font has no glyphs or character map.", code="not_a_font")
        font["cmap"].getBestCmap()
        out = io.BytesIO()
        font.save(out)  # re-written from the parsed tables: nothing else of the upload survives
        extension = "otf" if data[:4] == b"OTTO" else "ttf"
    except ValidationError:
        raise
    except (TTLibError, Exception) as exc:  # fontTools raises many kinds on hostile input
        raise ValidationError(f"This font cannot be read ({type(exc).__name__}).", code="not_a_font") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _probe(upload) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        if hasattr(upload, "temporary_file_path"):
            path = upload.temporary_file_path()
        else:
            path = str(Path(tmp) / "upload")
            with open(path, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        try:
            out = subprocess.run([FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                                  path], capture_output=True, check=True, timeout=30)
            return json.loads(out.stdout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError, ValueError):
            return None


def clean_media(upload, rule: UploadRule) -> ContentFile | object:
    noun = "an audio file" if rule.kind == "audio" else "a video clip"
    probe = _probe(upload)
    formats = AUDIO_FORMATS if rule.kind == "audio" else VIDEO_FORMATS
    fmt = (probe or {}).get("format", {})
    streams = (probe or {}).get("streams", [])
    extension = formats.get(fmt.get("format_name", ""))
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [s for s in streams if s.get("codec_type") == "video"
             and not (s.get("disposition") or {}).get("attached_pic")]
    try:
        duration = float(fmt.get("duration") or 0)
    except ValueError:
        duration = 0.0
    usable = audio if rule.kind == "audio" else video
    if probe is None or extension is None or not usable or duration <= 0:
        hint = "MP3, WAV, OGG, FLAC or M4A" if rule.kind == "audio" else "MP4, MOV or WebM"
        raise ValidationError(f"This is not {noun} we can play; upload {hint}.", code=f"not_{rule.kind}")
    if duration > rule.max_duration_s:
        raise ValidationError(f"This {rule.kind} is {duration:.0f} s long; keep it under "
                              f"{rule.max_duration_s:.0f} s.", code="too_long")
    if rule.kind == "video":
        width, height = int(video[0].get("width") or 0), int(video[0].get("height") or 0)
        if not width or not height or max(width, height) > MAX_VIDEO_SIDE:
            raise ValidationError(f"Keep the clip's frame within {MAX_VIDEO_SIDE} pixels a side.",
                                  code="too_many_pixels")
    upload.seek(0)
    upload.name = f"{uuid.uuid4().hex}.{extension}"
    return upload


def clean_brand_file(field: str, upload):
    """The checked (and, for images and fonts, re-encoded) file to store for a brand-kit field."""
    if not upload or getattr(upload, "_committed", False):  # nothing new (kept or cleared)
        return upload
    rule = BRAND_FILE_RULES[field]
    _check_size(upload, rule)
    if rule.kind == "image":
        return clean_image(upload, rule)
    if rule.kind == "font":
        return clean_font(upload, rule)
    return clean_media(upload, rule)
