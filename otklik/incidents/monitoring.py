"""What staff configure for the VK collector, and its schedule: watched sources, the region's
keywords, and the one pending poll of each source.

Every active source has one poll task at a time, scheduled with `run_after` (the house rule: no
cron sweep). The task carries the moment it was scheduled for, also kept in
`VkSource.next_poll_at`; a task whose moment is no longer the source's (the source was paused,
edited or re-armed at a worker start since) does nothing, so a chain is never doubled.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from otklik.incidents.models import MonitoringKeywords, VkSource
from otklik.lib import vk
from otklik.lib.params import too_long
from otklik.nlp.relevance import DEFAULT_KEYWORDS, phrase_lemmas
from otklik.orgs.models import Region, Territory

MAX_PHRASES = 300
MAX_PHRASE = 100
# After VK's rate limits or a failure of the network: 1, 2, 4 … minutes, at most an hour.
BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


class MonitoringError(ValueError):
    """A refused change of the monitoring settings, with a Russian reason per field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- schedule ------------------------------------------------------------------------------------


def token_configured() -> bool:
    return bool(settings.VK_SERVICE_TOKEN)


def pollable(source: VkSource) -> bool:
    return source.is_active and not source.blocked_reason


def poll_schedule(source: VkSource, at: datetime | None) -> None:
    """Make `at` the source's next poll (None: none) and enqueue its task after the commit. Call
    inside a transaction; saves `next_poll_at`."""
    from otklik.incidents import tasks

    source.next_poll_at = at
    source.save(update_fields=["next_poll_at", "updated_at"])
    if at is None or not token_configured():
        return
    source_id, stamp = source.pk, at.isoformat()
    transaction.on_commit(lambda: tasks.vk_source_poll.using(run_after=at).enqueue(source_id, stamp))


def retry_at(*, failures: int, now: datetime) -> datetime:
    """When to ask again after `failures` transient errors in a row."""
    return now + min(BACKOFF * 2 ** max(failures - 1, 0), MAX_BACKOFF)


@transaction.atomic
def polling_ensure() -> int:
    """Arm one poll of every active source (called when the worker starts). Sources stopped for a
    key refusal are resumed: the key is read from the environment, so a restart is what fixes it.
    Without a key nothing is scheduled. Returns how many polls were armed."""
    if not token_configured():
        return 0
    VkSource.objects.filter(blocked_code__in=vk.TOKEN_CODES).update(
        blocked_reason="", blocked_code=None, failures=0, updated_at=timezone.now()
    )
    now = timezone.now()
    armed = 0
    for source in VkSource.objects.select_for_update().filter(is_active=True, blocked_reason=""):
        poll_schedule(source, now)
        armed += 1
    return armed


# --- sources -------------------------------------------------------------------------------------


def _source_fields(*, region: Region, address: str, name: str, territory: Territory | None) -> dict:
    errors = {}
    try:
        screen_name = vk.parse_source_address(address)
    except ValueError as exc:
        errors["address"], screen_name = str(exc), ""
    name = (name or "").strip()
    if problem := too_long(name, 200, "Название"):
        errors["name"] = problem
    if territory is not None and territory.region_id != region.pk:
        errors["territory"] = "Территория из другого региона."
    if errors:
        raise MonitoringError(errors)
    return {"screen_name": screen_name, "name": name or f"vk.com/{screen_name}", "territory": territory}


def _save_unique(source: VkSource) -> None:
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError as exc:
        raise MonitoringError({"address": f"Источник vk.com/{source.screen_name} уже добавлен."}) from exc


@transaction.atomic
def vk_source_save(
    *,
    region: Region,
    source: VkSource | None = None,
    address: str,
    name: str = "",
    territory: Territory | None = None,
    read_comments: bool = False,
    is_active: bool = True,
) -> VkSource:
    """Add a page to watch (`source` None) or change one of `region`; an active one is polled at
    once (with a key configured). Another address is another wall: its state starts afresh. Saving
    a source stopped by a VK refusal clears the refusal (the operator says it is fixed)."""
    fields = _source_fields(region=region, address=address, name=name, territory=territory)
    if source is None:
        source = VkSource(region=region)
    else:
        source = VkSource.objects.select_for_update().get(pk=source.pk, region=region)
        if fields["screen_name"] != source.screen_name:
            source.owner_id, source.last_post_id, source.state = None, 0, {}
    for key, value in fields.items():
        setattr(source, key, value)
    source.read_comments, source.is_active = read_comments, is_active
    source.blocked_reason, source.blocked_code, source.failures = "", None, 0
    _save_unique(source)
    poll_schedule(source, timezone.now() if is_active else None)
    return source


# --- keywords ------------------------------------------------------------------------------------


def keywords_of(region: Region) -> MonitoringKeywords:
    """The region's keywords; an unsaved row with the defaults when staff have not set them."""
    found = MonitoringKeywords.objects.filter(region=region).first()
    return found or MonitoringKeywords(region=region, phrases=list(DEFAULT_KEYWORDS))


def parse_phrases(text: str) -> list[str]:
    """One phrase per line (commas and semicolons also separate); blanks and repeats dropped."""
    seen, out = set(), []
    for line in (text or "").replace(";", "\n").replace(",", "\n").splitlines():
        phrase = " ".join(line.split())
        if phrase and phrase.lower() not in seen:
            seen.add(phrase.lower())
            out.append(phrase)
    return out


@transaction.atomic
def monitoring_keywords_set(
    *, region: Region, actor, phrases: list[str], rule: str, threshold: float
) -> MonitoringKeywords:
    """Save the region's keywords and how they combine with the topic classifier."""
    errors = {}
    if not phrases:
        errors["phrases"] = "Укажите хотя бы одно слово или фразу."
    elif len(phrases) > MAX_PHRASES:
        errors["phrases"] = f"Не больше {MAX_PHRASES} слов и фраз."
    else:
        long = [p for p in phrases if len(p) > MAX_PHRASE]
        empty = [p for p in phrases if not long and not phrase_lemmas(p)]
        if long:
            errors["phrases"] = f"Фраза длиннее {MAX_PHRASE} символов: «{long[0][:40]}…»."
        elif empty:
            errors["phrases"] = f"В «{empty[0]}» нет ни одного значимого слова — уберите её."
    if rule not in MonitoringKeywords.Rule.values:
        errors["rule"] = "Выберите правило из списка."
    if not 0.05 <= threshold <= 1:
        errors["threshold"] = "Уверенность — число от 0,05 до 1."
    if errors:
        raise MonitoringError(errors)
    row = MonitoringKeywords.objects.select_for_update().filter(region=region).first()
    row = row or MonitoringKeywords(region=region)
    row.phrases, row.rule, row.threshold, row.updated_by = phrases, rule, threshold, actor
    row.save()
    return row
