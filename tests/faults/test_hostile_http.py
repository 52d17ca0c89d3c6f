"""docs/reliability.md checklist 18-35 (the fetch/parse path) against a hostile local server.

Everything goes through the real SafeFetcher and parse_feed.  The server listens on 127.0.0.1
only, is started by a fixture and always stopped; streaming handlers are time-bounded.  The
only timing assertions are sanity bounds ("aborted before deadline + margin").
"""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from pipeline.charset import decode_text
from pipeline.errors import PermanentFetchError, TransientFetchError
from pipeline.feeds import parse_feed
from pipeline.fetch import FetchPolicy, SafeFetcher
from pipeline.models import FetchedPage
from tests.faults.hostile_server import HostileHandler, HostileServer, running

LOCAL = frozenset({"127.0.0.0/8"})
CAP = 256 * 1024  # small caps so bombs and endless bodies are cheap to test
DEADLINE_S = 2.0
MARGIN_S = 1.5

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Ministry of Foreign Affairs</title>
<link>https://mfa.example.org/</link>
<item><title>Minister meets envoy</title><link>/news/1?utm_source=rss</link>
<guid isPermaLink="false">mfa-1</guid><pubDate>Mon, 05 Feb 2024 10:00:00 GMT</pubDate></item>
<item><title>Talks resume</title><link>https://mfa.example.org/news/2</link>
<pubDate>Tue, 06 Feb 2024 11:30:00 +0100</pubDate></item>
</channel></rss>"""
ETAG = '"v1"'


def _big_feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>T{i}</title><link>https://e.example/{i}</link></item>" for i in range(n)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>{items}'
        f"</channel></rss>".encode()
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><rss version="2.0"><channel><title>&lol9;</title>'
    b"<item><title>laugh &lol9;</title><link>https://e.example/lol</link></item>"
    b"</channel></rss>"
)


def _xxe(port: int) -> bytes:
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        b'<!ENTITY file SYSTEM "file:///etc/passwd">\n'
        b'<!ENTITY net SYSTEM "http://127.0.0.1:%d/xxe-probe">\n]>\n'
        b'<rss version="2.0"><channel><title>x&file;</title>'
        b"<item><title>t&file;&net;</title><link>https://e.example/xxe</link>"
        b"<description>&file;</description></item></channel></rss>" % port
    )


# -- routes ------------------------------------------------------------------------------------


def r_feed(h: HostileHandler) -> None:
    if h.headers.get("If-None-Match") == ETAG:
        h.reply(304, b"", None, {"ETag": ETAG})
        return
    h.reply(
        200,
        FEED,
        "application/rss+xml; charset=utf-8",
        {"ETag": ETAG, "Last-Modified": "Mon, 05 Feb 2024 10:00:00 GMT"},
    )


def r_gzip_feed(h: HostileHandler) -> None:
    h.reply(200, gzip.compress(FEED), "application/rss+xml", {"Content-Encoding": "gzip"})


_GZIP_BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)
_DEFLATE_BOMB = zlib.compress(b"\0" * (20 * 1024 * 1024), 9)
_BROTLI_BOMB = brotli.compress(b"\0" * (20 * 1024 * 1024), quality=5)


def r_gzip_bomb(h: HostileHandler) -> None:
    h.reply(200, _GZIP_BOMB, "application/rss+xml", {"Content-Encoding": "gzip"})


def r_deflate_bomb(h: HostileHandler) -> None:
    h.reply(200, _DEFLATE_BOMB, "application/rss+xml", {"Content-Encoding": "deflate"})


def r_brotli_bomb(h: HostileHandler) -> None:
    h.reply(200, _BROTLI_BOMB, "application/rss+xml", {"Content-Encoding": "br"})


def r_endless(h: HostileHandler) -> None:
    h.stream_forever(b"<item>" + b"x" * 8192 + b"</item>")


def r_huge_declared(h: HostileHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", str(10 * 1024**3))
    h.end_headers()
    h.wfile.write(b"<rss>")


def r_slow_body(h: HostileHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.end_headers()
    h.wfile.flush()
    h.trickle(FEED, interval_s=0.5)


def r_slow_headers(h: HostileHandler) -> None:
    # raw status line + headers one byte at a time: no read ever waits long enough to time out
    h.trickle(
        b"HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\nX-Padding: "
        + b"a" * 200
        + b"\r\n\r\n",
        interval_s=0.5,
    )


def r_pdf(h: HostileHandler) -> None:
    h.stream_forever(b"%PDF-1.7 " + b"\0" * 8192, content_type="application/pdf")


def r_octet(h: HostileHandler) -> None:
    h.stream_forever(b"\0" * 8192, content_type="application/octet-stream")


def r_video(h: HostileHandler) -> None:
    h.stream_forever(b"\0" * 8192, content_type="video/mp4")


def r_redirect_to(target: str, status: int = 302):  # type: ignore[no-untyped-def]
    def route(h: HostileHandler) -> None:
        h.reply(status, b"", None, {"Location": target.format(port=h.server.port)})

    return route


def r_status(status: int, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    def route(h: HostileHandler) -> None:
        h.reply(status, b"nope", "text/plain", headers)

    return route


def r_truncated(h: HostileHandler) -> None:
    h.reply(200, FEED[: FEED.index(b"<item><title>Talks") + 30], "application/rss+xml")


def r_wrong_charset(h: HostileHandler) -> None:
    body = FEED.replace(b"Talks resume", "Négociations à Genève".encode("latin-1"))
    h.reply(200, body, "application/rss+xml; charset=utf-8")


def r_bom_utf16(h: HostileHandler) -> None:
    text = FEED.decode().replace('encoding="utf-8"', 'encoding="utf-16"')
    text = text.replace("Talks resume", "Пересмотр переговоров")
    h.reply(200, text.encode("utf-16"), "application/xml")


def r_invalid_utf8(h: HostileHandler) -> None:
    h.reply(
        200,
        FEED.replace(b"Talks resume", b"Talks \xff\xfe\xc3( resume"),
        "application/rss+xml; charset=utf-8",
    )


def r_bad_dates(h: HostileHandler) -> None:
    items = "".join(
        f"<item><title>d{i}</title><link>https://e.example/d{i}</link><pubDate>{d}</pubDate></item>"
        for i, d in enumerate(
            [
                "Mon, 32 Jan 2024 10:00:00 GMT",
                "2024-13-01T00:00:00Z",
                "0000-01-01T00:00:00Z",
                "Fri, 31 Dec 9999 23:59:59 GMT",
                "2024-05-01 10:00",
                "Sat, 01 Jan 2101 00:00:00 GMT",
                "yesterday-ish",
            ]
        )
    )
    body = f'<rss version="2.0"><channel><title>d</title>{items}</channel></rss>'
    h.reply(200, body.encode(), "application/rss+xml")


def r_script_title(h: HostileHandler) -> None:
    body = (
        b'<rss version="2.0"><channel><title>s</title><item>'
        b"<title>&lt;script&gt;alert(1)&lt;/script&gt;Summit</title>"
        b"<link>https://e.example/s</link>"
        b"<description>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;steal()&lt;/script&gt;text"
        b"</description></item>"
        b"</channel></rss>"
    )
    h.reply(200, body, "application/rss+xml")


def r_guid_mess(h: HostileHandler) -> None:
    body = b"""<rss version="2.0"><channel><title>g</title>
<item><title>a</title><link>/story/a?utm_medium=rss</link></item>
<item><title>a again</title><link>https://www.mfa.example.org/story/a#comments</link></item>
<item><title>no link</title><guid isPermaLink="false">opaque-7</guid></item>
<item><title>same guid</title><guid isPermaLink="false">opaque-7</guid></item>
<item><title>guid url</title><guid>https://mfa.example.org/story/b</guid></item>
<item><title>javascript</title><link>javascript:alert(1)</link><guid>j-1</guid></item>
</channel></rss>"""
    h.reply(200, body, "application/rss+xml")


_BIG = _big_feed(100_000)


def r_big(h: HostileHandler) -> None:
    h.reply(200, _BIG, "application/rss+xml")


def r_billion(h: HostileHandler) -> None:
    h.reply(200, BILLION_LAUGHS, "application/xml")


def r_xxe(h: HostileHandler) -> None:
    h.reply(200, _xxe(h.server.port), "application/xml")


def r_probe(h: HostileHandler) -> None:
    h.reply(200, b"LEAKED", "text/plain")


def r_host_echo(h: HostileHandler) -> None:
    h.reply(200, FEED, "application/rss+xml")


ROUTES = {
    "/feed.xml": r_feed,
    "/gzip-feed": r_gzip_feed,
    "/gzip-bomb": r_gzip_bomb,
    "/deflate-bomb": r_deflate_bomb,
    "/brotli-bomb": r_brotli_bomb,
    "/endless": r_endless,
    "/huge-declared": r_huge_declared,
    "/slow-body": r_slow_body,
    "/slow-headers": r_slow_headers,
    "/pdf": r_pdf,
    "/octet": r_octet,
    "/video": r_video,
    "/to-metadata": r_redirect_to("http://169.254.169.254/latest/meta-data/"),
    "/to-private": r_redirect_to("http://10.0.0.5/admin"),
    "/to-internal-name": r_redirect_to("http://internal.test:{port}/feed.xml"),
    "/to-file": r_redirect_to("file:///etc/passwd"),
    "/to-gopher": r_redirect_to("gopher://127.0.0.1:{port}/_x"),
    "/to-feed": r_redirect_to("/feed.xml", 301),
    "/loop": r_redirect_to("/loop"),
    "/no-location": r_status(302),
    "/gone": r_status(410),
    "/forbidden": r_status(403),
    "/busy": r_status(429, {"Retry-After": "120"}),
    "/unavailable": r_status(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
    "/broken": r_status(500),
    "/truncated": r_truncated,
    "/wrong-charset": r_wrong_charset,
    "/bom-utf16": r_bom_utf16,
    "/invalid-utf8": r_invalid_utf8,
    "/bad-dates": r_bad_dates,
    "/script-title": r_script_title,
    "/guid-mess": r_guid_mess,
    "/big": r_big,
    "/billion": r_billion,
    "/xxe": r_xxe,
    "/xxe-probe": r_probe,
    "/host-echo": r_host_echo,
}


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with running(ROUTES) as srv:
        yield srv


@pytest.fixture
def local() -> Iterator[SafeFetcher]:
    """A fetcher allowed to reach 127.0.0.0/8 (the test server), with small caps."""
    policy = FetchPolicy(
        allowed_private_networks=LOCAL,
        max_body_bytes=CAP,
        max_decompressed_bytes=CAP,
        total_deadline_s=DEADLINE_S,
        read_timeout_s=10.0,
    )
    with SafeFetcher(policy) as fetcher:
        yield fetcher


def url(server: HostileServer, path: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.port}{path}"


# -- the happy path (so the refusals below mean something) -----------------------------------


def test_fetch_feed_then_conditional_get_returns_304_without_body(
    server: HostileServer, local: SafeFetcher
) -> None:
    page = local.fetch(url(server, "/feed.xml"))
    assert page.status == 200
    assert page.content == FEED
    assert page.content_type == "application/rss+xml"
    assert page.encoding == "utf-8"
    assert page.etag == ETAG
    again = local.fetch(url(server, "/feed.xml"), etag=page.etag, last_modified=page.last_modified)
    assert again.status == 304
    assert again.content == b""
    sent = server.requests[-1][1]
    assert sent.get("If-None-Match") == ETAG
    assert sent.get("If-Modified-Since") == "Mon, 05 Feb 2024 10:00:00 GMT"


def test_fetch_gzip_feed_is_decoded(server: HostileServer, local: SafeFetcher) -> None:
    assert local.fetch(url(server, "/gzip-feed")).content == FEED


def test_fetch_follows_relative_redirect_and_reports_final_url(
    server: HostileServer, local: SafeFetcher
) -> None:
    page = local.fetch(url(server, "/to-feed"))
    assert page.url == url(server, "/feed.xml")
    assert page.content == FEED


# -- 18: SSRF address forms, refused before any connection ------------------------------------

SSRF_HOSTS = [
    "127.0.0.1",
    "127.9.9.9",
    "[::1]",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "169.254.169.254",
    "169.254.1.1",
    "0.0.0.0",
    "[::]",
    "100.64.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "2130706433",
    "0177.0.0.1",
    "0x7f000001",
    "0x7f.0.0.1",
    "127.1",
    "017700000001",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::ffff:a9fe:a9fe]",
    "[fe80::1]",
    "[fc00::1]",
    "[2002:7f00:1::]",
    "[64:ff9b::a00:1]",
    "localhost",
    "LOCALHOST.",
    "feeds.localhost",
    "news.example.org@127.0.0.1",
    "127。0。0。1",
]


@pytest.mark.parametrize("host", SSRF_HOSTS)
def test_fetch_refuses_internal_address_forms_before_connecting(
    server: HostileServer, host: str
) -> None:
    connects: list[tuple[str, str, int]] = []
    with SafeFetcher(FetchPolicy(), on_connect=lambda *a: connects.append(a)) as fetcher:
        hits_before = sum(server.hits.values())
        with pytest.raises(PermanentFetchError) as err:
            fetcher.fetch(f"http://{host}:{server.port}/feed.xml")
    assert err.value.reason == "ssrf_blocked"
    assert err.value.subject == f"http://{host}:{server.port}/feed.xml"
    assert connects == []
    assert sum(server.hits.values()) == hits_before


def test_fetch_metadata_address_stays_blocked_even_when_link_local_is_allow_listed() -> None:
    policy = FetchPolicy(allowed_private_networks=frozenset({"169.254.0.0/16"}))
    with SafeFetcher(policy) as fetcher, pytest.raises(PermanentFetchError) as err:
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    assert err.value.reason == "ssrf_blocked"


def test_fetch_refuses_hostname_resolving_to_private_address() -> None:
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["10.20.30.40"]

    with (
        SafeFetcher(FetchPolicy(), resolver=resolver) as fetcher,
        pytest.raises(PermanentFetchError) as err,
    ):
        fetcher.fetch("http://innocent.example/feed")
    assert err.value.reason == "ssrf_blocked"
    assert calls == ["innocent.example"]


def test_fetch_refuses_host_when_any_dns_record_is_private(server: HostileServer) -> None:
    with (
        SafeFetcher(
            FetchPolicy(allowed_private_networks=LOCAL),
            resolver=lambda h, p: ["127.0.0.1", "192.168.1.1"],
        ) as fetcher,
        pytest.raises(PermanentFetchError) as err,
    ):
        fetcher.fetch(url(server, "/feed.xml", host="mixed.test"))
    assert err.value.reason == "ssrf_blocked"


# -- 19: DNS rebinding -------------------------------------------------------------------------


class Rebinder:
    """Answers differently on each lookup, like a rebinding attacker's DNS server."""

    def __init__(self, *answers: str):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self, host: str, port: int) -> list[str]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return [answer]


def test_fetch_connects_to_exactly_the_ip_it_checked(server: HostileServer) -> None:
    # 1st answer passes the check; a 2nd lookup (as a check-then-connect client would make)
    # would get the metadata address.  We must resolve once and dial the checked IP.
    rebinder = Rebinder("127.0.0.1", "169.254.169.254")
    connects: list[tuple[str, str, int]] = []
    policy = FetchPolicy(allowed_private_networks=LOCAL)
    with SafeFetcher(policy, resolver=rebinder, on_connect=lambda *a: connects.append(a)) as f:
        page = f.fetch(url(server, "/host-echo", host="rebind.test"))
    assert page.status == 200
    assert rebinder.calls == 1
    assert connects == [("rebind.test", "127.0.0.1", server.port)]
    # the Host header still names the host, not the IP we dialled
    assert server.requests[-1][1]["Host"] == f"rebind.test:{server.port}"


def test_fetch_rebinding_to_internal_address_is_refused(server: HostileServer) -> None:
    rebinder = Rebinder("10.9.9.9", "127.0.0.1")
    hits_before = server.hits["/host-echo"]
    with (
        SafeFetcher(FetchPolicy(allowed_private_networks=LOCAL), resolver=rebinder) as f,
        pytest.raises(PermanentFetchError) as err,
    ):
        f.fetch(url(server, "/host-echo", host="rebind.test"))
    assert err.value.reason == "ssrf_blocked"
    assert server.hits["/host-echo"] == hits_before


# -- 20: redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private"])
def test_fetch_redirect_to_internal_address_is_refused(
    server: HostileServer, local: SafeFetcher, path: str
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, path))
    assert err.value.reason == "ssrf_blocked"


def test_fetch_redirect_to_internal_hostname_is_checked_at_connect(server: HostileServer) -> None:
    answers = {"feeds.test": ["127.0.0.1"], "internal.test": ["10.0.0.8"]}
    with (
        SafeFetcher(
            FetchPolicy(allowed_private_networks=LOCAL), resolver=lambda h, p: answers[h]
        ) as f,
        pytest.raises(PermanentFetchError) as err,
    ):
        f.fetch(url(server, "/to-internal-name", host="feeds.test"))
    assert err.value.reason == "ssrf_blocked"
    assert "internal.test" in str(err.value)


def test_fetch_redirect_loop_is_capped(server: HostileServer) -> None:
    policy = FetchPolicy(allowed_private_networks=LOCAL, max_redirects=3)
    before = server.hits["/loop"]
    with SafeFetcher(policy) as f, pytest.raises(PermanentFetchError) as err:
        f.fetch(url(server, "/loop"))
    assert err.value.reason == "too_many_redirects"
    assert server.hits["/loop"] - before == 4  # the first request + 3 hops


def test_fetch_redirect_without_location_is_permanent(
    server: HostileServer, local: SafeFetcher
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, "/no-location"))
    assert err.value.reason == "bad_redirect"


@pytest.mark.parametrize("path", ["/to-file", "/to-gopher"])
def test_fetch_redirect_to_forbidden_scheme_is_refused(
    server: HostileServer, local: SafeFetcher, path: str
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, path))
    assert err.value.reason == "bad_scheme"


# -- 21: schemes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "ftp://ftp.example.org/feed.xml",
        "gopher://127.0.0.1:6379/_INFO",
        "feed://example.org/rss",
        "feed:https://example.org/rss",
        "/etc/passwd",
        "example.org/rss.xml",
        "javascript:alert(1)",
        "data:application/rss+xml,<rss/>",
        "dict://127.0.0.1:11211/stat",
    ],
)
def test_fetch_refuses_non_http_schemes(target: str) -> None:
    with SafeFetcher(FetchPolicy()) as fetcher, pytest.raises(PermanentFetchError) as err:
        fetcher.fetch(target)
    assert err.value.reason == "bad_scheme"
    assert err.value.subject == target


# -- 22, 23: billion laughs and XXE, through fetch + parse_feed ---------------------------------


def test_parse_feed_billion_laughs_is_harmless(server: HostileServer, local: SafeFetcher) -> None:
    page = local.fetch(url(server, "/billion"))
    started = time.monotonic()
    parsed = parse_feed(page.content, feed_id="lol", base_url=page.url)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5  # sanity bound: without the guard expat spends ~1 s expanding
    assert all(len(e.title or "") < 100 for e in parsed.entries)
    assert len(parsed.title or "") < 100
    assert [e.url for e in parsed.entries] == ["https://e.example/lol"]


def test_parse_feed_external_entities_are_not_resolved(
    server: HostileServer, local: SafeFetcher
) -> None:
    page = local.fetch(url(server, "/xxe"))
    parsed = parse_feed(page.content, feed_id="xxe", base_url=page.url)
    dumped = repr(parsed)
    assert "root:" not in dumped  # /etc/passwd content
    assert "LEAKED" not in dumped
    assert server.hits["/xxe-probe"] == 0


def test_parse_feed_never_opens_a_local_path_given_as_content(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(b'<rss version="2.0"><channel><title>SECRET</title></channel></rss>')
    # feedparser.parse(bytes) would open() this path; parse_feed must treat it as data
    parsed = parse_feed(str(secret).encode(), feed_id="p", base_url="https://e.example/")
    assert parsed.title != "SECRET"
    with pytest.raises(TypeError):
        parse_feed(str(secret), feed_id="p", base_url="https://e.example/")  # type: ignore[arg-type]


# -- 24, 25: bombs and endless bodies ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb", "/brotli-bomb"])
def test_fetch_compression_bomb_is_aborted_at_decompressed_cap(
    server: HostileServer, local: SafeFetcher, path: str
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, path))
    assert err.value.reason == "decompressed_too_large"
    assert err.value.subject == url(server, path)


def test_fetch_endless_body_is_aborted_at_byte_cap(
    server: HostileServer, local: SafeFetcher
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, "/endless"))
    assert err.value.reason == "too_large"


def test_fetch_declared_huge_length_is_refused_before_reading(
    server: HostileServer, local: SafeFetcher
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, "/huge-declared"))
    assert err.value.reason == "too_large"


# -- 26: slowloris -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_fetch_slowloris_is_aborted_at_total_deadline(
    server: HostileServer, local: SafeFetcher, path: str
) -> None:
    started = time.monotonic()
    with pytest.raises(TransientFetchError) as err:
        local.fetch(url(server, path))
    elapsed = time.monotonic() - started
    assert err.value.reason == "deadline"
    assert elapsed < DEADLINE_S + MARGIN_S


# -- 27: wrong content types, checked before the body ------------------------------------------


@pytest.mark.parametrize("path", ["/pdf", "/octet", "/video"])
def test_fetch_non_feed_content_type_is_skipped_before_download(
    server: HostileServer, local: SafeFetcher, path: str
) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, path))
    # not "too_large": the (endless) body was never read
    assert err.value.reason == "unsupported_content_type"


def test_fetch_page_kind_refuses_feed_only_types(server: HostileServer, local: SafeFetcher) -> None:
    with pytest.raises(PermanentFetchError) as err:
        local.fetch(url(server, "/feed.xml"), kind="page")
    assert err.value.reason == "unsupported_content_type"


# -- HTTP statuses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "reason", "retry_after"),
    [
        ("/nowhere", PermanentFetchError, "http_404", None),
        ("/gone", PermanentFetchError, "http_410", None),
        ("/forbidden", PermanentFetchError, "http_403", None),
        ("/busy", TransientFetchError, "http_429", 120.0),
        ("/unavailable", TransientFetchError, "http_503", 0.0),  # a date in the past
        ("/broken", TransientFetchError, "http_500", None),
    ],
)
def test_fetch_maps_http_status_to_error_type(
    server: HostileServer,
    local: SafeFetcher,
    path: str,
    kind: type,
    reason: str,
    retry_after: float | None,
) -> None:
    with pytest.raises(kind) as err:
        local.fetch(url(server, path))
    assert err.value.reason == reason
    assert err.value.subject == url(server, path)
    if kind is TransientFetchError:
        assert err.value.retry_after_s == retry_after


def test_fetch_connection_refused_is_transient(local: SafeFetcher) -> None:
    import socket

    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientFetchError) as err:
        local.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert err.value.reason == "connection"


# -- 28-30, 32, 33: hostile feed content, fetched then parsed ---------------------------------


def _fetch_parse(server: HostileServer, fetcher: SafeFetcher, path: str):  # type: ignore[no-untyped-def]
    page = fetcher.fetch(url(server, path))
    return page, parse_feed(
        page.content, feed_id="t", base_url=page.url, content_type=page.headers.get("content-type")
    )


def test_parse_feed_truncated_xml_still_yields_entries(
    server: HostileServer, local: SafeFetcher
) -> None:
    _page, parsed = _fetch_parse(server, local, "/truncated")
    assert parsed.bozo
    assert parsed.bozo_reason
    assert [e.title for e in parsed.entries][:1] == ["Minister meets envoy"]


def test_parse_feed_relative_links_resolve_against_the_feed_url(
    server: HostileServer, local: SafeFetcher
) -> None:
    _page, parsed = _fetch_parse(server, local, "/feed.xml")
    first = parsed.entries[0]
    assert first.url == f"http://127.0.0.1:{server.port}/news/1?utm_source=rss"
    assert first.identity == f"http://127.0.0.1:{server.port}/news/1"
    assert first.guid == "mfa-1"
    assert (
        first.published is not None and first.published.isoformat() == "2024-02-05T10:00:00+00:00"
    )
    assert parsed.entries[1].published.isoformat() == "2024-02-06T10:30:00+00:00"  # type: ignore[union-attr]


def test_decode_text_wrong_declared_charset_uses_replacement(
    server: HostileServer, local: SafeFetcher
) -> None:
    page, parsed = _fetch_parse(server, local, "/wrong-charset")
    text = decode_text(page)
    # the declared UTF-8 wins; the Latin-1 bytes become U+FFFD instead of raising
    assert "N\ufffdgociations \ufffd Gen\ufffdve" in text
    assert len(parsed.entries) == 2
    assert parsed.entries[1].title  # decoded somehow, never an exception


def test_decode_text_utf16_bom_is_honoured(server: HostileServer, local: SafeFetcher) -> None:
    page, parsed = _fetch_parse(server, local, "/bom-utf16")
    assert "Пересмотр переговоров" in decode_text(page)
    assert parsed.entries[1].title == "Пересмотр переговоров"


def test_decode_text_invalid_utf8_is_replaced(server: HostileServer, local: SafeFetcher) -> None:
    page, parsed = _fetch_parse(server, local, "/invalid-utf8")
    text = decode_text(page)
    assert "\ufffd" in text
    assert "Talks" in text
    assert len(parsed.entries) == 2


@pytest.mark.parametrize(
    ("content", "encoding", "expected"),
    [
        (b"\xef\xbb\xbfcaf\xc3\xa9", None, "café"),
        ("café".encode("utf-16-le"), None, "café"),  # no BOM: the NUL pattern gives it away
        (b"\xff\xfec\x00a\x00f\x00\xe9\x00", None, "café"),
        ("café".encode(), "iso-8859-1", "café"),  # weak header loses to valid UTF-8
        ("café".encode("cp1252"), None, "caf"),
        ("café".encode("cp1252"), "windows-1252", "café"),
        (b'<?xml version="1.0" encoding="iso-8859-1"?><a>caf\xe9</a>', None, "café"),
        (b"caf\xe9", "no-such-charset", "caf"),
    ],
)
def test_decode_text_handles_boms_declarations_and_garbage(
    content: bytes, encoding: str | None, expected: str
) -> None:
    page = FetchedPage(url="https://e.example/", status=200, content=content, encoding=encoding)
    assert expected in decode_text(page)


def test_parse_feed_impossible_dates_become_none_and_are_flagged(
    server: HostileServer, local: SafeFetcher
) -> None:
    _page, parsed = _fetch_parse(server, local, "/bad-dates")
    dates = {e.title: e.published for e in parsed.entries}
    assert len(dates) == 7
    for title in ("d0", "d1", "d2", "d3", "d5", "d6"):
        assert dates[title] is None, title
    assert dates["d4"] is not None and dates["d4"].isoformat() == "2024-05-01T10:00:00+00:00"
    codes = sorted(n.code for n in parsed.notes)
    assert codes.count("bad_date") >= 3
    assert "future_date" in codes


def test_parse_feed_script_in_title_is_kept_as_text(
    server: HostileServer, local: SafeFetcher
) -> None:
    _page, parsed = _fetch_parse(server, local, "/script-title")
    (entry,) = parsed.entries
    assert entry.title == "<script>alert(1)</script>Summit"  # literal text, escaped on render
    assert entry.summary is not None
    assert "<" not in entry.summary and "steal()" not in entry.summary
    assert "bold" in entry.summary


def test_parse_feed_missing_and_duplicate_guids(server: HostileServer, local: SafeFetcher) -> None:
    _page, parsed = _fetch_parse(server, local, "/guid-mess")
    port = server.port
    identities = [e.identity for e in parsed.entries]
    assert identities == [
        f"http://127.0.0.1:{port}/story/a",
        "https://mfa.example.org/story/a",
        "guid:opaque-7",
        "https://mfa.example.org/story/b",
        "guid:j-1",
    ]
    assert parsed.duplicates == 1
    by_id = {e.identity: e for e in parsed.entries}
    assert by_id["guid:opaque-7"].url == ""  # nothing to fetch: the caller dead-letters it
    assert by_id["guid:j-1"].url == ""  # javascript: is never a link
    assert by_id["https://mfa.example.org/story/b"].url == "https://mfa.example.org/story/b"


def test_parse_feed_100k_entries_is_capped_per_poll(server: HostileServer) -> None:
    policy = FetchPolicy(
        allowed_private_networks=LOCAL,
        max_body_bytes=16 * 1024 * 1024,
        max_decompressed_bytes=16 * 1024 * 1024,
    )
    with SafeFetcher(policy) as fetcher:
        page = fetcher.fetch(url(server, "/big"))
    parsed = parse_feed(page.content, feed_id="big", base_url=page.url, max_entries=500)
    assert len(parsed.entries) == 500
    assert parsed.dropped_by_cap == 100_000 - 500
    assert parsed.entries[-1].url == "https://e.example/499"


# -- 35: TLS fails closed ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a self-signed certificate")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,DNS:feeds.test",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


@pytest.fixture(scope="module")
def tls_server(tls_files: tuple[Path, Path]) -> Iterator[HostileServer]:
    cert, key = tls_files
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    routes = {
        "/feed.xml": r_feed,
        "/downgrade": r_redirect_to("http://feeds.test:{port}/feed.xml"),
    }
    with running(routes, ssl_context=ctx) as srv:
        yield srv


def _trusting(cert: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(cert))
    return ctx


def _resolve_local(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def test_fetch_self_signed_certificate_fails_closed(tls_server: HostileServer) -> None:
    with (
        SafeFetcher(FetchPolicy(allowed_private_networks=LOCAL), resolver=_resolve_local) as f,
        pytest.raises(PermanentFetchError) as err,
    ):
        f.fetch(f"https://feeds.test:{tls_server.port}/feed.xml")
    assert err.value.reason == "tls"


def test_fetch_certificate_for_another_name_fails_closed(
    tls_server: HostileServer, tls_files: tuple[Path, Path]
) -> None:
    with (
        SafeFetcher(
            FetchPolicy(allowed_private_networks=LOCAL),
            resolver=_resolve_local,
            ssl_context=_trusting(tls_files[0]),
        ) as f,
        pytest.raises(PermanentFetchError) as err,
    ):
        f.fetch(f"https://wrong-name.test:{tls_server.port}/feed.xml")
    assert err.value.reason == "tls"


def test_fetch_tls_verifies_hostname_while_dialling_checked_ip(
    tls_server: HostileServer, tls_files: tuple[Path, Path]
) -> None:
    connects: list[tuple[str, str, int]] = []
    with SafeFetcher(
        FetchPolicy(allowed_private_networks=LOCAL),
        resolver=_resolve_local,
        ssl_context=_trusting(tls_files[0]),
        on_connect=lambda *a: connects.append(a),
    ) as f:
        page = f.fetch(f"https://feeds.test:{tls_server.port}/feed.xml")
    assert page.content == FEED
    assert connects == [("feeds.test", "127.0.0.1", tls_server.port)]


def test_fetch_https_to_http_redirect_is_refused(
    tls_server: HostileServer, tls_files: tuple[Path, Path]
) -> None:
    with (
        SafeFetcher(
            FetchPolicy(allowed_private_networks=LOCAL),
            resolver=_resolve_local,
            ssl_context=_trusting(tls_files[0]),
        ) as f,
        pytest.raises(PermanentFetchError) as err,
    ):
        f.fetch(f"https://feeds.test:{tls_server.port}/downgrade")
    assert err.value.reason == "redirect_downgrade"


def test_fetch_slow_dns_is_bounded_by_the_total_deadline() -> None:
    def stuck_resolver(host: str, port: int) -> list[str]:
        time.sleep(DEADLINE_S + 2)
        return ["127.0.0.1"]

    policy = FetchPolicy(allowed_private_networks=LOCAL, total_deadline_s=0.5)
    started = time.monotonic()
    with (
        SafeFetcher(policy, resolver=stuck_resolver) as f,
        pytest.raises(TransientFetchError) as err,
    ):
        f.fetch("http://slow-dns.test/feed.xml")
    assert err.value.reason == "deadline"
    assert time.monotonic() - started < 0.5 + MARGIN_S


def test_fetch_never_stores_or_sends_cookies(server: HostileServer, local: SafeFetcher) -> None:
    server.routes["/set-cookie"] = lambda h: h.reply(
        200, FEED, "application/rss+xml", {"Set-Cookie": "session=secret; Path=/"}
    )
    local.fetch(url(server, "/set-cookie"))
    local.fetch(url(server, "/feed.xml"))
    assert "Cookie" not in server.requests[-1][1]


@pytest.mark.parametrize(
    "target", ["http://a..b/", "http://①②⑦.0.0.1/", "http://[::1/", "http:///feed", "https://"]
)
def test_fetch_malformed_hosts_are_permanent_bad_url(target: str) -> None:
    with SafeFetcher(FetchPolicy()) as fetcher, pytest.raises(PermanentFetchError) as err:
        fetcher.fetch(target)
    assert err.value.reason == "bad_url"
