"""The browser path: Debian's Chromium driven by Playwright, every request answered by the guard.

Chromium never talks to the network itself. Every request the page makes (the document, frames,
scripts, XHR/fetch) is intercepted and fetched by the guarded static fetcher, which vets the
address, pins the connection to it and enforces the byte and request budgets, then handed back
to the page; redirects go back to Chromium one hop at a time so the next hop is intercepted and
vetted too. Images, fonts, media and stylesheets are not needed to read the product and are
refused outright; WebSockets are closed; service workers are blocked. As a second wall the
browser runs behind a proxy address that does not exist and a resolver that answers nothing,
so anything that slipped past the interceptor (a preconnect, a prefetch) cannot connect.

One warm browser per process, owned by one thread (Playwright's sync API is thread-bound);
each page gets a fresh context, so no cookies or storage carry from one scrape to the next.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from urllib.parse import urljoin

from pipelines.errors import ScrapeError
from pipelines.scrape.config import ScrapeConfig
from pipelines.scrape.fetch import Budget, Fetched, fetch
from pipelines.scrape.guard import GuardPolicy, check_url

log = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-dev-shm-usage",
    "--disable-extensions", "--disable-breakpad", "--metrics-recording-only", "--mute-audio",
    "--dns-prefetch-disable", "--disable-features=NetworkPrediction,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater",
    # nothing reaches the network on its own: all traffic is fulfilled by the interceptor
    "--proxy-server=http://0.0.0.0:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
REFUSED_TYPES = {"image", "media", "font", "stylesheet", "manifest", "texttrack", "websocket", "eventsource",
                 "ping", "cspreport", "prefetch"}
TRACKERS = re.compile(
    r"google-analytics\.com|googletagmanager\.com|doubleclick\.net|googlesyndication\.com|facebook\.net|"
    r"connect\.facebook|hotjar\.|segment\.(?:io|com)|mixpanel\.com|criteo\.|taboola\.|outbrain\.|clarity\.ms|"
    r"newrelic\.com|nr-data\.net|sentry\.io|bat\.bing\.com|tiktok\.com/i18n/pixel|snap\.licdn|quantserve\.com|"
    r"scorecardresearch\.com|adsrvr\.org|amazon-adsystem\.com|fullstory\.com|optimizely\.com",
    re.I)
IMAGE_SIZES_JS = """() => Array.from(document.images).map(i => [i.currentSrc || i.src,
    parseInt(i.getAttribute('width') || i.naturalWidth || 0), parseInt(i.getAttribute('height') || i.naturalHeight || 0)])"""
SCROLL_JS = """async () => { const end = Math.min(document.body.scrollHeight, 12000);
  const step = Math.max(window.innerHeight, end / 8);
  for (let y = step; y <= end + step; y += step) {
    window.scrollTo(0, y); await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); }
  window.scrollTo(0, 0); }"""


@dataclass
class Rendered:
    url: str
    status: int
    content_type: str
    html: str
    image_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (url, rule) refused by the guard
    fetched: list[str] = field(default_factory=list)  # every URL fetched for the page
    timings_s: dict[str, float] = field(default_factory=dict)  # context, load, settle, read

    def as_fetched(self) -> Fetched:
        return Fetched(url=self.url, status=self.status, content_type=self.content_type,
                       body=self.html.encode("utf-8", "replace"))


class BrowserPool:
    """A warm Chromium owned by one worker thread; `render()` may be called from any thread."""

    def __init__(self):
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._playwright = None
        self._browser = None
        self._browser_path = None
        self._spare = None  # (options key, context, page) made while idle
        self._spare_options = None
        self.launches = 0

    def _ensure_thread(self):
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="adgen-browser", daemon=True)
                self._thread.start()

    def _loop(self):
        while True:
            job = self._jobs.get()
            if job is None:
                self._shutdown()
                return
            fn, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller's thread
                future.set_exception(exc)
            if self._jobs.empty() and self._spare_options is not None:
                self._prepare_spare(self._spare_options)  # idle time: the next page's context is ready

    def _call(self, fn, timeout_s: float):
        self._ensure_thread()
        future: Future = Future()
        self._jobs.put((fn, future))
        try:
            return future.result(timeout=timeout_s)
        except TimeoutError:
            future.cancel()
            raise ScrapeError(f"The browser did not finish the page within {timeout_s:.0f} s.", code="timeout",
                              retryable=True) from None

    def _browser_for(self, config: ScrapeConfig):
        if self._browser is not None and self._browser.is_connected() and self._browser_path == config.chromium_path:
            return self._browser
        self._shutdown()
        try:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=config.chromium_path, headless=True, args=CHROMIUM_ARGS,
                chromium_sandbox=False, handle_sigint=False, handle_sigterm=False, handle_sighup=False)
        except Exception as exc:
            self._shutdown()
            raise ScrapeError(f"The browser could not start ({config.chromium_path}): {exc}".splitlines()[0],
                              code="browser_unavailable", retryable=True) from None
        self._browser_path = config.chromium_path
        self.launches += 1
        return self._browser

    @staticmethod
    def _context_options(config: ScrapeConfig) -> dict:
        return dict(user_agent=config.user_agent, locale=config.accept_language.split(",")[0],
                    service_workers="block", viewport={"width": 1280, "height": 900}, accept_downloads=False,
                    java_script_enabled=True, extra_http_headers={"Accept-Language": config.accept_language})

    def _prepare_spare(self, options: dict) -> None:
        try:
            if self._browser is None or not self._browser.is_connected():
                return
            context = self._browser.new_context(**options)
            self._spare = (repr(sorted(options.items())), context, context.new_page())
        except Exception:
            self._spare = None

    def _new_page(self, config: ScrapeConfig):
        """A fresh context and page: the one made while idle when it fits, else a new one."""
        options = self._context_options(config)
        key = repr(sorted(options.items()))
        spare, self._spare = self._spare, None
        self._spare_options = options
        if spare is not None:
            if spare[0] == key:
                return spare[1], spare[2]
            try:
                spare[1].close()
            except Exception:
                pass
        context = self._browser.new_context(**options)
        return context, context.new_page()

    def _shutdown(self):
        if self._spare is not None:
            try:
                self._spare[1].close()
            except Exception:
                pass
            self._spare = None
        for closer in (lambda: self._browser and self._browser.close(),
                       lambda: self._playwright and self._playwright.stop()):
            try:
                closer()
            except Exception:
                pass
        self._browser = self._playwright = None

    def warm(self, config: ScrapeConfig | None = None) -> None:
        config = config or ScrapeConfig()
        self._call(lambda: self._browser_for(config) and None, 60)

    def render(self, url: str, config: ScrapeConfig, budget: Budget, prefetched: Fetched | None = None) -> Rendered:
        limit = max(2.0, min(config.page_timeout_s + 10, budget.remaining_s()))
        return self._call(lambda: self._render(url, config, budget, prefetched), limit + 30)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)

    # ------------------------------------------------------------------ in the browser thread

    def _render(self, url: str, config: ScrapeConfig, budget: Budget, prefetched: Fetched | None = None) -> Rendered:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self._browser_for(config)
        policy = GuardPolicy.from_config(config)
        rendered = Rendered(url=url, status=0, content_type="", html="")
        state = {"bytes": 0, "main_error": None, "prefetched": prefetched}
        clock = time.monotonic()
        context, page = self._new_page(config)

        def lap(name: str) -> None:
            nonlocal clock
            now = time.monotonic()
            rendered.timings_s[name] = round(now - clock, 3)
            clock = now

        lap("context")
        try:
            def handle(route, request):
                target = request.url
                if target.startswith(("data:", "blob:", "about:")):
                    return route.continue_()
                is_document = request.is_navigation_request() and request.frame.parent_frame is None
                try:
                    check_url(target, policy)
                except ScrapeError as exc:
                    rendered.blocked.append((target, exc.message))
                    if is_document and state["main_error"] is None:
                        state["main_error"] = exc
                    return route.abort("blockedbyclient")
                if request.resource_type in REFUSED_TYPES or TRACKERS.search(target):
                    return route.abort("blockedbyclient")
                try:
                    headers = {k: v for k, v in request.headers.items()
                               if k.lower() in ("content-type", "x-requested-with", "accept")}
                    state["last_activity"] = time.monotonic()
                    reuse = state.pop("prefetched", None) if is_document else None
                    # the static path already fetched this document through the guard: no second trip
                    if reuse is not None and reuse.url == target and request.method == "GET":
                        fetched = reuse
                    else:
                        fetched = fetch(target, config, budget=budget, kind="page" if is_document else "subresource",
                                        method=request.method, data=request.post_data_buffer, headers=headers,
                                        follow_redirects=not is_document, timeout_s=config.page_timeout_s,
                                        accept=request.headers.get("accept", "*/*"), max_bytes=config.max_page_bytes)
                except ScrapeError as exc:
                    if exc.code == "ssrf_blocked":
                        rendered.blocked.append((target, exc.message))
                    if is_document and state["main_error"] is None:
                        state["main_error"] = exc
                    return route.abort("failed")
                state["last_activity"] = time.monotonic()
                if is_document and fetched.status in (301, 302, 303, 307, 308) and fetched.headers.get("location"):
                    # Chromium would follow this hop itself, past the interceptor: navigate to it instead
                    state["redirect"] = urljoin(target, fetched.headers["location"])
                    return route.abort("aborted")
                state["bytes"] += len(fetched.body)
                if state["bytes"] > config.max_browser_bytes:
                    state["main_error"] = state["main_error"] or ScrapeError(
                        f"The page pulls more than {config.max_browser_bytes // 1_000_000} MB.", code="too_large")
                    return route.abort("failed")
                rendered.fetched.append(target)
                keep = {k: v for k, v in fetched.headers.items() if k.lower() in (
                    "content-type", "location", "cache-control", "content-language", "set-cookie")}
                route.fulfill(status=fetched.status, headers=keep, body=fetched.body)

            context.route("**/*", handle)
            context.route_web_socket(re.compile(r".*"), lambda ws: ws.close())
            timeout_ms = int(max(1.0, min(config.page_timeout_s, budget.remaining_s())) * 1000)
            page.set_default_timeout(timeout_ms)
            target = url
            for _hop in range(config.max_redirects + 1):
                state["redirect"] = None
                try:
                    response = page.goto(target, wait_until="load", timeout=timeout_ms)
                except PlaywrightTimeout:
                    raise ScrapeError(f"The page at {url[:200]} did not load within {timeout_ms / 1000:.0f} s.",
                                      code="timeout", retryable=True) from None
                except PlaywrightError as exc:
                    if state["main_error"] is not None:
                        raise state["main_error"] from None
                    if state["redirect"]:
                        target = state["redirect"]
                        continue
                    raise ScrapeError(f"The browser could not open {url[:200]}: {str(exc).splitlines()[0]}",
                                      code="unreachable", retryable=True) from None
                break
            else:
                raise ScrapeError(f"{url[:200]} redirected more than {config.max_redirects} times.",
                                  code="too_many_redirects")
            if state["main_error"] is not None:
                raise state["main_error"]
            lap("load")
            try:
                page.evaluate(SCROLL_JS)
                # every request passes our interceptor, so quiet means quiet: no fixed networkidle wait
                # (but give timers started at load a moment to fire their requests)
                loaded = time.monotonic()
                settle_until = loaded + config.browser_settle_ms / 1000
                while time.monotonic() < settle_until:
                    page.wait_for_timeout(40)
                    now = time.monotonic()
                    if now - loaded > 0.2 and now - state.get("last_activity", 0) > 0.12:
                        break
            except (PlaywrightTimeout, PlaywrightError):
                pass  # a page that keeps polling is still readable
            lap("settle")
            rendered.url = page.url
            rendered.status = response.status if response is not None else 200
            rendered.content_type = (response.headers.get("content-type", "") if response is not None else "text/html")
            rendered.html = page.content()
            try:
                for src, width, height in page.evaluate(IMAGE_SIZES_JS):
                    if src and width and height:
                        rendered.image_sizes[src] = (int(width), int(height))
            except PlaywrightError:
                pass
            lap("read")
            return rendered
        finally:
            try:
                context.close()
            except Exception:
                pass


_pool: BrowserPool | None = None
_pool_pid = 0
_pool_lock = threading.Lock()


def pool() -> BrowserPool:
    """This process's pool; a forked worker gets its own (a browser cannot cross a fork)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool, _pool_pid = BrowserPool(), os.getpid()
            atexit.register(_pool.close)
        return _pool


def render_page(url: str, config: ScrapeConfig, budget: Budget, prefetched: Fetched | None = None) -> Rendered:
    """Render `url` in the warm browser; `prefetched` is its document when the static path has it."""
    started = time.monotonic()
    rendered = pool().render(url, config, budget, prefetched)
    log.debug("rendered %s in %.2fs (%d fetched, %d refused)", url, time.monotonic() - started,
              len(rendered.fetched), len(rendered.blocked))
    return rendered
