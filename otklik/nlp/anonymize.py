"""Anonymisation of appeal texts for reports that leave the ministry.

`anonymize(text)` masks person names, phones, e-mails, postal addresses, document numbers and
dates of birth. Names come from slovnet's Russian NER model (PER spans), loaded lazily once from
the files that the `natasha` wheel ships, and from patterns that work without the model: a name
with a patronymic («Иванова Мария Петровна», «Анна Сергеевна»), a surname with initials
(«Петров И.С.», «И. С. Петрову») and a surname after a job title («директор Петров»).

natasha itself is never imported: its morphology tagger needs pymorphy2, which is broken on
Python ≥ 3.11. Only the model files are located through its package spec (which does not run it).
"""

import importlib.util
import logging
import re
from pathlib import Path

from otklik.nlp.lazy import LazyModel
from otklik.nlp.pii import BASIC, EXTENDED, Span, find, redact

log = logging.getLogger("otklik.nlp.anonymize")

MARKERS = {
    "name": "[ФИО]",
    "email": "[e-mail]",
    "link": "[ссылка]",
    "phone": "[телефон]",
    "address": "[адрес]",
    "snils": "[документ]",
    "passport": "[документ]",
    "document": "[документ]",
    "number": "[документ]",
    "birth_date": "[дата рождения]",
}

# Text that looks like personal data but is not, protected before anything else is masked.
_KEEP = [
    # appeal numbers (TO-2026-000123) are needed to follow a case up
    ("keep", re.compile(r"\b[A-ZА-ЯЁ]{1,6}-\d{4}-\d{3,}\b")),
    # academic years: 2025-2026, 2025/2026
    ("keep", re.compile(r"(?<!\d)(?:19|20)\d{2}\s?[-–/]\s?(?:19|20)\d{2}(?!\d)")),
    # names of institutions: «имени А. С. Пушкина», «им. Курчатова»
    (
        "keep",
        re.compile(r"(?<!\w)(?:имени|им\.)\s*(?:[А-ЯЁ]\.\s?){0,2}[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+){0,2}"),
    ),
]

_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:(?:ович|евич|ьич)(?:а|у|ем|е)?|(?:овн|евн|ичн|иничн)(?:а|ы|е|у|ой|ою))\b"
_INITIALS = r"[А-ЯЁ]\.\s?[А-ЯЁ]\."
_TITLES = (
    r"(?i:директор|замдиректора|заместител|завуч|заведующ|учител|педагог|воспитател|руководител"
    r"|начальник|специалист|инспектор|тренер|логопед|психолог|вожат)[а-яё]*"
    r"|(?i:сын|сына|сыну|сыном|дочь|дочери|дочерью|дочка|дочки|дочку|ребенка|ребёнка|ребенку|ребёнку"
    r"|внук|внука|внучка|внучки|внучку|муж|мужа|жена|жены|супруг|супруга|супругу)"
)
_NAME_PATTERNS = [
    # (first name and surname before) a patronymic: «Иванова Мария Петровна», «Анну Сергеевну»
    ("name", re.compile(rf"(?<!\w)(?:{_WORD}\s+){{1,2}}{_PATRONYMIC}")),
    # a surname with initials, either way round: «Петров И.С.», «И. С. Петрову»
    ("name", re.compile(rf"(?<!\w){_WORD}\s+{_INITIALS}(?!\s?[А-ЯЁ][а-яё])|(?<!\w){_INITIALS}\s?{_WORD}")),
    # a surname (and names) right after a job title or a relation: «директор Петров», «сына Петра»
    ("name", re.compile(rf"(?<!\w)(?:{_TITLES})\s+(?P<v>{_WORD}(?:\s+{_WORD}){{0,2}})")),
]
# Capitalised words that start a sentence or address someone, not part of a name before a patronymic.
_NOT_NAMES = re.compile(
    r"^(?:уважаем|здравствуй|добр|прошу|просим|я|мы|мой|моя|мои|мне|наш|наша|ваш|сын|дочь|ребен|ребён"
    + r"|директор|учител|педагог|воспитател|завуч|заведующ|классн|руководител|начальник|скажите|помогите)",
    re.IGNORECASE,
)


def _model_files() -> tuple[Path, Path]:
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("natasha is not installed")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return data / "emb" / "navec_news_v1_1B_250K_300d_100q.tar", data / "model" / "slovnet_ner_news_v1.tar"


def _get_ner():
    """slovnet's NER with navec vectors."""
    from navec import Navec
    from slovnet import NER

    vectors, model = _model_files()
    ner = NER.load(str(model))
    ner.navec(Navec.load(str(vectors)))
    return ner


NER_MODEL = LazyModel(_get_ner, logger=log, failure="NER model unavailable; names are found by patterns only")


def ner_available() -> bool:
    return NER_MODEL.get() is not None


def _trim_leading(span: Span, text: str) -> Span:
    """Drop capitalised non-name words («Уважаемая», «Директор») from the start of a name span."""
    start = span.start
    while True:
        word = re.match(r"(\w+)\s+", text[start : span.end])
        if not word or not _NOT_NAMES.match(word.group(1)) or start + word.end() >= span.end:
            return Span(start, span.end, span.kind)
        start += word.end()


def _names(text: str) -> list[Span]:
    spans = [_trim_leading(s, text) for s in find(text, _NAME_PATTERNS)]
    ner = NER_MODEL.get()
    if ner is not None:
        try:
            spans += [Span(s.start, s.stop, "name") for s in ner(text).spans if s.type == "PER"]
        except Exception:  # noqa: BLE001 - a model failure on one text must not leak the text
            log.warning("NER failed on a text; names are found by patterns only", exc_info=True)
    # The model and the patterns often see different parts of one name: mask their union.
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end), "name")
        else:
            merged.append(span)
    return merged


def anonymize(text: str) -> str:
    """Replace personal data in `text` with markers: [ФИО], [телефон], [e-mail], [адрес], [документ],
    [дата рождения] (and [ссылка] for links). Appeal numbers, school numbers, academic years, place
    names and «имени …» in names of institutions are kept."""
    if not text:
        return ""
    spans = find(text, _KEEP) + find(text, BASIC) + find(text, EXTENDED) + _names(text)
    return redact(text, spans, MARKERS)
