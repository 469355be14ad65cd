"""Which territory an appeal names, from a gazetteer {code: [names and aliases]}.

Russian place names change by case and turn into adjectives: «Льгов», «в Льгове», «г. Льгов»,
«Льговского района», «Льговский р-н». Each name is reduced to a root (the lemma without its
ending) and a form (noun or adjective); a text word matches when it starts with the root and the
rest is a plausible ending. The generic word next to it («район», «город», «округ», «область»)
says which kind of territory is meant, so «Льговского района» is the district and «в Льгове» the
town, and «Курской области» is never the city of Kursk.

Adjectives that are ordinary words («Советский», «Центральный», «Октябрьский») match only next to
a generic word («Советского района»); words pymorphy knows as place names (Geox) match alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["TerritoryMatch", "ToponymMatcher", "generic_kind"]

MAX_CHARS = 4000
_WORD = re.compile(r"[а-я]+(?:-[а-я]+)*|\d+|[,;:!?()«»\"—–]")
# A punctuation mark between two words: «пос. Озёрный, ул. Гагарина» names the settlement, not a
# street «Озёрная улица», and a generic word across it describes something else.
_BREAK = "|"
_ADJ_ENDINGS = ("ий", "ый", "ой", "ая", "ое", "ие", "ые")
_VOWELS = "аеиоуыэюяйь"

# Generic words naming the kind of territory. Keys are lemmas (or abbreviations as written).
_KINDS = {
    "район": "district",
    "р-н": "district",
    "р-на": "district",
    "р-не": "district",
    "рн": "district",
    "мр": "district",
    "город": "city",
    "г": "city",
    "гор": "city",
    "городской": "city",
    "округ": "okrug",
    "область": "region",
    "обл": "region",
    "край": "region",
    "республика": "region",
    "село": "settlement",
    "поселок": "settlement",
    "пос": "settlement",
    "пгт": "settlement",
    "деревня": "settlement",
    "хутор": "settlement",
    "сельсовет": "settlement",
    "поселение": "settlement",
}
# Words of an official name that carry no place: dropped from aliases.
_FILLER = frozenset(
    {"муниципальный", "администрация", "образование", "мо", "с", "д", "п", "х", "им", "имени"}
)
# Kinds that may stand for one another in a text: «городской округ» is the town.
_COMPATIBLE = {("okrug", "city"), ("city", "okrug")}
_STREET = frozenset(
    [
        "ул",
        "улица",
        "улице",
        "улицу",
        "улицы",
        "улиц",
        "пр",
        "пр-т",
        "пр-кт",
        "проспект",
        "проспекта",
        "проспекте",
        "пер",
        "переулок",
        "переулка",
        "переулке",
        "пл",
        "площадь",
        "площади",
        "бульвар",
        "бульвара",
        "бульваре",
        "б-р",
        "шоссе",
        "проезд",
        "проезда",
        "проезде",
        "набережная",
        "набережной",
        "тупик",
        "тупике",
    ]
)
_SPECIFIC = {"settlement": 4, "okrug": 3, "district": 2, "city": 1}


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@dataclass(frozen=True)
class _Word:
    lemma: str
    adjective: bool
    distinctive: bool  # a place name by itself (Geox) or a word no dictionary knows
    geo_adjective: bool = False  # an adjective made from a place name («солнцевский» ← Солнцево)


@lru_cache(maxsize=100_000)
def _word(token: str) -> _Word:
    if token.isdigit() or len(token) < 3:
        return _Word(token, False, False)
    morph = _morph()
    parses = morph.parse(token)
    best = parses[0]
    lemma = best.normal_form.replace("ё", "е")
    adjective = best.tag.POS in ("ADJF", "ADJS")
    geox = any("Geox" in p.tag for p in parses[:3])
    known = morph.word_is_known(token)
    distinctive = geox or not known
    geo_adjective = False
    if adjective and not distinctive:
        # «льговский» is an ordinary-looking adjective, but «Льгов» is a place: derive the noun.
        for suffix, repl in (
            ("ский", ""),
            ("ский", "ск"),
            ("ский", "о"),
            ("ский", "а"),
            ("цкий", "цк"),
            ("ский", "ы"),
        ):
            if lemma.endswith(suffix):
                noun = lemma[: -len(suffix)] + repl
                if len(noun) >= 3 and any("Geox" in p.tag for p in morph.parse(noun)[:3]):
                    geo_adjective = True
                    break
    return _Word(lemma, adjective, distinctive, geo_adjective)


def generic_kind(token: str) -> str | None:
    """Kind of territory a generic word names («района» → "district"), or None."""
    token = token.lower().replace("ё", "е").strip(".")
    if token in _KINDS:
        return _KINDS[token]
    if re.fullmatch(r"р-?н[а-я]?", token):
        return "district"
    if len(token) < 3:
        return None
    return _KINDS.get(_word(token).lemma)


def _root(lemma: str, adjective: bool) -> str:
    if adjective:
        for ending in _ADJ_ENDINGS:
            if lemma.endswith(ending) and len(lemma) - len(ending) >= 3:
                return lemma[: -len(ending)]
        return lemma
    root = lemma
    while len(root) > 4 and root[-1] in _VOWELS:
        root = root[:-1]
    return root


def _words(text: str) -> list[str]:
    """Lower-case words (ё → е), with _BREAK where a punctuation mark stood between them (a full
    stop is not one: it ends abbreviations such as «г.», «ул.»)."""
    words = [w if w[0].isalnum() else _BREAK for w in _WORD.findall(text.lower().replace("ё", "е"))]
    return [w for i, w in enumerate(words) if w != _BREAK or (i and words[i - 1] != _BREAK)]


@dataclass(frozen=True)
class _Alias:
    code: Hashable
    roots: tuple[str, ...]
    adjective: bool
    kind: str | None
    derived: bool = False


@dataclass(frozen=True)
class TerritoryMatch:
    """A territory named in a text: its code, a confidence in [0, 1] and the words matched."""

    code: Hashable
    confidence: float
    surface: str


class ToponymMatcher:
    """Finds the territory an appeal names. Pickle-safe; build once, call `find` per text."""

    def __init__(self, gazetteer: Mapping[Hashable, Sequence[str]]):
        self._aliases: list[_Alias] = []
        self._by_first: dict[str, list[_Alias]] = defaultdict(list)
        for code, names in gazetteer.items():
            for name in names:
                for alias in self._compile(code, name):
                    if alias not in self._aliases:
                        self._aliases.append(alias)
        # A district's centre named as a noun is dropped when it is a territory of its own
        # («Льговский район» vs «город Льгов»): «в Льгове» is the town.
        nouns = [a.roots[0] for a in self._aliases if not a.adjective and not a.derived]
        self._aliases = [
            a
            for a in self._aliases
            if not (a.derived and any(n.startswith(a.roots[0]) or a.roots[0].startswith(n) for n in nouns))
        ]
        self._noun_roots = tuple(nouns)
        for alias in self._aliases:
            self._by_first[alias.roots[0][:3]].append(alias)

    @staticmethod
    def _compile(code: Hashable, name: str) -> list[_Alias]:
        kind, cores = None, []
        for token in _words(name):
            if token == _BREAK:
                continue
            token_kind = generic_kind(token)
            if token_kind is not None:
                kind = kind or token_kind
            elif token not in _FILLER and not token.isdigit():
                cores.append(_word(token))
        if not cores:
            return []
        head = cores[0]
        roots = tuple(_root(w.lemma, w.adjective) for w in cores)
        if any(len(r) < 3 for r in roots):
            return []
        aliases = [_Alias(code, roots, head.adjective, kind)]
        if head.adjective and (head.distinctive or head.geo_adjective) and len(cores) == 1:
            # «Солнцевский район» is also named by its centre: «в Солнцево».
            noun = re.sub(r"(ский|цкий)$", "", head.lemma)
            if len(noun) >= 4 and noun != head.lemma:
                aliases.append(_Alias(code, (noun,), False, kind, derived=True))
        return aliases

    @property
    def codes(self) -> list[Hashable]:
        return sorted({a.code for a in self._aliases}, key=str)

    def find_all(self, text: str) -> list[TerritoryMatch]:
        """Every territory named, best first; confidence shares the evidence between rivals."""
        words = _words((text or "")[:MAX_CHARS])
        kinds = [generic_kind(w) for w in words]
        scores: dict[Hashable, float] = defaultdict(float)
        surfaces: dict[Hashable, str] = {}
        specific: dict[Hashable, int] = defaultdict(int)
        for i, token in enumerate(words):
            if kinds[i] is not None or len(token) < 3 or self._street(words, i):
                continue
            hits = [(self._score(a, words, kinds, i), a) for a in self._by_first.get(token[:3], ())]
            top = max((score for score, _ in hits), default=0.0)
            for score, alias in hits:
                # Only the best reading of a word counts: «Курска» is the town, not the district.
                if score > 0 and score == top:
                    if score > scores[alias.code]:
                        surfaces[alias.code] = " ".join(
                            w for w in words[max(0, i - 1) : i + len(alias.roots) + 1] if w != _BREAK
                        )
                    scores[alias.code] = max(scores[alias.code], score)
                    specific[alias.code] = max(specific[alias.code], _SPECIFIC.get(alias.kind, 0))
        if not scores:
            return []
        total = sum(scores.values())
        # On equal evidence the smaller territory wins: «Центрального округа города Курска».
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -specific[kv[0]], str(kv[0])))
        return [TerritoryMatch(code, round(s * s / total, 3), surfaces[code]) for code, s in ranked]

    def find(self, text: str) -> TerritoryMatch | None:
        """The territory the text names most clearly, or None."""
        found = self.find_all(text)
        return found[0] if found else None

    @staticmethod
    def _street(words: list[str], i: int) -> bool:
        """«ул. Льговская», «Советская улица»: streets named after places are not the place."""
        if i > 0 and words[i - 1] in _STREET:
            return True
        return i + 1 < len(words) and words[i + 1] in _STREET and _word(words[i]).adjective

    def _from_known_noun(self, token: str) -> bool:
        return any(token.startswith(n) and len(n) >= 4 for n in self._noun_roots)

    @staticmethod
    def _matches(token: str, root: str) -> bool:
        return token.startswith(root) and len(token) - len(root) <= 6

    def _score(self, alias: _Alias, words: list[str], kinds: list[str | None], i: int) -> float:
        n = len(alias.roots)
        if i + n > len(words) or not all(self._matches(words[i + k], r) for k, r in enumerate(alias.roots)):
            return 0.0
        word = _word(words[i])
        rest = words[i][len(alias.roots[0]) :]
        if not alias.adjective and word.adjective and not re.match(r"(ск|овск|евск|инск|цк)", rest):
            # «Курчатовцы» or «Курском» read as a noun case of the town, not an adjective of it.
            word = _Word(word.lemma, False, word.distinctive)
        # The generic word right after an adjective («Льговского района») or right before a noun
        # («г. Льгов», «города Курска») says which kind of territory the text means.
        # The next word but one counts only when no punctuation mark stands between.
        after = (i + n, i + n + 1) if i + n < len(words) and words[i + n] != _BREAK else (i + n,)
        before = (i - 1, i - 2) if i > 0 and words[i - 1] != _BREAK else (i - 1,)
        near = [j for j in (after[0], before[0], *after[1:], *before[1:]) if 0 <= j < len(words) and kinds[j]]
        text_kind = kinds[near[0]] if near else None
        if text_kind == "region" and alias.kind != "region":
            return 0.0
        same_form = word.adjective == alias.adjective
        if text_kind and alias.kind:
            if text_kind == alias.kind:
                return 1.0 if same_form or alias.kind != "district" else 0.6
            if (text_kind, alias.kind) in _COMPATIBLE:
                return 0.7
            return 0.0
        # An adjective alone counts when it is made from a place of this gazetteer («Льговский
        # РЭС» ← Льгов); «Советская», «Центральное» alone are ordinary words.
        if not (text_kind or word.distinctive or self._from_known_noun(words[i])):
            return 0.0
        if text_kind:
            return 0.8 if same_form else 0.5
        return 0.7 if same_form else 0.4
