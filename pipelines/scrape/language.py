"""The language a product page is written in: what the page declares, checked against its text.

Declared (in order): the product's JSON-LD `inLanguage`, `<html lang>`, `og:locale`, the
Content-Language header. Detected: CJK scripts by character counts (reliable on a handful of
characters), other languages with py3langid (langid.py's model, shipped inside the wheel, runs
offline). A declaration wins unless the product's own words (title, description, features)
are clearly in another language: many shops keep `lang="en"` on every locale, and it is the
product's words the ad will speak.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Languages a product page is likely to be in; narrowing the model's 97 avoids look-alikes (wuu, an, ...).
CANDIDATES = ["en", "es", "fr", "de", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "tr", "ru", "uk",
              "ro", "hu", "el", "id", "vi", "th", "ar", "he", "ja", "ko", "zh"]
MIN_LETTERS = 40  # below this a statistical guess is noise
MIN_CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier():
    import py3langid.langid as langid

    ident = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    ident.set_languages(CANDIDATES)
    return ident


def tag_language(raw: str | None) -> str | None:
    """'zh-CN' -> 'zh', 'es_ES' -> 'es'; None for anything that is not a language tag."""
    if not raw or not isinstance(raw, str):
        return None
    match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_]|$)", raw)
    return match.group(1).lower() if match else None


def detect_language(text: str) -> tuple[str | None, float]:
    """(language, confidence 0..1) of a text; (None, 0) when there is too little to tell."""
    sample = (text or "")[:4000]
    cjk = len(re.findall(r"[\u4e00-\u9fff]", sample))
    kana = len(re.findall(r"[\u3040-\u30ff]", sample))
    hangul = len(re.findall(r"[\uac00-\ud7af]", sample))
    letters = len(re.findall(r"[^\W\d_]", sample))
    if not letters:
        return None, 0.0
    if kana >= 5 and kana / letters > 0.05:
        return "ja", 1.0
    if hangul >= 5 and hangul / letters > 0.2:
        return "ko", 1.0
    if cjk >= 4 and cjk / letters > 0.2:
        return "zh", 1.0
    if letters < MIN_LETTERS:
        return None, 0.0
    language, confidence = _identifier().classify(sample)
    return language, float(confidence)


def page_language(*, declared: list[str | None], product_text: str, page_text: str = "") -> str:
    """The page's language as a base tag ('en', 'zh', 'es', ...)."""
    tag = next((t for t in (tag_language(d) for d in declared) if t), None)
    detected, confidence = detect_language(product_text)
    han_only = detected == "zh" and tag in ("ja", "ko", "zh")  # kanji/hanja are Han too: keep the declaration
    if detected and confidence >= MIN_CONFIDENCE and detected != tag and not han_only:
        return detected  # the product's own words outvote a site-wide lang attribute
    if tag:
        return tag
    if detected:
        return detected
    fallback, _ = detect_language(page_text)
    return fallback or "en"
