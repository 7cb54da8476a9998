"""Voice benchmark: how well each offline voice is understood, how fast it is made, and how well
its word timings hold, on 12 ad scripts of our own.

For every offline English voice (hibari heart, Piper joe, espeak-ng's en-us f1 and m1) and script,
the voice stage (`pipelines.voice.synthesize`: engine, trimming, loudness) makes the track; then
- WER: pocketsphinx 5 (BSD; its wheel's en-US acoustic model, dictionary and LM) transcribes the
  finished 48 kHz track; words are lower-cased, punctuation stripped, "&" read as "and", and
  compared with the script by word-level Levenshtein distance (sum of edits / sum of words);
- RTF: wall seconds of the engine speaking the script's scenes / seconds of audio (the model
  already loaded: the first script of each voice is synthesised once untimed); "stage" also counts
  the voice stage's finishing (trim, resample, two ffmpeg loudness passes and a check);
- onset error: pocketsphinx forced alignment of each scene's audio against its spoken text is the
  independent reference; the error is |our word start - aligner's word start| per word, and the
  figure is the median over every word of every script.
The last line is exactly
    voice_wer=<default English voice> espeak_wer=<espeak-ng f1> rtf=<default> onset_ms=<default median>

    .venv/bin/python bench/voice.py                 # the bench above (~3-6 min on a busy 2-core box)
    .venv/bin/python bench/voice.py --rates         # also: caption words per second per voice on plain prose
                                                    # (rates.py's paces come from bench/voice_pace.py)
    .venv/bin/python bench/voice.py --finished DIR [--finished-baseline DIR]
                                    # WER of finished MP4s (music ducked under the voice) in adgen
                                    # output folders, against the scripts in their manifest.json

Figures measured (keep them here), 2026-12-06, the 2-core dev box shared with ~7 other jobs
(load average 17-28 throughout, so every time figure is several times what an idle box gives):
  .venv/bin/python bench/voice.py --rates
    hibari heart (default)   WER 0.234  RTF 0.274 (stage 1.555)  onset median 35 ms (p90 60; 2 of 36 scenes not aligned)
    piper joe                WER 0.345  RTF 1.478 (stage 2.927)  onset median 47 ms (p90 84; 7 of 36 scenes not aligned)
    espeak-ng en-us f1       WER 0.857  RTF 0.006 (stage 0.314)  onset median 11 ms (p90 33; 7 of 36 scenes not aligned)
    espeak-ng en-us m1       WER 0.854  RTF 0.003 (stage 0.218)  onset median 8 ms (p90 31; 28 of 36 scenes not aligned)
    voice_wer=0.234 espeak_wer=0.857 rtf=0.274 onset_ms=35
  The same box at load average 3 (00:08 UTC), `--voices en-us-heart,en-us-joe`:
    hibari heart (default)   WER 0.234  RTF 0.022 (stage 0.121)  onset median 35 ms (p90 60)
    piper joe                WER 0.348  RTF 0.198 (stage 0.355)  onset median 48 ms (p90 84)
  Finished ads (music ducked under the voice, -14 LUFS), 2 demo-store products x 3 variants, 9:16
  --preview, made with `adgen make URL1 URL2 --variants 3 --aspects 9:16 --preview --out DIR`
  (DIR=neural) and the same plus `--engine voice=espeak` (DIR=espeak); scripts are the template
  writer's, fitted to each voice's pace, so a few sentences differ between the two runs:
    bench/voice.py --finished /tmp/voice-finished/neural   -> finished_wer=0.424 videos=6
    bench/voice.py --finished /tmp/voice-finished/espeak   -> finished_wer=0.818 videos=6  (ratio 0.52)
  The same jobs' voice stems (no music): hibari 0.248 (330 words), espeak-ng 0.841 (314 words).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.errors import VoiceError  # noqa: E402
from pipelines.media import FFMPEG  # noqa: E402
from pipelines.product import AdScript, Scene  # noqa: E402
from pipelines.voice import synthesize, voice_engines  # noqa: E402
from pipelines.voice.alignment import forced_alignment, recognize, word_error_rate  # noqa: E402
from pipelines.voice.audio import read_wav  # noqa: E402
from pipelines.voice.text import normalize_for_asr, spoken_text  # noqa: E402

SCRIPTS: list[list[str]] = [
    ["Tired of cold coffee by nine?", "Meet the Kettle & Crane travel mug. It keeps your coffee hot for twelve "
     "hours and your water cold all day.", "Grab yours today and taste the difference."],
    ["Your dog deserves a better nap.", "The Cloud Nest bed hugs every curve, washes clean in minutes, and never "
     "goes flat.", "Order now and watch them melt into it."],
    ["Still sleeping on a flat pillow?", "Our memory foam pillow keeps your neck straight and your head cool, "
     "night after night.", "Try it for one hundred nights, risk free."],
    ["Meet the only backpack you will ever need.", "Water resistant fabric, a padded laptop pocket, and room "
     "for a weekend away.", "Tap the link and pack smarter."],
    ["Want glowing skin without ten steps?", "This vitamin serum brightens dull skin in two weeks. Just three "
     "drops every morning.", "Shop now while the launch price lasts."],
    ["Dinner in twenty minutes, for real.", "The Iron & Oak skillet heats evenly, goes from stove to oven, and "
     "cleans with a quick rinse.", "Cook something great tonight."],
    ["Running late again?", "These wireless earbuds charge in ten minutes and play for six hours. They stay put "
     "on every run.", "Get yours and hit the road."],
    ["Here is a puzzle the whole family will love.", "One thousand thick pieces, a glare free finish, and a "
     "poster to guide you.", "Perfect for a cozy weekend at home."],
    ["Plants dying on your windowsill?", "The smart planter waters itself and tells your phone when the soil "
     "gets dry.", "Bring your garden back to life."],
    ["Your desk is a mess, and you know it.", "This bamboo organizer gives every cable, pen and phone a home. It "
     "sets up in seconds.", "Clear the clutter today."],
    ["Looking for a gift they will actually use?", "The leather wallet holds eight cards, blocks card skimming, "
     "and fits a front pocket.", "Order by Friday for free delivery."],
    ["Build it, launch it, watch it fly.", "The Falcon rocket kit comes with everything you need, and it "
     "reaches three hundred feet.", "A weekend project kids will never forget."],
]

VOICES = [  # (label, engine, settings)
    ("hibari heart (default)", "neural", {"voice": "en-us-heart"}),
    ("piper joe", "neural", {"voice": "en-us-joe"}),
    ("espeak-ng en-us f1", "espeak", {"voice": "en-us-f1"}),
    ("espeak-ng en-us m1", "espeak", {"voice": "en-us-m1"}),
]


def _script(index: int, lines: list[str]) -> AdScript:
    return AdScript(variant_id=f"s{index}", framework="pas", hook=lines[0], cta=lines[-1], language="en",
                    scenes=[Scene(voiceover=line) for line in lines])


def _wer_parts(reference: str, audio: np.ndarray, rate: int) -> tuple[int, int, str]:
    ref = normalize_for_asr(reference)
    hyp = recognize(audio, rate)
    return round(word_error_rate(ref, hyp.split()) * len(ref)), len(ref), hyp


def bench_voice(label: str, engine: str, settings: dict, work: Path, rates: bool) -> dict:
    synthesize(_script(0, SCRIPTS[0]), work / "warm", engine=engine, settings=settings)  # load the model
    edits = words = 0
    wall = audio_s = engine_s = 0.0
    speaker = voice_engines.get(engine, settings)
    voice = next(v for v in speaker.voices() if v.id == settings["voice"])
    onset_errors: list[float] = []
    tokens = speech_s = 0.0
    unaligned = 0
    for index, lines in enumerate(SCRIPTS):
        out = work / f"s{index}"
        started = time.perf_counter()
        track = synthesize(_script(index, lines), out, engine=engine, settings=settings)
        wall += time.perf_counter() - started
        audio_s += track.duration_s
        started = time.perf_counter()  # the engine alone, on the same text (what RTF means for a TTS)
        for line in lines:
            speaker.speak(spoken_text(line).text, voice)
        engine_s += time.perf_counter() - started
        samples, rate = read_wav(out / track.audio)
        e, n, _ = _wer_parts(" ".join(lines), samples, rate)
        edits, words = edits + e, words + n
        for scene, (start, end) in enumerate(track.scene_spans):
            clip = samples[int(start * rate):int(end * rate)]
            try:
                reference, _ = forced_alignment(clip, rate, spoken_text(lines[scene]).text)
            except VoiceError:  # the aligner found no path through the text in this audio
                unaligned += 1
                continue
            ours = [w for w in track.words if w.scene == scene and any(ch.isalnum() for ch in w.word)]
            if len(ours) != len(reference):  # a caption token that merged two spoken words: skip the scene
                unaligned += 1
                continue
            onset_errors += [abs((w.start - start) - r.start) for w, r in zip(ours, reference)]
        tokens += len(track.words)
        speech_s += track.duration_s - 0.06 - 0.3 * (len(lines) - 1)  # edge pads and scene pauses out
    result = {"label": label, "wer": edits / words, "rtf": engine_s / audio_s, "stage_rtf": wall / audio_s,
              "onset_ms": 1000 * statistics.median(onset_errors), "onset_p90_ms":
              1000 * float(np.percentile(onset_errors, 90)), "words_per_s": tokens / speech_s,
              "voice": track.voice, "unaligned": unaligned}
    print(f"{label:24s} WER {result['wer']:.3f}  RTF {result['rtf']:.3f} (stage {result['stage_rtf']:.3f})  "
          f"onset median {result['onset_ms']:.0f} ms "
          f"(p90 {result['onset_p90_ms']:.0f}; {unaligned} of {sum(len(s) for s in SCRIPTS)} scenes not aligned)  "
          f"{result['words_per_s']:.2f} words/s  [{track.voice}]", flush=True)
    return result


def finished_wer(folder: Path) -> tuple[float, int]:
    """WER of every MP4 in an adgen output folder against its variant's script (manifest.json)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    scripts = {}
    for product in manifest.get("products", [manifest]):
        for variant in product.get("variants", []):
            script = variant.get("script") or {}
            text = " ".join(s["voiceover"] for s in script.get("scenes", []))
            for video in variant.get("videos", variant.get("outputs", [])):
                name = video.get("file") if isinstance(video, dict) else video
                scripts[Path(name).name] = text
    edits = words = 0
    for video, text in sorted(scripts.items()):
        path = folder / video
        if not path.is_file():
            matches = list(folder.rglob(video))
            if not matches:
                continue
            path = matches[0]
        with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
            subprocess.run([FFMPEG, "-y", "-loglevel", "error", "-i", str(path), "-ac", "1", "-ar", "16000",
                            "-c:a", "pcm_s16le", wav.name], check=True)
            samples, rate = read_wav(Path(wav.name))
        e, n, hyp = _wer_parts(text, samples, rate)
        print(f"  {video}: WER {e / n:.3f}  heard: {hyp[:110]}", flush=True)
        edits, words = edits + e, words + n
    return (edits / words if words else float("nan")), len(scripts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", action="store_true", help="print caption words per second per voice (prose)")
    parser.add_argument("--finished", type=Path, help="an adgen output folder (the default voice)")
    parser.add_argument("--finished-baseline", type=Path, help="the same job voiced by espeak-ng")
    parser.add_argument("--voices", help="comma-separated voice ids to run, e.g. en-us-f1 (no summary line)")
    args = parser.parse_args()

    if args.finished:
        wer, n = finished_wer(args.finished)
        line = f"finished_wer={wer:.3f} videos={n}"
        if args.finished_baseline:
            base, m = finished_wer(args.finished_baseline)
            line += f" espeak_finished_wer={base:.3f} ratio={wer / base:.2f} baseline_videos={m}"
        print(line)
        return 0

    words = sum(len(normalize_for_asr(" ".join(s))) for s in SCRIPTS)
    print(f"{len(SCRIPTS)} scripts, {words} words; pocketsphinx en-US as the recognizer and aligner; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="adgen-voice-bench-") as tmp:
        for label, engine, settings in VOICES:
            if args.voices and settings["voice"] not in args.voices.split(","):
                continue
            results.append(bench_voice(label, engine, settings, Path(tmp) / label.split()[0] /
                                       label.split()[-1], args.rates))
    if args.rates:
        for r in results:
            print(f"    {r['voice']}: {r['words_per_s']:.2f} words/s")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if args.voices:
        return 0
    default, espeak = results[0], results[2]
    print(f"voice_wer={default['wer']:.3f} espeak_wer={espeak['wer']:.3f} rtf={default['rtf']:.3f} "
          f"onset_ms={default['onset_ms']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
