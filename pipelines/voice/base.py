"""What every voice engine shares: its settings and the audio + timings it returns per scene."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


PITCH_ENGINES = ("espeak", "hibari")  # engines that honour pitch_semitones


class VoiceSettings(BaseModel):
    """Settings every engine understands (from the brand kit or the job)."""

    model_config = ConfigDict(extra="ignore")

    voice: str | None = None  # catalog id ("en-us-f1"); None: picked from language + gender
    language: str | None = None  # overrides the script's language for picking a voice
    gender: Literal["female", "male"] | None = None
    rate: float = Field(1.0, ge=0.5, le=2.0)  # speaking rate, 1.0 = the voice's normal pace
    # brand voice direction: pitch shift where the engine can (espeak, hibari; not piper), and how
    # to say names: {"Xiaomi": "show me", "Kettle & Crane": "Kettle and Crane"} (respellings)
    pitch_semitones: float = Field(0.0, ge=-12.0, le=12.0)
    lexicon: dict[str, str] = Field(default_factory=dict)
    scene_pause_s: float = Field(0.3, ge=0.0, le=2.0)  # silence between two scenes
    target_lufs: float = Field(-16.0, ge=-40.0, le=-6.0)


@dataclass
class Timed:
    label: str
    start: float  # seconds from the start of the scene audio
    end: float


@dataclass
class SceneAudio:
    """One scene spoken: mono float32 samples in [-1, 1] and what was said when."""

    samples: np.ndarray
    sample_rate: int
    words: list[Timed] = field(default_factory=list)
    phonemes: list[Timed] = field(default_factory=list)  # pauses included, labelled "_"


# one token per CJK character (with the punctuation that follows it), else per
# whitespace-separated run: the units captions show and word timings are given for
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN_RE = re.compile(rf"[{_CJK}][^\w\s]*|[^\s{_CJK}]+")


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start char, end char, token) for every word of the text."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]


def is_spoken(token: str) -> bool:
    return any(ch.isalnum() for ch in token)
