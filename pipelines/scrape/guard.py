"""SSRF guard: decides whether a URL may be fetched, before every request and every redirect hop.

Usable on its own: `check_url(url, policy)` returns the vetted URL with the addresses it resolved
to (the static fetcher connects to exactly those, so a DNS answer cannot change in between), or
raises ScrapeError(code="ssrf_blocked" | "invalid_url" | "unreachable") naming the rule.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipelines.errors import ScrapeError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PUBLIC_PORTS = {"http": 80, "https": 443}
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.I)


@dataclass(frozen=True)
class GuardPolicy:
    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()  # "host:port", exempt from address rules

    @classmethod
    def from_config(cls, config) -> "GuardPolicy":
        return cls(allow_private=config.private_allowed,
                   allowed_hosts=frozenset(h.lower() for h in config.allowed_hosts))


@dataclass
class CheckedURL:
    url: str
    scheme: str
    host: str  # lower-case, IPv6 without brackets
    port: int
    addresses: list[str] = field(default_factory=list)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == PUBLIC_PORTS[self.scheme] else f"{host}:{self.port}"


def blocked(rule: str, url: str) -> ScrapeError:
    return ScrapeError(f"Refused to fetch {url[:200]}: {rule}.", code="ssrf_blocked")


def parse_ip_literal(host: str) -> IPAddress | None:
    """An IP written in any spelling resolvers accept: dotted, decimal, octal, hex, short forms."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:  # inet_aton reads 2130706433, 0x7f.1, 0177.0.0.1 the way a resolver would
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo forms."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    for prefix in NAT64_PREFIXES:
        if ip in prefix:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip))
    return None


def address_rule(ip: IPAddress, allow_private: bool = False) -> str | None:
    """Why this address may not be fetched, or None when it may."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        rule = address_rule(inner, allow_private)
        return f"{rule} (embedded in {ip})" if rule else None
    if ip.is_unspecified:
        return f"unspecified address {ip}"
    if ip.is_link_local:  # includes 169.254.169.254 cloud metadata: never allowed
        return f"link-local/metadata address {ip}"
    if ip.is_multicast:
        return f"multicast address {ip}"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fd00:ec2::/32"):
        return f"cloud metadata address {ip}"
    if ip.is_loopback:
        return None if allow_private else f"loopback address {ip}"
    if ip.is_reserved:  # before is_private: Python counts 240/4 as private too
        return f"reserved address {ip}"
    if ip.is_private:
        return None if allow_private else f"private-network address {ip}"
    if not ip.is_global:  # carrier-grade NAT 100.64/10 and other non-global ranges
        return None if allow_private else f"non-public address {ip}"
    return None


class _DnsCache:
    """A few seconds of memory for resolutions, so a browser page's 100 requests resolve once."""

    def __init__(self, ttl_s: float = 30.0):
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, int], tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def resolve(self, host: str, port: int) -> list[str]:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get((host, port))
            if hit and now - hit[0] < self.ttl_s:
                return hit[1]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise ScrapeError(f"Could not resolve the host {host!r}: {exc}.", code="unreachable",
                              retryable=True) from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        with self._lock:
            self._entries[(host, port)] = (now, addresses)
        return addresses


dns_cache = _DnsCache()


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute URL; ScrapeError invalid_url/ssrf_blocked otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise ScrapeError("The URL is empty.", code="invalid_url")
    url = url.strip()
    if any(ch in url for ch in "\r\n\t\x00 "):
        raise ScrapeError("The URL contains whitespace or control characters.", code="invalid_url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ScrapeError(f"The URL {url[:200]!r} is malformed ({exc}).", code="invalid_url") from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise ScrapeError(f"{url[:200]!r} is not an absolute URL (it needs https://).", code="invalid_url")
    if scheme not in PUBLIC_PORTS:
        raise blocked(f"only http and https URLs are fetched, not {scheme}:", url)
    if parts.username is not None or parts.password is not None:
        raise blocked("URLs with embedded credentials are not fetched", url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ScrapeError(f"The URL {url[:200]!r} has no host.", code="invalid_url")
    return scheme, host, port or PUBLIC_PORTS[scheme]


def check_url(url: str, policy: GuardPolicy, *, resolve: bool = True) -> CheckedURL:
    """Vet one URL. Every address the host resolves to must be allowed, not just the first."""
    scheme, host, port = split_url(url)
    checked = CheckedURL(url=url.strip(), scheme=scheme, host=host, port=port)
    if f"{host}:{port}" in policy.allowed_hosts:
        checked.addresses = [str(parse_ip_literal(host))] if parse_ip_literal(host) else (
            dns_cache.resolve(host, port) if resolve else [])
        return checked
    literal = parse_ip_literal(host)
    if literal is None and host in {"localhost", "localhost.localdomain"} or host.endswith(".localhost"):
        literal = ipaddress.ip_address("127.0.0.1")
    if literal is not None:
        addresses = [literal]
    elif not resolve:
        addresses = []
    else:
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in dns_cache.resolve(host, port)]
    any_private = False
    for ip in addresses:
        rule = address_rule(ip, policy.allow_private)
        if rule:
            raise blocked(rule, url)
        any_private = any_private or address_rule(ip, False) is not None
    if port != PUBLIC_PORTS[scheme] and port not in PUBLIC_PORTS.values() and not any_private:
        raise blocked(f"only ports 80 and 443 are fetched on public hosts, not {port}", url)
    checked.addresses = [str(ip) for ip in addresses]
    return checked


def is_allowed(url: str, policy: GuardPolicy) -> tuple[bool, str | None]:
    """(allowed, rule) without raising: what the browser's request interceptor asks."""
    try:
        check_url(url, policy)
        return True, None
    except ScrapeError as exc:
        return False, exc.message


# --------------------------------------------------------------------------- outbound sends
# The one guard for everything the server posts to as well (webhooks): the same check_url, run
# again at send time, and the connection made to the address that check vetted.


class _PinnedBackend:
    """An httpcore network backend that connects to one vetted address whatever the URL's name
    resolves to now (TLS still sends and verifies the name, so certificates keep working)."""

    def __init__(self, address: str):
        import httpcore

        self.address = address
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return self._inner.connect_tcp(self.address, port, timeout=timeout, local_address=local_address,
                                       socket_options=socket_options)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # never: only TCP is vetted
        raise OSError("unix sockets are not an outbound target")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def post_checked(url: str, *, body: bytes, headers: dict[str, str], policy: GuardPolicy,
                 timeout_s: float = 10.0) -> int:
    """POST `body` to `url` after vetting it now, connected to the vetted address; no redirects.

    Returns the response's status code (the body is not read: it is never shown to anyone).
    Raises ScrapeError: ssrf_blocked / invalid_url when the guard refuses, unreachable when the
    connection fails.
    """
    import httpcore
    import httpx

    checked = check_url(url, policy)
    if not checked.addresses:
        raise ScrapeError(f"Could not resolve the host {checked.host!r}.", code="unreachable", retryable=True)
    backend = _PinnedBackend(checked.addresses[0])
    timeouts = {"connect": timeout_s, "read": timeout_s, "write": timeout_s, "pool": timeout_s}
    try:
        with httpcore.ConnectionPool(network_backend=backend, ssl_context=httpx.create_ssl_context(),
                                     max_connections=1) as pool:
            response = pool.request("POST", checked.url.split("#", 1)[0],
                                    headers={**headers, "Host": checked.host_header},
                                    content=body, extensions={"timeout": timeouts})
            return response.status
    except (httpcore.TimeoutException,) as exc:
        raise ScrapeError(f"{checked.host_header} did not answer in {timeout_s:g} s.", code="unreachable",
                          retryable=True) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as exc:
        raise ScrapeError(f"Could not connect to {checked.host_header} ({type(exc).__name__}).",
                          code="unreachable", retryable=True) from exc
