"""The foundation contract, end to end through the real CLI: scrape -> ... -> export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from adgen.cli import demo_product_paths, main
from pipelines.media import has_faststart, media_info
from pipelines.product import ASPECTS, AdScript, Product

MANIFEST_KEYS = {"adgen_version", "created_at", "engines", "timings_s", "products"}
STAGES = ("scrape", "script", "voice", "avatar", "broll", "render")


def artifact_dirs(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("??/*") if (p / "meta.json").is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory, store_url):
    """One small preview batch of the demo product, made twice with the same cache."""
    root = tmp_path_factory.mktemp("make")
    cache, out = root / "cache", root / "out"
    url = f"{store_url}/{demo_product_paths()[0]}"
    argv = ["make", url, "--variants", "2", "--duration", "10", "--preview", "--quiet",
            "--cache", str(cache), "--out", str(out)]
    assert main(argv) == 0
    first = artifact_dirs(cache)
    mtimes = {p: p.stat().st_mtime for p in out.glob("*.mp4")}
    assert main([*argv[:-1], str(root / "out2")]) == 0
    return {"out": out, "out2": root / "out2", "cache": cache, "first": first,
            "second": artifact_dirs(cache), "mtimes": mtimes, "url": url}


def test_manifest_contract(made):
    manifest = json.loads((made["out"] / "manifest.json").read_text())
    assert MANIFEST_KEYS <= set(manifest)
    assert set(STAGES) <= set(manifest["engines"])
    assert set(STAGES) | {"export", "total"} <= set(manifest["timings_s"])
    (product_entry,) = manifest["products"]
    assert product_entry["url"] == made["url"]
    product = Product.model_validate(product_entry["product"])
    assert product.title and product.price and product.images
    for key in ("url", "canonical_url", "title", "brand", "description", "price", "currency",
                "availability", "images", "features", "rating", "reviews", "language"):
        assert key in product_entry["product"]
    variants = product_entry["variants"]
    assert len(variants) == 2
    assert len({v["script"]["hook"] for v in variants}) == 2, "variants must differ in their hook"
    for variant in variants:
        assert {"id", "framework", "language", "script", "outputs"} <= set(variant)
        AdScript.model_validate(variant["script"])
        assert sorted(o["aspect"] for o in variant["outputs"]) == sorted(ASPECTS)
        for output in variant["outputs"]:
            for key in ("file", "captions", "thumbnail"):
                assert (made["out"] / output[key]).is_file(), output[key]


def test_every_output_plays_at_its_aspect(made):
    manifest = json.loads((made["out"] / "manifest.json").read_text())
    for variant in manifest["products"][0]["variants"]:
        for output in variant["outputs"]:
            info = media_info(made["out"] / output["file"])
            want_w, want_h = ASPECTS[output["aspect"]]
            assert (info.width, info.height) == (output["width"], output["height"])
            assert abs(info.width / info.height - want_w / want_h) < 0.01
            assert info.video_codec == "h264" and info.pix_fmt == "yuv420p"
            assert info.audio_codec == "aac" and info.sample_rate == 48000
            assert 8 <= info.duration_s <= 40
            assert abs(info.duration_s - output["duration_s"]) < 0.2
            assert has_faststart(made["out"] / output["file"])
            srt = (made["out"] / output["captions"]).read_text()
            assert "-->" in srt


def test_second_run_reuses_every_artifact(made):
    assert made["second"] == made["first"], "the second run built new artifacts"
    manifest2 = json.loads((made["out2"] / "manifest.json").read_text())
    manifest1 = json.loads((made["out"] / "manifest.json").read_text())
    assert manifest2["products"][0]["variants"] == manifest1["products"][0]["variants"]


def run_cli(*argv: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "adgen.cli", *argv], capture_output=True, text=True,
                          env=env, timeout=120)


def test_unreachable_url_is_one_clear_line(tmp_path):
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli("make", f"http://127.0.0.1:{port}/product.html", "--out", str(tmp_path / "out"),
                     "--cache", str(tmp_path / "cache"), "--quiet")
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert "scrape" in lines[0] and "unreachable" in lines[0]
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_page_that_is_not_a_product_is_refused(tmp_path, serve_dir):
    site = tmp_path / "site"
    site.mkdir()
    (site / "blog.html").write_text(
        "<html lang='en'><head><title>Our summer roadmap</title>"
        "<meta property='og:type' content='article'></head><body><article><h1>Our summer roadmap</h1>"
        "<p>We are hiring and moving offices. Thanks for reading our blog.</p></article></body></html>")
    base = serve_dir(site)
    result = run_cli("make", f"{base}/blog.html", "--out", str(tmp_path / "out"),
                     "--cache", str(tmp_path / "cache"), "--quiet")
    assert result.returncode != 0
    assert "not_a_product" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_private_hosts_are_refused_without_the_opt_in(tmp_path, store_url):
    result = run_cli("scrape", f"{store_url}/{demo_product_paths()[0]}", "--json",
                     env_extra={"ADGEN_ALLOW_PRIVATE_HOSTS": "0"})
    assert result.returncode != 0
    assert "ssrf_blocked" in result.stderr


def test_scrape_json_prints_the_product(store_url):
    result = run_cli("scrape", f"{store_url}/{demo_product_paths()[0]}", "--json")
    assert result.returncode == 0, result.stderr
    product = Product.model_validate(json.loads(result.stdout))
    assert product.title and product.price is not None and product.images
