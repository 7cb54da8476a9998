import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tenants.models import ApiKey, Membership, Workspace
from tenants.selectors import api_key_authenticate

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_tenant_create_json_prints_exactly_ids_and_key():
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    out = subprocess.run([sys.executable, "-m", "adgen.cli", "tenant", "create", "Acme Agency",
                          "--email", "ops@acme.test", "--agency", "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    assert set(printed) == {"organization_id", "workspace_id", "api_key"}
    workspace = Workspace.objects.get(pk=printed["workspace_id"])
    assert str(workspace.organization_id) == printed["organization_id"]
    assert workspace.organization.kind == "agency"
    assert api_key_authenticate(raw=printed["api_key"]).workspace == workspace
    assert Membership.objects.get(workspace=workspace).user.email == "ops@acme.test"
    assert ApiKey.objects.for_workspace(workspace).count() == 1


def test_worker_command_consumes_the_named_queues():
    from argparse import Namespace

    from adgen.service_cli import worker_command

    argv = worker_command(Namespace(processes=1, threads=2, queues=["gpu"]))
    assert argv[1:5] == ["-m", "dramatiq", "django_dramatiq.setup", "adgen.ads.actors"]
    assert argv[-2:] == ["--queues", "gpu"]
