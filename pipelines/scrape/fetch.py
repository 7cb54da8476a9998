"""The static fetch path: an HTTP client that follows redirects by hand, re-checking every hop.

Connections go to the address the guard vetted (Host header and TLS SNI carry the name), so a
second DNS answer cannot point the request somewhere else. Bodies are read as a stream and cut
off at the byte limit; the clock covers every hop.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from pipelines.errors import ScrapeError
from pipelines.scrape.config import ScrapeConfig
from pipelines.scrape.guard import CheckedURL, GuardPolicy, check_url

HTML_TYPES = ("text/html", "application/xhtml+xml")
BOT_MARKERS = re.compile(
    r"captcha|cf-chl-|challenge-platform|just a moment\.\.\.|attention required! \| cloudflare|"
    r"robot check|are you a robot|px-captcha|verify you are (?:a )?human|access to this page has been denied|"
    r"datadome|perimeterx|distil_r_captcha|请输入验证码|安全验证",
    re.I,
)


@dataclass
class Fetched:
    url: str  # final URL after redirects
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        charset = None
        match = re.search(r"charset=([\w-]+)", self.content_type, re.I)
        if match:
            charset = match.group(1)
        if not charset:
            head = self.body[:2048].decode("ascii", "ignore")
            meta = re.search(r"<meta[^>]+charset=[\"']?([\w-]+)", head, re.I)
            charset = meta.group(1) if meta else "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


class Budget:
    """Counts subrequests and time for one scrape, shared by every fetch it makes."""

    def __init__(self, config: ScrapeConfig):
        self.config = config
        self.started = time.monotonic()
        self.subrequests = 0
        self._lock = threading.Lock()

    def remaining_s(self) -> float:
        return self.config.total_timeout_s - (time.monotonic() - self.started)

    def take_subrequest(self, url: str) -> None:
        with self._lock:
            self.subrequests += 1
            if self.subrequests > self.config.max_subrequests:
                raise ScrapeError(f"The page needs more than {self.config.max_subrequests} requests; "
                                  f"stopped before {url[:120]}.", code="too_large")


def looks_like_bot_wall(status: int, text: str) -> bool:
    head = text[:20000]
    if status in (403, 429, 503) and BOT_MARKERS.search(head):
        return True
    title = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
    title_text = title.group(1).strip().lower() if title else ""
    return bool(BOT_MARKERS.search(title_text)) or (
        len(text) < 15000 and bool(re.search(r"g-recaptcha|h-captcha|cf-turnstile|px-captcha|captcha-form", head, re.I)))


def _pinned_request(client: httpx.Client, checked: CheckedURL, headers: dict, method: str = "GET",
                    data: bytes | None = None) -> httpx.Request:
    """Plain HTTP connects to the vetted address itself, so a second DNS answer cannot redirect it.

    HTTPS keeps the name (pooled TLS connections are per name, and certificate validation already
    defeats DNS rebinding: an internal service cannot present the attacker's certificate).
    """
    if checked.scheme == "https":
        return client.build_request(method, checked.url.split("#", 1)[0], headers=headers, content=data)
    parts = urlsplit(checked.url)
    address = checked.addresses[0] if checked.addresses else checked.host
    netloc = f"[{address}]" if ":" in address else address
    netloc = f"{netloc}:{checked.port}"
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return client.build_request(method, target, headers={**headers, "Host": checked.host_header}, content=data)


_clients: dict[tuple[str, str], httpx.Client] = {}
_clients_lock = threading.Lock()


def _client(config: ScrapeConfig) -> httpx.Client:
    """One pooled client per identity: building one (TLS context included) costs more than a page.

    Connections are keyed by the pinned address and the Host header, so sharing is safe; each
    request carries its own timeout.
    """
    key = (config.user_agent, config.accept_language)
    with _clients_lock:
        client = _clients.get(key)
        if client is None or client.is_closed:
            client = httpx.Client(
                follow_redirects=False, trust_env=False, http2=False,
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=8, keepalive_expiry=15),
                headers={"User-Agent": config.user_agent, "Accept-Language": config.accept_language},
            )
            _clients[key] = client
        return client


def fetch(url: str, config: ScrapeConfig, *, budget: Budget | None = None, accept: str = "text/html,*/*;q=0.8",
          max_bytes: int | None = None, timeout_s: float | None = None, kind: str = "page",
          method: str = "GET", data: bytes | None = None, headers: dict | None = None,
          follow_redirects: bool = True) -> Fetched:
    """Request a URL through the guard, following up to max_redirects redirects, each one re-checked.

    With follow_redirects=False a redirect comes back as it is (the browser path hands it to
    Chromium, which asks again for the next hop, so each hop passes the guard there too).
    """
    policy = GuardPolicy.from_config(config)
    max_bytes = max_bytes or config.max_page_bytes
    timeout_s = timeout_s or config.page_timeout_s
    if budget is not None:
        timeout_s = max(0.5, min(timeout_s, budget.remaining_s()))
    deadline = time.monotonic() + timeout_s
    redirects: list[str] = []
    current = url
    client = _client(config)
    for _hop in range(config.max_redirects + 1):
        checked = check_url(current, policy)
        if budget is not None and kind != "page":
            budget.take_subrequest(current)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timeout(url, timeout_s, kind)
        request = _pinned_request(client, checked, {"Accept": accept, **(headers or {})}, method, data)
        request.extensions["timeout"] = httpx.Timeout(left, connect=min(config.connect_timeout_s, left)).as_dict()
        try:
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _timeout(url, timeout_s, kind) from None
        except httpx.HTTPError as exc:
            raise ScrapeError(f"Could not connect to {checked.host}: {exc.__class__.__name__} {exc}".strip() + ".",
                              code="unreachable", retryable=True) from None
        try:
            if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers \
                    and follow_redirects:
                current = urljoin(current, response.headers["location"])
                if response.status_code in (301, 302, 303) and method != "HEAD":
                    method, data = "GET", None
                redirects.append(current)
                continue
            length = response.headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, max_bytes, kind)
            chunks, size = [], 0
            try:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(url, max_bytes, kind)
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise _timeout(url, timeout_s, kind)
            except httpx.TimeoutException:
                raise _timeout(url, timeout_s, kind) from None
            except httpx.HTTPError as exc:
                raise ScrapeError(f"The connection to {checked.host} broke off: {exc}.", code="unreachable",
                                  retryable=True) from None
            return Fetched(url=current, status=response.status_code,
                           content_type=response.headers.get("content-type", ""),
                           body=b"".join(chunks), headers=dict(response.headers), redirects=redirects)
        finally:
            response.close()
    raise ScrapeError(f"{url[:200]} redirected more than {config.max_redirects} times.", code="too_many_redirects")


def _timeout(url: str, seconds: float, kind: str) -> ScrapeError:
    return ScrapeError(f"The {kind} at {url[:200]} did not answer within {seconds:.0f} s.", code="timeout",
                       retryable=True)


def _too_large(url: str, max_bytes: int, kind: str) -> ScrapeError:
    return ScrapeError(f"The {kind} at {url[:200]} is larger than {max_bytes // 1_000_000} MB.", code="too_large")


def check_page_response(fetched: Fetched) -> None:
    """Turn a fetched page that cannot be a product page into the error that says why."""
    status = fetched.status
    sniff = fetched.body[:20000].decode("utf-8", "ignore")
    if status >= 400:
        if looks_like_bot_wall(status, sniff):
            raise ScrapeError(f"The shop answered {fetched.url[:200]} with a bot check or captcha (HTTP {status}), "
                              "so the page could not be read.", code="bot_wall", retryable=True)
        if status in (404, 410):
            raise ScrapeError(f"The page {fetched.url[:200]} does not exist (HTTP {status}).", code="http_error")
        raise ScrapeError(f"The shop answered HTTP {status} for {fetched.url[:200]}.", code="http_error",
                          retryable=status >= 500 or status == 429)
    content_type = fetched.content_type.split(";", 1)[0].strip().lower()
    if content_type and content_type not in HTML_TYPES:
        raise ScrapeError(f"{fetched.url[:200]} is not a web page ({content_type}).", code="not_html")
    if not content_type and not re.search(r"<(?:!doctype html|html|head|body)", sniff[:2000], re.I):
        raise ScrapeError(f"{fetched.url[:200]} is not a web page.", code="not_html")


def bot_wall_error(url: str) -> ScrapeError:
    return ScrapeError(f"The shop showed a bot check or captcha instead of the page {url[:200]}.",
                       code="bot_wall", retryable=True)
