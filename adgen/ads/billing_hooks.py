"""The one place the job lifecycle touches billing.

`adgen.billing.services` is imported lazily so ads works (and its tests run) whether or not
billing provides a function yet: a missing function means "no billing", never a crash.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)


def _billing(name: str):
    """billing's function `name` (services first, then selectors for reads like job_quote)."""
    for module_name in ("adgen.billing.services", "adgen.billing.selectors"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, name):
            return getattr(module, name)
    return None


def job_reference(job) -> str:
    return f"job:{job.id}"


def job_quote(*, organization, spec: dict) -> int | None:
    quote = _billing("job_quote")
    return None if quote is None else quote(organization=organization, spec=spec)


def job_hold(*, job, organization, spec: dict) -> int | None:
    """Quote and hold the job's cost; raises billing's InsufficientCredits. Call inside the
    submit transaction so a refused hold leaves no job behind."""
    quote, hold = _billing("job_quote"), _billing("credits_hold")
    if quote is None or hold is None:
        return None
    amount = int(quote(organization=organization, spec=spec))
    if amount <= 0:
        return None
    hold(organization=organization, amount=amount, reference=job_reference(job))
    return amount


def render_capture(*, job, render, amount: int) -> None:
    capture = _billing("credits_capture")
    if capture is not None and amount > 0 and job.quoted_credits is not None:
        capture(reference=job_reference(job), amount=amount, idempotency_key=f"render:{render.id}")


def job_release(*, job) -> None:
    """Give back whatever is still held (nothing when the job never held credits)."""
    release = _billing("credits_release")
    if release is not None and job.quoted_credits is not None:
        release(reference=job_reference(job))
