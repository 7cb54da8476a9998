"""Checks every engine's scripts must pass before they leave the script stage.

- grounding: each price, number, rating, percentage and superlative traces to the product;
- brand safety: no word from the default list or the workspace's own list;
- length: the voiceover, read at the language's pace, is within 10% of the target duration;
- shape: a hook, scenes that name valid visuals, short overlays, the CTA last;
- across variants: no two hooks alike.

`check_script` reports; `repair_script` removes what cannot be supported (whole sentences, so
the copy stays readable) and tightens the length when it is only too long.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipelines.product import AdScript, Product, Scene
from pipelines.script.blocklist import DEFAULT_BLOCKLIST, _term_in, blocked_terms_in  # noqa: F401  (re-exported: guards' API)
from pipelines.script.facts import product_text, split_sentences
from pipelines.script.locale import base_language, display_words, estimate_seconds, lines_seconds

if TYPE_CHECKING:  # pragma: no cover
    from pipelines.script import ScriptOptions

LENGTH_TOLERANCE = 0.10
MAX_OVERLAY_WORDS = 6

SUPERLATIVES_EN = [
    "best", "bestseller", "bestselling", "best-selling", "best selling", "#1", "number one", "no. 1",
    "no.1", "top-rated", "top rated", "highest-rated", "highest rated", "cheapest", "lowest price",
    "fastest", "strongest", "lightest", "smallest", "biggest", "largest", "greatest", "finest",
    "highest", "lowest", "longest", "safest", "healthiest", "softest", "quietest", "the most",
    "world's", "unbeatable", "unmatched", "guaranteed", "guarantee", "ultimate", "perfect",
    "clinically proven", "proven", "award-winning", "award winning", "official",
]
SUPERLATIVES_ZH = ["第一", "顶级", "唯一", "史上", "全网", "绝对", "保证", "百分百", "完美", "冠军", "销量王",
                   "No.1", "无敌", "首选", "最"]
_ZH_MOST_OK = ("最近", "最后", "最终", "最初")  # "recently", "finally": not superlatives

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EN_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                    "thirty": 30, "fifty": 50, "hundred": 100, "thousand": 1000, "dozen": 12,
                    "half": 0.5, "double": 2, "twice": 2, "triple": 3}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_COUNTED = re.compile(r"([一二两三四五六七八九十]+)(?=个|大|种|条|款|倍|星|分|折|年|小时|天|秒|分钟|成)")
_EN_LIST_COUNT = re.compile(
    r"\b(\d+|two|three|four|five|six|seven)\s+(?:[\w'-]+\s+){0,2}?(reasons?|things?|ways?|features?|benefits?|"
    r"details?|secrets?|tips?)\b", re.I)
_ES_LIST_COUNT = re.compile(r"\b(\d+)\s+(?:[\w'-]+\s+){0,2}?(razones|cosas|motivos|detalles|ventajas)\b", re.I)
_ZH_LIST_COUNT = re.compile(r"(\d+|[二两三四五六七])\s*(?:个|大|点)?[\u4e00-\u9fff]{0,2}?(?:理由|原因|亮点|优点|好处|细节|看点)")


# --------------------------------------------------------------------------- primitives


def _zh_numeral(s: str) -> float | None:
    if s == "十":
        return 10
    if len(s) == 1:
        return _ZH_DIGITS.get(s)
    if len(s) == 2 and s[0] == "十":
        return 10 + _ZH_DIGITS.get(s[1], 0)
    if len(s) == 2 and s[1] == "十":
        return _ZH_DIGITS.get(s[0], 0) * 10
    if len(s) == 3 and s[1] == "十":
        return _ZH_DIGITS.get(s[0], 0) * 10 + _ZH_DIGITS.get(s[2], 0)
    return None


def number_readings(token: str) -> set[float]:
    """All values a written number could mean: '1,299' is 1299 (en) or 1.299 (de), '29,99' is 29.99."""
    readings: set[float] = set()
    if "," in token and "." in token:
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        candidates = [token.replace(thousands, "").replace(decimal, ".")]
    elif "," in token or "." in token:
        sep = "," if "," in token else "."
        parts = token.split(sep)
        candidates = [token.replace(sep, "")]  # thousands separators
        if len(parts) == 2:
            candidates.append(parts[0] + "." + parts[1])
    else:
        candidates = [token]
    for c in candidates:
        try:
            readings.add(float(c))
        except ValueError:
            pass
    return readings


def grounded_numbers(product: Product) -> set[float]:
    """Every number a script may state about this product."""
    values: set[float] = set()
    for v in (product.price, product.list_price):
        if v:
            values |= {float(v), round(float(v), 2)}
            if float(v).is_integer():
                values.add(int(v))
    if product.on_sale:
        saving = product.list_price - product.price
        pct = 100 * saving / product.list_price
        values |= {round(saving, 2), float(int(pct)), float(round(pct))}
        values.add(round(10 * product.price / product.list_price, 1))  # Chinese "8.5折"
        values.add(float(int(10 * product.price / product.list_price)))
    if product.rating:
        r = product.rating
        values |= {float(r.value), round(r.value, 1), float(r.best or 5)}
        if r.count:
            values.add(float(r.count))
    if product.reviews:
        values.add(float(len(product.reviews)))
    for token in _NUMBER.findall(product_text(product) + " " + (product.sku or "")):
        values |= number_readings(token)
    return values


def _matches_any(readings: set[float], allowed: set[float]) -> bool:
    return any(abs(r - a) <= 0.006 for r in readings for a in allowed)


def ungrounded_in(text: str, product: Product, *, allowed: set[float] | None = None,
                  corpus: str | None = None, list_limit: int = 0) -> list[str]:
    """Numbers and superlatives in text that nothing on the product page supports."""
    allowed = grounded_numbers(product) if allowed is None else allowed
    corpus = (product_text(product) if corpus is None else corpus)
    problems = []
    # "3 reasons to..." counts the ad's own points, not a product fact: fine up to its length
    scrubbed = text
    for pattern in (_EN_LIST_COUNT, _ES_LIST_COUNT, _ZH_LIST_COUNT):
        for m in pattern.finditer(text):
            raw = m.group(1).lower()
            n = _EN_NUMBER_WORDS.get(raw) or _ZH_DIGITS.get(raw) or (float(raw) if raw.isdigit() else None)
            if n is not None and 2 <= n <= max(list_limit, 2):
                scrubbed = scrubbed.replace(m.group(0), " " * len(m.group(0)), 1)
    for token in _NUMBER.findall(scrubbed):
        if not _matches_any(number_readings(token), allowed):
            problems.append(f"number {token!r} is not on the product page")
    lowered = scrubbed.lower()
    for word, value in _EN_NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", lowered) and not _matches_any({float(value)}, allowed) \
                and not _term_in(word, corpus):
            problems.append(f"number {word!r} is not on the product page")
    for m in _ZH_COUNTED.finditer(scrubbed):
        value = _zh_numeral(m.group(1))
        if value is not None and value != 1 and not _matches_any({float(value)}, allowed) \
                and m.group(0) not in corpus:  # "一个" is the article "a", not a count
            problems.append(f"number {m.group(0)!r} is not on the product page")
    for term in SUPERLATIVES_EN:
        if _term_in(term, scrubbed) and not _term_in(term, corpus):
            problems.append(f"superlative {term!r} is not supported by the product page")
    for term in SUPERLATIVES_ZH:
        if term == "最":
            for m in re.finditer(r"最.", scrubbed):
                if m.group(0) not in _ZH_MOST_OK and m.group(0) not in corpus:
                    problems.append(f"superlative {m.group(0)!r} is not supported by the product page")
        elif term == "第一":  # "第一，" is an ordinal ("first,"), not a claim
            if re.search(r"第一(?![，,、：:])", scrubbed) and term not in corpus:
                problems.append(f"superlative {term!r} is not supported by the product page")
        elif term in scrubbed and term not in corpus:
            problems.append(f"superlative {term!r} is not supported by the product page")
    return problems


# Phrases that take an angle's premise for granted, and the angle (pipelines.script.facts.ANGLES)
# the page must support before an ad may say them. kind "pain": a problem premise, which also
# needs the angle's problem to fit the product's category; "ingredients": only where the product
# is something you eat or put on your skin. Applies to every engine's copy (the LLM's included);
# sentences quoted from the page itself are the page's own words and are not checked.
PREMISES: list[tuple[re.Pattern, str, str]] = [(re.compile(p, re.I), key, kind) for p, key, kind in [
    (r"\bno cords?\b|cordless|untangl\w* cables|no (?:cables|wires)|hunting for an outlet|告别缠线|找插座|跟一堆线|sin cables|"
     r"desenredando cables", "cordless", "any"),
    (r"\brain\b|\bwet day|下雨|一场雨|淋一次雨|\blluvia\b", "waterproof", "pain"),
    (r"drinks? stays?|coffee gone cold|stays hot|hot or cold|热饮|咖啡还没喝完|冷热", "temperature", "any"),
    (r"\bingredients\b|用料安心|\bingredientes\b", "natural", "ingredients"),
    (r"what your everyday stuff is really made of|到底是什么做的", "natural", "pain"),
    (r"take (?:it )?everywhere|on the go|light enough to|bulky stuff|随身带走|走到哪带到哪|太笨重", "portable", "any"),
    (r"your skin|skin feels|肌肤|皮肤|tu piel|la piel", "skin", "any"),
    (r"\bflavou?r\b|bland routine|味道|\bsabor", "taste", "any"),
    (r"so quiet|the noise|won't stop buzzing|噪音|安静到", "quiet", "any"),
    (r"hear and see|fuzzy|效果好不好|模糊", "quality", "any"),
    (r"falls? apart|built to keep up|buying the same thing all over|便宜货|经得起天天用", "durable", "any"),
    (r"\bcleanup\b|清洗|\blimpieza\b", "easy_clean", "any"),
    (r"learning curve|manual these days|说明书", "easy", "any"),
    (r"job done fast|waiting around|those minutes add up|干等|速度快", "fast", "any"),
    (r"room for everything|running out of space|放不下|装得下|sitio para todo|sin espacio", "capacity", "any"),
    (r"feels good from|doesn't feel right|little discomfort|不舒服|舒服自在", "comfort", "any"),
    (r"as good as it works|look boring|look the part|颜值", "style", "any"),
]]


def _norm_quote(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _page_words(product: Product) -> str:
    return re.sub(r"\s+", " ", product_text(product)).lower()


def unsupported_premises(text: str, product: Product, supported: dict | None = None) -> list[str]:
    """Premises in text (a problem, a use, a material) that nothing on the product page backs."""
    from pipelines.script.facts import product_taxonomy, supported_benefits

    if supported is None:
        supported = {b.key: b for b in supported_benefits(product, product_taxonomy(product))}
    from pipelines.script.facts import short_name

    page = _page_words(product)
    names = sorted({n for n in (product.title, short_name(product), product.brand or "") if n}, key=len, reverse=True)
    problems = []
    for sentence in split_sentences(text) or [text]:
        for name in names:  # "the Packable Rain Jacket" names the product; it asserts nothing about rain
            sentence = re.sub(re.escape(name), " ", sentence, flags=re.I)
        # a quoted review is the customer's own words
        sentence = re.sub(r"“([^”]*)”|\"([^\"]*)\"",
                          lambda m: " " if _norm_quote(m.group(1) or m.group(2) or "") in page else m.group(0), sentence)
        said = sentence.strip().strip("“”\"").lower()
        if len(said) > 12 and said.rstrip(".。!！") in page:
            continue  # the page's own words
        for pattern, key, kind in PREMISES:
            m = pattern.search(sentence)
            if not m:
                continue
            benefit = supported.get(key)
            if benefit is None or (kind == "pain" and not benefit.has_pain) or (
                    kind == "ingredients" and "ingredients" not in benefit.en):
                problems.append(f"premise {m.group(0)!r} ({key}) is not supported by the product page")
    return problems


def voiceover_seconds(script: AdScript, words_per_second: float | None = None) -> float:
    return lines_seconds([s.voiceover for s in script.scenes], script.language, words_per_second)


def _blocklist(options: "ScriptOptions | None") -> tuple[list[str], bool]:
    if options is None:
        return [], True
    return list(options.brand_safety), options.brand_safety_defaults


_VISUAL = re.compile(r"^(avatar|product_image:\d+|broll:.+)$", re.S)


# --------------------------------------------------------------------------- checks


def check_script(script: AdScript, product: Product, options: "ScriptOptions | None" = None) -> list[str]:
    """Everything wrong with one script, in words; an empty list means it may ship."""
    problems: list[str] = []
    allowed = grounded_numbers(product)
    corpus = product_text(product)
    extra, defaults = _blocklist(options)
    language = base_language(options.language if options else script.language)
    if base_language(script.language) != language:
        problems.append(f"script language {script.language!r} is not the requested {language!r}")

    if not script.hook.strip():
        problems.append("the hook is empty")
    if len(script.scenes) < 2:
        problems.append("a script needs at least two scenes (hook and call to action)")
    texts = [("hook", script.hook), ("cta", script.cta), ("caption", script.caption),
             ("hashtags", " ".join(script.hashtags))]
    for i, scene in enumerate(script.scenes):
        texts += [(f"scene {i + 1} voiceover", scene.voiceover), (f"scene {i + 1} on-screen text", scene.on_screen_text)]
        if not scene.voiceover.strip():
            problems.append(f"scene {i + 1} has no voiceover")
        if display_words(scene.on_screen_text) > MAX_OVERLAY_WORDS:
            problems.append(f"scene {i + 1} on-screen text is longer than {MAX_OVERLAY_WORDS} words")
        if not _VISUAL.match(scene.visual or ""):
            problems.append(f"scene {i + 1} visual {scene.visual!r} is not avatar, product_image:<n> or broll:<prompt>")
        elif scene.visual.startswith("product_image:"):
            index = int(scene.visual.split(":", 1)[1])
            if index >= len(product.images):
                problems.append(f"scene {i + 1} shows product image {index} but the product has {len(product.images)}")
    if script.scenes and script.scenes[-1].role != "cta":
        problems.append("the last scene is not the call to action")

    from pipelines.script.facts import product_taxonomy, supported_benefits

    supported = {b.key: b for b in supported_benefits(product, product_taxonomy(product))}
    for where, text in texts:
        for p in ungrounded_in(text, product, allowed=allowed, corpus=corpus, list_limit=len(script.scenes)):
            problems.append(f"{where}: {p}")
        if where != "hashtags":
            for p in unsupported_premises(text, product, supported):
                problems.append(f"{where}: {p}")
        for term in blocked_terms_in(text, extra, defaults):
            problems.append(f"{where}: brand-safety word {term!r}")

    spoken = script.voiceover
    if language in ("zh", "ja"):
        if not re.search(r"[\u3400-\u9fff\u3040-\u30ff]", spoken):
            problems.append(f"the voiceover is not written in {language}")
    elif spoken and len(re.findall(r"[\u3400-\u9fff]", spoken)) > len(spoken) // 4:
        problems.append(f"the voiceover is not written in {language}")

    target = options.duration_s if options else script.target_duration_s
    seconds = voiceover_seconds(script, getattr(options, "words_per_second", None))
    if target and abs(seconds - target) > LENGTH_TOLERANCE * target:
        problems.append(f"the voiceover runs about {seconds:.1f} s for a {target:.0f} s ad "
                        f"(must be within {LENGTH_TOLERANCE:.0%})")
    from pipelines.script.facts import short_name

    name = short_name(product)
    long_enough = (options.duration_s if options else script.target_duration_s) >= 10  # a 6 s spot may lean on the end card
    if name and long_enough and re.sub(r"\s+", "", name).lower() not in re.sub(r"\s+", "", spoken).lower():
        problems.append(f"the voiceover never says the product's name whole ({name!r})")
    for claim in script.claims:
        root = re.split(r"[.\[]", claim.field)[0]
        if root not in Product.model_fields:
            problems.append(f"claim {claim.text!r} cites {claim.field!r}, which is not a product field")
    return problems


def _hook_key(hook: str) -> str:
    return re.sub(r"[\W_]+", " ", hook.lower()).strip()


def check_variants(scripts: list[AdScript], product: Product, options: "ScriptOptions | None" = None) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for script in scripts:
        problems += [f"{script.variant_id}: {p}" for p in check_script(script, product, options)]
        key = _hook_key(script.hook)
        if key in seen:
            problems.append(f"{script.variant_id}: same hook as {seen[key]}")
        seen.setdefault(key, script.variant_id)
    return problems


# --------------------------------------------------------------------------- repair


def _clean_text(text: str, product: Product, allowed, corpus, extra, defaults, list_limit) -> str:
    kept = [s for s in split_sentences(text) or [text]
            if not ungrounded_in(s, product, allowed=allowed, corpus=corpus, list_limit=list_limit)
            and not blocked_terms_in(s, extra, defaults) and not unsupported_premises(s, product)]
    joiner = "" if kept and re.search(r"[\u3400-\u9fff]", "".join(kept)) else " "
    return joiner.join(kept)


def _angle_kept(script: AdScript, voiceover: str, product: Product, language: str) -> str:
    """The script's angle label after repair: an angle whose lines the repair removed is not the
    ad's angle any more; another angle still said, or none ('everyday'), takes its place."""
    from pipelines.script.facts import angle_said, product_taxonomy, supported_benefits

    kind, _, key = script.angle.partition(":")
    lang = base_language(language)
    if not key or key == "everyday" or lang not in ("en", "zh", "es"):
        return script.angle
    benefits = supported_benefits(product, product_taxonomy(product))
    said = [b for b in benefits if angle_said(voiceover, b, lang)]
    if any(b.key == key for b in said) or not any(b.key == key and angle_said(script.voiceover, b, lang)
                                                 for b in benefits):
        return script.angle  # still said, or never said in words the banks know (an LLM's own copy)
    return f"{kind}:{said[0].key if said else 'everyday'}"


def repair_script(script: AdScript, product: Product, options: "ScriptOptions | None" = None) -> AdScript:
    """Drop unsupported or unsafe sentences, fix visuals, put the CTA last, trim if too long."""
    allowed = grounded_numbers(product)
    corpus = product_text(product)
    extra, defaults = _blocklist(options)
    limit = len(script.scenes)
    clean = lambda t: _clean_text(t, product, allowed, corpus, extra, defaults, limit)  # noqa: E731
    language = options.language if options else script.language
    scenes: list[Scene] = []
    for scene in script.scenes:
        voiceover = clean(scene.voiceover)
        if not voiceover:
            continue
        overlay = clean(scene.on_screen_text)
        if display_words(overlay) > MAX_OVERLAY_WORDS:
            overlay = ""
        visual = scene.visual if _VISUAL.match(scene.visual or "") else "avatar"
        if visual.startswith("product_image:") and int(visual.split(":", 1)[1]) >= len(product.images):
            visual = f"product_image:{int(visual.split(':', 1)[1]) % len(product.images)}" if product.images \
                else f"broll:{product.title}"
        scenes.append(scene.model_copy(update={
            "voiceover": voiceover, "on_screen_text": overlay, "visual": visual,
            "duration_s": round(estimate_seconds(voiceover, language, getattr(options, "words_per_second", None)), 2)}))
    if scenes and scenes[-1].role != "cta":
        scenes[-1] = scenes[-1].model_copy(update={"role": "cta"})
    target = options.duration_s if options else script.target_duration_s
    # too long: drop middle scenes, the least important (latest in the body) first
    while len(scenes) > 3 and sum(s.duration_s for s in scenes) > (1 + LENGTH_TOLERANCE) * target:
        scenes.pop(len(scenes) - 2)
    hashtags = [h for h in script.hashtags if not ungrounded_in(h, product, allowed=allowed, corpus=corpus)
                and not blocked_terms_in(h, extra, defaults)]
    claims = [c for c in script.claims
              if re.split(r"[.\[]", c.field)[0] in Product.model_fields and not ungrounded_in(
                  c.text, product, allowed=allowed, corpus=corpus)]
    return script.model_copy(update={
        "angle": _angle_kept(script, " ".join(s.voiceover for s in scenes), product, language),
        "hook": clean(script.hook) or (scenes[0].voiceover if scenes else ""),
        "cta": clean(script.cta) or (scenes[-1].voiceover if scenes else ""),
        "caption": clean(script.caption), "hashtags": hashtags, "scenes": scenes, "claims": claims,
        "language": language})
