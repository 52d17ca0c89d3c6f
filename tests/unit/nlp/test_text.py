from pipeline.nlp.text import chunks, clean_text, non_english_ratio


def test_clean_text_keeps_length_so_offsets_stay_valid() -> None:
    raw = "<p>Japan\u200b and <b>China</b> met.</p>\x00 &amp; more"
    out, notes = clean_text(raw)
    assert len(out) == len(raw)
    assert "<" not in out and "\x00" not in out
    assert {n.code for n in notes} >= {"html_leftover", "odd_unicode"}


def test_chunks_cut_below_limit_and_cover_text() -> None:
    text = ("A sentence here. " * 50 + "\n") * 40
    parts = list(chunks(text, 1000))
    assert all(len(p) <= 1000 for _, p in parts)
    assert "".join(p for _, p in parts) == text
    assert all(text[o : o + len(p)] == p for o, p in parts)


def test_non_english_ratio_flags_cyrillic_and_passes_english() -> None:
    assert non_english_ratio("Министр иностранных дел России встретился с коллегой") > 0.5
    assert (
        non_english_ratio("The foreign ministers of Japan and China met on Monday in Tokyo.") < 0.5
    )
