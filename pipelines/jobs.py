"""The one description of a job: its options, its spec, its plan and what it costs.

- `job_spec_build(options)` turns what a user asked for (CLI flags, an API body, a dashboard
  form, a campaign's matrix) into a `JobSpec`: duplicates removed, engines checked against the
  registry, the brand kit's portrait switching the presenter to `photo`, model folders routed to
  the engines that read them. An impossible spec raises `InvalidJob` before anything is held.
- `plan(spec, done)` lists every node of the job that can be known from what has finished (the
  graph grows once the script decides how many variants and scenes exist). Each node carries
  typed parameters (`ScriptParams`, `RenderParams`, ...), the same object the stage reads.
- `plan_billing(spec)` is what billing prices: the render nodes `plan` will make (every variant
  x aspect x platform) times their seconds, plus the neural nodes, by the engines' price class.

Both executors (pipelines.runner in process, adgen.ads.executor on dramatiq) walk `plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.engines import DEFAULT_ENGINES, STAGES, engine_spec, preferred_engine
from pipelines.errors import EngineNotFound, InvalidJob
from pipelines.product import ASPECTS, AdScript, BrandKit, Model, Product
from pipelines.render.platforms import PLATFORMS as PLATFORM_PRESETS

if TYPE_CHECKING:  # the stages module imports this one; results only flow in as data
    from pipelines.stages import NodeResult

DEFAULT_DURATION_S = 20.0
MIN_DURATION_S, MAX_DURATION_S = 6.0, 90.0
MAX_VARIANTS = 12
PLATFORMS: tuple[str, ...] = tuple(name for name in PLATFORM_PRESETS if name)
FRAMEWORKS: tuple[str, ...] = ("pas", "ugc", "listicle", "aida", "offer", "demo")  # pipelines.script.template
MAX_SCRIPT_SCENES = 12
MAX_SCENE_CHARS = 600
END_CARD_S = 2.5  # the end card the renderer appends to every video


# --------------------------------------------------------------------------- spec


class JobSpec(Model):
    """Everything that decides what a job produces. JSON-able: it crosses queues."""

    url: str | None = None
    product: Product | None = None  # a reviewed/edited product skips the scrape's facts
    scripts: list[AdScript] | None = None  # edited scripts skip the script writer
    variants: int = Field(2, ge=1, le=MAX_VARIANTS)
    aspects: list[str] = Field(default_factory=lambda: list(ASPECTS))
    duration_s: float = Field(DEFAULT_DURATION_S, ge=MIN_DURATION_S, le=MAX_DURATION_S)
    language: str | None = None  # None: the product page's own language
    tone: str = "friendly"
    frameworks: list[str] | None = None
    seed: int = 0
    engines: dict[str, str] = Field(default_factory=dict)
    engine_settings: dict[str, dict] = Field(default_factory=dict)
    platforms: list[str | None] = Field(default_factory=lambda: [None])
    preview: bool = False
    brand: BrandKit = Field(default_factory=BrandKit)
    # one presenter per variant, in turn (a look name or a portrait path; "" = the brand kit's)
    presenters: list[str] | None = None
    allow_private_hosts: bool = False

    def engine(self, stage: str) -> str:
        return self.engines.get(stage) or DEFAULT_ENGINES[stage]

    def voice_settings(self) -> dict:
        """The voice stage's settings: the brand kit's voice direction, then the job's own."""
        return {**self.brand.voice_settings(), **self.settings("voice")}

    def presenter(self, variant: int) -> tuple[str, str | None]:
        """The avatar engine and presenter of one variant: a portrait is animated by `photo`
        unless the job chose its presenter engine."""
        presenter = self.brand.presenter
        if self.presenters:
            presenter = self.presenters[variant % len(self.presenters)] or self.brand.presenter
        if "avatar" in self.engines:
            return self.engines["avatar"], presenter
        return ("photo" if presenter and _is_image_path(presenter) else DEFAULT_ENGINES["avatar"]), presenter

    def settings(self, stage: str) -> dict:
        return dict(self.engine_settings.get(stage) or {})

    def render_targets(self) -> list[tuple[str, str | None]]:
        """Every (aspect, platform) a variant is rendered for."""
        return [(a, p) for a in self.aspects for p in self.platforms]


class JobOptions(BaseModel):
    """What a user can ask for, in the words every entry point uses (CLI flags, API fields,
    dashboard forms, campaign settings). `job_spec_build` is the only reader."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    product: Product | None = None
    scripts: list[AdScript] | None = None
    variants: int = 2
    aspects: list[str] | None = None
    duration: float = DEFAULT_DURATION_S
    language: str | None = None
    tone: str | None = None
    frameworks: list[str] | None = None
    seed: int = 0
    engines: dict[str, str] | None = None
    engine_settings: dict[str, dict] | None = None
    platforms: list[str] | None = None
    preview: bool = False
    brand: BrandKit | None = None
    voice: str | None = None
    presenter: str | None = None  # a look name or a portrait path
    presenters: list[str] | None = None  # one per variant, in turn ("" = the brand kit's)
    model_dir: str | None = None  # local weights for whichever chosen engine reads a model folder
    device: str | None = None  # torch device for the chosen GPU engines
    allow_private_hosts: bool = False

    @field_validator("aspects", "platforms", "frameworks", mode="before")
    @classmethod
    def _split(cls, value):
        if isinstance(value, str):
            value = value.split(",")
        return value


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def job_spec_build(options: JobOptions | dict, *, require_source: bool = True) -> JobSpec:
    """The one way to make a JobSpec. Raises InvalidJob (or EngineNotFound) with a user-facing message.

    `require_source=False` describes a job before its product is chosen (a price quote)."""
    try:
        opts = options if isinstance(options, JobOptions) else JobOptions.model_validate(options)
    except ValidationError as exc:
        raise InvalidJob(_validation_message(exc)) from None
    if require_source and not opts.url and opts.product is None:
        raise InvalidJob("A job needs a product URL or a product.")

    aspects = _unique(a.strip() for a in (opts.aspects or ASPECTS) if a and a.strip())
    bad = [a for a in aspects if a not in ASPECTS]
    if bad or not aspects:
        raise InvalidJob(f"Unknown aspect ratio {', '.join(bad) or '(none)'}; choose from {', '.join(ASPECTS)}.",
                         code="unknown_aspect")
    platforms = _unique(p.strip().lower() for p in (opts.platforms or []) if p and p.strip())
    bad = [p for p in platforms if p not in PLATFORMS]
    if bad:
        raise InvalidJob(f"Unknown platform {', '.join(bad)}; choose from {', '.join(PLATFORMS)}.",
                         code="unknown_platform")
    frameworks = _unique(f.strip().lower() for f in (opts.frameworks or []) if f and f.strip()) or None
    bad = [f for f in frameworks or [] if f not in FRAMEWORKS]
    if bad:
        raise InvalidJob(f"Unknown ad framework {', '.join(bad)}; choose from {', '.join(FRAMEWORKS)}.",
                         code="unknown_framework")
    if not 1 <= opts.variants <= MAX_VARIANTS:
        raise InvalidJob(f"variants must be between 1 and {MAX_VARIANTS}.")
    if not MIN_DURATION_S <= opts.duration <= MAX_DURATION_S:
        raise InvalidJob(f"duration must be between {MIN_DURATION_S:g} and {MAX_DURATION_S:g} seconds.")

    engines = {stage.strip(): name.strip() for stage, name in (opts.engines or {}).items() if name}
    engine_settings = {stage: dict(values) for stage, values in (opts.engine_settings or {}).items()}
    for stage in list(engines) + list(engine_settings):
        if stage not in STAGES:
            raise EngineNotFound(f"No stage named {stage!r}; stages are {', '.join(STAGES)}.", code="unknown_stage")
    brand = (opts.brand or BrandKit()).model_copy(deep=True)
    if opts.voice:
        brand.voice = opts.voice
    if opts.presenter:
        brand.presenter = opts.presenter
    # a portrait (a kit's uploaded photo or --presenter) is what the photo presenter animates; a
    # look name keeps the stage's default. Per-variant presenters are resolved per variant (plan).
    if "avatar" not in engines and not opts.presenters and brand.presenter and _is_image_path(brand.presenter):
        engines["avatar"] = "photo"
    for stage in STAGES:  # an LLM writes first when the operator configured one
        if stage not in engines and preferred_engine(stage) != DEFAULT_ENGINES[stage]:
            engines[stage] = preferred_engine(stage)
    for stage in STAGES:
        spec = engine_spec(stage, engines.get(stage))  # EngineNotFound lists the valid names
        if stage in engines:
            engines[stage] = spec.name
        portraits = [p for p in [brand.presenter, *(opts.presenters or [])] if p and _is_image_path(p)]
        if "portrait" in spec.needs and not portraits:
            raise InvalidJob(f"The {spec.name} presenter needs a portrait photo (a brand kit's presenter image).",
                             code="portrait_required")
        if opts.model_dir and spec.model_dir_env:
            engine_settings.setdefault(stage, {})[spec.model_dir_field] = opts.model_dir
        if opts.device and spec.queue == "gpu":
            engine_settings.setdefault(stage, {})["device"] = opts.device

    scripts = opts.scripts
    if scripts is not None:
        _check_scripts(scripts)
        # the hook is what the video opens with: the first spoken line, whatever a form sent beside it
        scripts = [s.model_copy(update={"hook": next(sc.voiceover for sc in s.scenes if sc.voiceover.strip())})
                   for s in scripts]
    fields: dict[str, Any] = {
        "url": opts.url or (opts.product.url if opts.product else None),
        "product": opts.product, "scripts": scripts,
        "variants": len(scripts) if scripts else opts.variants,
        "aspects": aspects, "duration_s": opts.duration, "language": opts.language or None,
        "frameworks": frameworks, "seed": opts.seed, "engines": engines,
        "engine_settings": engine_settings, "platforms": platforms or [None], "preview": opts.preview,
        "brand": brand, "presenters": opts.presenters or None, "allow_private_hosts": opts.allow_private_hosts,
    }
    if opts.tone:
        fields["tone"] = opts.tone
    try:
        return JobSpec.model_validate(fields)
    except ValidationError as exc:
        raise InvalidJob(_validation_message(exc)) from None


def _is_image_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))


def _check_scripts(scripts: list[AdScript]) -> None:
    if not scripts or len(scripts) > MAX_VARIANTS:
        raise InvalidJob(f"Between 1 and {MAX_VARIANTS} scripts, please.")
    for script in scripts:
        if not any(scene.voiceover.strip() for scene in script.scenes):
            raise InvalidJob("Every script needs some voice-over.", code="empty_script")
        if not script.scenes or len(script.scenes) > MAX_SCRIPT_SCENES:
            raise InvalidJob(f"A script has between 1 and {MAX_SCRIPT_SCENES} scenes.", code="script_too_long")
        for scene in script.scenes:
            text = f"{scene.voiceover}{scene.on_screen_text}"
            if "\x00" in text:
                raise InvalidJob("Scripts cannot contain NUL characters.")
            if len(scene.voiceover) > MAX_SCENE_CHARS:
                raise InvalidJob(f"A scene's voice-over is at most {MAX_SCENE_CHARS} characters.",
                                 code="script_too_long")


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:4]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "options"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid job options: " + "; ".join(parts)


def aspect_slug(aspect: str) -> str:
    return aspect.replace(":", "x")


# --------------------------------------------------------------------------- typed stage params


class StageParams(BaseModel):
    """A node's parameters: part of its cache key, read by its stage function."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    engine: str
    settings: dict = Field(default_factory=dict)


class ScrapeParams(StageParams):
    url: str
    allow_private_hosts: bool = False


class ScriptParams(StageParams):
    # the voice that will read the scripts: they are fitted to its pace
    voice_engine: str
    voice: str | None = None
    voice_rate: float = 1.0
    product: dict | None = None
    scripts: list[dict] | None = None
    variants: int
    duration_s: float
    language: str | None = None
    tone: str
    frameworks: list[str] | None = None
    seed: int
    brand_safety: list[str] = Field(default_factory=list)

    def words_per_second(self, language: str) -> float:
        """The pace the scripts are fitted to: the voice's tokens per second (pipelines.voice.rates)
        at the job's speaking rate."""
        from pipelines.voice import words_per_second

        return words_per_second(self.voice_engine, self.voice, language) * self.voice_rate


class VoiceParams(StageParams):
    variant: int


class AvatarParams(StageParams):
    variant: int
    preview: bool = False


class BrollParams(StageParams):
    variant: int
    scene: int
    width: int
    height: int
    preview: bool = False
    seed: int = 0


class RenderParams(StageParams):
    variant: int
    aspect: str
    platform: str | None = None
    preview: bool = False
    brand: dict = Field(default_factory=dict)
    duration_s: float


class ExportParams(StageParams):
    url: str | None = None
    engines: dict[str, str]
    product: dict | None = None


PARAMS: dict[str, type[StageParams]] = {
    "scrape": ScrapeParams, "script": ScriptParams, "voice": VoiceParams, "avatar": AvatarParams,
    "broll": BrollParams, "render": RenderParams, "export": ExportParams,
}
Queue = Literal["io", "cpu", "gpu"]


@dataclass(frozen=True)
class Node:
    id: str  # "render:0:9x16:tiktok"
    stage: str  # "render"
    params: StageParams
    deps: tuple[str, ...] = ()
    queue: str = "cpu"

    def params_json(self) -> dict:
        return self.params.model_dump(mode="json")

    @classmethod
    def from_json(cls, node_id: str, stage: str, params: dict, deps, queue: str) -> "Node":
        return cls(node_id, stage, PARAMS[stage].model_validate(params), tuple(deps), queue)


def _queue(stage: str, engine: str) -> str:
    return engine_spec(stage, engine).queue


# --------------------------------------------------------------------------- plan


def plan(spec: JobSpec, done: dict[str, "NodeResult"], *, with_export: bool = True) -> list[Node]:
    """Every node of the job that can be known from what has finished so far."""
    nodes: list[Node] = []
    have_product = spec.product is not None
    if spec.url and not have_product:
        engine = spec.engine("scrape")
        nodes.append(Node("scrape", "scrape", ScrapeParams(
            engine=engine, settings=spec.settings("scrape"), url=spec.url,
            allow_private_hosts=spec.allow_private_hosts), queue=_queue("scrape", engine)))
    product_dep = () if have_product else ("scrape",)
    script_engine = spec.engine("script")
    voice_settings = spec.voice_settings()
    nodes.append(Node("script", "script", ScriptParams(
        engine=script_engine, settings=spec.settings("script"), voice_engine=spec.engine("voice"),
        voice=voice_settings.get("voice"), voice_rate=float(voice_settings.get("rate") or 1.0),
        product=spec.product.model_dump(mode="json") if have_product else None,
        scripts=[s.model_dump(mode="json") for s in spec.scripts] if spec.scripts else None,
        variants=spec.variants, duration_s=spec.duration_s, language=spec.language, tone=spec.tone,
        frameworks=spec.frameworks, seed=spec.seed, brand_safety=spec.brand.banned_words,
    ), product_dep, queue=_queue("script", script_engine)))
    if "script" not in done:
        return nodes

    scripts = [AdScript.model_validate(s) for s in done["script"].meta["scripts"]]
    voice_engine = spec.engine("voice")
    broll_engine, render_engine = spec.engine("broll"), spec.engine("render")
    voice_settings = spec.voice_settings()
    width, height = broll_master_size(spec.aspects)
    brand = spec.brand.model_dump(mode="json")
    render_ids: list[str] = []
    variant_ids: list[str] = []  # what the export names per variant: its voice and presenter
    for v, script in enumerate(scripts):
        voice_id, avatar_id = f"voice:{v}", f"avatar:{v}"
        nodes.append(Node(voice_id, "voice", VoiceParams(engine=voice_engine, settings=voice_settings, variant=v),
                          ("script",), queue=_queue("voice", voice_engine)))
        uses_presenter = any(s.visual == "avatar" for s in script.scenes)
        variant_ids += [voice_id, *((avatar_id,) if uses_presenter else ())]
        if uses_presenter:
            avatar_engine, presenter = spec.presenter(v)
            avatar_settings = {**({"presenter": presenter} if presenter else {}),
                               "brand_color": spec.brand.primary_color, **spec.settings("avatar")}
            nodes.append(Node(avatar_id, "avatar", AvatarParams(
                engine=avatar_engine, settings=avatar_settings, variant=v, preview=spec.preview,
            ), (voice_id,), queue=_queue("avatar", avatar_engine)))
        # one b-roll clip per scene, shared by every aspect: motion plans are drawn by the renderer
        # at each layout's size, and a generated (DiT) clip is made once at a size every aspect
        # can be framed from
        broll_ids = []
        for s, scene in enumerate(script.scenes):
            if scene.visual == "avatar":
                continue
            broll_id = f"broll:{v}:{s}"
            nodes.append(Node(broll_id, "broll", BrollParams(
                engine=broll_engine, settings=spec.settings("broll"), variant=v, scene=s, width=width,
                height=height, preview=spec.preview, seed=spec.seed,
            ), ("script", voice_id, *product_dep), queue=_queue("broll", broll_engine)))
            broll_ids.append(broll_id)
        for aspect, platform in spec.render_targets():
            render_id = f"render:{v}:{aspect_slug(aspect)}" + (f":{platform}" if platform else "")
            deps = ("script", voice_id, *((avatar_id,) if uses_presenter else ()), *product_dep, *broll_ids)
            nodes.append(Node(render_id, "render", RenderParams(
                engine=render_engine, settings=spec.settings("render"), variant=v, aspect=aspect,
                platform=platform, preview=spec.preview, brand=brand, duration_s=spec.duration_s,
            ), deps, queue=_queue("render", render_engine)))
            render_ids.append(render_id)
    if with_export:
        nodes.append(Node("export", "export", ExportParams(
            engine="batch", url=spec.url, engines={k: spec.engine(k) for k in STAGES},
            product=spec.product.model_dump(mode="json") if have_product else None,
        ), ("script", *product_dep, *variant_ids, *render_ids), queue="io"))
    ids = [n.id for n in nodes]
    assert len(ids) == len(set(ids)), "a plan never repeats a node"
    return nodes


def broll_master_size(aspects: list[str]) -> tuple[int, int]:
    """The size a scene's b-roll is made at: the aspect's own when the job has one, else a
    1080 square, from which every aspect's cover crop keeps the centre of the shot."""
    sizes = {ASPECTS[a] for a in aspects if a in ASPECTS}
    return sizes.pop() if len(sizes) == 1 else (1080, 1080)


# --------------------------------------------------------------------------- billing


@dataclass(frozen=True)
class BillableWork:
    """Seconds of output of one price class, e.g. ("render", "ffmpeg", "offline_render", 12 videos, 20 s)."""

    stage: str
    engine: str
    price: str  # the engine's price class in billing's price table
    nodes: int
    seconds_each: float
    preview: bool

    @property
    def seconds(self) -> float:
        return self.nodes * self.seconds_each


def plan_billing(spec: JobSpec) -> list[BillableWork]:
    """What the job will make, by price class: one render node per variant x aspect x platform
    (exactly the render nodes of `plan`), plus a neural presenter per variant and neural b-roll
    per variant when those engines are chosen. Seconds are the job's target duration."""
    seconds = spec.duration_s
    render = engine_spec("render", spec.engine("render"))
    work = [BillableWork("render", render.name, render.price, spec.variants * len(spec.render_targets()),
                         seconds, spec.preview)]
    for stage in ("script", "voice", "broll"):  # made once per variant, shared by its renders
        engine = engine_spec(stage, spec.engine(stage))
        if engine.price != "included":
            work.append(BillableWork(stage, engine.name, engine.price, spec.variants, seconds, spec.preview))
    presenters: dict[str, int] = {}
    for v in range(spec.variants):
        presenters[spec.presenter(v)[0]] = presenters.get(spec.presenter(v)[0], 0) + 1
    for name, count in presenters.items():
        engine = engine_spec("avatar", name)
        if engine.price != "included":
            work.append(BillableWork("avatar", name, engine.price, count, seconds, spec.preview))
    return work
