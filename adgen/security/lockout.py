"""Log-in lockout through django-axes."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend for every HTTP log-in (dashboard and /admin/): it refuses a locked-out
    account or address before the password is checked. A log-in with no request (tests' and
    scripts' `authenticate(...)`) has no address to count and passes on to the next backend."""

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
