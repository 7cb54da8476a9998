"""The dashboard's "no worker is running" banner: which queues a waiting job needs that no live
worker consumes, in one query (none when nothing waits)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from adgen.ops.models import WorkerHeartbeat
from adgen.ops.selectors import queues_without_worker, worker_gap

pytestmark = pytest.mark.django_db


def beat(name: str, queues: list[str], *, age_s: float = 0) -> None:
    seen = timezone.now() - timedelta(seconds=age_s)
    WorkerHeartbeat.objects.create(name=name, hostname=name.split(":")[0], pid=1, queues=queues, started_at=seen,
                                   seen_at=seen)


def test_nothing_waiting_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert worker_gap([]) is None


def test_no_heartbeat_means_a_gap_with_the_command_to_start_a_worker(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert worker_gap({"io"}) == {"queues": ["io"], "command": "adgen worker --queues io,cpu"}
    assert worker_gap({"gpu"}) == {"queues": ["gpu"], "command": "adgen worker --queues gpu"}


def test_a_stale_heartbeat_does_not_count_and_a_fresh_one_closes_the_gap(settings):
    beat("old:1", ["io", "cpu"], age_s=settings.ADGEN_WORKER_STALE_S + 1)
    assert queues_without_worker({"cpu", "io"}) == ["io", "cpu"]
    beat("gpu-box:2", ["gpu"])
    assert queues_without_worker({"io", "gpu"}) == ["io"]
    beat("web:3", ["io", "cpu"])
    assert worker_gap({"io", "cpu", "gpu"}) is None
