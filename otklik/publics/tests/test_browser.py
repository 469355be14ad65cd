"""A real browser (Debian Chromium via Playwright): a coordinator schedules a post to two official
communities on the live server and lands on its card."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_a_coordinator_schedules_a_post_on_the_screen(publics, staff_page):
    from playwright.sync_api import expect

    from otklik.publics.models import Post

    zone = ZoneInfo(publics.region.timezone)
    at = (datetime.now(zone) + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    page = staff_page(publics.coordinator, "/staff/publics/posts/new/")
    expect(page.get_by_text("нет ключа доступа")).to_have_count(1)  # school A's community
    page.get_by_label("Текст поста").fill("{организация}: открыта запись на летние смены.")
    page.get_by_label("Ссылка (необязательно)").fill("https://minobr.example.ru/summer")
    page.get_by_label("Время публикации").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Министерство образования — Паблик 101").check()
    page.get_by_label("Управление образования А — Паблик 202").check()
    page.get_by_role("button", name="Запланировать публикацию").click()

    post = Post.objects.get()
    expect(page.get_by_role("status")).to_have_text(f"Пост №{post.pk} запланирован.")
    expect(page.locator("#publish-at")).to_have_text(at.strftime("%d.%m.%Y %H:%M"))
    expect(page.get_by_text("запланирован", exact=True)).to_have_count(2)
    assert post.publish_at == at.astimezone(UTC)
    assert sorted(post.targets.values_list("community__group_id", flat=True)) == [101, 202]
