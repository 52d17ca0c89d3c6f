"""HTTP content-encoding decoders that never produce more than a caller's byte limit.

A compressed body is decoded chunk by chunk as it arrives, each call bounded, so a
decompression bomb is caught after at most ``limit + 1`` bytes instead of after filling memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Protocol

from pipeline.errors import PermanentFetchError

try:  # brotli >= 1.2 can bound its output per call; older versions cannot be used safely
    import brotli

    _BROTLI_OK = "output_buffer_limit" in (brotli.Decompressor.process.__doc__ or "")
except ImportError:  # pragma: no cover - brotli is a declared dependency
    brotli = None


class Decoder(Protocol):
    """One content-encoding layer, fed in chunks."""

    def feed(self, data: bytes, limit: int) -> bytes: ...
    def flush(self, limit: int) -> bytes: ...


class DecompressionBomb(Exception):
    """A decoder was about to produce more bytes than its limit."""


class _ZlibDecoder:
    """gzip (multi-member) or deflate (zlib-wrapped or raw), never producing > limit bytes."""

    def __init__(self, encoding: str):
        self._gzip = encoding in ("gzip", "x-gzip")
        self._raw_fallback = not self._gzip
        self._d = self._new()

    def _new(self, raw: bool = False) -> zlib._Decompress:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        while data:
            try:
                # limit+1: getting more than `limit` back is how an overflow is detected
                chunk = self._d.decompress(data, limit - len(out) + 1)
            except zlib.error:
                if self._raw_fallback:  # "deflate" sent as raw deflate by some servers
                    self._raw_fallback = False
                    self._d = self._new(raw=True)
                    continue
                raise
            self._raw_fallback = False
            out += chunk
            if len(out) > limit:
                raise DecompressionBomb
            data = b""
            if self._gzip and self._d.eof and self._d.unused_data:
                data = self._d.unused_data  # next gzip member
                self._d = self._new()
        return bytes(out)

    def flush(self, limit: int) -> bytes:
        out = self._d.flush(limit + 1)
        if len(out) > limit:
            raise DecompressionBomb
        return out


class _BrotliDecoder:
    def __init__(self) -> None:
        assert brotli is not None
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        out = self._d.process(data, output_buffer_limit=limit + 1)
        if len(out) > limit:
            raise DecompressionBomb
        return bytes(out)

    def flush(self, limit: int) -> bytes:
        return b""


def decoders_for(content_encoding: str) -> list[Decoder]:
    """Decoders to apply in order (reverse of the order the encodings were applied)."""
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    out: list[Decoder] = []
    for name in reversed(names):
        if name == "identity":
            continue
        if name in ("gzip", "x-gzip", "deflate"):
            out.append(_ZlibDecoder(name))
        elif name == "br" and _BROTLI_OK:
            out.append(_BrotliDecoder())
        else:
            raise ValueError(name)
    return out


def accept_encoding() -> str:
    """The Accept-Encoding header value for the decoders available here."""
    return "gzip, deflate, br" if _BROTLI_OK else "gzip, deflate"


def read_body(
    chunks: Iterable[bytes],
    content_encoding: str,
    *,
    url: str,
    max_wire_bytes: int,
    max_decoded_bytes: int,
) -> bytes:
    """The decoded body from raw wire ``chunks``, bounded on the wire and after decoding.

    Raises :class:`~pipeline.errors.PermanentFetchError` with ``url`` as subject and reason
    ``unsupported_content_encoding``, ``too_large``, ``decompressed_too_large`` or
    ``bad_encoding``.
    """
    try:
        decoders = decoders_for(content_encoding)
    except ValueError as exc:
        raise PermanentFetchError(
            f"content encoding {exc} not supported",
            subject=url,
            reason="unsupported_content_encoding",
        ) from exc
    try:
        return _decode_chunks(chunks, decoders, url, max_wire_bytes, max_decoded_bytes)
    except DecompressionBomb as exc:
        raise PermanentFetchError(
            f"decompressed body exceeds {max_decoded_bytes} bytes",
            subject=url,
            reason="decompressed_too_large",
        ) from exc
    except (zlib.error, ValueError) as exc:
        raise PermanentFetchError(
            f"corrupt compressed body: {exc}", subject=url, reason="bad_encoding"
        ) from exc
    except Exception as exc:
        if brotli is not None and isinstance(exc, brotli.error):
            raise PermanentFetchError(
                f"corrupt brotli body: {exc}", subject=url, reason="bad_encoding"
            ) from exc
        raise


def _decode_chunks(
    chunks: Iterable[bytes],
    decoders: list[Decoder],
    url: str,
    max_wire_bytes: int,
    max_decoded_bytes: int,
) -> bytes:
    wire = 0
    out = bytearray()
    for raw in chunks:
        wire += len(raw)
        if wire > max_wire_bytes:
            raise PermanentFetchError(
                f"body exceeds {max_wire_bytes} bytes on the wire", subject=url, reason="too_large"
            )
        data = raw
        for dec in decoders:
            data = dec.feed(data, max_decoded_bytes - len(out))
        out += data
        if len(out) > max_decoded_bytes:
            raise DecompressionBomb
    data = b""
    for dec in decoders:
        data = dec.feed(data, max_decoded_bytes - len(out)) + dec.flush(
            max_decoded_bytes - len(out)
        )
    out += data
    if len(out) > max_decoded_bytes:
        raise DecompressionBomb
    return bytes(out)
