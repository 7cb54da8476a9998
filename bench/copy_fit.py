"""Copy fit over the shop-shaped fixture pages: defects, names said whole, and lengths as a voice reads them.

    .venv/bin/python bench/copy_fit.py                          # lengths by the writer's own estimate
    .venv/bin/python bench/copy_fit.py --voice espeak           # lengths measured on espeak-ng's audio
    .venv/bin/python bench/copy_fit.py --voice neural --limit 5     # the default neural voice

For each page (fixtures/pages/fit + the demo store) it writes 3 variants of a 20 s ad in the
page's language, audits them (pipelines.script.fit) and prints one row per variant, then:
variants with any defect X of N, names whole X of P, lengths within ±10 % X of N. With --voice
the script is synthesized and the finished track's length is what counts, and the scripts are
fitted to the pace of the voice that reads each language (pipelines.voice.words_per_second, as
the pipeline's script stage does); --wps fits every script to one pace instead.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "fixtures" / "pages" / "fit"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--voice", default=None, help="voice engine to measure lengths with (espeak, neural, ...)")
    parser.add_argument("--wps", type=float, default=None, help="fit scripts to this pace (speech units per second)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (a neural voice is slow)")
    parser.add_argument("--pages", default=None, help="only pages whose path contains this")
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()

    from load import load_products

    from pipelines.script.fit import fit_table, format_fit_table

    products = load_products()
    if args.pages:
        products = {k: v for k, v in products.items() if args.pages in k}
    if args.limit:
        products = dict(list(products.items())[:args.limit])

    seconds = pace = None
    if args.voice:
        from pipelines.voice import synthesize, words_per_second

        def pace(language):
            return words_per_second(args.voice, None, language)

        def seconds(script):
            with tempfile.TemporaryDirectory() as tmp:
                return synthesize(script, Path(tmp), engine=args.voice).duration_s

    started = time.perf_counter()
    table = fit_table(products, variants=3, duration_s=args.duration, seconds=seconds, words_per_second=args.wps,
                      pace=pace)
    measured = f"measured on {args.voice}" if args.voice else "writer's estimate"
    if args.wps:
        measured += f", fitted to {args.wps} units/s"
    elif args.voice:
        measured += ", fitted to its paces"
    print(format_fit_table(table, measured_by=measured))
    print(f"({len(products)} pages, {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
