"""The catalogue's entries are complete, honest about what is unknown, and match the engines' layouts."""

from __future__ import annotations

import json

import pytest

from adgen.cli import main
from pipelines.models import CATALOG, KINDS, ModelError, catalog_entry, pull
from pipelines.models.catalog import COMMIT


def test_every_entry_names_its_licence_sources_and_install_layout():
    assert {e.kind for e in CATALOG} <= set(KINDS)
    for entry in CATALOG:
        assert entry.licence.name and entry.licence.summary
        assert entry.licence.commercial in {"yes", "conditional", "no", "unverified"}
        for source in entry.sources:
            assert source.allow_patterns
            # a revision is a commit, or the entry says where that is not known
            assert COMMIT.match(source.revision) or "tracks" in source.revision_source or "tag" in source.revision_source
            for known in source.files:  # no sha256 without a source for it
                assert known.sha256 is None or len(known.sha256) == 64


def test_musetalk_installs_in_the_layout_the_lipsync_engine_loads():
    from pipelines.avatar.lipsync import REQUIRED

    entry = catalog_entry("musetalk-1.5")
    installed = {s.destination(p) for s in entry.sources for p in s.allow_patterns}
    assert set(REQUIRED) <= installed
    assert entry.licence.name == "MIT" and dict(entry.component_licences)["whisper-tiny"].name == "Apache-2.0"


def test_the_dit_default_permits_commercial_use_and_the_others_are_recorded():
    wan = catalog_entry("wan2.1-t2v-1.3b")
    assert wan.licence.name == "Apache-2.0" and not wan.restricted and "model_index.json" in wan.sources[0].allow_patterns
    assert "$10M" in catalog_entry("ltx-video").licence.summary and catalog_entry("ltx-video").restricted
    hunyuan = catalog_entry("hunyuanvideo-1.5").licence.summary
    assert all(region in hunyuan for region in ("European Union", "United Kingdom", "South Korea"))


def test_piper_voices_go_flat_into_the_voices_folder_and_say_whether_they_run_offline():
    voices = [e for e in CATALOG if e.kind == "piper"]
    assert any(e.name.startswith("piper-zh_CN") for e in voices) and len({e.name[6:8] for e in voices}) >= 4
    for entry in voices:
        [source] = entry.sources
        assert entry.folder == "piper-voices" and source.flatten
        assert sorted(source.destination(p).rsplit(".", 2)[-1] for p in source.allow_patterns) == ["json", "onnx"]
    assert "g2pW" in catalog_entry("piper-zh_CN-xiao_ya-medium").notes
    assert "g2pW" not in catalog_entry("piper-zh_CN-huayan-medium").notes


def test_a_restricted_licence_must_be_accepted_before_any_download(tmp_path):
    with pytest.raises(ModelError) as err:
        pull("ltx-video", tmp_path, endpoint="http://127.0.0.1:9")  # refused before any request
    assert err.value.code == "licence_not_accepted"
    with pytest.raises(ModelError) as err:
        catalog_entry("nope")
    assert err.value.code == "unknown_model"


def test_models_list_shows_the_catalogue_with_licences(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ADGEN_MODELS_DIR", str(tmp_path))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for entry in CATALOG:
        assert entry.name in out
    assert "MIT" in out and "Apache-2.0" in out and "Tencent Hunyuan Community License" in out
    assert "missing" in out and "VRAM" in out
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == {e.name for e in CATALOG}
    assert all(r["licence"]["name"] for r in rows)


def test_make_tiny_refuses_a_kind_no_engine_runs(capsys, tmp_path):
    assert main(["models", "make-tiny", "--kind", "hunyuanvideo", str(tmp_path / "h")]) == 2
    assert "[kind_without_engine]" in capsys.readouterr().err
    assert main(["models", "make-tiny", "--kind", "nonsense", str(tmp_path / "n")]) == 2


def test_make_tiny_covers_the_voice_kind_in_piper_layout(tmp_path, capsys):
    pytest.importorskip("piper.train.vits.models")
    from pipelines.voice import list_voices

    assert main(["models", "make-tiny", "--kind", "piper", str(tmp_path / "voices")]) == 0
    assert "ADGEN_PIPER_VOICES=" in capsys.readouterr().out
    [voice] = list_voices("piper", {"voices_dir": str(tmp_path / "voices")})
    assert voice.ref.endswith("en_US-tiny-x_low.onnx") and voice.language == "en-us"


def test_make_tiny_covers_the_local_script_model(tmp_path):
    pytest.importorskip("torch")
    from pipelines.script import script_engines

    assert main(["models", "make-tiny", "--kind", "qwen2", str(tmp_path / "qwen")]) == 0
    engine = script_engines.get("transformers", {"model_dir": str(tmp_path / "qwen"), "device": "cpu"})
    engine._load()  # the engine's own loader: AutoModelForCausalLM + AutoTokenizer, local files only
    assert engine._prompt([{"role": "user", "content": "hi"}]).startswith("<|im_start|>user\nhi<|im_end|>")
