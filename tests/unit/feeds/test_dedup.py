"""Fingerprints and MinHash near-duplicate detection for syndicated copies."""

from __future__ import annotations

import pytest

from pipeline.dedup import (
    BANDS,
    NUM_PERM,
    MemoryStore,
    MinHashIndex,
    decode_signature,
    encode_signature,
    fingerprint,
    lsh_band_keys,
    signature,
    similarity,
)

WIRE = (
    "GENEVA (Reuters) - Foreign ministers from Russia and Ukraine met in Geneva on Thursday "
    "for the first direct talks in months, according to officials familiar with the matter. "
    "The meeting, hosted by the Swiss government, focused on prisoner exchanges, grain exports "
    "through the Black Sea and the safety of the Zaporizhzhia nuclear plant. Neither side "
    "announced a breakthrough, but both delegations agreed to meet again next month. The "
    "United Nations Secretary-General welcomed the talks and urged both parties to build on "
    "the progress made on humanitarian issues."
)
SYNDICATED = (
    "Russia, Ukraine foreign ministers hold talks in Geneva\n\n"
    + WIRE.replace("GENEVA (Reuters) - ", "")
    + " Reporting by Emma Farge; Editing by Alex Richardson."
)
OTHER = (
    "TOKYO (AP) - Japan's central bank kept interest rates unchanged on Friday, citing "
    "uncertainty over wage growth and consumer spending, and signalled it would wait for "
    "more data before tightening policy further. The yen weakened after the announcement."
)


def test_fingerprint_ignores_case_punctuation_and_whitespace() -> None:
    assert fingerprint("Talks  resume, in GENEVA!") == fingerprint("talks resume in geneva")
    assert fingerprint("Talks resume in Geneva") != fingerprint("Talks end in Geneva")
    assert len(fingerprint("x")) == 32


def test_signature_is_deterministic_and_sized() -> None:
    assert signature(WIRE) == signature(WIRE)
    assert len(signature(WIRE)) == NUM_PERM
    assert all(0 <= v < 2**32 for v in signature(WIRE))


def test_similarity_separates_syndicated_copy_from_other_story() -> None:
    assert similarity(signature(WIRE), signature(SYNDICATED)) >= 0.8
    assert similarity(signature(WIRE), signature(OTHER)) < 0.1


def test_similarity_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        similarity([1, 2], [1])


def test_lsh_band_keys_shared_for_near_duplicates_only() -> None:
    a, b, c = (set(lsh_band_keys(signature(t))) for t in (WIRE, SYNDICATED, OTHER))
    assert len(a) == BANDS
    assert a & b
    assert not a & c


def test_signature_roundtrips_through_storage_encoding() -> None:
    sig = signature(WIRE)
    assert decode_signature(encode_signature(sig)) == sig
    assert decode_signature(encode_signature(sig).encode()) == sig


def test_minhash_index_finds_syndicated_copy_and_is_idempotent() -> None:
    store = MemoryStore()
    index = MinHashIndex(store)
    assert index.add_if_new("a_wire", signature(WIRE)) is None
    assert index.add_if_new("a_wire", signature(WIRE)) is None  # redelivery: same id, no dup
    assert index.add_if_new("a_other", signature(OTHER)) is None
    assert index.add_if_new("a_copy", signature(SYNDICATED)) == "a_wire"
    hits = index.query(signature(SYNDICATED))
    assert [h[0] for h in hits] == ["a_wire"]


def test_minhash_index_accepts_bytes_from_a_redis_like_store() -> None:
    class BytesStore(MemoryStore):
        def smembers(self, name: str) -> set[bytes]:  # type: ignore[override]
            return {m.encode() for m in super().smembers(name)}

        def get(self, name: str) -> bytes | None:  # type: ignore[override]
            value = super().get(name)
            return value.encode() if value is not None else None

    index = MinHashIndex(BytesStore())
    index.add("a_wire", signature(WIRE))
    assert index.query(signature(SYNDICATED))[0][0] == "a_wire"
