"""Masking of personal data in free text by patterns (no model needed).

Used before a citizen's question is written to the query log and, through `nlp.anonymize`, before
texts are shown in anonymised reports. Names need NER (see `nlp.anonymize`); here we find what
patterns catch reliably: e-mails, phone numbers, document numbers, long digit runs, links with
personal paths, and — for the reports — postal addresses and dates of birth.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Characters `start:end` of a text hold personal data of `kind` ("keep" marks text to protect)."""

    start: int
    end: int
    kind: str


# Patterns in priority order: where two overlap, the earlier one wins. A pattern with a group
# named "v" marks only that group (the keyword before it stays readable).
BASIC: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("link", re.compile(r"https?://\S+")),
    # СНИЛС 123-456-789 01
    ("snils", re.compile(r"\b\d{3}-\d{3}-\d{3}[ -]\d{2}\b")),
    # Russian phone numbers in the ways people type them: +7 (912) 345-67-89, 8912 345 6789, 89123456789
    ("phone", re.compile(r"(?<![\d\w])(?:\+7|8|7)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")),
    # passport: 4 digits (optionally split 2+2) then 6 digits
    ("passport", re.compile(r"(?<!\d)\d{2}\s?\d{2}\s?№?\s?\d{6}(?!\d)")),
    # any other run of 7+ digits (policy numbers, account numbers, short phones with code)
    ("number", re.compile(r"(?<!\d)\d[\d\s-]{5,}\d(?!\d)")),
]

_MONTHS = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_DATE = (
    rf"\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}(?:\s*(?:г\.|года?))?|\d{{4}}"
)
_STREET = (
    r"(?<!\w)(?i:(?:ул|пр|пр-т|просп|пер|б-р|ш|пл|наб|мкр)\.\s*|ул\s+"
    r"|(?:улиц[аеыу]|проспект[аеу]?|переул(?:ок|ка|ке)|бульвар[аеу]?|шоссе|площад[ьи]"
    r"|набережн(?:ая|ой|ую)|микрорайон[аеу]?|проезд[аеу]?|тракт[аеу]?)\s+)"
)
_STREET_NAME = r"(?:\d{1,2}-?(?:го|й|я|ой)?\s+)?[А-ЯЁ][А-Яа-яЁё-]*(?:\s+[А-ЯЁ][А-Яа-яЁё-]*)?"
_HOUSE = (
    r"(?:,?\s*(?i:д\.|дом[аеу]?)\s*\d+\s?[а-яА-Я]?(?:/\d+)?|,\s*\d+\s?[а-я]?(?:/\d+)?\b)"
    r"(?:,?\s*(?i:корп\.|корпус|стр\.|строение)\s*\d+)?"
    r"(?:,?\s*(?i:кв\.|квартир[аеыу])\s*\d+)?"
)
# Extra patterns for anonymised reports: a street with a house number is someone's address; a street
# alone is a place and is protected ("keep") from being taken for a name.
EXTENDED: list[tuple[str, re.Pattern]] = [
    (
        "birth_date",
        re.compile(rf"(?i:дата\s+рождения|д\.\s?р\.|родил(?:ся|ась|ись))\s*[:\-–]?\s*(?P<v>{_DATE})"),
    ),
    ("birth_date", re.compile(rf"(?<!\d)(?:{_DATE})\s*(?i:г\.\s?р\.?|года\s+рождения)")),
    (
        "document",
        re.compile(
            r"(?i:паспорт\w*|снилс|инн|полис\w*(?:\s+омс)?|свидетельств\w*(?:\s+о\s+рождении)?"
            r"|аттестат\w*|диплом\w*|удостоверени\w*)"
            r"[^\d\n.;]{0,25}?(?P<v>(?:[IVXLC]{1,4}-[А-ЯЁ]{2}\s*)?№?\s*\d[\d\s-]{3,}\d)"
        ),
    ),
    # birth certificate without a keyword: IV-ИВ № 123456
    ("document", re.compile(r"\b[IVXLC]{1,4}-[А-ЯЁ]{2}\s*№?\s*\d{6}\b")),
    (
        "address",
        re.compile(
            rf"(?:\d{{6}},\s*)?(?:(?i:г\.|город)\s*[А-ЯЁ][\w-]+,\s*)?{_STREET}{_STREET_NAME}{_HOUSE}"
            rf"|(?<!\w)(?i:д\.|дом[аеу]?)\s*\d+\s?[а-я]?,?\s*(?i:кв\.|квартир[аеыу])\s*\d+"
        ),
    ),
    ("keep", re.compile(rf"{_STREET}{_STREET_NAME}")),
]

MARKERS = {
    "email": "[e-mail]",
    "link": "[ссылка]",
    "snils": "[снилс]",
    "phone": "[телефон]",
    "passport": "[документ]",
    "number": "[номер]",
}


def find(text: str, patterns: list[tuple[str, re.Pattern]]) -> list[Span]:
    """Every match of `patterns` in `text`, in the patterns' order (not yet freed of overlaps)."""
    spans = []
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            group = "v" if "v" in pattern.groupindex and match.group("v") else 0
            spans.append(Span(match.start(group), match.end(group), kind))
    return spans


def redact(text: str, spans: list[Span], markers: dict[str, str]) -> str:
    """Replace spans with their kind's marker. Earlier spans win overlaps; "keep" spans stay as they are."""
    taken: list[Span] = []
    for span in spans:
        if span.end > span.start and all(span.end <= t.start or span.start >= t.end for t in taken):
            taken.append(span)
    out, position = [], 0
    for span in sorted(taken, key=lambda s: s.start):
        if span.kind == "keep":
            continue
        out += [text[position : span.start], markers[span.kind]]
        position = span.end
    out.append(text[position:])
    return "".join(out)


def mask_personal_data(text: str) -> str:
    """Replace e-mails, phones, document numbers and long digit runs with neutral markers."""
    return redact(text, find(text, BASIC), MARKERS)
