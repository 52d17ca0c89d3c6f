"""Convert the Phoenix (PETRARCH2) actor dictionaries into the compact tables the officials
lookup and the gazetteer load at run time.

    .venv/bin/python scripts/build_actor_dictionaries.py [--shared ../shared]

Reads (TABARI format: ``NAME_`` lines, ``+SYNONYM`` lines, ``[CODE yymmdd-yymmdd]`` tenures):

* ``corpus/petrarch2/dictionaries/Phoenix.Countries.actors.txt``: named state officials with
  date-bounded codes (``RUSGOV 991231-080507``, ``DEUGOVMIL >051122``);
* ``corpus/petrarch2/dictionaries/Phoenix.International.actors.txt``: international bodies and
  their officials (``IGOUNO``, ``IGOWSTNAT``, ``IGOEUREEC``), companies (``MNC``) and NGOs;
* ``corpus/petrarch2/dictionaries/Phoenix.MilNonState.actors.txt``: armed groups (``IRQREB``);
* ``corpus/ngec/PLOVER_agents.txt``: agent nouns (MINISTER, ARMY, ...) used to tell a person's
  name ("JENS_STOLTENBERG") from a generic office ("US_SECRETARY_OF_DEFENSE").

Writes (tab-separated, UTF-8, one record a line; comment lines start with ``#``):

* ``config/dictionaries/officials_phoenix.tsv``: ``name  country  aliases  tenures`` where
  aliases are ``|``-separated and tenures ``SECTOR@from@to@role`` ``;``-separated (ISO dates, empty
  = open). Only persons with a state or body office (sectors GOV, GOVMIL, MIL, SPY, COP and body
  codes) that was held on or after 1990-01-01 are kept; "elite" (ELI) spans are former officials
  and are dropped, as are sectoral ministers (business, health, education ...), which rarely act
  in diplomatic events and would triple the file.
* ``config/dictionaries/bodies_phoenix.tsv``: ``name  code  body  kind`` with kind ``igo`` (an
  international body under its guide code: UNO, EUR, NATO, INTERPOL, AU, IGO), ``group`` (an
  armed group coded to the state it operates in) or ``nonactor`` (a company or NGO whose name
  contains a state's name, "Air China": it must not give that state's code).

Entries with characters outside letters, digits and ``. ' - &`` are skipped and counted (the run
prints how many), so odd dictionary lines never reach the run-time tables.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from pipeline.nlp.gazetteer import Gazetteer  # noqa: E402

DICTS = "corpus/petrarch2/dictionaries"
OUT = ROOT / "config" / "dictionaries"
#: tenures ending before this are history for news analysis (PLOVER-GSR goes back to the 1990s)
OLDEST = date(1990, 1, 1)
#: the build's word lists and code tables (data, not code)
RULES = yaml.safe_load(
    (ROOT / "config" / "dictionaries" / "phoenix_build" / "rules.yaml").read_text()
)
STATE_SECTORS = tuple(RULES["state_sectors"])
BODY_CODES = tuple((prefix, code) for prefix, code in RULES["body_codes"])
_LOWER_WORDS = frozenset(RULES["lower_words"])
_ORG_WORDS = frozenset(RULES["org_words"])
_NOT_IGO = frozenset(RULES["not_igo"])
_OTHER_ACRONYMS = frozenset(RULES["other_acronyms"])
_ROLE_COMMENTS: dict[str, str] = RULES["role_comments"]
_CODE = re.compile(r"\[([A-Z~\-]*)\s*([<>]?\s*\d{6,8})?(?:\s*-\s*(\d{6,8}))?\s*\]")
_OK_NAME = re.compile(r"^[\w.'&\- ]+$")
_MONTHS = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b",
    re.I,
)


@dataclass
class Entry:
    """One dictionary record: a primary name, its synonyms and its coded spans."""

    names: list[str] = field(default_factory=list)
    codes: list[tuple[str, date | None, date | None, str]] = field(default_factory=list)
    comment: str = ""


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    d = raw.strip().lstrip("<>").strip()
    try:
        if len(d) == 8:
            return date(int(d[:4]), int(d[4:6]), int(d[6:]))
        yy = int(d[:2])
        return date((2000 if yy < 30 else 1900) + yy, int(d[2:4]), int(d[4:6]))
    except ValueError:
        return None


def _span(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    if start and start.strip().startswith(">"):
        return _date(start), None
    if start and start.strip().startswith("<"):
        return None, _date(start)
    return _date(start), _date(end)


def parse(path: Path) -> list[Entry]:
    """Entries of a TABARI actor file; a run of name lines with no code yet forms one entry."""
    out: list[Entry] = []
    cur: Entry | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        body, _, comment = raw.partition("#")
        if not body.strip():
            continue
        codes = _CODE.findall(body)
        name_part = _CODE.sub("", body).strip()
        if name_part.startswith("+") and cur is not None:
            cur.names.append(name_part[1:].strip())
        elif name_part:
            if cur is None or cur.codes:
                cur = Entry()
                out.append(cur)
            cur.names.append(name_part)
        if cur is None:
            continue
        for code, start, end in codes:
            s, e = _span(start, end)
            cur.codes.append((code, s, e, comment.strip().lower()))
        if comment.strip() and not cur.comment:
            cur.comment = comment.strip()
    return out


def display(name: str, *, acronyms: bool = True) -> str | None:
    """``RECEP_TAYYIP_ERDOĞAN_`` -> ``Recep Tayyip Erdoğan``, ``UNICEF`` stays upper-case,
    ``ORGANIZATION_OF_AMERICAN_STATES`` -> ``Organization of American States``; None for odd
    characters."""
    text = re.sub(r"\s+", " ", name.replace("_", " ")).strip()
    text = re.sub(r"\s*\([^)]*\)", "", text).strip()
    if not text or not _OK_NAME.match(text) or not any(ch.isalpha() for ch in text):
        return None
    raw = text.split()
    if acronyms and len(raw) == 1 and "-" not in text and (len(text) <= 6 or "." in text):
        return text.upper()  # an acronym: IAEA, U.N.
    words = []
    for i, w in enumerate(raw):
        if i and w.lower() in _LOWER_WORDS:
            words.append(w.lower())
            continue
        parts = [p[:1].upper() + p[1:].lower() if p else p for p in w.split("-")]
        words.append("-".join(parts))
    return " ".join(words)


def fold(text: str) -> str:
    """Accent- and case-folded form, for duplicate detection."""
    s = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


def agent_words(path: Path) -> set[str]:
    """Upper-case words of the agent nouns (MINISTER, ARMY, SECRETARY ...)."""
    words: set[str] = set()
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        body = raw.split("#", 1)[0]
        m = re.match(r"^([A-Z][A-Z_!\-]+)\s*(?:\{[^}]*\})?\s*\[~", body)
        if m:
            words.update(w for w in re.split(r"[_!]+", m.group(1)) if len(w) > 2)
    return words


def _role(comment: str) -> str:
    for key, role in _ROLE_COMMENTS.items():
        if key in comment:
            return role
    return ""


def _person_tenures(e: Entry) -> list[tuple[str, str, date | None, date | None, str]]:
    """(country-or-body, sector, from, to, role) for the spans worth keeping."""
    out = []
    for code, s, t, comment in e.codes:
        if t is not None and t < OLDEST:
            continue
        body = next((g for p, g in BODY_CODES if code.startswith(p)), None)
        if body is not None:
            out.append((body, "IGO", s, t, _role(comment)))
        elif len(code) >= 6 and code[3:] in STATE_SECTORS:
            out.append((code[:3], code[3:], s, t, _role(comment)))
    return out


def _is_person(primary: str, agents: set[str], gaz: Gazetteer) -> bool:
    words = [w for w in re.split(r"[_\s]+", primary.strip("_ ")) if w]
    if not 2 <= len(words) <= 6:
        return False
    if any(w in agents for w in words):
        return False
    shown = display(primary)
    return shown is not None and not any(gaz.actor(w.title()) for w in words)


def officials(
    entries: list[Entry], agents: set[str], gaz: Gazetteer, stats: dict[str, int]
) -> list[str]:
    """TSV rows of persons with a kept office."""
    rows: dict[str, str] = {}
    clash: set[str] = set()
    for e in entries:
        if not e.names or not _is_person(e.names[0], agents, gaz):
            continue
        tenures = _person_tenures(e)
        if not tenures:
            continue
        countries = {c for c, *_ in tenures}
        if len(countries) > 1 and not countries & {"UNO", "EUR", "NATO", "IGO", "AU", "INTERPOL"}:
            stats["ambiguous_country"] += 1
            continue
        # a person of a body keeps the body; else the state
        country = next(
            (c for c, *_ in tenures if c in {"UNO", "EUR", "NATO", "IGO", "AU", "INTERPOL"}),
            tenures[0][0],
        )
        name = display(e.names[0], acronyms=False)
        if name is None:
            stats["odd_characters"] += 1
            continue
        aliases = []
        for n in e.names[1:]:
            d = display(n, acronyms=False)
            if d is None:
                stats["odd_characters"] += 1
                continue
            words = set(re.split(r"[_\s\-]+", n.strip("_ ")))
            if words & agents or fold(d) == fold(name):
                continue  # "PRESIDENT_VLADIMIR_PUTIN": the title is learned from the text
            aliases.append(d)
        spans = ";".join(
            f"{sec}@{s.isoformat() if s else ''}@{t.isoformat() if t else ''}@{role}"
            for c, sec, s, t, role in tenures
            if c == country
        )
        key = fold(name)
        if key in rows:
            stats["duplicate"] += 1
            if rows[key].split("\t")[1] != country:
                clash.add(key)  # one name, two states (a monarch of several realms): neither
            continue
        rows[key] = "\t".join((name, country, "|".join(dict.fromkeys(aliases)), spans))
    stats["ambiguous_country"] += len(clash)
    return [row for key, row in rows.items() if key not in clash]


def bodies(
    international: list[Entry],
    groups: list[Entry],
    gaz: Gazetteer,
    stats: dict[str, int],
) -> list[str]:
    """TSV rows of international bodies, armed groups and non-actors named after a state."""
    rows: dict[str, str] = {}

    def put(name: str, code: str, body: str, kind: str) -> None:
        d = display(name)
        if d is None:
            stats["odd_characters"] += 1
            return
        d = d.removeprefix("The ")  # "the" is not part of the name; the gazetteer strips it
        rows.setdefault(fold(d), "\t".join((d, code, body.removeprefix("The "), kind)))

    for e in international:
        codes = [c for c, *_ in e.codes]
        if not codes or not e.names:
            continue
        primary = display(e.names[0])
        if primary is None:
            continue
        if any(c.startswith(("MNC", "NGO")) for c in codes):
            for n in e.names:
                d = display(n)
                words = (d or "").split()
                if d and len(words) >= 2 and any(gaz.actor(w) for w in words):
                    put(n, "", primary, "nonactor")
            continue
        body = next((g for p, g in BODY_CODES if codes[0].startswith(p)), None)
        if body is None or _looks_like_person(e) or e.names[0].strip("_ ") in _NOT_IGO:
            continue
        if "WBK" in codes[0] or "IMF" in codes[0]:
            body = "IGO"  # the guide codes the Bretton Woods institutions IGO, not UNO
        for n in e.names:
            words = set(re.split(r"[_\s]+", n.strip("_ ")))
            single = len(words) == 1 and len(n.strip("_ ")) >= 3
            if single or words & _ORG_WORDS:
                put(n, body, primary, "igo")
    for e in groups:
        codes = [c for c, *_ in e.codes]
        if not codes or not e.names:
            continue
        iso = codes[0][:3]
        if not codes[0].endswith("REB") or gaz.country_name(iso) == iso:
            continue  # regional or transnational (MEAREB, INTREB): no single state
        primary = display(e.names[0])
        for n in e.names:
            d = (display(n) or "").removeprefix("The ")
            # "17 November", "Falcon": a date or a plain word is not a safe group name
            if primary and _group_name_ok(d):
                put(n, iso, primary, "group")
                if d.startswith("Al-"):
                    put("al-" + d[3:], iso, primary, "group")
    return list(rows.values())


def _group_name_ok(name: str) -> bool:
    if not name or name[0].isdigit() or _MONTHS.search(name):
        return False
    words = name.split()
    if len(words) > 1:
        return True
    if name in _OTHER_ACRONYMS:
        return False
    return (name.isupper() and 3 <= len(name) <= 5) or "-" in name  # "FARC", not "TIGERS"


def _looks_like_person(e: Entry) -> bool:
    return any(s is not None or t is not None for _, s, t, _ in e.codes)


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    d = args.shared / DICTS
    with tempfile.TemporaryDirectory() as tmp:  # states and bodies of the curated tables only,
        for f in OUT.glob("*.yaml"):  # so a rerun does not depend on its previous output
            shutil.copy(f, Path(tmp) / f.name)
        gaz = Gazetteer(Path(tmp))
    agents = agent_words(args.shared / "corpus/ngec/PLOVER_agents.txt") | agent_words(
        d / "Phoenix.agents.txt"
    )
    stats: dict[str, int] = {"odd_characters": 0, "duplicate": 0, "ambiguous_country": 0}
    people = officials(parse(d / "Phoenix.Countries.actors.txt"), agents, gaz, stats)
    intl = parse(d / "Phoenix.International.actors.txt")
    people += officials(intl, agents, gaz, stats)
    body_rows = bodies(intl, parse(d / "Phoenix.MilNonState.actors.txt"), gaz, stats)
    head = "# Generated by scripts/build_actor_dictionaries.py from Phoenix; do not edit.\n"
    (OUT / "officials_phoenix.tsv").write_text(
        head
        + "# name\tcountry\taliases\tsector@from@to@role;...\n"
        + "\n".join(sorted(people))
        + "\n",
        encoding="utf-8",
    )
    (OUT / "bodies_phoenix.tsv").write_text(
        head + "# name\tcode\tbody\tkind\n" + "\n".join(sorted(body_rows)) + "\n", encoding="utf-8"
    )
    print(f"officials {len(people)}, bodies/groups/non-actors {len(body_rows)}, skipped {stats}")


if __name__ == "__main__":
    main()
