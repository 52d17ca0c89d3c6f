"""The title vocabulary and the patterns built from it: which words are titles of office and the
role each names (``roles.yaml`` plus the dictionaries' ``titles.yaml``), a state's own name for a
role, and the compiled patterns that find a titled name in a text ("Foreign Minister X", "X, South
Korea's foreign minister", "his Japanese counterpart, X", "the Trump administration")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.nlp.gazetteer import load_yaml_mapping
from pipeline.nlp.persons import NAME, NAME_MULTI, NAME_TOKEN


class TitlePatterns:
    """Title -> role tables and the patterns compiled from them (built once per extractor)."""

    def __init__(self, dictionaries_dir: Path, nlp_dir: Path) -> None:
        rdata = load_yaml_mapping(nlp_dir / "roles.yaml")
        extra = load_yaml_mapping(dictionaries_dir / "titles.yaml")
        self.title_to_role: dict[str, str] = {}
        for table in (rdata, extra):
            for role, titles in (table.get("roles") or {}).items():
                for t in titles:
                    self.title_to_role.setdefault(t.lower(), role)
        self.counterpart = {
            k: set(v) for k, v in (rdata.get("counterpart_equivalents") or {}).items()
        }
        self.country_titles: dict[str, dict[str, str]] = rdata.get("country_titles") or {}
        self.family_first: set[str] = set(rdata.get("family_name_first") or [])
        admin = load_yaml_mapping(nlp_dir / "words.yaml").get("administration_nouns") or []
        # "the Trump administration", "the Macron government": a leader named by surname only
        self.administration = re.compile(
            rf"\b(?P<name>[A-Z][\w'\u2019-]+)\s+(?:{'|'.join(map(re.escape, admin))})\b"
        )
        self._compile_titles()

    def _compile_titles(self) -> None:
        """The patterns made of the titles themselves, longest first in each alternation: where
        two titles start at the same word the longer is taken ("minister of foreign affairs",
        not "minister"), as roles.yaml promises."""
        titles = sorted(self.title_to_role, key=len, reverse=True)
        title_alt = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in titles)
        # first words of the titles: the title patterns are only tried where one starts (a
        # 100-way case-insensitive alternation at every word boundary costs ~2 ms an article)
        self.title_first = {t.split()[0].rstrip(".") for t in titles}
        self.title_name = re.compile(rf"\b(?P<title>(?i:{title_alt}))\s+(?P<name>{NAME})")
        self.name_appos = re.compile(
            rf"(?P<name>{NAME_MULTI}),\s+(?P<mid>(?:the\s+)?[^,;.]{{0,40}}?)\b(?P<title>(?i:{title_alt}))\b",
        )
        # "the foreign minister, X", "its permanent representative to the United Nations, X"
        self.title_appos = re.compile(
            rf"\b(?P<title>(?i:{title_alt}))(?:\s+(?:to|at)\s+(?:the\s+)?[A-Z][\w.]*"
            rf"(?:\s+[A-Z][\w.]*){{0,3}})?,\s+(?P<name>{NAME_MULTI})"
        )
        of_actor = r"(?:\s+of\s+(?:the\s+)?(?P<{}>[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)?))?"
        self.plural = re.compile(
            rf"\b(?P<title>(?i:{title_alt}))s\s+(?P<n1>{NAME}){of_actor.format('c1')}"
            rf",?\s+and\s+(?P<n2>{NAME}){of_actor.format('c2')}"
        )
        self.title_compl = re.compile(
            r"\b(?P<title>Ambassador|Envoy|Minister|Secretary|Representative|Commissioner)"
            rf"\s+(?P<prep>to|of|for)\s+(?:the\s+)?(?P<rest>{NAME_TOKEN}(?:\s+{NAME_TOKEN}){{1,6}})"
        )
        self.counterparts = re.compile(
            # the possessive is optional: "spoke with Israeli counterpart X" names him too
            rf"\b(?:(?:his|her|their)\s+)?(?P<c1>[A-Z][\w\.]*(?:\s+[A-Z][\w\.]*)?)"
            rf"(?:\s+and\s+(?P<c2>[A-Z][\w\.]*(?:\s+[A-Z][\w\.]*)?))?\s+counterparts?,?\s+"
            rf"(?P<n1>{NAME_MULTI})(?:\s*,?\s+and\s+(?P<n2>{NAME_MULTI}))?"
        )

    def role(self, title: str) -> str | None:
        """The role a title names, whatever its case and spacing, or None."""
        return self.title_to_role.get(re.sub(r"\s+", " ", title.lower()))

    def role_title(self, role: str | None, country: str | None) -> str | None:
        """Country-specific name of an office (a U.S. "foreign minister" is secretary of state)."""
        if role and country:
            return self.country_titles.get(country, {}).get(role, role)
        return role

    def starts(self, text: str) -> list[int]:
        """Offsets of words that can begin a title (or its plural): one ``str.find`` scan per
        title word, much cheaper than trying a regex at every word."""
        low = text.lower()
        n = len(low)
        starts: set[int] = set()
        for w in self.title_first:
            i = low.find(w)
            while i != -1:
                j = i + len(w)
                if j < n and low[j] == "s":
                    j += 1
                if (i == 0 or not low[i - 1].isalnum()) and (j == n or not low[j].isalnum()):
                    starts.add(i)
                i = low.find(w, i + 1)
        return sorted(starts)


def scan(rx: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``rx`` anchored at ``starts`` (like ``finditer``, faster)."""
    end = -1
    for pos in starts:
        if pos < end:
            continue
        m = rx.match(text, pos)
        if m is not None:
            end = m.end()
            yield m
