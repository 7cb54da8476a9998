"""A job's server-sent event stream: its state each time it changes, until it ends.

Under ASGI (`adgen serve`) the stream is an async generator: it holds no worker thread while
it waits, an event leaves as soon as the poll that sees the change returns (every
ADGEN_SSE_POLL_S), and a server shutting down can cut it. Under WSGI (the development server,
the test live server) the same loop runs as a plain generator.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import AsyncIterator, Iterator

from django.conf import settings

from adgen.ads import selectors
from adgen.ads.models import AdJob

RETRY = "retry: 2000\n\n"  # the browser's EventSource reconnects after 2 s (to any web process)


def _event(job: AdJob, base_url: str) -> tuple[str, bool]:
    job.refresh_from_db()
    payload = json.dumps(selectors.job_status(job, base_url=base_url), default=str)
    return payload, job.is_terminal


def _frame(payload: str, terminal: bool) -> str:
    return f"event: {'done' if terminal else 'progress'}\ndata: {payload}\n\n"


def job_events(job: AdJob, *, base_url: str, timeout_s: float) -> Iterator[str]:
    last, deadline = None, time.monotonic() + timeout_s
    yield RETRY
    while True:
        payload, terminal = _event(job, base_url)
        if payload != last:
            last = payload
            yield _frame(payload, terminal)
        if terminal or time.monotonic() > deadline:
            return
        time.sleep(settings.ADGEN_SSE_POLL_S)


async def job_events_async(job: AdJob, *, base_url: str, timeout_s: float) -> AsyncIterator[str]:
    from asgiref.sync import sync_to_async
    from django.db import connection

    # thread-sensitive: this request's own thread, so one database connection per stream
    read = sync_to_async(_event)
    last, deadline = None, time.monotonic() + timeout_s
    try:
        yield RETRY
        while True:
            payload, terminal = await read(job, base_url)
            if payload != last:
                last = payload
                yield _frame(payload, terminal)
            if terminal or time.monotonic() > deadline:
                return
            await asyncio.sleep(settings.ADGEN_SSE_POLL_S)
    finally:
        # look the connection up in the thread that closes it (a bound method fetched here would be
        # this event loop thread's, and closing it elsewhere raised, cutting the stream's last chunk)
        await sync_to_async(lambda: connection.close())()


def is_asgi(request) -> bool:
    return "wsgi.input" not in getattr(request, "META", {})
