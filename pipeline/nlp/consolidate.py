"""Article-level consolidation: sentence-level mentions of one happening merge into one event
(every evidence sentence kept), then each becomes an :class:`ExtractedEvent` with its CONSULT
mode (visit, multilateral, third-party), persons' roles on the event date and a confidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pipeline.nlp.dates import DateMention
from pipeline.nlp.gazetteer import Gazetteer
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.mentions import Mention, uniq, uniq_persons
from pipeline.nlp.persons import PersonInfo
from pipeline.nlp.places import renormalize_occasion
from pipeline.nlp.types import ExtractedEvent, Location, PersonRef


def compatible(a: Mention, b: Mention) -> bool:
    """Same type and factuality, same participants (or a reference to the meeting in focus),
    no conflicting date or place country."""
    if a.type != b.type or a.factuality != b.factuality:
        return False
    if a.participants() != b.participants() and not (b.coref or a.coref or _same_act(a, b)):
        return False
    if a.type != "CONSULT" and a.actors and b.actors and not set(a.actors) & set(b.actors):
        return False  # "A accused B" and "B accused A" are two acts, not one told twice
    # a meeting dated only by its paragraph is the same meeting as one the clause dates
    own = a.type != "CONSULT" or not (a.borrowed_date or b.borrowed_date)
    if own and a.date and b.date and a.date.value != b.date.value:
        da, db = a.date.value or "", b.date.value or ""
        if not (da.startswith(db) or db.startswith(da)):
            return False
    return not (
        a.place
        and b.place
        and a.place.country
        and b.place.country
        and a.place.country != b.place.country
    )


def _same_act(a: Mention, b: Mention) -> bool:
    """The same actors acting on overlapping recipients, by the same officials (or none
    named): one happening told twice ("condemned Iran", later "condemned Iran and Syria")."""
    if set(a.actors) != set(b.actors) or not set(a.recipients) & set(b.recipients):
        return False
    pa, pb = {p.name for p in a.persons}, {p.name for p in b.persons}
    return not (pa and pb and not pa & pb)


def _finer_place(target: Mention, m: Mention) -> bool:
    """A city for a cluster located only in a country ("met in Indonesia", then "on the
    island of Bali, X met Y"), told by a member about the same officials (or a cluster that
    names none): a member without the cluster's officials may be a side act told with its own
    place (a warship's port call during a state visit)."""
    if m.place is None or target.place is None:
        return False
    if target.place.lat is not None or m.place.lat is None:
        return False
    named = {p.name for p in target.persons}
    return not named or bool(named & {p.name for p in m.persons})


def merge(mentions: list[Mention]) -> list[Mention]:
    """Each mention joins the latest compatible cluster or starts one."""
    clusters: list[Mention] = []
    for m in mentions:
        target = next((c for c in reversed(clusters) if compatible(c, m)), None)
        if target is None:
            clusters.append(m)
            continue
        target.members.append(m.evidence)
        if target.date is None:
            target.date = m.date
        if m.place and (target.place is None or _finer_place(target, m)):
            target.place, target.place_text = m.place, m.place_text
        target.occasion = target.occasion or m.occasion
        target.persons = uniq_persons(target.persons + m.persons)
        for r in m.recipients:
            if r not in target.recipients and r not in target.actors:
                target.recipients.append(r)
        target.bodies = uniq(target.bodies + m.bodies)
        target.contexts |= m.contexts
        target.quotes.extend(m.quotes)
        target.joint = target.joint or m.joint
        target.mutual = target.mutual or m.mutual
    for c in clusters:
        if c.occasion and c.type == "CONSULT":
            c.occasion = renormalize_occasion(c.occasion, c.persons)
    return clusters


def international(actors: Iterable[str], recips: Iterable[str], gaz: Gazetteer) -> bool:
    """Two states, or a state and an international body."""
    codes = set(actors) | set(recips)
    countries = {c for c in codes if not gaz.is_igo(c)}
    igos = codes - countries
    return len(countries) >= 2 or (len(countries) >= 1 and bool(igos))


def _consult_roles(
    m: Mention, actors: list[str], recips: list[str], mode: str | None
) -> tuple[list[str], list[str], str | None]:
    parts = uniq(actors + recips)
    if m.host and recips:
        return recips, actors, "visit"
    if len(parts) >= 3 and mode != "visit":
        return parts, [], "multilateral"
    if mode is None and m.place and m.place.country and len(parts) >= 2:
        if len(parts) == 2 and m.place.country in parts:
            # two sides meeting in the country of one of them: the other is visiting
            host = m.place.country
            return [c for c in parts if c != host], [host], "visit"
        if m.place.country not in parts:
            return actors, recips, "third-party"
    return actors, recips, mode


def finalize(m: Mention, lex: Lexicon, gaz: Gazetteer, version: str) -> ExtractedEvent:
    """The output event of a merged mention."""
    mode = m.mode
    actors = list(m.actors)
    recips = [r for r in m.recipients if r not in actors]
    if m.type == "CONSULT":
        actors, recips, mode = _consult_roles(m, actors, recips, mode)
    info = lex.types[m.type]
    persons = tuple(
        PersonRef(p.name, p.country, role_on(p, m.date))
        for p in m.persons
        if p.country is None or p.country in actors or p.country in recips
    )
    location = None
    if m.place is not None:
        location = Location(m.place_text or m.place.name, m.place.country, m.place.lat, m.place.lon)
    conf = 0.5 + (0.15 if not m.from_group else 0.05) + min(0.3, 0.05 * (len(m.members) - 1))
    if m.date is not None:
        conf += 0.05
    contexts = set(m.contexts)
    if international(actors, recips, gaz):
        contexts.add("diplomatic")
    return ExtractedEvent(
        type=m.type,
        mode=mode,
        cameo_root=info.cameo_for(mode),
        quad=info.quad,
        score=info.score_for(mode),
        actors=tuple(actors),
        recipients=tuple(recips),
        persons=persons,
        location=location,
        date=m.date.value if m.date else None,
        date_precision=m.date.precision if m.date else None,
        factuality=m.factuality,
        occasion=m.occasion,
        contexts=tuple(sorted(contexts)),
        evidence=m.evidence,
        confidence=round(min(conf, 0.95), 2),
        extractor_version=version,
        actor_sectors=tuple(s for s in m.sectors if s),
        quotes=tuple(m.quotes),
        mentions=tuple(m.members),
        rule=m.rule,
        bodies=tuple(m.bodies),
    )


def role_on(p: PersonInfo, dm: DateMention | None) -> str | None:
    """The person's role on the event date (dictionary roles are date-bounded)."""
    if p.official and dm and dm.value:
        v = dm.value
        iso = v if len(v) == 10 else (v + "-15")[:10] if len(v) == 7 else v + "-07-01"
        try:
            when: date | None = date.fromisoformat(iso)
        except ValueError:
            when = None
        role = p.official.role_on(when)
        if role:
            return role
    return p.role
