"""The dit engine end to end with tiny random models saved to disk and loaded by the real loader."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("diffusers")

from pipelines.broll import BrollRequest, render_broll  # noqa: E402
from pipelines.broll.dit import DitConfig, build_prompt, generation_plan, load_pipelines  # noqa: E402
from pipelines.broll.tiny import make_tiny_model_dir  # noqa: E402
from pipelines.errors import BrollError  # noqa: E402
from pipelines.runner import run_node  # noqa: E402
from pipelines.media import media_info  # noqa: E402

from .helpers import PRODUCT_BOX, broll_node, count_frames, product_photo, read_frames  # noqa: E402,F401


@pytest.fixture(scope="module")
def tiny_ltx(tmp_path_factory):
    return make_tiny_model_dir(tmp_path_factory.mktemp("models") / "ltx-tiny", "ltx")


def _settings(model_dir, **extra):
    return {"model_dir": str(model_dir), "steps": 2, "long_side": 64, **extra}


def _request(**overrides):
    values = dict(prompt="espresso on a walnut table, morning light", product_title="Arc Espresso Cup",
                  camera="push_in", duration_s=1.0, width=96, height=160, fps=12, seed=11)
    values.update(overrides)
    return BrollRequest(**values)


def test_text_to_video_clip_has_the_requested_frames_and_size(tiny_ltx, tmp_path):
    clip = render_broll(_request(), tmp_path, engine="dit", settings=_settings(tiny_ltx))
    video = tmp_path / clip.video
    info = media_info(video)
    assert (info.width, info.height) == (96, 160) == (clip.width, clip.height)
    assert info.video_codec == "h264" and info.pix_fmt == "yuv420p" and info.audio_codec is None
    assert count_frames(video) == 12 and clip.duration_s == pytest.approx(1.0)
    assert clip.engine == "dit:ltx" and clip.seed == 11
    assert "Arc Espresso Cup" in clip.prompt and "pushes in" in clip.prompt


def test_image_to_video_from_the_product_photo(tiny_ltx, product_photo, tmp_path):
    clip = render_broll(_request(image=str(product_photo), subject_box=PRODUCT_BOX, camera="orbit", width=128,
                                 height=128, duration_s=0.5), tmp_path, engine="dit", settings=_settings(tiny_ltx))
    assert count_frames(tmp_path / clip.video) == 6
    assert (media_info(tmp_path / clip.video).width, media_info(tmp_path / clip.video).height) == (128, 128)


def test_same_seed_same_video_other_seed_other_video(tiny_ltx, tmp_path):
    settings = _settings(tiny_ltx)
    short = dict(duration_s=0.5, width=64, height=64)
    a = render_broll(_request(**short), tmp_path / "a", engine="dit", settings=settings)
    b = render_broll(_request(**short), tmp_path / "b", engine="dit", settings=settings)
    c = render_broll(_request(seed=12, **short), tmp_path / "c", engine="dit", settings=settings)
    fa, fb, fc = (read_frames(tmp_path / d / clip.video) for d, clip in (("a", a), ("b", b), ("c", c)))
    assert all(np.array_equal(x, y) for x, y in zip(fa, fb))
    assert any(not np.array_equal(x, y) for x, y in zip(fa, fc))


def test_one_pipeline_per_process_is_reused(tiny_ltx):
    config = DitConfig(**_settings(tiny_ltx))
    first = load_pipelines(tiny_ltx, config)
    again = load_pipelines(tiny_ltx, DitConfig(**_settings(tiny_ltx, steps=5)))
    assert first is again
    # LTX-Video serves image-to-video from the same modules, without loading twice
    assert first["i2v"].transformer is first["t2v"].transformer


def test_generation_plan_rounds_to_what_the_model_accepts(tiny_ltx):
    config = DitConfig(**_settings(tiny_ltx, long_side=200))
    pipe = load_pipelines(tiny_ltx, config)["t2v"]
    temporal = pipe.vae_temporal_compression_ratio
    for duration, width, height in ((1.0, 1080, 1920), (2.3, 1920, 1080), (0.4, 1080, 1350)):
        plan = generation_plan(pipe, "ltx", _request(duration_s=duration, width=width, height=height), config)
        assert plan["width"] % 32 == 0 and plan["height"] % 32 == 0
        assert (plan["num_frames"] - 1) % temporal == 0
        assert plan["num_frames"] / plan["fps"] >= duration
        assert (plan["width"] > plan["height"]) == (width > height)


def test_the_stage_caches_the_clip_in_the_artifact_store(tiny_ltx, artifact_store):
    node, deps = broll_node(artifact_store, "dit", _settings(tiny_ltx))
    first = run_node(artifact_store, node, deps)
    second = run_node(artifact_store, node, deps)
    assert not first.cached and second.cached and second.key == first.key
    assert second.meta["seed"] == 4 and second.meta["duration_s"] == pytest.approx(0.8, abs=0.04)
    assert count_frames(second.dir / second.meta["video"]) == 24


@pytest.mark.parametrize("family", ["wan", "cogvideox"])
def test_other_families_load_and_generate(family, tmp_path):
    model_dir = make_tiny_model_dir(tmp_path / family, family)
    # only the directory: its adgen.json names the family and asks for 2 steps at a toy size
    clip = render_broll(_request(duration_s=0.5), tmp_path / "out", engine="dit",
                        settings={"model_dir": str(model_dir)})
    assert count_frames(tmp_path / "out" / clip.video) == 6 and clip.engine == f"dit:{family}"


def test_missing_model_dir_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("ADGEN_DIT_MODEL_DIR", raising=False)
    with pytest.raises(BrollError) as err:
        render_broll(_request(), tmp_path, engine="dit", settings={})
    assert err.value.code == "broll_model_missing"
    with pytest.raises(BrollError) as err:
        render_broll(_request(), tmp_path, engine="dit", settings={"model_dir": str(tmp_path)})
    assert err.value.code == "broll_model_missing"


def test_prompt_is_built_from_scene_product_and_camera():
    prompt = build_prompt(_request(camera="pan_left"))
    assert prompt.startswith("Espresso on a walnut table") and "Arc Espresso Cup" in prompt
    assert "pans slowly to the left" in prompt


def test_several_clips_at_once_share_one_loaded_model(tiny_ltx, tmp_path):
    """A worker's threads render scenes in parallel: each call must see its own scheduler state."""
    import threading

    settings = _settings(tiny_ltx)
    requests = [_request(duration_s=0.5, width=64, height=64, seed=s) for s in (1, 2, 3, 1)]
    clips, errors = {}, []

    def run(i):
        try:
            clips[i] = render_broll(requests[i], tmp_path / str(i), engine="dit", settings=settings)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    frames = [read_frames(tmp_path / str(i) / clips[i].video) for i in range(len(requests))]
    assert all(count_frames(tmp_path / str(i) / clips[i].video) == 6 for i in range(len(requests)))
    # the same seed gives the same video whatever ran beside it
    assert all(np.array_equal(x, y) for x, y in zip(frames[0], frames[3]))


def test_the_family_comes_from_model_index_when_not_given(tmp_path):
    import json

    model_dir = make_tiny_model_dir(tmp_path / "wan", "wan")
    (model_dir / "adgen.json").write_text(json.dumps({"steps": 2, "long_side": 64, "fps": 12}))  # no family
    clip = render_broll(_request(duration_s=0.5), tmp_path / "out", engine="dit", settings={"model_dir": str(model_dir)})
    assert clip.engine == "dit:wan"


def test_damaged_weights_are_a_clear_error(tmp_path):
    model_dir = make_tiny_model_dir(tmp_path / "ltx", "ltx")
    weights = next((model_dir / "transformer").glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(BrollError) as err:
        render_broll(_request(), tmp_path / "out", engine="dit", settings={"model_dir": str(model_dir)})
    assert err.value.code == "broll_model_load_failed"
