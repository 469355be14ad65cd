from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from otklik.accounts.roles import Role
from otklik.accounts.selectors import user_can_access_org, user_roles
from otklik.orgs.current import holds_role_in, request_region
from otklik.routing.forms import TopicImportForm
from otklik.routing.models import Topic
from otklik.routing.selectors import topic_tree
from otklik.routing.services import topic_reply_template_set
from otklik.routing.suggestions import rule_suggestion_accept, rule_suggestion_dismiss, rule_suggestions
from otklik.routing.topics_io import (
    TopicImportError,
    topics_export_csv,
    topics_export_yaml,
    topics_import,
    topics_parse,
)

READERS = {Role.ADMIN, Role.COORDINATOR, Role.EDITOR, Role.ANALYST, Role.EXECUTOR}
# Coordinators run the incident work, so they keep the public-reply wording up to date too.
REPLY_EDITORS = {Role.ADMIN, Role.COORDINATOR}
RULE_REVIEWERS = {Role.ADMIN, Role.COORDINATOR}


@login_required
def topic_list(request):
    roles = user_roles(user=request.user)
    if not roles & READERS:
        raise PermissionDenied
    region = request_region(request)
    return render(
        request,
        "routing/topic_list.html",
        {
            "tree": topic_tree(region=region),
            "form": TopicImportForm(),
            "can_import": Role.ADMIN in roles,
            "can_edit_replies": bool(roles & REPLY_EDITORS),
            "can_review_rules": bool(roles & RULE_REVIEWERS),
        },
    )


@login_required
@require_POST
def topic_reply(request, pk: int):
    """Edit a topic's short public-reply template for social-media incidents."""
    if not user_roles(user=request.user) & REPLY_EDITORS:
        raise PermissionDenied
    topic = get_object_or_404(Topic, pk=pk, region=request_region(request))
    try:
        topic_reply_template_set(topic=topic, text=request.POST.get("reply_template", ""))
    except ValidationError as exc:
        messages.error(request, f"{topic.code}: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Шаблон публичного ответа тематики {topic.code} сохранён.")
    return redirect(f"{reverse('routing:topics')}#topic-{topic.pk}")


@login_required
def topic_export(request, fmt: str):
    if not user_roles(user=request.user) & READERS:
        raise PermissionDenied
    region = request_region(request)
    if fmt == "csv":
        body, ctype = topics_export_csv(region=region), "text/csv; charset=utf-8"
    elif fmt == "yaml":
        body, ctype = topics_export_yaml(region=region), "application/yaml; charset=utf-8"
    else:
        raise Http404("Неизвестный формат")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="topics-{region.code}.{fmt}"'
    return response


@login_required
@require_POST
def topic_import(request):
    if Role.ADMIN not in user_roles(user=request.user):
        raise PermissionDenied
    region = request_region(request)
    form = TopicImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = topics_parse(content=upload.read(), filename=upload.name)
            result = topics_import(region=region, rows=rows)
        except TopicImportError as exc:
            for problem in exc.problems[:20]:
                form.add_error("file", problem)
            if len(exc.problems) > 20:
                form.add_error("file", f"…и ещё {len(exc.problems) - 20} ошибок.")
        else:
            messages.success(
                request,
                f"Классификатор загружен: новых тематик {result.created}, обновлено {result.updated}.",
            )
            return redirect("routing:topics")
    return render(
        request,
        "routing/topic_list.html",
        {
            "tree": topic_tree(region=region),
            "form": form,
            "can_import": True,
            "can_edit_replies": True,
        },
        status=400,
    )


def _rule_reviewer_region(request):
    """The region whose rules the user may change: a coordinator (or admin) of one of its bodies."""
    region = request_region(request)
    if not holds_role_in(user=request.user, region=region, roles=RULE_REVIEWERS):
        raise PermissionDenied
    return region


def _suggestions_for(request, region):
    """Suggestions whose organization is within the user's coordination subtree."""
    return [
        s
        for s in rule_suggestions(region=region)
        if user_can_access_org(user=request.user, org=s.organization, roles=RULE_REVIEWERS)
    ]


@login_required
def rule_suggestion_list(request):
    """«Предложения правил»: where coordinators keep choosing another organization than the rules."""
    region = _rule_reviewer_region(request)
    return render(
        request, "routing/rule_suggestions.html", {"suggestions": _suggestions_for(request, region)}
    )


@login_required
@require_POST
def rule_suggestion_decide(request, decision: str):
    region = _rule_reviewer_region(request)
    if decision not in {"create", "dismiss"}:
        raise Http404("Неизвестное действие")
    key = tuple(request.POST.get(name, "") for name in ("topic", "territory", "organization"))
    suggestion = next((s for s in _suggestions_for(request, region) if tuple(map(str, s.key)) == key), None)
    if suggestion is None:
        raise Http404("Предложение не найдено или уже неактуально")
    label = f"{suggestion.topic.code} × {suggestion.territory} → {suggestion.organization}"
    if decision == "create":
        rule_suggestion_accept(suggestion=suggestion, user=request.user)
        messages.success(request, f"Правило создано: {label}.")
    else:
        rule_suggestion_dismiss(suggestion=suggestion, user=request.user)
        messages.success(
            request, f"Предложение отклонено: {label}. Оно вернётся, если появятся новые обращения."
        )
    return redirect("routing:rule_suggestions")
