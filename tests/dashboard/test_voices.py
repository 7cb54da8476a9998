"""The dashboard's voice bits: the brand-kit page offers every catalogue voice with a sample link,
and a sample plays for a voice of each engine (that every catalogue voice speaks is
tests/pipelines/voice/test_neural.py's test_every_catalog_voice_speaks, through the same stage), and the Create form offers every language a voice here speaks, the page's own first."""

from __future__ import annotations

import pytest

from adgen.dashboard.forms import LANGUAGES, page_language
from pipelines.voice import list_voices

pytestmark = pytest.mark.django_db


def test_every_voice_is_offered_and_each_engine_plays_a_sample(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    owner = make_user()
    page = owner.client.get(f"{owner.base}/brand-kits/").content.decode()
    offered = [v.id for v in list_voices() if f"/voices/{v.id}/sample.wav" in page]
    assert offered == [v.id for v in list_voices()]
    for voice_id in ("en-us-heart", "en-us-joe", "en-gb-m1", "zh-f1"):  # hibari, Piper, espeak-ng, its fallback
        sample = owner.client.get(f"{owner.base}/voices/{voice_id}/sample.wav")
        assert sample.status_code == 200, voice_id
        assert b"".join(sample.streaming_content)[:4] == b"RIFF", voice_id


def test_create_form_languages_come_from_the_voice_catalog():
    codes = dict(LANGUAGES())
    assert {"en", "zh", "fr", "de", "en-gb", "es", "ja"} <= set(codes)
    assert "natural" in codes["en"] and "basic" in codes["zh"]
    assert page_language("zh-CN") == "zh" and page_language("en-US") == "en" and page_language("fr-FR") == "fr"
    assert page_language("tlh") == "en"
