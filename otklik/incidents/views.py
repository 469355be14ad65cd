"""The incidents workspace: queues, registration, import, the card with its actions, figures."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from otklik.accounts.selectors import organizations_in_scope, user_roles
from otklik.appeals.importing import ImportFileError
from otklik.incidents import monitoring, publishing, selectors, services
from otklik.incidents.forms import ImportForm, IncidentForm, MonitoringKeywordsForm, VkSourceForm
from otklik.incidents.importing import incidents_import
from otklik.incidents.models import Incident, Network, Source, VkSource
from otklik.incidents.statuses import MEANING, Status
from otklik.lib.params import parse_id
from otklik.orgs.current import holds_role_in, request_region
from otklik.orgs.models import Organization, Territory
from otklik.routing.models import Topic

PERIODS = {7: "7 дней", 30: "30 дней", 90: "90 дней", 365: "год"}


def _require(request, roles: set[str]) -> set[str]:
    held = user_roles(user=request.user)
    if not request.user.is_superuser and not held & roles:
        raise PermissionDenied
    return held


@login_required
def workspace(request):
    held = _require(request, selectors.STAFF_ROLES)
    region = request_region(request)
    queue = request.GET.get("queue") or "new"
    if queue not in selectors.QUEUES:
        queue = "new"
    search = (request.GET.get("q") or "").strip()[:200]
    network, status = request.GET.get("network", ""), request.GET.get("status", "")
    source = request.GET.get("source", "")
    filters = {
        "network": network if network in Network.values else "",
        "status": status if status in Status.values else "",
        "source": source if source in Source.values else "",
        "territory": parse_id(request.GET.get("territory")),
        "topic": parse_id(request.GET.get("topic")),
    }
    page = Paginator(
        selectors.incident_queue(
            user=request.user, region=region, queue=queue, search=search, filters=filters
        ),
        30,
    ).get_page(request.GET.get("page"))
    counts = {
        key: selectors.incident_queue(user=request.user, region=region, queue=key).count()
        for key in selectors.QUEUES
    }
    return render(
        request,
        "incidents/workspace.html",
        {
            "now": timezone.now(),
            "page": page,
            "queue": queue,
            "queues": [(key, label, counts[key]) for key, label in selectors.QUEUES.items()],
            "q": search,
            "filters": filters,
            "keep": urlencode({"q": search, **{k: v for k, v in filters.items() if v}}),
            "networks": Network.choices,
            "statuses": Status.choices,
            "sources": Source.choices,
            "topics": Topic.objects.filter(region=region, parent__isnull=True, is_active=True).order_by(
                "code"
            ),
            "territories": Territory.objects.filter(region=region).order_by("name"),
            "can_register": request.user.is_superuser or bool(held & selectors.INTAKE_ROLES),
            "can_monitor": holds_role_in(user=request.user, region=region, roles=selectors.MONITORING_ROLES),
        },
    )


@login_required
def register(request):
    """A monitoring operator registers a post; the same link again opens the existing incident. A
    post routed outside the person's zone is named by number and body, and the form is offered again."""
    _require(request, selectors.INTAKE_ROLES)
    region = request_region(request)
    form = IncidentForm(request.POST if request.method == "POST" else None, region=region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident, created = services.incident_register(
                region=region,
                url=data["url"],
                text=data["text"],
                network=data["network"],
                author_nickname=data["author_nickname"],
                published_at=data["published_at"],
                territory=data["territory"],
                topic=data["topic"],
                urgent=data["urgent"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            said = (
                f"Инцидент №{incident.pk} зарегистрирован."
                if created
                else f"Эта публикация уже зарегистрирована: инцидент №{incident.pk}."
            )
            if selectors.incidents_for_staff(user=request.user).filter(pk=incident.pk).exists():
                (messages.success if created else messages.info)(request, said)
                return redirect("incidents:detail", pk=incident.pk)
            whom = (
                f"передан в «{incident.organization}»"
                if incident.organization_id
                else "ответственную организацию назначит координатор"
            )
            messages.info(
                request,
                f"{said} Он вне вашей зоны ответственности: {whom}. Номер инцидента — №{incident.pk}.",
            )
            return redirect("incidents:register")
    return render(
        request, "incidents/register.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@login_required
def import_file(request):
    """Load a monitoring system's export and see what happened to every row."""
    _require(request, selectors.INTAKE_ROLES)
    region = request_region(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = incidents_import(
                region=region, content=upload.read(), filename=upload.name or "", actor=request.user
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "incidents/import.html", {"form": form, "report": report}, status=status)


def _staff_incident(request, pk: int) -> Incident:
    _require(request, selectors.STAFF_ROLES)
    incident = (
        selectors.incidents_for_staff(user=request.user, region=request_region(request)).filter(pk=pk).first()
    )
    if incident is None:
        raise Http404("Инцидент не найден")
    return incident


@login_required
@require_GET
def kb_answers(request, pk: int):
    """Knowledge-base articles that may answer the post, loaded into its card after it opens."""
    from otklik.kb.views import answers_fragment

    incident = _staff_incident(request, pk)
    return answers_fragment(request, region_id=incident.region_id, text=incident.text, target="reply")


@login_required
def detail(request, pk: int):
    incident = _staff_incident(request, pk)
    roles = user_roles(user=request.user)
    coordinator = request.user.is_superuser or bool(roles & selectors.COORDINATION_ROLES)
    publication, vk_community = publishing.latest(incident), publishing.community(incident)
    link_missing = bool(
        incident.status in (Status.ANSWERED, Status.CLOSED) and incident.reply_text and not incident.reply_url
    )
    return render(
        request,
        "incidents/detail.html",
        {
            "now": timezone.now(),
            "incident": incident,
            "meaning": MEANING.get(incident.status),
            "events": selectors.incident_timeline(incident=incident),
            "can_work": request.user.is_superuser or bool(roles & selectors.WORK_ROLES),
            "is_coordinator": coordinator,
            "running": incident.status in (Status.NEW, Status.IN_WORK),
            "template": selectors.incident_reply_draft(incident=incident),
            "publication": publication,
            "vk_community": vk_community,
            "link_missing": link_missing,
            # Publishing again: the saved reply, nothing waiting or published, a community to publish it.
            "can_publish": link_missing
            and incident.status == Status.ANSWERED
            and vk_community is not None
            and (
                publication is None
                or publication.state in {publication.State.FAILED, publication.State.CANCELLED}
            ),
            "topics": Topic.objects.filter(region=incident.region, parent__isnull=False).order_by("code"),
            "territories": Territory.objects.filter(region=incident.region).order_by("name"),
            "organizations": organizations_in_scope(user=request.user)
            .filter(region=incident.region)
            .exclude(kind__in=[Organization.Kind.SCHOOL, Organization.Kind.KINDERGARTEN])
            .order_by("path")
            if coordinator
            else [],
        },
    )


@login_required
@require_POST
def action(request, pk: int):
    incident = _staff_incident(request, pk)
    roles = _require(request, selectors.WORK_ROLES)
    coordinator = request.user.is_superuser or bool(roles & selectors.COORDINATION_ROLES)
    user, post = request.user, request.POST
    name = post.get("action", "")
    said = "Готово."
    text = post.get("text", "")
    try:
        if name == "take":
            services.incident_take(incident=incident, actor=user)
        elif name == "reply":
            services.incident_reply(
                incident=incident, actor=user, text=text, reply_url=post.get("reply_url", "")[:2000]
            )
            if publishing.latest(incident) and not incident.reply_url:
                said = "Ответ сохранён. Отклик публикует его во ВКонтакте — состояние видно в карточке."
        elif name == "publish":
            publishing.incident_reply_publish(incident=incident, actor=user)
            said = "Ответ поставлен в очередь на публикацию во ВКонтакте."
        elif name == "reply_link":
            services.incident_reply_link(
                incident=incident, actor=user, reply_url=post.get("reply_url", "")[:2000]
            )
        elif name == "dismiss":
            services.incident_dismiss(incident=incident, actor=user, reason=text)
        elif name == "reopen":
            services.incident_reopen(incident=incident, actor=user)
        elif name == "close":
            services.incident_close(incident=incident, actor=user)
        elif name == "comment":
            services.incident_comment(incident=incident, actor=user, text=text)
        elif name == "correct":
            changes = {
                "topic": Topic.objects.filter(region=incident.region, pk=parse_id(post.get("topic"))).first(),
                "territory": Territory.objects.filter(
                    region=incident.region, pk=parse_id(post.get("territory"))
                ).first(),
                "urgent": post.get("urgent") == "1",
            }
            if coordinator and post.get("organization"):
                org = organizations_in_scope(user=user).filter(pk=parse_id(post.get("organization"))).first()
                if org is None:
                    raise ValidationError("Выберите организацию из списка.")
                changes["organization"] = org
            services.incident_update(incident=incident, actor=user, **changes)
        elif name == "convert":
            appeal = services.incident_convert(incident=incident, actor=user)
            messages.success(request, f"Оформлено обращение {appeal.number}.")
            return redirect("incidents:detail", pk=incident.pk)
        else:
            raise ValidationError("Неизвестное действие.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, said)
    return redirect("incidents:detail", pk=incident.pk)


@login_required
def figures(request):
    """The figures of the last ?days=; ?format=csv|xlsx downloads them as the page shows them."""
    from otklik.analytics.reports import tables_csv, tables_xlsx
    from otklik.analytics.views import attachment
    from otklik.incidents.reports import figure_tables

    _require(request, selectors.STAFF_ROLES)
    days = parse_id(request.GET.get("days")) or 30
    if days not in PERIODS:
        days = 30
    until = timezone.now()
    figures = selectors.incident_figures(user=request.user, since=until - timedelta(days=days), until=until)
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        title = f"Инциденты в соцсетях: показатели за {PERIODS[days]} по {timezone.localdate(until):%d.%m.%Y}"
        render_file = tables_csv if fmt == "csv" else tables_xlsx
        return attachment(render_file(title, figure_tables(figures)), fmt, f"incidenty-{days}d")
    return render(
        request,
        "incidents/figures.html",
        {"days": days, "periods": PERIODS.items(), "figures": figures},
    )


# --- VK monitoring: what the collector watches ---------------------------------------------------


def _monitoring_region(request):
    """The region whose sources the user may see and change: an operator or admin of it."""
    region = request_region(request)
    if region is None or not holds_role_in(
        user=request.user, region=region, roles=selectors.MONITORING_ROLES
    ):
        raise PermissionDenied
    return region


def _form_errors(form, exc: monitoring.MonitoringError) -> None:
    for field, error in exc.errors.items():
        form.add_error(field if field in form.fields else None, error)


def _monitoring_page(request, region, *, keywords_form=None, status=200):
    keywords = monitoring.keywords_of(region)
    keywords_form = keywords_form or MonitoringKeywordsForm(
        initial={
            "phrases": "\n".join(keywords.phrases),
            "rule": keywords.rule,
            "threshold": f"{keywords.threshold:g}".replace(".", ","),
        }
    )
    return render(
        request,
        "incidents/monitoring.html",
        {
            "sources": selectors.vk_sources_overview(region=region),
            "keywords": keywords,
            "keywords_form": keywords_form,
            "token": monitoring.token_configured(),
            "interval_min": max(1, round(settings.VK_MONITOR_INTERVAL_S / 60)),
        },
        status=status,
    )


@login_required
@require_GET
def monitoring_sources(request):
    """«Мониторинг ВКонтакте»: the watched pages, how their polling goes, the region's keywords."""
    return _monitoring_page(request, _monitoring_region(request))


@login_required
def monitoring_source(request, pk: int | None = None):
    """Add a watched page, or change, pause or resume one of the region."""
    region = _monitoring_region(request)
    source = None
    if pk is not None:
        source = VkSource.objects.filter(region=region, pk=pk).first()
        if source is None:
            raise Http404("Источник не найден")
    initial = (
        {
            "address": source.screen_name,
            "name": source.name,
            "territory": source.territory_id,
            "read_comments": source.read_comments,
            "is_active": source.is_active,
        }
        if source
        else {"is_active": True}
    )
    form = VkSourceForm(request.POST if request.method == "POST" else None, region=region, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = monitoring.vk_source_save(region=region, source=source, **form.cleaned_data)
        except monitoring.MonitoringError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Источник «{saved.name}» сохранён.")
            return redirect("incidents:monitoring")
    return render(
        request,
        "incidents/monitoring_source.html",
        {"form": form, "source": source, "token": monitoring.token_configured()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def monitoring_keywords(request):
    region = _monitoring_region(request)
    form = MonitoringKeywordsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            monitoring.monitoring_keywords_set(
                region=region,
                actor=request.user,
                phrases=monitoring.parse_phrases(data["phrases"]),
                rule=data["rule"],
                threshold=data["threshold"],
            )
        except monitoring.MonitoringError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Ключевые слова сохранены: они действуют со следующего опроса.")
            return redirect("incidents:monitoring")
    return _monitoring_page(request, region, keywords_form=form, status=400)
