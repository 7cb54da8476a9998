"""The job plan: the spec builder, `plan` for every spec shape, what billing prices, stable keys."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.errors import EngineNotFound, InvalidJob
from pipelines.jobs import (DEFAULT_DURATION_S, JobSpec, Node, job_spec_build, plan, plan_billing)
from pipelines.product import ASPECTS, AdScript, Product, Scene
from pipelines.stages import NodeResult
from pipelines.voice.rates import MEASURED

URL = "https://shop.example/products/mug"


def _script(visuals: list[str]) -> dict:
    return AdScript(variant_id="v", framework="pas", hook="One.", cta="Buy", scenes=[
        Scene(voiceover=f"Line {i}.", visual=visual) for i, visual in enumerate(visuals)]).model_dump(mode="json")


def _done_script(*scripts: dict) -> dict[str, NodeResult]:
    return {"scrape": NodeResult("scrape", "scrape", "k0", {"product": {}}, Path(".")),
            "script": NodeResult("script", "script", "k1", {"scripts": list(scripts)}, Path("."))}


# --------------------------------------------------------------------------- the spec builder


def test_defaults_are_written_once():
    spec = job_spec_build({"url": URL})
    assert spec.duration_s == DEFAULT_DURATION_S and spec.aspects == list(ASPECTS)
    assert spec.platforms == [None] and spec.language is None  # the page's own language
    assert spec.engines == {}  # every stage on its registry default


def test_duplicate_aspects_and_platforms_are_normalised_away():
    spec = job_spec_build({"url": URL, "aspects": ["9:16"] * 50 + ["1:1", " 9:16"],
                           "platforms": "tiktok,TikTok,reels"})
    assert spec.aspects == ["9:16", "1:1"] and spec.platforms == ["tiktok", "reels"]


@pytest.mark.parametrize("options, code", [
    ({"aspects": ["3:2"]}, "unknown_aspect"),
    ({"platforms": ["myspace"]}, "unknown_platform"),
    ({"frameworks": ["haiku"]}, "unknown_framework"),
    ({"variants": 0}, "invalid_job"),
    ({"duration": 500}, "invalid_job"),
    ({"engines": "dit"}, "invalid_job"),
    ({"surprise": 1}, "invalid_job"),
])
def test_impossible_specs_are_refused_with_a_code(options, code):
    with pytest.raises(InvalidJob) as info:
        job_spec_build({"url": URL, **options})
    assert info.value.code == code and info.value.message


def test_a_job_needs_a_product():
    with pytest.raises(InvalidJob):
        job_spec_build({"variants": 2})
    assert job_spec_build({"variants": 2}, require_source=False).variants == 2  # a quote


def test_unknown_engines_list_the_valid_ones():
    with pytest.raises(EngineNotFound) as info:
        job_spec_build({"url": URL, "engines": {"render": "nope"}})
    assert "ffmpeg" in info.value.message
    with pytest.raises(EngineNotFound) as info:
        job_spec_build({"url": URL, "engines": {"colour": "red"}})
    assert info.value.code == "unknown_stage"


def test_a_portrait_switches_the_presenter_to_photo_and_a_look_does_not():
    spec = job_spec_build({"url": URL, "brand": {"presenter": "/media/brand/kit/me.jpg"}})
    assert spec.engine("avatar") == "photo" and spec.brand.presenter.endswith("me.jpg")
    assert job_spec_build({"url": URL, "presenter": "omar"}).engine("avatar") == "puppet"
    # the kit's portrait does not overrule a presenter engine the user chose
    chosen = job_spec_build({"url": URL, "presenter": "/p/me.png", "engines": {"avatar": "puppet"}})
    assert chosen.engine("avatar") == "puppet" and chosen.presenter(0) == ("puppet", "/p/me.png")
    with pytest.raises(InvalidJob) as info:
        job_spec_build({"url": URL, "engines": {"avatar": "photo"}})
    assert info.value.code == "portrait_required"


def test_an_llm_writes_first_when_the_operator_configured_one(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert job_spec_build({"url": URL}).engine("script") == "openai"
    assert job_spec_build({"url": URL, "engines": {"script": "template"}}).engine("script") == "template"
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert job_spec_build({"url": URL}).engine("script") == "template"


def test_scripts_are_fitted_to_the_voice_that_reads_them():
    spec = job_spec_build({"url": URL, "voice": "en-us-m1", "brand": {"voice_rate": 1.2},
                           "engines": {"voice": "espeak"}})
    params = plan(spec, {})[-1].params
    assert (params.voice_engine, params.voice, params.voice_rate) == ("espeak", "en-us-m1", 1.2)
    # the pace the script stage fits to (and the dashboard's length estimate reads): the voice's, at the rate
    assert params.words_per_second("en") == pytest.approx(MEASURED["en-us-m1"] * 1.2)


def test_model_dir_and_device_go_to_the_engines_that_read_them():
    spec = job_spec_build({"url": URL, "engines": {"avatar": "lipsync", "voice": "piper"},
                           "model_dir": "/models/x", "device": "cuda"})
    assert spec.settings("avatar") == {"model_dir": "/models/x", "device": "cuda"}
    assert spec.settings("voice") == {"voices_dir": "/models/x"}  # piper's own field name
    assert spec.settings("broll") == {} and spec.settings("render") == {}


def test_edited_scripts_set_the_variants_and_open_with_their_hook():
    script = _script(["avatar", "product_image:0"])
    script["hook"] = "A line the video never says"
    spec = job_spec_build({"url": URL, "variants": 5, "scripts": [script]})
    assert spec.variants == 1 and spec.scripts[0].hook == "Line 0."


@pytest.mark.parametrize("scenes, code", [
    ([{"voiceover": "x" * 5000}], "script_too_long"),
    ([{"voiceover": "Hi."}] * 40, "script_too_long"),
    ([{"voiceover": "nul\x00"}], "invalid_job"),
    ([{"voiceover": "  "}], "empty_script"),
])
def test_scripts_that_cannot_be_voiced_are_refused_before_anything_is_held(scenes, code):
    script = {"variant_id": "v", "framework": "pas", "hook": "h", "cta": "c", "scenes": scenes}
    with pytest.raises(InvalidJob) as info:
        job_spec_build({"url": URL, "scripts": [script]})
    assert info.value.code == code


# --------------------------------------------------------------------------- plan


def test_before_the_script_only_scrape_and_script_are_known():
    nodes = plan(job_spec_build({"url": URL}), {})
    assert [(n.id, n.deps, n.queue) for n in nodes] == [("scrape", (), "io"), ("script", ("scrape",), "cpu")]
    given = job_spec_build({"product": Product(url=URL, title="Mug")})
    assert [n.id for n in plan(given, {})] == ["script"]


def test_the_whole_plan_for_one_variant_with_platforms():
    spec = job_spec_build({"url": URL, "aspects": ["9:16", "1:1"], "platforms": ["tiktok", "reels"]})
    nodes = {n.id: n for n in plan(spec, _done_script(_script(["avatar", "product_image:0", "broll:steam"])))}
    renders = sorted(i for i in nodes if i.startswith("render:"))
    assert renders == ["render:0:1x1:reels", "render:0:1x1:tiktok", "render:0:9x16:reels", "render:0:9x16:tiktok"]
    assert {i for i in nodes if i.startswith("broll:")} == {"broll:0:1", "broll:0:2"}  # not the presenter scene
    assert nodes["avatar:0"].deps == ("voice:0",)
    assert set(nodes["render:0:9x16:tiktok"].deps) == {"script", "voice:0", "avatar:0", "scrape", "broll:0:1",
                                                      "broll:0:2"}
    assert set(renders) <= set(nodes["export"].deps)
    assert nodes["render:0:9x16:tiktok"].params.platform == "tiktok"


def test_a_variant_without_presenter_scenes_has_no_avatar_node():
    spec = job_spec_build({"url": URL, "aspects": ["1:1"]})
    ids = [n.id for n in plan(spec, _done_script(_script(["avatar"]), _script(["product_image:0"])))]
    assert "avatar:0" in ids and "avatar:1" not in ids


def test_queues_come_from_the_registry():
    spec = job_spec_build({"url": URL, "aspects": ["1:1"], "engines": {"avatar": "lipsync", "broll": "dit"}})
    nodes = {n.id: n for n in plan(spec, _done_script(_script(["avatar", "broll:x"])))}
    assert nodes["avatar:0"].queue == "gpu" and nodes["broll:0:1"].queue == "gpu"
    assert nodes["voice:0"].queue == "cpu" and nodes["export"].queue == "io"


def test_without_export():
    spec = job_spec_build({"url": URL, "aspects": ["1:1"]})
    assert "export" not in [n.id for n in plan(spec, _done_script(_script(["avatar"])), with_export=False)]


def test_node_params_round_trip_through_json():
    spec = job_spec_build({"url": URL, "aspects": ["1:1"], "platforms": ["feed"]})
    for node in plan(spec, _done_script(_script(["avatar", "broll:x"]))):
        again = Node.from_json(node.id, node.stage, json.loads(json.dumps(node.params_json())), list(node.deps),
                               node.queue)
        assert again == node


# --------------------------------------------------------------------------- billing


@pytest.mark.parametrize("options", [
    {"variants": 3, "aspects": ["9:16", "1:1"]},
    {"variants": 1, "aspects": ["9:16"], "platforms": ["tiktok", "reels", "shorts", "feed", "youtube"]},
    {"variants": 2, "aspects": ["9:16", "9:16", "4:5"], "platforms": ["tiktok", "tiktok"]},
    {"variants": 2, "engines": {"avatar": "lipsync", "broll": "dit"}, "preview": True},
])
def test_billing_prices_exactly_the_render_nodes_the_plan_makes(options):
    spec = job_spec_build({"url": URL, **options})
    scripts = [_script(["avatar", "product_image:0"]) for _ in range(spec.variants)]
    renders = [n for n in plan(spec, _done_script(*scripts)) if n.stage == "render"]
    work = {w.stage: w for w in plan_billing(spec)}
    assert work["render"].nodes == len(renders) and work["render"].price == "offline_render"
    assert work["render"].seconds_each == spec.duration_s
    neural = {w.price for w in work.values()} - {"offline_render"}
    assert neural == ({"neural_presenter", "dit_broll"} if "engines" in options else set())


# --------------------------------------------------------------------------- keys


_KEYS = """
import json, sys
from pathlib import Path
from pipelines.jobs import job_spec_build, plan
from pipelines.runner import node_key
from pipelines.stages import NodeResult
scripts = json.loads(sys.argv[1])
done = {"scrape": NodeResult("scrape", "scrape", "k0", {}, Path(".")),
        "script": NodeResult("script", "script", "k1", {"scripts": scripts}, Path("."))}
spec = job_spec_build({"url": "%s", "aspects": ["9:16", "1:1"], "platforms": ["tiktok"]})
nodes = plan(spec, done)
results = {n: NodeResult(n, n.split(":")[0], "key-" + n, {}, Path(".")) for n in [x.id for x in nodes]}
results.update(done)
print(json.dumps({n.id: node_key(n, {d: results[d] for d in n.deps}) for n in nodes}))
""" % URL


def test_node_keys_are_stable_across_processes():
    scripts = json.dumps([_script(["avatar", "broll:steam"])])
    runs = [subprocess.run([sys.executable, "-c", _KEYS, scripts], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout
            for seed in (1, 2)]
    first, second = json.loads(runs[0]), json.loads(runs[1])
    assert first == second and len(set(first.values())) == len(first)


def test_a_spec_survives_its_json():
    spec = job_spec_build({"url": URL, "platforms": ["tiktok"], "brand": {"name": "Kettle & Crane"}})
    assert JobSpec.model_validate(json.loads(spec.model_dump_json())) == spec


def test_presenters_per_variant_pick_their_engine_each():
    spec = job_spec_build({"url": URL, "aspects": ["1:1"], "presenters": ["", "/p/astronaut.jpg", "omar"],
                           "variants": 3})
    nodes = {n.id: n for n in plan(spec, _done_script(*[_script(["avatar"])] * 3))}
    assert nodes["avatar:0"].params.engine == "puppet" and "presenter" not in nodes["avatar:0"].params.settings
    assert nodes["avatar:1"].params.engine == "photo"
    assert nodes["avatar:1"].params.settings["presenter"] == "/p/astronaut.jpg"
    assert nodes["avatar:2"].params.engine == "puppet" and nodes["avatar:2"].params.settings["presenter"] == "omar"
    lipsync = job_spec_build({"url": URL, "variants": 2, "presenters": ["", "/p/a.jpg"],
                              "engines": {"avatar": "lipsync"}})
    assert [w.nodes for w in plan_billing(lipsync) if w.stage == "avatar"] == [2]
