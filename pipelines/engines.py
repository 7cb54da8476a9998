"""The engine registry: every engine of every stage is declared once, here.

An engine is one module: a pydantic config class plus a class whose instance does the work
(`Engine(config)(...)`). Its declaration below says everything the rest of adgen needs to know
about it without importing it (so the planner, billing and the API never import torch):

- `queue`: which dramatiq queue runs its nodes (`io`, `cpu` or `gpu`);
- `price`: billing's price class for each second it makes (`included` = covered by the render price);
- `model_dir_env` / `model_dir_field`: where its local weights come from (the CLI's `--model-dir`
  and the settings key both read this);
- `needs`: what a job must provide or a machine must have (`portrait`, `model_dir`, `llm_api`);
- `default`: the stage's offline default.

Adding an engine: write its module, add one `EngineSpec` to `REGISTRY`. Instances are cached per
(stage, name, settings) so a worker process loads a neural model once and reuses it across jobs.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from pipelines.errors import EngineNotFound, PipelineError

E = TypeVar("E")

QUEUES = ("io", "cpu", "gpu")
STAGES = ("scrape", "script", "voice", "avatar", "broll", "render")


@dataclass(frozen=True)
class EngineSpec:
    stage: str
    name: str
    engine: str  # "module:Class", imported on first use
    config: str  # "module:ConfigClass"
    label: str
    queue: str = "cpu"
    price: str = "included"
    model_dir_env: str | None = None
    model_dir_field: str = "model_dir"
    needs: frozenset[str] = field(default_factory=frozenset)
    default: bool = False

    def __post_init__(self):
        assert self.queue in QUEUES, self.queue
        assert self.stage in STAGES, self.stage

    @property
    def key(self) -> tuple[str, str]:
        return self.stage, self.name

    def config_class(self) -> type[BaseModel]:
        return _import(self.config)

    def engine_class(self):
        return _import(self.engine)

    def model_dir(self, settings: dict | None = None) -> str | None:
        """The engine's weights folder: its settings first, then its environment variable."""
        value = (settings or {}).get(self.model_dir_field)
        if not value and self.model_dir_env:
            value = os.environ.get(self.model_dir_env)
        return value or None

    def describe(self) -> dict:
        return {"stage": self.stage, "name": self.name, "label": self.label, "queue": self.queue,
                "price": self.price, "needs": sorted(self.needs), "default": self.default,
                "model_dir_env": self.model_dir_env}


def _import(ref: str):
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


REGISTRY: tuple[EngineSpec, ...] = (
    EngineSpec("scrape", "auto", "pipelines.scrape:Scraper", "pipelines.scrape.config:ScrapeConfig",
               "Static fetch, headless Chromium when the page needs it", queue="io", default=True),
    EngineSpec("script", "template", "pipelines.script.template:TemplateEngine",
               "pipelines.script.template:TemplateConfig", "Offline writer built on ad frameworks", default=True),
    EngineSpec("script", "openai", "pipelines.script.openai_engine:OpenAIEngine",
               "pipelines.script.openai_engine:OpenAIConfig", "Any OpenAI-compatible chat API", queue="io",
               needs=frozenset({"llm_api"})),
    EngineSpec("script", "transformers", "pipelines.script.transformers_engine:TransformersEngine",
               "pipelines.script.transformers_engine:TransformersConfig", "A local transformers model",
               model_dir_env="ADGEN_SCRIPT_MODEL_DIR", needs=frozenset({"model_dir"})),
    EngineSpec("voice", "neural", "pipelines.voice.neural:NeuralEngine", "pipelines.voice.neural:NeuralConfig",
               "Natural voices (hibari, Piper joe), espeak-ng where a language has none", default=True),
    EngineSpec("voice", "hibari", "pipelines.voice.hibari:HibariEngine", "pipelines.voice.hibari:HibariConfig",
               "hibari (Kokoro-distilled, English)"),
    EngineSpec("voice", "espeak", "pipelines.voice.espeak:EspeakEngine", "pipelines.voice.espeak:EspeakConfig",
               "espeak-ng (basic voice, every language)"),
    EngineSpec("voice", "piper", "pipelines.voice.piper:PiperEngine", "pipelines.voice.piper:PiperVoiceConfig",
               "Piper neural voices", model_dir_env="ADGEN_PIPER_VOICES", model_dir_field="voices_dir"),
    EngineSpec("avatar", "puppet", "pipelines.avatar.puppet:PuppetEngine", "pipelines.avatar.puppet:PuppetConfig",
               "Illustrated presenter", default=True),
    EngineSpec("avatar", "photo", "pipelines.avatar.photo:PhotoEngine", "pipelines.avatar.photo:PhotoConfig",
               "A portrait photo that speaks", needs=frozenset({"portrait"})),
    EngineSpec("avatar", "lipsync", "pipelines.avatar.lipsync:LipsyncEngine",
               "pipelines.avatar.lipsync:LipsyncConfig", "Neural lip-sync (MuseTalk) on a GPU worker",
               queue="gpu", price="neural_presenter", model_dir_env="ADGEN_LIPSYNC_MODEL_DIR",
               needs=frozenset({"model_dir"})),
    EngineSpec("broll", "motion", "pipelines.broll.motion:MotionEngine", "pipelines.broll.motion:MotionConfig",
               "Camera moves over the product photos", default=True),
    EngineSpec("broll", "dit", "pipelines.broll.dit:DitEngine", "pipelines.broll.dit:DitConfig",
               "Generated video (diffusers DiT) on a GPU worker", queue="gpu", price="dit_broll",
               model_dir_env="ADGEN_DIT_MODEL_DIR", needs=frozenset({"model_dir"})),
    EngineSpec("render", "ffmpeg", "pipelines.render.compose:FfmpegRenderer", "pipelines.render.compose:RenderOptions",
               "One ffmpeg filtergraph per video", price="offline_render", default=True),
)

_BY_KEY: dict[tuple[str, str], EngineSpec] = {spec.key: spec for spec in REGISTRY}
DEFAULT_ENGINES: dict[str, str] = {spec.stage: spec.name for spec in REGISTRY if spec.default}
assert set(DEFAULT_ENGINES) == set(STAGES), "every stage needs exactly one default engine"


def preferred_engine(stage: str) -> str:
    """The engine a job gets when it names none: the stage's offline default, except that an LLM
    writes the scripts when the operator configured one (OPENAI_BASE_URL: OpenAI, vLLM, Ollama,
    llama.cpp server); the template writer stays the offline fallback."""
    if stage == "script" and os.environ.get("OPENAI_BASE_URL", "").strip():
        return "openai"
    return DEFAULT_ENGINES[stage]


def stage_engines(stage: str) -> list[EngineSpec]:
    return [spec for spec in REGISTRY if spec.stage == stage]


def engine_spec(stage: str, name: str | None = None) -> EngineSpec:
    """The declaration of `name` (the stage's default when None); EngineNotFound lists the valid ones."""
    if stage not in STAGES:
        raise EngineNotFound(f"No stage named {stage!r}; stages are {', '.join(STAGES)}", code="unknown_stage")
    name = name or DEFAULT_ENGINES[stage]
    try:
        return _BY_KEY[(stage, name)]
    except KeyError:
        valid = ", ".join(s.name for s in stage_engines(stage))
        # no stage on the error: nothing ran; the message names the stage
        raise EngineNotFound(f"No {stage} engine named {name!r}; choose one of: {valid}") from None


def engine_config(stage: str, name: str | None, settings: dict | None = None) -> BaseModel:
    spec = engine_spec(stage, name)
    try:
        return spec.config_class().model_validate(settings or {})
    except PipelineError:
        raise
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise EngineNotFound(f"Bad settings for the {stage} engine {spec.name!r}: {exc}",
                             code="bad_engine_settings") from None


_instances: dict[tuple[str, str, str], Any] = {}
_instances_lock = threading.Lock()


def engine_get(stage: str, name: str | None, settings: dict | None = None):
    """The engine instance for (stage, name, settings), built once per process."""
    spec = engine_spec(stage, name)
    config = engine_config(stage, spec.name, settings)
    cache_key = (stage, spec.name, json.dumps(config.model_dump(mode="json"), sort_keys=True))
    with _instances_lock:
        if cache_key not in _instances:
            _instances[cache_key] = spec.engine_class()(config)
        return _instances[cache_key]


class EngineRegistry(Generic[E]):
    """One stage's view of the registry (`voice_engines.get("espeak", settings)`)."""

    def __init__(self, stage: str):
        assert stage in STAGES, stage
        self.stage = stage

    def names(self) -> list[str]:
        return [spec.name for spec in stage_engines(self.stage)]

    def spec(self, name: str | None = None) -> EngineSpec:
        return engine_spec(self.stage, name)

    def config(self, name: str, settings: dict | None = None) -> BaseModel:
        return engine_config(self.stage, name, settings)

    def get(self, name: str, settings: dict | None = None) -> E:
        return engine_get(self.stage, name, settings)
