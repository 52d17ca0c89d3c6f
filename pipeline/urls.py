"""URL canonicalization: one story, one URL, whatever tracking or AMP decoration it arrived with.

The canonical URL is an *identity*, not something to fetch: it drops ``www.``/``m.``/``amp.``
host prefixes and AMP path forms, which are the same article on every news site we poll.  Fetch
the original (absolute) link; key documents by ``canonical_url``.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from pipeline.ids import stable_hash

# Query parameters that only say how a reader arrived (campaigns, click ids, feed readers).
# fmt: off
_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
        "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wickedid", "rb_clickid", "s_cid", "cmpid", "cmp", "ocid", "smid", "smtyp",
        "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "at_medium",
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "xtor", "ref",
        "ref_src", "ref_url", "referrer", "feedtype", "feedname", "rss", "outputtype",
        "amp", "amp_js_v", "amp_gsa", "usqp", "guccounter", "guce_referrer", "guce_referrer_sig",
        "sr_share", "__twitter_impression", "wt.mc_id", "wt.mc_ev", "tpcc", "spm",
        "link_source", "taid", "fsrc", "soc_src", "soc_trk", "ftag", "intcmp", "in_source",
    }
)
# fmt: on
_TRACKING_PREFIXES = ("utm_", "ga_", "hmb_", "pk_", "mtm_", "at_", "ns_", "wt.", "ito_")
# Host prefixes that serve the same article as the bare domain.
_HOST_PREFIXES = ("www.", "www2.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_PATH = re.compile(r"(?:/amp(?=/|$)|\.amp(?=$|\.html?$)|/amp\.html?$)", re.I)
# Browsers drop tabs/newlines anywhere in a URL and whitespace at its ends; other spaces are
# percent-encoded when the path is normalized.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _strip_host(host: str) -> str:
    host = host.rstrip(".")
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            # keep at least "domain.tld": "m.co" stays as it is
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                changed = True
    return host


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in _TRACKING_EXACT or k.startswith(_TRACKING_PREFIXES)


def _normalize_path(path: str) -> str:
    path = _AMP_PATH.sub("", path) or "/"
    # collapse duplicate slashes and dot segments the way browsers do
    segments: list[str] = []
    for seg in re.sub(r"/{2,}", "/", path).split("/"):
        if seg == "..":
            if len(segments) > 1:
                segments.pop()
        elif seg != ".":
            segments.append(seg)
    path = "/".join(segments) or "/"
    if not path.startswith("/"):
        path = "/" + path
    # one spelling for percent-encoding: decode what is safe, re-encode the rest
    return quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")


def canonical_url(url: str, base: str | None = None) -> str:
    """The identity form of ``url`` (resolved against ``base`` when relative).

    Lowercases scheme and host, drops default ports, ``www.``/``m.``/``amp.`` host prefixes, AMP
    path forms (``/amp/``, ``.amp``), the fragment and tracking parameters (``utm_*``,
    ``fbclid``, ``gclid``, ``outputType=amp``...), and sorts the remaining query.  Non-HTTP(S)
    URLs are returned stripped but otherwise unchanged; so is anything unparseable.
    """
    raw = _CONTROL.sub("", url or "").strip()
    if base:
        try:
            raw = urljoin(_CONTROL.sub("", base), raw)
        except ValueError:
            return raw
    try:
        parts = urlsplit(raw)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return raw
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return raw
    if not host:
        return raw
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    host = _strip_host(host)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), urlencode(query), ""))


def absolute_url(url: str | None, base: str | None = None) -> str | None:
    """``url`` resolved against ``base``, if the result is an http(s) URL with a host."""
    if not url:
        return None
    raw = _CONTROL.sub("", url).strip()
    try:
        if base:
            raw = urljoin(_CONTROL.sub("", base), raw)
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def entry_identity(
    link: str | None,
    guid: str | None = None,
    *,
    base: str | None = None,
    fallback: tuple[str, ...] = (),
) -> str | None:
    """Stable identity of a feed entry: canonical URL of its link, else its GUID.

    A GUID that is itself an http(s) URL is canonicalized like a link.  Without either,
    ``fallback`` parts (e.g. title and summary) are hashed into ``"hash:<hex>"``; with nothing
    at all, None (the caller cannot tell this entry from another and should drop it).
    """
    # A GUID is never resolved against the base: "12345" is an id, not a relative link.
    for candidate, candidate_base in ((link, base), (guid, None)):
        absolute = absolute_url(candidate, candidate_base) if candidate else None
        if absolute:
            return canonical_url(absolute)
    if guid and guid.strip():
        return "guid:" + guid.strip()
    parts = tuple(p for p in fallback if p)
    if parts:
        return "hash:" + stable_hash(*parts)
    return None
