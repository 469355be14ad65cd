from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from otklik.accounts import events
from otklik.accounts.models import Citizen, CitizenIdentity, Membership, User
from otklik.accounts.roles import Role
from otklik.accounts.tasks import INVITE, RESET, staff_password_mail
from otklik.orgs.models import Organization

# The personal data of a staff member that the «Сотрудники» screen and the import change, with the
# names the history shows for them.
PERSON_FIELDS = {
    "last_name": "фамилия",
    "first_name": "имя",
    "patronymic": "отчество",
    "phone": "телефон",
    "position": "должность",
}


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    organization: Organization,
    role: str,
    last_name: str = "",
    first_name: str = "",
    patronymic: str = "",
    email: str = "",
    position: str = "",
    validate: bool = True,
) -> User:
    """Create a staff account holding `role` in `organization`."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        patronymic=patronymic,
        email=email,
        position=position,
        is_staff=role == Role.ADMIN,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def membership_grant(*, user: User, organization: Organization, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, organization=organization, role=role)
    return membership


def _sync_staff_flag(user: User) -> None:
    """Administrators reach the Django admin (scoped to their subtree); nobody else but superusers."""
    is_staff = user.is_superuser or user.memberships.filter(role=Role.ADMIN).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def _invite(user: User, *, actor: User | None, label: str = "") -> None:
    events.invited(user, actor=actor, label=label)
    staff_password_mail.enqueue(user.pk, INVITE)


def email_taken(email: str, *, exclude: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=email.strip())
    return (others.exclude(pk=exclude.pk) if exclude else others).exists()


@transaction.atomic
def person_create(
    *,
    email: str,
    organization: Organization,
    role: str,
    actor: User | None,
    actor_label: str = "",
    how: str = "",
    **person: str,
) -> User:
    """Add a staff member holding `role` in `organization`, with no password yet: they get an
    invitation to set one (sent by the worker after this transaction commits). The e-mail is the
    login; `person` holds the PERSON_FIELDS."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    if email_taken(email):
        raise ValidationError("Сотрудник с таким e-mail уже есть.")
    user = User(username=email, email=email, **{k: person.get(k, "").strip() for k in PERSON_FIELDS})
    user.set_unusable_password()
    user.save()
    events.created(user, actor=actor, label=actor_label, how=how)
    membership_add(
        user=user, organization=organization, role=role, actor=actor, actor_label=actor_label, how=how
    )
    _invite(user, actor=actor, label=actor_label)
    return user


@transaction.atomic
def person_update(
    *,
    user: User,
    actor: User | None,
    actor_label: str = "",
    how: str = "",
    email: str | None = None,
    **person: str,
) -> bool:
    """Change a staff member's personal data (PERSON_FIELDS, and the e-mail when given); returns
    whether anything changed. A login that was the old e-mail follows the new one."""
    changes = {}
    for name, label in PERSON_FIELDS.items():
        new = person.get(name)
        if new is None:
            continue
        new = new.strip()
        if getattr(user, name) != new:
            changes[label] = (getattr(user, name), new)
            setattr(user, name, new)
    if email is not None and email.strip().lower() != user.email:
        email = email.strip().lower()
        if email_taken(email, exclude=user):
            raise ValidationError("Сотрудник с таким e-mail уже есть.")
        changes["e-mail"] = (user.email, email)
        if user.username == user.email:
            user.username = email
        user.email = email
    if changes:
        user.save()
        events.updated(user, changes=changes, actor=actor, label=actor_label, how=how)
    return bool(changes)


@transaction.atomic
def membership_add(
    *,
    user: User,
    organization: Organization,
    role: str,
    actor: User | None,
    actor_label: str = "",
    how: str = "",
) -> tuple[Membership, bool]:
    """Give a staff member `role` in `organization` (and its subtree); holding it already is no error."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    membership, created = Membership.objects.get_or_create(user=user, organization=organization, role=role)
    if created:
        events.role_added(user, membership=membership, actor=actor, label=actor_label, how=how)
        _sync_staff_flag(user)
    return membership, created


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    user = membership.user
    events.role_removed(user, membership=membership, actor=actor)
    membership.delete()
    _sync_staff_flag(user)


@transaction.atomic
def person_deactivate(*, user: User, actor: User, open_appeals: int = 0) -> None:
    """Switch off a staff member's login: their sessions stop working at the next request (the auth
    backend refuses inactive users). Roles and appeals stay as they are: `open_appeals` is the number
    of open appeals still assigned to them, recorded so the history shows what was left behind."""
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    events.deactivated(user, actor=actor, open_appeals=open_appeals)


@transaction.atomic
def person_reactivate(*, user: User, actor: User) -> None:
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    events.reactivated(user, actor=actor)


@transaction.atomic
def person_invite(*, user: User, actor: User) -> None:
    """Send (again) the letter with a link to set the password."""
    if not user.is_active:
        raise ValidationError("Учётная запись отключена: сначала включите её.")
    if not user.email:
        raise ValidationError("У сотрудника не указан e-mail.")
    _invite(user, actor=actor)


@transaction.atomic
def person_password_reset_request(*, user: User) -> None:
    """The person asked for a new password («Забыли пароль?»)."""
    events.reset_requested(user)
    staff_password_mail.enqueue(user.pk, RESET)


@transaction.atomic
def person_password_set(*, user: User, password: str) -> None:
    """The person set their password through a one-time link (validated by the form)."""
    user.set_password(password)
    user.save()
    events.password_set(user)


def citizen_get_or_create(
    *, channel: str, value: str, display_name: str = "", **names: str
) -> tuple[Citizen, bool]:
    """The citizen behind a channel identity, created on first contact."""
    value = value.strip()
    if channel == CitizenIdentity.Channel.EMAIL:
        value = value.lower()
    identity = CitizenIdentity.objects.select_related("citizen").filter(channel=channel, value=value).first()
    if identity:
        return identity.citizen, False
    try:
        with transaction.atomic():
            citizen = Citizen.objects.create(display_name=display_name[:200], **names)
            CitizenIdentity.objects.create(citizen=citizen, channel=channel, value=value)
            return citizen, True
    except IntegrityError:  # a concurrent first contact created it
        return CitizenIdentity.objects.select_related("citizen").get(
            channel=channel, value=value
        ).citizen, False


def citizen_create_anonymous() -> Citizen:
    return Citizen.objects.create(is_anonymous=True)


def citizen_add_identity(*, citizen: Citizen, channel: str, value: str) -> CitizenIdentity:
    value = value.strip().lower() if channel == CitizenIdentity.Channel.EMAIL else value.strip()
    identity, _ = CitizenIdentity.objects.get_or_create(
        channel=channel, value=value, defaults={"citizen": citizen}
    )
    return identity
