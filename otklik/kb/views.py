"""Editors' screens of the knowledge base: articles, paraphrases, the queue, the log, transfer."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from otklik.accounts.roles import Role
from otklik.accounts.selectors import organizations_in_scope, user_memberships, user_roles
from otklik.kb import selectors, services
from otklik.kb.engine import registry
from otklik.kb.forms import ArticleForm, ClusterForm, ImportForm, ParaphraseForm
from otklik.kb.models import Article, Category, Paraphrase, Query, QueryCluster, Suggestion
from otklik.kb.transfer import (
    KbImportError,
    kb_export_csv,
    kb_export_xlsx,
    kb_export_yaml,
    kb_import,
    kb_parse,
)
from otklik.orgs.selectors import region_default

EDITORS = {Role.EDITOR, Role.ADMIN}
MAX_QUERY = 200


def editor_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_superuser and not user_roles(user=request.user) & EDITORS:
            raise PermissionDenied
        memberships = user_memberships(user=request.user)
        request.kb_region = memberships[0].organization.region if memberships else region_default()
        if request.kb_region is None:
            raise Http404("Регион не настроен")
        return view(request, *args, **kwargs)

    return wrapper


def _article_or_404(request, pk: int) -> Article:
    qs = Article.objects.filter(region=request.kb_region)
    scope = selectors.kb_editor_scope_q(user=request.user)
    if scope is not None:
        qs = qs.filter(scope)
    return get_object_or_404(qs.select_related("category"), pk=pk)


def _q(request, name: str) -> str:
    return (request.GET.get(name) or "").strip()[:MAX_QUERY]


@editor_required
@require_GET
def article_list(request):
    search, status, category = _q(request, "q"), _q(request, "status"), _q(request, "category")
    articles = selectors.articles_for_editor(
        user=request.user, region=request.kb_region, search=search, status=status, category=category
    )
    page = Paginator(articles, 40).get_page(request.GET.get("page"))
    return render(
        request,
        "kb/article_list.html",
        {
            "page": page,
            "q": search,
            "status": status,
            "category": category,
            "statuses": Article.Status.choices,
            "tree": selectors.category_tree(region=request.kb_region),
            "due": selectors.articles_due_for_review(region=request.kb_region).count(),
        },
    )


def _form_kwargs(request):
    return {
        "region": request.kb_region,
        "organizations": organizations_in_scope(user=request.user, roles=EDITORS).order_by("path"),
    }


@editor_required
def article_create(request):
    form = ArticleForm(request.POST if request.method == "POST" else None, **_form_kwargs(request))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"question", "answer", "category"}}
        try:
            article = services.article_create(
                region=request.kb_region,
                category=form.cleaned_data["category"],
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                author=request.user,
                **data,
            )
        except ValidationError as exc:
            _copy_errors(form, exc)
        else:
            messages.success(request, "Черновик статьи создан. Опубликуйте его, когда ответ будет готов.")
            return redirect("kb:article", pk=article.pk)
    return render(
        request,
        "kb/article_form.html",
        {"form": form, "article": None},
        status=400 if request.method == "POST" else 200,
    )


def _copy_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@editor_required
def article_edit(request, pk: int):
    article = _article_or_404(request, pk)
    form = ArticleForm(
        request.POST if request.method == "POST" else None, instance=article, **_form_kwargs(request)
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.article_update(
                    article=article,
                    editor=request.user,
                    note="изменена в редакторе",
                    **{k: form.cleaned_data[k] for k in form.changed_data},
                )
            except ValidationError as exc:
                _copy_errors(form, exc)
            else:
                messages.success(request, "Изменения сохранены.")
                return redirect("kb:article", pk=article.pk)
        article.refresh_from_db()
    return render(
        request,
        "kb/article_form.html",
        {
            "form": form,
            "article": article,
            "paraphrase_form": ParaphraseForm(),
            "paraphrases": article.paraphrases.order_by("-created_at"),
            "revisions": article.revisions.select_related("editor")[:30],
        },
        status=400 if request.method == "POST" else 200,
    )


@editor_required
@require_POST
def article_status(request, pk: int):
    article = _article_or_404(request, pk)
    status = request.POST.get("status", "")
    if status not in Article.Status.values:
        messages.error(request, "Неизвестный статус.")
        return redirect("kb:article", pk=article.pk)
    services.article_set_status(article=article, status=status, editor=request.user)
    messages.success(request, f"Статья: {Article.Status(status).label}.")
    return redirect("kb:article", pk=article.pk)


def _paraphrase_block(request, article, form, status=200):
    return render(
        request,
        "kb/_paraphrases.html",
        {
            "article": article,
            "paraphrase_form": form,
            "paraphrases": article.paraphrases.order_by("-created_at"),
        },
        status=status,
    )


@editor_required
@require_POST
def paraphrase_add(request, pk: int):
    article = _article_or_404(request, pk)
    form = ParaphraseForm(request.POST)
    if form.is_valid():
        try:
            services.paraphrase_add(article=article, text=form.cleaned_data["text"], user=request.user)
        except ValidationError as exc:
            _copy_errors(form, exc)
        else:
            form = ParaphraseForm()
    ok = not form.errors
    if request.headers.get("HX-Request"):
        return _paraphrase_block(request, article, form, status=200 if ok else 400)
    if ok:
        messages.success(request, "Формулировка добавлена.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("kb:article", pk=article.pk)


@editor_required
@require_POST
def paraphrase_delete(request, pk: int):
    paraphrase = get_object_or_404(Paraphrase.objects.select_related("article"), pk=pk)
    article = _article_or_404(request, paraphrase.article_id)
    services.paraphrase_delete(paraphrase=paraphrase, user=request.user)
    if request.headers.get("HX-Request"):
        return _paraphrase_block(request, article, ParaphraseForm())
    messages.success(request, "Формулировка удалена.")
    return redirect("kb:article", pk=article.pk)


@editor_required
@require_GET
def queue(request):
    clusters = list(selectors.queue_clusters(region=request.kb_region)[:50])
    for cluster in clusters:
        cluster.examples = selectors.cluster_examples(cluster=cluster, limit=6)
        cluster.suggested = _suggest_article(request, cluster)
    return render(
        request,
        "kb/queue.html",
        {
            "clusters": clusters,
            "total_open": QueryCluster.objects.filter(
                region=request.kb_region, status=QueryCluster.Status.OPEN
            ).count(),
            "articles": Article.objects.filter(region=request.kb_region)
            .exclude(status=Article.Status.ARCHIVED)
            .order_by("question")
            .only("pk", "question"),
            "categories": Category.objects.filter(region=request.kb_region).order_by("position"),
            "suggestions": Suggestion.objects.filter(region=request.kb_region, status=Suggestion.Status.NEW)[
                :30
            ],
        },
    )


def _suggest_article(request, cluster):
    decision = registry.ask(request.kb_region.pk, cluster.label)
    return decision.candidates[0].article_id if decision.candidates else None


@editor_required
@require_POST
def queue_rebuild(request):
    n = services.queue_rebuild(region=request.kb_region)
    messages.success(request, f"Очередь обновлена: групп вопросов — {n}.")
    return redirect("kb:queue")


@editor_required
@require_POST
def cluster_action(request, pk: int):
    cluster = get_object_or_404(
        QueryCluster, pk=pk, region=request.kb_region, status=QueryCluster.Status.OPEN
    )
    form = ClusterForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Не удалось выполнить действие: " + " ".join(e for errs in form.errors.values() for e in errs),
        )
        return redirect("kb:queue")
    action = form.cleaned_data["action"]
    if action == "paraphrases":
        article = Article.objects.filter(
            region=request.kb_region, pk=form.cleaned_data["article"] or 0
        ).first()
        if article is None:
            messages.error(request, "Выберите статью, к которой добавить формулировки.")
            return redirect("kb:queue")
        added = services.cluster_add_as_paraphrases(cluster=cluster, article=article, user=request.user)
        messages.success(request, f"К статье «{article.question}» добавлено формулировок: {added}.")
    elif action == "draft":
        category = Category.objects.filter(
            region=request.kb_region, pk=form.cleaned_data["category"] or 0
        ).first()
        if category is None:
            messages.error(request, "Выберите категорию для новой статьи.")
            return redirect("kb:queue")
        article = services.cluster_draft_article(cluster=cluster, category=category, user=request.user)
        messages.success(request, "Черновик статьи создан из группы вопросов: впишите ответ.")
        return redirect("kb:article", pk=article.pk)
    else:
        services.cluster_dismiss(cluster=cluster, user=request.user)
        messages.success(request, "Группа отклонена.")
    return redirect("kb:queue")


@editor_required
@require_GET
def query_log(request):
    filters = {k: _q(request, k) for k in ("decision", "feedback", "channel")}
    search = _q(request, "q")
    page = Paginator(selectors.query_log(region=request.kb_region, search=search, **filters), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "kb/log.html",
        {
            "page": page,
            "q": search,
            **filters,
            "decisions": Query.Decision.choices,
            "feedbacks": Query.Feedback.choices,
            "articles": Article.objects.filter(region=request.kb_region, status=Article.Status.PUBLISHED)
            .order_by("question")
            .only("pk", "question"),
            "figures": selectors.bot_figures(region=request.kb_region),
        },
    )


@editor_required
@require_POST
def query_to_paraphrase(request, pk: int):
    query = get_object_or_404(Query, pk=pk, region=request.kb_region)
    try:
        article = _article_or_404(request, int(request.POST.get("article") or 0))
    except (ValueError, Http404):
        messages.error(request, "Выберите статью.")
        return redirect("kb:log")
    try:
        services.paraphrase_add_from_query(query=query, article=article, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Вопрос добавлен как формулировка к статье «{article.question}».")
    return redirect(
        request.POST.get("next") if str(request.POST.get("next", "")).startswith("/staff/kb/") else "kb:log"
    )


@editor_required
@require_GET
def try_engine(request):
    text = (request.GET.get("q") or "").strip()[:2000]
    decision, found = None, []
    if text:
        decision = registry.ask(request.kb_region.pk, text)
        by_id = Article.objects.in_bulk([c.article_id for c in decision.candidates])
        found = [(by_id.get(c.article_id), c.score) for c in decision.candidates if c.article_id in by_id]
    template = "kb/_try_result.html" if request.headers.get("HX-Request") else "kb/try.html"
    return render(request, template, {"q": text, "decision": decision, "found": found})


@editor_required
def transfer(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                categories, articles = kb_parse(content=upload.read(), filename=upload.name)
                result = kb_import(
                    region=request.kb_region,
                    categories=categories,
                    articles=articles,
                    user=request.user,
                    status=form.cleaned_data["status"] or None,
                )
            except KbImportError as exc:
                for problem in exc.problems[:20]:
                    form.add_error("file", problem)
                if len(exc.problems) > 20:
                    form.add_error("file", f"…и ещё {len(exc.problems) - 20} ошибок.")
            else:
                messages.success(
                    request,
                    f"Загружено: новых статей {result.created}, обновлено {result.updated}, "
                    f"формулировок {result.paraphrases}.",
                )
                return redirect("kb:transfer")
        return render(request, "kb/transfer.html", {"form": form}, status=400)
    return render(request, "kb/transfer.html", {"form": form})


@editor_required
@require_GET
def export(request, fmt: str):
    region = request.kb_region
    if fmt == "yaml":
        body, ctype = kb_export_yaml(region=region), "application/yaml; charset=utf-8"
    elif fmt == "csv":
        body, ctype = kb_export_csv(region=region), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, ctype = (
            kb_export_xlsx(region=region),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("Неизвестный формат")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="kb-{region.code}.{fmt}"'
    return response


def editor_home_panel(user) -> dict | None:
    """Editors' home page: what needs attention in the knowledge base."""
    memberships = user_memberships(user=user)
    region = memberships[0].organization.region if memberships else region_default()
    if region is None:
        return None
    return {
        "template": "kb/_home_panel.html",
        "figures": selectors.bot_figures(region=region),
        "queue": QueryCluster.objects.filter(region=region, status=QueryCluster.Status.OPEN).count(),
        "due": selectors.articles_due_for_review(region=region).count(),
        "drafts": Article.objects.filter(region=region, status=Article.Status.DRAFT).count(),
        "suggestions": Suggestion.objects.filter(region=region, status=Suggestion.Status.NEW).count(),
        "unanswered": Query.objects.filter(Q(decision=Query.Decision.ABSTAINED), region=region).count(),
    }
