"""What every avatar engine gets (a PresenterRequest) and the per-avatar preprocessing cache."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pipelines.avatar.motion import energy_envelope, frame_count, read_wav_mono
from pipelines.errors import AvatarError
from pipelines.product import VoiceTrack
from pipelines.store import file_sha256


class PresenterSettings(BaseModel):
    """Settings every engine understands (engine-specific ones live in each engine's config)."""

    model_config = ConfigDict(extra="ignore")

    look: str | None = None  # puppet look name
    presenter: str | None = None  # a look name, or a portrait image path for `photo`/`lipsync`
    brand_color: str = "#111111"
    height: int = Field(1080, ge=64, le=4320)
    width: int | None = None  # default: 4:5 portrait canvas (height * 4/5)
    fps: float = Field(30.0, gt=0, le=120)
    preview: bool = False
    seed: int = 0
    cache_dir: str | None = None


@dataclass
class PresenterRequest:
    voice: VoiceTrack
    audio: Path
    width: int
    height: int
    fps: float
    n_frames: int
    settings: PresenterSettings
    report: Callable[[float, str], None] = lambda fraction, message="": None
    _energy: np.ndarray | None = field(default=None, repr=False)

    @property
    def duration_s(self) -> float:
        return self.voice.duration_s

    def energy(self) -> np.ndarray:
        """Audio RMS per video frame (0..1), used for nods and to close the lips in pauses."""
        if self._energy is None:
            samples, rate = read_wav_mono(self.audio)
            self._energy = energy_envelope(samples, rate, self.n_frames, self.fps)
        return self._energy

    @property
    def seed(self) -> int:
        digest = hashlib.sha256(f"{self.voice.audio}|{self.voice.duration_s}|{self.settings.seed}".encode()).digest()
        return int.from_bytes(digest[:4], "little")


def build_request(voice: VoiceTrack, voice_dir: Path, settings: dict | None, report=None) -> PresenterRequest:
    opts = PresenterSettings.model_validate(settings or {})
    audio = Path(voice_dir) / voice.audio
    if not audio.is_file():
        raise AvatarError(f"The voice audio {voice.audio!r} is missing, so the presenter cannot be animated.",
                          code="voice_audio_missing", stage="avatar")
    if voice.duration_s <= 0:
        raise AvatarError("The voice track is empty.", code="voice_empty", stage="avatar")
    height = 540 if opts.preview else opts.height
    height -= height % 2
    width = opts.width if opts.width and not opts.preview else round(height * 4 / 5)
    if opts.width and opts.preview:
        width = round(opts.width * height / opts.height)
    width -= width % 2
    return PresenterRequest(voice=voice, audio=audio, width=width, height=height, fps=opts.fps,
                            n_frames=frame_count(voice.duration_s, opts.fps), settings=opts,
                            report=report or (lambda fraction, message="": None))


# --------------------------------------------------------------------------- cache


def cache_root(settings: PresenterSettings | None = None) -> Path:
    configured = (settings.cache_dir if settings else None) or os.environ.get("ADGEN_AVATAR_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "adgen" / "avatar"


def cache_key(kind: str, **parts) -> str:
    return f"{kind}-" + hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def load_arrays(root: Path, key: str) -> dict[str, np.ndarray] | None:
    path = root / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception:  # noqa: BLE001 - a torn or stale cache file is rebuilt, never trusted
        return None


def save_arrays(root: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, suffix=".tmp.npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, root / f"{key}.npz")  # atomic: concurrent workers never read half a file
    except OSError:
        pass  # a read-only cache only costs time


file_digest = file_sha256  # a portrait's identity in the presenter caches
