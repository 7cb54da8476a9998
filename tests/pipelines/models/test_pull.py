"""`adgen models pull | import | verify` against a loopback Hugging Face hub (tests/hf_server.py)
serving tiny random models in the exact published layouts, faults included."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("huggingface_hub")
torch = pytest.importorskip("torch")

from adgen.cli import main  # noqa: E402
from hf_server import Hub, Repo, repo_from_folder, serve_hub  # noqa: E402
from pipelines.models import ModelError, catalog_entry, import_folder, pull, status, verify  # noqa: E402
from pipelines.models.tiny import make_tiny  # noqa: E402


@pytest.fixture(scope="module")
def tiny_musetalk(tmp_path_factory):
    return make_tiny("musetalk", tmp_path_factory.mktemp("published") / "musetalk")


def musetalk_hub(folder) -> Hub:
    """The three repositories MuseTalk 1.5 is published as, with their own file layouts."""
    main_repo = repo_from_folder(folder)
    main_repo = Repo({p: d for p, d in main_repo.files.items() if p.startswith("musetalkV15/")}
                     | {"README.md": b"# MuseTalk\n", "musetalk/musetalk.json": b"{}", "musetalk/pytorch_model.bin": b"v1"})
    return Hub({"TMElyralab/MuseTalk": main_repo,
                "stabilityai/sd-vae-ft-mse": repo_from_folder(folder / "sd-vae"),
                "openai/whisper-tiny": repo_from_folder(folder / "whisper")})


def test_pull_installs_musetalk_in_its_published_layout_and_the_engine_loads_it(tiny_musetalk, tmp_path, monkeypatch,
                                                                                 capsys):
    from pipelines.avatar.lipsync import load_models

    hub = musetalk_hub(tiny_musetalk)
    target = tmp_path / "musetalk-1.5"
    with serve_hub(hub) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        assert main(["models", "pull", "musetalk-1.5", "--dir", str(target), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"--model-dir {target}" in out and "--engine avatar=lipsync" in out
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert [f for f in files if not f.startswith(".adgen/")] == [
        "musetalkV15/musetalk.json", "musetalkV15/unet.pth", "sd-vae/config.json",
        "sd-vae/diffusion_pytorch_model.safetensors", "whisper/config.json", "whisper/model.safetensors",
        "whisper/preprocessor_config.json"]  # allow_patterns: nothing of MuseTalk 1.0, no README
    manifest = json.loads((target / ".adgen/musetalk-1.5.json").read_text())
    unet = manifest["files"]["musetalkV15/unet.pth"]
    assert unet["revision"] == hub.repos["TMElyralab/MuseTalk"].commit  # a branch is recorded as its commit
    assert unet["verified_against"] == "hub"
    # the pinned revisions of the other two are asked for as such
    assert any("/tree/31f26fdeee1355a5c34592e401dd41e45d25a493" in path for _, path, _ in hub.log)
    assert load_models(str(target), "cpu").unet.config.in_channels == 8
    assert main(["models", "verify", "musetalk-1.5", "--dir", str(target)]) == 0


def test_a_corrupt_download_is_refused_removed_and_fetched_again(tiny_musetalk, tmp_path):
    hub = musetalk_hub(tiny_musetalk)
    hub.corrupt.add(("TMElyralab/MuseTalk", "musetalkV15/unet.pth"))
    target = tmp_path / "m"
    with serve_hub(hub) as url:
        with pytest.raises(ModelError) as err:
            pull("musetalk-1.5", target, endpoint=url, progress=False)
        assert err.value.code == "hash_mismatch" and "unet.pth" in err.value.message
        assert not (target / "musetalkV15/unet.pth").exists()
        assert not (target / ".adgen/musetalk-1.5.json").exists()
        hub.corrupt.clear()  # the mirror is fixed: the same command completes
        hub.log.clear()
        pull("musetalk-1.5", target, endpoint=url, progress=False)
    assert status(catalog_entry("musetalk-1.5"), target, deep=True).state == "installed"
    fetched = {path.rsplit("/resolve/", 1)[-1] for method, path, _ in hub.log if method == "GET" and "/resolve/" in path}
    assert any(p.endswith("unet.pth") for p in fetched)
    assert not any(p.endswith("musetalk.json") for p in fetched)  # intact files were kept, not fetched again


def test_a_dropped_connection_is_resumed_with_a_range_request(tiny_musetalk, tmp_path, monkeypatch):
    import huggingface_hub.constants

    # the library streams 10 MB chunks; with a tiny file it would only ever restart, never resume
    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 8192)
    hub = musetalk_hub(tiny_musetalk)
    hub.drop[("TMElyralab/MuseTalk", "musetalkV15/unet.pth")] = 2  # cut off half-way, twice
    with serve_hub(hub) as url:
        pull("musetalk-1.5", tmp_path / "m", endpoint=url, progress=False)
    ranges = [r for method, path, r in hub.log if path.endswith("unet.pth") and method == "GET"]
    assert len(ranges) == 3 and ranges[0] is None and all(r and r.startswith("bytes=") for r in ranges[1:])
    assert status(catalog_entry("musetalk-1.5"), tmp_path / "m", deep=True).state == "installed"


def test_an_unreachable_hub_is_one_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    assert main(["models", "pull", "piper-de_DE-thorsten-medium", "--dir", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # the licence line, then the error
    assert len(err) == 2 and "CC0-1.0" in err[0] and err[1].startswith("adgen: ") and "[download_failed]" in err[1]
    with serve_hub(Hub({})) as url:
        with pytest.raises(ModelError) as exc:
            pull("piper-de_DE-thorsten-medium", tmp_path, endpoint=url, progress=False)
    assert exc.value.code == "repo_not_found"


def test_pull_a_dit_model_in_diffusers_layout(tmp_path):
    source = make_tiny("wan", tmp_path / "published-wan")
    repo = repo_from_folder(source)
    repo.files.pop("adgen.json")  # the published repository has no adgen defaults file
    hub = Hub({"Wan-AI/Wan2.1-T2V-1.3B-Diffusers": repo})
    with serve_hub(hub) as url:
        target = pull("wan2.1-t2v-1.3b", tmp_path / "wan", endpoint=url, progress=False)
    assert (target / "model_index.json").is_file() and (target / "transformer/config.json").is_file()
    from pipelines.broll.dit import family_of

    assert family_of(target) == "wan"


def test_piper_voices_land_flat_in_the_voices_folder(tmp_path, monkeypatch):
    voice_dir = tmp_path / "published-voice"
    voice_dir.mkdir()
    onnx = voice_dir / "x.onnx"
    onnx.write_bytes(b"\x08\x07" * 5000)
    repo = Repo({"de/de_DE/thorsten/medium/de_DE-thorsten-medium.onnx": onnx.read_bytes(),
                 "de/de_DE/thorsten/medium/de_DE-thorsten-medium.onnx.json": b'{"audio": {"sample_rate": 22050}}',
                 "de/de_DE/thorsten/medium/MODEL_CARD": b"License: CC0\n",
                 "voices.json": b"{}"})
    monkeypatch.setenv("ADGEN_PIPER_VOICES", str(tmp_path / "voices"))
    with serve_hub(Hub({"rhasspy/piper-voices": repo})) as url:
        target = pull("piper-de_DE-thorsten-medium", endpoint=url, progress=False)
    assert target == tmp_path / "voices"
    assert sorted(p.name for p in target.iterdir() if p.is_file()) == ["de_DE-thorsten-medium.onnx",
                                                                       "de_DE-thorsten-medium.onnx.json"]


def test_import_a_folder_the_user_fetched_then_verify_catches_damage(tiny_musetalk, tmp_path, capsys):
    fetched = tmp_path / "fetched"
    shutil.copytree(tiny_musetalk, fetched)
    target = tmp_path / "installed"
    assert main(["models", "import", "musetalk-1.5", str(fetched), "--dir", str(target)]) == 0
    assert status(catalog_entry("musetalk-1.5"), target, deep=True).state == "installed"
    weights = target / "whisper/model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["models", "verify", "musetalk-1.5", "--dir", str(target)]) == 2
    captured = capsys.readouterr()
    assert "whisper/model.safetensors: sha256 changed" in captured.out and "damaged" in captured.err
    [result] = verify("musetalk-1.5", target)
    assert result.state == "damaged"
    with pytest.raises(ModelError) as err:
        import_folder("musetalk-1.5", tmp_path / "fetched" / "sd-vae", tmp_path / "other")
    assert err.value.code == "import_incomplete"
