"""Assertions every engine's VoiceTrack must pass."""

from __future__ import annotations

from pathlib import Path

from pipelines.product import VoiceTrack
from pipelines.voice.visemes import VISEMES


def assert_track_is_sound(track: VoiceTrack, out: Path, scenes: int) -> None:
    assert (out / track.audio).is_file()
    assert track.words, "no word timings"
    # monotonic, non-overlapping, inside the audio
    last = 0.0
    for w in track.words:
        assert last - 1e-6 <= w.start <= w.end <= track.duration_s + 1e-6, w
        last = w.end
    # the words cover the audio: speech starts and ends at its edges
    assert track.words[0].start < 0.25
    assert track.words[-1].end > track.duration_s - 0.25
    # scene indices run in order, one span per scene, back to back over the whole audio
    assert [w.scene for w in track.words] == sorted(w.scene for w in track.words)
    assert len(track.scene_spans) == scenes
    assert track.scene_spans[0][0] == 0.0 and abs(track.scene_spans[-1][1] - track.duration_s) < 1e-3
    for (a0, a1), (b0, _b1) in zip(track.scene_spans, track.scene_spans[1:]):
        assert a0 <= a1 == b0
    for w in track.words:
        s0, s1 = track.scene_spans[w.scene]
        assert s0 - 1e-3 <= w.start and w.end <= s1 + 1e-3, (w, (s0, s1))
    # phonemes tile the audio, each with a known viseme
    assert track.phonemes[0].start == 0.0 and abs(track.phonemes[-1].end - track.duration_s) < 1e-3
    for a, b in zip(track.phonemes, track.phonemes[1:]):
        assert abs(a.end - b.start) < 1e-3 and a.end > a.start
    assert {p.viseme for p in track.phonemes} <= set(VISEMES)
