from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction

from otklik.accounts.models import Citizen, CitizenIdentity, Membership, User
from otklik.accounts.roles import Role
from otklik.orgs.models import Organization


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
