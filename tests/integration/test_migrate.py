"""`es migrate` against the real Elasticsearch: a new template version under live writes.

The feeds template is bumped to version 2 with a conflicting mapping change (``publisher``
becomes text with a keyword sub-field: impossible in place, so it needs the migration).
"""

from __future__ import annotations

import json
import random
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from pipeline.index.migrate import MigrationError, drop_old_indices, migrate_index
from pipeline.index.templates import apply_templates
from pipeline.index.writer import IndexAction, bulk_write
from workers.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

KIND = "feeds"


@pytest.fixture()
def config_v2(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    path = config / "elasticsearch" / f"{KIND}.json"
    template = json.loads(path.read_text())
    template["version"] = 2
    template["mappings"]["properties"]["publisher"] = {
        "type": "text",
        "fields": {"raw": {"type": "keyword"}},
    }
    path.write_text(json.dumps(template))
    return config


def feed(n: int, rev: int = 0) -> dict[str, Any]:
    return {"feed_id": f"f{n}", "publisher": f"Publisher {n}", "entries_seen": rev}


def contents(es: Elasticsearch, index: str) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=index)
    return {h["_id"]: h["_source"] for h in scan(es, index=index)}


class Writer(threading.Thread):
    """Ingestion stand-in: index, overwrite, external-version writes and deletes via the alias."""

    def __init__(self, es: Elasticsearch, alias: str, expected: dict[str, dict[str, Any] | None]):
        super().__init__(daemon=True)
        self.es, self.alias, self.expected = es, alias, expected
        self.ops = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.rng = random.Random(7)

    def one_batch(self, n: int) -> None:
        actions: list[IndexAction] = []
        for i in range(5):
            key = self.rng.randrange(0, 2600)  # 0..1999 exist already, the rest are new
            choice = self.rng.random()
            doc_id = f"d{key}"
            if choice < 0.15 and self.expected.get(doc_id) is not None:
                actions.append(IndexAction(self.alias, doc_id, op="delete"))
                self.expected[doc_id] = None
            elif choice < 0.4:
                doc = feed(key, rev=n * 10 + i)
                ext = f"x{key % 50}"
                actions.append(IndexAction(self.alias, ext, doc, version=n * 10 + i + 1))
                self.expected[ext] = doc
            else:
                doc = feed(key, rev=n * 10 + i)
                actions.append(IndexAction(self.alias, doc_id, doc))
                self.expected[doc_id] = doc
        outcome = bulk_write(self.es, actions)
        assert outcome.ok and not outcome.stale, outcome

    def run(self) -> None:
        try:
            n = 1
            while not self.stop.is_set():
                self.one_batch(n)
                self.ops += 1
                n += 1
        except BaseException as exc:  # surfaced by the test
            self.error = exc


def test_migration_under_concurrent_writes_loses_nothing(
    es: Elasticsearch, prefix: str, config_v2: Path
) -> None:
    alias = f"{prefix}-{KIND}"
    expected: dict[str, dict[str, Any] | None] = {f"d{n}": feed(n) for n in range(2000)}
    bulk_write(es, [IndexAction(alias, k, v) for k, v in expected.items() if v])
    writer = Writer(es, alias, expected)
    phases: list[str] = []

    def progress(phase: str, done: int, total: int | None) -> None:
        if not phases:  # make sure writes land while the copy runs, however loaded the host
            start = writer.ops
            while writer.ops < start + 20 and writer.is_alive():
                threading.Event().wait(0.01)
        phases.append(phase)

    writer.start()
    try:
        report = migrate_index(es, config_v2, prefix, KIND, progress=progress, grace_s=0.2)
        ops_at_end = writer.ops
        threading.Event().wait(0.3)  # and a few writes after the swap
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    assert ops_at_end >= 20
    assert report.target == f"{alias}-v2" and report.source == f"{alias}-v1"
    assert report.copied >= 1500 and report.caught_up > 0  # the writer deletes some first
    assert {"copy", "catch up", "swap"} <= set(phases)

    assert sorted(es.indices.get_alias(name=alias)) == [f"{alias}-v2"]
    want = {k: v for k, v in expected.items() if v is not None}
    got = contents(es, alias)
    missing = sorted(set(want) - set(got))[:5]
    extra = sorted(set(got) - set(want))[:5]
    wrong = sorted(k for k in want if k in got and got[k] != want[k])[:5]
    assert (missing, extra, wrong) == ([], [], [])
    mapping = es.indices.get_mapping(index=alias)[f"{alias}-v2"]["mappings"]["properties"]
    assert mapping["publisher"]["type"] == "text"
    # the old index is kept until told otherwise; a second run is a no-op
    assert es.indices.exists(index=f"{alias}-v1")
    again = migrate_index(es, config_v2, prefix, KIND, drop_old=True)
    assert again.up_to_date and again.dropped == (f"{alias}-v1",)
    assert not es.indices.exists(index=f"{alias}-v1")
    # workers restarting on the new config adopt the migrated index without complaint
    assert apply_templates(es, config_v2, prefix, (KIND,)).outdated == {}


def test_settle_copies_late_source_writes_but_never_over_live_ones(
    es: Elasticsearch, prefix: str, config_v2: Path
) -> None:
    """Writes routed to the old index around the swap, and writes through the alias after it."""
    alias = f"{prefix}-{KIND}"
    source = f"{alias}-v1"
    bulk_write(es, [IndexAction(alias, f"d{n}", feed(n)) for n in range(10)], refresh=True)

    def progress(phase: str, done: int, total: int | None) -> None:
        if phase != "swap":
            return
        # in flight to the old index when the alias moved
        late = [
            IndexAction(source, "late-new", feed(100)),
            IndexAction(source, "d1", feed(1, rev=5)),
            IndexAction(source, "d2", feed(2, rev=5)),
            IndexAction(source, "d3", op="delete"),
        ]
        assert bulk_write(es, late).ok
        # through the alias (the new index) after the swap: newest, must survive
        assert bulk_write(es, [IndexAction(alias, "d2", feed(2, rev=9))]).ok

    report = migrate_index(es, config_v2, prefix, KIND, progress=progress, grace_s=0.1)
    got = contents(es, alias)
    assert got["late-new"] == feed(100)
    assert got["d1"] == feed(1, rev=5)
    assert got["d2"] == feed(2, rev=9)
    assert "d3" not in got
    assert len(got) == 10
    assert report.settled == 2 and report.deleted == 1


def test_template_older_than_live_index_is_refused(
    es: Elasticsearch, prefix: str, config_v2: Path
) -> None:
    migrate_index(es, config_v2, prefix, KIND)
    with pytest.raises(MigrationError, match="newer than template version 1"):
        migrate_index(es, PROJECT_ROOT / "config", prefix, KIND)
    assert drop_old_indices(es, prefix, KIND) == (f"{prefix}-{KIND}-v1",)


def test_no_copy_swaps_onto_an_empty_index_and_keeps_the_old_one(
    es: Elasticsearch, prefix: str, config_v2: Path
) -> None:
    alias = f"{prefix}-{KIND}"
    bulk_write(es, [IndexAction(alias, "d1", feed(1))], refresh=True)
    report = migrate_index(es, config_v2, prefix, KIND, copy=False)
    assert (report.source, report.target, report.copied) == (f"{alias}-v1", f"{alias}-v2", 0)
    assert sorted(es.indices.get_alias(name=alias)) == [f"{alias}-v2"]
    assert contents(es, alias) == {}
    assert contents(es, f"{alias}-v1") == {"d1": feed(1)}


def test_cli_migrate_status_and_drop_old(
    es: Elasticsearch, prefix: str, config_v2: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pipeline.index.templates import detect_capabilities
    from workers.cli import app
    from workers.settings import get_settings

    monkeypatch.setenv("COMMUNIQUE_INDEX_PREFIX", prefix)
    monkeypatch.setenv("COMMUNIQUE_CONFIG_DIR", str(config_v2))
    get_settings.cache_clear()
    runner = CliRunner()

    def say(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, " ".join(result.output.split())  # rich wraps at 80 columns

    try:
        bulk_write(es, [IndexAction(f"{prefix}-{KIND}", "d1", feed(1))], refresh=True)
        _, setup = say("es", "setup")
        assert f"{prefix}-{KIND} is older than template v2: `es migrate {KIND}`" in setup
        code, moved = say("es", "migrate", KIND)
        assert code == 0, moved
        assert f"{prefix}-{KIND}-v1 → {prefix}-{KIND}-v2; copied 1, caught up 0" in moved
        assert "es drop-old feeds" in moved
        _, status = say("es", "status")
        assert f"{prefix}-{KIND}-v2" in status
        if not detect_capabilities(es).analysis_common:
            assert status.count("no analysis-common module") == 1
        assert f"dropped {prefix}-{KIND}-v1" in say("es", "drop-old", KIND)[1]
        code, unknown = say("es", "migrate", "bogus")
        assert code == 1 and "unknown index kind bogus" in unknown
    finally:
        get_settings.cache_clear()
