"""Госпаблики: scheduled posts, templates, distribution tasks and their progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from otklik.accounts.selectors import organizations_in_scope, scoped_get_or_404, user_memberships
from otklik.incidents.models import VkCommunity
from otklik.lib.fonts import FontMissing
from otklik.lib.params import parse_id
from otklik.orgs.current import holds_role_in, request_region
from otklik.publics import selectors, services
from otklik.publics.forms import (
    AssignmentForm,
    AssignmentTermForm,
    DoneForm,
    PictureTemplateForm,
    PostForm,
    RescheduleForm,
    TemplateForm,
    ids,
)
from otklik.publics.services import ASSIGNEE_ROLES, PLACEHOLDERS, POST_ROLES, PublicsError


def _require(request, roles: set[str]):
    region = request_region(request)
    if not holds_role_in(user=request.user, region=region, roles=roles):
        raise PermissionDenied
    return region


def _organizations(request, region):
    return organizations_in_scope(user=request.user, roles=POST_ROLES).filter(region=region).order_by("path")


def _acting_org(request, region, value):
    """The organization a post or task is given on behalf of: one of the user's subtree (a forged id is
    a 404); by default the first where he holds the role himself."""
    pk = parse_id(value)
    scope = _organizations(request, region)
    if pk is not None:
        return scoped_get_or_404(scope, user=request.user, pk=pk)
    own = [m.organization_id for m in user_memberships(user=request.user) if m.role in POST_ROLES]
    return scope.filter(pk__in=own).first() or scope.first()


def _form_page(request, name: str, *, region, organization, errors: list[str], **context):
    """A form page of the section: the organization it acts for, the ones to switch to, the refusals
    (a 400 while there are any)."""
    context.update(errors=errors, organization=organization, organizations=_organizations(request, region))
    return render(request, f"publics/{name}.html", context, status=400 if errors else 200)


def _form_errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


@login_required
def index(request):
    region = _require(request, POST_ROLES)
    posts = selectors.posts_for_staff(user=request.user, region=region)[:100]
    communities = VkCommunity.objects.filter(organization__in=_organizations(request, region)).select_related(
        "organization"
    )
    return render(
        request,
        "publics/index.html",
        {"posts": posts, "communities": communities.order_by("organization__path"), "now": timezone.now()},
    )


def _picture_choice(request, region, *, lineage_of=None):
    """The picture templates a form offers (those of `lineage_of` and above, when given) and the
    one chosen in the POST (404 for one not offered)."""
    pictures = selectors.picture_templates_for_staff(user=request.user, region=region)
    if lineage_of is not None:
        pictures = pictures.filter(organization_id__in=lineage_of.lineage_ids)
    picture = None
    if pk := parse_id(request.POST.get("picture")):
        picture = get_object_or_404(pictures, pk=pk)
    return pictures, picture


@login_required
def post_new(request):
    region = _require(request, POST_ROLES)
    organization = _acting_org(request, region, request.POST.get("organization") or request.GET.get("org"))
    template = None
    if tpl := parse_id(request.GET.get("template")):
        template = get_object_or_404(selectors.templates_for_staff(user=request.user, region=region), pk=tpl)
    form = PostForm(
        request.POST or None, request.FILES or None, initial={"text": template.text if template else ""}
    )
    errors, chosen = [], ids(request.POST.getlist("communities"))
    pictures, picture = _picture_choice(request, region)
    if request.method == "POST":
        if form.is_valid():
            try:
                post = services.post_schedule(
                    author=request.user,
                    organization=organization,
                    text=form.cleaned_data["text"],
                    link=form.cleaned_data["link"],
                    publish_at=form.cleaned_data["publish_at"],
                    community_ids=chosen,
                    image=form.cleaned_data["image"],
                    picture=picture,
                )
            except PublicsError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, f"Пост №{post.pk} запланирован.")
                return redirect("publics:post", pk=post.pk)
        errors += _form_errors(form)
    return _form_page(
        request,
        "post_new",
        region=region,
        organization=organization,
        errors=errors,
        form=form,
        communities=services.communities_for(organization=organization) if organization else [],
        chosen=chosen,
        templates=selectors.templates_for_staff(user=request.user, region=region),
        pictures=pictures,
        picture=picture,
        placeholders=PLACEHOLDERS,
    )


def _post(request, region, pk):
    return get_object_or_404(selectors.posts_for_staff(user=request.user, region=region), pk=pk)


@login_required
def post_detail(request, pk: int):
    region = _require(request, POST_ROLES)
    post = _post(request, region, pk)
    return render(
        request,
        "publics/post_detail.html",
        {
            "post": post,
            "events": post.events.select_related("actor"),
            "form": RescheduleForm(initial={"publish_at": timezone.localtime(post.publish_at)}),
            "editable": not post.cancelled_at
            and post.publish_at > timezone.now()
            and all(t.state == "scheduled" for t in post.targets.all()),
        },
    )


@login_required
@require_POST
def post_action(request, pk: int):
    region = _require(request, POST_ROLES)
    post = _post(request, region, pk)
    action = request.POST.get("action")
    try:
        if action == "reschedule":
            form = RescheduleForm(request.POST)
            if not form.is_valid():
                raise PublicsError(" ".join(_form_errors(form)))
            services.post_reschedule(
                post=post, actor=request.user, publish_at=form.cleaned_data["publish_at"]
            )
            messages.success(request, "Время публикации изменено.")
        elif action == "cancel":
            services.post_cancel(post=post, actor=request.user)
            messages.success(request, "Публикация отменена.")
        elif action == "retry":
            target = get_object_or_404(post.targets.all(), pk=parse_id(request.POST.get("target")))
            services.post_target_retry(target=target, actor=request.user)
            messages.success(request, "Пост снова поставлен в очередь на публикацию.")
        else:
            raise PublicsError("Неизвестное действие.")
    except PublicsError as exc:
        messages.error(request, str(exc))
    return redirect("publics:post", pk=post.pk)


def _template_list(request, *, page: str, form_class, save, items, saved: str):
    """A list of templates and the form of a new one, on behalf of one of the user's organizations."""
    region = _require(request, POST_ROLES)
    organization = _acting_org(request, region, request.POST.get("organization"))
    form = form_class(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            save(organization=organization, **form.cleaned_data)
        except PublicsError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, saved)
            return redirect(f"publics:{page}")
    return _form_page(
        request,
        page,
        region=region,
        organization=organization,
        errors=errors + _form_errors(form),
        form=form,
        items=items(user=request.user, region=region),
        placeholders=PLACEHOLDERS,
    )


@login_required
def templates(request):
    return _template_list(
        request,
        page="templates",
        form_class=TemplateForm,
        save=services.template_save,
        items=selectors.templates_for_staff,
        saved="Шаблон сохранён.",
    )


def _template_edit(
    request, pk: int, *, kind: str, items, form_class, fields, save, delete, saved, deleted, done
):
    """A template's page: change it (the form of `fields`) or delete it; `done(template)` is where a
    saved one goes."""
    region = _require(request, POST_ROLES)
    template = get_object_or_404(items(user=request.user, region=region), pk=pk)
    form = form_class(
        request.POST or None, request.FILES or None, initial={f: getattr(template, f) for f in fields}
    )
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                delete(template=template)
                messages.success(request, deleted)
                return redirect(f"publics:{kind}s")
            if form.is_valid():
                save(organization=template.organization, template=template, **form.cleaned_data)
                messages.success(request, saved)
                return done(template)
        except PublicsError as exc:
            errors.append(str(exc))
        errors += _form_errors(form)
    return render(
        request,
        f"publics/{kind}_edit.html",
        {"form": form, "template": template, "errors": errors, "placeholders": PLACEHOLDERS},
        status=400 if errors else 200,
    )


@login_required
def template_edit(request, pk: int):
    return _template_edit(
        request,
        pk,
        kind="template",
        items=selectors.templates_for_staff,
        form_class=TemplateForm,
        fields=("name", "text"),
        save=services.template_save,
        delete=services.template_delete,
        saved="Шаблон сохранён.",
        deleted="Шаблон удалён.",
        done=lambda template: redirect("publics:templates"),
    )


def _picture_response(draw) -> HttpResponse:
    """A picture for staff from `draw()` → (content, type): never kept by a shared cache; a missing
    font is a 503 with the Russian reason, a lost file a 404."""
    try:
        body, content_type = draw()
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    except OSError as exc:
        raise Http404("Файл изображения не найден") from exc
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def post_image(request, pk: int):
    """The post's picture: the uploaded image, or the template's picture for one of its communities
    (?community=, by default the post's organization)."""
    region = _require(request, POST_ROLES)
    post = _post(request, region, pk)
    if not (post.image or post.picture_id):
        raise Http404("У поста нет изображения")
    organization = post.organization
    if community := parse_id(request.GET.get("community")):
        targets = post.targets.select_related("community__organization")
        organization = get_object_or_404(targets, community_id=community).community.organization
    return _picture_response(lambda: services.post_picture(post=post, organization=organization))


@login_required
def pictures(request):
    """Picture templates («создание картинок»): the list with previews and a new one."""
    return _template_list(
        request,
        page="pictures",
        form_class=PictureTemplateForm,
        save=services.picture_template_save,
        items=selectors.picture_templates_for_staff,
        saved="Шаблон картинки сохранён.",
    )


@login_required
def picture_edit(request, pk: int):
    return _template_edit(
        request,
        pk,
        kind="picture",
        items=selectors.picture_templates_for_staff,
        form_class=PictureTemplateForm,
        fields=("name", "headline", "background_color", "text_color"),
        save=services.picture_template_save,
        delete=services.picture_template_delete,
        saved="Шаблон картинки сохранён.",
        deleted="Шаблон картинки удалён.",
        done=lambda template: redirect("publics:picture", pk=template.pk),  # to see the new picture
    )


@login_required
def picture_preview(request, pk: int):
    """The template's picture as it would go to the community of ?org= (one of the user's
    organizations; by default the template's own) today."""
    region = _require(request, POST_ROLES)
    template = get_object_or_404(
        selectors.picture_templates_for_staff(user=request.user, region=region), pk=pk
    )
    organization = template.organization
    if request.GET.get("org"):
        organization = _acting_org(request, region, request.GET["org"])
    at = timezone.now()
    return _picture_response(
        lambda: (services.picture_draw(template=template, organization=organization, at=at), "image/png")
    )


@login_required
def assignments(request):
    region = _require(request, POST_ROLES | ASSIGNEE_ROLES)
    can_give = holds_role_in(user=request.user, region=region, roles=POST_ROLES)
    given = selectors.assignments_for_staff(user=request.user, region=region) if can_give else []
    return render(
        request,
        "publics/assignments.html",
        {
            "can_give": can_give,
            "given": given.annotate(n_targets=Count("targets")) if can_give else [],
            "received": selectors.assignments_received(user=request.user, region=region),
            "now": timezone.now(),
        },
    )


@login_required
def assignment_new(request):
    region = _require(request, POST_ROLES)
    organization = _acting_org(request, region, request.POST.get("organization") or request.GET.get("org"))
    form = AssignmentForm(request.POST or None)
    errors, chosen = [], ids(request.POST.getlist("organizations"))
    # Drawn for every organization below: the giver's own templates or those of a body above it.
    pictures, picture = _picture_choice(request, region, lineage_of=organization)
    if request.method == "POST":
        if form.is_valid():
            try:
                assignment = services.assignment_create(
                    author=request.user,
                    organization=organization,
                    organization_ids=chosen,
                    picture=picture,
                    **form.cleaned_data,
                )
            except PublicsError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, f"Задача поставлена организациям: {assignment.targets.count()}.")
                return redirect("publics:assignment", pk=assignment.pk)
        errors += _form_errors(form)
    below = services.organizations_below(organization=organization) if organization else []
    return _form_page(
        request,
        "assignment_new",
        region=region,
        organization=organization,
        errors=errors,
        form=form,
        below=below,
        chosen=chosen,
        pictures=pictures,
        picture=picture,
    )


@login_required
def assignment_detail(request, pk: int):
    from zoneinfo import ZoneInfo

    from otklik.analytics.reports import tables_csv, tables_xlsx
    from otklik.analytics.views import attachment

    region = _require(request, POST_ROLES)
    assignment = get_object_or_404(selectors.assignments_for_staff(user=request.user, region=region), pk=pk)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        table = selectors.progress_table(assignment=assignment, zone=ZoneInfo(region.timezone))
        render_file = tables_csv if fmt == "csv" else tables_xlsx
        return attachment(render_file(assignment.title, [table]), fmt, f"zadacha-{assignment.pk}")
    term_form = AssignmentTermForm(
        request.POST if request.method == "POST" else None,
        initial={"due_at": timezone.localtime(assignment.due_at, ZoneInfo(region.timezone))},
    )
    if request.method == "POST":
        try:
            if not term_form.is_valid():
                raise PublicsError(" ".join(_form_errors(term_form)))
            services.assignment_term_change(
                assignment=assignment, actor=request.user, due_at=term_form.cleaned_data["due_at"]
            )
        except PublicsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Срок изменён; напоминание придёт за сутки до нового срока.")
        return redirect("publics:assignment", pk=assignment.pk)
    rows, counts = selectors.assignment_progress(assignment=assignment)
    return render(
        request,
        "publics/assignment_detail.html",
        {
            "assignment": assignment,
            "rows": rows,
            "counts": counts,
            "labels": selectors.STATUS_LABELS,
            "term_form": term_form,
            "events": assignment.events.select_related("actor").order_by("at", "pk"),
        },
    )


@login_required
def target_picture(request, pk: int):
    """The task's picture as it goes to the community of the target organization."""
    region = _require(request, ASSIGNEE_ROLES)
    item = get_object_or_404(
        selectors.assignment_targets_for_staff(user=request.user, region=region).select_related(
            "assignment__picture", "organization__region"
        ),
        pk=pk,
    )
    if not item.assignment.picture_id:
        raise Http404("У задачи нет картинки")
    at = timezone.now()
    return _picture_response(
        lambda: (
            services.picture_draw(
                template=item.assignment.picture,
                organization=item.organization,
                at=at,
                link=item.assignment.link,
            ),
            "image/png",
        )
    )


@login_required
def target(request, pk: int):
    region = _require(request, ASSIGNEE_ROLES)
    targets = selectors.assignment_targets_for_staff(user=request.user, region=region)
    # The Otklik post's per-community states are listed on the page: one query for all of them.
    item = get_object_or_404(targets.prefetch_related("post__targets__community"), pk=pk)
    form = DoneForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                services.assignment_target_publish(target=item, actor=request.user)
                messages.success(request, "Отклик публикует запись в сообществе организации.")
            elif form.is_valid():
                services.assignment_target_done(target=item, actor=request.user, url=form.cleaned_data["url"])
                messages.success(request, "Задача отмечена выполненной.")
            else:
                raise PublicsError(" ".join(_form_errors(form)))
        except PublicsError as exc:
            messages.error(request, str(exc))
        return redirect("publics:target", pk=item.pk)
    assignment = item.assignment
    return render(
        request,
        "publics/target.html",
        {
            "target": item,
            "assignment": assignment,
            # The text as this organization publishes it: {организация}, {дата}, {ссылка} filled in.
            "text": services.fill(
                assignment.text, organization=item.organization, at=timezone.now(), link=assignment.link
            ),
            "community": services.organization_community(organization=item.organization),
            "form": form,
            "now": timezone.now(),
        },
    )
