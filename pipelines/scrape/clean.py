"""Product copy as a shopper reads it: marketplace markup, boilerplate and cut-offs removed.

Marketplace bullets carry typographic headers ("【Easy To Install】Wall mounted...", "EASY TO
INSTALL - ..."), shop-wide boilerplate ("Make sure this fits by entering your model number.",
shipping and returns, "contact us") and run for hundreds of characters. A script reads
features aloud, so the scraper hands over each feature once, clean, cut only where a clause
ends, with the header kept apart as a short label; reviews whose text is empty, a name or a
widget's chrome are refused.

Used by the extractor (every source) and again by the script writer (a Product may come from
a JSON file written before this cleaning existed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FEATURE_CHARS = 150

# "【Soft and Homely】", "[EASY SETUP]", "〖...〗", "「...」" anywhere in a bullet
_BRACKETS = re.compile(r"\s*[【〖「『\[]([^】〗」』\]]{1,70})[】〗」』\]]\s*[:：\-–—|]?\s*")
# "EASY TO INSTALL: ...", "EASY TO INSTALL - ..." (an all-caps header before the text)
_CAPS_HEADER = re.compile(r"^\s*([A-Z0-9][A-Z0-9 &'’/+.-]{2,50}[A-Z0-9])\s*(?:[:：|]|\s[-–—]\s)\s*")
# "Easy To Install: ..." (a short title-case header before a longer text)
_TITLE_HEADER = re.compile(r"^\s*((?:[A-Z0-9][\w'’/&+.-]*\s+){0,5}[A-Z0-9][\w'’/&+.-]*)\s*(?:[:：|]|\s[-–—]\s)\s*(?=\S)")
_LEAD_MARKS = re.compile(r"^[\s•·▪◆◇►▶➤➜→✓✔✅☑★☆✨⭐️🔥💯👉❤️\-–—*+>]+")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")

# Shop-wide text that says nothing about this product (EN, ES, DE, FR, ZH), matched anywhere.
BOILERPLATE = re.compile(
    r"make sure (?:this|it) fits|entering your model number|see more product details|"
    r"report (?:an )?incorrect product information|about this item|visit the .{1,40} store|"
    r"free (?:shipping|delivery|returns)|ships (?:in|within|from|free)|fast (?:shipping|delivery)|"
    r"shipping (?:policy|time|cost|info)|delivery (?:time|date|estimate)|estimated delivery|"
    r"(?:easy|free|hassle[- ]free|\d+[- ]day) returns?|return policy|refund|money[- ]back|"
    r"satisfaction guarantee|no questions asked|(?:please )?(?:feel free to )?contact (?:us|our|the seller)|"
    r"customer (?:service|support|care)|after[- ]sales?|we will (?:reply|respond|get back)|within 24 hours|"
    r"click (?:the )?(?:add to cart|buy now|button)|add to (?:cart|basket|bag)|buy (?:it )?now|"
    r"(?:please )?note:|please (?:allow|note|understand)|due to (?:the )?(?:different )?(?:monitor|screen|light)|"
    r"manual measurement|colou?rs? may (?:vary|differ)|slight (?:colou?r )?(?:difference|deviation)|"
    r"\bsku\b|\bitem (?:number|model number)\b|\bASIN\b|best sellers rank|customer reviews:|"
    r"envío|devoluci|reembolso|contáctenos|contáctanos|no dude en|atención al cliente|"
    r"versand|rückgabe|kundenservice|livraison|retours?\b|service client|"
    r"包邮|退换|退货|客服|售后|无理由|发货|快递",
    re.I)

# Words a clause cannot end on: a cut there leaves the phrase hanging ("These wall mounted.").
DANGLING = {"a", "an", "the", "and", "or", "but", "with", "for", "to", "of", "in", "on", "at", "by", "from",
            "into", "your", "our", "its", "their", "this", "these", "that", "which", "is", "are", "be", "as",
            "so", "than", "while", "when", "if", "up", "can", "will", "y", "de", "la", "el", "los", "las",
            "con", "para", "en", "un", "una", "del", "mounted", "designed", "made", "perfect"}

# Review "texts" that are a widget's chrome or a placeholder name, not something a customer said.
NOT_A_REVIEW = re.compile(
    r"^(?:amazon customer|a customer|verified (?:buyer|purchase|purchaser)|anonymous|customer|guest|"
    r"kindle customer|read more|see more|helpful|report|\d+ people found this helpful|reviewed in .*|"
    r"comprador verificado|cliente|anónimo|匿名用户?|买家|用户\d*)\.?$", re.I)
PLACEHOLDER_AUTHORS = re.compile(r"^(?:amazon customer|a customer|kindle customer|verified (?:buyer|purchaser)|"
                                 r"anonymous|customer|guest|cliente|anónimo|匿名用户?|买家)$", re.I)
_REVIEW_CHROME = re.compile(r"\s*(?:verified purchase|read more|see more|helpful\s*report|"
                            r"\d+ (?:people|person) found this helpful|compra verificada)\s*", re.I)

_CJK = re.compile(r"[\u3400-\u9fff\u3040-\u30ff]")
_NAME_LIKE = re.compile(r"^[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]*\.?){0,2}\.?$")  # "Jane", "Jane D.", "Mary Ann Lee"
_CLAUSE_OPENERS = (r"(?:which|so|and|but|while|making|allowing|perfect|ideal|great|for|with|that|giving|keeping|"
                   r"providing|plus|whether|even|from|y|que|para|con|ideal)")


@dataclass
class CleanFeature:
    text: str  # one or more whole clauses, ending in a full stop (or 。)
    label: str  # the page's own header for it ("Easy To Install"), else ""


def _is_cjk(text: str) -> bool:
    return len(_CJK.findall(text)) >= max(2, len(text) // 5)


def is_boilerplate(text: str) -> bool:
    return bool(BOILERPLATE.search(text or ""))


def strip_markup(text: str) -> tuple[str, str]:
    """(text without headers and bullet marks, the first header found)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    label = ""
    found = _BRACKETS.search(text)
    if found:
        label = found.group(1).strip()
        text = _BRACKETS.sub(lambda m: " " if m.start() else "", text).strip()
    text = _EMOJI.sub("", text)
    text = _LEAD_MARKS.sub("", text).strip()
    caps = _CAPS_HEADER.match(text)
    if caps and len(text) - caps.end() >= 12 and sum(c.isalpha() for c in caps.group(1)) >= 3:
        label = label or caps.group(1).strip().title()
        text = text[caps.end():]
    else:
        title = _TITLE_HEADER.match(text)
        rest = text[title.end():] if title else ""
        words = title.group(1).split() if title else []
        if title and len(words) >= 2 and len(rest.split()) >= 5 and all(w[0].isupper() or w[0].isdigit()
                                                                          for w in words if len(w) > 3):
            label = label or title.group(1).strip()
            text = rest
    text = _sentence_case_caps(text.strip(" -–—:：|").strip())
    if label and len(re.findall(r"[^\W\d_]{3,}", text)) < 3:
        # "3 SIZES FOR EVERY TASK: 15 x 10, 12 x 8 and 9 x 6 inches": the header carries the meaning
        text = f"{label[:1].upper()}{label[1:].lower().rstrip('.')}: {text}"
    return text, label


_CAPS_RUN = re.compile(r"\b[A-Z0-9][A-Z0-9'’/+-]*[A-Z](?:\s+[A-Z0-9][A-Z0-9'’/+-]*[A-Z]\b)+")
_SHORT_WORDS = {"AND", "THE", "FOR", "OF", "TO", "IN", "ON", "ALL", "NON", "BOX", "YOU", "OUR", "ANY", "CAN", "GET",
                "NEW", "TWO", "ONE", "DRY", "FIT", "USE", "SET", "KIT", "BIG", "HOT", "OFF", "OZ", "WITH", "YOUR"}


def _sentence_case_caps(text: str) -> str:
    """'VEGAN AND CRUELTY-FREE, made without...' -> 'Vegan and cruelty-free, made without...': a run of
    shouted words is sentence-cased; short acronyms in it (LED, USB, ABS) and a lone 'ANSI' stay."""
    def lower(m: re.Match) -> str:
        return " ".join(w if (len(re.sub(r"[^A-Z]", "", w)) <= 3 and w not in _SHORT_WORDS) or re.search(r"\d", w)
                        else w.lower() for w in m.group(0).split())

    out = _CAPS_RUN.sub(lower, text)
    out = re.sub(r"\b[A-Z]{5,}\b", lambda m: m.group(0).lower(), out)  # a lone shouted word ('1000 PIECES')
    return out[0].upper() + out[1:] if out else out


def _ends_clean(clause: str) -> bool:
    words = re.findall(r"[\w'’-]+", clause.lower())
    return bool(words) and words[-1] not in DANGLING


def cut_at_clause(text: str, limit: int = MAX_FEATURE_CHARS) -> str | None:
    """The longest run of whole sentences, else of whole clauses, that fits in limit; None when
    even the first clause is longer (a cut inside it would leave the phrase hanging)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    sentences = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s+", text) if s.strip()]
    kept = ""
    for s in sentences:
        candidate = f"{kept} {s}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    # one long sentence: whole clauses (split after , ; : or a dash), the clause must end cleanly
    # (a bare comma may sit inside a list of adjectives, "a warm, soft glow": only one that opens
    # a new clause counts)
    parts = re.split(r"(?<=[;:，；：])\s+|\s+[-–—]\s+|(?<=,)\s+(?=" + _CLAUSE_OPENERS + r"\b)",
                     sentences[0] if sentences else text)
    kept = ""
    for part in parts:
        candidate = f"{kept} {part}".strip() if kept else part
        if len(candidate.rstrip(",;:，；：")) > limit:
            break
        kept = candidate
    kept = kept.rstrip(" ,;:，；：")
    if not kept or len(kept) < 12 or not _ends_clean(kept):
        return None
    return kept


def _finish(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    if _is_cjk(text):
        return text if text[-1] in "。！？" else text.rstrip("，、；;,") + "。"
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text.rstrip(",;:") + "."


def clean_feature(raw: str, limit: int = MAX_FEATURE_CHARS) -> CleanFeature | None:
    """A feature bullet as it may be spoken, or None when it is boilerplate or cannot be cut cleanly."""
    text, label = strip_markup(raw)
    if not text or is_boilerplate(text) or is_boilerplate(label):
        return None
    if not _is_cjk(text) and len(re.findall(r"[A-Za-zÀ-ÿ]{2,}", text)) < 2:
        return None  # a size, a code or a lone word is not a feature sentence
    cut = cut_at_clause(text, limit)
    if cut is None:
        return None
    return CleanFeature(_finish(cut), label)


def clean_features(raw: list[str], limit: int = MAX_FEATURE_CHARS) -> list[str]:
    """Page bullets, cleaned, boilerplate dropped, each said once."""
    out: list[str] = []
    for item in raw:
        cleaned = clean_feature(item, limit)
        if not cleaned:
            continue
        text = cleaned.text.rstrip("。") if _is_cjk(cleaned.text) else cleaned.text.rstrip(".")
        if text.lower() not in (o.lower() for o in out):
            out.append(text)
    return out


def clean_description(text: str) -> str:
    """A description without its bracket headers and boilerplate sentences."""
    if not text:
        return ""
    text = _BRACKETS.sub(". ", text)
    sentences = re.split(r"(?<=[.!?。！？])\s+", re.sub(r"\s+", " ", text).strip())
    kept = [s for s in (x.strip(" .") for x in sentences) if s and not is_boilerplate(s)]
    joined = " ".join(s if s[-1] in ".!?。！？" else s + ("。" if _is_cjk(s) else ".") for s in kept)
    return joined.strip()


def review_author(author: str | None) -> str | None:
    """The reviewer's name when it is one (not 'Amazon Customer' or 'Verified Buyer')."""
    author = re.sub(r"\s+", " ", author or "").strip(" -–—:")
    if not author or PLACEHOLDER_AUTHORS.match(author) or len(author) > 40:
        return None
    return author


def review_text(text: str | None, author: str | None = None) -> str | None:
    """The words a customer wrote, or None when there are none (empty, a name, a widget's chrome)."""
    text = _REVIEW_CHROME.sub(" ", re.sub(r"\s+", " ", text or "")).strip(" \"“”'")
    if not text or NOT_A_REVIEW.match(text):
        return None
    if author and text.strip(" .").lower() == author.strip(" .").lower():
        return None
    if _is_cjk(text):
        return text if len(_CJK.findall(text)) >= 6 else None
    if len(re.findall(r"[^\W\d_]{2,}", text)) < 2 or _NAME_LIKE.match(text):
        return None  # "Great!", "Jane D." are not something a presenter can quote
    return text
