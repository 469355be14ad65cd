"""Demo knowledge base (kb/demo/articles_*.yaml) and a year of synthetic, labelled query history.

The history follows the education calendar: first-grade admission (from 1 April for the assigned
territory, from 6 July for the rest), the start of the school year, kindergarten allocation in
May–June, exams from April to June (and the final essay in December), the heating season in
October–November. Every synthetic row is flagged `is_synthetic` and carries its true article
(`gold_article`); its runner-up among the candidates is an article next to the true one.
"""

import math
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from otklik.kb.models import Article, Query
from otklik.kb.services import queue_rebuild, suggestion_submit
from otklik.kb.transfer import kb_import, kb_parse
from otklik.nlp.faq import Engine, FaqArticle

ORDER = 40
DEMO_DIR = Path(__file__).parent / "demo"
DAYS = 365
BASE_PER_DAY = 55

# (month, day) peaks: (centre, width in days, height multiplier, category slugs it lifts)
PEAKS = [
    ((4, 1), 10, 2.4, {"general"}),
    ((7, 6), 8, 1.8, {"general"}),
    ((9, 1), 12, 2.2, {"general", "conditions", "standards", "extra"}),
    ((5, 20), 25, 1.9, {"preschool"}),
    ((5, 25), 30, 1.7, {"standards", "special-needs", "vocational", "exams"}),
    ((6, 20), 15, 1.6, {"vocational", "documents", "lost-documents", "exams"}),
    ((12, 3), 10, 1.3, {"exams"}),  # итоговое сочинение, the first Wednesday of December
    ((10, 20), 25, 1.4, {"conditions", "safety"}),
    ((12, 10), 20, 1.3, {"awards", "labour"}),
]

# Needs the demo knowledge base does not answer: they feed the editors' queue.
UNANSWERED = [
    [
        "почему не работает электронный дневник",
        "не заходит в электронный дневник что делать",
        "эл дневник не грузит оценки",
    ],
    [
        "когда выплатят компенсацию за школьную форму многодетным",
        "выплата на форму для многодетных когда",
        "многодетным компенсация формы сроки",
    ],
    [
        "когда школьный этап олимпиады по математике",
        "где смотреть результаты всероссийской олимпиады школьников",
        "как попасть на региональный этап олимпиады",
    ],
    [
        "будет ли дистанционка из за морозов",
        "отменят ли занятия в мороз",
        "при какой температуре не идти в школу",
    ],
    [
        "справка об обучении для пенсионного фонда где взять",
        "нужна справка из школы для пенсии по потере кормильца",
        "справка что ребенок учится для соцзащиты",
    ],
    [
        "сколько стоит летний лагерь при школе",
        "путевка в пришкольный лагерь цена",
        "как попасть в летний лагерь",
    ],
    ["почему отменили автобус до школы", "школьный автобус не ходит", "не возят детей в школу на автобусе"],
    [
        "можно ли не сдавать деньги на ремонт класса",
        "собирают деньги на шторы в класс законно ли",
        "родительский комитет требует деньги",
    ],
    [
        "как получить бесплатный проезд студенту колледжа",
        "проездной для студентов спо",
        "льготный проезд студенту",
    ],
    [
        "где пройти курсы повышения квалификации учителю бесплатно",
        "курсы для учителей бесплатные",
        "повышение квалификации педагогам где",
    ],
    [
        "когда начнется запись на летнюю смену в детский лагерь",
        "путевки в загородный лагерь запись",
        "лагерь летом как записать ребенка",
    ],
    ["почему ребенку не дали горячий завтрак", "не кормят завтраком в школе", "завтраки в школе отменили"],
]


def _season_weight(day: date, slug: str) -> float:
    weight = 1.0
    for (month, dom), width, height, cats in PEAKS:
        centre = date(day.year, month, dom)
        distance = min(
            abs((day - centre).days),
            abs((day - centre.replace(year=day.year - 1)).days),
            abs((day - centre.replace(year=day.year + 1)).days),
        )
        if slug in cats:
            weight += (height - 1) * math.exp(-((distance / width) ** 2))
    return weight


def _typo(text: str, rng) -> str:
    roll = rng.random()
    if roll < 0.25 and len(text) > 12:
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + text[i + 1 :]
    if roll < 0.35 and len(text) > 12:
        i = rng.randrange(1, len(text) - 2)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if roll < 0.5:
        return rng.choice(["здравствуйте ", "добрый день ", "подскажите пожалуйста ", "вопрос "]) + text
    return text


def _top_slug(article: Article) -> str:
    category = article.category
    return category.parent.slug if category.parent_id else category.slug


def _neighbours(articles: list[Article], phrasings: dict[int, list[str]]) -> dict[int, list[int]]:
    """For each article, the articles next to it among the candidates for its own question (the
    lexical engine: no sentence vectors needed here), so that a synthetic question's runner-up is
    the article a real one would be torn with, and «Похожие статьи» and the log agree."""
    engine = Engine.build(
        [FaqArticle(a.pk, a.question, a.answer, phrasings[a.pk][1:]) for a in articles],
        vectors=False,
    )
    return {
        a.pk: [c.article_id for c in engine.ask(a.question).candidates if c.article_id != a.pk][:3]
        for a in articles
    }


def _synthetic_log(ctx, articles: list[Article]) -> int:
    rng = ctx.rng
    tz = ZoneInfo(ctx.region.timezone)
    phrasings = {a.pk: [a.question] + [p.text for p in a.paraphrases.all()] for a in articles}
    near = _neighbours(articles, phrasings)
    tops = {a.pk: _top_slug(a) for a in articles}
    today = date.today()
    rows: list[Query] = []
    channels = [("telegram", 0.7), ("web", 0.3)]
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        weekday_factor = 0.55 if day.weekday() >= 5 else 1.0
        weights = [_season_weight(day, tops[a.pk]) for a in articles]
        volume = int(BASE_PER_DAY * weekday_factor * (sum(weights) / len(weights)) * rng.uniform(0.85, 1.15))
        for _ in range(volume):
            at = datetime.combine(
                day,
                time(
                    rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]),
                    rng.randrange(60),
                    rng.randrange(60),
                ),
                tz,
            )
            channel = "telegram" if rng.random() < channels[0][1] else "web"
            user = f"demo-{rng.randrange(1, 4000)}"
            if rng.random() < 0.08:
                need = rng.choice(UNANSWERED)
                text = _typo(rng.choice(need), rng)
                rows.append(
                    Query(
                        region=ctx.region,
                        created_at=at,
                        channel=channel,
                        channel_user=user,
                        text=text,
                        normalized=text.lower(),
                        candidates=[],
                        decision=Query.Decision.ABSTAINED,
                        confidence=round(rng.uniform(0.05, 0.35), 3),
                        is_synthetic=True,
                        became_appeal=rng.random() < 0.15,
                    )
                )
                continue
            article = rng.choices(articles, weights=weights)[0]
            text = _typo(rng.choice(phrasings[article.pk]), rng)
            roll = rng.random()
            other_pk = rng.choice(
                near[article.pk] or [a.pk for a in articles if a.pk != article.pk] or [article.pk]
            )
            if roll < 0.66:
                decision, confidence, shown = Query.Decision.ANSWERED, rng.uniform(0.75, 0.99), article
            elif roll < 0.9:
                decision, confidence, shown = Query.Decision.CHOICES, rng.uniform(0.4, 0.75), None
            else:
                decision, confidence, shown = Query.Decision.ABSTAINED, rng.uniform(0.1, 0.4), None
            feedback = ""
            if shown is not None and rng.random() < 0.3:
                feedback = Query.Feedback.HELPED if rng.random() < 0.86 else Query.Feedback.NOT_HELPED
            rows.append(
                Query(
                    region=ctx.region,
                    created_at=at,
                    channel=channel,
                    channel_user=user,
                    text=text,
                    normalized=text.lower(),
                    decision=decision,
                    confidence=round(confidence, 3),
                    article=shown,
                    candidates=[
                        {"article": article.pk, "score": round(confidence, 3)},
                        {"article": other_pk, "score": round(confidence * 0.6, 3)},
                    ],
                    feedback=feedback,
                    gold_article=article,
                    is_synthetic=True,
                    became_appeal=(
                        feedback == Query.Feedback.NOT_HELPED or decision == Query.Decision.ABSTAINED
                    )
                    and rng.random() < 0.12,
                )
            )
    Query.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def seed(ctx) -> None:
    editor = ctx.users.get("editor")
    total = 0
    for path in sorted(DEMO_DIR.glob("articles_*.yaml")):
        categories, articles = kb_parse(content=path.read_bytes(), filename=path.name)
        result = kb_import(
            region=ctx.region,
            categories=categories,
            articles=articles,
            user=editor,
            status=Article.Status.PUBLISHED,
        )
        total += result.created
    published = list(
        Article.objects.filter(region=ctx.region)
        .select_related("category__parent")
        .prefetch_related("paraphrases")
    )
    logged = _synthetic_log(ctx, published) if published else 0
    for text in [
        "Добавьте, пожалуйста, ответ про электронный дневник: как восстановить пароль",
        "Хотелось бы знать, где посмотреть меню школьной столовой на неделю",
        "Расскажите про всероссийскую олимпиаду школьников: этапы и сроки",
    ]:
        suggestion_submit(region=ctx.region, text=text, channel="telegram", channel_user="demo-suggest")
    clusters = queue_rebuild(region=ctx.region)
    ctx.say(
        f"База знаний: статей {total}, вопросов в журнале за год {logged} (синтетические), "
        f"групп в очереди редактора {clusters}."
    )
