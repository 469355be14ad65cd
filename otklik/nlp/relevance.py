"""Whether a social-media post is about a region's education, and how it sounds: phrase lists
matched on lemmas.

A phrase («детский сад», «ЕГЭ», «подвоз детей») matches when its lemmas stand one after another
among the text's lemmas, so «в детском саду» and «детсадовский» are told apart the same way staff
would. Complaint and danger cues use the same matcher with the lists below.
"""

from __future__ import annotations

from collections.abc import Sequence

from otklik.nlp.normalize import lemmas

# `normalize` reads at most 5000 characters; longer posts are read in overlapping pieces so that a
# phrase at the end of a long post is still found.
CHUNK = 4000
OVERLAP = 200

# The education words a region starts from; staff edit their own list on the monitoring screen.
DEFAULT_KEYWORDS = [
    "школа",
    "школьник",
    "детский сад",
    "садик",
    "детсад",
    "учитель",
    "учительница",
    "педагог",
    "воспитатель",
    "директор школы",
    "заведующая",
    "урок",
    "ЕГЭ",
    "ОГЭ",
    "ВПР",
    "экзамен",
    "выпускной",
    "питание",
    "столовая",
    "буллинг",
    "травля",
    "подвоз",
    "школьный автобус",
    "кружок",
    "дополнительное образование",
    "колледж",
    "техникум",
    "очередь в сад",
    "управление образования",
    "министерство образования",
]
# A citizen complaining: raises the priority shown to the operator, does not decide relevance.
COMPLAINT_CUES = [
    "жалоба",
    "жаловаться",
    "возмутительно",
    "возмущать",
    "безобразие",
    "беспредел",
    "кошмар",
    "ужас",
    "позор",
    "не реагировать",
    "игнорировать",
    "прокуратура",
    "не отвечать",
    "бардак",
    "разобраться",
    "примите меры",
]
# Danger to children: the incident is urgent (the short reaction term), as staff mark by hand.
URGENT_CUES = [
    "отравление",
    "отравиться",
    "травма",
    "травмировать",
    "избить",
    "избиение",
    "драка",
    "пожар",
    "суицид",
    "угроза жизни",
    "скорая помощь",
    "госпитализировать",
    "нож",
    "обрушение",
    "обрушиться",
]


def text_lemmas(text: str) -> list[str]:
    """Lemmas of the whole text, however long (read in overlapping pieces)."""
    text = text or ""
    if len(text) <= CHUNK:
        return lemmas(text)
    out: list[str] = []
    for start in range(0, len(text), CHUNK - OVERLAP):
        # A word cut by the piece's edge is read whole in the neighbour thanks to the overlap;
        # the duplicated lemmas only repeat what is there.
        out.extend(lemmas(text[start : start + CHUNK]))
        if start + CHUNK >= len(text):
            break
    return out


class PhraseMatcher:
    """Finds which of `phrases` a text contains, compared on lemmas (case, «ё», inflection and
    punctuation do not matter). Phrases without any meaningful word are ignored."""

    def __init__(self, phrases: Sequence[str]):
        self.phrases: list[tuple[str, tuple[str, ...]]] = []
        for phrase in phrases:
            words = tuple(lemmas(phrase))
            if words:
                self.phrases.append((phrase, words))

    def hits(self, text_or_lemmas: str | Sequence[str]) -> list[str]:
        """The phrases found, in the order of the list. Pass the text, or its `text_lemmas` when
        several matchers read the same text."""
        words = text_lemmas(text_or_lemmas) if isinstance(text_or_lemmas, str) else list(text_or_lemmas)
        present = set(words)
        found = []
        for phrase, parts in self.phrases:
            if not present.issuperset(parts):
                continue
            n = len(parts)
            if n == 1 or any(tuple(words[i : i + n]) == parts for i in range(len(words) - n + 1)):
                found.append(phrase)
        return found


def phrase_lemmas(phrase: str) -> list[str]:
    """The lemmas a phrase is matched by (empty: the phrase has no meaningful word)."""
    return lemmas(phrase)
