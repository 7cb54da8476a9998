"""Findings 5, 6 and 7 at the door: log-in lockout (dashboard and /admin/), API-key guessing,
scrape submissions and key creation per workspace, sign-up that does not tell whether an email
has an account, password rules, and engines the operator did not configure."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from adgen.ads.models import Product
from tenants.models import ApiKey

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("login_url", ["/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_account_even_for_the_right_one(make_tenant, login_url):
    a = make_tenant()
    a.user.is_staff = True
    a.user.save()
    client = Client()
    codes = [client.post(login_url, {"username": a.user.email, "password": f"wrong {i}"},
                         HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(6)]
    assert codes[:4] == [200] * 4 and 429 in codes[4:]
    response = client.post(login_url, {"username": a.user.email, "password": PASSWORD})
    assert response.status_code == 429 and b"Too many log-in attempts" in response.content
    # the lock is per account too: another address cannot log in to it either
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post(login_url, {"username": a.user.email, "password": PASSWORD}).status_code == 429


def test_guessing_api_keys_meets_a_429(make_tenant, settings):
    a = make_tenant()
    guesser = Client()
    codes = [guesser.get(f"{a.base}/ads/", HTTP_AUTHORIZATION=f"Bearer adg_guess{i}",  # a made-up X-Forwarded-For
                         HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(25)]  # changes nothing
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    locked = guesser.get(f"{a.base}/ads/", HTTP_AUTHORIZATION="Bearer adg_another")
    assert locked.status_code == 429 and locked.json()["code"] == "throttled" and int(locked["Retry-After"]) > 0
    # a real key from another address still works
    assert a.client.get(f"{a.base}/ads/", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_scrape_submissions_and_key_creation_are_limited_per_workspace(make_tenant, settings):
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "scrape": "3/hour", "api_key_create": "2/hour"}
    try:
        a, b = make_tenant(), make_tenant()
        codes = [a.client.post(f"{a.base}/products/", {"url": f"https://shop.example.com/p{i}"},
                               format="json").status_code for i in range(4)]
        assert codes == [202, 202, 202, 429]
        assert Product.objects.for_workspace(a.workspace).count() == 3
        assert b.client.post(f"{b.base}/products/", {"url": "https://shop.example.com/p"},
                             format="json").status_code == 202  # another workspace's budget
        codes = [a.client.post(f"{a.base}/api-keys/", {"name": f"k{i}", "role": "viewer"}, format="json").status_code
                 for i in range(3)]
        assert codes == [201, 201, 429]
        assert ApiKey.objects.for_workspace(a.workspace).count() == 3  # the tenant's first key + 2
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def _sign_up(client, email, password="a long password 1", organization="Acme"):
    return client.post("/signup/", {"email": email, "password": password, "organization": organization})


def test_sign_up_answers_the_same_whether_or_not_the_email_has_an_account(make_tenant):
    a = make_tenant()
    taken = _sign_up(Client(), a.user.email.upper())
    fresh = _sign_up(Client(), "new@example.com")
    assert taken.status_code == fresh.status_code == 200
    def normalise(response) -> str:  # the email as typed and the CSRF tokens aside, byte for byte the same
        html = response.content.decode().replace(a.user.email, "E").replace("new@example.com", "E")
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)

    assert normalise(taken) == normalise(fresh)
    # the difference is told only to the inbox's owner
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "already has an account" in by_address[a.user.email].body
    link = re.search(r"https?://\S+/signup/confirm/\S+/", by_address["new@example.com"].body).group(0)
    client = Client()
    path = link.split("testserver", 1)[1]
    assert client.get("/", follow=True).request["PATH_INFO"] == "/login/"
    assert client.post("/login/", {"username": "new@example.com", "password": "a long password 1"}).status_code == 200
    assert client.get(path).status_code == 200  # a page with a button: mail scanners do not confirm
    confirmed = client.post(path)
    assert confirmed.status_code == 302 and "/workspaces/" in confirmed.url
    assert client.get(confirmed.url).status_code == 200
    assert Client().post(path).status_code == 404  # used once


@pytest.mark.parametrize("password,message", [
    ("12345678901", "entirely numeric"),
    ("jane.doe@example.com", "too similar"),
    ("janedoe.example", "too similar"),
    ("password123", "too common"),
    ("short", "at least 8"),
])
def test_weak_passwords_are_refused(db, password, message):
    response = _sign_up(Client(), "jane.doe@example.com", password=password)
    assert response.status_code == 400 and message in response.content.decode()
    assert not mail.outbox


def test_sign_up_is_throttled_per_address_and_per_email(db):
    client = Client()
    codes = [_sign_up(client, "same@example.com", organization=f"Org {i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    codes = [_sign_up(client, f"u{i}@example.com").status_code for i in range(8)]
    assert codes[-1] == 429 and codes.count(200) == 10 - 3 - 1  # 10/hour per address in all


def test_engines_the_operator_did_not_configure_are_refused_before_any_hold(make_tenant, settings):
    from adgen.ads.models import AdJob
    from adgen.ads.policy import engines_allowed

    settings.OPENAI_BASE_URL = ""
    a = make_tenant()
    response = a.client.post(f"{a.base}/ads/", {"url": "https://shop.example.com/p", "engines": {"script": "openai"}},
                             format="json")
    assert response.status_code == 400 and response.json()["code"] == "engine_not_available"
    assert "template" in response.json()["message"]
    assert not AdJob.objects.for_workspace(a.workspace).exists()
    campaign = a.client.post(f"{a.base}/campaigns/", {"name": "C", "source_urls": ["https://shop.example.com/p"],
                                                      "matrix": {"engines": {"script": "openai"}}}, format="json")
    assert campaign.status_code == 400 and campaign.json()["code"] == "engine_not_available"
    assert ("script", "openai") not in engines_allowed(a.workspace)
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    assert ("script", "openai") in engines_allowed(a.workspace)


def test_impossible_scripts_are_refused_before_any_hold(make_tenant):
    """Finding 6: a 500-scene script and a 50k-character one are a 400 at submission (no job, no
    hold), with our words rather than pydantic's."""
    from adgen.ads.models import AdJob
    from adgen.billing.models import CreditHold

    a = make_tenant()
    base = {"variant_id": "v1", "framework": "aida", "hook": "Hi", "cta": "Buy"}
    many = {**base, "scenes": [{"voiceover": "Great mug for coffee."}] * 500}
    huge = {**base, "scenes": [{"voiceover": "word " * 10000}]}
    for script in (many, huge):
        response = a.client.post(f"{a.base}/ads/", {"url": "https://shop.example.com/p", "scripts": [script]},
                                 format="json")
        assert response.status_code == 400 and response.json()["code"] == "script_too_long", response.content
        assert "pydantic" not in response.content.decode()
    assert not AdJob.objects.for_workspace(a.workspace).exists()
    assert not CreditHold.objects.filter(account__organization=a.organization).exists()
