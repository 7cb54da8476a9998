"""Script writers: product facts -> N ad scripts (AdScript), grounded, on-brand, timed.

    from pipelines.script import ScriptOptions, write_scripts
    scripts = write_scripts(product, ScriptOptions(variants=3, duration_s=20, language="en"))

Engines (declared in pipelines.engines):
- template:     offline copywriter over ad frameworks (default; no network, no weights)
- openai:       any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp)
- transformers: a local causal-LM directory (Qwen/Llama instruct class models)

Whatever the engine, every script passes pipelines.script.guards before it is returned.
"""

from __future__ import annotations


from pydantic import BaseModel, Field, field_validator

from pipelines.errors import ScriptError
from pipelines.product import AdScript, Product
from pipelines.engines import EngineRegistry
from pipelines.engines import preferred_engine as engines_preferred

script_engines: EngineRegistry = EngineRegistry("script")


class ScriptOptions(BaseModel):
    variants: int = Field(2, ge=1, le=24)
    duration_s: float = Field(20.0, ge=5, le=120)
    language: str = "en"  # "en", "zh", "es" (template); any language an LLM engine speaks
    tone: str = "friendly"  # friendly | energetic | premium | playful | professional
    frameworks: list[str] | None = None  # pas | aida | ugc | listicle | offer | demo; None: best for the product
    seed: int = 0
    brand_safety: list[str] = Field(default_factory=list)  # the workspace's own banned words
    brand_safety_defaults: bool = True  # also apply pipelines.script.guards.DEFAULT_BLOCKLIST
    # the reading pace of the voice that will speak the script (pipelines.voice.words_per_second:
    # pipelines.script.locale.speech_units per second, about words/s, characters/s for zh/ja);
    # None: the language's default pace
    words_per_second: float | None = Field(None, gt=0.5, lt=12)

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        return (v or "en").strip().replace("_", "-") or "en"

    @field_validator("tone")
    @classmethod
    def _tone(cls, v: str) -> str:
        return (v or "friendly").strip().lower()


def preferred_engine() -> str:
    """The script engine a job uses when it names none (pipelines.engines.preferred_engine)."""
    return engines_preferred("script")


def language_warnings(product: Product, language: str, engine: str) -> list[str]:
    """What a marketer should know when the ad's language is not the language of the product's facts."""
    from pipelines.script.locale import base_language

    page, ad = base_language(product.language or "en"), base_language(language)
    if page == ad:
        return []
    if engine == "template":
        return [f"The product page is in {page} and the ad is in {ad}: the offline template writer does not "
                f"translate, so the page's {page} features, description and reviews are left out and names "
                f"are said as the page writes them. Configure an LLM engine (OPENAI_BASE_URL) to translate them."]
    return [f"The product page is in {page} and the ad is in {ad}: the {engine} engine translated the "
            f"page's facts; check names and claims before posting."]


def write_scripts(product: Product, options: ScriptOptions, engine: str = "template",
                  settings: dict | None = None) -> list[AdScript]:
    """Write options.variants scripts with the named engine; every one passes the guards.

    Each script's `warnings` says what a marketer should check (the ad's language differs from
    the page's; the template writer fell back to English for a page language it has no copy for).
    """
    from pipelines.script.guards import check_variants, repair_script
    from pipelines.script.locale import base_language

    fallback_note: list[str] = []
    if engine == "template":
        from pipelines.script.template import SUPPORTED_LANGUAGES

        asked = base_language(options.language)
        if asked not in SUPPORTED_LANGUAGES and asked == base_language(product.language or "en"):
            # the page's own language, which the offline writer has no copy for: an English ad that says
            # so beats no ad (an explicit request for another language still fails with the reason)
            fallback_note = [f"The product page is in {asked}; the offline template writer has no {asked} copy, so "
                             f"this ad is in English. Configure an LLM engine (OPENAI_BASE_URL) for a {asked} ad."]
            options = options.model_copy(update={"language": "en"})
    writer = script_engines.get(engine, settings)
    scripts = writer(product, options)
    scripts = [s if not _problems(s, product, options) else repair_script(s, product, options) for s in scripts]
    problems = check_variants(scripts, product, options)
    if problems:
        raise ScriptError(f"The {engine} script writer produced scripts that fail the checks: "
                          + "; ".join(problems[:6]), code="script_rejected", stage="script")
    notes = fallback_note or language_warnings(product, options.language, engine)
    return [s.model_copy(update={"warnings": list(dict.fromkeys([*s.warnings, *notes]))}) for s in scripts]


def _problems(script: AdScript, product: Product, options: ScriptOptions) -> list[str]:
    from pipelines.script.guards import check_script

    return check_script(script, product, options)


def cli_script(product: Product, variants: int = 2, duration_s: float = 20.0, language: str | None = None,
               tone: str = "friendly", seed: int = 0, engine: str = "template",
               settings: dict | None = None, frameworks: list[str] | None = None) -> list[AdScript]:
    """What `adgen script` calls: the same path as the pipeline's script stage."""
    options = ScriptOptions(variants=variants, duration_s=duration_s, language=language or product.language or "en",
                            tone=tone,
                            seed=seed, frameworks=frameworks)
    return write_scripts(product, options, engine=engine, settings=settings)


__all__ = ["ScriptOptions", "write_scripts", "cli_script", "script_engines", "preferred_engine", "language_warnings"]
