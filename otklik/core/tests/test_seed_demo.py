"""`otklik seed_demo` builds the demo region from every app's contribution, once."""

import io

from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from otklik.accounts.models import Membership, User
from otklik.accounts.roles import Role
from otklik.appeals.models import Appeal, AppealEvent
from otklik.incidents.models import Incident, VkSource
from otklik.kb.models import Article, Query, QueryCluster
from otklik.orgs.models import Organization, Region, Territory
from otklik.routing.models import Topic
from otklik.routing.services import route


def test_seed_demo_builds_the_whole_demo_region_once(db, client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()

    region = Region.objects.get()
    assert region.name == "Демо-область"
    assert region.timezone == "Asia/Yekaterinburg"
    assert Territory.objects.count() >= 6
    kinds = dict(Organization.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds["ministry"] == 1
    assert kinds["municipal_body"] == Territory.objects.count()
    assert sum(kinds.get(k, 0) for k in ("school", "kindergarten", "college")) >= 30
    assert {b.parent.kind for b in Organization.objects.filter(kind="municipal_body")} == {"ministry"}

    # one account per role, each printed, each logs in and lands on its home page
    for login, role in [
        ("admin", Role.ADMIN),
        ("coordinator", Role.COORDINATOR),
        ("executor", Role.EXECUTOR),
        ("analyst", Role.ANALYST),
        ("editor", Role.EDITOR),
        ("monitor", Role.MONITOR),
    ]:
        assert Membership.objects.filter(user=User.objects.get(username=login), role=role).exists()
        assert login in printed
        assert client.login(username=login, password="otklik-demo-2026")
        assert client.get("/staff/").status_code == 200
        client.logout()

    # the topic tree starts from the seed documents' categories
    top = set(Topic.objects.filter(parent__isnull=True).values_list("name", flat=True))
    assert len(top) == 14
    for name in [
        "Дошкольное образование",
        "Общее образование",
        "Профессиональное образование",
        "Наградная политика в сфере образования",
        "Контроль качества и надзор в сфере образования",
    ]:
        assert name in top
    assert Topic.objects.filter(parent__isnull=False).count() >= 14 * 4
    assert Topic.objects.filter(urgent=True).exists()

    # routing: a kindergarten topic goes to the territory's own body, or the ministry if unknown
    territory = Territory.objects.order_by("code").first()
    kindergarten = Topic.objects.get(code="01.01")
    assert route(region=region, topic=kindergarten, territory=territory).organization.territory == territory
    assert route(region=region, topic=kindergarten, territory=None).organization.kind == "ministry"

    # the knowledge base and a year of labelled synthetic questions with an editors' queue
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() >= 80
    assert min(a.paraphrases.count() for a in Article.objects.all()) >= 3
    assert Query.objects.filter(is_synthetic=True, gold_article__isnull=False).count() > 5000
    assert QueryCluster.objects.filter(size__gte=5).exists()

    # the bot's browsing and subscribers, for «Бот в цифрах»
    from otklik.dialogue.models import Conversation, MenuOpen

    assert MenuOpen.objects.filter(article__isnull=False).count() > 1000
    assert (
        Conversation.objects.filter(channel="telegram", subscriptions__isnull=False).distinct().count() > 30
    )

    # a year of synthetic appeals with seasonality, answers, ratings and escalations
    appeals = Appeal.objects.filter(is_synthetic=True)
    assert appeals.count() > 1500
    assert appeals.filter(escalation_level=1).exists() and appeals.filter(overdue=True).exists()
    by_month = dict(
        appeals.filter(topic__parent__code="01")
        .annotate(m=ExtractMonth("registered_at"))
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    assert by_month.get(5, 0) + by_month.get(6, 0) > by_month.get(2, 0) + by_month.get(3, 0)
    assert set(AppealEvent.objects.values_list("kind", flat=True).distinct()) >= {
        "registered",
        "routed",
        "answered",
        "rated",
        "escalated",
    }
    # every channel the ПОС KPIs count, widget appeals from the organizations' sites, and the
    # coordinator's hand choices for the appeals not routed automatically
    assert set(appeals.values_list("channel", flat=True).distinct()) >= {
        "web",
        "widget",
        "telegram",
        "webchat",
        "api",
        "import",
        "hotline",
        "pos",
        "post",
        "visit",
    }
    assert set(appeals.values_list("kind", flat=True).distinct()) == {"statement", "complaint", "proposal"}
    widget = appeals.filter(channel="widget")
    assert widget.exists() and not widget.filter(widget_organization__isnull=True).exists()
    hand = AppealEvent.objects.filter(kind="routed", data__by_hand=True, appeal__is_synthetic=True)
    assert hand.count() == appeals.filter(routed_automatically=False, organization__isnull=False).count() > 0

    # a few dozen labelled synthetic incidents: answered (some late), dismissed, overdue, fresh
    incidents = Incident.objects.filter(is_synthetic=True, text__startswith="[Демо] ")
    assert incidents.count() == Incident.objects.count() == 36
    assert incidents.filter(answered_at__isnull=False).exists() and incidents.filter(overdue=True).exists()
    assert incidents.filter(status="new", due_at__gt=timezone.now()).exists()
    assert not incidents.exclude(author_nickname__startswith="demo_").exists()
    # VK sources to look at, never polled offline: the screen says there is no key
    assert VkSource.objects.filter(screen_name__startswith="demo_", next_poll_at=None).count() == 3

    # госпаблики: communities without keys (nothing is sent), a scheduled post, a distribution task
    from otklik.incidents.models import VkCommunity
    from otklik.publics.models import Assignment, Post

    assert VkCommunity.objects.filter(organization__isnull=False, access_token="").count() == 4
    assert Post.objects.get().targets.filter(state="scheduled").count() == 2
    assignment = Assignment.objects.get()
    assert assignment.targets.filter(done_at__isnull=False).count() == 1

    # every main page opens on the full demo data for the roles that use it
    pages = {
        "analyst": [
            "/staff/",
            "/staff/analytics/pains/",
            "/staff/analytics/",
            "/staff/analytics/planning/",
            "/staff/appeals/?queue=all",
        ],
        "coordinator": [
            "/staff/",
            "/staff/appeals/",
            "/staff/appeals/?queue=overdue",
            "/staff/topics/",
            "/staff/incidents/?queue=overdue",
            "/staff/incidents/figures/",
            "/staff/publics/",
            "/staff/publics/posts/new/",
            "/staff/publics/templates/",
            "/staff/publics/assignments/",
            f"/staff/publics/assignments/{assignment.pk}/",
            f"/staff/publics/posts/{Post.objects.get().pk}/",
        ],
        "executor": ["/staff/", "/staff/appeals/?queue=new", "/staff/orgs/", "/staff/publics/assignments/"],
        "editor": ["/staff/", "/staff/kb/", "/staff/kb/queue/", "/staff/kb/log/", "/staff/kb/transfer/"],
        "monitor": [
            "/staff/",
            "/staff/incidents/?queue=all",
            "/staff/incidents/new/",
            "/staff/incidents/import/",
            "/staff/incidents/monitoring/",
        ],
    }
    for login, urls in pages.items():
        client.force_login(User.objects.get(username=login))
        for url in urls:
            assert client.get(url).status_code == 200, (login, url)
    number = Appeal.objects.filter(organization__isnull=False).order_by("pk").first().number
    client.force_login(User.objects.get(username="coordinator"))
    assert client.get(f"/staff/appeals/{number}/").status_code == 200
    assert client.get(f"/staff/incidents/{incidents.first().pk}/").status_code == 200
    client.logout()
    for url in ["/", "/chat/", "/appeal/new/", "/privacy/", "/health"]:
        assert client.get(url).status_code == 200, url

    # a second run keeps everything
    before = Organization.objects.count()
    again = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=again)
    assert "уже содержит данные" in again.getvalue()
    assert Organization.objects.count() == before
