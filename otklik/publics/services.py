"""Every write of госпаблики: scheduled posts and their publication in VK, templates, distribution tasks.

The call to VK happens in the worker, outside any transaction (like `incidents/publishing.py`, whose
retry policy and Russian reasons of `lib/vk.py` are shared)."""

import operator
from datetime import datetime, timedelta
from functools import reduce
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from otklik.accounts.roles import Role
from otklik.incidents.models import VkCommunity
from otklik.lib import placeholders, vk
from otklik.lib.files import delete_on_commit
from otklik.lib.fonts import FontMissing, font_path
from otklik.lib.params import too_long
from otklik.orgs.models import Organization
from otklik.orgs.selectors import organization_subtree
from otklik.publics import images
from otklik.publics.models import (
    Assignment,
    AssignmentTarget,
    PictureTemplate,
    Post,
    PostTarget,
    PostTemplate,
    PublicsEvent,
)

# Who writes posts and templates, links communities and gives distribution tasks: the communications
# work of an authority is done by its administrators and coordinators.
POST_ROLES = {Role.ADMIN, Role.COORDINATOR}
# Who receives distribution tasks in a target organization.
ASSIGNEE_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.EXECUTOR}
PLACEHOLDERS = {
    "организация": "название организации, в сообщество которой уходит пост",
    "дата": "дата публикации (ДД.ММ.ГГГГ)",
    "ссылка": "ссылка поста",
}
TEMPLATE_NAME_MAX = 200
TITLE_MAX = 200
# A distribution task's reminder goes to the organizations that have not done it a day before the term.
REMIND_BEFORE = timedelta(days=1)
State = PostTarget.State


class PublicsError(Exception):
    """A refusal in Russian, shown to the person as it is."""


def placeholders_refusal(text: str) -> str:
    """The Russian refusal for placeholders we cannot fill; empty when all are known."""
    unknown = placeholders.unknown(text, PLACEHOLDERS)
    if not unknown:
        return ""
    return (
        f"Неизвестная подстановка: {placeholders.braces(unknown)}. "
        f"Можно использовать: {placeholders.braces(PLACEHOLDERS)}."
    )


def fill(text: str, *, organization: Organization | None, at: datetime, link: str) -> str:
    """The text as it goes to one community: placeholders replaced, dates in the region's zone."""
    day = timezone.localtime(at, _zone(organization)).strftime("%d.%m.%Y") if organization else ""
    values = {"организация": organization.name if organization else "", "дата": day, "ссылка": link}
    return placeholders.fill(text, values)


def _zone(organization: Organization):
    from zoneinfo import ZoneInfo

    return ZoneInfo(organization.region.timezone)


def _event(*, kind: str, actor=None, text: str = "", post: Post | None = None, assignment=None) -> None:
    PublicsEvent.objects.create(post=post, assignment=assignment, kind=kind, actor=actor, text=text)


def _check_text(text: str, *, limit: int = vk.POST_MAX_CHARS, label: str = "Текст поста") -> str:
    text = (text or "").strip()
    if not text:
        raise PublicsError(f"{label}: напишите текст.")
    refusal = too_long(text, limit, label) or placeholders_refusal(text)
    if refusal:
        raise PublicsError(refusal)
    return text


def _check_future(moment: datetime | None, *, label: str, passed: str) -> datetime:
    if moment is None:
        raise PublicsError(f"Укажите {label}.")
    # A time typed to the minute is not «in the past» during that minute.
    if moment < timezone.now().replace(second=0, microsecond=0):
        raise PublicsError(f"{label.capitalize()} уже {passed}: укажите будущее время.")
    return moment


def _in_subtree(org: Organization, root: Organization) -> bool:
    return org.path.startswith(root.path)


def organizations_below(*, organization: Organization):
    """The organizations a distribution task of `organization` may go to: its subtree without itself."""
    return (
        organization_subtree(org=organization)
        .filter(is_active=True)
        .exclude(pk=organization.pk)
        .order_by("path")
    )


def organization_community(*, organization: Organization) -> VkCommunity | None:
    """The organization's own working community, where its one-click publications go."""
    return VkCommunity.objects.filter(organization=organization, is_active=True).first()


def communities_for(*, organization: Organization):
    """The official communities a post of `organization` may go to: its own and its subtree's."""
    return (
        VkCommunity.objects.filter(organization__path__startswith=organization.path, is_active=True)
        .select_related("organization", "organization__region")
        .order_by("organization__path")
    )


# --- posts ---------------------------------------------------------------------------------------


def _schedule_task(post: Post) -> None:
    from otklik.publics import tasks

    at = post.publish_at
    transaction.on_commit(lambda: tasks.post_publish_due.using(run_after=at).enqueue(post.pk, at.isoformat()))


@transaction.atomic
def post_schedule(
    *,
    author,
    organization: Organization,
    text: str,
    link: str = "",
    publish_at: datetime | None,
    community_ids: list[int],
    image=None,
    picture: PictureTemplate | None = None,
) -> Post:
    """Schedule a post to the chosen communities of `organization`'s subtree at `publish_at`, with an
    uploaded `image` (JPEG or PNG) or a `picture` drawn per community from a picture template."""
    text = _check_text(text)
    image_type = _check_picture(organization=organization, image=image, picture=picture)
    publish_at = _check_future(publish_at, label="время публикации", passed="прошло")
    if not community_ids:
        raise PublicsError("Выберите хотя бы одно сообщество.")
    allowed = {c.pk: c for c in communities_for(organization=organization)}
    forged = [pk for pk in community_ids if pk not in allowed]
    if forged:
        raise PublicsError(
            f"Сообщество № {forged[0]} не найдено среди госпабликов «{organization.name}» и подведомственных."
        )
    for pk in dict.fromkeys(community_ids):
        refusal = too_long(
            fill(text, organization=allowed[pk].organization, at=publish_at, link=link),
            vk.POST_MAX_CHARS,
            f"Текст поста для «{allowed[pk].organization.name}» после подстановок",
        )
        if refusal:
            raise PublicsError(refusal)
    post = Post.objects.create(
        region_id=organization.region_id,
        organization=organization,
        author=author,
        text=text,
        link=link,
        publish_at=publish_at,
        picture=picture,
        image_type=image_type,
    )
    if image is not None:
        post.image.save(_file_name(image, image_type), image, save=True)
    PostTarget.objects.bulk_create(
        [PostTarget(post=post, community=allowed[pk]) for pk in dict.fromkeys(community_ids)]
    )
    _event(post=post, kind="scheduled", actor=author, text=_moment(publish_at, organization))
    _schedule_task(post)
    return post


def _check_image(upload) -> str:
    try:
        return images.check_image(upload)
    except ValidationError as exc:
        raise PublicsError(exc.messages[0]) from exc


def _file_name(upload, content_type: str) -> str:
    extension = ".png" if content_type == "image/png" else ".jpg"
    return Path(upload.name or "picture").stem[:80] + extension


def _check_picture(*, organization: Organization, image, picture: PictureTemplate | None) -> str:
    """The content type of the post's uploaded image ("" without one); refusals before anything is saved."""
    if image is not None and picture is not None:
        raise PublicsError("Выберите что-то одно: загрузите изображение или выберите шаблон картинки.")
    if picture is not None:
        # A template of the organization, of a body above it or of one below it (a school's own).
        if not (
            _in_subtree(organization, picture.organization) or _in_subtree(picture.organization, organization)
        ):
            raise PublicsError(
                f"Шаблон картинки № {picture.pk} не найден среди шаблонов «{organization.name}»."
            )
        try:
            font_path(purpose="картинок", bold=True)
        except FontMissing as exc:
            raise PublicsError(str(exc)) from exc
    return _check_image(image) if image is not None else ""


def picture_draw(
    *, template: PictureTemplate, organization: Organization, at: datetime, link: str = ""
) -> bytes:
    """The template's picture for the community of `organization`: the headline filled like a post's
    text. Raises `FontMissing` without a Cyrillic font and OSError for a lost background file."""
    headline = fill(template.headline, organization=organization, at=at, link=link)
    colors = {"background_color": template.background_color, "text_color": template.text_color}
    if not template.background:
        return images.render_picture(headline=headline, **colors)
    with template.background.open("rb") as background:
        return images.render_picture(headline=headline, background=background, **colors)


def post_picture(*, post: Post, organization: Organization) -> tuple[bytes, str] | None:
    """The picture of `post` as it goes to the community of `organization` (content, type): the
    uploaded image, or the picture template drawn for it; None for a post without a picture."""
    if post.image:
        with post.image.open("rb") as handle:
            return handle.read(), post.image_type
    if post.picture_id:
        return picture_draw(
            template=post.picture, organization=organization, at=post.publish_at, link=post.link
        ), "image/png"
    return None


def _photo(post: Post, community: VkCommunity) -> str:
    """The post's picture uploaded to the community's wall ("" without one). A picture that cannot be
    prepared is a refusal to explain, not a crash of the worker."""
    try:
        picture = post_picture(post=post, organization=community.organization)
    except FontMissing as exc:
        raise vk.VkError(str(exc), transient=False) from exc
    except OSError as exc:
        raise vk.VkError(
            "файл изображения поста не найден или повреждён — загрузите его в новый пост", transient=False
        ) from exc
    if picture is None:
        return ""
    image, content_type = picture
    return vk.upload_wall_photo(
        token=community.access_token, group_id=community.group_id, image=image, content_type=content_type
    )


def _moment(at: datetime, organization: Organization) -> str:
    return timezone.localtime(at, _zone(organization)).strftime("%d.%m.%Y %H:%M")


def _lock(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("organization__region").get(pk=post.pk)


def _editable(post: Post) -> None:
    if post.cancelled_at:
        raise PublicsError("Пост отменён.")
    if post.targets.exclude(state=State.SCHEDULED).exists() or post.publish_at <= timezone.now():
        raise PublicsError("Публикация уже началась: время изменить или отменить нельзя.")


@transaction.atomic
def post_reschedule(*, post: Post, actor, publish_at: datetime | None) -> Post:
    """Move the publication time; the task queued for the old time then does nothing."""
    post = _lock(post)
    _editable(post)
    post.publish_at = _check_future(publish_at, label="время публикации", passed="прошло")
    post.save(update_fields=["publish_at", "updated_at"])
    _event(post=post, kind="rescheduled", actor=actor, text=_moment(post.publish_at, post.organization))
    _schedule_task(post)
    return post


@transaction.atomic
def post_cancel(*, post: Post, actor) -> Post:
    """Cancel a post before its time: nothing is sent."""
    post = _lock(post)
    _editable(post)
    post.cancelled_at = timezone.now()
    post.save(update_fields=["cancelled_at", "updated_at"])
    post.targets.update(state=State.CANCELLED, updated_at=post.cancelled_at)
    _event(post=post, kind="cancelled", actor=actor)
    return post


@transaction.atomic
def post_target_retry(*, target: PostTarget, actor) -> PostTarget:
    """«Опубликовать снова» after a refusal (the token fixed, the wall opened)."""
    from otklik.publics import tasks

    target = PostTarget.objects.select_for_update().get(pk=target.pk)
    if target.state != State.FAILED:
        raise PublicsError("Снова опубликовать можно только пост, который ВКонтакте не принял.")
    target.state, target.attempts = State.SCHEDULED, 0
    target.save(update_fields=["state", "attempts", "updated_at"])
    _event(post=target.post, kind="retried", actor=actor, text=str(target.community))
    transaction.on_commit(lambda: tasks.post_target_deliver.enqueue(target.pk))
    return target


def _same_moment(stored: datetime, queued: str) -> bool:
    """Whether a task queued for `queued` is still due: the time may have been typed in the region's
    zone and read back from the database in UTC, so instants are compared, not texts."""
    try:
        return datetime.fromisoformat(queued) == stored
    except ValueError:
        return False


def post_publish_due(*, post_id: int, publish_at: str) -> str:
    """The task at the post's time: publish to every community still scheduled."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None or post.cancelled_at or not _same_moment(post.publish_at, publish_at):
        return "nothing"  # cancelled, or moved: the task of the new time publishes
    ids = list(post.targets.filter(state=State.SCHEDULED).values_list("pk", flat=True))
    return ",".join(post_target_deliver(target_id=pk) for pk in ids) or "nothing"


def post_target_deliver(*, target_id: int) -> str:
    """One attempt to publish the post in one community. The call to VK is outside any transaction."""
    target = (
        PostTarget.objects.select_related("post__picture", "community__organization__region")
        .filter(pk=target_id)
        .first()
    )
    if target is None or target.state != State.SCHEDULED or target.post.publish_at > timezone.now():
        return "nothing"
    community, post = target.community, target.post
    try:
        if not community.access_token:
            raise vk.VkError(
                "нет ключа доступа сообщества — администратору нужно сохранить его", transient=False
            )
        if not community.is_active:
            raise vk.VkError("публикация в это сообщество выключена", transient=False)
        wall = vk.wall_post(
            token=community.access_token,
            group_id=community.group_id,
            message=fill(post.text, organization=community.organization, at=post.publish_at, link=post.link),
            link=post.link,
            photo=_photo(post, community),
            # The same id on every attempt: a retry after a lost answer must not post twice.
            guid=f"otklik-post-{target.pk}",
        )
    except vk.VkError as exc:
        return _failed(target_id, exc)
    return _published(target_id, url=wall.url)


@transaction.atomic
def _published(target_id: int, *, url: str) -> str:
    target = PostTarget.objects.select_for_update().select_related("post").get(pk=target_id)
    now = timezone.now()
    target.state, target.url, target.published_at = State.PUBLISHED, url, now
    target.attempts += 1
    target.error, target.error_code = "", None
    target.save()
    _event(post=target.post, kind="published", text=url)
    # A post made for a distribution task does the task.
    AssignmentTarget.objects.filter(post_id=target.post_id, done_at__isnull=True).update(
        done_at=now, done_url=url, updated_at=now
    )
    return "published"


@transaction.atomic
def _failed(target_id: int, error: vk.VkError) -> str:
    from otklik.appeals.services import staff_email
    from otklik.publics import tasks

    target = (
        PostTarget.objects.select_for_update(of=("self",))
        .select_related("post__author", "community")
        .get(pk=target_id)
    )
    if target.state != State.SCHEDULED:
        return "nothing"
    target.attempts += 1
    target.error, target.error_code = str(error)[:1000], error.code or None
    retry_at = vk.retry_at(error, attempts=target.attempts, now=timezone.now())
    if retry_at is not None:
        target.save()
        transaction.on_commit(lambda: tasks.post_target_deliver.using(run_after=retry_at).enqueue(target_id))
        return "retry"
    target.state = State.FAILED
    target.save()
    post = target.post
    _event(post=post, kind="failed", text=f"{target.community}: {target.error}")
    if post.author_id:
        staff_email(
            users=[post.author],
            subject=f"Пост №{post.pk} не опубликован в {target.community.url}",
            text=f"Причина: {target.error}.\nОпубликуйте его снова на странице поста в Отклике.",
        )
    return "failed"


# --- templates -----------------------------------------------------------------------------------


@transaction.atomic
def template_save(
    *, organization: Organization, name: str, text: str, template: PostTemplate | None = None
) -> PostTemplate:
    """Create or change a post template; placeholders we cannot fill are refused now, not at 7 a.m."""
    name = (name or "").strip()
    if not name:
        raise PublicsError("Назовите шаблон.")
    if refusal := too_long(name, TEMPLATE_NAME_MAX, "Название шаблона"):
        raise PublicsError(refusal)
    text = _check_text(text, label="Текст шаблона")
    if template is None:
        template = PostTemplate(organization=organization)
    template.name, template.text = name, text
    template.save()
    return template


@transaction.atomic
def template_delete(*, template: PostTemplate) -> None:
    template.delete()


# --- picture templates («создание картинок») -------------------------------------------------------


@transaction.atomic
def picture_template_save(
    *,
    organization: Organization,
    name: str,
    headline: str,
    background_color: str = "#1f4e79",
    text_color: str = "#ffffff",
    background=None,
    remove_background: bool = False,
    template: PictureTemplate | None = None,
) -> PictureTemplate:
    """Create or change a picture template: a background (colour, or an uploaded JPEG/PNG drawn over
    it) and a headline with the post placeholders."""
    name = (name or "").strip()
    if not name:
        raise PublicsError("Назовите шаблон картинки.")
    if refusal := too_long(name, TEMPLATE_NAME_MAX, "Название шаблона картинки"):
        raise PublicsError(refusal)
    headline = _check_text(headline, limit=images.HEADLINE_MAX, label="Заголовок картинки")
    for value, label in ((background_color, "Цвет фона"), (text_color, "Цвет текста")):
        if refusal := images.color_refusal(value, label):
            raise PublicsError(refusal)
    background_type = _check_image(background) if background is not None else ""
    if template is None:
        template = PictureTemplate(organization=organization)
    replaced = template.background.name if (background is not None or remove_background) else ""
    template.name, template.headline = name, headline
    template.background_color, template.text_color = background_color.lower(), text_color.lower()
    if background is not None:
        template.background.save(_file_name(background, background_type), background, save=False)
    elif remove_background:
        template.background = ""
    template.save()
    if replaced:
        delete_on_commit(template.background.storage, replaced)
    return template


@transaction.atomic
def picture_template_delete(*, template: PictureTemplate) -> None:
    """Delete a picture template no post was made with (their pictures are drawn from it)."""
    background = template.background.name
    try:
        template.delete()
    except ProtectedError as exc:
        if template.posts.exists():
            numbers = ", ".join(f"№{p.pk}" for p in template.posts.order_by("pk")[:5])
            raise PublicsError(
                f"По шаблону картинки сделаны посты {numbers}: удалить его нельзя, их картинки рисуются по нему."
            ) from exc
        titles = ", ".join(f"«{a.title}»" for a in template.assignments.order_by("pk")[:3])
        raise PublicsError(
            f"Шаблон картинки выбран в задачах на распространение {titles}: удалить его нельзя, "
            "организации рисуют по нему картинки к своим записям."
        ) from exc
    if background:
        delete_on_commit(template.background.storage, background)


# --- distribution tasks --------------------------------------------------------------------------


def _remind_task(assignment: Assignment) -> None:
    from otklik.publics import tasks

    remind_at = assignment.due_at - REMIND_BEFORE
    if remind_at <= timezone.now():
        return  # a term within a day: the task itself is the reminder
    due = assignment.due_at.isoformat()
    transaction.on_commit(
        lambda: tasks.assignment_remind.using(run_after=remind_at).enqueue(assignment.pk, due)
    )


@transaction.atomic
def assignment_create(
    *,
    author,
    organization: Organization,
    title: str,
    text: str = "",
    link: str = "",
    due_at: datetime | None,
    organization_ids: list[int],
    subtree: bool = False,
    picture: PictureTemplate | None = None,
) -> Assignment:
    """Ask subordinate organizations (the chosen ones, with their subtrees if `subtree`) to spread
    the news by `due_at`, optionally with a picture template drawn for each organization."""
    title = (title or "").strip()
    if not title:
        raise PublicsError("Назовите информационный повод.")
    if refusal := too_long(title, TITLE_MAX, "Повод"):
        raise PublicsError(refusal)
    text, link = (text or "").strip(), (link or "").strip()
    if not text and not link:
        raise PublicsError("Укажите текст для публикации или ссылку для репоста.")
    if text:
        text = _check_text(text, label="Текст для публикации")
    due_at = _check_future(due_at, label="срок", passed="прошёл")
    if picture is not None and not _in_subtree(organization, picture.organization):
        # Every organization below draws it for its own community: the giver's template or one above.
        raise PublicsError(f"Шаблон картинки № {picture.pk} не найден среди шаблонов «{organization.name}».")
    _check_picture(organization=organization, image=None, picture=picture)
    if not organization_ids:
        raise PublicsError("Выберите хотя бы одну организацию.")
    below = organizations_below(organization=organization)
    chosen = {o.pk: o for o in below.filter(pk__in=organization_ids)}
    forged = [pk for pk in organization_ids if pk not in chosen]
    if forged:
        raise PublicsError(f"Организация № {forged[0]} не подведомственна «{organization.name}».")
    targets = dict(chosen)
    if subtree and chosen:  # every subtree in one query
        within = reduce(operator.or_, (Q(path__startswith=org.path) for org in chosen.values()))
        targets.update({o.pk: o for o in below.filter(within)})
    assignment = Assignment.objects.create(
        region_id=organization.region_id,
        organization=organization,
        author=author,
        title=title,
        text=text,
        link=link,
        due_at=due_at,
        picture=picture,
    )
    AssignmentTarget.objects.bulk_create(
        [AssignmentTarget(assignment=assignment, organization=org) for org in targets.values()]
    )
    _event(assignment=assignment, kind="created", actor=author, text=f"организаций: {len(targets)}")
    _remind_task(assignment)
    return assignment


@transaction.atomic
def assignment_term_change(*, assignment: Assignment, actor, due_at: datetime | None) -> Assignment:
    """Move a distribution task's term (later, or sooner but still ahead). The reminder follows: the
    one queued for the old term finds another term and does nothing, a new one is queued."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=assignment.pk)
    )
    due_at = _check_future(due_at, label="срок", passed="прошёл")
    if _same_moment(assignment.due_at, due_at.isoformat()):
        raise PublicsError("Это тот же срок.")
    old = assignment.due_at
    assignment.due_at = due_at
    assignment.save(update_fields=["due_at", "updated_at"])
    _event(
        assignment=assignment,
        kind="term_changed",
        actor=actor,
        text=f"{_moment(old, assignment.organization)} → {_moment(due_at, assignment.organization)}",
    )
    _remind_task(assignment)
    return assignment


def _lock_target(target: AssignmentTarget) -> AssignmentTarget:
    target = (
        AssignmentTarget.objects.select_for_update()
        .select_related("assignment", "organization__region")
        .get(pk=target.pk)
    )
    if target.done_at:
        raise PublicsError("Задача уже выполнена.")
    return target


@transaction.atomic
def assignment_target_publish(*, target: AssignmentTarget, actor) -> Post:
    """One click: Otklik publishes the news in the target organization's community now, by the same
    path as a scheduled post; the task is done when VK accepts it."""
    target = _lock_target(target)
    if target.post_id and target.post.targets.exclude(state=State.FAILED).exists():
        raise PublicsError("Публикация уже идёт: ссылка появится, когда ВКонтакте её примет.")
    community = organization_community(organization=target.organization)
    if community is None:
        raise PublicsError(
            "У организации нет подключённого сообщества ВКонтакте: опубликуйте сами и вставьте ссылку."
        )
    if not community.access_token:
        raise PublicsError(
            f"У сообщества «{community.name or community.url}» нет ключа доступа: администратор должен "
            "сохранить его в настройках сообщества. Пока опубликуйте сами и вставьте ссылку."
        )
    assignment = target.assignment
    post = post_schedule(
        author=actor,
        organization=target.organization,
        text=assignment.text or assignment.title,
        link=assignment.link,
        publish_at=timezone.now(),
        community_ids=[community.pk],
        picture=assignment.picture,
    )
    target.post = post
    target.save(update_fields=["post", "updated_at"])
    _event(assignment=assignment, kind="publish_requested", actor=actor, text=target.organization.name)
    return post


@transaction.atomic
def assignment_target_done(*, target: AssignmentTarget, actor, url: str) -> AssignmentTarget:
    """Mark the task done with the address of the organization's own post."""
    target = _lock_target(target)
    url = (url or "").strip()
    if not url:
        raise PublicsError("Вставьте ссылку на вашу публикацию.")
    target.done_at, target.done_url, target.done_by = timezone.now(), url, actor
    target.save(update_fields=["done_at", "done_url", "done_by", "updated_at"])
    _event(assignment=target.assignment, kind="done", actor=actor, text=f"{target.organization.name}: {url}")
    return target


def assignment_remind(*, assignment_id: int, due_at: str) -> int:
    """The task a day before the term: e-mail the staff of the organizations that have not done it."""
    from otklik.accounts.models import Membership
    from otklik.appeals.services import staff_email

    assignment = Assignment.objects.select_related("organization__region").filter(pk=assignment_id).first()
    if assignment is None or not _same_moment(assignment.due_at, due_at):
        return 0
    pending = assignment.targets.filter(done_at__isnull=True).values_list("organization_id", flat=True)
    members = Membership.objects.filter(organization_id__in=list(pending), role__in=ASSIGNEE_ROLES)
    users = {m.user_id: m.user for m in members.select_related("user").filter(user__email__gt="")}
    with transaction.atomic():
        return staff_email(
            users=users.values(),
            subject=f"Задача на распространение: «{assignment.title}» — срок {_moment(assignment.due_at, assignment.organization)}",
            text=f"{assignment.organization.name} просит разместить информацию в сообществе вашей организации"
            f" до {_moment(assignment.due_at, assignment.organization)}. Задача на главной странице Отклика.",
        )
