"""Lip-sync on real synthetic speech: the voice stage's espeak engine, then each offline engine."""

from __future__ import annotations

import pytest

from pipelines.avatar import render_presenter
from pipelines.product import AdScript, Scene

from .lipcheck import lip_sync_correlation


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    voice = pytest.importorskip("pipelines.voice")
    directory = tmp_path_factory.mktemp("speech")
    script = AdScript(variant_id="v1", framework="pas", hook="Tired of cold coffee?", cta="Shop now", scenes=[
        Scene(voiceover="Tired of cold coffee by nine a.m.? Meet the Thermo Mug. It keeps your drink hot all day.")])
    return voice.synthesize(script, directory), directory


@pytest.mark.parametrize("engine", ["puppet", "photo"])
def test_mouth_follows_espeak_speech(spoken, engine, tmp_path, avatar_cache):
    track, voice_dir = spoken
    clip = render_presenter(track, voice_dir, tmp_path / engine, engine=engine,
                            settings={"height": 320, "cache_dir": avatar_cache})
    correlation = lip_sync_correlation(tmp_path / engine / clip.video, clip, track, voice_dir)
    print(f"{engine} lip-sync correlation on espeak speech ({track.duration_s:.1f} s): {correlation:.3f}")
    assert correlation > 0.35
