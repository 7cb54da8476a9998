"""`Authorization: Bearer <api key>` authentication (kept free of rest_framework.views imports,
which would be circular: DRF's settings import this module)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from adgen.security.throttles import ApiKeyFailureThrottle
from tenants.models import ApiKey
from tenants.selectors import api_key_authenticate
from tenants.services import api_key_touch


class ApiKeyUser:
    """The principal of a request made with a workspace API key (no Django user behind it)."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <api key>`."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: use 'Bearer <api key>'.")
        failures = ApiKeyFailureThrottle()
        failures.check(request)  # 429 once an address has guessed wrong too often
        api_key = api_key_authenticate(raw=header[1].decode(errors="replace"))
        if api_key is None:
            failures.record_failure(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        api_key_touch(api_key=api_key)
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request):
        return "Bearer"


