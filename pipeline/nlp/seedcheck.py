"""Checks an extract output against one article of ``expected_events.json`` (golden tests)."""

from __future__ import annotations

from typing import Any


def _name_key(name: str) -> str:
    return name.replace("-", " ").lower()


def _matches(must: dict[str, Any], ev: dict[str, Any]) -> list[str]:
    """Reasons why ``ev`` is not the ``must`` event (empty list: it is)."""
    why: list[str] = []
    for key, want in must.items():
        if key in ("date_note",):
            continue
        if key == "evidence_contains":
            if want not in ev["evidence"]["text"] and not any(
                want in m for m in ev.get("_mentions", [])
            ):
                why.append(f"evidence lacks {want!r}")
        elif key == "mode":
            allowed = want if isinstance(want, list) else [want]
            if ev.get("mode") not in allowed:
                why.append(f"mode {ev.get('mode')!r} not in {allowed}")
        elif key in ("actors", "recipients"):
            if set(ev.get(key) or []) != set(want):
                why.append(f"{key} {ev.get(key)} != {want}")
        elif key == "persons":
            got = {(_name_key(p["name"]), p["country"], p["role"]) for p in ev.get("persons") or []}
            exp = {(_name_key(p["name"]), p["country"], p["role"]) for p in want}
            if got != exp:
                why.append(f"persons {sorted(got)} != {sorted(exp)}")
        elif key == "location":
            loc = ev.get("location") or {}
            for k, v in want.items():
                if loc.get(k) != v:
                    why.append(f"location.{k} {loc.get(k)!r} != {v!r}")
        elif key == "date" and "date_note" in must and "either day" in must["date_note"]:
            ok = {want}
            if ev.get("occasion"):
                ok |= {want[:-2] + f"{int(want[-2:]) - 1:02d}"}
            if ev.get("date") not in ok:
                why.append(f"date {ev.get('date')!r} not in {sorted(ok)}")
        elif ev.get(key) != want:
            why.append(f"{key} {ev.get(key)!r} != {want!r}")
    return why


def check_article(expected: dict[str, Any], output: dict[str, Any]) -> list[str]:
    """Failures for every ``must`` event of an article that no output event satisfies."""
    failures: list[str] = []
    if output.get("diplomatic") != expected.get("diplomatic"):
        failures.append(
            f"{expected['id']}: diplomatic {output.get('diplomatic')} "
            f"!= {expected.get('diplomatic')}"
        )
    for i, must in enumerate(expected["must"]):
        reasons = [_matches(must, ev) for ev in output["events"] if ev["type"] == must["type"]]
        if not reasons:
            failures.append(f"{expected['id']} must[{i}] {must['type']}: no event of that type")
        elif all(reasons):
            best = min(reasons, key=len)
            failures.append(f"{expected['id']} must[{i}] {must['type']}: " + "; ".join(best))
    return failures
