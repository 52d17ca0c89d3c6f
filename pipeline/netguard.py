"""Network guards for the fetcher: SSRF checks at connect time and a total per-fetch deadline.

Why connect time: a URL check before the request cannot see where DNS will point when the socket
opens (DNS rebinding), nor where a redirect will go.  So the httpcore network backend below
resolves the host ONCE, checks every address, and connects to exactly the checked address.  TLS
SNI and the ``Host`` header still carry the hostname because httpcore passes the hostname to
``start_tls`` and builds headers from the URL, not from the socket.

Why a deadline in the stream: httpx timeouts are per socket operation, so a server trickling one
byte per second never trips them (slowloris).  Every read/write/connect here is bounded by what
is left of the fetch's total budget, held in a context variable set by the fetcher.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import ipaddress
import re
import socket
import ssl
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``resolver(host, port) -> addresses``: the seam tests use to simulate DNS (rebinding, etc.).
Resolver = Callable[[str, int], Sequence[str]]

#: ``on_connect(host, ip, port)``: called once per new TCP connection with the address used.
ConnectHook = Callable[[str, str, int], None]

# Cloud metadata endpoints are link-local or private already; listed so the intent is explicit
# and so an allow-list of e.g. 169.254.0.0/16 still cannot open them.
_ALWAYS_BLOCKED = (
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# Characters that can only form a legacy IPv4 literal (decimal/octal/hex parts): anything that
# looks like this is treated as an address, as the C resolver (inet_aton) would.
_LEGACY_V4 = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


class SSRFBlocked(Exception):
    """The host resolves to (or is) an address outside the public internet."""

    def __init__(self, host: str, ip: str | None, why: str):
        super().__init__(f"refused {host!r} -> {ip or '?'}: {why}")
        self.host = host
        self.ip = ip
        self.why = why


class BadHost(Exception):
    """The host is not a valid DNS name (empty label, bad IDNA...)."""


class DeadlineExceeded(Exception):
    """The total time budget of one fetch ran out."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "communique_fetch_deadline", default=None
)


@contextlib.contextmanager
def deadline_scope(seconds: float) -> Iterator[float]:
    """Bound every socket operation in this block by one total budget (monotonic clock)."""
    deadline = time.monotonic() + seconds
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def remaining_time() -> float | None:
    """Seconds left in the current deadline scope (None outside any scope)."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def _bounded(timeout: float | None) -> float | None:
    left = remaining_time()
    if left is None:
        return timeout
    if left <= 0:
        raise DeadlineExceeded("total fetch deadline exceeded")
    return left if timeout is None else min(timeout, left)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes by itself, including legacy IPv4 forms.

    ``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` all mean 127.0.0.1 to the C
    resolver, so they are addresses here too.  Returns None for a real hostname.
    """
    h = host.strip().strip("[]").rstrip(".") if host else ""
    if not h:
        return None
    h = h.split("%", 1)[0]  # IPv6 zone id: the zone does not change what the address is
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(h)
    if _LEGACY_V4.match(h):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except OSError:
            # looks numeric but is not an address the resolver accepts; refuse rather than guess
            return ipaddress.IPv4Address("0.0.0.0")
    return None


def parse_networks(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings -> networks (``127.0.0.1`` alone means /32)."""
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def blocked_reason(ip: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why ``ip`` must not be contacted, or None when it is public (or explicitly allowed)."""
    if ip in _ALWAYS_BLOCKED:
        return "metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 one reaches that IPv4 host: judge the inner one.
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is None and ip.teredo is not None:
            inner = ip.teredo[1]
        if inner is not None:
            return blocked_reason(inner, allowed)
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    for attr in (
        "is_unspecified",
        "is_loopback",
        "is_link_local",
        "is_multicast",
        "is_private",
        "is_reserved",
    ):
        if getattr(ip, attr):
            return attr[3:]
    if not ip.is_global:
        return "not_global"
    return None


def check_host_literal(host: str, allowed: Sequence[IPNetwork] = ()) -> None:
    """Refuse a host that is itself a non-public address (before any DNS or socket)."""
    ip = parse_ip_literal(host)
    name = host.strip().lower().rstrip(".")
    if ip is None and (name == "localhost" or name.endswith(".localhost")):
        ip = ipaddress.IPv4Address("127.0.0.1")  # RFC 6761: always loopback, whatever DNS says
    if ip is not None:
        why = blocked_reason(ip, allowed)
        if why:
            raise SSRFBlocked(host, str(ip), why)


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses of ``host`` from the OS resolver, in its preference order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in out:
            out.append(addr)
    return out


# getaddrinfo cannot be interrupted; run it on a small pool so the caller can stop waiting at
# the deadline (a stuck lookup then only holds one pool thread until the OS gives up).
_DNS_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="dns")


def _resolve_within_deadline(resolver: Resolver, host: str, port: int) -> list[str]:
    left = remaining_time()
    if left is None:
        return list(resolver(host, port))
    if left <= 0:
        raise DeadlineExceeded("total fetch deadline exceeded before DNS")
    future = _DNS_POOL.submit(resolver, host, port)
    try:
        return list(future.result(timeout=left))
    except concurrent.futures.TimeoutError as exc:
        future.cancel()
        raise DeadlineExceeded(f"DNS lookup of {host!r} outlived the deadline") from exc


class DeadlineStream(httpcore.NetworkStream):
    """A sync network stream whose every operation respects the current fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _bounded(timeout))
        except httpcore.ReadTimeout:
            _raise_if_past_deadline()
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _bounded(timeout))
        except httpcore.WriteTimeout:
            _raise_if_past_deadline()
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        try:
            stream = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout))
        except httpcore.ConnectTimeout:
            _raise_if_past_deadline()
            raise
        return DeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


def _raise_if_past_deadline() -> None:
    left = remaining_time()
    if left is not None and left <= 0.001:
        raise DeadlineExceeded("total fetch deadline exceeded")


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore backend: resolve once, refuse non-public addresses, connect to the checked IP."""

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        allowed_networks: Sequence[IPNetwork] = (),
        on_connect: ConnectHook | None = None,
    ):
        self._resolver: Resolver = resolver or system_resolver
        self._allowed = tuple(allowed_networks)
        self._on_connect = on_connect
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        check_host_literal(host, self._allowed)
        try:
            addresses = _resolve_within_deadline(self._resolver, host, port)
        except (UnicodeError, ValueError) as exc:
            raise BadHost(f"host {host!r} cannot be resolved as a name: {exc}") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"no address for {host!r}")
        checked: list[str] = []
        for addr in addresses:
            ip = parse_ip_literal(addr)
            if ip is None:  # a resolver must answer with addresses; anything else is refused
                raise SSRFBlocked(host, addr, "resolver returned a non-address")
            why = blocked_reason(ip, self._allowed)
            if why:
                # One bad record poisons the host: an attacker controls which record we'd pick.
                raise SSRFBlocked(host, str(ip), why)
            checked.append(str(ip))
        last_exc: Exception | None = None
        for ip_text in checked:
            try:
                stream = self._inner.connect_tcp(
                    ip_text, port, _bounded(timeout), local_address, socket_options
                )
            except httpcore.ConnectTimeout as exc:
                _raise_if_past_deadline()
                last_exc = exc
                continue
            except httpcore.ConnectError as exc:
                last_exc = exc
                continue
            if self._on_connect is not None:
                self._on_connect(host, ip_text, port)
            return DeadlineStream(stream)
        assert last_exc is not None
        raise last_exc

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise SSRFBlocked(path, None, "unix sockets are never allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
