"""Bounded schemathesis over the whole API (finding 4 stays fixed): a few generated requests per
operation, in a real workspace with an admin key, each checked for no server error and for
conformance to the OpenAPI schema (status codes, content types, response bodies).

Runs inside `make test` (tests/ is the suite). How many cases and how long: printed at the end
(`-s` shows it)."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.billing.stripe_server import stripe_server, stripe_settings  # noqa: F401,E402  (fixtures)

pytestmark = pytest.mark.django_db
EXAMPLES_PER_OPERATION = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SKIP = {
    ("GET", "/api/v1/workspaces/{workspace_id}/ads/{id}/events/"),  # a stream: checked in test_queries
}


@pytest.fixture
def api(make_tenant, settings, stripe_settings):
    from django.core.wsgi import get_wsgi_application

    from django.core import signals
    from django.db import close_old_connections

    # Stripe is the local wire-protocol server of tests/billing (checkout and portal really answer)
    tenant = make_tenant()
    # the app runs in the test's transaction, as Django's test client runs it: no connection closing
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield tenant, schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_within_its_schema(api):
    tenant, schema = api
    stats = {"cases": 0, "operations": 0}
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        stats["operations"] += 1

        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                             phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck))
        def run(case):
            if "workspace_id" in (case.path_parameters or {}):
                case.path_parameters["workspace_id"] = str(tenant.workspace.pk)
            stats["cases"] += 1
            response = case.call(headers={"Authorization": f"Bearer {tenant.raw_api_key}"})
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # every failing operation, not only the first
                failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")

        given(case=operation.as_strategy())(run)()
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {stats['cases']} cases over {stats['operations']} operations in {elapsed:.1f} s, "
          f"{len(failures)} failing operations")
    assert not failures, "\n\n".join(failures)
