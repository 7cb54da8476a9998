"""Lip-sync on real synthetic speech (the voice stage's espeak-ng and natural voices), each offline engine."""

from __future__ import annotations

import pytest

from pipelines.avatar import render_presenter
from pipelines.avatar.face import DEMO_PORTRAIT, DEMO_PORTRAIT_CLOSED
from pipelines.product import AdScript, Scene

from .lipcheck import lip_sync_correlation


@pytest.fixture(scope="module", params=["espeak", "neural"])
def spoken(request, tmp_path_factory):
    """The same line spoken by espeak-ng and by the default natural voice (hibari)."""
    voice = pytest.importorskip("pipelines.voice")
    directory = tmp_path_factory.mktemp(f"speech-{request.param}")
    script = AdScript(variant_id="v1", framework="pas", hook="Tired of cold coffee?", cta="Shop now", scenes=[
        Scene(voiceover="Tired of cold coffee by nine a.m.? Meet the Thermo Mug. It keeps your drink hot all day.")])
    return voice.synthesize(script, directory, engine=request.param), directory


PRESENTERS = {"puppet": None, "photo": str(DEMO_PORTRAIT), "photo-closed": str(DEMO_PORTRAIT_CLOSED)}


@pytest.mark.parametrize("presenter", list(PRESENTERS))
def test_mouth_follows_speech(spoken, presenter, tmp_path, avatar_cache):
    """Mouth openness per frame (drawn mouth: its dark share; photo: the lips' gap as MediaPipe
    reads the decoded frame) against the speech's loudness."""
    track, voice_dir = spoken
    engine = presenter.split("-")[0]
    settings = {"height": 320, "cache_dir": avatar_cache}
    if PRESENTERS[presenter]:
        settings["presenter"] = PRESENTERS[presenter]
    clip = render_presenter(track, voice_dir, tmp_path / presenter, engine=engine, settings=settings)
    correlation = lip_sync_correlation(tmp_path / presenter / clip.video, clip, track, voice_dir,
                                       measure="mesh" if engine == "photo" else "dark")
    print(f"{presenter} lip-sync correlation on {track.engine} speech ({track.duration_s:.1f} s): {correlation:.3f}")
    assert correlation >= 0.6
