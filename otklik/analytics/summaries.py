"""Two periodic summaries built on the dashboard's selectors.

- The half-year analysis of clause 4.5 of the Chelyabinsk feedback order (internal: clause 4.6 says it
  is not published), for a half-year against the one before.
- The anonymised public summary of clauses 4.9–4.10: every figure of fewer than `MIN_CELL` cases is
  hidden, and example texts go through `nlp.anonymize`.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from otklik.analytics import selectors as s
from otklik.appeals.models import Kind
from otklik.lib.params import parse_id
from otklik.nlp.anonymize import anonymize


class PeriodError(ValueError):
    """A period the user asked for that cannot be shown; the message is for the user."""


class Share(float):
    """A share (0..1): shown as a percentage on the page, in the PDF and in XLSX."""


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


# --- half-year analysis (clause 4.5) -------------------------------------------------------------


@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int  # 1 or 2

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        return f"{self.half}-е полугодие {self.year}"

    def previous(self) -> "HalfYear":
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    def quarters(self) -> list[tuple[str, s.Filters]]:
        result = []
        for quarter in (2 * self.half - 1, 2 * self.half):
            last = 3 * quarter
            end = date(self.year, last, calendar.monthrange(self.year, last)[1])
            result.append((f"{quarter} квартал {self.year}", s.Filters(date(self.year, last - 2, 1), end)))
        return result


def half_year(year: str | None, half: str | None) -> HalfYear:
    """Parse ?year=&half= (the current half-year when both are absent)."""
    today = timezone.localdate()
    if not year and not half:
        return HalfYear(today.year, 1 if today.month <= 6 else 2)
    if not 2000 <= (parse_id(year) or 0) <= today.year:
        raise PeriodError(f"Год — число от 2000 до {today.year}, например ?year={today.year}&half=1.")
    if half not in {"1", "2"}:
        raise PeriodError("Полугодие — 1 (январь–июнь) или 2 (июль–декабрь), например ?half=1.")
    period = HalfYear(int(year), int(half))
    if period.start > today:
        raise PeriodError(f"{period.label} ещё не началось.")
    return period


@dataclass(frozen=True)
class Complaints:
    """Complaints (59-ФЗ art. 4 kind «жалоба») of a period and what their answers decided: clause 4.5
    items 5–6 «удовлетворённые / неудовлетворённые жалобы». Satisfied is the executor's «поддержано»,
    unsatisfied «отказано»; «разъяснено» is neither, and a complaint without an answer yet is not
    decided. Shares are of the complaints answered."""

    received: int
    answered: int
    satisfied: int
    unsatisfied: int
    explained: int

    @property
    def unmarked(self) -> int:
        return self.answered - self.satisfied - self.unsatisfied - self.explained

    @property
    def satisfied_share(self) -> Share | None:
        return _share(self.satisfied, self.answered)

    @property
    def unsatisfied_share(self) -> Share | None:
        return _share(self.unsatisfied, self.answered)


def _complaints(qs) -> Complaints:
    figures = qs.filter(kind=Kind.COMPLAINT).aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        satisfied=Count("pk", filter=Q(answered_at__isnull=False, outcome="supported")),
        unsatisfied=Count("pk", filter=Q(answered_at__isnull=False, outcome="refused")),
        explained=Count("pk", filter=Q(answered_at__isnull=False, outcome="explained")),
    )
    return Complaints(**figures)


def _share(n: int, total: int) -> Share | None:
    return Share(round(n / total, 3)) if total else None


def _compared(title: str, now: list[dict], before: list[dict], label: str, previous_label: str) -> Table:
    """A breakdown of the half-year next to the half-year before, matched by key."""
    old = {r["key"]: r for r in before}
    rows = [[r["label"], r["n"], Share(r["share"]), old.pop(r["key"], {}).get("n", 0)] for r in now]
    rows += [[r["label"], 0, Share(0), r["n"]] for r in old.values()]
    for row in rows:
        row.append(row[1] - row[3])
    return Table(title, ["", label, "Доля", previous_label, "Изменение"], rows)


def half_year_analysis(*, user, region, period: HalfYear) -> list[Table]:
    """The six objective metrics of clause 4.5, for `period` against the half-year before it.

    1) appeals by channel with shares; 2) main reasons (most frequent sub-topics); 3) appeals by the
    topic classifier's sections; 4) waiting time from registration to the answer; 5–6) satisfied and
    unsatisfied complaints — appeals of the kind «жалоба» (`Appeal.kind`) whose answer the executor
    marked supported or refused — as counts and shares of the complaints answered, for the half-year
    and per quarter (`Complaints`).
    """
    before = period.previous()
    qs = s.appeals(user=user, region=region, filters=s.Filters(period.start, period.end))
    old = s.appeals(user=user, region=region, filters=s.Filters(before.start, before.end))
    now_times, old_times = s.response_times(qs), s.response_times(old)
    now_c, old_c = _complaints(qs), _complaints(old)
    now_n, old_n = qs.count(), old.count()
    labels = [period.label, before.label]

    def line(name, a, b):
        if not (isinstance(a, int | float) and isinstance(b, int | float)):
            return [name, a, b, None]
        change = a - b
        return [name, a, b, Share(round(change, 3)) if isinstance(a, Share) else round(change, 3)]

    summary = Table(
        "Сводные показатели (п. 4.5)",
        ["Показатель", *labels, "Изменение"],
        [
            line("Поступило обращений и жалоб, всего", now_n, old_n),
            line("Дан ответ", now_times["answered"], old_times["answered"]),
            line("Время ожидания ответа: медиана, ч", now_times["median_h"], old_times["median_h"]),
            line("Время ожидания ответа: 90-й перцентиль, ч", now_times["p90_h"], old_times["p90_h"]),
            line("Ещё без ответа", now_n - now_times["answered"], old_n - old_times["answered"]),
            line("Поступило жалоб", now_c.received, old_c.received),
            line("Жалоб рассмотрено (дан ответ)", now_c.answered, old_c.answered),
            line("Удовлетворено жалоб (поддержано)", now_c.satisfied, old_c.satisfied),
            line("Доля удовлетворённых жалоб", now_c.satisfied_share, old_c.satisfied_share),
            line("Не удовлетворено жалоб (отказано)", now_c.unsatisfied, old_c.unsatisfied),
            line("Доля неудовлетворённых жалоб", now_c.unsatisfied_share, old_c.unsatisfied_share),
            line("Жалоб с разъяснением", now_c.explained, old_c.explained),
            line("Жалоб с ответом без отметки результата", now_c.unmarked, old_c.unmarked),
        ],
    )
    quarters = Table(
        "Удовлетворённые и неудовлетворённые жалобы по кварталам",
        ["Квартал", "Поступило жалоб", "Рассмотрено", "Удовлетворено", "Доля", "Не удовлетворено", "Доля"],
        note="Жалобы — обращения вида «жалоба» (59-ФЗ, ст. 4), по кварталу поступления. Удовлетворена — "
        "исполнитель отметил при ответе «поддержано», не удовлетворена — «отказано»; «разъяснено» не "
        "относится ни к тем, ни к другим. Доли — от рассмотренных (с ответом) жалоб.",
    )
    for half in (before, period):
        for name, filters in half.quarters():
            c = _complaints(s.appeals(user=user, region=region, filters=filters))
            quarters.rows.append(
                [
                    name,
                    c.received,
                    c.answered,
                    c.satisfied,
                    c.satisfied_share,
                    c.unsatisfied,
                    c.unsatisfied_share,
                ]
            )
    reasons = _compared(
        "Основные причины обращений (подтемы классификатора)",
        s.breakdown(qs, "topic__name")[:10],
        s.breakdown(old, "topic__name"),
        *labels,
    )
    reasons.rows = reasons.rows[:10]
    return [
        summary,
        _compared("Обращения по каналам", s.by_channel(qs), s.by_channel(old), *labels),
        reasons,
        _compared("Обращения по тематикам классификатора", s.by_topic(qs), s.by_topic(old), *labels),
        quarters,
    ]


# --- anonymised public summary (clauses 4.9–4.10) ------------------------------------------------

MIN_CELL = 5  # a figure of fewer cases could point to a person
HIDDEN = "<5"
HIDDEN_TOO = "скрыто"  # hidden so that a "<5" cell cannot be worked out from the total
EXAMPLES = 2

ANONYMISATION_NOTE = (
    "Отчёт обезличен. Число меньше 5 показано как «<5»; если в таблице скрыто одно такое число, "
    "скрыто и следующее наименьшее («скрыто»), чтобы его нельзя было вычислить из итога. Доли от групп "
    "меньше 5 случаев не показываются. В примерах обращений имена, телефоны, адреса электронной почты, "
    "почтовые адреса, номера документов и даты рождения заменены пометками ([ФИО], [телефон] и т. п.): "
    "имена находит модель распознавания именованных сущностей Natasha (slovnet) и шаблоны, остальное — "
    "шаблоны. Номера школ, названия территорий и организаций сохранены."
)


def _cell(n: int) -> int | str:
    return n if n >= MIN_CELL else HIDDEN


def _share_or_hidden(share: float | None, cases: int) -> Share | str | None:
    return HIDDEN if cases < MIN_CELL else (None if share is None else Share(share))


def _public_table(title: str, rows: list[dict], total: int) -> Table:
    """Counts and shares with small cells hidden, plus one more when only one is hidden."""
    cells = [
        [str(r["label"]), _cell(r["n"]), Share(r["share"]) if r["n"] >= MIN_CELL else HIDDEN] for r in rows
    ]
    hidden = [i for i, row in enumerate(cells) if row[1] == HIDDEN]
    shown = [i for i, row in enumerate(cells) if row[1] != HIDDEN]
    if len(hidden) == 1 and shown and total >= MIN_CELL:
        smallest = min(shown, key=lambda i: cells[i][1])
        cells[smallest][1:] = [HIDDEN_TOO, HIDDEN_TOO]
    return Table(title, ["", "Обращений", "Доля"], cells)


def public_summary(*, region, filters: s.Filters) -> list[Table]:
    """The anonymised summary of a period for the whole region, ready to publish."""
    qs = s.appeals(user=None, region=region, filters=filters)
    total = qs.count()
    times = s.response_times(qs)
    sat = s.satisfaction(qs)
    summary = Table(
        "Основные показатели",
        ["Показатель", "Значение"],
        [
            ["Поступило обращений", _cell(total)],
            ["Дан ответ", _cell(times["answered"])],
            [
                "Ответов в установленный срок",
                _share_or_hidden(times["within_deadline_share"], times["answered"]),
            ],
            ["Оценок ответов заявителями", _cell(sat["rated"])],
            ["Довольны ответом (4–5)", _share_or_hidden(sat["satisfied_share"], sat["rated"])],
            ["Недовольны ответом (1–2)", _share_or_hidden(sat["dissatisfied_share"], sat["rated"])],
        ],
    )
    problems = Table("Частые проблемы и примеры обращений (обезличены)", ["Проблема", "Обращений", "Примеры"])
    for row in s.breakdown(qs.filter(topic__isnull=False), "topic_id")[:5]:
        if row["n"] < MIN_CELL:
            break
        topic_qs = qs.filter(topic_id=row["key"])
        texts = topic_qs.order_by("-registered_at").values_list("text", flat=True)[:EXAMPLES]
        name = topic_qs.values_list("topic__name", flat=True).first()
        problems.rows.append([name, row["n"], "\n".join(f"«{anonymize(t)[:300]}»" for t in texts)])
    return [
        summary,
        _public_table("По каналам", s.by_channel(qs), total),
        _public_table("По тематикам", s.by_topic(qs), total),
        _public_table("По территориям", s.by_territory(qs), total),
        problems,
    ]
