"""The federal ПОС KPI set on the dashboard: the figures that are not fields of appeals (organizations
connected, widgets in use, survey participation, surveys and votes held) and the one list of every
KPI with its Russian label and definition, which the panel, its CSV/XLSX download and the docs
(docs/architecture.md, «ПОС KPIs») follow. The figures computed from appeals are `selectors.pos_kpis`.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from otklik.accounts.models import Membership
from otklik.accounts.selectors import scoped
from otklik.analytics.reports import format_cell
from otklik.analytics.selectors import ANALYTICS_ROLES, Filters, is_restricted, period_bounds, share
from otklik.analytics.summaries import Share
from otklik.appeals.models import WIDGET_CHANNELS, Appeal, Channel
from otklik.orgs.models import Organization, Territory
from otklik.orgs.selectors import subtree_q


def organizations(*, user, region, filters: Filters):
    """The organizations the adoption KPIs count: the region's working ones, inside the user's scope
    and the organization filter's subtree. Territory and topic filters do not apply to them."""
    orgs = Organization.objects.filter(region=region, is_active=True)
    if is_restricted(user):
        orgs = scoped(orgs, user=user, roles=ANALYTICS_ROLES)
    if filters.organization_id:
        orgs = orgs.filter(subtree_q(organization_id=filters.organization_id, org_field=""))
    return orgs


def pos_reach(*, user, region, filters: Filters) -> dict:
    """Adoption, survey participation and surveys held, for the dashboard's period and filters."""
    from otklik.surveys.models import Response, Survey
    from otklik.surveys.selectors import SURVEY_ROLES

    since, until = period_bounds(filters)
    orgs = organizations(user=user, region=region, filters=filters)
    n_orgs = orgs.count()
    staffed = Membership.objects.filter(organization=OuterRef("pk"), user__is_active=True)
    connected = orgs.filter(Exists(staffed)).count()
    widget = Appeal.objects.filter(
        region=region, channel__in=WIDGET_CHANNELS, registered_at__gte=since, registered_at__lt=until
    )
    widgets = widget.filter(widget_organization__in=orgs).values("widget_organization").distinct().count()
    # A chat appeal without an organization came from the site's own chat page, not from a widget.
    unattributed = widget.filter(channel=Channel.WIDGET, widget_organization__isnull=True)
    if is_restricted(user):
        unattributed = scoped(unattributed, user=user, roles=ANALYTICS_ROLES, org_field="organization")
    if filters.organization_id:
        unattributed = unattributed.filter(subtree_q(organization_id=filters.organization_id))

    surveys = Survey.objects.filter(region=region)
    if user is not None:
        surveys = scoped(surveys, user=user, roles=SURVEY_ROLES, org_field="organization")
    if filters.organization_id:
        surveys = surveys.filter(subtree_q(organization_id=filters.organization_id))
    # Open for at least part of the period: begun (its start date, else its creation) before the
    # period ends and not ended (its end date; a closed one's last change, i.e. closing) before it.
    held = (
        surveys.exclude(status=Survey.Status.DRAFT)
        .annotate(began=Coalesce(F("opens_at"), F("created_at")))
        .filter(began__lt=until)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gte=since))
        .exclude(status=Survey.Status.CLOSED, updated_at__lt=since)
        .aggregate(
            polls=Count("pk", filter=~Q(kind=Survey.Kind.VOTE)),
            votes=Count("pk", filter=Q(kind=Survey.Kind.VOTE)),
        )
    )
    responses = Response.objects.filter(survey__in=surveys, submitted_at__gte=since, submitted_at__lt=until)
    if filters.territory_id:
        responses = responses.filter(territory_id=filters.territory_id)
    answered = responses.aggregate(n=Count("pk"), votes=Count("pk", filter=Q(survey__kind=Survey.Kind.VOTE)))
    territories = Territory.objects.filter(region=region)
    if filters.territory_id:
        territories = territories.filter(pk=filters.territory_id)
    population = territories.aggregate(n=Sum("population"))["n"] or 0
    return {
        "organizations": n_orgs,
        "connected": connected,
        "connected_share": share(connected, n_orgs),
        "widgets": widgets,
        "widgets_share": share(widgets, n_orgs),
        "widget_unattributed": unattributed.count(),
        "survey_responses": answered["n"],
        "vote_responses": answered["votes"],
        "responses_per_1000": round(answered["n"] * 1000 / population, 2) if population else None,
        "surveys_held": held["polls"] + held["votes"],
        "polls_held": held["polls"],
        "votes_held": held["votes"],
    }


@dataclass(frozen=True)
class Kpi:
    group: str
    key: str
    label: str
    definition: str
    is_share: bool = True


ADOPTION, PROMOTION, FUNCTIONAL, SATISFACTION = (
    "КПЭ внедрения",
    "КПЭ продвижения",
    "Функциональные КПЭ",
    "КПЭ удовлетворённости",
)
KPIS = [
    Kpi(
        ADOPTION,
        "connected_share",
        "Подключённые организации",
        "Доля действующих организаций (при фильтре — выбранной и подчинённых), где есть хотя бы один "
        "активный сотрудник с ролью в Отклике; на сегодня, не за период.",
    ),
    Kpi(
        ADOPTION,
        "widgets_share",
        "Виджеты на сайтах используются",
        "Доля тех же организаций, через виджет на сайте которых (форма /appeal/widget/?org=код или чат "
        "/chat/widget/?org=код) за период поступило хотя бы одно обращение.",
    ),
    Kpi(
        PROMOTION,
        "own_channels_share",
        "Обращения через собственные каналы",
        "Доля обращений периода, поступивших через Telegram-бот, веб-чат, веб-форму, виджет и горячую "
        "линию, среди всех обращений периода. Письма, личный приём и электронная почта — традиционные "
        "каналы по 59-ФЗ — входят только в знаменатель.",
    ),
    Kpi(
        PROMOTION,
        "regional_systems_share",
        "Обращения из региональных систем",
        "Доля обращений периода, переданных через API и импорт, среди всех обращений периода.",
    ),
    Kpi(
        PROMOTION,
        "voice_share",
        "Обращения с голосовыми сообщениями",
        "Доля обращений периода, к которым заявитель приложил голосовое сообщение или аудиозапись "
        "(в чат-боте, веб-чате или форме), среди всех обращений периода. Речь не распознаётся "
        "автоматически: исполнитель прослушивает запись в карточке обращения.",
    ),
    Kpi(
        PROMOTION,
        "survey_responses",
        "Участие в опросах и голосованиях",
        "Ответов на опросы и голосования за период (один ответ — один браузер на опрос) и они же на "
        "1000 жителей (население территорий региона или выбранной территории). Доля граждан точно "
        "не рассчитывается: ответы анонимны, один житель может ответить на несколько опросов.",
        is_share=False,
    ),
    Kpi(
        FUNCTIONAL,
        "auto_routed_share",
        "Направлено автоматически",
        "Доля обращений, направленных исполнителю по правилам маршрутизации без координатора, "
        "среди направленных.",
    ),
    Kpi(
        FUNCTIONAL,
        "fast_track_share",
        "Фаст-треки",
        "Доля обращений с сокращённым сроком ответа (вид «фаст-трек») среди всех обращений периода.",
    ),
    Kpi(
        FUNCTIONAL,
        "topics_with_templates_share",
        "Тематик с шаблонами ответов",
        "Доля подтем классификатора региона, у которых есть шаблон ответа; на сегодня.",
    ),
    Kpi(
        FUNCTIONAL,
        "within_deadline_share",
        "Ответов в регламентный срок",
        "Доля ответов, данных не позже срока, среди обращений периода, на которые дан ответ.",
    ),
    Kpi(
        FUNCTIONAL,
        "surveys_held",
        "Региональных опросов и голосований",
        "Опубликованные опросы и голосования, открытые хотя бы часть периода.",
        is_share=False,
    ),
    Kpi(
        SATISFACTION,
        "satisfied_share",
        "Удовлетворены ответом",
        "Доля оценок 4–5 среди оценённых ответов на обращения периода.",
    ),
    Kpi(
        SATISFACTION,
        "dissatisfied_share",
        "Не удовлетворены ответом",
        "Доля оценок 1–2 среди оценённых ответов на обращения периода.",
    ),
]


def _detail(key: str, kpi: dict) -> str:
    """What stands behind a figure, in words (counts for shares, the split for counts)."""
    if key == "connected_share":
        return f"{kpi['connected']} из {kpi['organizations']}"
    if key == "widgets_share":
        text = f"{kpi['widgets']} из {kpi['organizations']}"
        if kpi["widget_unattributed"]:
            text += f"; ещё обращений через виджет без указания организации — {kpi['widget_unattributed']}"
        return text
    if key == "voice_share":
        return f"обращений — {kpi['voice']}"
    if key == "survey_responses":
        text = f"из них голосов — {kpi['vote_responses']}"
        if kpi.get("responses_per_1000") is not None:
            text += f"; на 1000 жителей — {format_cell(kpi['responses_per_1000'])}"
        return text
    if key == "surveys_held":
        return f"опросов — {kpi['polls_held']}, голосований — {kpi['votes_held']}"
    return ""


def kpi_rows(kpi: dict) -> list[dict]:
    """Every KPI of `kpi` (`pos_kpis` merged with `pos_reach`) with its group, label, value, the
    value as shown («—» for none), the counts behind it and its definition, in the panel's order."""
    rows = []
    for item in KPIS:
        value = kpi.get(item.key)
        rows.append(
            {
                "group": item.group,
                "key": item.key,
                "label": item.label,
                "value": value,
                "shown": format_cell(Share(value) if item.is_share and value is not None else value),
                "detail": _detail(item.key, kpi),
                "definition": item.definition,
            }
        )
    return rows
