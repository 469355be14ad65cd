"""Editors' screens of the knowledge base: articles, paraphrases, the queue, the log, transfer."""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from otklik.accounts.selectors import organizations_in_scope, user_roles
from otklik.kb import selectors, services
from otklik.kb.engine import registry
from otklik.kb.forms import ArticleForm, ClusterForm, ImportForm, ParaphraseForm
from otklik.kb.models import FAQ_CHANNEL, Article, Category, Paraphrase, Query, QueryCluster, Suggestion
from otklik.kb.panels import EDITORS, editor_region, is_region_editor
from otklik.kb.transfer import (
    MAX_BYTES,
    KbImportError,
    kb_export_csv,
    kb_export_xlsx,
    kb_export_yaml,
    kb_import,
    kb_parse,
)
from otklik.nlp.faq import EngineConfig
from otklik.orgs.current import request_region

log = logging.getLogger("otklik.kb.views")

MAX_SEARCH = 200
MAX_TRY = 2000
SHOWN_PROBLEMS = 20
CHANNELS = {"telegram": "Telegram", "web": "веб-чат", FAQ_CHANNEL: "«Вопросы и ответы» на сайте"}


# --- access ------------------------------------------------------------------------------------


def editor_required(view=None, *, region_wide: bool = False):
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not user_roles(user=request.user) & EDITORS:
                raise PermissionDenied
            request.kb_region = editor_region(request.user, request_region(request))
            if request.kb_region is None:  # an editor elsewhere, not in the region they switched to
                raise PermissionDenied
            request.kb_region_wide = is_region_editor(request.user, request.kb_region)
            if region_wide and not request.kb_region_wide:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate


def _editable_articles(request):
    qs = Article.objects.filter(region=request.kb_region)
    scope = selectors.kb_editor_scope_q(user=request.user)
    return qs if scope is None else qs.filter(scope)


def _article_or_404(request, pk) -> Article:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Статья не найдена") from None
    return get_object_or_404(_editable_articles(request).select_related("category", "region"), pk=pk)


def _param(request, name: str, limit: int = MAX_SEARCH) -> str:
    return (request.GET.get(name) or "").strip()[:limit]


def _is_htmx(request) -> bool:
    # A history restore wants the whole page even though htmx sends HX-Request with it.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _errors_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _copy_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_errors(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors)


def _next_or(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# --- articles ----------------------------------------------------------------------------------


@editor_required
@require_GET
def article_list(request):
    search, status, category = _param(request, "q"), _param(request, "status"), _param(request, "category")
    due = request.GET.get("due") == "1"
    today = timezone.localdate()
    articles = selectors.articles_for_editor(
        user=request.user, region=request.kb_region, search=search, status=status, category=category
    )
    if due:
        articles = articles.filter(review_at__lte=today).exclude(status=Article.Status.ARCHIVED)
    page = Paginator(articles, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "kb/article_list.html",
        {
            "section": "articles",
            "page": page,
            "q": search,
            "status": status,
            "category": category,
            "due": due,
            "today": today,
            "statuses": Article.Status.choices,
            "tree": selectors.category_tree(region=request.kb_region, only_active=False),
        },
    )


def _article_form(request, data=None, instance=None) -> ArticleForm:
    organizations = organizations_in_scope(user=request.user, roles=EDITORS).filter(region=request.kb_region)
    return ArticleForm(
        data,
        instance=instance,
        region=request.kb_region,
        organizations=organizations.order_by("path"),
        region_wide=request.kb_region_wide,
    )


@editor_required
def article_create(request):
    form = _article_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                article = services.article_create(
                    region=request.kb_region,
                    category=data.pop("category"),
                    question=data.pop("question"),
                    answer=data.pop("answer"),
                    author=request.user,
                    **data,
                )
            except ValidationError as exc:
                _copy_errors(form, exc)
            else:
                messages.success(request, "Черновик статьи создан. Опубликуйте его, когда ответ будет готов.")
                return redirect("kb:article", pk=article.pk)
        status = 400
    else:
        status = 200
    return render(
        request, "kb/article_form.html", {"section": "articles", "form": form, "article": None}, status=status
    )


def _article_page(request, article, form, status=200, paraphrase_form=None):
    return render(
        request,
        "kb/article_form.html",
        {
            "section": "articles",
            "form": form,
            "article": article,
            "today": timezone.localdate(),
            "statuses": Article.Status,
            **_paraphrase_context(article, paraphrase_form or ParaphraseForm(auto_id="paraphrase_%s")),
            **_history_context(article),
            "twin": selectors.article_twin(
                region=request.kb_region, article=article, visible=_editable_articles(request)
            ),
        },
        status=status,
    )


def _paraphrase_context(article, form) -> dict:
    return {"paraphrase_form": form, "paraphrases": article.paraphrases.order_by("-created_at", "-pk")}


def _history_context(article) -> dict:
    return {
        "revisions": article.revisions.select_related("editor")[:30],
        "revisions_total": article.revisions.count(),
    }


@editor_required
def article_edit(request, pk: int):
    article = _article_or_404(request, pk)
    if request.method != "POST":
        return _article_page(request, article, _article_form(request, instance=article))
    form = _article_form(request, request.POST, instance=article)
    if form.is_valid():
        if not form.changed_data:
            messages.info(request, "Изменений нет.")
            return redirect("kb:article", pk=article.pk)
        labels = ", ".join(str(form.fields[name].label).lower() for name in form.changed_data)
        try:
            services.article_update(
                article=article,
                editor=request.user,
                note=f"изменено: {labels}",
                **{name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as exc:
            _copy_errors(form, exc)
        else:
            messages.success(request, "Изменения сохранены.")
            return redirect("kb:article", pk=article.pk)
    article.refresh_from_db()  # the form wrote the typed values into the instance; show the stored ones
    return _article_page(request, article, form, status=400)


@editor_required
@require_POST
def article_status(request, pk: int):
    article = _article_or_404(request, pk)
    status = request.POST.get("status", "")
    if status not in Article.Status.values:
        messages.error(request, "Неизвестный статус статьи.")
        return redirect("kb:article", pk=article.pk)
    try:
        services.article_set_status(article=article, status=status, editor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors_of(exc)))
    else:
        messages.success(request, f"Статья теперь: {Article.Status(status).label}.")
    return redirect("kb:article", pk=article.pk)


@editor_required
@require_POST
def preview(request):
    """The answer as citizens will see it, re-rendered while the editor types (htmx)."""
    return render(request, "kb/_preview.html", {"answer": request.POST.get("answer", "")})


# --- paraphrases (htmx partial on the article page) ----------------------------------------------


def _paraphrase_response(request, article, form, *, status=200, refocus=False):
    context = {"article": article, "refocus": refocus, **_paraphrase_context(article, form)}
    context |= _history_context(article)
    return render(request, "kb/_paraphrases.html", {**context, "oob_history": True}, status=status)


@editor_required
@require_POST
def paraphrase_add(request, pk: int):
    article = _article_or_404(request, pk)
    form = ParaphraseForm(request.POST, auto_id="paraphrase_%s")
    if form.is_valid():
        try:
            services.paraphrase_add(article=article, text=form.cleaned_data["text"], user=request.user)
        except ValidationError as exc:
            _copy_errors(form, exc)
    ok = not form.errors
    if _is_htmx(request):
        new_form = ParaphraseForm(auto_id="paraphrase_%s") if ok else form
        return _paraphrase_response(request, article, new_form, status=200 if ok else 400, refocus=True)
    if ok:
        messages.success(request, "Формулировка добавлена.")
        return redirect("kb:article", pk=article.pk)
    return _article_page(
        request, article, _article_form(request, instance=article), 400, paraphrase_form=form
    )


@editor_required
@require_POST
def paraphrase_delete(request, pk: int):
    paraphrase = get_object_or_404(Paraphrase, pk=pk)
    article = _article_or_404(request, paraphrase.article_id)
    services.paraphrase_delete(paraphrase=paraphrase, user=request.user)
    if _is_htmx(request):
        return _paraphrase_response(request, article, ParaphraseForm(auto_id="paraphrase_%s"))
    messages.success(request, "Формулировка удалена.")
    return redirect("kb:article", pk=article.pk)


# --- choosing an article for a queue group or a logged question ----------------------------------


def _article_options(request) -> list[tuple[str, list[Article]]]:
    """Articles the editor may add paraphrases to, grouped by category for a <select>."""
    groups: dict[str, list[Article]] = {}
    qs = (
        _editable_articles(request)
        .exclude(status=Article.Status.ARCHIVED)
        .select_related("category")
        .only("pk", "question", "status", "category__title", "category__position")
    )
    for article in qs.order_by("category__position", "category__title", "question"):
        groups.setdefault(article.category.title, []).append(article)
    return list(groups.items())


def _picker(request, *, action: str, selected: int | None, extra: dict, template_title: str):
    context = {
        "action": action,
        "options": _article_options(request),
        "selected": selected,
        "next": request.GET.get("next", ""),
        "extra": extra,
        "title": template_title,
        "section": extra.get("section"),
    }
    template = "kb/_picker.html" if _is_htmx(request) else "kb/picker.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- editors' queue ----------------------------------------------------------------------------


def _suggested_article(region_id: int, text: str) -> int | None:
    decision = selectors.engine_decision(region_id=region_id, text=text)
    return decision.candidates[0].article_id if decision and decision.candidates else None


@editor_required
@require_GET
def queue(request):
    page = Paginator(selectors.queue_clusters(region=request.kb_region), 20).get_page(request.GET.get("page"))
    editable = {
        pk: (question, category_id)
        for pk, question, category_id in _editable_articles(request)
        .exclude(status=Article.Status.ARCHIVED)
        .values_list("pk", "question", "category_id")
    }
    for cluster in page:
        cluster.examples = selectors.cluster_examples(cluster=cluster, limit=6)
        suggested = _suggested_article(request.kb_region.pk, cluster.label)
        cluster.suggested = (suggested, editable[suggested][0]) if suggested in editable else None
        # A new draft most likely belongs where the nearest article is; otherwise the editor chooses.
        cluster.category_id = editable[suggested][1] if suggested in editable else None
    return render(
        request,
        "kb/queue.html",
        {
            "section": "queue",
            "page": page,
            "region_wide": request.kb_region_wide,
            "categories": Category.objects.filter(region=request.kb_region).select_related("parent"),
            "suggestions": Suggestion.objects.filter(
                region=request.kb_region, status=Suggestion.Status.NEW
            ).select_related("cluster")[:50],
            "suggestions_total": Suggestion.objects.filter(
                region=request.kb_region, status=Suggestion.Status.NEW
            ).count(),
        },
    )


@editor_required(region_wide=True)
@require_POST
def queue_rebuild(request):
    n = services.queue_rebuild(region=request.kb_region)
    messages.success(request, f"Очередь обновлена: групп вопросов — {n}.")
    return redirect("kb:queue")


def _open_cluster_or_404(request, pk: int) -> QueryCluster:
    return get_object_or_404(QueryCluster, pk=pk, region=request.kb_region, status=QueryCluster.Status.OPEN)


@editor_required
@require_GET
def cluster_pick(request, pk: int):
    cluster = _open_cluster_or_404(request, pk)
    return _picker(
        request,
        action=reverse("kb:cluster_action", args=[cluster.pk]),
        selected=_suggested_article(request.kb_region.pk, cluster.label),
        extra={"action": "paraphrases", "section": "queue"},
        template_title=f"Добавить вопросы группы «{cluster.label}» как формулировки",
    )


@editor_required
@require_POST
def cluster_action(request, pk: int):
    cluster = _open_cluster_or_404(request, pk)
    form = ClusterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Не удалось выполнить действие: " + _form_errors(form))
        return redirect("kb:queue")
    action = form.cleaned_data["action"]
    if action != "paraphrases" and not request.kb_region_wide:
        raise PermissionDenied  # new region-wide drafts and dismissals are for the region's editors
    if action == "paraphrases":
        if not form.cleaned_data["article"]:
            messages.error(request, "Выберите статью, к которой добавить формулировки.")
            return redirect("kb:queue")
        article = _article_or_404(request, form.cleaned_data["article"])
        try:
            added = services.cluster_add_as_paraphrases(cluster=cluster, article=article, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(_errors_of(exc)))
            return redirect("kb:queue")
        messages.success(request, f"К статье «{article.question}» добавлено формулировок: {added}.")
    elif action == "draft":
        category = Category.objects.filter(
            region=request.kb_region, pk=form.cleaned_data["category"] or 0
        ).first()
        if category is None:
            messages.error(request, "Выберите категорию для новой статьи.")
            return redirect("kb:queue")
        article = services.cluster_draft_article(cluster=cluster, category=category, user=request.user)
        messages.success(request, "Черновик статьи создан из группы вопросов: впишите ответ и опубликуйте.")
        return redirect("kb:article", pk=article.pk)
    else:
        services.cluster_dismiss(cluster=cluster, user=request.user)
        messages.success(request, f"Группа «{cluster.label}» отклонена.")
    return redirect("kb:queue")


# --- query log ---------------------------------------------------------------------------------


@editor_required
@require_GET
def query_log(request):
    filters = {name: _param(request, name) for name in ("decision", "feedback", "channel")}
    search = _param(request, "q")
    queries = selectors.query_log(region=request.kb_region, search=search, **filters)
    page = Paginator(queries.select_related("gold_article"), 30).get_page(request.GET.get("page"))
    top_ids = {
        x.candidates[0].get("article") for x in page if x.candidates and isinstance(x.candidates[0], dict)
    }
    tops = (
        _editable_articles(request)
        .exclude(status=Article.Status.ARCHIVED)
        .in_bulk([i for i in top_ids if isinstance(i, int)])
    )
    for x in page:
        first = x.candidates[0] if x.candidates and isinstance(x.candidates[0], dict) else {}
        x.top_article = tops.get(first.get("article"))
        x.channel_label = CHANNELS.get(x.channel, x.channel)
    channels = sorted(
        set(Query.objects.filter(region=request.kb_region).values_list("channel", flat=True).distinct())
        | set(CHANNELS)
    )
    return render(
        request,
        "kb/log.html",
        {
            "section": "log",
            "page": page,
            "q": search,
            **filters,
            "decisions": Query.Decision.choices,
            "feedbacks": Query.Feedback.choices,
            "channels": [(c, CHANNELS.get(c, c)) for c in channels],
            "figures": selectors.bot_figures(region=request.kb_region),
        },
    )


@editor_required
@require_GET
def query_pick(request, pk: int):
    query = get_object_or_404(Query, pk=pk, region=request.kb_region)
    first = query.candidates[0] if query.candidates and isinstance(query.candidates[0], dict) else {}
    return _picker(
        request,
        action=reverse("kb:query_to_paraphrase", args=[query.pk]),
        selected=first.get("article"),
        extra={"section": "log"},
        template_title=f"Сделать вопрос «{query.text}» формулировкой статьи",
    )


@editor_required
@require_POST
def query_to_paraphrase(request, pk: int):
    query = get_object_or_404(Query, pk=pk, region=request.kb_region)
    raw = (request.POST.get("article") or "").strip()
    if not (raw.isdigit() and len(raw) < 19):
        messages.error(request, "Выберите статью.")
        return _next_or(request, "kb:log")
    article = _article_or_404(request, raw)
    try:
        services.paraphrase_add_from_query(query=query, article=article, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors_of(exc)))
    else:
        messages.success(request, f"Вопрос добавлен как формулировка к статье «{article.question}».")
    return _next_or(request, "kb:log")


# --- ready answers for staff who answer appeals and incidents ----------------------------------

ANSWER_TARGETS = {"answer", "reply"}  # the text areas of the appeal and incident cards
MAX_STAFF_SEARCH = 500


def answers_fragment(request, *, region_id: int, text: str, target: str, q: str = ""):
    """The «Ответы из базы знаний» block of a card: articles for `text`, each insertable as plain
    text into the card's text area `target`, and a search box for other wording."""
    return render(
        request,
        "kb/_answers.html",
        {
            "found": selectors.answers_for(region_id=region_id, text=text) if text.strip() else [],
            "target": target if target in ANSWER_TARGETS else "answer",
            "q": q,
            "searched": bool(q),
        },
    )


@login_required
@require_GET
def staff_answers(request):
    """Search of the knowledge base from an appeal's or an incident's card (any staff role), in the
    region the staff member works in."""
    if not (request.user.is_superuser or user_roles(user=request.user)):
        raise PermissionDenied
    region = request_region(request)
    q = " ".join(_param(request, "q", MAX_STAFF_SEARCH).split())
    return answers_fragment(request, region_id=region.pk, text=q, target=request.GET.get("target", ""), q=q)


# --- «Проверить ответ» -------------------------------------------------------------------------


@editor_required
@require_GET
def try_engine(request):
    """The engine's decision on a typed question. Deliberately not written to the query log."""
    text = " ".join(_param(request, "q", MAX_TRY).split())
    decision, found = None, []
    if text:
        decision = registry.ask(request.kb_region.pk, text)
        by_id = Article.objects.filter(region=request.kb_region).in_bulk(
            [c.article_id for c in decision.candidates]
        )
        found = [(by_id[c.article_id], c.score) for c in decision.candidates if c.article_id in by_id]
    template = "kb/_try_result.html" if _is_htmx(request) else "kb/try.html"
    response = render(
        request,
        template,
        {"section": "try", "q": text, "asked": "q" in request.GET, "decision": decision, "found": found},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@editor_required
@require_GET
def rivals(request):
    """«Похожие статьи»: pairs of articles that answer one question, for the editors to merge or
    sharpen (real questions split between such twins, and the bot cannot answer them alone)."""
    visible = _editable_articles(request)
    report = selectors.article_rivals(region=request.kb_region, visible=visible)
    return render(
        request,
        "kb/rivals.html",
        {
            "section": "rivals",
            "report": report,
            "hubs": selectors.article_hubs(region=request.kb_region, visible=visible),
            "min_questions": EngineConfig.hub_min_questions,
            "duplicates": sum(p.duplicate for p in report.pairs),
            "log_days": selectors.RIVAL_LOG_DAYS,
        },
    )


# --- import and export -------------------------------------------------------------------------


def _problems(problems: list[str]) -> list[str]:
    shown = problems[:SHOWN_PROBLEMS]
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(f"…и ещё {len(problems) - SHOWN_PROBLEMS}.")
    return shown


@editor_required(region_wide=True)
def transfer(request):
    if request.method != "POST":
        return render(request, "kb/transfer.html", {"section": "transfer", "form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_BYTES:
                raise KbImportError(["Файл больше 20 МБ."])
            categories, articles = kb_parse(content=upload.read(), filename=upload.name)
            result = kb_import(
                region=request.kb_region,
                categories=categories,
                articles=articles,
                user=request.user,
                status=form.cleaned_data["status"] or None,
            )
        except KbImportError as exc:
            for problem in _problems(exc.problems):
                form.add_error("file", problem)
        except ValidationError as exc:  # a row the import's own checks let through
            for problem in _problems(_errors_of(exc)):
                form.add_error("file", f"Файл не загружен: {problem}")
        else:
            messages.success(
                request,
                f"База знаний загружена: категорий {result.categories}, новых статей {result.created}, "
                f"обновлено {result.updated}, новых формулировок {result.paraphrases}.",
            )
            return redirect("kb:transfer")
    return render(request, "kb/transfer.html", {"section": "transfer", "form": form}, status=400)


@editor_required(region_wide=True)
@require_GET
def export(request, fmt: str):
    region = request.kb_region
    if fmt == "yaml":
        body, ctype = kb_export_yaml(region=region), "application/yaml; charset=utf-8"
    elif fmt == "csv":
        body, ctype = kb_export_csv(region=region), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = kb_export_xlsx(region=region)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("Неизвестный формат")
    response = HttpResponse(body, content_type=ctype)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kb-{region.code}-{stamp}.{fmt}"'
    return response
