"""Event extraction: article text -> PLOVER events (pure library, no workers/env access).

Entry points: :class:`pipeline.nlp.extractor.EventExtractor` and
:func:`pipeline.nlp.batch.run_batch`.
"""

from __future__ import annotations

#: bumped whenever rules, dictionaries or the model change what is extracted
EXTRACTOR_VERSION = "nlp-0.1.0"

__all__ = ["EXTRACTOR_VERSION"]
