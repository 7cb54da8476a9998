"""Fixtures for avatar tests (helpers live in lipcheck.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.product import VoiceTrack

from .lipcheck import synth_voice


@pytest.fixture
def voice(tmp_path) -> tuple[VoiceTrack, Path]:
    voice_dir = tmp_path / "voice"
    voice_dir.mkdir()
    return synth_voice(voice_dir), voice_dir


@pytest.fixture
def avatar_cache(tmp_path_factory) -> str:
    """One sprite cache for the session: the second test of a look reuses the first's drawing."""
    return str(tmp_path_factory.getbasetemp() / "avatar-cache")
