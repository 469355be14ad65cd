"""«Сотрудники»: a region's administrators add people, give and take roles, switch accounts off and
import the staff of many organizations from one file, without the Django admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from otklik.accounts import selectors, services
from otklik.accounts.forms import MembershipForm, PersonDataForm, PersonForm, StaffImportForm
from otklik.accounts.models import Membership
from otklik.accounts.roles import Role
from otklik.accounts.staff_io import (
    StaffImportError,
    staff_export_csv,
    staff_export_xlsx,
    staff_import,
    staff_parse,
)
from otklik.appeals.selectors import open_appeals_of_executor
from otklik.lib.params import parse_id
from otklik.lib.spreadsheet import XLSX_TYPE
from otklik.orgs.current import holds_role_in, request_region

ADMINS = {Role.ADMIN}
PROBLEMS_SHOWN = 200


def _admin_region(request):
    """The region whose people the user administers: the one being served, if they are its admin."""
    region = request_region(request)
    if not holds_role_in(user=request.user, region=region, roles=ADMINS):
        raise PermissionDenied
    return region


def _list_context(request, region, *, import_form=None, report=None) -> dict:
    orgs = selectors.people_organizations(user=request.user, region=region)
    search = (request.GET.get("q") or "").strip()[:200]
    org = orgs.filter(pk=parse_id(request.GET.get("organization"))).first()
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    people = selectors.people_for_admin(
        user=request.user, region=region, search=search, organization=org, role=role
    )
    return {
        "page": Paginator(people, 50).get_page(request.GET.get("page")),
        "q": search,
        "organization": org,
        "role": role,
        "organizations": orgs.order_by("path"),
        "roles": Role.choices,
        "import_form": import_form or StaffImportForm(),
        "report": report,
    }


@login_required
def person_list(request):
    region = _admin_region(request)
    return render(request, "accounts/people.html", _list_context(request, region))


@login_required
def person_new(request):
    region = _admin_region(request)
    orgs = selectors.people_organizations(user=request.user, region=region)
    form = PersonForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user,
                **{k: data[k] for k in ("email", "organization", "role", *services.PERSON_FIELDS)},
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request, f"Сотрудник добавлен. Приглашение задать пароль отправлено на {person.email}."
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "accounts/person_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def person_import(request):
    region = _admin_region(request)
    form = StaffImportForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        allowed = None
        if not request.user.is_superuser:
            orgs = selectors.people_organizations(user=request.user, region=region)
            allowed = set(orgs.values_list("pk", flat=True))
        try:
            result = staff_import(
                region=region,
                rows=staff_parse(content=upload.read(), filename=upload.name),
                actor=request.user,
                allowed=allowed,
                dry_run=form.cleaned_data["dry_run"],
                filename=upload.name,
            )
        except StaffImportError as exc:
            report = {
                "problems": exc.problems[:PROBLEMS_SHOWN],
                "more": max(0, len(exc.problems) - PROBLEMS_SHOWN),
            }
        else:
            messages.success(request, result.summary())  # a dry run's summary says the file was checked
            return redirect("people:list")
    context = _list_context(request, region, import_form=form, report=report)
    return render(request, "accounts/people.html", context, status=400)


@login_required
def person_export(request, fmt: str):
    region = _admin_region(request)
    orgs = (
        None
        if request.user.is_superuser
        else selectors.people_organizations(user=request.user, region=region)
    )
    if fmt == "csv":
        body, ctype = staff_export_csv(region=region, organizations=orgs), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, ctype = staff_export_xlsx(region=region, organizations=orgs), XLSX_TYPE
    else:
        raise Http404("Неизвестный формат")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="staff-{region.code}.{fmt}"'
    return response


def _person(request, pk: int):
    region = _admin_region(request)
    return region, selectors.person_for_admin_or_404(user=request.user, region=region, pk=pk)


@login_required
def person_detail(request, pk: int, role_form=None, data_form=None):
    region, person = _person(request, pk)
    orgs = selectors.people_organizations(user=request.user, region=region)
    open_appeals = open_appeals_of_executor(executor=person, region=region)
    fields = ("email", *services.PERSON_FIELDS)
    return render(
        request,
        "accounts/person.html",
        {
            "person": person,
            "manageable": selectors.person_manageable(user=request.user, person=person, region=region),
            "roles_editable": request.user.is_superuser or not person.is_superuser,
            "role_form": role_form or MembershipForm(organizations=orgs),
            "data_form": data_form
            or PersonDataForm(person=person, initial={k: getattr(person, k) for k in fields}),
            "open_appeals": open_appeals[:50],
            "open_appeals_count": open_appeals.count(),
            "history": selectors.person_history(person=person)[:200],
            "is_self": person.pk == request.user.pk,
        },
        status=400 if role_form or data_form else 200,
    )


@login_required
@require_POST
def person_edit(request, pk: int):
    region, person = _person(request, pk)
    if not selectors.person_manageable(user=request.user, person=person, region=region):
        raise PermissionDenied
    form = PersonDataForm(request.POST, person=person)
    if form.is_valid():
        try:
            changed = services.person_update(user=person, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, "Данные сохранены." if changed else "Изменений нет.")
            return redirect("people:detail", pk=person.pk)
    return person_detail(request, pk, data_form=form)


@login_required
@require_POST
def person_role_add(request, pk: int):
    region, person = _person(request, pk)
    if person.is_superuser and not request.user.is_superuser:
        raise PermissionDenied
    form = MembershipForm(
        request.POST, organizations=selectors.people_organizations(user=request.user, region=region)
    )
    if not form.is_valid():
        return person_detail(request, pk, role_form=form)
    membership, created = services.membership_add(
        user=person,
        actor=request.user,
        organization=form.cleaned_data["organization"],
        role=form.cleaned_data["role"],
    )
    if created:
        messages.success(
            request, f"Роль назначена: {membership.get_role_display()} — {membership.organization}."
        )
    else:
        messages.info(request, "Эта роль у сотрудника уже есть.")
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def person_role_remove(request, pk: int, membership: int):
    region, person = _person(request, pk)
    if person.is_superuser and not request.user.is_superuser:
        raise PermissionDenied
    orgs = selectors.people_organizations(user=request.user, region=region)
    found = (
        Membership.objects.filter(pk=membership, user=person, organization__in=orgs)
        .select_related("organization")
        .first()
    )
    if found is None:
        raise Http404("Роль не найдена")
    if person.pk == request.user.pk and found.role == Role.ADMIN:
        messages.error(request, "Свою роль администратора снять нельзя: попросите другого администратора.")
    else:
        services.membership_remove(membership=found, actor=request.user)
        messages.success(request, f"Роль снята: {found.get_role_display()} — {found.organization}.")
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def person_action(request, pk: int, action: str):
    region, person = _person(request, pk)
    if action not in {"deactivate", "reactivate", "invite"}:
        raise Http404("Неизвестное действие")
    if action == "invite" and person.is_superuser and not request.user.is_superuser:
        raise PermissionDenied
    if action != "invite" and not selectors.person_manageable(
        user=request.user, person=person, region=region
    ):
        raise PermissionDenied
    if action == "deactivate":
        if person.pk == request.user.pk:
            messages.error(request, "Нельзя отключить собственную учётную запись.")
            return redirect("people:detail", pk=person.pk)
        left = open_appeals_of_executor(executor=person, region=region).count()
        services.person_deactivate(user=person, actor=request.user, open_appeals=left)
        text = "Учётная запись отключена: сотрудник больше не может войти."
        if left:
            messages.warning(
                request,
                f"{text} За ним остаются открытые обращения ({left}): передайте их другому исполнителю.",
            )
        else:
            messages.success(request, text)
    elif action == "reactivate":
        services.person_reactivate(user=person, actor=request.user)
        messages.success(request, "Учётная запись снова включена.")
    else:
        try:
            services.person_invite(user=person, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Приглашение отправлено на {person.email}.")
    return redirect("people:detail", pk=person.pk)
