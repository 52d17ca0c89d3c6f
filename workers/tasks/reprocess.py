"""``communique.reprocess``: fan a selection of articles out on the reprocess queue.

The CLI records the run (``workers/state/progress.py``) and calls this task; each selected
article becomes one ``communique.reprocess_article`` message, counted when it finishes, so
``communique reprocess status RUN`` can show progress. With ``older_than_version`` the same
version travels to each article task, which skips an article a newer run already brought up
to date: running the same selection twice changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline.index.selection import Selection, selection_query
from workers.app import app
from workers.base import CommuniqueTask
from workers.resources import redis_client
from workers.state import progress
from workers.store import default_store
from workers.tasks.process import reprocess_article

log = logging.getLogger("communique.reprocess")


@app.task(bind=True, base=CommuniqueTask, name="communique.reprocess")
def reprocess(
    self: CommuniqueTask,
    ids: list[str] | None = None,
    query: str | None = None,
    since: str | None = None,
    until: str | None = None,
    older_than_version: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Enqueue ``reprocess_article`` for every article matching the selection."""
    selection = Selection(tuple(ids or ()), query, since, until, older_than_version)

    def body() -> dict[str, Any]:
        count = 0
        for article_id in default_store().select_article_ids(selection_query(selection)):
            reprocess_article.apply_async(
                args=(article_id, older_than_version), kwargs={"run_id": run_id}
            )
            count += 1
        if run_id:
            progress.set_total(redis_client(), run_id, count)
        log.info("reprocess %s: %d articles (%s)", run_id, count, selection.describe())
        return {"status": "enqueued", "articles": count, "run_id": run_id}

    return self.guarded(run_id or "reprocess", {"selection": selection.describe()}, body)
