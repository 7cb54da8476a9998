"""Short real inputs for render tests: ~3 s of espeak speech in 2 scenes (each with on-screen
text for its title), a drawn presenter, product shots made per aspect, brand intro/outro clips.
Session-wide so every test reuses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.product import AdScript, Scene

SHORT_SCENES = [("Hot coffee, all day long.", "avatar", "Hot all day ☕"),
                 ("Now only twenty four dollars.", "product_image:0", "★ 4.8 · Just $24")]


@pytest.fixture(scope="session")
def render_inputs(tmp_path_factory, monkeypatch_session_cache):
    from pipelines.render.sample import sample_presenter, sample_product, sample_voice

    root = tmp_path_factory.mktemp("render_inputs")
    script = AdScript(variant_id="v1", framework="ugc", hook=SHORT_SCENES[0][0], cta="Shop now",
                      scenes=[Scene(voiceover=t, visual=v, on_screen_text=o) for t, v, o in SHORT_SCENES],
                      caption="Hot coffee all day.", hashtags=["#coffee"])
    voice = sample_voice(script, root / "voice")
    presenter = sample_presenter(root, voice.duration_s, (540, 676))
    return {"root": root, "script": script, "voice": voice, "presenter": presenter, "product": sample_product()}


@pytest.fixture(scope="session")
def monkeypatch_session_cache(tmp_path_factory):
    """Keep the music bed / mix cache inside the test's temp dir."""
    import os

    old = os.environ.get("ADGEN_CACHE_DIR")
    os.environ["ADGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("adgen_cache"))
    yield
    if old is None:
        os.environ.pop("ADGEN_CACHE_DIR", None)
    else:
        os.environ["ADGEN_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def make_timeline(render_inputs):
    from pipelines.render import build_timeline
    from pipelines.render.compose import output_size
    from pipelines.render.sample import sample_broll

    root = render_inputs["root"]
    voice, script = render_inputs["voice"], render_inputs["script"]

    def make(aspect: str, preview: bool = False, brand: dict | None = None):
        w, h = output_size(aspect, preview)
        broll = {}
        for i, (scene, (a, b)) in enumerate(zip(script.scenes, voice.scene_spans)):
            if scene.visual != "avatar":
                broll[i] = sample_broll(root, i, b - a + 0.5, w, h)
        return build_timeline(render_inputs["product"], script, voice, root / "voice",
                              render_inputs["presenter"], root, broll, brand or {"name": "Orbit"})

    return make


def make_brand_clip(path: Path, color: str, size: tuple[int, int], seconds: float, tone_hz: int | None = None,
                    fps: int = 25) -> Path:
    """A solid-colour clip (a brand sting stand-in), with a sine tone for its sound or silent."""
    import subprocess

    args = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"color=c={color}:s={size[0]}x{size[1]}:r={fps}:d={seconds}"]
    if tone_hz:
        args += ["-f", "lavfi", "-i", f"sine=f={tone_hz}:d={seconds}:sample_rate=44100", "-c:a", "aac", "-shortest"]
    subprocess.run([*args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


@pytest.fixture(scope="session")
def clip_maker():
    """make_brand_clip, for tests that need clips of their own."""
    return make_brand_clip


@pytest.fixture(scope="session")
def brand_clips(tmp_path_factory):
    """A 16:9 red intro with a tone (2 s) and a square blue outro, silent and too long (7 s: cut to 5)."""
    root = tmp_path_factory.mktemp("brand_clips")
    return {"intro": str(make_brand_clip(root / "intro.mp4", "0xd02030", (320, 180), 2.0, tone_hz=660)),
            "outro": str(make_brand_clip(root / "outro.mp4", "0x2040d0", (240, 240), 7.0, fps=30))}
