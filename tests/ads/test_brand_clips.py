"""Brand kit intro/outro clips on the service side: uploaded through the API, checked on upload,
and handed to the pipeline as local files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from adgen.ads.models import BrandKit
from adgen.ads.services import brand_kit_to_pipeline

pytestmark = pytest.mark.django_db


def _clip(path: Path) -> bytes:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=160x90:r=30:d=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path.read_bytes()


def test_intro_and_outro_upload_and_reach_the_pipeline(make_tenant, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    a = make_tenant()
    data = _clip(tmp_path / "sting.mp4")
    response = a.client.post(f"{a.base}/brand-kits/", {
        "name": "Sting kit",
        "intro": SimpleUploadedFile("intro.mp4", data, content_type="video/mp4"),
        "outro": SimpleUploadedFile("outro.mp4", data, content_type="video/mp4")}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["intro"] and response.json()["outro"]
    kit = BrandKit.objects.for_workspace(a.workspace).get()
    pipeline_kit = brand_kit_to_pipeline(kit)
    assert Path(pipeline_kit.intro).is_file() and Path(pipeline_kit.outro).is_file()
    assert Path(pipeline_kit.intro).read_bytes() == data
    # an update that keeps the clips does not need them again
    renamed = a.client.patch(f"{a.base}/brand-kits/{kit.pk}/", {"name": "Renamed"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["intro"]


def test_a_clip_that_is_not_a_video_is_refused_on_upload(make_tenant, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    a = make_tenant()
    response = a.client.post(f"{a.base}/brand-kits/", {
        "name": "Bad kit", "intro": SimpleUploadedFile("intro.mp4", b"not a video at all", content_type="video/mp4")},
        format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["intro"] == ["This is not a video clip we can play; upload an MP4, MOV or WebM."]
    assert not BrandKit.objects.for_workspace(a.workspace).exists()
