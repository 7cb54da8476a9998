"""Signed webhooks, for jobs and campaigns alike.

Every POST is signed the same way (`X-Adgen-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`,
checked like Stripe's), goes through the outbound-URL guard again at send time, and is retried
by its dramatiq actor with backoff up to WEBHOOK_MAX_ATTEMPTS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from adgen.ads.models import AdJob, Webhook, WebhookDelivery
from adgen.security.outbound import outbound_post
from pipelines.errors import ScrapeError
from tenants.models import Workspace

WEBHOOK_MAX_ATTEMPTS = 6


class WebhookFailed(Exception):
    """Raised so the deliver actor's retries (with backoff) try again."""


@dataclass(frozen=True)
class WebhookAttempt:
    status: str  # delivered | pending (try again) | failed (never again)
    status_code: int | None
    error: str


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the receiver checks both, like Stripe's)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_post(*, url: str, secret: str, event: str, delivery_id: str, payload: dict,
                 attempt: int) -> WebhookAttempt:
    """One signed POST of `payload`; `attempt` counts from 1."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "adgen-webhooks/1", "X-Adgen-Event": event,
               "X-Adgen-Delivery": delivery_id, "X-Adgen-Signature": webhook_signature(secret, timestamp, body)}
    refused = False
    try:  # the guard again, now: a URL registered while private hosts were allowed is refused here
        status_code = outbound_post(url, body=body, headers=headers)
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}"
    except ScrapeError as exc:
        status_code, refused, error = None, exc.code != "unreachable", exc.message[:1000]
    if status_code is not None and not error:
        return WebhookAttempt("delivered", status_code, "")
    final = refused or attempt >= WEBHOOK_MAX_ATTEMPTS
    return WebhookAttempt("failed" if final else "pending", status_code, error)


# --------------------------------------------------------------------------- job webhooks


def webhook_create(*, workspace: Workspace, url: str, secret: str, events: list[str] | None = None,
                   active: bool = True) -> Webhook:
    return Webhook.objects.create(workspace=workspace, url=url, secret=secret, events=events or [], active=active)


def webhook_update(*, webhook: Webhook, **fields) -> Webhook:
    for name in ("url", "secret", "events", "active"):
        if name in fields:
            setattr(webhook, name, fields[name])
    webhook.save()
    return webhook


def job_payload(job: AdJob) -> dict:
    from adgen.ads.selectors import job_outputs

    return {"id": str(job.pk), "workspace_id": str(job.workspace_id), "status": job.status,
            "url": job.url, "error": ({"code": job.error_code, "message": job.error_message, "stage": job.error_stage}
                                      if job.status == AdJob.Status.FAILED else None),
            "outputs": job_outputs(job)}


def webhooks_emit(*, job: AdJob, event: str) -> list[WebhookDelivery]:
    """Queue one signed delivery per subscribed webhook, sent after the transaction commits."""
    deliveries = []
    for webhook in Webhook.objects.for_workspace(job.workspace_id).filter(active=True):
        if webhook.events and event not in webhook.events:
            continue
        delivery = WebhookDelivery.objects.create(
            workspace_id=job.workspace_id, webhook=webhook, event=event,
            payload={"id": None, "type": event, "created": int(time.time()), "data": job_payload(job)})
        delivery.payload["id"] = str(delivery.pk)
        delivery.save(update_fields=["payload"])
        deliveries.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: _send(pk))
    return deliveries


def _send(delivery_id) -> None:
    from adgen.ads.actors import deliver_webhook

    deliver_webhook.send(str(delivery_id))


def webhook_deliver(*, delivery_id) -> WebhookDelivery:
    delivery = (WebhookDelivery.objects.dangerously_unscoped().select_related("webhook")
                .get(pk=delivery_id))
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery
    delivery.attempts += 1
    attempt = webhook_post(url=delivery.webhook.url, secret=delivery.webhook.secret, event=delivery.event,
                           delivery_id=str(delivery.pk), payload=delivery.payload, attempt=delivery.attempts)
    delivery.last_status_code, delivery.last_error = attempt.status_code, attempt.error
    if attempt.status == "delivered":
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, timezone.now()
    elif attempt.status == "failed":
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(update_fields=["status", "attempts", "last_status_code", "last_error", "delivered_at"])
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise WebhookFailed(f"webhook delivery {delivery.pk} attempt {delivery.attempts}: {delivery.last_error}")
    return delivery
