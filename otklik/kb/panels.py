"""The knowledge-base editor's home page panels, and who counts as an editor where.

Kept apart from views.py: apps.ready() imports this module in every process, and the views pull in
the answer engine, which takes a second to import.
"""

from datetime import timedelta

from django.utils import timezone

from otklik.accounts.roles import Role
from otklik.accounts.selectors import user_memberships
from otklik.core.staff_home import register_panel
from otklik.kb import selectors
from otklik.kb.models import Article, Suggestion
from otklik.orgs.current import holds_role_in

EDITORS = {Role.EDITOR, Role.ADMIN}
FIGURES_DAYS = 30


def editor_region(user, region):
    """`region` (the request's) if the user edits there — a superuser anywhere; else None."""
    if region is None or not holds_role_in(user=user, region=region, roles=EDITORS):
        return None
    return region


def is_region_editor(user, region) -> bool:
    """Region-wide articles, the queue and import belong to editors at the top of the region's tree."""
    return user.is_superuser or any(
        m.role in EDITORS and m.organization.parent_id is None and m.organization.region_id == region.pk
        for m in user_memberships(user=user)
    )


def _in_scope(qs, user):
    scope = selectors.kb_editor_scope_q(user=user)
    return qs if scope is None else qs.filter(scope)


@register_panel(Role.EDITOR)
def review_panel(user, region) -> dict | None:
    """Published articles whose review date has come, and drafts, among those the editor may change."""
    region = editor_region(user, region)
    if region is None:
        return None
    due = _in_scope(selectors.articles_due_for_review(region=region), user)
    drafts = _in_scope(Article.objects.filter(region=region, status=Article.Status.DRAFT), user)
    return {
        "template": "kb/_panel_review.html",
        "title": "Пора пересмотреть",
        "total": due.count(),
        "articles": list(due.only("pk", "question", "review_at")[:5]),
        "drafts": drafts.count(),
    }


@register_panel(Role.EDITOR)
def queue_panel(user, region) -> dict | None:
    region = editor_region(user, region)
    if region is None:
        return None
    clusters = selectors.queue_clusters(region=region)
    return {
        "template": "kb/_panel_queue.html",
        "title": "Очередь редактора",
        "total": clusters.count(),
        "top": list(clusters.only("pk", "label", "size")[:3]),
        "suggestions": Suggestion.objects.filter(region=region, status=Suggestion.Status.NEW).count(),
    }


@register_panel(Role.EDITOR)
def bot_panel(user, region) -> dict | None:
    region = editor_region(user, region)
    if region is None:
        return None
    return {
        "template": "kb/_panel_bot.html",
        "title": "Бот в цифрах",
        "days": FIGURES_DAYS,
        "figures": selectors.bot_figures(region=region, since=timezone.now() - timedelta(days=FIGURES_DAYS)),
    }
