"""The offline copywriter: ad frameworks filled from the product's real facts.

Each framework lays out scenes (hook, problem, proof, offer, CTA...) as drafts: a core line
that carries the scene, and extra lines (more features, a review, a benefit) that deepen it.
The length fitter then picks extras, and if needed claim-free connective lines, until the
voiceover read at the language's pace lands on the target duration. Every fact line carries
the Claim that names the product field behind it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from pipelines.errors import ScriptError
from pipelines.product import AdScript, Claim, Product, Scene
from pipelines.jobs import FRAMEWORKS  # listed once, with the other job options
from pipelines.script import banks
from pipelines.script.facts import Benefit, Facts, extract_facts
from pipelines.script.guards import MAX_OVERLAY_WORDS, blocked_terms_in, ungrounded_in
from pipelines.script.locale import (SENTENCE_BREAK_UNITS, base_language, display_words, estimate_seconds, format_count,
                                     is_plural_noun, options_units_per_second, pause_seconds, plural, speech_units)

SUPPORTED_LANGUAGES = ("en", "zh", "es")  # the languages banks.py has copy for


@dataclass
class Line:
    text: str
    claims: list[Claim] = field(default_factory=list)
    short: "Line | None" = None  # the same point in a few words, for very short ads
    angle: str = ""  # the angle (Benefit.key) whose premise the line says: the script's angle label follows it

    def units(self, language: str) -> float:
        return speech_units(self.text, language)


@dataclass
class Draft:
    role: str
    visual: str  # "avatar" | "image" | "broll:<prompt>"
    core: Line
    overlay: str = ""
    extras: list[Line] = field(default_factory=list)
    optional: int = 0  # 0: kept unless the ad is tiny; higher numbers are dropped first when time is short
    camera: str | None = None
    fixed: bool = False  # never dropped (hook, CTA, a listicle's numbered points)
    chosen: list[Line] = field(default_factory=list)


@dataclass
class Plan:
    framework: str
    benefit: Benefit
    hook_choice: int
    angle: str


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower()))


def _similar(a: str, b: str) -> bool:
    """Same point said twice (e.g. a description sentence repeating a feature)."""
    ta, tb = _tokens(a), _tokens(b)
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) > 0.6


def _lower_first(text: str) -> str:
    """'Single origin' -> 'single origin' after 'Also,'; leaves 'USB-C', 'I' and names like 'iPhone' alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not text.startswith(("I ", "I'")):
        return text[0].lower() + text[1:]
    return text


def _c(text: str, field_name: str) -> Claim:
    return Claim(text=text, field=field_name)


def _shorten_overlay(text: str, language: str) -> str:
    text = text.strip()
    if display_words(text) <= MAX_OVERLAY_WORDS:
        return text.rstrip("。.")
    head = re.split(r"[,:;?!.，：；？！。]", text)[0].strip()
    if head and display_words(head) <= MAX_OVERLAY_WORDS:
        return head
    if base_language(language) == "zh":
        return head[:10]
    return " ".join(head.split()[:5])


class Writer:
    """Writes one product's variants; holds the facts and the choices already made."""

    def __init__(self, product: Product, options, rng: random.Random):
        self.product = product
        self.options = options
        self.lang = base_language(options.language)
        self.units_per_second = options_units_per_second(options)
        if self.lang not in SUPPORTED_LANGUAGES:
            raise ScriptError(f"The template writer speaks {', '.join(SUPPORTED_LANGUAGES)}; "
                              f"{options.language!r} needs an LLM engine (openai or transformers).",
                              code="unsupported_language", stage="script")
        self.tone = options.tone if options.tone in banks.TONES else "friendly"
        self.rng = rng
        self.blocked = list(options.brand_safety)
        self.facts: Facts = extract_facts(product, self.blocked if options.brand_safety_defaults else self.blocked)
        self.zh = self.lang == "zh"
        self._image_cursor = 0

    # ------------------------------------------------------------------ small phrases

    def join(self, *parts: str) -> str:
        parts = [p.strip() for p in parts if p and p.strip()]
        return ("" if self.zh else " ").join(parts)

    def safe(self, text: str) -> bool:
        return not blocked_terms_in(text, self.blocked, self.options.brand_safety_defaults) and not ungrounded_in(
            text, self.product, list_limit=12)

    def image(self) -> str:
        if not self.product.images:
            return f"broll:{self.facts.name}, product shot on a clean background"
        index = self._image_cursor % len(self.product.images)
        self._image_cursor += 1
        return f"product_image:{index}"

    def say(self, key: str, **facts) -> str:
        """The writer's own sentence `key` (banks.PHRASES) in the ad's language, facts filled in."""
        return banks.PHRASES[self.lang][key].format(**facts)

    def price_line(self) -> Line | None:
        f = self.facts
        if not f.has_price:
            return None
        price = f.price(self.lang)
        if self.product.on_sale:
            text = self.say("price_sale", list=f.list_price(self.lang), price=price)
            claims = [_c(f.list_price(self.lang), "list_price"), _c(price, "price")]
            return Line(text, claims, Line(self.say("price_sale_short", price=price), claims[1:]))
        options = banks.PHRASES[self.lang]["price"]
        text = options[self.rng.randrange(len(options))].format(price=price)
        claims = [_c(price, "price")]
        return Line(text, claims, Line(self.say("price_short", price=price), claims))

    def savings_line(self) -> Line | None:
        f = self.facts
        if not self.product.on_sale or not f.discount_percent:
            return None
        text = self.say("savings", pct=f.discount_percent, savings=f.savings(self.lang))
        return Line(text, [_c(f"{f.discount_percent}%", "list_price"), _c(f.savings(self.lang), "list_price")])

    def rating_line(self) -> Line | None:
        f = self.facts
        if not f.strong_rating:
            return None
        r = self.product.rating
        best = f"{r.best:g}"
        count = f.rating_count(self.lang)
        value = f.rating_in(self.lang)
        claims = [_c(value, "rating.value")]
        text = (self.say("rating_count", value=value, best=best, count=count, ratings=plural(r.count, "rating"))
                if count else self.say("rating", value=value, best=best))
        short = Line(self.say("rating_short", value=value), list(claims))
        if count:
            claims.append(_c(count, "rating.count"))
        return Line(text, claims, short)

    def rating_overlay(self) -> str:
        f = self.facts
        count = f.rating_count(self.lang)
        value = f.rating_in(self.lang)
        return self.say("rating_overlay_count", value=value, count=count) if count else \
            self.say("rating_overlay", value=value)

    def price_overlay(self) -> str:
        price = self.facts.price(self.lang, spoken=False)
        return self.say("price_overlay_sale" if self.product.on_sale else "price_overlay", price=price)

    def review_line(self, first_person: bool, skip: int = 0) -> Line | None:
        reviews = self.facts.reviews_in(self.lang)
        if len(reviews) <= skip:
            return None
        r = reviews[skip]
        quote = r.text.strip()
        who = (r.author or "").strip()
        key = ("review_me" if first_person else "review") + ("_who" if who else "")
        return Line(self.join(self.say(key, who=who), f"“{quote}”"), [_c(quote, f"reviews[{r.index}].text")])

    def feature_lines(self) -> list[Line]:
        return [Line(f.text, [_c(f.text, f"features[{f.index}]")]) for f in self.facts.features_in(self.lang)]

    def description_lines(self) -> list[Line]:
        if self.facts.description_language != self.lang:
            return []
        return [Line(s, [_c(s, "description")]) for s in self.facts.description_sentences if self.safe(s)]

    def benefit_text(self, b: Benefit) -> str:
        return self.agree(b.line(self.lang))

    def benefit_line(self, b: Benefit) -> Line:
        """The angle's line, with the product field that backs its premise beside it."""
        text = self.benefit_text(b)
        return Line(text, [_c(text, b.field)] if b.field else [], angle=b.key)

    def agree(self, text: str) -> str:
        """'It's made...' about 'these plates' reads 'They're made...'."""
        if not self.plural:
            return text
        for a, b in (("It's ", "They're "), ("it's ", "they're "), ("It looks ", "They look "),
                     ("It feels ", "They feel "), ("It gets ", "They get "), ("It shrugs ", "They shrug "),
                     ("it works", "they work"), ("It just works", "They just work"), ("so you actually use it",
                     "so you actually use them"), ("it's on", "they're on"), ("it goes", "they go"),
                     ("It makes", "They make"), ("it needs", "they need"), ("it keeps", "they keep"),
                     ("It's built", "They're built")):
            text = text.replace(a, b)
        return text

    @property
    def plural(self) -> bool:
        """A name that ends in a plural noun ('Dinner Plates', 'Studio Headphones') takes 'these ... are'.
        English only: the Spanish copy is worded to need no agreement, Chinese has none."""
        if self.lang != "en":
            return False
        words = re.findall(r"[A-Za-z]+", self.facts.name)
        if not words or words[-1].isupper() or len(words[-1]) < 3:
            return False
        return is_plural_noun(words[-1])

    def benefit_label(self, b: Benefit) -> str:
        return b.label(self.lang)

    def cta(self) -> tuple[str, str]:
        options = banks.CTAS[self.lang][self.tone]
        overlays = banks.CTA_OVERLAY[self.lang]
        i = self.rng.randrange(len(options))
        return options[i], overlays[self.rng.randrange(len(overlays))]

    def name_short(self) -> str:
        return self.say("name_short", name=self.the_name)

    def name_intro(self) -> str:
        f = self.facts
        brand = f.brand if f.brand and f.brand.lower() not in f.name.lower() else None
        return self.say("name_intro_brand" if brand else "name_intro", name=self.the_name, brand=brand)

    # ------------------------------------------------------------------ reasons/body points

    def points(self, plan: Plan) -> list[tuple[Line, str, list[Line]]]:
        """Body points in the order a writer would use them: (line, overlay, follow-ups)."""
        out: list[tuple[Line, str, list[Line]]] = []
        benefits = [plan.benefit] + [b for b in self.facts.benefits if b is not plan.benefit]
        feats = self.facts.features_in(self.lang)
        start = self.rng.randrange(len(feats)) if feats and plan.framework != "listicle" else 0
        feats = feats[start:] + feats[:start]
        if plan.framework == "listicle" and self.options.duration_s <= 15:
            # a short listicle says its points whole: the ones that fit come first
            feats = sorted(feats, key=lambda f: speech_units(f.spoken_short or f.text, self.lang))
        attached: set[str] = set()
        for i, f in enumerate(feats):
            # a feature is followed by what it does for you: the angle this very feature supports
            # (not when it would only repeat the feature's own word: "water-resistant base. Water-resistant ...")
            follow = [self.benefit_line(b) for b in benefits if b.field == f"features[{f.index}]"
                      and b.evidence.lower() not in self.benefit_text(b).lower()][:1]
            attached |= {b.key for b in benefits if b.field == f"features[{f.index}]"}
            claims = [_c(f.text, f"features[{f.index}]")]
            # the few-word form ends where the page's own phrase ends ("Reaches up to 300 m" before its
            # bracket), never at a word count ("Made from 100% organic Moso")
            short = Line(f.spoken_short + ("。" if self.zh else "."), [_c(f.spoken_short, f"features[{f.index}]")]) \
                if f.spoken_short else None
            out.append((Line(f.text, claims, short), _shorten_overlay(f.label, self.lang), follow))
        for b in benefits:
            if (b.key == "everyday" and out) or b.key in attached:
                continue
            out.append((self.benefit_line(b), self.benefit_label(b), []))
        return out

    # ------------------------------------------------------------------ hooks

    def hooks(self, framework: str) -> list[str]:
        entries = banks.HOOKS[self.lang][framework]
        if framework == "aida":  # the category's own opener first: who it is for, no problem assumed
            entries = [(None, h) for h in banks.CATEGORY_HOOKS[self.lang].get(self.facts.taxonomy or "", [])] + entries
        suited = [t for tones, t in entries if tones is None or self.tone in tones]
        rest = [t for tones, t in entries if not (tones is None or self.tone in tones)]
        return suited + rest

    @property
    def the_name(self) -> str:
        """'the Aero Insulated Bottle' mid-sentence in English; names of one word stand alone."""
        name = self.facts.name
        if self.lang != "en" or len(name.split()) < 2 or name.lower().startswith("the "):
            return name
        return "the " + name

    @property
    def thing(self) -> str:
        """'this coffee': the product by its kind, for lines that would repeat a long name."""
        words = self.facts.name.split()
        noun = words[-1] if words else ""
        if self.lang != "en" or len(words) < 3 or not noun.isalpha() or noun.isupper() or \
                base_language(self.product.language or "en") != self.lang:  # 'this martillada' is no English
            return self.the_name
        return ("these " if self.plural else "this ") + noun.lower()

    def fill(self, template: str, plan: Plan, n: int = 0) -> str:
        f = self.facts
        text = template.format(
            thing=self.thing, Thing=self.thing[0].upper() + self.thing[1:],
            name=self.the_name, is_="are" if self.plural else "is", s="" if self.plural else "s",
            pain=plan.benefit.pain(self.lang),
            price=f.price(self.lang) if f.has_price else "", pct=f.discount_percent or "", n=n)
        return text[0].upper() + text[1:] if text else text

    # ------------------------------------------------------------------ frameworks

    def drafts(self, plan: Plan, hook: str, body: int, short_hook: str | None = None) -> list[Draft]:
        fw = plan.framework
        b = plan.benefit
        zh = self.zh
        f = self.facts
        cta_text, cta_overlay = self.cta()
        price = self.price_line()
        rating = self.rating_line()
        if display_words(hook) <= MAX_OVERLAY_WORDS:
            hook_overlay = hook
        elif fw == "listicle":
            hook_overlay = self.say("listicle_overlay", n=body)
        elif fw == "ugc":
            hook_overlay = self.say("ugc_overlay")
        elif fw == "offer":
            hook_overlay = self.say("offer_overlay")
        elif fw == "pas" or display_words(f.name) > 4:
            hook_overlay = self.benefit_label(b)
        else:
            hook_overlay = f.name
        points = self.points(plan)
        said_angle = b.key if fw == "pas" else ""  # a PAS hook is the angle's own problem
        out: list[Draft] = [Draft("hook", "avatar", Line(hook, short=Line(short_hook, angle=said_angle) if short_hook
                                                         else None, angle=said_angle),
                                  hook_overlay, camera="push_in", fixed=True)]

        def body_points(k: int, lead: list[str] | None = None, optional_from: int = 1):
            for i, (line, overlay, follow) in enumerate(points[:k]):
                text = line.text
                if lead:
                    head = lead[i] if i < len(lead) else ""
                    # after "Also," / "And" / "Además," / "Y" the feature goes on the sentence: lower case
                    text = self.join(head, _lower_first(text) if head.endswith((",", "And")) or head == "Y" else text)
                out.append(Draft("feature", "image", Line(text, line.claims, line.short), overlay, follow,
                                 optional=0 if i < optional_from else 2 + i))

        if fw == "pas":
            out.append(Draft("agitate", f"broll:{b.broll}", Line(b.agitate(self.lang), angle=b.key),
                             self.say("agitate_overlay"),
                             optional=1))
            # the scene that names the product is never dropped, however short the ad
            out.append(Draft("solution", "image", Line(self.name_intro(), short=Line(self.name_short())),
                             f.name if display_words(f.name) <= 6 else "",
                             [self.benefit_line(b)] + self.description_lines()[:1], fixed=True))
            body_points(body, optional_from=1)
            if rating:
                out.append(Draft("proof", "image", rating, self.rating_overlay(),
                                 [x for x in [self.review_line(False)] if x], optional=2))
            if price:
                out.append(Draft("offer", "image", price, self.price_overlay(),
                                 [x for x in [self.savings_line()] if x], optional=1))
        elif fw == "aida":
            intro = Line(self.name_intro(), short=Line(self.name_short()))
            out.append(Draft("interest", "image", intro, f.name if display_words(f.name) <= 6 else "",
                             self.description_lines()[:2] + [self.benefit_line(b)], fixed=True))
            body_points(body, optional_from=1)
            if rating:
                out.append(Draft("proof", "image", rating, self.rating_overlay(),
                                 [x for x in [self.review_line(False)] if x], optional=4))
            if price:
                out.append(Draft("offer", "image", price, self.price_overlay(),
                                 [x for x in [self.savings_line()] if x], optional=3))
        elif fw == "ugc":
            story = banks.UGC_STORY[self.lang][self.rng.randrange(len(banks.UGC_STORY[self.lang]))]
            if b.has_pain:  # a before-story only where the page backs the problem it tells
                out.append(Draft("problem", "avatar", Line(story), self.say("story_overlay"),
                                 [Line(b.agitate(self.lang), angle=b.key)], optional=3))
            found = self.say("found", name=self.the_name)
            out.append(Draft("solution", "image", Line(found), f.name if display_words(f.name) <= 6 else "",
                             [self.benefit_line(b)]))
            leads = banks.PHRASES[self.lang]["ugc_leads"]
            body_points(body, lead=leads, optional_from=0)
            review = self.review_line(True)
            if review:
                out.append(Draft("proof", "avatar", review, self.say("proof_overlay"),
                                 [x for x in [rating] if x], optional=1))
            elif rating:
                out.append(Draft("proof", "image", rating, self.rating_overlay(), optional=2))
            if price:
                out.append(Draft("offer", "image", price, self.price_overlay(), optional=4))
        elif fw == "listicle":
            ordinals = list(banks.ORDINALS[self.lang][:body])
            if body >= 2:
                ordinals[-1] = banks.ORDINAL_LAST[self.lang]
            for i, (line, overlay, follow) in enumerate(points[:body]):
                text = self.join(ordinals[i], line.text if zh else _lower_first(line.text))
                said = line.short.text if line.short else line.text
                short = Line(self.join(ordinals[i], said if zh else _lower_first(said)), line.claims)
                out.append(Draft("feature", "image", Line(text, line.claims, short), overlay, follow, fixed=True))
            if rating:
                out.append(Draft("proof", "image", rating, self.rating_overlay(), optional=2))
            if price:
                out.append(Draft("offer", "image", price, self.price_overlay(),
                                 [x for x in [self.savings_line()] if x], optional=3))
        elif fw == "offer":
            out.append(Draft("offer", "image", price, self.price_overlay(),
                             [x for x in [self.savings_line()] if x]))
            body_points(body, optional_from=1)
            if rating:
                out.append(Draft("proof", "image", rating, self.rating_overlay(), optional=3))
            urgency = banks.URGENCY[self.lang]
            out.append(Draft("urgency", "avatar", Line(urgency[self.rng.randrange(len(urgency))]),
                             self.say("urgency_overlay"), optional=2))
        elif fw == "demo":
            first = self.say("demo_first", is_="are" if self.plural else "is", name=self.the_name)
            out.append(Draft("demo", "image", Line(first), self.say("demo_overlay"),
                             self.description_lines()[:2]))
            leads = banks.PHRASES[self.lang]["demo_leads"]
            for i, (line, overlay, follow) in enumerate(points[:body]):
                visual = f"broll:hands using {self.the_name}, {b.broll}" if i == 1 else "image"
                out.append(Draft("feature", visual, Line(self.join(leads[i % len(leads)], line.text), line.claims),
                                 overlay, follow, optional=0 if i == 0 else 2 + i))
            if rating:
                out.append(Draft("proof", "image", rating, self.rating_overlay(), optional=3))
            if price:
                out.append(Draft("offer", "image", price, self.price_overlay(), optional=4))
        else:  # pragma: no cover - plan_variants only hands out known frameworks
            raise ScriptError(f"Unknown framework {fw!r}", code="unknown_framework", stage="script")

        shorts = banks.SHORT_CTAS[self.lang]
        out.append(Draft("cta", "avatar", Line(cta_text, short=Line(shorts[self.rng.randrange(len(shorts))])),
                         cta_overlay, camera="static", fixed=True))
        return out

    # ------------------------------------------------------------------ fitting

    def fit(self, drafts: list[Draft], max_scenes: int) -> tuple[list[Draft], float]:
        """Choose scenes and lines so the read time lands on the target; returns (scenes, units)."""
        wps = self.options.words_per_second
        target = (self.options.duration_s - pause_seconds(len(drafts), wps)) * self.units_per_second
        lang = self.lang
        scenes = list(drafts)
        # drop optional scenes, least important first, until both scene count and core length fit
        def core_units(ss):
            return sum(d.core.units(lang) for d in ss)

        while True:
            droppable = [d for d in scenes if d.optional and not d.fixed]
            too_many = len(scenes) > max_scenes
            too_long = core_units(scenes) > 1.04 * target
            if not droppable or not (too_many or too_long):
                break
            scenes.remove(max(droppable, key=lambda d: (d.optional, scenes.index(d))))
        # a very short ad: say each point in its few-word form, the body first, then hook and CTA
        if core_units(scenes) > 1.04 * target:
            for d in [d for d in scenes if d.role not in ("hook", "cta")] + scenes[:1] + scenes[-1:]:
                if d.core.short and core_units(scenes) > 1.0 * target:
                    d.core = d.core.short
        while core_units(scenes) > 1.06 * target:
            body = [d for d in scenes if not d.fixed]
            if not body:
                break
            scenes.remove(body[-1])
        # fewer scenes, fewer pauses between them: more time to speak
        target = (self.options.duration_s - pause_seconds(len(scenes), wps)) * self.units_per_second
        for d in scenes:
            d.chosen = [d.core]
        total = core_units(scenes)
        # extras, one per scene per round, in scene order
        rounds = max((len(d.extras) for d in scenes), default=0)
        for r in range(rounds):
            for d in scenes:
                if r < len(d.extras):
                    line = d.extras[r]
                    u = line.units(lang) + SENTENCE_BREAK_UNITS  # with the pause before it
                    if total + u <= 1.02 * target and self.safe(line.text) and not any(
                            _similar(line.text, x.text) for s in scenes for x in s.chosen):
                        d.chosen.append(line)
                        total += u
        # claim-free lines into the body, to land inside the window
        body = ([d for d in scenes if d.role in ("solution", "feature", "interest", "demo")]
                or [d for d in scenes if d.role not in ("hook", "cta")] or scenes[:1])
        pads = [self.agree(m.format(name=self.thing)) for m in banks.MORE[lang]] + list(banks.PADS[lang])
        pads = [p[0].upper() + p[1:] for p in pads]
        self.rng.shuffle(pads)
        while total < 0.97 * target and pads:
            room = 1.03 * target - total
            fitting = [p for p in pads if speech_units(p, lang) + SENTENCE_BREAK_UNITS <= room]
            if not fitting:
                break
            pad = max(fitting, key=lambda p: speech_units(p, lang))
            pads.remove(pad)
            host = min(body, key=lambda d: sum(x.units(lang) for x in d.chosen))
            host.chosen.append(Line(pad))
            total += speech_units(pad, lang) + SENTENCE_BREAK_UNITS
        return scenes, total

    # ------------------------------------------------------------------ one variant

    def write(self, plan: Plan, variant_index: int, used_hooks: set[str]) -> AdScript:
        duration = self.options.duration_s
        max_scenes = max(3, min(12, int(duration / 4.5) + 1))
        fixed = {"pas": 3, "aida": 2, "ugc": 3, "listicle": 1, "offer": 2, "demo": 2}[plan.framework]
        ideal_body = max(1, min(max_scenes - fixed - 1, 5 if plan.framework == "listicle" else 8))
        available = len(self.points(plan))
        if plan.framework == "listicle":
            ideal_body = max(2, min(ideal_body, available, 5))
        hooks = self.hooks(plan.framework)
        target = duration * self.units_per_second
        short_hooks = banks.SHORT_HOOKS[self.lang][plan.framework]
        best = None
        for body in range(min(ideal_body, available), 0, -1):
            if plan.framework == "listicle" and body < 2:
                break
            for attempt in range(len(hooks)):
                hook = self.fill(hooks[(plan.hook_choice + attempt) % len(hooks)], plan, n=body)
                short = self.fill(short_hooks[(plan.hook_choice + attempt) % len(short_hooks)], plan, n=body)
                if hook in used_hooks or not self.safe(hook):
                    continue
                scenes, units = self.fit(self.drafts(plan, hook, body, short), max_scenes)
                target = (duration - pause_seconds(len(scenes), self.options.words_per_second)) * self.units_per_second
                said = scenes[0].chosen[0].text
                if said in used_hooks:
                    continue
                err = abs(units - target) / target
                if best is None or err < best[0]:
                    best = (err, said, scenes)
                break
            if best and best[0] <= 0.06:
                break
        if best is None:
            raise ScriptError(f"Could not write a distinct {plan.framework} hook for {self.facts.name!r}",
                              code="no_distinct_hook", stage="script")
        _, hook, scenes = best
        used_hooks.add(hook)
        return self.assemble(plan, variant_index, hook, scenes)

    def said_benefit(self, plan: Plan, drafts: list[Draft]) -> Benefit | None:
        """The angle the kept lines actually take: the plan's when one of its lines survived the
        fitting, else the first other angle whose line did, else None (the ad takes no angle)."""
        said = [x.angle for d in drafts for x in d.chosen if x.angle]
        if plan.benefit.key in said:
            return plan.benefit
        return next((b for b in self.facts.benefits if b.key in said), None)

    def assemble(self, plan: Plan, variant_index: int, hook: str, drafts: list[Draft]) -> AdScript:
        lang = self.lang
        scenes, claims = [], []
        # labels follow the lines kept: an angle whose line the fitting dropped names neither the
        # script (angle), its caption nor the hook's overlay
        benefit = self.said_benefit(plan, drafts)
        angle = f"{plan.angle.split(':', 1)[0]}:{benefit.key if benefit else 'everyday'}"
        if benefit is not plan.benefit and drafts[0].overlay == self.benefit_label(plan.benefit):
            drafts[0].overlay = self.benefit_label(benefit) if benefit else (
                self.facts.name if display_words(self.facts.name) <= MAX_OVERLAY_WORDS else "")
        cameras = ["push_in", "pan_left", "pull_out", "pan_right", "tilt_up", "orbit"]
        self._image_cursor = 0
        for i, d in enumerate(drafts):
            if d.visual == "image":
                d.visual = self.image()
            voiceover = self.join(*(x.text for x in d.chosen))
            for x in d.chosen:
                claims += x.claims
            camera = d.camera or ("static" if d.visual == "avatar" and i else cameras[i % len(cameras)])
            scenes.append(Scene(voiceover=voiceover, on_screen_text=_shorten_overlay(d.overlay, lang),
                                visual=d.visual, camera=camera, role=d.role,
                                duration_s=round(estimate_seconds(voiceover, lang, self.options.words_per_second), 2)))
        cta = drafts[-1].core.text
        f = self.facts
        price_part = ""
        if f.has_price:
            price_part = (self.say("caption_sale", price=f.price(lang, False), list=f.list_price(lang, False))
                          if self.product.on_sale else self.say("caption_price", price=f.price(lang, False)))
        caption = self.join(hook, self.benefit_text(benefit) if benefit else "", price_part, banks.EMOJI[self.tone],
                            cta)
        unique_claims = list({(c.text, c.field): c for c in claims}.values())
        return AdScript(
            variant_id=f"v{variant_index + 1}-{plan.framework}", framework=plan.framework, angle=angle,
            language=self.options.language, tone=self.tone, target_duration_s=self.options.duration_s,
            hook=hook, scenes=scenes, cta=cta, caption=caption, hashtags=self.hashtags(plan),
            claims=unique_claims)

    def hashtags(self, plan: Plan) -> list[str]:
        """Brand and product name as tags, then the category's and the framework's own; each a single '#'."""
        f = self.facts
        tags = []
        for text in (f.brand, f.name):
            if text:
                cjk = re.search(r"[\u4e00-\u9fff]", text)
                tag = re.sub(r"[^\w]+", "", text if cjk else " ".join(w[:1].upper() + w[1:] for w in text.split()))
                if 2 <= len(tag) <= 30:
                    tags.append("#" + tag)
        tags += banks.CATEGORY_TAGS[self.lang].get(f.taxonomy or "", [])
        tags += banks.FRAMEWORK_TAGS[self.lang].get(plan.framework, [])
        out = []
        for t in tags:
            t = "#" + t.lstrip("#")
            if t.lower() not in (o.lower() for o in out) and self.safe(t):
                out.append(t)
        return out[:6]


def eligible_frameworks(product: Product, facts: Facts, language: str, duration_s: float = 20.0) -> list[str]:
    out = []
    for fw in FRAMEWORKS:
        if fw == "offer" and not product.on_sale:
            continue
        if fw == "pas" and not any(b.has_pain for b in facts.benefits):
            continue  # no problem the page supports: a plain ad beats a made-up pain
        if fw == "listicle":
            if duration_s < 12:  # two numbered reasons plus hook and CTA do not fit a few seconds
                continue
            reasons = len(facts.features_in(language)) + len([b for b in facts.benefits if b.key != "everyday"])
            if reasons < 2:
                continue
        out.append(fw)
    return out


def plan_variants(product: Product, options, facts: Facts | None = None) -> list[Plan]:
    """Which framework, angle and hook each variant gets: distinct and repeatable per seed."""
    facts = facts or extract_facts(product, list(options.brand_safety))
    language = base_language(options.language)
    eligible = eligible_frameworks(product, facts, language, options.duration_s)
    if options.frameworks:
        unknown = [f for f in options.frameworks if f not in FRAMEWORKS]
        if unknown:
            raise ScriptError(f"Unknown framework(s) {', '.join(unknown)}; choose from {', '.join(FRAMEWORKS)}",
                              code="unknown_framework", stage="script")
        order = [f for f in options.frameworks if f in eligible]
        if not order:
            raise ScriptError(
                f"None of the requested frameworks ({', '.join(options.frameworks)}) fit this product "
                "(offer needs a sale price on the page; listicle needs at least two features; pas needs a "
                "problem the page's facts support)",
                code="framework_not_applicable", stage="script")
    else:
        order = list(eligible)
        if product.on_sale and "offer" in order:  # a real sale is the strongest angle a page can give
            order.remove("offer")
            order.insert(2, "offer")
        if options.seed:
            random.Random(options.seed).shuffle(order)
    rng = random.Random(f"plan:{options.seed}")
    benefits = facts.benefits
    plans = []
    for v in range(options.variants):
        framework = order[v % len(order)]
        rnd = v // len(order)
        pool = [b for b in benefits if b.has_pain] if framework == "pas" else benefits
        pool = pool or benefits
        benefit = pool[(v + options.seed) % len(pool)] if len(pool) > 1 else pool[0]
        angle_by_fw = {"pas": "problem", "aida": "discovery", "ugc": "testimonial", "listicle": "features",
                       "offer": "value", "demo": "demo"}
        angle = f"{angle_by_fw[framework]}:{benefit.key}"
        hook_choice = (rnd + (rng.randrange(3) if options.seed else 0)) % 7
        plans.append(Plan(framework, benefit, hook_choice, angle))
    return plans


class TemplateConfig(BaseModel):
    """The offline writer needs no settings; the class keeps the engine interface uniform."""


class TemplateEngine:
    def __init__(self, config: TemplateConfig):
        self.config = config

    def __call__(self, product: Product, options) -> list[AdScript]:
        rng = random.Random(f"{options.seed}:{product.url}:{options.language}:{options.tone}")
        writer = Writer(product, options, rng)
        used: set[str] = set()
        return [writer.write(plan, i, used) for i, plan in enumerate(plan_variants(product, options, writer.facts))]


__all__ = ["TemplateEngine", "TemplateConfig", "plan_variants", "FRAMEWORKS", "format_count"]
