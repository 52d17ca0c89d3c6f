"""Trigger lexicon, word lists, typing rules and ontology tables loaded from ``config/nlp``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.nlp.gazetteer import load_yaml_mapping

_IRREGULAR = {
    "meet": ["met"],
    "hold": ["held"],
    "give": ["gave", "given"],
    "send": ["sent"],
    "take": ["took", "taken"],
    "fight": ["fought"],
    "seek": ["sought"],
    "beat": ["beaten"],
    "shoot": ["shot"],
    "strike": ["struck", "stricken"],
    "begin": ["began", "begun"],
    "break": ["broke", "broken"],
    "withdraw": ["withdrew", "withdrawn"],
    "freeze": ["froze", "frozen"],
    "fly": ["flew", "flown"],
    "have": ["had", "has"],
    "set": ["set"],
    "cut": ["cut"],
    "quit": ["quit"],
    "undertake": ["undertook", "undertaken"],
    "blow": ["blew", "blown"],
    "hit": ["hit"],
    "put": ["put"],
    "lead": ["led"],
    "mislead": ["misled"],
    "lend": ["lent"],
    "forbid": ["forbade", "forbidden"],
    "bring": ["brought"],
    "spend": ["spent"],
    "win": ["won"],
    "rise": ["rose", "risen"],
    "be": ["is", "are", "was", "were", "been", "being"],
    "go": ["went", "gone", "goes"],
    "seize": ["seized"],
    "stand": ["stood"],
    "pay": ["paid"],
    "say": ["said"],
    "speak": ["spoke", "spoken"],
    "tell": ["told"],
    "write": ["wrote", "written"],
    "make": ["made"],
    "swear": ["swore", "sworn"],
    "drive": ["drove", "driven"],
}


def inflections(lemma: str) -> set[str]:
    """Rough English inflections of a verb or noun lemma (over-generation is harmless: these
    forms only decide which sentences are worth parsing)."""
    w = lemma.lower()
    out = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing"}
    if w.endswith("e"):
        out |= {w[:-1] + "ing", w + "d"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out |= {w[:-1] + "ied", w[:-1] + "ies"}
    if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        out |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    out.update(_IRREGULAR.get(w, []))
    return out


@dataclass(frozen=True, slots=True)
class VerbRule:
    """One verb trigger rule (see config/nlp/triggers.yaml)."""

    name: str
    lemmas: frozenset[str]
    type: str
    mode: str | None = None
    obj: frozenset[str] = frozenset()
    prt: frozenset[str] = frozenset()
    pobj: frozenset[str] = frozenset()
    needs_obj: bool = False
    #: only without a direct object ("demonstrated", not "demonstrated a lack of ...")
    no_obj: bool = False
    #: not with a document as direct object ("released a statement" frees nobody)
    no_document_obj: bool = False
    needs_place: bool = False
    host: bool = False
    obj_named: bool = False  # the direct object is a name ("recognized Kosovo")
    xcomp: bool = False
    #: the infinitival complement must be a trigger itself or act on a relation ("seeks to
    #: improve ties")
    xcomp_event: bool = False
    actor_state: bool = False
    #: actors side by side need no recipient ("A and B signed a treaty"), see nlp/scope.py
    mutual: bool = False

    @property
    def conditional(self) -> bool:
        """Whether the rule needs more than the lemma."""
        return bool(self.obj or self.prt or self.pobj)


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """Quad class, scores and CAMEO root of a PLOVER type."""

    quad: int
    score: float
    cameo: str
    modes: dict[str, float]
    mode_cameo: dict[str, str]
    #: "required", "mutual" or "optional": when the type stands without a recipient
    counterpart: str = "required"

    def score_for(self, mode: str | None) -> float:
        """PLOVER score of the type with an optional mode."""
        if mode and mode in self.modes:
            return float(self.modes[mode])
        return float(self.score)

    def cameo_for(self, mode: str | None) -> str:
        """CAMEO root code of the type with an optional mode."""
        if mode and mode in self.mode_cameo:
            return self.mode_cameo[mode]
        return self.cameo


@dataclass(frozen=True, slots=True)
class Words:
    """Closed word lists of config/nlp/words.yaml (one attribute per list)."""

    topic_preps: frozenset[str]
    topic_verbs: frozenset[str]
    locative_preps: frozenset[str]
    place_nouns: frozenset[str]
    destination_heads: frozenset[str]
    agentive_event_nouns: frozenset[str]
    visit_setting_preps: frozenset[str]
    heading_joiners: frozenset[str]
    sentence_openers: frozenset[str]
    non_place_heads: frozenset[str]
    event_anaphors: frozenset[str]
    group_nouns: frozenset[str]
    speech_verbs: frozenset[str]
    reiterate_verbs: frozenset[str]
    demand_nouns: frozenset[str]
    military_nouns: frozenset[str]
    private_travellers: frozenset[str]
    host_objects: frozenset[str]
    generic_agents: frozenset[str]
    pronoun_person: frozenset[str]
    pronoun_group: frozenset[str]
    coref_nouns: frozenset[str]
    plan_verbs: frozenset[str]
    proposal_verbs: frozenset[str]
    expectation_verbs: frozenset[str]
    possibility_modals: frozenset[str]
    reported_future_verbs: frozenset[str]
    role_nouns: frozenset[str]
    envoy_nouns: frozenset[str]
    delegate_roles: frozenset[str]
    non_state_name_heads: frozenset[str]
    habitual_adverbs: frozenset[str]
    hedge_adverbs: frozenset[str]
    period_nouns: frozenset[str]
    relation_objects: frozenset[str]
    cooperative_verbs: frozenset[str]
    allegation_nouns: frozenset[str]
    administration_nouns: frozenset[str]
    negative_determiners: frozenset[str]
    office_nouns: frozenset[str]
    official_nouns: frozenset[str]
    former_words: frozenset[str]
    private_nouns: frozenset[str]
    document_nouns: frozenset[str]
    seat_participles: frozenset[str]
    news_outlets: frozenset[str]
    reference_preps: frozenset[str]
    addressee_verbs: frozenset[str]
    contexts: dict[str, tuple[str, ...]]
    #: anaphor noun -> the PLOVER type of the act it refers back to ("the request": REQUEST)
    anaphor_types: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> Words:
        """Read the lists; a missing list is an error naming it."""
        raw = load_yaml_mapping(path)
        lists = {}
        for name in cls.__slots__:
            if name in ("contexts", "anaphor_types"):
                continue
            if name not in raw:
                raise ValueError(f"{path}: word list {name!r} is missing")
            lists[name] = _fs(raw[name])
        contexts = {str(k): tuple(str(w).lower() for w in v) for k, v in raw["contexts"].items()}
        types = {str(k).lower(): str(v) for k, v in (raw.get("anaphor_types") or {}).items()}
        return cls(contexts=contexts, anaphor_types=types, **lists)


@dataclass(frozen=True, slots=True)
class TypingRule:
    """One named retyping rule of config/nlp/typing.yaml."""

    name: str
    set_type: str
    set_mode: str | None = None
    #: the modality the retyping consumed ("did not agree" is an asserted REJECT)
    set_factuality: str | None = None
    types: frozenset[str] = frozenset()
    types_not: frozenset[str] = frozenset()
    #: the current mode must be one of these (None in the tuple: no mode); empty: any mode
    modes: tuple[str | None, ...] = ()
    factuality: frozenset[str] = frozenset()
    quad: frozenset[int] = frozenset()
    min_actors: int = 0
    clause: str | None = None
    #: names of the trigger rules the rule applies to (empty: any)
    triggers: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, r: dict[str, Any]) -> TypingRule:
        """From one YAML entry."""
        when = r.get("when") or {}
        return cls(
            name=str(r["name"]),
            set_type=str(r["set"]["type"]),
            set_mode=r["set"].get("mode"),
            set_factuality=r["set"].get("factuality"),
            types=frozenset(when.get("type") or ()),
            types_not=frozenset(when.get("type_not") or ()),
            modes=tuple(m if isinstance(m, list) else [m])
            if (m := when.get("mode", "*")) != "*"
            else (),
            factuality=frozenset(when.get("factuality") or ()),
            quad=frozenset(int(q) for q in when.get("quad") or ()),
            min_actors=int(when.get("min_actors") or 0),
            clause=when.get("clause"),
            triggers=frozenset(when.get("trigger") or ()),
        )


def _verb_rule(r: dict[str, Any]) -> VerbRule:
    return VerbRule(
        name=str(r["name"]),
        lemmas=_fs(r["lemma"]),
        type=r["type"],
        mode=r.get("mode"),
        obj=_fs(r.get("obj")),
        prt=_fs(r.get("prt")),
        pobj=_fs(r.get("pobj")),
        needs_obj=bool(r.get("needs_obj")),
        no_obj=bool(r.get("no_obj")),
        no_document_obj=bool(r.get("no_document_obj")),
        needs_place=bool(r.get("needs_place")),
        host=bool(r.get("host")),
        obj_named=bool(r.get("obj_named")),
        xcomp=bool(r.get("xcomp")),
        xcomp_event=bool(r.get("xcomp_event")),
        actor_state=bool(r.get("actor_state")),
        mutual=bool(r.get("mutual")),
    )


def _index(
    rules: list[VerbRule],
    conditional: dict[str, list[VerbRule]],
    bare: dict[str, list[VerbRule]],
) -> None:
    """Rules by lemma, conditional ones (object, particle, prepositional object) apart."""
    for r in rules:
        target = conditional if r.conditional else bare
        for lem in r.lemmas:
            target.setdefault(lem, []).append(r)


def _fs(v: Any) -> frozenset[str]:
    if not v:
        return frozenset()
    if isinstance(v, str):
        return frozenset([v.lower()])
    return frozenset(str(x).lower() for x in v)


def _ontology(path: Path) -> tuple[dict[str, TypeInfo], dict[str, str]]:
    """The PLOVER type table and the CAMEO root -> PLOVER type map of ontology.yaml."""
    onto = load_yaml_mapping(path)
    types = {
        name: TypeInfo(
            int(t["quad"]),
            float(t["score"]),
            str(t["cameo"]),
            {k: float(v) for k, v in (t.get("modes") or {}).items()},
            {k: str(v) for k, v in (t.get("mode_cameo") or {}).items()},
            str(t.get("counterpart") or "required"),
        )
        for name, t in (onto.get("types") or {}).items()
    }
    roots = {str(k): str(v) for k, v in (onto.get("cameo_root_to_plover") or {}).items()}
    return types, roots


class Lexicon:
    """Triggers, nominal triggers, modality markers and the PLOVER type table."""

    def __init__(self, nlp_dir: Path) -> None:
        trig = load_yaml_mapping(nlp_dir / "triggers.yaml")
        rules = [_verb_rule(r) for r in trig.get("verbs") or []]
        self.conditional: dict[str, list[VerbRule]] = {}
        self.bare: dict[str, list[VerbRule]] = {}
        _index(rules, self.conditional, self.bare)
        #: the PETRARCH2 CAMEO verb dictionary mapped to PLOVER (generated data), tried after
        #: the hand-written rules above
        self.cameo_conditional: dict[str, list[VerbRule]] = {}
        self.cameo_bare: dict[str, list[VerbRule]] = {}
        cameo = nlp_dir / "cameo_verbs.yaml"
        if cameo.exists():
            cameo_rules = [_verb_rule(r) for r in load_yaml_mapping(cameo).get("verbs") or []]
            _index(cameo_rules, self.cameo_conditional, self.cameo_bare)
        self.nouns: dict[str, tuple[str, frozenset[str]]] = {}
        for typ, spec in (trig.get("nouns") or {}).items():
            for lem in spec.get("lemmas") or []:
                self.nouns[lem.lower()] = (typ, _fs(spec.get("support_verbs")))
        self.words = Words.load(nlp_dir / "words.yaml")
        self.typing_rules = [
            TypingRule.from_dict(r)
            for r in (load_yaml_mapping(nlp_dir / "typing.yaml").get("rules") or [])
        ]
        self.types, self.cameo_root_to_plover = _ontology(nlp_dir / "ontology.yaml")
        #: every lemma with a verb rule: most tokens have none, and skip the rule matching
        self.rule_lemmas: frozenset[str] = frozenset(
            (*self.conditional, *self.bare, *self.cameo_conditional, *self.cameo_bare)
        )
        #: inflected form -> trigger lemma, for when the lemmatizer gets a form wrong
        self.form_to_lemma: dict[str, str] = {}
        for lem in list(self.conditional) + list(self.bare) + list(self.nouns):
            for f in inflections(lem):
                self.form_to_lemma.setdefault(f, lem)
        forms, with_verbs = self._cheap_pass_forms()
        #: lower-cased word forms of every trigger: the cheap pass looks for these
        self.trigger_forms: frozenset[str] = frozenset(forms)
        #: object forms of conditional rules -> the verb forms that must be in the same sentence
        self.object_trigger_forms: dict[str, frozenset[str]] = {
            f: frozenset(v) for f, v in with_verbs.items() if f not in forms
        }

    def _cheap_pass_forms(self) -> tuple[set[str], dict[str, set[str]]]:
        """The word forms that send a sentence to the parser on their own, and the object forms
        that do so only beside one of their rule's verb forms.

        The cheap pass looks for the word that makes a rule specific: the verb of a bare rule,
        the object of a conditional one ("hold talks" -> "talks"), so that "was", "have" or
        "take" alone never send a sentence to the parser. An object ("state", "million") is a
        trigger only beside a verb of its rule ("recognize", "send"): alone it sent every
        sentence about a state or a sum of money to the parser. The CAMEO dictionary's verb +
        object pairs ("present evidence") count the same way."""
        forms: set[str] = set()
        for lem in list(self.bare) + list(self.nouns) + list(self.cameo_bare):
            forms |= inflections(lem)
        with_verbs: dict[str, set[str]] = {}
        for from_cameo, index in ((False, self.conditional), (True, self.cameo_conditional)):
            for r in (r for rules in index.values() for r in rules):
                verb_forms = {f for lem in r.lemmas for f in inflections(lem)}
                if r.obj or r.pobj:
                    for w in r.obj | r.pobj:  # nouns: singular and plural only
                        for f in {w, w + "s", w + "es", w[:-1] + "ies" if w.endswith("y") else w}:
                            with_verbs.setdefault(f, set()).update(verb_forms)
                elif not from_cameo:
                    forms |= verb_forms
        forms |= {"must", "should"}  # "X said Y must ..." is a REQUEST
        return forms, with_verbs
