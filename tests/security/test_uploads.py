"""Finding 1 (stored XSS through brand files) and 6 (undecodable uploads failing late): every
brand file is checked by content at upload, and user files are served so nothing in them runs."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from adgen.ads.models import BrandKit

pytestmark = pytest.mark.django_db

HTML_LOGO = b"""<html><body><script>
fetch('/api-keys/', {method: 'POST', headers: {'X-CSRFToken': document.cookie}});
</script></body></html>"""
SVG_LOGO = b"""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"""
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def png(width=64, height=32, color=(200, 30, 60, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(out, "PNG")
    return out.getvalue()


def png_bomb(width=30000, height=30000) -> bytes:
    """A small valid PNG that declares 900 megapixels (a decompression bomb's header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + b"\x00" * (width // 8 + 1)
    raw = zlib.compress(row * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def audio(tmp_path, seconds=1.0, name="bed.mp3") -> bytes:
    path = tmp_path / name
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
                    "-ar", "8000", "-ac", "1", "-b:a", "16k", str(path)], check=True)
    return path.read_bytes()


def upload(tenant, **files):
    return tenant.client.post(f"{tenant.base}/brand-kits/", {"name": "Kit", **{
        field: SimpleUploadedFile(name, data) for field, (name, data) in files.items()}}, format="multipart")


@pytest.mark.parametrize("field,name,data,message", [
    ("logo", "logo.png", HTML_LOGO, "HTML files are not accepted"),
    ("logo", "logo.svg", SVG_LOGO, "SVG"),
    ("logo", "logo.png", png_bomb(), "megapixels"),
    ("logo", "logo.png", png_bomb(8000, 8000), "megapixels"),
    ("presenter_image", "me.jpg", b"\xff\xd8\xff\xe0 truncated jpeg", "not an image"),
    ("font", "Brand.ttf", HTML_LOGO, "TrueType"),
    ("font", "Brand.ttf", b"\x00\x01\x00\x00" + b"\x00" * 200, "no glyphs"),
    ("music", "bed.mp3", HTML_LOGO, "not an audio file"),
])
def test_hostile_brand_files_are_a_400_naming_the_field(make_tenant, field, name, data, message):
    a = make_tenant()
    response = upload(a, **{field: (name, data)})
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == [field] and message in " ".join(body["fields"][field])
    assert not BrandKit.objects.for_workspace(a.workspace).exists()


def test_too_long_music_and_too_big_files_are_refused(make_tenant, tmp_path, settings):
    a = make_tenant()
    long_bed = audio(tmp_path, seconds=16 * 60)
    response = upload(a, music=("bed.mp3", long_bed))
    assert response.status_code == 400 and "keep it under 900 s" in response.json()["fields"]["music"][0]
    big = b"\x89PNG" + b"\x00" * (11 * 1024 * 1024)
    response = upload(a, logo=("logo.png", big))
    assert response.status_code == 400 and "under 10 MB" in response.json()["fields"]["logo"][0]


def test_good_files_are_stored_re_encoded_under_our_names(make_tenant, tmp_path):
    a = make_tenant()
    response = upload(a, logo=("logo.gif", png()), font=("Brand.ttf", FONT.read_bytes()),
                      music=("bed.mp3", audio(tmp_path)), presenter_image=("me.png", png(120, 160, (90, 80, 70, 255))))
    assert response.status_code == 201, response.content
    kit = BrandKit.objects.for_workspace(a.workspace).get()
    assert kit.logo.name.endswith(".png") and kit.presenter_image.name.endswith(".jpg")
    assert kit.font.name.endswith(".ttf") and kit.music.name.endswith(".mp3")
    with kit.logo.open("rb") as fh, Image.open(fh) as image:
        assert image.format == "PNG" and image.size == (64, 32) and image.getpixel((3, 3)) == (200, 30, 60, 255)
    from fontTools.ttLib import TTFont
    with kit.font.open("rb") as fh:
        assert TTFont(fh)["name"].getDebugName(1) == "DejaVu Sans"


def test_the_dashboard_refuses_an_html_logo_too(dashboard_user):
    a = dashboard_user()
    response = a.web.post(f"{a.web_base}/brand-kits/new/", {
        "name": "Kit", "primary_color": "#111111", "secondary_color": "#ffffff", "accent_color": "#ff3d57",
        "logo": SimpleUploadedFile("logo.html", HTML_LOGO)})
    assert response.status_code == 200 and b"HTML files are not accepted" in response.content
    assert not BrandKit.objects.for_workspace(a.workspace).exists()


def test_user_files_are_attachments_that_cannot_run(dashboard_user):
    """Even a file stored before these checks (an HTML 'logo') downloads, never renders."""
    a = dashboard_user()
    kit = BrandKit.objects.create(workspace=a.workspace, name="Old kit")
    kit.logo.save("logo.html", ContentFile(HTML_LOGO))
    response = a.web.get(f"{a.web_base}/brand-kits/{kit.pk}/files/logo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == HTML_LOGO  # streamed (FileResponse), unchanged

    good = BrandKit.objects.create(workspace=a.workspace, name="New kit")
    good.logo.save("x.png", ContentFile(png()))
    response = a.web.get(f"{a.web_base}/brand-kits/{good.pk}/files/logo/")
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("attachment")


def test_dashboard_pages_forbid_inline_script(dashboard_user):
    a = dashboard_user()
    for page in ("/", "/brand-kits/", "/brand-kits/new/", "/create/", "/billing/", "/campaigns/"):
        response = a.web.get(f"{a.web_base}{page}")
        assert response.status_code == 200, page
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert script_src.split() == ["script-src", "'self'"], policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        html = response.content.decode()
        for tag in html.split("<script")[1:]:  # every script is a static file, none inline
            assert tag.lstrip().startswith("src=") and "</script>" in tag and tag.split(">", 1)[1].startswith("</script>")
    for page in ("/login/", "/signup/"):
        assert "script-src 'self'" in a.web.get(page)["Content-Security-Policy"]


def test_a_body_over_the_request_limit_is_a_413_before_it_is_read(make_tenant, settings):
    settings.ADGEN_MAX_REQUEST_BYTES = 1024 * 1024
    a = make_tenant()
    response = a.client.post(f"{a.base}/brand-kits/", {"name": "Kit", "logo": SimpleUploadedFile(
        "logo.png", b"\x89PNG" + b"\x00" * (2 * 1024 * 1024))}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
