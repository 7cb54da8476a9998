"""The README's service section, run verbatim: the fenced blocks marked `<!-- readme-test: service -->`
go to bash as one script, on a fresh database, free loopback ports and the tests' Redis, from
nothing (createdb) to a downloaded MP4 through the API. Also the CLI details it relies on:
`adgen worker --queues io,cpu` == `--queues io cpu`, and `adgen tenant create --password` makes an
owner who can log in to the dashboard."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from adgen.service_cli import build_parser
from tests.ads.test_workers import broker_url  # noqa: F401  (fixture: the tests' Redis, stale queues cleared)
from tests.ops.test_serve import free_port

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- readme-test: service -->"


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(re.escape(MARKER) + r"\s*```bash\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("argv", [["io,cpu"], ["io", "cpu"], ["io,", "cpu", "io"]])
def test_worker_queues_spaced_or_comma_separated(argv):
    assert build_parser().parse_args(["worker", "--queues", *argv]).queues == ["io", "cpu"]
    assert build_parser().parse_args(["worker"]).queues == ["io", "cpu", "gpu"]


def test_worker_queues_refuses_an_unknown_queue(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["worker", "--queues", "io,gpus"])
    assert "gpus" in capsys.readouterr().err


@pytest.mark.django_db
def test_tenant_create_password_owner_logs_in(capsys, settings):
    from django.test import Client

    from adgen.service_cli import main

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert main(["tenant", "create", "Acme", "--email", "owner@acme.test", "--password", "a long pass phrase"]) == 0
    out = capsys.readouterr().out
    assert "/login/  (log in as owner@acme.test)" in out
    client = Client()
    login = client.post("/login/", {"username": "owner@acme.test", "password": "a long pass phrase"})
    assert login.status_code == 302, login.content.decode()[:2000]
    assert client.get("/workspaces/").status_code == 200

    # a weak password is refused before anything is made; an account's existing password is not replaced
    assert main(["tenant", "create", "Weak", "--email", "weak@acme.test", "--password", "12345678"]) == 2
    assert main(["tenant", "create", "Again", "--email", "owner@acme.test", "--password", "another long one"]) == 2
    # an owner made with no password (cannot log in) gets one from a later --password
    assert main(["tenant", "create", "NoPass", "--email", "nopass@acme.test"]) == 0
    assert "cannot log in" in capsys.readouterr().out
    assert main(["tenant", "create", "NoPass 2", "--email", "nopass@acme.test", "--password", "now a long one"]) == 0
    assert Client().post("/login/", {"username": "nopass@acme.test", "password": "now a long one"}).status_code == 302


def psql(*args: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", *args], check=True,
                   capture_output=True)


@pytest.mark.slow
def test_readme_service_section_runs_verbatim(broker_url, tmp_path):  # noqa: F811
    for tool in ("createdb", "psql", "curl", "jq", "ffprobe"):
        assert shutil.which(tool), f"{tool} is not installed (the README's prerequisites)"
    blocks = readme_blocks()
    assert len(blocks) == 2, "the README's service set-up and API walk-through blocks"
    db = f"adgen_readme_{uuid.uuid4().hex[:8]}"
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE")},
           "DB": db, "PORT": str(free_port()), "STORE_PORT": str(free_port()), "WORK": str(tmp_path / "work"),
           "BROKER_URL": broker_url,
           # not the README's concern, but this test's: its files stay in its own folder
           "MEDIA_ROOT": str(tmp_path / "media"), "ARTIFACT_ROOT": str(tmp_path / "artifacts")}
    env.pop("ARTIFACT_STORE_URL", None)
    script = tmp_path / "readme.sh"
    script.write_text("set -euo pipefail\n" + "\n".join(blocks))
    log = tmp_path / "readme.log"
    proc = subprocess.Popen(["bash", str(script)], cwd=ROOT, env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        code = proc.wait(timeout=540)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        try:  # the service the script started (it stops it itself on success)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    output = log.read_text(errors="replace")
    print(output[-4000:])
    assert code == 0, f"the README's commands failed (exit {code}):\n{output[-6000:]}"

    work = tmp_path / "work"
    assert json.loads((work / "job.json").read_text())["status"] == "succeeded"
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height:format=duration",
         "-of", "json", str(work / "ad.mp4")], capture_output=True, text=True, check=True).stdout)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264" and video["height"] > video["width"]  # 9:16
    assert any(s["codec_type"] == "audio" for s in probe["streams"])
    assert 6.0 < float(probe["format"]["duration"]) < 14.0
    # the walk-through printed the stream's progress and ended on the finished job
    assert '"status":"succeeded"' in output.replace(" ", "") and "codec_name=h264" in output
