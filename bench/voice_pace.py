"""Calibrate the paces in pipelines/voice/rates.py: how many of the script writer's speech units
(pipelines.script.locale.speech_units) a voice says per second of speech.

    .venv/bin/python bench/voice_pace.py --engine espeak             # every language of the fit pages
    .venv/bin/python bench/voice_pace.py --engine neural --languages en
    .venv/bin/python bench/voice_pace.py --engine espeak --save /tmp/pace.json   # the per-scene data
    .venv/bin/python bench/voice_pace.py --from /tmp/pace.json      # re-count saved audio (units changed)

The template writer writes 3 variants of a 20 s ad for every page of fixtures/pages/fit and the
demo store in the page's language (and, with --cross, an English ad for every non-English page);
each scene is spoken alone by the engine's voice for that language (the voice stage's own text
preparation and silence trimming, rate 1.0), and the pace is the sum of the scenes' units over the
sum of their voiced seconds, per voice: the same tokenizer the writer fits with, and the scene
pauses left out (the writer adds them itself). The spread line gives the per-script ratios, so a
pace is checked over every page rather than one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "fixtures" / "pages" / "fit"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", default="espeak")
    parser.add_argument("--voice", default=None, help="this catalog voice instead of the language's first")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (a slow voice)")
    parser.add_argument("--languages", default=None, help="comma-separated base languages (default: all)")
    parser.add_argument("--cross", action="store_true", help="also an English ad for every non-English page")
    parser.add_argument("--save", default=None, help="write the per-scene measurements to this JSON file")
    parser.add_argument("--from", dest="saved", default=None, help="summarise measurements saved with --save")
    args = parser.parse_args()
    if args.saved:
        from pipelines.script.locale import speech_units

        rows = json.loads(Path(args.saved).read_text())
        for r in rows:  # counted again: the tokenizer may have changed since the audio was measured
            r["units"] = speech_units(r["text"], r["language"])
        summarise(rows)
        return 0

    from load import load_products

    from pipelines.script import ScriptOptions, write_scripts
    from pipelines.script.locale import base_language, speech_units
    from pipelines.voice import voice_engines
    from pipelines.voice import _trimmed
    from pipelines.voice.audio import OUTPUT_RATE
    from pipelines.voice.catalog import pick_voice
    from pipelines.voice.text import spoken_text

    wanted = set(args.languages.split(",")) if args.languages else None
    speaker = voice_engines.get(args.engine, {})
    voices = speaker.voices()
    rows = []
    started = time.perf_counter()
    for page, product in list(load_products().items())[:args.limit]:
        page_language = base_language(product.language or "en")
        languages = [page_language] + (["en"] if args.cross and page_language != "en" else [])
        for language in languages:
            if wanted and language not in wanted:
                continue
            voice = pick_voice(voices, voice=args.voice, language=language, gender=None, engine=args.engine)
            scripts = write_scripts(product, ScriptOptions(variants=3, duration_s=20, language=language))
            for script in scripts:
                for scene in script.scenes:
                    said = spoken_text(scene.voiceover, voice.language, {})
                    samples, _ = _trimmed(speaker.speak(said.text, voice))
                    rows.append({"page": page, "variant": script.variant_id, "language": language,
                                 "voice": voice.id, "text": scene.voiceover,
                                 "units": round(speech_units(scene.voiceover, language), 3),
                                 "seconds": round(len(samples) / OUTPUT_RATE, 3)})
    if args.save:
        Path(args.save).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    summarise(rows)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


def summarise(rows: list[dict]) -> None:
    by_voice: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_voice[r["voice"]].append(r)
    for voice_id, scenes in sorted(by_voice.items()):
        per_script: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for r in scenes:
            acc = per_script[(r["page"], r["variant"])]
            acc[0] += r["units"]
            acc[1] += r["seconds"]
        ratios = sorted(u / s for u, s in per_script.values() if s)
        pace = sum(r["units"] for r in scenes) / sum(r["seconds"] for r in scenes)
        print(f"{voice_id:14} pace {pace:.3f} units/s over {len(per_script)} scripts ({len(scenes)} scenes); "
              f"per script {ratios[0]:.2f}-{ratios[-1]:.2f}, median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
