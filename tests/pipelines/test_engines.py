"""The engine registry: one declaration per engine, read by the planner, billing and the API."""

import subprocess
import sys

import pytest

from pipelines.engines import DEFAULT_ENGINES, QUEUES, REGISTRY, STAGES, engine_config, engine_get, engine_spec, stage_engines
from pipelines.errors import EngineNotFound


def test_every_stage_has_one_default_and_every_declaration_resolves():
    assert set(DEFAULT_ENGINES) == set(STAGES)
    for stage in STAGES:
        assert sum(spec.default for spec in stage_engines(stage)) == 1
    keys = [spec.key for spec in REGISTRY]
    assert len(keys) == len(set(keys))
    for spec in REGISTRY:
        assert spec.queue in QUEUES
        # the declared classes exist where the registry says (neural ones import torch lazily)
        assert spec.config_class().model_validate({}) is not None
        assert callable(spec.engine_class())


def test_gpu_engines_are_priced_and_read_a_model_folder():
    for spec in REGISTRY:
        if spec.queue == "gpu":
            assert spec.price != "included", spec.name
            assert spec.model_dir_env and "model_dir" in spec.needs, spec.name


def test_every_price_class_is_in_billings_price_table():
    from adgen.billing.conf import DEFAULT_PRICES

    for spec in REGISTRY:
        if spec.price != "included":
            assert spec.price in DEFAULT_PRICES, (spec.name, spec.price)


def test_unknown_engine_and_stage_name_the_valid_ones():
    with pytest.raises(EngineNotFound) as info:
        engine_spec("render", "nope")
    assert info.value.code == "unknown_engine" and "ffmpeg" in info.value.message
    with pytest.raises(EngineNotFound) as info:
        engine_spec("colour", "auto")
    assert info.value.code == "unknown_stage" and "render" in info.value.message


def test_bad_settings_are_a_clear_error():
    with pytest.raises(EngineNotFound) as info:
        engine_config("broll", "motion", {"intensity": "loud"})
    assert info.value.code == "bad_engine_settings" and "intensity" in info.value.message


def test_instances_are_built_once_per_settings():
    a = engine_get("broll", "motion", {})
    assert engine_get("broll", "motion", {}) is a
    assert engine_get("broll", "motion", {"intensity": 2.0}) is not a


def test_model_folder_comes_from_settings_then_environment(monkeypatch):
    spec = engine_spec("broll", "dit")
    monkeypatch.setenv(spec.model_dir_env, "/models/env")
    assert spec.model_dir({}) == "/models/env"
    assert spec.model_dir({"model_dir": "/models/job"}) == "/models/job"


def test_the_planner_does_not_import_torch():
    code = ("import sys, pipelines.jobs, pipelines.engines, pipelines.runner; "
            "from pipelines.jobs import job_spec_build, plan_billing; "
            "plan_billing(job_spec_build({'url': 'https://x.test/p', 'engines': {'avatar': 'lipsync', 'broll': 'dit'}})); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
