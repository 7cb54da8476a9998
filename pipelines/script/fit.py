"""Does the copy fit the product? The defects a marketer catches on first read, found automatically.

    defects = audit_script(script, product)     # [] when the ad can be posted as written
    name_said_whole(script, product)            # every word of the product's name is spoken

A defect is one of:
- premise: a line that takes for granted something the page does not say (a cordless pitch
  for a wired lamp, "ingredients" for a puzzle), or an angle line whose cited field does not
  carry the angle's evidence;
- markup: marketplace brackets or shop boilerplate read aloud ("【Easy To Install】",
  "Make sure this fits", shipping and returns);
- review: a quote that is empty, is its author's name, or a placeholder ("Amazon Customer");
- cut: a feature said only in part, stopped inside a phrase ("These wall mounted.");
- unnamed: the product's name is never said.

Used by the copy-fit test over the fixture pages and by bench/copy_fit.py.
"""

from __future__ import annotations

import re

from pipelines.product import AdScript, Product
from pipelines.scrape.clean import DANGLING, is_boilerplate, review_text, strip_markup
from pipelines.script.facts import (ANGLES, _is_size, is_cjk_text, product_taxonomy, short_name, split_sentences,
                                    supported_benefits)
from pipelines.script.guards import unsupported_premises

_MARKUP = re.compile(r"[【】〖〗\[\]{}<>]|&[a-z]+;|\\n")
_QUOTE = re.compile(r"(?:wrote|put it|说|escribió|dice)[:：]?\s*“([^”]*)”")
_CLAUSE_END = re.compile(r"^\s*(?:$|[.,;:!?)(（，。；：！？—–-])")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _spoken(script: AdScript) -> str:
    return " ".join([script.voiceover, *(s.on_screen_text for s in script.scenes)])


def _angle_lines(product: Product) -> dict[str, tuple[str, str]]:
    """Every line an angle can write for this product -> (angle key, the evidence pattern)."""
    out = {}
    taxonomy = product_taxonomy(product)
    for b in supported_benefits(product, taxonomy):
        angle = next(a for a in ANGLES if a.benefit.key == b.key)
        for text in (b.en, b.zh, b.es):
            out[_norm(text)] = (b.key, angle.evidence)
    return out


def _field_text(product: Product, field: str) -> str | None:
    m = re.fullmatch(r"features\[(\d+)\]", field)
    if m:
        i = int(m.group(1))
        return product.features[i] if i < len(product.features) else None
    if field in ("description", "title"):
        return getattr(product, field)
    m = re.fullmatch(r"reviews\[(\d+)\]\.text", field)
    if m:
        i = int(m.group(1))
        return product.reviews[i].text if i < len(product.reviews) else None
    return None


def cut_mid_phrase(said: str, source: str) -> bool:
    """True when said is a piece of source that stops inside a phrase."""
    body = said.strip().rstrip(".。!！")
    clean, _ = strip_markup(source)
    for text in (clean, source):
        at = text.lower().find(body.lower())
        if at >= 0:
            rest = text[at + len(body):]
            words = re.findall(r"[\w'’-]+", body.lower())
            return not _CLAUSE_END.match(rest) or (bool(words) and words[-1] in DANGLING and rest.strip() != "")
    return False  # reworded (an LLM's paraphrase): not a cut


def audit_script(script: AdScript, product: Product) -> list[str]:
    defects: list[str] = []
    spoken = _spoken(script)
    # premise: phrases that assume an angle the page does not support, and angle lines citing the wrong field
    defects += [f"premise: {p}" for p in unsupported_premises(spoken, product)]
    lines = _angle_lines(product)
    for claim in script.claims:
        angle = lines.get(_norm(claim.text))
        if angle is None:
            continue
        source = _field_text(product, claim.field)
        if source is None or not re.search(angle[1], source.lower(), re.I):
            defects.append(f"premise: {claim.text!r} ({angle[0]}) cites {claim.field}, which does not say it")
    # markup and boilerplate read aloud
    if _MARKUP.search(script.voiceover):
        defects.append(f"markup: {_MARKUP.search(script.voiceover).group(0)!r} is read aloud")
    for sentence in split_sentences(script.voiceover):
        if is_boilerplate(sentence):
            defects.append(f"markup: boilerplate read aloud: {sentence!r}")
    # reviews that are not something a customer said
    authors = {(r.author or "").strip().lower() for r in product.reviews}
    for quote in _QUOTE.findall(script.voiceover):
        if not review_text(quote) or quote.strip().lower() in authors:
            defects.append(f"review: quotes {quote!r}, which is not a review")
    if re.search(r"amazon customer|verified (?:buyer|purchase)", script.voiceover, re.I):
        defects.append("review: a placeholder author is read aloud")
    # features said in part
    for claim in script.claims:
        if claim.field.startswith("features["):
            source = _field_text(product, claim.field)
            if source and _norm(claim.text) not in lines and cut_mid_phrase(claim.text, source):
                defects.append(f"cut: {claim.text!r} stops inside {claim.field}")
    if not name_said(script, product):
        defects.append(f"unnamed: {short_name(product)!r} is never said")
    return defects


def name_said(script: AdScript, product: Product) -> bool:
    name = short_name(product)
    return _norm(name) in _norm(script.voiceover) or (is_cjk_text(name) and name.replace(" ", "") in
                                                        script.voiceover.replace(" ", ""))


def name_words(product: Product) -> list[str]:
    """The words of the product's name as the page titles it, independent of how the writer shortens
    it: the title up to its first separator, comma or 'with/for', less the brand and size words."""
    title = re.sub(r"\s+", " ", product.title).strip()
    head = re.split(r"\s+[|–—-]\s+|,|\(|（|\s(?:with|for|featuring|con|para)\s", title, maxsplit=1)[0]
    head = re.sub(r"\b(?:set|pack|box|case) of \d+\b", " ", head, flags=re.I)  # a pack size, not a name
    if not re.search(r"[^\W\d_]{3,}", head):  # a title that opens with its dimensions
        head = title
    brand = set(re.findall(r"[^\W\d_]+", (product.brand or "").lower()))
    if is_cjk_text(head):
        return [w for w in head.split() if w and w not in (product.brand or "")][:1]
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", head) if len(w) >= 3 and not _is_size(w)]
    return [w for w in words if w.lower() not in brand]


def name_said_whole(script: AdScript, product: Product) -> bool:
    said = _norm(script.voiceover)
    return all(w.lower() in said for w in name_words(product))


# --------------------------------------------------------------------------- the fit table


def fit_table(products: dict[str, Product], *, variants: int = 3, duration_s: float = 20.0, engine: str = "template",
              seconds=None, settings: dict | None = None, words_per_second: float | None = None,
              pace=None) -> dict:
    """Write each product's scripts in its page's language and audit them.

    seconds(script) -> the voiceover's length as a voice reads it (default: the writer's own
    estimate). The scripts are fitted to words_per_second, or to pace(language) (the pace of the
    voice that reads that language: pipelines.voice.words_per_second), else the language default.
    Returns {"rows": [...], "variants": N, "defective": n, "products": P,
    "names_whole": m, "lengths_ok": k, "length_checked": L}.
    """
    from pipelines.script import ScriptOptions, write_scripts
    from pipelines.script.guards import voiceover_seconds

    rows, defective, whole, lengths_ok, counted = [], 0, 0, 0, 0
    for name, product in products.items():
        language = product.language or "en"
        wps = words_per_second or (pace(language) if pace else None)
        options = ScriptOptions(variants=variants, duration_s=duration_s, language=language, words_per_second=wps)
        scripts = write_scripts(product, options, engine=engine, settings=settings)
        product_whole = all(name_said_whole(s, product) for s in scripts)
        whole += product_whole
        for s in scripts:
            defects = audit_script(s, product)
            length = seconds(s) if seconds else voiceover_seconds(s, wps)
            ok = abs(length - duration_s) <= 0.10 * duration_s
            defective += bool(defects)
            lengths_ok += ok
            counted += 1
            rows.append({"page": name, "variant": s.variant_id, "angle": s.angle, "language": s.language,
                         "taxonomy": product_taxonomy(product), "seconds": round(length, 1), "length_ok": ok,
                         "name_whole": product_whole, "defects": defects, "warnings": s.warnings})
    return {"rows": rows, "variants": counted, "defective": defective, "products": len(products),
            "names_whole": whole, "lengths_ok": lengths_ok, "length_checked": counted}


def format_fit_table(table: dict, measured_by: str = "estimate") -> str:
    lines = [f"{'page':58} {'variant':14} {'angle':24} {'lang':4} {'sec':>5}  defects"]
    for r in table["rows"]:
        lines.append(f"{r['page'][-58:]:58} {r['variant']:14} {r['angle'][:24]:24} {r['language']:4} "
                     f"{r['seconds']:5.1f}  {'; '.join(r['defects']) or '-'}")
    lines.append(f"variants with any defect: {table['defective']} of {table['variants']}")
    lines.append(f"names said whole: {table['names_whole']} of {table['products']}")
    lines.append(f"lengths within ±10 % ({measured_by}): {table['lengths_ok']} of {table['length_checked']}")
    return "\n".join(lines)
