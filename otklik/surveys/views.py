"""The public survey page (no login) and the staff screens: list, editor, results and their export."""

from functools import wraps
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from otklik.accounts.selectors import organizations_in_scope, scoped_get_or_404, user_roles
from otklik.analytics.reports import tables_csv, tables_xlsx
from otklik.lib import ratelimit
from otklik.lib.spreadsheet import XLSX_TYPE
from otklik.orgs.current import request_region, resolve
from otklik.surveys import selectors, services
from otklik.surveys.cookies import browser_token, remember
from otklik.surveys.forms import AnswerForm, PeriodForm, QuestionForm, SurveyForm
from otklik.surveys.models import Question, Survey

TICKET_SALT = "otklik.surveys.ticket"
TICKET_AGE = 7 * 24 * 3600


def region_time(view):
    """Dates are read and shown in a region's time zone: the survey's own (`survey_time`) on the
    pages of one survey, the request's region elsewhere (a new survey's form; lists show each
    survey's dates in its own zone in the template)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        region = resolve(request).region
        with timezone.override(ZoneInfo(region.timezone) if region else None):
            return view(request, *args, **kwargs)

    return wrapper


def survey_time(view):
    """The view gets the survey (by `key` or `pk`) and runs in the time zone of its region."""

    @wraps(view)
    def wrapper(request, **kwargs):
        if "key" in kwargs:
            survey = get_object_or_404(Survey.objects.select_related("organization", "region"), **kwargs)
        else:
            survey = _survey(request, kwargs["pk"])
        with timezone.override(survey.zone):
            return view(request, survey)

    return wrapper


# --- respondents -----------------------------------------------------------------------------------


@region_time
def survey_list_public(request):
    return render(
        request,
        "surveys/public_list.html",
        {
            "surveys": selectors.surveys_open(region=request_region(request)),
            "finished": selectors.surveys_finished_public(region=request_region(request)),
        },
    )


def _ticket_token(request, survey: Survey) -> str | None:
    """The token the form was issued with: a replayed form carries the same token, hence the same hash."""
    try:
        ticket = signing.loads(request.POST.get("ticket") or "", salt=TICKET_SALT, max_age=TICKET_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(ticket, dict) or ticket.get("s") != survey.pk or not isinstance(ticket.get("t"), str):
        return None
    return ticket["t"]


@survey_time
def survey_answer(request, survey: Survey):
    state = survey.state()
    token = browser_token(request)
    form, status = None, 200
    answered = state == "open" and selectors.has_answered(
        survey=survey, digest=services.respondent_hash(survey=survey, token=token)
    )
    if state == "open" and not answered:
        form = AnswerForm(request.POST if request.method == "POST" else None, survey=survey)
    elif request.method == "POST":
        status = 409 if answered else 400
    refusal = None
    if form is not None and form.is_bound and not ratelimit.staff_exempt(request):
        refusal = ratelimit.hit(("survey", ratelimit.client_address(request)))
    if refusal is not None:
        # The answers come back as they were ticked, with the refusal above them; nothing is saved.
        form.add_error(None, refusal.message)
    elif form is not None and form.is_bound:
        status = 400
        posted_token = _ticket_token(request, survey)
        if posted_token is None:
            form.add_error(None, "Форма устарела или повреждена: проверьте ответы и отправьте её ещё раз.")
        elif form.is_valid():
            try:
                services.response_submit(
                    survey=survey, token=posted_token, answers=form.answers(), profile=form.profile()
                )
            except services.SurveyError as exc:
                if getattr(exc, "code", None) == "duplicate":
                    form, answered, status = None, True, 409
                else:
                    _add_errors(form, exc)
            else:
                response = redirect("surveys:answer", key=survey.key)
                remember(response, posted_token)
                return response
    response = render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "state": state,
            "form": form,
            "answered": answered,
            "public_results": selectors.public_results(survey=survey) if state == "closed" else None,
            "ticket": signing.dumps({"s": survey.pk, "t": token}, salt=TICKET_SALT),
        },
        status=status,
    )
    remember(response, token)
    return response if refusal is None else ratelimit.with_retry_after(response, refusal)


def _add_errors(form, exc: services.SurveyError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- staff -----------------------------------------------------------------------------------------


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser and not user_roles(user=request.user) & selectors.SURVEY_ROLES:
            raise PermissionDenied
        return region_time(view)(request, *args, **kwargs)

    return wrapper


def _survey(request, pk: int) -> Survey:
    return scoped_get_or_404(
        Survey.objects.filter(region=request_region(request)).select_related("organization", "region"),
        user=request.user,
        roles=selectors.SURVEY_ROLES,
        org_field="organization",
        pk=pk,
    )


def _organizations(request):
    return (
        organizations_in_scope(user=request.user, roles=selectors.SURVEY_ROLES)
        .filter(region=request_region(request))
        .order_by("path")
    )


@staff_required
def survey_list(request):
    return render(
        request,
        "surveys/list.html",
        {
            "surveys": selectors.surveys_for_staff(user=request.user)
            .filter(region=request_region(request))
            .order_by("-created_at")[:200]
        },
    )


@staff_required
def survey_new(request):
    form = SurveyForm(request.POST or None, organizations=_organizations(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(actor=request.user, **data)
        except services.SurveyError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Опрос создан. Добавьте вопросы и откройте его.")
            return redirect("surveys:detail", pk=survey.pk)
    return render(
        request, "surveys/form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@staff_required
@survey_time
def survey_detail(request, survey: Survey):
    form = SurveyForm(instance=survey, organizations=_organizations(request))
    question_form = QuestionForm(initial={"kind": Question.Kind.SINGLE, "required": True})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                form = SurveyForm(
                    request.POST,
                    instance=Survey.objects.get(pk=survey.pk),
                    organizations=_organizations(request),
                )
                if not form.is_valid():
                    raise services.SurveyError("Проверьте поля опроса.")
                services.survey_update(survey=survey, **form.cleaned_data)
            elif action == "question":
                question_form = QuestionForm(request.POST)
                if not question_form.is_valid():
                    raise services.SurveyError("Проверьте поля вопроса.")
                data = question_form.cleaned_data
                services.question_add(
                    survey=survey,
                    text=data["text"],
                    kind=data["kind"],
                    required=data["required"],
                    options=question_form.option_pairs(),
                )
            elif action == "delete_question":
                question = get_object_or_404(survey.questions, pk=request.POST.get("question") or 0)
                services.question_delete(question=question)
            elif action == "status":
                services.survey_set_status(survey=survey, status=request.POST.get("status", ""))
            else:
                raise services.SurveyError("Неизвестное действие.")
        except services.SurveyError as exc:
            if action == "question" and hasattr(exc, "error_dict"):
                _add_errors(question_form, exc)
            for text in exc.messages if not hasattr(exc, "error_dict") else []:
                messages.error(request, text)
            status = 400
        else:
            messages.success(request, "Сохранено.")
            return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "form": form,
            "question_form": question_form,
            "questions": survey.questions.prefetch_related("options"),
            "n_responses": survey.responses.count(),
            "public_url": request.build_absolute_uri(f"/surveys/{survey.key}/"),
            "statuses": Survey.Status,
        },
        status=status,
    )


@staff_required
@survey_time
def survey_results(request, survey: Survey):
    fmt = request.GET.get("format", "")
    period = PeriodForm(request.GET, zone=survey.zone)
    valid = period.is_valid()
    if not valid and fmt in {"csv", "xlsx"}:
        problems = " ".join(e for errors in period.errors.values() for e in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    # Wrong dates on the page: the whole survey is shown, under the form with its errors.
    since, until = period.bounds() if valid else (None, None)
    label = period.label() if valid else "весь опрос"
    results = selectors.survey_results(survey=survey, since=since, until=until)
    if fmt in {"csv", "xlsx"}:
        tables = selectors.results_tables(survey=survey, results=results, period=label)
        if fmt == "xlsx":
            body, ctype = tables_xlsx(survey.title, tables), XLSX_TYPE
        else:
            body, ctype = tables_csv(survey.title, tables).encode(), "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="otklik-survey-{survey.pk}.{fmt}"'
        return response
    context = {
        "survey": survey,
        "period": period,
        "period_label": label,
        "period_query": urlencode({k: v for k, v in period.cleaned_data.items() if v} if valid else {}),
        **results,
    }
    return render(request, "surveys/results.html", context, status=200 if valid else 400)
