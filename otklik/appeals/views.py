"""Citizen's web form and status page; the operators' workspace."""

from functools import wraps
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from otklik.accounts.roles import Role
from otklik.accounts.selectors import organizations_in_scope, user_roles
from otklik.appeals import selectors, services
from otklik.appeals.executors import suggest_executors
from otklik.appeals.forms import (
    AnswersExportForm,
    ExtendForm,
    ImportFileForm,
    MyAppealsForm,
    PublicAppealForm,
    RatingForm,
    StaffAppealForm,
    TextForm,
)
from otklik.appeals.importing import ImportFileError, appeals_import
from otklik.appeals.models import STAFF_CHANNELS, Appeal, Channel, Kind
from otklik.appeals.statuses import FOR_APPLICANT, MEANING, Status
from otklik.lib import ratelimit
from otklik.lib.params import parse_id
from otklik.lib.spreadsheet import XLSX_TYPE
from otklik.orgs.current import embedding_organization, request_region
from otklik.orgs.models import Organization, Territory
from otklik.privacy.selectors import appeal_finished_at
from otklik.routing.models import Topic

# Appeals from the public form are kept apart by their submission, so sending a page twice
# registers one appeal (`appeal_submit` returns the first one).
FORM_SOURCE = "form"


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- citizens -------------------------------------------------------------------------------------


def appeal_new(request, channel: str = Channel.WEB):
    region = request_region(request)
    form = PublicAppealForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        region=region,
    )
    refusal = None
    if request.method == "POST" and not ratelimit.staff_exempt(request):
        refusal = ratelimit.hit(("appeal", ratelimit.client_address(request)))
    if refusal is not None:
        # The form comes back with everything typed in it (an uploaded file cannot be kept).
        form.add_error(None, refusal.message)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, _ = services.appeal_submit(
                region=region,
                text=data["text"],
                channel=channel,
                author_name=data["author_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                territory=data["territory"],
                place=data["place"],
                location=data.get("location"),
                widget_organization=embedding_organization(request, region)
                if channel == Channel.WIDGET
                else None,
                files=[data["attachment"]] if data.get("attachment") else (),
                external_source=FORM_SOURCE,
                external_id=form.submission_key(),
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if channel == Channel.WIDGET:  # the status page may not be framed: say it here, link it out
                return render(request, "appeals/widget_done.html", {"appeal": appeal})
            return redirect(f"/appeal/{appeal.number}/?s={appeal.secret}&new=1")
    template = "appeals/widget_form.html" if channel == Channel.WIDGET else "appeals/public_form.html"
    response = render(
        request, template, {"form": form, "region": region}, status=400 if request.method == "POST" else 200
    )
    return response if refusal is None else ratelimit.with_retry_after(response, refusal)


# The widget is framed by organizations' sites. In a frame of another site browsers send no
# cookies (SameSite), so the CSRF token could never match; the form acts for nobody logged in, and
# its own spam guards (the hidden field, the signed start time) stay.
@xframe_options_exempt
@csrf_exempt
def appeal_widget(request):
    return appeal_new(request, channel=Channel.WIDGET)


class SecretGuessing(Exception):
    """Too many wrong secrets for this appeal number or from this address: refused for a while."""

    def __init__(self, refusal: ratelimit.Refusal):
        self.refusal = refusal


def _appeal_by_secret(request, number: str, secret: str) -> Appeal:
    """The appeal whose number and secret match. Wrong secrets are counted per number and per
    address; past either limit the lookup is refused for a while, even with the right secret."""
    guard = ratelimit.secret_counters(number=number, address=ratelimit.client_address(request))
    refusal = ratelimit.blocked(*guard)
    if refusal is not None:
        raise SecretGuessing(refusal)
    appeal = Appeal.objects.select_related("organization", "policy", "region").filter(number=number).first()
    if appeal is None or not appeal.secret_matches(secret):
        if secret:  # a link without its secret guesses nothing
            ratelimit.failed(*guard)
        raise Http404("Обращение не найдено")
    return appeal


def _guarded(view):
    """A citizen's view of an appeal reached by its secret: a 429 page while lookups are refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SecretGuessing as exc:
            return ratelimit.refuse(request, exc.refusal)

    return wrapper


@_guarded
def appeal_status(request, number: str):
    secret = (request.GET.get("s") or request.POST.get("s") or "")[:64]
    appeal = _appeal_by_secret(request, number, secret)
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_rate(
                appeal=appeal, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(
                request,
                "Спасибо за оценку!"
                if form.cleaned_data["rating"] > 2
                else "Спасибо. Обращение передано на повторное рассмотрение в вышестоящую организацию.",
            )
            return redirect(f"/appeal/{appeal.number}/?s={appeal.secret}")
    # Reached by its secret from any region's page: the dates are the appeal's region's.
    with timezone.override(ZoneInfo(appeal.region.timezone)):
        return _status_page(request, appeal, form, secret)


def appeals_mine(request):
    """«Мои обращения»: the citizen gives the e-mail of their appeals and gets a link to all of them."""
    form = MyAppealsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not ratelimit.staff_exempt(request):
        refusal = ratelimit.hit(("mine", ratelimit.client_address(request)))
        if refusal is not None:
            form.is_valid()  # the typed address is shown again, with the refusal above it
            context = {"form": form, "refused": refusal.message}
            return ratelimit.with_retry_after(render(request, "appeals/mine.html", context), refusal)
    if request.method == "POST" and form.is_valid():
        services.appeals_link_send(email=form.cleaned_data["email"])
        # The same words whether or not the address has appeals: the page tells no one who wrote.
        return render(request, "appeals/mine_sent.html", {"email": form.cleaned_data["email"].lower()})
    return render(
        request, "appeals/mine.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@require_GET
def appeals_mine_list(request, token: str):
    email = services.appeals_link_email(token)
    if email is None:
        return render(request, "appeals/mine.html", {"form": MyAppealsForm(), "expired": True}, status=400)
    appeals = list(selectors.appeals_of_email(email=email)[:200])
    for appeal in appeals:
        appeal.for_applicant = FOR_APPLICANT.get(appeal.status, "")
    return render(
        request,
        "appeals/mine_list.html",
        {"email": email, "appeals": appeals, "several_regions": len({a.region_id for a in appeals}) > 1},
    )


def _status_page(request, appeal: Appeal, form: RatingForm, secret: str):
    return render(
        request,
        "appeals/status.html",
        {
            "appeal": appeal,
            "events": selectors.appeal_timeline(appeal=appeal, public_only=True),
            "form": form,
            "meaning": FOR_APPLICANT.get(appeal.status),
            "secret": secret,
            "just_created": request.GET.get("new") == "1",
            "can_rate": appeal.status == Status.ANSWERED and not appeal.depersonalised_at,
            "answer_files": appeal.attachments.filter(from_citizen=False).exclude(file="").order_by("pk"),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- staff workspace -------------------------------------------------------------------------------


def _staff(request):
    if not request.user.is_superuser and not user_roles(user=request.user) & selectors.STAFF_ROLES:
        raise PermissionDenied


COORDINATION = {Role.COORDINATOR, Role.ADMIN}


def _coordinates(user) -> bool:
    """Coordinators and administrators (a superuser's roles include the administrator's)."""
    return bool(COORDINATION & user_roles(user=user))


def _coordinators_only(request) -> None:
    if not _coordinates(request.user):
        raise PermissionDenied


@login_required
def workspace(request):
    _staff(request)
    roles = user_roles(user=request.user)
    default = "moderation" if (Role.COORDINATOR in roles or request.user.is_superuser) else "new"
    queue = request.GET.get("queue") or default
    if queue not in selectors.QUEUES:
        queue = default
    search = (request.GET.get("q") or "").strip()[:200]
    region = request_region(request)
    channel = request.GET.get("channel", "")
    filters = {
        "channel": channel if channel in Channel.values else "",
        "kind": kind if (kind := request.GET.get("kind", "")) in Kind.values else "",
        "topic": parse_id(request.GET.get("topic")),
        "territory": parse_id(request.GET.get("territory")),
        "organization": parse_id(request.GET.get("organization")),
    }
    page = Paginator(
        selectors.appeal_queue(user=request.user, region=region, queue=queue, search=search, filters=filters),
        30,
    ).get_page(request.GET.get("page"))
    keep = urlencode({"q": search, **{k: v for k, v in filters.items() if v}})
    counts = {
        key: selectors.appeal_queue(user=request.user, region=region, queue=key).count()
        for key in selectors.QUEUES
    }
    return render(
        request,
        "appeals/workspace.html",
        {
            "now": timezone.now(),
            "page": page,
            "queue": queue,
            "queues": [(k, v, counts[k]) for k, v in selectors.QUEUES.items()],
            "q": search,
            "filters": filters,
            "keep": keep,
            "channels": Channel.choices,
            "kinds": Kind.choices,
            "topics": Topic.objects.filter(region=region, parent__isnull=True, is_active=True).order_by(
                "code"
            ),
            "territories": Territory.objects.filter(region=region).order_by("name"),
            # Bodies only: a list of every school would not fit a select; a school's staff see theirs.
            "organizations": organizations_in_scope(user=request.user)
            .filter(region=region, kind__in=[Organization.Kind.MINISTRY, Organization.Kind.MUNICIPAL_BODY])
            .order_by("name"),
        },
    )


def _staff_appeal(request, number: str) -> Appeal:
    _staff(request)
    appeal = (
        selectors.appeals_for_staff(user=request.user, region=request_region(request))
        .filter(number=number)
        .first()
    )
    if appeal is None:
        raise Http404("Обращение не найдено")
    return appeal


@login_required
def appeal_detail(request, number: str):
    appeal = _staff_appeal(request, number)
    roles = user_roles(user=request.user)
    is_coordinator = _coordinates(request.user)
    suggested = []
    if is_coordinator and appeal.status == Status.MODERATION:
        allowed = set(organizations_in_scope(user=request.user).values_list("pk", flat=True))
        suggested = [(org, p) for org, p in suggest_executors(appeal=appeal) if org.pk in allowed]
    organizations = (
        list(
            organizations_in_scope(user=request.user)
            .filter(region=appeal.region)
            .exclude(kind__in=["school", "kindergarten"])
            .order_by("path")
        )
        if is_coordinator
        else []
    )
    # The select starts at the executor chosen or the likeliest one, never silently at the first
    # organization of the list (the ministry).
    listed = {o.pk for o in organizations}
    candidates = [appeal.organization_id, *(org.pk for org, _ in suggested)]
    chosen = next((pk for pk in candidates if pk in listed), None)
    return render(
        request,
        "appeals/detail.html",
        {
            "now": timezone.now(),
            "appeal": appeal,
            "events": selectors.appeal_timeline(appeal=appeal, public_only=False),
            "is_coordinator": is_coordinator,
            "coordinator": selectors.appeal_coordinator(appeal=appeal),
            "suggested_executors": suggested,
            "chosen_organization": chosen,
            "can_execute": bool({Role.EXECUTOR, Role.COORDINATOR, Role.ADMIN} & roles)
            or request.user.is_superuser,
            "organizations": organizations,
            "topics": Topic.objects.filter(region=appeal.region, parent__isnull=False).order_by("code")
            if is_coordinator
            else [],
            "template": _filled_template(appeal),
            "meaning": MEANING.get(appeal.status),
            "extend_form": ExtendForm(),
            "kinds": Kind.choices,
            "electronic_contact": bool(appeal.contact_email or appeal.citizen_id),
            "can_depersonalise": is_coordinator
            and not appeal.depersonalised_at
            and appeal_finished_at(appeal) is not None,
        },
    )


@login_required
@require_GET
def appeal_kb_answers(request, number: str):
    """Knowledge-base articles that may answer the appeal, loaded into its card after it opens."""
    from otklik.kb.views import answers_fragment

    appeal = _staff_appeal(request, number)
    return answers_fragment(request, region_id=appeal.region_id, text=appeal.text, target="answer")


@login_required
@require_POST
def appeal_action(request, number: str):
    appeal = _staff_appeal(request, number)
    roles = user_roles(user=request.user)
    if (
        Role.ANALYST in roles
        and not roles & {Role.EXECUTOR, Role.COORDINATOR, Role.ADMIN}
        and not (request.user.is_superuser)
    ):
        raise PermissionDenied
    action = request.POST.get("action", "")
    user = request.user
    coordinator = _coordinates(user)
    try:
        if action == "take":
            services.appeal_take(appeal=appeal, actor=user)
        elif action in {"answer", "return", "info", "comment"}:
            form = TextForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
            text = form.cleaned_data["text"]
            {
                "answer": lambda: services.appeal_answer(
                    appeal=appeal,
                    actor=user,
                    text=text,
                    files=request.FILES.getlist("files"),
                    outcome=request.POST.get("outcome", "")[:20],
                    by_post=request.POST.get("by_post") == "on",
                ),
                "return": lambda: services.appeal_return(appeal=appeal, actor=user, reason=text),
                "info": lambda: services.appeal_request_info(appeal=appeal, actor=user, question=text),
                "comment": lambda: services.appeal_comment(appeal=appeal, actor=user, text=text),
            }[action]()
        elif action == "kind":
            services.appeal_set_kind(appeal=appeal, actor=user, kind=request.POST.get("kind", "")[:20])
        elif action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
            services.appeal_extend(
                appeal=appeal, actor=user, days=form.cleaned_data["days"], reason=form.cleaned_data["text"]
            )
        elif action == "assign" and coordinator:
            org = (
                organizations_in_scope(user=user)
                .filter(region=appeal.region, pk=parse_id(request.POST.get("organization")))
                .first()
            )
            topic = Topic.objects.filter(region=appeal.region, pk=parse_id(request.POST.get("topic"))).first()
            if org is None:
                raise ValidationError("Выберите организацию-исполнителя.")
            services.appeal_assign(appeal=appeal, organization=org, actor=user, topic=topic)
        elif action == "merge" and coordinator:
            number_into = (request.POST.get("into") or "").strip().upper()[:40]
            into = (
                selectors.appeals_for_staff(user=user, region=appeal.region)
                .filter(number=number_into)
                .first()
            )
            if into is None:
                raise ValidationError(
                    f"Обращение {number_into or '(номер не указан)'} не найдено среди доступных вам."
                )
            services.appeal_merge(appeal=appeal, into=into, actor=user)
        elif action == "depersonalise" and coordinator:
            from otklik.privacy.services import appeal_depersonalise

            appeal_depersonalise(appeal_id=appeal.pk, actor=user, reason=request.POST.get("reason", ""))
        elif action == "redirect" and coordinator:
            services.appeal_redirect(
                appeal=appeal,
                actor=user,
                to=request.POST.get("to", ""),
                reason=request.POST.get("text", ""),
            )
        else:
            raise ValidationError("Это действие вам недоступно.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        appeal.refresh_from_db()
        messages.success(request, _done(action, appeal))
    return redirect("appeals:detail", number=appeal.number)


def _done(action: str, appeal: Appeal) -> str:
    """What the action did, said after it (not a bare «Готово»)."""
    if action == "assign":
        return f"Обращение направлено исполнителю: {appeal.organization}."
    if action == "merge":
        return f"Обращение объединено с обращением {appeal.duplicate_of.number} как повтор."
    if action == "extend":
        return f"Срок ответа продлён до {date_format(timezone.localtime(appeal.due_at), 'd.m.Y')}."
    return {
        "take": "Обращение взято в работу.",
        "answer": "Ответ дан заявителю.",
        "return": "Обращение возвращено координатору.",
        "info": "Запрос уточнения отправлен заявителю.",
        "comment": "Комментарий добавлен.",
        "redirect": "Обращение переадресовано; заявитель уведомлён.",
        "depersonalise": "Персональные данные обращения обезличены: контакты удалены, тексты обезличены, "
        "файлы удалены.",
    }.get(action, "Готово.")


def _filled_template(appeal: Appeal) -> str:
    """The topic's answer template with {name}, {number} and {date} filled; other braces kept as typed."""
    topic = appeal.topic or appeal.topic_suggested
    if topic is None or not topic.answer_template:
        return ""
    values = {
        "name": appeal.author_name or "заявитель",
        "number": appeal.number,
        "date": timezone.localtime(appeal.registered_at, ZoneInfo(appeal.region.timezone)).strftime(
            "%d.%m.%Y"
        ),
    }
    return topic.fill_template(values)


def _file_response(attachments, pk: int, *, as_attachment: bool | None = None):
    """One attachment from `attachments` (never from a public media URL); images, audio and video
    show in the page, documents download."""
    from django.http import FileResponse

    # A file deleted when the appeal was depersonalised keeps its row (counts) but has nothing to serve.
    attachment = attachments.filter(pk=pk).exclude(file="").first()
    if attachment is None:
        raise Http404("Файл не найден")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Файл не найден") from exc
    if as_attachment is None:
        as_attachment = not attachment.content_type.startswith(("image/", "audio/", "video/"))
    return FileResponse(
        handle, as_attachment=as_attachment, filename=attachment.name, content_type=attachment.content_type
    )


@_guarded
def citizen_attachment(request, number: str, pk: int):
    """A file staff attached to the answer, for the citizen who holds the appeal's secret."""
    appeal = _appeal_by_secret(request, number, (request.GET.get("s") or "")[:64])
    return _file_response(appeal.attachments.filter(from_citizen=False), pk, as_attachment=True)


# A citizen of a letter or a visit may have no e-mail or Telegram to receive the status page's link:
# staff give it on paper (the acknowledgement, the visit's card).
FOR_PAPER = " Страница обращения для заявителя (передайте или впишите в письмо): {url}"
REGISTERED = {
    Channel.HOTLINE: "Звонок зарегистрирован: обращение {number}. Сообщите номер звонящему.",
    Channel.POST: "Письмо зарегистрировано: обращение {number}." + FOR_PAPER,
    Channel.VISIT: "Обращение с личного приёма зарегистрировано: {number}." + FOR_PAPER,
    Channel.EMAIL: "Письмо по электронной почте зарегистрировано: обращение {number}.",
}


@login_required
def register(request, channel: str = ""):
    """Staff register an appeal received outside the platform (call, letter, visit, e-mail); the
    appeal gets that channel, its receipt date and the staff member as the actor. The hotline page
    is this form with the call preselected."""
    _staff(request)
    region = request_region(request)
    channel = channel or request.GET.get("channel", "")
    if channel not in STAFF_CHANNELS:
        channel = Channel.HOTLINE
    post = request.method == "POST"
    form = StaffAppealForm(
        request.POST if post else None, request.FILES if post else None, region=region, channel=channel
    )
    if post and form.is_valid():
        data = form.cleaned_data
        try:
            appeal, _ = services.appeal_submit(
                region=region,
                text=data["text"],
                channel=data["channel"],
                kind=data["kind"],
                author_name=data["author_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                postal_address=data["postal_address"],
                territory=data["territory"],
                place=data["place"],
                topic=data["topic"],
                received_at=data["received_at"],
                incoming_number=data["incoming_number"],
                incoming_date=data["incoming_date"],
                files=data["files"],
                actor=request.user,
                external_source=FORM_SOURCE,
                external_id=form.submission_key(),
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            url = f"{settings.SITE_URL}/appeal/{appeal.number}/?s={appeal.secret}"
            messages.success(request, REGISTERED[appeal.channel].format(number=appeal.number, url=url))
            return redirect("appeals:detail", number=appeal.number)
    return render(
        request,
        "appeals/register.html",
        {"form": form, "is_call": channel == Channel.HOTLINE},
        status=400 if post else 200,
    )


@login_required
def hotline(request):
    """The hotline operator's page: the registration form with the phone call preselected."""
    return register(request, channel=Channel.HOTLINE)


@login_required
def import_file(request):
    """Coordinators import exports of other systems and see what happened to every row."""
    _coordinators_only(request)
    region = request_region(request)
    form = ImportFileForm(request.POST, request.FILES) if request.method == "POST" else ImportFileForm()
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = appeals_import(
                region=region,
                content=upload.read(),
                filename=upload.name,
                source=form.cleaned_data["source"],
                actor=request.user,
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "appeals/import.html",
        {"form": form, "report": report, "answers_form": AnswersExportForm(initial={"format": "xlsx"})},
        status=status,
    )


@login_required
@require_GET
def answers_export(request):
    """Answers to appeals of another system, as a file to load back there (see `answers_export`)."""
    from otklik.appeals import answers_export as export

    _coordinators_only(request)
    region = request_region(request)
    form = AnswersExportForm(request.GET)
    if not form.is_valid():
        context = {"form": ImportFileForm(), "report": None, "answers_form": form}
        return render(request, "appeals/import.html", context, status=400)
    zone = ZoneInfo(region.timezone)
    since, until = form.bounds(zone)
    appeals = export.answered_from(
        region=region, source=form.cleaned_data["source"], since=since, until=until
    )
    fmt = form.cleaned_data["format"]
    if fmt == "csv":
        body, ctype = export.answers_csv(appeals, zone), "text/csv; charset=utf-8"
    else:
        body, ctype = export.answers_xlsx(appeals, zone), XLSX_TYPE
    response = HttpResponse(body, content_type=ctype)
    data = form.cleaned_data
    name = f"otklik-answers-{data['source']}-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def attachment_download(request, number: str, pk: int):
    """Attachments are served only to staff who may see the appeal."""
    return _file_response(_staff_appeal(request, number).attachments.all(), pk)
