"""Every error code the code base can record has a plain-language hint in adgen.ads.error_hints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adgen.ads.error_hints import ERROR_HINTS, UNKNOWN_ERROR, error_hint, error_hint_for

ROOT = Path(__file__).resolve().parents[2]
# where codes are raised or recorded: the stages, the job lifecycle and services, billing, campaigns
SOURCES = [*sorted((ROOT / "pipelines").rglob("*.py")), *sorted((ROOT / "adgen" / "billing").glob("*.py")),
           ROOT / "adgen/ads/lifecycle.py", ROOT / "adgen/ads/services.py", ROOT / "adgen/ads/policy.py",
           ROOT / "adgen/campaigns/services.py"]
CODE_PATTERNS = [
    r'\b(?:error_code|default_code|code)\s*=\s*"([a-z_]+)"\s*(?:[,)\n]|$)',  # code="x", code = "x" (class attr)
    r'\bcode\s*=\s*"([a-z_]+)"\s*$',
    r'_(?:run|item)_fail\(\w+,\s*"([a-z_]+)"',  # campaigns: _run_fail(run, "source_empty", ...)
    r'return None, \("([a-z_]+)"',  # campaigns: a product's scrape crashed
    r'\.error_code = [^,\n]+, "([a-z_]+)"',  # run.status, run.error_code = FAILED, "all_products_failed"
    r'\bcode, message, retryable = "([a-z_]+)"',  # lifecycle: a stage timed out or crashed
    r'error_code or "([a-z_]+)"',  # lifecycle: a failed run without a code
]


def raised_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for path in SOURCES:
        text = path.read_text()
        for pattern in CODE_PATTERNS:
            for match in re.finditer(pattern, text, flags=re.M):
                codes.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return codes


def test_the_scan_finds_the_codes_we_know_of():
    codes = raised_codes()
    for known in ("unreachable", "timeout", "input_missing", "plan_stalled", "internal_error", "stage_timeout",
                  "insufficient_credits", "engine_not_available", "stage_failed", "invalid_job", "source_empty",
                  "all_products_failed", "product_failed", "not_a_product", "broll_out_of_memory"):
        assert known in codes, known
    assert len(codes) > 100


def test_every_code_the_code_base_raises_has_a_hint():
    missing = {code: where for code, where in raised_codes().items() if code not in ERROR_HINTS}
    assert not missing, f"add these codes to adgen/ads/error_hints.py ERROR_HINTS: {missing}"


@pytest.mark.parametrize("code", sorted(ERROR_HINTS))
def test_each_hint_is_plain_words(code):
    hint = ERROR_HINTS[code]
    assert hint.title and hint.next_step.endswith((".", ")"))
    for developer_word in ("Errno", "Exception", "stage", "None", "_"):
        assert developer_word not in hint.title + hint.next_step, (code, developer_word)


def test_scrape_connection_errors_say_to_check_the_link():
    for code in ("unreachable", "timeout"):
        hint = error_hint_for(code)
        assert hint.title == "The product page did not answer" and hint.link_problem
        assert "Check the link opens in your browser" in hint.next_step


def test_an_unknown_code_gets_a_friendly_generic_hint():
    assert error_hint_for("something_new") is UNKNOWN_ERROR
    assert error_hint_for(None) is UNKNOWN_ERROR
    assert error_hint("something_new") == {"title": UNKNOWN_ERROR.title, "next_step": UNKNOWN_ERROR.next_step,
                                           "link_problem": False, "retry_may_help": True}
