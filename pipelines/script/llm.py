"""What the LLM engines share: the prompt, the JSON schema, parsing, and the validate-retry loop.

An engine only supplies `complete(messages, attempt) -> str`. Each variant is asked for
separately with its framework and angle (the same plan the template writer follows), the
answer is parsed into an AdScript, unsupported sentences are removed, and the guards decide.
A rejected answer is retried with the problems spelled out; after the last attempt the engine
either falls back to the template writer (when configured) or raises a ScriptError that says why.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from pipelines.errors import ScriptError
from pipelines.product import AdScript, Product
from pipelines.script.guards import (LENGTH_TOLERANCE, MAX_OVERLAY_WORDS, check_script, repair_script,
                                     voiceover_seconds)
from pipelines.script.locale import base_language, estimate_seconds, is_character_language, options_units_per_second
from pipelines.script.roles import SCENE_ROLES

FRAMEWORK_BRIEFS = {
    "pas": "Problem-Agitate-Solve: open on a problem the viewer has, make it sting, then the product solves it.",
    "aida": "Attention-Interest-Desire-Action: grab attention, say what it is, build desire with benefits, ask.",
    "ugc": "UGC testimonial: first person, casual, like a real customer filming on their phone; quote a real "
           "review from the facts if one is given.",
    "listicle": "Feature listicle: the hook promises N reasons ('3 reasons...'), then exactly N short numbered "
                "points, one per scene.",
    "offer": "Offer/urgency: lead with the sale (the real list price and sale price from the facts), then why it "
             "is worth it, then act now. Never invent a deadline or stock level.",
    "demo": "Unboxing/demo: show the product up close and in use, detail by detail.",
}

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese", "de": "German", "fr": "French", "es": "Spanish",
                  "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ja": "Japanese"}


class LLMOptions(BaseModel):
    """Settings every LLM engine shares."""

    max_attempts: int = Field(3, ge=1, le=10)
    temperature: float = Field(0.8, ge=0, le=2)
    fallback: Literal["none", "template"] = "none"  # what to do when no attempt passes the guards


def script_schema() -> dict:
    """JSON schema of what the model writes (the engine fills ids, language and timings)."""
    scene = {
        "type": "object",
        "properties": {
            "role": {"type": "string", "description": " | ".join(SCENE_ROLES)},
            "voiceover": {"type": "string"},
            "on_screen_text": {"type": "string", "description": f"at most {MAX_OVERLAY_WORDS} words"},
            "visual": {"type": "string", "description": "avatar | product_image:<index> | broll:<English prompt>"},
            "camera": {"type": "string", "enum": ["push_in", "pull_out", "pan_left", "pan_right", "tilt_up",
                                                  "tilt_down", "static", "orbit"]},
        },
        "required": ["role", "voiceover", "on_screen_text", "visual", "camera"],
        "additionalProperties": False,
    }
    claim = {"type": "object", "properties": {"text": {"type": "string"}, "field": {"type": "string"}},
             "required": ["text", "field"], "additionalProperties": False}
    return {
        "type": "object",
        "properties": {
            "angle": {"type": "string"},
            "hook": {"type": "string"},
            "scenes": {"type": "array", "items": scene, "minItems": 2},
            "cta": {"type": "string"},
            "caption": {"type": "string"},
            "hashtags": {"type": "array", "items": {"type": "string"}},
            "claims": {"type": "array", "items": claim},
        },
        "required": ["angle", "hook", "scenes", "cta", "caption", "hashtags", "claims"],
        "additionalProperties": False,
    }


def product_facts(product: Product) -> dict:
    """The facts the model may use, nothing else (no URLs that could tempt it to invent)."""
    data = {
        "title": product.title, "brand": product.brand, "description": product.description[:1200],
        "price": product.price, "list_price": product.list_price if product.on_sale else None,
        "currency": product.currency, "features": product.features[:12],
        "rating": product.rating.model_dump() if product.rating else None,
        "reviews": [r.model_dump() for r in product.reviews[:5]], "category": product.category,
        "image_count": len(product.images),
    }
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def build_messages(product: Product, options, framework: str, angle: str, avoid_hooks: list[str],
                   feedback: list[str] | None = None) -> list[dict]:
    language = base_language(options.language)
    page = base_language(product.language or "en")
    unit = "characters" if is_character_language(language) else "words"
    budget = round(options.duration_s * options_units_per_second(options))
    blocked = ", ".join(options.brand_safety) or "none"
    images = len(product.images)
    system = (
        "You are a senior performance-marketing copywriter writing short vertical video ads (TikTok, Reels, "
        "Shorts) read by an on-screen presenter. You answer with one JSON object and nothing else.\n"
        "Rules:\n"
        "- Only take an angle the facts support: `supported_angles` lists them with the product field that backs "
        "each one. Never assume a problem, a use or a material the facts do not state (a wired lamp is not "
        "cordless; a puzzle has no ingredients). When nothing specific is supported, a plain, true line beats a "
        "vivid one. Say the product's name whole, as written in `title` (size or colour may be left out).\n"
        "- Never read out marketplace markup (【...】, ALL-CAPS headers) or shop boilerplate (shipping, returns, "
        "'make sure this fits'); quote only reviews whose text is a customer's own words.\n"
        "- Only state facts found in the product facts. Every price, number, rating, percentage and "
        "superlative (best, #1, fastest...) must appear in the facts; otherwise do not say it. Add each factual "
        "statement to `claims` with the product field it comes from (price, list_price, rating.value, "
        "rating.count, features[i], reviews[i].text, description).\n"
        f"- Write in {LANGUAGE_NAMES.get(language, language)} with natural, native phrasing."
        + (f" The product facts are in {LANGUAGE_NAMES.get(page, page)}: translate what you use, keep product and "
           f"brand names exactly as written.\n" if page != language else "\n") +
        f"- The whole voiceover must take {options.duration_s:.0f} seconds to read: about {budget} {unit} in total "
        f"(within {LENGTH_TOLERANCE:.0%}).\n"
        f"- {3 if options.duration_s < 20 else 4}-{7 if options.duration_s <= 30 else 10} scenes. The first scene "
        "is the hook (usually visual `avatar`), the last scene is the call to action (role `cta`).\n"
        f"- visual is `avatar` (the presenter), `product_image:<index>` with index 0..{max(images - 1, 0)}"
        f"{' (the product has no images: do not use product_image)' if not images else ''}, or `broll:<short "
        "English prompt>`. Mix presenter and product shots.\n"
        f"- on_screen_text is a punchy overlay of at most {MAX_OVERLAY_WORDS} words.\n"
        f"- Never use these words: {blocked}. No medical promises, no profanity.\n"
        f"- Tone: {options.tone}."
    )
    from pipelines.script.facts import product_taxonomy, supported_benefits

    taxonomy = product_taxonomy(product)
    user = {
        "product_facts": product_facts(product),
        "category": taxonomy,
        "supported_angles": [{"angle": b.key, "backed_by": b.field, "evidence": b.evidence}
                             for b in supported_benefits(product, taxonomy)],
        "framework": framework, "framework_brief": FRAMEWORK_BRIEFS.get(framework, ""),
        "angle": angle,
        "hooks_already_used_do_not_repeat": avoid_hooks,
        "output_schema": script_schema(),
    }
    messages = [{"role": "system", "content": system},
                {"role": "user", "content": "Write the ad script as JSON.\n" + json.dumps(user, ensure_ascii=False)}]
    if feedback:
        messages.append({"role": "user", "content": "Your previous answer was rejected:\n- " + "\n- ".join(feedback[:8])
                         + "\nAnswer again with one corrected JSON object only."})
    return messages


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def extract_json(text: str) -> dict:
    """The first JSON object in a model's answer (tolerates code fences and chatter around it)."""
    fenced = _FENCE.search(text or "")
    candidate = fenced.group(1) if fenced else (text or "")
    start = candidate.find("{")
    if start < 0:
        raise ValueError("the answer contains no JSON object")
    decoder = json.JSONDecoder()
    try:
        obj, _ = decoder.raw_decode(candidate[start:])
    except json.JSONDecodeError as e:
        raise ValueError(f"the answer is not valid JSON ({e.msg} at character {e.pos})") from None
    if not isinstance(obj, dict):
        raise ValueError("the answer is not a JSON object")
    return obj


def parse_script(text: str, options, framework: str, angle: str, variant_index: int) -> AdScript:
    data = extract_json(text)
    data = data.get("script", data) if isinstance(data.get("script"), dict) else data
    data.update({"variant_id": f"v{variant_index + 1}-{framework}", "framework": framework,
                 "language": options.language, "tone": options.tone, "target_duration_s": options.duration_s})
    data.setdefault("angle", angle)
    if not data.get("angle"):
        data["angle"] = angle
    try:
        script = AdScript.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"the JSON does not match the script schema ({where}: {first['msg']})") from None
    scenes = [s.model_copy(update={"duration_s": round(estimate_seconds(s.voiceover, options.language,
                                                                        options.words_per_second), 2)})
              for s in script.scenes]
    return script.model_copy(update={"scenes": scenes})


class LLMWriter:
    """Base for engines that ask a language model; subclasses implement `complete`."""

    name = "llm"
    options: LLMOptions

    def complete(self, messages: list[dict], seed: int) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, product: Product, options) -> list[AdScript]:
        from pipelines.script.template import plan_variants

        plans = plan_variants(product, options)
        scripts: list[AdScript] = []
        fallback: list[AdScript] | None = None
        for i, plan in enumerate(plans):
            used = [s.hook for s in scripts]
            script, problems = self._write_one(product, options, plan.framework, plan.angle, i, used)
            if script is None:
                if self.options.fallback == "template":
                    if fallback is None:
                        from pipelines.script.template import TemplateConfig, TemplateEngine

                        fallback = TemplateEngine(TemplateConfig())(product, options)
                    script = fallback[i]
                    if script.hook in used:
                        raise ScriptError(f"The {self.name} engine failed and the template fallback repeated a hook",
                                          code="llm_invalid_output", stage="script")
                else:
                    raise ScriptError(
                        f"The {self.name} engine gave no usable script for variant {i + 1} ({plan.framework}) after "
                        f"{self.options.max_attempts} attempt(s); last problem: {problems[0] if problems else 'unknown'}",
                        code="llm_invalid_output", stage="script")
            scripts.append(script)
        return scripts

    def _write_one(self, product, options, framework, angle, index, used_hooks):
        feedback: list[str] | None = None
        problems: list[str] = []
        for attempt in range(self.options.max_attempts):
            messages = build_messages(product, options, framework, angle, used_hooks, feedback)
            text = self.complete(messages, seed=options.seed * 1000 + index * 10 + attempt)
            try:
                script = parse_script(text, options, framework, angle, index)
            except ValueError as e:
                problems = [str(e)]
                feedback = problems
                continue
            script = repair_script(script, product, options)
            problems = check_script(script, product, options)
            if any(script.hook.strip().lower() == h.strip().lower() for h in used_hooks):
                problems.append("the hook repeats another variant's hook; write a different one")
            if not problems:
                return script, []
            seconds = voiceover_seconds(script, options.words_per_second)
            feedback = problems + ([f"the voiceover you wrote reads in about {seconds:.0f} s"] if seconds else [])
        return None, problems
