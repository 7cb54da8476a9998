"""The one place the job lifecycle touches billing.

Billing is imported like any other module: a job that cannot hold its quote is never created,
so a missing or renamed billing function refuses jobs instead of running them free.
"""

from __future__ import annotations

import uuid

from adgen.billing import selectors as billing_selectors
from adgen.billing import services as billing_services
from pipelines.jobs import JobSpec


JOB_REFERENCE_PREFIX = "job:"


def job_reference(job) -> str:
    return f"{JOB_REFERENCE_PREFIX}{job.id}"


def job_id_from_reference(reference: str) -> uuid.UUID | None:
    """The job a hold or ledger reference names, or None when it names something else."""
    if not reference.startswith(JOB_REFERENCE_PREFIX):
        return None
    try:
        return uuid.UUID(reference[len(JOB_REFERENCE_PREFIX):])
    except ValueError:
        return None


def job_holds(*, organization, jobs) -> dict:
    """Each job's credit hold (what it held, captured, released), by job id."""
    references = {job_reference(job): job.pk for job in jobs}
    holds = billing_selectors.holds_list(organization=organization).filter(reference__in=references)
    return {references[hold.reference]: hold for hold in holds}


def job_quote(*, organization, spec: JobSpec) -> int:
    return billing_selectors.job_quote(organization=organization, spec=spec)


def job_hold(*, job, organization, spec: JobSpec) -> int:
    """Quote and hold the job's cost; raises billing's InsufficientCredits. Call inside the
    submit transaction so a refused hold leaves no job behind."""
    amount = job_quote(organization=organization, spec=spec)
    billing_services.credits_hold(organization=organization, amount=amount, reference=job_reference(job))
    return amount


def render_capture(*, job, render, amount: int) -> None:
    if amount > 0:
        billing_services.credits_capture(reference=job_reference(job), amount=amount,
                                         idempotency_key=f"render:{render.id}")


def job_release(*, job) -> None:
    """Give back whatever is still held (a no-op when nothing is)."""
    billing_services.credits_release(reference=job_reference(job))
