"""A few dozen clearly labelled synthetic incidents over the last four weeks (texts in demo/posts.yaml):
most answered publicly (a few late), some dismissed, some open and overdue, some fresh with their
deadline tasks scheduled like real ones."""

from datetime import timedelta
from pathlib import Path

import yaml
from django.utils import timezone

from otklik.incidents.models import Incident, IncidentEvent, Network, VkSource
from otklik.incidents.services import incident_schedule_deadline
from otklik.incidents.statuses import Status
from otklik.routing.deadlines import answer_due
from otklik.routing.models import DeadlinePolicy, Topic
from otklik.routing.services import active_rules, route

ORDER = 60
COUNT = 36
DAYS = 28
DEMO = Path(__file__).parent / "demo"
URLS = {
    Network.VK: "https://vk.com/wall-000000_{n}",
    Network.TELEGRAM: "https://t.me/demo_channel/{n}",
    Network.OK: "https://ok.ru/group/000000/topic/{n}",
}
REPLY = (
    "[Демо] Здравствуйте! Спасибо, что сообщили. Управление образования связалось со школой: "
    "ситуацию проверяют, о результатах напишем здесь же."
)


def _place(territory, text: str) -> str:
    where = next((a[2:] for a in territory.aliases if a.startswith("в ")), territory.name)
    return text.replace("в {place}", f"в {where}").replace("{place}", territory.name)


def seed(ctx) -> None:
    rng, region = ctx.rng, ctx.region
    data = yaml.safe_load((DEMO / "posts.yaml").read_text(encoding="utf-8"))
    topics = list(Topic.objects.filter(region=region, parent__isnull=False).select_related("parent"))
    territories = list(ctx.territories.values())
    policies = {p.code: p for p in DeadlinePolicy.objects.filter(code__in=["incident", "incident_urgent"])}
    executor = ctx.users.get("executor")
    rules = active_rules(region)
    now = timezone.now()
    made, events = [], []
    for n in range(1, COUNT + 1):
        post = rng.choice(data["posts"])
        territory = rng.choice(territories)
        topic = rng.choice([t for t in topics if t.parent.code == post["topic"]])
        urgent = bool(post.get("urgent"))
        policy = policies["incident_urgent" if urgent else "incident"]
        # a third of the posts are from the last two days, so the queues have fresh work
        age = timedelta(hours=rng.uniform(0.5, 48)) if n % 3 == 0 else timedelta(days=rng.uniform(2, DAYS))
        found = now - age
        incident = Incident(
            region=region,
            network=post["network"],
            url=URLS[post["network"]].format(n=1000 + n),
            author_nickname=rng.choice(data["nicknames"]),
            text="[Демо] " + _place(territory, post["text"]),
            published_at=found - timedelta(minutes=rng.randrange(5, 180)),
            found_at=found,
            territory=territory,
            topic_suggested=topic,
            topic_confidence=round(rng.uniform(0.5, 0.95), 2),
            topic=topic,
            organization=route(region=region, topic=topic, territory=territory, rules=rules).organization,
            status=Status.NEW,
            urgent=urgent,
            policy=policy,
            due_at=answer_due(policy=policy, start_at=found, tz_name=region.timezone),
            is_synthetic=True,
        )
        steps = [("registered", found, "Система", "Найдено мониторингом (демо).")]
        roll = rng.random()
        if incident.due_at < now and roll < 0.7:  # answered, median a few hours, some late
            reaction = timedelta(hours=min(rng.lognormvariate(1.2, 0.7), age.total_seconds() / 3600))
            incident.status = Status.CLOSED if age > timedelta(days=7) else Status.ANSWERED
            incident.executor = executor
            incident.answered_at = found + reaction
            incident.overdue = incident.answered_at > incident.due_at
            incident.reply_text = REPLY
            incident.reply_url = f"{incident.url}?reply={n}"
            steps += [
                ("taken", found + reaction / 3, str(executor), ""),
                ("answered", incident.answered_at, str(executor), REPLY),
            ]
            if incident.status == Status.CLOSED:
                incident.closed_at = incident.answered_at + timedelta(days=1)
                steps.append(("closed", incident.closed_at, str(executor), ""))
        elif incident.due_at < now and roll < 0.85:
            incident.status = Status.NO_REACTION
            incident.no_reaction_reason = rng.choice(data["no_reaction_reasons"])
            steps.append(
                ("no_reaction", found + timedelta(hours=1), str(executor), incident.no_reaction_reason)
            )
        elif incident.due_at < now:  # still open after its term: the overdue queue
            incident.overdue = True
            steps.append(("overdue", incident.due_at, "Система", "Срок реакции истёк (демо)."))
        made.append((incident, steps))
    Incident.objects.bulk_create([incident for incident, _ in made])
    for incident, steps in made:
        events += [
            IncidentEvent(incident=incident, kind=kind, at=at, actor_label=who, text=text)
            for kind, at, who, text in steps
        ]
        if incident.status == Status.NEW and incident.due_at >= now:
            incident_schedule_deadline(incident)
    IncidentEvent.objects.bulk_create(events)
    ctx.say(f"Инциденты в соцсетях (синтетические): {len(made)}.")
    _sources(ctx, territories)


# Made-up addresses: the demo never reaches VK. Without VK_SERVICE_TOKEN nothing is polled and the
# monitoring screen says «нет ключа доступа» for each.
SOURCES = [
    ("Подслушано {place} (демо)", "demo_podslushano_1", True, True),
    ("Управление образования {place} (демо)", "demo_uo_1", True, False),
    ("Новости области (демо)", "demo_news_region", None, False),
]


def _sources(ctx, territories) -> None:
    for name, screen_name, placed, comments in SOURCES:
        territory = territories[0] if placed else None
        VkSource.objects.create(
            region=ctx.region,
            name=name.format(place=territory.name if territory else ""),
            screen_name=screen_name,
            territory=territory,
            read_comments=comments,
        )
    ctx.say(f"Источники мониторинга ВКонтакте (демо, без ключа доступа): {len(SOURCES)}.")
