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

script_engines: EngineRegistry = EngineRegistry("script")


class ScriptOptions(BaseModel):
    variants: int = Field(2, ge=1, le=24)
    duration_s: float = Field(20.0, ge=5, le=120)
    language: str = "en"  # "en", "zh" (template); any language an LLM engine speaks
    tone: str = "friendly"  # friendly | energetic | premium | playful | professional
    frameworks: list[str] | None = None  # pas | aida | ugc | listicle | offer | demo; None: best for the product
    seed: int = 0
    brand_safety: list[str] = Field(default_factory=list)  # the workspace's own banned words
    brand_safety_defaults: bool = True  # also apply pipelines.script.guards.DEFAULT_BLOCKLIST

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        return (v or "en").strip().replace("_", "-") or "en"

    @field_validator("tone")
    @classmethod
    def _tone(cls, v: str) -> str:
        return (v or "friendly").strip().lower()


def write_scripts(product: Product, options: ScriptOptions, engine: str = "template",
                  settings: dict | None = None) -> list[AdScript]:
    """Write options.variants scripts with the named engine; every one passes the guards."""
    from pipelines.script.guards import check_variants, repair_script

    writer = script_engines.get(engine, settings)
    scripts = writer(product, options)
    scripts = [s if not _problems(s, product, options) else repair_script(s, product, options) for s in scripts]
    problems = check_variants(scripts, product, options)
    if problems:
        raise ScriptError(f"The {engine} script writer produced scripts that fail the checks: "
                          + "; ".join(problems[:6]), code="script_rejected", stage="script")
    return scripts


def _problems(script: AdScript, product: Product, options: ScriptOptions) -> list[str]:
    from pipelines.script.guards import check_script

    return check_script(script, product, options)


def cli_script(product: Product, variants: int = 2, duration_s: float = 20.0, language: str = "en",
               tone: str = "friendly", seed: int = 0, engine: str = "template",
               settings: dict | None = None, frameworks: list[str] | None = None) -> list[AdScript]:
    """What `adgen script` calls: the same path as the pipeline's script stage."""
    options = ScriptOptions(variants=variants, duration_s=duration_s, language=language, tone=tone,
                            seed=seed, frameworks=frameworks)
    return write_scripts(product, options, engine=engine, settings=settings)


__all__ = ["ScriptOptions", "write_scripts", "cli_script", "script_engines"]
