"""Госпаблики in the demo: the official communities of the ministry, two municipal bodies and a
school, all without access tokens (so «нет ключа доступа» shows and nothing is ever sent to VK), two
templates, a picture template, a post scheduled for tomorrow and a distribution task (with the
picture where a font exists) with one organization done."""

from datetime import timedelta

from django.utils import timezone

from otklik.incidents.models import VkCommunity
from otklik.lib.fonts import FontMissing, font_path
from otklik.publics import services

ORDER = 65


def seed(ctx) -> None:
    region = ctx.region
    ministry = next(o for o in ctx.orgs.values() if o.kind == "ministry")
    bodies = [o for o in ctx.orgs.values() if o.kind == "municipal_body"][:2]
    school = next((o for o in ctx.orgs.values() if o.parent_id == bodies[0].pk), None)
    communities = {}
    for n, org in enumerate([ministry, *bodies, *([school] if school else [])], start=1):
        communities[org.pk] = VkCommunity.objects.create(
            region=region, organization=org, group_id=100000 + n, name=f"[Демо] {org.short_name or org.name}"
        )
    coordinator = ctx.users["coordinator"]
    services.template_save(
        organization=ministry,
        name="Анонс мероприятия",
        text="[Демо] {организация} приглашает на мероприятие. Подробности по ссылке: {ссылка}",
    )
    services.template_save(
        organization=ministry,
        name="Итоги недели",
        text="[Демо] Итоги недели на {дата}: что сделали {организация} и подведомственные учреждения.",
    )
    # Saving a picture template needs no font (drawing does), so the demo seeds on any machine.
    picture = services.picture_template_save(
        organization=ministry, name="Новости министерства", headline="[Демо] {организация}: новости {дата}"
    )
    try:  # the task draws its picture for each organization: only where a Cyrillic font exists
        font_path(purpose="картинок", bold=True)
    except FontMissing:
        picture = None
    zone = timezone.get_current_timezone()
    tomorrow = timezone.localtime(timezone.now(), zone).replace(hour=10, minute=0, second=0, microsecond=0)
    services.post_schedule(
        author=coordinator,
        organization=ministry,
        text="[Демо] {организация}: стартует приём заявлений в первый класс. Подробнее: {ссылка}",
        link="https://example.ru/demo/first-grade",
        publish_at=tomorrow + timedelta(days=1),
        community_ids=[communities[ministry.pk].pk, communities[bodies[0].pk].pk],
    )
    assignment = services.assignment_create(
        author=coordinator,
        organization=ministry,
        title="[Демо] Неделя безопасности дорожного движения",
        text="[Демо] {организация} присоединяется к Неделе безопасности дорожного движения.",
        due_at=timezone.now() + timedelta(days=3),
        organization_ids=[b.pk for b in bodies],
        subtree=True,
        picture=picture,
    )
    services.assignment_target_done(
        target=assignment.targets.get(organization=bodies[1]),
        actor=ctx.users.get("executor2") or coordinator,
        url="https://example.ru/demo/road-safety-post",
    )
    ctx.say(
        f"Госпаблики: сообществ {len(communities)} (без ключей доступа), 1 запланированный пост, "
        f"задача на распространение для {assignment.targets.count()} организаций."
    )
