"""A year of synthetic, clearly labelled appeals for the demo region, with the education calendar.

Seasonality: first-grade admission (April, July), the start of the school year (September),
kindergarten allocation (May–June), exams (April–June), the heating season (October–November).
Answer times, overdue cases, ratings and escalations follow plausible shares; every row carries
`is_synthetic=True` and the text says it is a demo.
"""

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from otklik.appeals.models import Appeal, AppealEvent, AppealSequence, Channel, Kind
from otklik.appeals.statuses import Status
from otklik.orgs.models import Organization
from otklik.routing.deadlines import answer_due
from otklik.routing.models import DeadlinePolicy, Topic
from otklik.routing.services import active_rules, route

ORDER = 50
DAYS = 365
BASE_PER_DAY = 7

# top topic code → (peaks as (month, day, width days, height), texts with {place})
PROFILES = {
    "01": (
        [(5, 25, 30, 2.5)],
        [
            "Второй год стоим в очереди в детский сад в {place}, очередь не двигается. Прошу помочь с местом.",
            "Нам выдали направление в сад далеко от дома ({place}). Можно ли перевести ребёнка ближе?",
        ],
    ),
    "02": (
        [(4, 1, 10, 3.0), (7, 6, 8, 2.0), (9, 1, 12, 2.0)],
        [
            "Школа в {place} отказывает в приёме в первый класс, хотя мы живём на закреплённой территории.",
            "В {place} не ходит школьный автобус, дети добираются пешком по трассе. Просим разобраться.",
        ],
    ),
    "03": (
        [(7, 20, 25, 2.0)],
        [
            "Колледж в {place} не предоставляет общежитие иногороднему студенту.",
            "Студенту колледжа ({place}) не назначают социальную стипендию.",
        ],
    ),
    "04": (
        [(9, 10, 30, 1.4)],
        [
            "Возле школы в {place} нет пешеходного перехода, дети перебегают дорогу.",
            "Ребёнка систематически обижают одноклассники в школе ({place}), администрация бездействует.",
        ],
    ),
    "05": ([], ["Детский центр в {place} ведёт занятия без лицензии. Прошу проверить."]),
    "06": ([(6, 1, 30, 1.6)], ["Как подростку из {place} устроиться в трудовой отряд летом?"]),
    "07": (
        [(12, 15, 20, 1.5)],
        [
            "Учителям школы в {place} задерживают зарплату второй месяц.",
            "Воспитателю детского сада ({place}) не оплачивают переработку.",
        ],
    ),
    "08": (
        [(12, 1, 30, 1.8), (9, 25, 10, 1.5)],
        ["Прошу разъяснить порядок представления учителя из {place} к награде."],
    ),
    "09": (
        [(8, 20, 20, 1.6)],
        ["Ребёнку с ОВЗ в школе ({place}) не предоставляют тьютора по заключению ПМПК."],
    ),
    "10": (
        [(6, 25, 20, 1.8)],
        ["Нужно поставить апостиль на аттестат, выданный в {place}. Куда обращаться?"],
    ),
    "11": (
        [(5, 25, 30, 2.2)],
        [
            "Ребёнку из {place} не дали дополнительное время на экзамене.",
            "В школе ({place}) заставляют покупать рабочие тетради за свой счёт.",
        ],
    ),
    "12": (
        [(10, 25, 25, 2.6)],
        [
            "В школе в {place} холодно, дети сидят на уроках в куртках.",
            "В школе ({place}) родительский комитет требует деньги на ремонт класса.",
        ],
    ),
    "13": ([(7, 10, 25, 1.8)], ["Потеряли аттестат, школа в {place} закрыта. Где получить дубликат?"]),
    "14": ([(4, 15, 30, 1.3)], ["Прошу проверить школу в {place}: нарушаются правила приёма."]),
}
CHANNELS = [
    (Channel.WEB, 0.25),
    (Channel.TELEGRAM, 0.17),
    (Channel.WEBCHAT, 0.05),
    (Channel.POS, 0.22),
    (Channel.HOTLINE, 0.11),
    (Channel.WIDGET, 0.08),
    (Channel.API, 0.04),  # municipal systems passing their appeals on
    (Channel.IMPORT, 0.02),
    (Channel.INCIDENT, 0.03),
    (Channel.POST, 0.02),  # letters and personal visits staff register
    (Channel.VISIT, 0.01),
]
SHORT_CHANNELS = {Channel.TELEGRAM, Channel.WEBCHAT, Channel.POS, Channel.WIDGET, Channel.INCIDENT}
RATINGS = [(5, 0.45), (4, 0.25), (3, 0.12), (2, 0.10), (1, 0.08)]


def _weight(day: date, peaks) -> float:
    w = 1.0
    for month, dom, width, height in peaks:
        centre = date(day.year, month, dom)
        distance = min(
            abs((day - centre.replace(year=y)).days) for y in (day.year - 1, day.year, day.year + 1)
        )
        w += (height - 1) * math.exp(-((distance / width) ** 2))
    return w


def _pick(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def seed(ctx) -> None:
    rng = ctx.rng
    region = ctx.region
    tz = ZoneInfo(region.timezone)
    topics = {t.code: t for t in Topic.objects.filter(region=region).select_related("parent")}
    subtopics = [t for t in topics.values() if t.parent_id]
    territories = list(ctx.territories.values())
    weights_t = [t.population for t in territories]
    policies = {p.code: p for p in DeadlinePolicy.objects.all()}
    executors = {m.organization_id: m.user for m in ctx.users["executor"].memberships.all()}
    executors.update({m.organization_id: m.user for m in ctx.users["executor2"].memberships.all()})
    coordinator = ctx.users.get("coordinator")
    # The widget sits on the sites of some of the territory's bodies, schools and kindergartens.
    sites: dict[int, list[Organization]] = {}
    for org in Organization.objects.filter(region=region, territory__isnull=False, parent__isnull=False):
        if rng.random() < 0.4:
            sites.setdefault(org.territory_id, []).append(org)
    now = timezone.now()
    today = timezone.localdate(now, timezone=tz)
    routes: dict = {}
    rules = active_rules(region)
    appeals: list[Appeal] = []
    plan: list[dict] = []
    seq = 0
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        factor = 0.35 if day.weekday() >= 5 else 1.0
        per_topic = {code: _weight(day, profile[0]) for code, profile in PROFILES.items()}
        volume = int(BASE_PER_DAY * factor * sum(per_topic.values()) / len(per_topic) * rng.uniform(0.8, 1.2))
        for _ in range(volume):
            top = rng.choices(list(per_topic), weights=list(per_topic.values()))[0]
            children = [t for t in subtopics if t.parent.code == top]
            topic = rng.choice(children)
            territory = rng.choices(territories, weights=weights_t)[0]
            channel = _pick(rng, CHANNELS)
            if channel == Channel.WIDGET and not sites.get(territory.pk):
                channel = Channel.WEB  # no widget on the sites there: the citizen used the web form
            at = datetime.combine(day, time(rng.randrange(8, 22), rng.randrange(60)), tz)
            key = (topic.pk, territory.pk)
            if key not in routes:
                routes[key] = route(region=region, topic=topic, territory=territory, rules=rules).organization
            org = routes[key]
            policy = policies[
                "fast_track" if topic.urgent else ("pos" if channel in SHORT_CHANNELS else "fz59")
            ]
            due = answer_due(policy=policy, start_at=at, tz_name=region.timezone)
            seq += 1
            # "в {place}" wants the locative («в Демограде»): the territory's aliases carry it.
            where = next((a[2:] for a in territory.aliases if a.startswith("в ")), territory.name)
            template = rng.choice(PROFILES[top][1])
            text = template.replace("в {place}", f"в {where}").replace("В {place}", f"В {where}")
            text = text.format(place=territory.name)
            appeal = Appeal(
                region=region,
                number=f"{region.appeal_prefix}-{at.year}-{seq:06d}",
                channel=channel,
                # by the sequence, not the random stream (the rest of the demo stays as it was):
                # one appeal in five a complaint, one in twenty a proposal
                kind=Kind.COMPLAINT if seq % 5 == 0 else Kind.PROPOSAL if seq % 20 == 1 else Kind.STATEMENT,
                policy=policy,
                is_anonymous=rng.random() < 0.07,
                author_name="Демо-заявитель (синтетическое обращение)",
                text=f"[Демо] {text}",
                territory=territory,
                topic_suggested=topic,
                topic=topic,
                topic_confidence=round(rng.uniform(0.55, 0.98), 2),
                organization=org,
                registered_at=at,
                due_at=due,
                routed_automatically=rng.random() < 0.72,
                widget_organization=(
                    rng.choice(sites[territory.pk])
                    if channel == Channel.WIDGET and sites.get(territory.pk)
                    else None
                ),
                status=Status.ASSIGNED,
                is_synthetic=True,
            )
            duration = (
                timedelta(hours=rng.uniform(4, 24))
                if policy.code == "fast_track"
                else timedelta(days=min(60.0, rng.lognormvariate(2.0, 0.6)))
            )
            answered_at = at + duration
            step = {"taken": at + duration / 5, "answered": answered_at if answered_at < now else None}
            if step["answered"]:
                appeal.status = Status.ANSWERED
                appeal.answered_at = answered_at
                appeal.overdue = answered_at > due
                appeal.executor = executors.get(org.pk) if org else None
                appeal.answer_text = "[Демо] Ваше обращение рассмотрено, приняты меры; подробности в ответе."
                appeal.outcome = rng.choices(["supported", "explained", "refused"], weights=[30, 60, 10])[0]
                if rng.random() < 0.62:
                    appeal.rating = _pick(rng, RATINGS)
                    step["rated"] = answered_at + timedelta(hours=rng.uniform(2, 72))
                    if appeal.rating <= 2 and org is not None and org.parent_id:
                        step["escalated_to"] = org.parent
                        appeal.escalation_level = 1
                        second = step["rated"] + timedelta(days=rng.uniform(3, 12))
                        if second < now:
                            step["second"] = second
                            appeal.organization = org.parent
                            appeal.closed_at = second + timedelta(days=2)
                            appeal.status = Status.CLOSED
                        else:
                            appeal.organization = org.parent
                            appeal.status = Status.ASSIGNED
                            appeal.due_at = answer_due(
                                policy=policy, start_at=step["rated"], tz_name=region.timezone
                            )
                    else:
                        appeal.status = Status.CLOSED
                        appeal.closed_at = step["rated"]
            else:
                appeal.status = Status.IN_WORK if step["taken"] < now else Status.ASSIGNED
                appeal.overdue = due < now
            appeals.append(appeal)
            plan.append(step)
    Appeal.objects.bulk_create(appeals, batch_size=1000)
    for year in {a.registered_at.year for a in appeals}:
        AppealSequence.objects.update_or_create(region=region, year=year, defaults={"last": seq})
    events = []
    for appeal, step in zip(appeals, plan, strict=True):
        events.append(
            AppealEvent(
                appeal=appeal,
                kind="registered",
                at=appeal.registered_at,
                actor_label="Система",
                text=f"Номер {appeal.number}.",
            )
        )
        events.append(
            AppealEvent(
                appeal=appeal,
                kind="routed",
                at=appeal.registered_at,
                actor_label="Система" if appeal.routed_automatically else str(coordinator),
                # Not routed automatically: the coordinator chose the organization in moderation.
                data={} if appeal.routed_automatically else {"by_hand": True},
            )
        )
        if step["taken"] < now:
            events.append(
                AppealEvent(appeal=appeal, kind="taken", at=step["taken"], actor_label="Исполнитель")
            )
        if step.get("answered"):
            events.append(
                AppealEvent(
                    appeal=appeal,
                    kind="answered",
                    at=step["answered"],
                    actor_label="Исполнитель",
                    text=appeal.answer_text,
                )
            )
        if step.get("rated"):
            events.append(
                AppealEvent(
                    appeal=appeal,
                    kind="rated",
                    at=step["rated"],
                    actor_label="Заявитель",
                    text=f"Оценка {appeal.rating} из 5.",
                    data={"rating": appeal.rating},
                )
            )
        if step.get("escalated_to"):
            events.append(
                AppealEvent(
                    appeal=appeal,
                    kind="escalated",
                    at=step["rated"],
                    actor_label="Система",
                    text=str(step["escalated_to"]),
                )
            )
        if step.get("second"):
            events.append(
                AppealEvent(
                    appeal=appeal,
                    kind="answered",
                    at=step["second"],
                    actor_label="Министерство",
                    text=appeal.answer_text,
                )
            )
        if appeal.status == Status.CLOSED and appeal.closed_at:
            events.append(
                AppealEvent(appeal=appeal, kind="closed", at=appeal.closed_at, actor_label="Система")
            )
    AppealEvent.objects.bulk_create(events, batch_size=2000)
    ctx.say(f"Обращения за год (синтетические): {len(appeals)}, событий {len(events)}.")
    waiting = _await_moderation(region)
    ctx.say(f"Ждут координатора (синтетические, без территории в тексте): {waiting}.")


# Fresh appeals that name no place: their rules need the municipality, so they wait for the
# coordinator — the moderation queue, its registration term and the executor suggestions have
# something to show. Registered through the real intake (topic suggestion, events, tasks).
WAITING = [
    "[Демо] В школе не работает отопление, дети на уроках сидят в куртках. Просим разобраться.",
    "[Демо] Третий год стоим в очереди в детский сад, место так и не дали. Что нам делать?",
    "[Демо] Школьный автобус перестал ходить из нашего села, дети добираются пешком по трассе.",
    "[Демо] В столовой школы кормят холодной едой, порции маленькие, жалуются все дети класса.",
]


def _await_moderation(region) -> int:
    from otklik.appeals.services import appeal_submit

    now = timezone.now()
    count = 0
    for hours, text in enumerate(WAITING, start=1):
        appeal, _ = appeal_submit(
            region=region,
            text=text,
            channel=Channel.WEB,
            author_name="Демо-заявитель (синтетическое обращение)",
            at=now - timedelta(hours=3 * hours),
            is_synthetic=True,
        )
        count += appeal.status == Status.MODERATION
    return count
