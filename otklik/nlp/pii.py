"""Masking of personal data in free text by patterns (no model needed).

Used before a citizen's question is written to the query log and before texts are shown in
anonymised reports. Names need NER (see the analytics reports); here we mask what patterns catch
reliably: e-mails, phone numbers, document numbers, long digit runs, links with personal paths.
"""

import re

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), "[e-mail]"),
    (re.compile(r"https?://\S+"), "[ссылка]"),
    # СНИЛС 123-456-789 01
    (re.compile(r"\b\d{3}-\d{3}-\d{3}[ -]\d{2}\b"), "[снилс]"),
    # Russian phone numbers in the ways people type them: +7 (912) 345-67-89, 8912 345 6789, 89123456789
    (
        re.compile(r"(?<![\d\w])(?:\+7|8|7)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"),
        "[телефон]",
    ),
    # passport: 4 digits (optionally split 2+2) then 6 digits
    (re.compile(r"(?<!\d)\d{2}\s?\d{2}\s?№?\s?\d{6}(?!\d)"), "[документ]"),
    # any other run of 7+ digits (policy numbers, account numbers, short phones with code)
    (re.compile(r"(?<!\d)\d[\d\s-]{5,}\d(?!\d)"), "[номер]"),
]


def mask_personal_data(text: str) -> str:
    """Replace e-mails, phones, document numbers and long digit runs with neutral markers."""
    for pattern, marker in _PATTERNS:
        text = pattern.sub(marker, text)
    return text
