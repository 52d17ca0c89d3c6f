import json

from pipeline.models import Note
from pipeline.nlp.batch import process_line, run_batch
from pipeline.nlp.types import ArticleInput, ExtractionResult


class _Fake:
    def extract(self, doc_input: ArticleInput) -> ExtractionResult:
        if doc_input.text == "boom":
            raise RuntimeError("kaput")
        return ExtractionResult(doc_input.id, False, (), (Note("x", "y", "nlp"),))


def test_run_batch_one_output_line_per_input_line_in_order() -> None:
    lines = ['{"id": "a", "text": "t"}', "not json", '{"id": "b"}', "", '{"id": 3, "text": "boom"}']
    out: list[str] = []
    n = run_batch(lines, out.append, _Fake(), progress=False)
    assert n == len(lines)
    rows = [json.loads(x) for x in out]
    assert [r["id"] for r in rows] == ["a", None, "b", None, "3"]
    assert "error" not in rows[0] and rows[0]["notes"][0]["code"] == "x"
    assert all("error" in r for r in rows[1:])


def test_process_line_schema_keys() -> None:
    row = process_line('{"id": "a", "text": "t", "published": "2024-02-23T10:00:00Z"}', _Fake())
    assert set(row) == {"id", "diplomatic", "events", "background_events", "notes"}
