"""Which region a conversation is served in, on an installation with several regions.

The web chat knows the region of its page (`otklik.orgs.current`) and passes it to `handle`: a page
of another region moves the conversation there. The Telegram bot is one for the installation: a new
citizen picks the region with buttons before anything else (`region:<code>`), and /region shows the
buttons again. Moving drops what belonged to the old region: a flow under way (its topic, territory
and survey ids are the old region's) and the news subscriptions (its categories). With one region
none of this is ever shown.
"""

from __future__ import annotations

from otklik.dialogue.models import Conversation
from otklik.dialogue.replies import MENU_BUTTON, Button, Reply
from otklik.orgs.models import Region

PENDING = "region_pending"
ACTION = "region:"
COMMAND = "/region"


def _regions() -> list[Region]:
    return list(Region.objects.order_by("name"))


def several() -> bool:
    return Region.objects.count() > 1


def picker(text: str = "Выберите ваш регион:") -> Reply:
    return Reply(text, [[Button(r.name[:60], f"{ACTION}{r.code}")] for r in _regions()])


def move(conv: Conversation, region: Region) -> None:
    """Serve the conversation in `region` from now on (nothing happens if it already is)."""
    if conv.region_id == region.pk:
        return
    conv.region = region
    conv.state.pop("flow", None)
    conv.state.pop("last_text", None)
    conv.subscriptions.clear()


def command(conv: Conversation) -> list[Reply]:
    if not several():
        return [Reply(f"Сервис работает в одном регионе: {conv.region.name}.", [[MENU_BUTTON]])]
    return [picker(f"Сейчас выбран регион: {conv.region.name}. Выберите регион:")]


def chosen(conv: Conversation, code: str) -> tuple[Region | None, list[Reply]]:
    """A pressed region button: the region it names and the replies (a picker again if it names
    none, e.g. a region removed since the buttons were sent or a forged action)."""
    region = Region.objects.filter(code=code[:20]).first()
    if region is None:
        return None, [picker("Такого региона нет. Выберите регион из списка:")]
    move(conv, region)
    conv.state.pop(PENDING, None)
    return region, [Reply(f"Регион: {region.name}. Ответы и обращения — этого региона.")]
