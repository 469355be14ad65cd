"""Russian text as typed in messengers, reduced to something a matcher can compare.

`normalize` folds case, «ё», punctuation noise and Latin slips (a wrong keyboard layout or
transliteration); `tokens` splits with razdel; `lemmas` lemmatises with pymorphy3 and drops
greetings, politeness and function words that carry no meaning for matching;
`strip_greeting` removes a leading greeting from natural text (for sentence vectors);
`Speller` corrects typos against a known vocabulary (the knowledge base's words).
"""

import re
from functools import lru_cache

from razdel import tokenize

_LAYOUT = dict(zip("qwertyuiop[]asdfghjkl;'zxcvbnm,.`", "йцукенгшщзхъфывапролджэячсмитьбюё", strict=True))
_TRANSLIT = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("ya", "я"),
    ("ja", "я"),
    ("yo", "е"),
    ("jo", "е"),
    ("ye", "е"),
    ("iy", "ий"),
    ("yy", "ый"),
    ("ay", "ай"),
    ("oy", "ой"),
    ("ey", "ей"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "ц"),
    ("y", "ы"),
    ("w", "в"),
    ("x", "кс"),
    ("q", "к"),
    ("'", "ь"),
]
_LATIN_WORD = re.compile(r"[a-z\[\];',.`]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_SPACES = re.compile(r"\s+")
_JUNK = re.compile(r"[^\w\s\-№]+", re.UNICODE)

# Words that say nothing about the need: greetings, politeness, fillers, function words.
STOP = frozenset(
    [
        "здравствуйте",
        "здравствуй",
        "привет",
        "добрый",
        "доброе",
        "день",
        "вечер",
        "утро",
        "ночь",
        "приветствовать",
        "спасибо",
        "благодарить",
        "заранее",
        "пожалуйста",
        "подсказать",
        "сказать",
        "скажите",
        "подскажите",
        "помочь",
        "помогите",
        "интересовать",
        "интересно",
        "вопрос",
        "вопросик",
        "хотеть",
        "хотеться",
        "узнать",
        "уточнить",
        "знать",
        "понять",
        "такой",
        "этот",
        "тот",
        "вот",
        "вообще",
        "просто",
        "еще",
        "уже",
        "очень",
        "также",
        "тоже",
        "и",
        "а",
        "но",
        "или",
        "да",
        "нет",
        "не",
        "ни",
        "же",
        "ли",
        "бы",
        "то",
        "это",
        "как",
        "так",
        "что",
        "чтобы",
        "если",
        "когда",
        "где",
        "куда",
        "откуда",
        "почему",
        "зачем",
        "какой",
        "в",
        "во",
        "на",
        "по",
        "с",
        "со",
        "к",
        "ко",
        "у",
        "о",
        "об",
        "от",
        "до",
        "из",
        "за",
        "для",
        "при",
        "про",
        "под",
        "над",
        "без",
        "через",
        "между",
        "о",
        "я",
        "мы",
        "ты",
        "вы",
        "он",
        "она",
        "оно",
        "они",
        "мой",
        "твой",
        "наш",
        "ваш",
        "свой",
        "его",
        "ее",
        "их",
        "мне",
        "меня",
        "нам",
        "нас",
        "вам",
        "вас",
        "ему",
        "ей",
        "им",
        "быть",
        "есть",
        "являться",
        "мочь",
        "можно",
        "нужно",
        "надо",
        "ли",
        "бы",
        "ну",
        "ой",
        "ага",
        "хм",
        "ок",
        "окей",
        "плиз",
        "плз",
        "пж",
        "спс",
    ]
)
_KEEP = frozenset({"нет", "не", "без", "когда", "где", "сколько", "почему"})  # kept in normalize for meaning


@lru_cache(maxsize=1)
def _morph():
    """The one MorphAnalyzer of the process (slow to create, thread-safe to use)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _layout(text: str) -> str:
    return "".join(_LAYOUT.get(ch, ch) for ch in text)


def _translit(text: str) -> str:
    for lat, cyr in _TRANSLIT:
        text = text.replace(lat, cyr)
    return text


def _known_share(text: str) -> float:
    words = re.findall(r"[а-я]+", text)
    if not words:
        return 0.0
    morph = _morph()
    return sum(morph.word_is_known(w) for w in words) / len(words)


def _fix_latin(text: str) -> str:
    """A message typed in the wrong layout or in transliteration becomes Cyrillic.

    Whole-Latin messages are read both ways and the reading with more dictionary words wins.
    Inside Cyrillic text only long Latin words that turn into known Russian words are changed
    (short ones and brand names stay as they are).
    """
    if not re.search(r"[a-z]", text):
        return text
    if not re.search(r"[а-я]", text):
        readings = [_layout(text), _translit(text)]
        best = max(readings, key=_known_share)
        return best if _known_share(best) >= 0.5 else text

    def repl(match: re.Match) -> str:
        word = match.group(0)
        if len(word) < 4:
            return word
        for reading in (_layout(word).strip(".,;'[]`"), _translit(word)):
            if _morph().word_is_known(reading):
                return reading
        return word

    return _LATIN_WORD.sub(repl, text)


def normalize(text: str) -> str:
    """Lower case, «ё»→«е», links and punctuation noise removed, Latin slips turned Cyrillic."""
    if not text:
        return ""
    text = text[:5000].lower().replace("ё", "е")
    text = _URL.sub(" ", text)
    text = _fix_latin(text)
    text = _JUNK.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Word tokens of normalized text (razdel), without punctuation."""
    return [t.text for t in tokenize(normalize(text)) if any(ch.isalnum() for ch in t.text)]


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    if word.isdigit() or len(word) > 40:
        return word
    return _morph().parse(word)[0].normal_form.replace("ё", "е")


def lemmas(text: str, *, keep_stop: bool = False) -> list[str]:
    """Lemmas of the meaningful words; greetings, politeness and function words dropped."""
    out = []
    for token in tokens(text):
        lem = lemma(token)
        if keep_stop or (lem not in STOP and token not in STOP) or lem in _KEEP:
            out.append(lem)
    return out


def split_questions(text: str) -> list[str]:
    """Parts of a message that may each be a question ("…? И ещё …?")."""
    parts = [p.strip() for p in re.split(r"[?!\n]+|\.\s+(?=[А-ЯA-Z])", text or "") if len(p.strip()) > 8]
    return parts if len(parts) > 1 else [text]


_GREETING = re.compile(
    r"^(?:[\s\W]*(?:здравствуйте|здравствуй|привет(?:ствую)?|добр(?:ый|ое|ого)\s+(?:день|вечер|утро|ночи|дня|"
    r"времени\s+суток)|доброе\s+утро|уважаемые?(?:\s+(?:коллеги|сотрудники|специалисты))?|"
    r"подскажите|скажите|пожалуйста|будьте\s+добры|извините)\b)+[\s\W]*",
    re.IGNORECASE,
)


# Courtesy anywhere in a message («…, пожалуйста», «заранее спасибо»): no meaning, only tokens.
_COURTESY = re.compile(
    r"[,\s]*\b(?:пожалуйста|пожалуйсто|плиз|подскажите|заранее\s+спасибо|спасибо(?:\s+заранее)?|"
    r"благодарю(?:\s+заранее)?|будьте\s+добры)\b[,!.\s]*",
    re.IGNORECASE,
)


def strip_greeting(text: str) -> str:
    """The message without a greeting or politeness formula at its start and courtesy words
    anywhere in it («пожалуйста», «заранее спасибо»), otherwise unchanged.

    Sentence vectors read natural text, so they get the original wording minus «Добрый день,
    подскажите, пожалуйста,» — which would otherwise pull every question towards each other.
    """
    stripped = _GREETING.sub("", text or "", count=1)
    stripped = re.sub(r"\s+(?=[?!.,;])", "", " ".join(_COURTESY.sub(" ", stripped).split())).strip(" ,.;")
    return stripped if any(ch.isalpha() for ch in stripped) else (text or "")


class Speller:
    """Typo correction against a vocabulary (e.g. every word of the knowledge base).

    A word that the dictionary does not know and the vocabulary does not contain is replaced by the
    closest vocabulary word (rapidfuzz similarity ≥ `min_score`, same first letter); short words are
    left alone because a one-letter slip in them is ambiguous.
    """

    def __init__(self, vocabulary, *, min_score: float = 84.0, min_len: int = 4):
        words = {w for w in vocabulary if len(w) >= min_len and w.isalpha()}
        self._by_letter: dict[str, list[str]] = {}
        for word in sorted(words):
            self._by_letter.setdefault(word[0], []).append(word)
        self._words = words
        self.min_score = min_score
        self.min_len = min_len
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if len(word) < self.min_len or word in self._words or not word.isalpha():
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        fixed = word
        if not _morph().word_is_known(word):
            from rapidfuzz import fuzz, process

            found = process.extractOne(
                word, self._by_letter.get(word[0], []), scorer=fuzz.ratio, score_cutoff=self.min_score
            )
            if found:
                fixed = found[0]
        if len(self._cache) < 100_000:
            self._cache[word] = fixed
        return fixed

    def fix(self, text: str) -> str:
        """Normalized text with each unknown word corrected."""
        return " ".join(self.correct(w) for w in tokens(text))
