"""The SSRF guard on its own: hostile URLs in every spelling are refused with the rule named."""

from __future__ import annotations

import ipaddress

import pytest

from pipelines.errors import ScrapeError
from pipelines.scrape import ScrapeConfig, scrape
from pipelines.scrape.guard import GuardPolicy, address_rule, check_url, parse_ip_literal

STRICT = GuardPolicy(allow_private=False)

HOSTILE = [
    # cloud metadata
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://169.254.169.254:80/computeMetadata/v1/", "link-local"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("http://[fe80::1]/", "link-local"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "link-local"),  # 169.254.169.254 in hex
    # loopback in every spelling
    ("http://127.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://0x7f.1/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://017700000001/", "loopback"),
    ("http://localhost/", "loopback"),
    ("http://shop.localhost/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://[64:ff9b::7f00:1]/", "loopback"),  # NAT64
    ("http://[2002:7f00:1::]/", "loopback"),  # 6to4
    ("http://[::127.0.0.1]/", "loopback"),  # IPv4-compatible
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    # private networks
    ("http://10.0.0.1/", "private"),
    ("http://192.168.1.1/admin", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://100.64.0.1/", "non-public"),  # carrier-grade NAT
    # multicast, reserved
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    # schemes
    ("file:///etc/passwd", "only http and https"),
    ("data:text/html,<h1>hi</h1>", "only http and https"),
    ("chrome://settings", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("ftp://example.com/x", "only http and https"),
    ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
    ("view-source:http://example.com/", "only http and https"),
    # ports and credentials on public hosts
    ("http://93.184.216.34:6379/", "ports 80 and 443"),
    ("https://93.184.216.34:8443/", "ports 80 and 443"),
    ("http://user:pass@93.184.216.34/", "credentials"),
]


@pytest.mark.parametrize("url,rule", HOSTILE)
def test_hostile_url_refused_with_its_rule(url, rule):
    with pytest.raises(ScrapeError) as caught:
        check_url(url, STRICT)
    assert caught.value.code == "ssrf_blocked"
    assert rule in caught.value.message


def test_at_least_25_hostile_urls():
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize("url", ["http://169.254.169.254/", "http://224.0.0.1/", "http://[fe80::1]/",
                                 "http://0.0.0.0/"])
def test_metadata_multicast_unspecified_refused_even_when_private_hosts_allowed(url):
    with pytest.raises(ScrapeError) as caught:
        check_url(url, GuardPolicy(allow_private=True))
    assert caught.value.code == "ssrf_blocked"


def test_private_hosts_allowed_only_by_flag():
    assert check_url("http://127.0.0.1:8123/x", GuardPolicy(allow_private=True)).addresses == ["127.0.0.1"]
    with pytest.raises(ScrapeError):
        check_url("http://127.0.0.1:8123/x", STRICT)


def test_allowed_hosts_exempt_exactly_that_origin():
    policy = GuardPolicy(allow_private=False, allowed_hosts=frozenset({"127.0.0.1:8123"}))
    assert check_url("http://127.0.0.1:8123/p", policy).host == "127.0.0.1"
    for other in ("http://127.0.0.1:8124/p", "http://127.0.0.2:8123/p", "http://localhost:8123/p"):
        with pytest.raises(ScrapeError):
            check_url(other, policy)


def test_public_addresses_pass_without_resolving():
    checked = check_url("https://93.184.216.34/product", STRICT)
    assert checked.addresses == ["93.184.216.34"] and checked.port == 443
    assert address_rule(ipaddress.ip_address("2606:4700::1111")) is None


def test_ip_spellings_parse_like_a_resolver():
    assert str(parse_ip_literal("0x7f.1")) == "127.0.0.1"
    assert str(parse_ip_literal("2130706433")) == "127.0.0.1"
    assert str(parse_ip_literal("0177.0.0.1")) == "127.0.0.1"
    assert parse_ip_literal("shop.example") is None


@pytest.mark.parametrize("url,code", [
    ("", "invalid_url"), ("not a url", "invalid_url"), ("shop.example/products/x", "invalid_url"),
    ("http://", "invalid_url"), ("http://[::1/", "invalid_url"), ("http://example.com:99999/", "invalid_url"),
])
def test_malformed_urls_are_invalid(url, code):
    with pytest.raises(ScrapeError) as caught:
        check_url(url, STRICT)
    assert caught.value.code == code


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://2130706433/",
                                 "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"])
def test_scrape_refuses_before_connecting(url, tmp_path, private_hosts_refused):
    with pytest.raises(ScrapeError) as caught:
        scrape(url, ScrapeConfig(), tmp_path)
    assert caught.value.code == "ssrf_blocked"


def test_env_switch_allows_private_hosts(monkeypatch):
    monkeypatch.setenv("ADGEN_ALLOW_PRIVATE_HOSTS", "1")
    assert ScrapeConfig().private_allowed
    monkeypatch.delenv("ADGEN_ALLOW_PRIVATE_HOSTS")
    assert not ScrapeConfig().private_allowed
    assert ScrapeConfig(allow_private_hosts=True).private_allowed


def test_settings_cannot_exempt_hosts_or_swap_the_browser():
    config = ScrapeConfig.model_validate({"allowed_hosts": ["169.254.169.254:80"], "chromium_path": "/bin/sh"})
    assert config.allowed_hosts == [] and config.chromium_path == "/usr/bin/chromium"
    with pytest.raises(ScrapeError):
        check_url("http://169.254.169.254/", GuardPolicy.from_config(config))
    trusted = config.trusting(allowed_hosts=["127.0.0.1:8123"])
    assert GuardPolicy.from_config(trusted).allowed_hosts == {"127.0.0.1:8123"}
    assert trusted.model_copy(update={"browser": "static"}).allowed_hosts == ["127.0.0.1:8123"]


def test_limits_are_bounded():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ScrapeConfig.model_validate({"max_page_bytes": 10**12})
