"""Demo: a year of citizens browsing the bot's sections with buttons, and some category subscribers.

Built from the synthetic question log (one browse for about every third question, on the same day
and top section), so that «Чаще всего открывают разделы» follows the same education calendar.
"""

from otklik.dialogue.models import Conversation, MenuOpen
from otklik.kb.models import Category, Query

ORDER = 45


def seed(ctx) -> None:
    rng = ctx.rng
    log = Query.objects.filter(region=ctx.region, is_synthetic=True, gold_article__isnull=False).values_list(
        "created_at", "channel", "gold_article_id", "gold_article__category_id"
    )
    rows = [
        MenuOpen(
            region=ctx.region,
            at=at,
            channel=channel,
            category_id=category_id,
            article_id=article_id if rng.random() < 0.6 else None,
        )
        for at, channel, article_id, category_id in log
        if rng.random() < 0.33
    ]
    MenuOpen.objects.bulk_create(rows, batch_size=2000)
    sections = list(Category.objects.filter(region=ctx.region, parent__isnull=True))
    subscribed = 0
    for n in range(1, 181):
        conversation = Conversation.objects.create(
            region=ctx.region, channel="telegram", channel_user=f"demo-{n}", state={"demo": True}
        )
        if sections and rng.random() < 0.45:
            conversation.subscriptions.add(*rng.sample(sections, k=min(len(sections), rng.randint(1, 3))))
            subscribed += 1
    ctx.say(f"Бот: открытий разделов кнопками {len(rows)}, диалогов в Telegram 180, подписаны {subscribed}.")
