"""The Playwright path: JS-built pages, the warm pool, and not one request to a forbidden address."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from pipelines.errors import ScrapeError
from pipelines.scrape import ScrapeConfig, scrape
from pipelines.scrape.browser import pool, render_page
from pipelines.scrape.fetch import Budget

from scrape_helpers import PAGES, load_serve_module


class Canary:
    """A TCP listener on another loopback address: records every connection anyone opens to it."""

    def __init__(self, host: str = "127.0.0.2"):
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.host, self.port = self.sock.getsockname()
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def canary():
    listener = Canary()
    yield listener
    listener.close()


def hostile_page(canary: Canary) -> str:
    c = f"http://{canary.host}:{canary.port}"
    mapped = f"http://[::ffff:{canary.host}]:{canary.port}"
    decimal = f"http://2130706434:{canary.port}"  # 127.0.0.2
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hostile widget</title>
<link rel="preconnect" href="{c}"><link rel="dns-prefetch" href="{c}"><link rel="prefetch" href="{c}/prefetch">
<link rel="stylesheet" href="{c}/style.css"><link rel="icon" href="{c}/favicon.ico">
<script src="/__/redirect?to={c}/redirected.js"></script>
<script src="{c}/direct.js"></script>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product","name":"Hostile Widget",
 "image":["{c}/product.jpg","http://169.254.169.254/latest/meta-data/iam.jpg","/img/coffee.jpg"],
 "brand":"Acme","offers":{{"@type":"Offer","price":"10.00","priceCurrency":"USD"}}}}</script>
</head><body style="background:url({c}/bg.png)"><h1>Hostile Widget</h1><img src="{c}/img.jpg" width="600" height="600">
<iframe src="{c}/frame"></iframe><iframe src="/__/redirect?to={c}/frame-redirect"></iframe>
<script>
fetch("{c}/xhr").catch(() => {{}});
fetch("{mapped}/mapped").catch(() => {{}});
fetch("{decimal}/decimal").catch(() => {{}});
fetch("/__/redirect?to={c}/xhr-redirect").catch(() => {{}});
fetch("http://169.254.169.254/latest/meta-data/").catch(() => {{}});
var x = new XMLHttpRequest(); x.open("GET", "{c}/xhr2"); x.send();
new Image().src = "{c}/pixel.gif";
try {{ navigator.sendBeacon("{c}/beacon", "x"); }} catch (e) {{}}
try {{ new WebSocket("ws://{canary.host}:{canary.port}/ws"); }} catch (e) {{}}
try {{ new EventSource("{c}/events"); }} catch (e) {{}}
fetch("{c}/post", {{method: "POST", body: "secret"}}).catch(() => {{}});
</script></body></html>"""


@pytest.fixture
def hostile_server(tmp_path, canary):
    (tmp_path / "hostile.html").write_text(hostile_page(canary))
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "coffee.jpg").write_bytes((PAGES / "img" / "coffee.jpg").read_bytes())
    server = load_serve_module().PageServer(tmp_path).start()
    yield server
    server.stop()


def only_origin(server) -> ScrapeConfig:
    """Private hosts refused, except exactly the fixture server's origin."""
    return ScrapeConfig(allow_private_hosts=False, browser="browser", browser_settle_ms=1500).trusting(
        allowed_hosts=[f"{server.host}:{server.port}"])


def test_js_built_page_uses_the_warm_browser(page_server, tmp_path):
    config = ScrapeConfig(download_images=False)
    first = scrape(page_server.url + "/spa/index.html", config, tmp_path)
    launches = pool().launches
    started = time.perf_counter()
    second = scrape(page_server.url + "/js-price/smart-kettle.html", config, tmp_path)
    assert time.perf_counter() - started < 10
    assert pool().launches == launches  # reused, not relaunched
    assert first.fetch_path == second.fetch_path == "browser"
    assert first.product.title == "Orbit Wireless Speaker" and first.product.price == 129.0
    assert second.product.price == 79.0 and second.product.sources["price"] == "json-ld"


def test_hostile_subresources_never_reach_a_forbidden_address(hostile_server, canary, tmp_path,
                                                              private_hosts_refused):
    config = only_origin(hostile_server)
    rendered = render_page(hostile_server.url + "/hostile.html", config, Budget(config))
    refused = " ".join(url for url, _rule in rendered.blocked)
    for path in ("/xhr", "/mapped", "/decimal", "/direct.js", "/frame", "/xhr2", "/post"):
        assert path in refused, path
    assert "169.254.169.254" in refused
    assert all(rule for _url, rule in rendered.blocked)
    # redirect hops fetched on the page's behalf were refused by the guard too
    assert not any(canary.host in url for url in rendered.fetched)

    result = scrape(hostile_server.url + "/hostile.html", config, tmp_path)
    assert result.product.title == "Hostile Widget" and result.fetch_path == "browser"
    assert [image.url for image in result.images] == [hostile_server.url + "/img/coffee.jpg"]
    time.sleep(0.3)
    assert canary.connections == 0, "a request reached the forbidden address"


@pytest.mark.parametrize("browser", ["static", "browser"])
def test_redirect_to_private_address_refused(hostile_server, canary, tmp_path, private_hosts_refused, browser):
    config = only_origin(hostile_server).model_copy(update={"browser": browser})
    target = f"http://{canary.host}:{canary.port}/admin"
    for hop in (target, f"http://[::ffff:{canary.host}]:{canary.port}/", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(ScrapeError) as caught:
            scrape(f"{hostile_server.url}/__/redirect?to={hop}", config, tmp_path)
        assert caught.value.code == "ssrf_blocked"
    assert canary.connections == 0


def test_browser_errors_are_clear(page_server, tmp_path):
    with pytest.raises(ScrapeError) as caught:
        scrape(page_server.url + "/__/status/404", ScrapeConfig(browser="browser"), tmp_path)
    assert caught.value.code == "http_error"
    with pytest.raises(ScrapeError) as caught:
        scrape(page_server.url + "/__/pdf", ScrapeConfig(browser="browser"), tmp_path)
    assert caught.value.code == "not_html"


def test_bot_wall_tried_in_the_browser_then_reported(page_server, tmp_path):
    with pytest.raises(ScrapeError) as caught:
        scrape(page_server.url + "/__/botwall", ScrapeConfig(), tmp_path)
    assert caught.value.code == "bot_wall"
    assert "bot check" in caught.value.message
