"""Reads of госпаблики: what a person may see, and the progress of a distribution task."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from otklik.accounts.selectors import scoped, user_memberships
from otklik.publics.models import (
    Assignment,
    AssignmentTarget,
    PictureTemplate,
    Post,
    PostTarget,
    PostTemplate,
)
from otklik.publics.services import ASSIGNEE_ROLES, POST_ROLES


def posts_for_staff(*, user, region):
    targets = Prefetch("targets", PostTarget.objects.select_related("community__organization"))
    return (
        scoped(Post.objects.filter(region=region), user=user, roles=POST_ROLES, org_field="organization")
        .select_related("organization", "author", "picture")
        .prefetch_related(targets)
    )


def _templates(model, *, user, region):
    return scoped(
        # The region too: drawing a picture fills {дата} in the organization's time zone.
        model.objects.filter(organization__region=region).select_related("organization__region"),
        user=user,
        roles=POST_ROLES,
        org_field="organization",
    )


def templates_for_staff(*, user, region):
    return _templates(PostTemplate, user=user, region=region)


def picture_templates_for_staff(*, user, region):
    return _templates(PictureTemplate, user=user, region=region)


def assignments_for_staff(*, user, region):
    return scoped(
        Assignment.objects.filter(region=region).select_related("organization"),
        user=user,
        roles=POST_ROLES,
        org_field="organization",
    )


def assignment_targets_for_staff(*, user, region):
    """Targets the user may act on: organizations of the subtrees where he holds an assignee role."""
    return scoped(
        AssignmentTarget.objects.filter(assignment__region=region).select_related(
            "assignment__organization", "organization", "post"
        ),
        user=user,
        roles=ASSIGNEE_ROLES,
        org_field="organization",
    )


def assignments_received(*, user, region):
    """Tasks waiting for the organizations where the user works himself (not every school below a
    ministry coordinator: he gave them)."""
    own = [m.organization_id for m in user_memberships(user=user) if m.role in ASSIGNEE_ROLES]
    return (
        AssignmentTarget.objects.filter(
            assignment__region=region, organization_id__in=own, done_at__isnull=True
        )
        .select_related("assignment__organization", "organization", "post")
        .order_by("assignment__due_at", "pk")
    )


STATUS_LABELS = {"done": "выполнено", "overdue": "просрочено", "pending": "ожидает"}


@dataclass(frozen=True)
class ProgressRow:
    target: AssignmentTarget
    status: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def assignment_progress(*, assignment: Assignment, now=None) -> tuple[list[ProgressRow], dict[str, int]]:
    """Each target organization's state (done / overdue / pending) and the counts of each."""
    now = now or timezone.now()
    rows = []
    for target in assignment.targets.select_related("organization", "post").order_by("organization__path"):
        status = "done" if target.done_at else "overdue" if assignment.due_at < now else "pending"
        rows.append(ProgressRow(target, status))
    counts = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    return rows, counts


def progress_table(*, assignment: Assignment, zone):
    """The progress as a table for the CSV/XLSX download (cells made formula-safe by the writers)."""
    from otklik.analytics.summaries import Table

    rows, _ = assignment_progress(assignment=assignment)

    def moment(value):
        return timezone.localtime(value, zone).strftime("%d.%m.%Y %H:%M") if value else ""

    return Table(
        title="Исполнение",
        header=["Организация", "Состояние", "Выполнено", "Ссылка на публикацию"],
        rows=[
            [r.target.organization.name, r.label, moment(r.target.done_at), r.target.done_url] for r in rows
        ],
        note=f"Срок: {moment(assignment.due_at)}",
    )
