"""Real `adgen worker` subprocesses for the tests that run the service end to end, and the small
API client those tests drive it with."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database (pytest-django's test_<name>) for the worker subprocesses."""
    from urllib.parse import quote

    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `adgen worker` process group (1 process, 2 threads), on every queue unless told which."""

    def __init__(self, env: dict, log: Path, queues: list[str] | None = None):
        self.env, self.log, self.queues = env, log, queues
        self.proc: subprocess.Popen | None = None
        self.killed = False  # ended on purpose: not a crash

    def start(self) -> "Worker":
        command = [sys.executable, "-m", "adgen.service_cli", "worker", "--processes", "1", "--threads", "2"]
        if self.queues:
            command += ["--queues", *self.queues]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        self.killed = True
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    @property
    def died(self) -> bool:
        return not self.killed and self.proc.poll() is not None

    def stop(self) -> None:
        self.killed = True
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class JobApi:
    """A tenant's API as the tests' clients use it: set `api` (the workspace's base URL) and `headers`."""

    api: str
    headers: dict

    def submit(self, **options) -> dict:
        response = httpx.post(f"{self.api}/ads/", json=options, headers=self.headers, timeout=30)
        assert response.status_code == 202, response.text
        return response.json()

    def job(self, job_id) -> dict:
        return httpx.get(f"{self.api}/ads/{job_id}/", headers=self.headers, timeout=30).json()
