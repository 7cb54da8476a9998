"""Throttles beyond the per-workspace budget (DRF's SimpleRateThrottle, on the shared cache).

Log-in lockout is django-axes' (settings.AXES_*); these cover API-key guessing per address,
sign-up per address and per email, scrape submissions and API-key creation per workspace."""

from __future__ import annotations

import hashlib

from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle


class WorkspaceScopedThrottle(SimpleRateThrottle):
    """One budget per workspace for one kind of write (set `scope`)."""

    def get_cache_key(self, request, view):
        workspace = getattr(request, "workspace", None)
        return None if workspace is None else self.cache_format % {"scope": self.scope, "ident": workspace.pk}


class ScrapeThrottle(WorkspaceScopedThrottle):
    scope = "scrape"


class ApiKeyCreateThrottle(WorkspaceScopedThrottle):
    scope = "api_key_create"


class SignupThrottle(SimpleRateThrottle):
    """Sign-ups per client address."""

    scope = "signup"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignupEmailThrottle(SimpleRateThrottle):
    """Sign-ups per email address (each one sends that address a mail)."""

    scope = "signup_email"

    def get_cache_key(self, request, view):
        email = (request.POST.get("email") or "").strip().lower()
        if not email:
            return None
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(email.encode()).hexdigest()}


class ApiKeyFailureThrottle(SimpleRateThrottle):
    """Wrong API keys per client address: only failures count, and past the rate every Bearer
    request from that address is a 429 until the window passes (guessing stops being useful)."""

    scope = "api_key_failures"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _history(self, request) -> list[float]:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        return [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def check(self, request) -> None:
        history = self._history(request)
        if len(history) >= self.num_requests:
            self.history = history
            raise exceptions.Throttled(wait=self.wait(), detail="Too many wrong API keys from this address.")

    def record_failure(self, request) -> None:
        history = self._history(request)
        history.insert(0, self.now)
        self.cache.set(self.key, history, self.duration)


def throttled_or_none(request, *throttles) -> float | None:
    """For plain Django views: seconds to wait when any throttle refuses, else None."""
    for throttle_class in throttles:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            return throttle.wait() or 1.0
    return None
