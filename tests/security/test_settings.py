"""Finding 7: production settings come from the environment. With ADGEN_ENV=production the
service refuses to start without a real secret key or a database, and `check --deploy` is clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ADGEN_ENV"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, **env}, timeout=120)


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", ADGEN_ENV="production",
                    DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="ads.example.com",
                    DATABASE_URL="postgres://postgres@127.0.0.1:5432/adgen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_embedded_secret_key_and_sqlite():
    no_key = manage("check", ADGEN_ENV="production", DATABASE_URL="postgres://postgres@127.0.0.1:5432/adgen")
    assert no_key.returncode != 0 and "needs DJANGO_SECRET_KEY" in no_key.stderr
    weak = manage("check", ADGEN_ENV="production", DJANGO_SECRET_KEY="short",
                  DATABASE_URL="postgres://postgres@127.0.0.1:5432/adgen")
    assert weak.returncode != 0 and "needs DJANGO_SECRET_KEY" in weak.stderr
    no_db = manage("check", ADGEN_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert no_db.returncode != 0 and "needs DATABASE_URL" in no_db.stderr


def test_the_cli_and_demo_keep_their_defaults():
    result = manage("check")
    assert result.returncode == 0, result.stderr


def test_production_turns_on_hsts_https_and_secure_cookies():
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='adgen.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ADGEN_ENV"))}
    prod = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env={
        **env, "ADGEN_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/adgen", "DJANGO_SECURE_HSTS_SECONDS": "600"})
    assert prod.stdout.split() == ["600", "True", "True", "True"], prod.stderr
    dev = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert dev.stdout.split() == ["0", "False", "False", "False"], dev.stderr
