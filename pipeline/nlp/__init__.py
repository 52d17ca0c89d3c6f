"""Event extraction: article text -> PLOVER events (pure library, no workers/env access).

Entry points: :class:`pipeline.nlp.extractor.EventExtractor` and
:func:`pipeline.nlp.batch.run_batch`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

#: bumped whenever the extraction code changes what is extracted
CODE_VERSION = "0.2.0"
#: the rule data (word lists, triggers, typing rules, dictionaries) shipped with the code
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
_RULE_DATA = ("nlp", "dictionaries")
#: the files of those directories that rules are read from
RULE_DATA_SUFFIXES = frozenset({".yaml", ".tsv"})


@cache
def extractor_version(config_dir: Path = DEFAULT_CONFIG_DIR) -> str:
    """``nlp-<code version>+<hash of the rule data>``: editing a rule file changes the version
    even when the code does not, so reprocessing by version picks the articles up."""
    h = hashlib.sha256()
    for sub in _RULE_DATA:
        # the generated .tsv tables (Phoenix officials and bodies) are rule data too
        files = (config_dir / sub).glob("*")
        for path in sorted(f for f in files if f.suffix in RULE_DATA_SUFFIXES):
            h.update(f"{sub}/{path.name}\0".encode())
            h.update(path.read_bytes())
    return f"nlp-{CODE_VERSION}+{h.hexdigest()[:10]}"


EXTRACTOR_VERSION = extractor_version()

__all__ = ["CODE_VERSION", "DEFAULT_CONFIG_DIR", "EXTRACTOR_VERSION", "extractor_version"]
