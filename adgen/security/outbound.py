"""Every URL the service fetches or posts to passes pipelines.scrape.guard: at registration
(`validate_outbound_url`, a serializer validator) and again at send time (`outbound_post`, which
connects to the address the guard vetted). Private hosts only with ADGEN_ALLOW_PRIVATE_HOSTS=1."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from pipelines.errors import ScrapeError
from pipelines.scrape.guard import GuardPolicy, check_url, post_checked


def outbound_policy() -> GuardPolicy:
    return GuardPolicy(allow_private=settings.ADGEN_ALLOW_PRIVATE_HOSTS)


def validate_outbound_url(value: str) -> str:
    """A serializer validator: 400 naming the guard's rule (loopback, metadata, NAT64 forms...)."""
    try:
        check_url(value, outbound_policy())
    except ScrapeError as exc:
        if exc.code == "unreachable":
            raise serializers.ValidationError("This host does not resolve.", code="unreachable") from None
        rule = exc.message.split(": ", 1)[-1]
        raise serializers.ValidationError(f"This URL is not allowed: {rule}", code=exc.code) from None
    return value


def validate_fetch_url(value: str) -> str:
    """The guard's static rules at registration (scheme, credentials, IP literals in any spelling,
    localhost, ports) for URLs that are fetched later, where the guard runs again with DNS."""
    try:
        check_url(value, outbound_policy(), resolve=False)
    except ScrapeError as exc:
        rule = exc.message.split(": ", 1)[-1]
        raise serializers.ValidationError(f"This URL is not allowed: {rule}", code=exc.code) from None
    return value


def outbound_post(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    """POST through the guard (re-checked now, address pinned). Raises ScrapeError."""
    return post_checked(url, body=body, headers=headers, policy=outbound_policy(),
                        timeout_s=settings.ADGEN_WEBHOOK_TIMEOUT_S)


def bucket_endpoint_allowed(value: str) -> str | None:
    """The operator's spelling of an S3-compatible endpoint when `value` is one of
    ADGEN_BUCKET_ENDPOINTS, else None. Campaign buckets are written with the operator's
    credentials, so a tenant picks among the operator's endpoints, never types its own."""
    wanted = (value or "").strip().rstrip("/").lower()
    for endpoint in settings.ADGEN_BUCKET_ENDPOINTS:
        if endpoint.rstrip("/").lower() == wanted:
            return endpoint
    return None
