"""Brand kit files, and that the kit's logo, colours and music reach the rendered ad."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image

from pipelines.errors import RenderError
from pipelines.render import RenderOptions, render
from pipelines.render.audio import write_wav
from pipelines.render.brand import load_brand_kit


@pytest.fixture
def kit_dir(tmp_path):
    logo = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    logo.paste((0, 200, 255, 255), (0, 0, 200, 80))
    logo.save(tmp_path / "logo.png")
    t = np.arange(48000 * 3) / 48000
    write_wav(tmp_path / "bed.wav", 0.3 * np.sin(2 * np.pi * 220 * t))
    return tmp_path


def test_toml_kit_resolves_assets(kit_dir):
    (kit_dir / "kit.toml").write_text('[brand]\nname = "Orbit"\naccent_color = "#00c8ff"\nlogo = "logo.png"\n'
                                      'music = "bed.wav"\nfont = "DejaVu Sans"\nwatermark = true\n')
    kit = load_brand_kit(kit_dir / "kit.toml")
    assert kit.logo == str(kit_dir / "logo.png") and kit.music == str(kit_dir / "bed.wav")
    assert kit.font == "DejaVu Sans" and kit.watermark and kit.accent_color == "#00c8ff"


def test_bad_kits_are_clear_errors(kit_dir):
    (kit_dir / "a.json").write_text(json.dumps({"logo": "missing.png"}))
    with pytest.raises(RenderError, match="logo file 'missing.png' not found") as err:
        load_brand_kit(kit_dir / "a.json")
    assert err.value.code == "brand_kit_invalid"
    (kit_dir / "b.json").write_text("{not json")
    with pytest.raises(RenderError) as err:
        load_brand_kit(kit_dir / "b.json")
    assert err.value.code == "brand_kit_invalid"
    with pytest.raises(RenderError) as err:
        load_brand_kit(kit_dir / "nope.json")
    assert err.value.code == "brand_kit_missing"


@pytest.mark.slow
def test_logo_bug_and_end_card_use_the_kit(kit_dir, make_timeline, tmp_path):
    (kit_dir / "kit.json").write_text(json.dumps({"name": "Orbit", "logo": "logo.png", "music": "bed.wav",
                                                  "primary_color": "#202040", "accent_color": "#00c8ff"}))
    kit = load_brand_kit(kit_dir / "kit.json")
    timeline = make_timeline("1:1", preview=True, brand=kit.model_dump())
    out = render(timeline, "1:1", tmp_path, RenderOptions(preview=True, watermark=False))
    frames = {}
    for name, t in (("body", 0.5), ("end", timeline.duration_s - 0.5)):
        png = tmp_path / f"{name}.png"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-ss", f"{t}", "-i", str(tmp_path / out.file),
                        "-frames:v", "1", str(png)], check=True)
        frames[name] = np.asarray(Image.open(png).convert("RGB")).astype(int)
    cyan = lambda a: (a[..., 0] < 60) & (a[..., 1] > 150) & (a[..., 2] > 200)  # noqa: E731
    body = cyan(frames["body"])
    assert body[:270, 270:].sum() > 200  # the logo bug, top right
    assert cyan(frames["end"]).sum() > 2000  # the CTA button in the accent colour + the big logo
