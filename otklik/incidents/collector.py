"""The VK collector: one pass over a watched wall finds the new posts (and, for sources that ask,
new comments under recent posts), keeps those about the region's education and registers each
as an incident through `services.incident_register`.

* **Nothing read twice, nothing skipped.** `VkSource.last_post_id` is the newest post already
  judged; a pass reads `wall.get` pages (newest first, overlapping by a few posts so that a post
  deleted meanwhile does not shift one past us) until it reaches it. Post ids only grow on a wall.
  The first pass of a source reads `VK_MONITOR_LOOKBACK_H` hours back: an old wall is not news.
  Comments: each recent post's comment count is remembered in `VkSource.state`; a post whose count
  grew has its new comments (ids above the last seen under it) read with `wall.getComments`.
* **Irrelevant posts are counted, not stored**: the text of a city public's posts about anything
  else is citizens' data the authority has no business keeping (152-ФЗ: collect what the purpose
  needs). The counters on the source say how much was read.
* **The reaction term starts when the collector found the post** (`found_at` = the pass), like
  every other intake: the term measures the authority's reaction from the moment it could know,
  and a post from before a source was added is not born overdue. `published_at` keeps VK's date.
* **Duplicates**: the post's id on the wall is the incident's external id (`vk_monitoring`), so a
  post read again is recognised before any work; a post staff registered by hand becomes a repeat
  sighting of that incident, as from an import.
* **VK failing** never crashes a pass: a transient error (rate limits, VK's own errors, HTTP 5xx,
  timeouts, answers that are not VK's JSON) is recorded and the source is asked again later with
  backoff; a refusal about the page (closed, deleted, not found) stops the source with the reason
  in Russian until staff fix it. One malformed or failing item is counted and logged; the others go
  on, and an item that failed unexpectedly is read again in the next pass (three times at most).
Calls to VK happen outside transactions; each registration has its own.
"""

import copy
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from otklik.incidents import events, monitoring
from otklik.incidents.models import (
    Incident,
    IncidentExternalId,
    MonitoringKeywords,
    Network,
    Source,
    VkSource,
)
from otklik.incidents.services import MAX_TEXT, IncidentError, incident_register, normalize_url
from otklik.lib import vk
from otklik.nlp.relevance import COMPLAINT_CUES, URGENT_CUES, PhraseMatcher, text_lemmas

log = logging.getLogger("otklik.incidents.collector")
PAGE = 100
OVERLAP = 5
# 1000 posts between two polls of one wall is far beyond any education public; past it the pass
# takes what it read and says so on the sources screen.
MAX_PAGES = 10
MAX_ATTEMPTS = 3
EXTERNAL = "vk_monitoring"


@dataclass
class PassReport:
    """What one pass over a source did; `error` is VK's refusal or failure, if any."""

    source: VkSource
    read: int = 0
    relevant: int = 0
    created: int = 0
    duplicates: int = 0
    errors: int = 0
    error: str = ""
    code: int = 0
    transient: bool = True
    skipped: str = ""
    # Worth telling staff, not a failure: does not slow the polling down.
    notice: str = ""

    def fail(self, exc: vk.VkError) -> None:
        self.error, self.code, self.transient = str(exc)[:1000], exc.code, exc.transient
        self.errors += 1


@dataclass
class Item:
    """A post or comment as the collector judges it."""

    id: int
    external_id: str
    url: str
    text: str
    date: datetime
    author: str


@dataclass
class Verdict:
    relevant: bool
    keywords: list[str] = field(default_factory=list)
    complaint: list[str] = field(default_factory=list)
    danger: list[str] = field(default_factory=list)


class Relevance:
    """The region's rule: its keywords, and the topic classifier where the rule asks for it."""

    def __init__(self, keywords: MonitoringKeywords):
        self.region_id = keywords.region_id
        self.rule, self.threshold = keywords.rule, keywords.threshold
        self.keywords = PhraseMatcher(keywords.phrases)
        self.complaint, self.danger = PhraseMatcher(COMPLAINT_CUES), PhraseMatcher(URGENT_CUES)

    def judge(self, text: str) -> Verdict:
        words = text_lemmas(text)
        hits = self.keywords.hits(words)
        relevant = bool(hits)
        Rule = MonitoringKeywords.Rule
        if self.rule == Rule.BOTH and relevant or self.rule == Rule.EITHER and not relevant:
            from otklik.appeals.classifier import suggest_topic

            _, confidence = suggest_topic(region_id=self.region_id, text=text)
            relevant = confidence >= self.threshold
        if not relevant:
            return Verdict(False)
        return Verdict(True, hits, self.complaint.hits(words), self.danger.hits(words))


# --- reading VK ----------------------------------------------------------------------------------


def _positive(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _date(raw: dict, now: datetime) -> datetime:
    """VK's unix time; a missing, absurd or future one is the moment of reading."""
    value = raw.get("date")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 32503680000:
        return min(datetime.fromtimestamp(value, tz=UTC), now)
    return now


def _names(page: dict) -> dict[int, str]:
    names = {}
    for person in page["profiles"]:
        if pid := _positive(person.get("id")):
            full = f"{person.get('first_name') or ''} {person.get('last_name') or ''}"
            names[pid] = f"{vk.clean_text(full, 150) or 'Пользователь'} (vk.com/id{pid})"
    for group in page["groups"]:
        if gid := _positive(group.get("id")):
            names[-gid] = f"{vk.clean_text(group.get('name'), 150) or 'Сообщество'} (vk.com/club{gid})"
    return names


def _author(raw: dict, names: dict[int, str]) -> str:
    who = raw.get("signer_id") or raw.get("from_id")
    if not isinstance(who, int) or isinstance(who, bool) or who == 0:
        return ""
    fallback = f"vk.com/id{who}" if who > 0 else f"vk.com/club{-who}"
    return vk.clean_text(names.get(who, fallback), 200)


def _post_text(raw: dict) -> str:
    parts = [raw.get("text")]
    # A repost's own words are empty more often than not; what it shares is the post.
    for shared in raw.get("copy_history") or []:
        if isinstance(shared, dict):
            parts.append(shared.get("text"))
    return vk.clean_text("\n\n".join(p for p in parts if isinstance(p, str) and p.strip()), MAX_TEXT)


@dataclass
class Wall:
    posts: dict[int, dict]
    names: dict[int, str]
    malformed: int = 0
    overflow: bool = False


def _read_wall(*, token: str, owner: int, last: int, horizon: datetime, now: datetime) -> Wall:
    """Pages of the wall down to the last judged post and back to `horizon` (older posts only
    matter for their comments). Malformed items are counted."""
    wall = Wall(posts={}, names={})
    offset = 0
    for _ in range(MAX_PAGES):
        page = vk.wall_get(token=token, owner_id=owner, offset=offset, count=PAGE)
        wall.names.update(_names(page))
        done = len(page["items"]) < PAGE
        for raw in page["items"]:
            post_id = _positive(raw.get("id")) if isinstance(raw, dict) else None
            if post_id is None:
                wall.malformed += 1
                continue
            wall.posts[post_id] = raw
            # Before the first pass there is no last post: the horizon alone ends the reading.
            judged = post_id <= last or last == 0
            if not raw.get("is_pinned") and judged and _date(raw, now) < horizon:
                done = True
        if done:
            return wall
        offset += PAGE - OVERLAP
    wall.overflow = True
    return wall


def _read_comments(*, token: str, owner: int, post_id: int, last: int) -> tuple[list[dict], dict, int]:
    """Comments under a post newer than comment `last`, thread replies included (each once, though
    pages overlap); the authors' names; how many items were malformed."""
    found, names, malformed, offset = {}, {}, 0, 0
    for _ in range(MAX_PAGES):
        page = vk.wall_get_comments(token=token, owner_id=owner, post_id=post_id, offset=offset, count=PAGE)
        names.update(_names(page))
        reached = len(page["items"]) < PAGE
        for raw in page["items"]:
            comment_id = _positive(raw.get("id")) if isinstance(raw, dict) else None
            if comment_id is None:
                malformed += 1
                continue
            if comment_id <= last:
                reached = True
            else:
                found[comment_id] = {**raw, "_thread": None}
            thread = raw.get("thread") if isinstance(raw.get("thread"), dict) else {}
            replies = thread.get("items") if isinstance(thread.get("items"), list) else []
            for reply in replies:
                reply_id = _positive(reply.get("id")) if isinstance(reply, dict) else None
                if reply_id is None:
                    malformed += 1
                elif reply_id > last:
                    found[reply_id] = {**reply, "_thread": comment_id}
        if reached:
            break
        offset += PAGE - OVERLAP
    return list(found.values()), names, malformed


# --- one pass ------------------------------------------------------------------------------------


class _Pass:
    def __init__(self, source: VkSource, *, dry_run: bool, now: datetime):
        self.source, self.dry_run, self.now = source, dry_run, now
        self.report = PassReport(source)
        self.relevance = Relevance(monitoring.keywords_of(source.region))
        self.state = copy.deepcopy(source.state) if isinstance(source.state, dict) else {}
        failing = self.state.get("failing")
        self.failing: dict[str, int] = failing if isinstance(failing, dict) else {}
        self.state["failing"] = self.failing
        self.changes: dict = {}

    def take(self, item: Item) -> bool:
        """Judge and register one item; False if it failed in a way worth another try."""
        report = self.report
        try:
            verdict = self.relevance.judge(item.text) if item.text else Verdict(False)
            if not verdict.relevant:
                return True
            report.relevant += 1
            if IncidentExternalId.objects.filter(source=EXTERNAL, external_id=item.external_id).exists():
                report.duplicates += 1
                return True
            if self.dry_run:  # what the registration would say, without it
                known = Incident.objects.filter(url=normalize_url(item.url)).exists()
                report.duplicates += known
                report.created += not known
                return True
            with transaction.atomic():
                incident, created = incident_register(
                    region=self.source.region,
                    url=item.url,
                    text=item.text,
                    network=Network.VK,
                    author_nickname=item.author,
                    published_at=item.date,
                    found_at=self.now,
                    territory=self.source.territory,
                    urgent=bool(verdict.danger),
                    source=Source.MONITORING,
                    external_source=EXTERNAL,
                    external_id=item.external_id,
                    vk_source=self.source,
                )
                if created:
                    events.detected(
                        incident,
                        source=self.source,
                        keywords=verdict.keywords,
                        complaint=verdict.complaint,
                        danger=verdict.danger,
                        at=self.now,
                    )
            if created:
                report.created += 1
            else:
                report.duplicates += 1
        except IncidentError as exc:  # the item itself is unfit: another try changes nothing
            report.errors += 1
            log.warning(
                "vk item refused", extra={"item": item.external_id, "reason": "; ".join(exc.messages)}
            )
        except Exception:
            report.errors += 1
            attempts = self.failing.get(item.external_id, 0) + 1
            log.exception("vk item failed", extra={"item": item.external_id, "attempt": attempts})
            if attempts < MAX_ATTEMPTS:
                self.failing[item.external_id] = attempts
                return False
            self.failing.pop(item.external_id, None)
            return True
        self.failing.pop(item.external_id, None)
        return True

    def take_all(self, items: list[Item], last: int) -> int:
        """Take items oldest first; the new cursor: the newest id, or just below the oldest one to
        retry."""
        retry = [item.id for item in sorted(items, key=lambda i: i.id) if not self.take(item)]
        newest = max([last, *(item.id for item in items)])
        return min(retry) - 1 if retry else newest

    def posts(self, token: str, owner: int) -> Wall:
        source, now = self.source, self.now
        last = source.last_post_id
        comments_from = now - timedelta(days=settings.VK_MONITOR_COMMENT_DAYS)
        first_from = now - timedelta(hours=settings.VK_MONITOR_LOOKBACK_H)
        horizon = comments_from if source.read_comments else now + timedelta(days=1)
        if last == 0:
            horizon = min(horizon, first_from)
        wall = _read_wall(token=token, owner=owner, last=last, horizon=horizon, now=now)
        self.report.errors += wall.malformed
        new = [
            self.item(owner, raw, wall.names)
            for post_id, raw in wall.posts.items()
            if post_id > last and (last > 0 or _date(raw, now) >= first_from)
        ]
        self.report.read += len(new)
        self.changes["last_post_id"] = self.take_all(new, last)
        if wall.overflow:
            self.report.notice = f"на стене больше {MAX_PAGES * PAGE} новых записей: прочитаны последние"
        return wall

    def comments(self, token: str, owner: int, wall: Wall) -> None:
        """New comments under the posts of the last days whose comment count has grown."""
        cutoff = self.now - timedelta(days=settings.VK_MONITOR_COMMENT_DAYS)
        known = self.state.get("posts") if isinstance(self.state.get("posts"), dict) else {}
        watched = {}
        for post_id, raw in sorted(wall.posts.items()):
            if _date(raw, self.now) < cutoff:
                continue
            seen = known.get(str(post_id)) if isinstance(known.get(str(post_id)), dict) else {}
            entry = {"count": int(seen.get("count") or 0), "last": int(seen.get("last") or 0)}
            watched[str(post_id)] = entry
            counter = raw.get("comments")
            count = counter.get("count") if isinstance(counter, dict) else 0
            count = count if isinstance(count, int) and not isinstance(count, bool) else 0
            if count <= entry["count"]:
                continue
            try:
                found, names, malformed = _read_comments(
                    token=token, owner=owner, post_id=post_id, last=entry["last"]
                )
            except vk.VkError as exc:
                if exc.transient:
                    raise
                # Comments closed or hidden under this post only: the source itself is fine.
                entry["count"] = count
                continue
            self.report.errors += malformed
            items = [self.comment(owner, post_id, raw, names | wall.names) for raw in found]
            self.report.read += len(items)
            entry["last"] = self.take_all(items, entry["last"])
            if entry["last"] >= max([0, *(i.id for i in items)]):
                entry["count"] = count
        self.state["posts"] = watched

    def item(self, owner: int, raw: dict, names: dict) -> Item:
        post_id = raw["id"]
        return Item(
            id=post_id,
            external_id=f"wall{owner}_{post_id}",
            url=f"https://vk.com/wall{owner}_{post_id}",
            text="" if raw.get("is_deleted") or raw.get("deleted") else _post_text(raw),
            date=_date(raw, self.now),
            author=_author(raw, names),
        )

    def comment(self, owner: int, post_id: int, raw: dict, names: dict) -> Item:
        comment_id = raw["id"]
        thread = f"&thread={raw['_thread']}" if raw.get("_thread") else ""
        deleted = raw.get("deleted") or raw.get("is_deleted")
        return Item(
            id=comment_id,
            external_id=f"wall{owner}_{post_id}_r{comment_id}",
            url=f"https://vk.com/wall{owner}_{post_id}?reply={comment_id}{thread}",
            text="" if deleted else vk.clean_text(raw.get("text"), MAX_TEXT),
            date=_date(raw, self.now),
            author=_author(raw, names),
        )

    def run(self) -> PassReport:
        token = settings.VK_SERVICE_TOKEN
        source = self.source
        try:
            owner = source.owner_id or vk.resolve_owner(token=token, screen_name=source.screen_name)
            self.changes["owner_id"] = owner
            wall = self.posts(token, owner)
            if source.read_comments:
                self.comments(token, owner, wall)
        except vk.VkError as exc:
            self.report.fail(exc)
        self.changes["state"] = self.state
        if not self.dry_run:
            _save(source, self.report, self.changes, self.now)
        return self.report


@transaction.atomic
def _save(source: VkSource, report: PassReport, changes: dict, now: datetime) -> None:
    fresh = VkSource.objects.select_for_update().get(pk=source.pk)
    if fresh.screen_name != source.screen_name:
        return  # another address was saved meanwhile: its wall starts afresh
    if "last_post_id" in changes:
        changes["last_post_id"] = max(fresh.last_post_id, changes["last_post_id"])
    for name, value in changes.items():
        setattr(fresh, name, value)
    fresh.last_polled_at, fresh.last_read = now, report.read
    fresh.total_read += report.read
    if report.error or report.notice:
        fresh.last_error, fresh.last_error_at = report.error or report.notice, now
    if report.error and not report.transient:
        fresh.blocked_reason, fresh.blocked_code = report.error, report.code or None
    fresh.failures = fresh.failures + 1 if report.error and report.transient else 0
    fresh.save()
    source.failures, source.blocked_reason = fresh.failures, fresh.blocked_reason


def source_collect(*, source: VkSource, dry_run: bool = False) -> PassReport:
    """One pass over a source (see the module's docstring). A dry run reads VK and judges but
    writes nothing: no incidents, no cursor."""
    report = PassReport(source)
    if not monitoring.token_configured():
        report.skipped = "нет ключа доступа"
    elif source.blocked_reason:
        report.skipped = f"опрос остановлен: {source.blocked_reason}"
    elif not source.is_active:
        report.skipped = "опрос выключен"
    if report.skipped:
        return report
    return _Pass(source, dry_run=dry_run, now=timezone.now()).run()


def vk_source_poll(*, source_id: int, scheduled_for: str) -> str:
    """The worker's poll of one source, then the next one: after the interval, sooner-then-longer
    after a transient error (backoff), none after a refusal that stops the source."""
    source = VkSource.objects.select_related("region", "territory").filter(pk=source_id).first()
    if source is None or not _current(source, scheduled_for) or not monitoring.pollable(source):
        return "stale"
    if not monitoring.token_configured():
        return "no key"  # a key needs a restart of the worker, which arms every source again
    report = source_collect(source=source)
    _reschedule(source_id, scheduled_for, report)
    if report.error:
        return "retry" if report.transient else "stopped"
    return "done"


def _current(source: VkSource, scheduled_for: str) -> bool:
    return source.next_poll_at is not None and source.next_poll_at.isoformat() == scheduled_for


@transaction.atomic
def _reschedule(source_id: int, scheduled_for: str, report: PassReport) -> None:
    source = VkSource.objects.select_for_update().get(pk=source_id)
    if not _current(source, scheduled_for):
        return  # paused or edited during the pass: the change has scheduled what it needs
    now = timezone.now()
    if not monitoring.pollable(source):
        at = None
    elif report.error and report.transient:
        at = monitoring.retry_at(failures=source.failures, now=now)
    else:
        at = now + timedelta(seconds=settings.VK_MONITOR_INTERVAL_S)
    monitoring.poll_schedule(source, at)
