"""The words an ad should not say: adgen's default blocklist plus a workspace's own banned words."""

from __future__ import annotations

import re

# Words an ad should not say unless a workspace explicitly allows them: medical/absolute
# promises regulators dislike, and language no brand wants under its logo.
DEFAULT_BLOCKLIST = [
    "miracle", "cure", "cures", "cured", "risk-free", "risk free", "get rich", "lose weight fast",
    "no side effects", "fda approved", "doctor recommended",
    "fuck", "shit", "damn", "crap", "sucks", "stupid", "idiot", "hate", "kill", "killer", "die", "dead",
    "奇迹", "治愈", "根治", "包治", "零风险", "无副作用", "垃圾", "该死", "去死", "傻", "废物",
]


def _term_in(term: str, text: str) -> bool:
    """Whole-word, case-insensitive for Latin terms; substring for CJK."""
    if re.search(r"[\u3400-\u9fff]", term):
        return term in text
    return re.search(r"(?<![\w#])" + re.escape(term.lower()) + r"(?![\w])", text.lower()) is not None


def blocked_terms_in(text: str, extra: list[str] | None = None, use_defaults: bool = True) -> list[str]:
    terms = (DEFAULT_BLOCKLIST if use_defaults else []) + list(extra or [])
    return [t for t in terms if t and _term_in(t, text)]
