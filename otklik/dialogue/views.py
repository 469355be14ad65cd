"""The web chat: the same conversation as the Telegram bot, drawn with htmx (no CDN)."""

import uuid

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from otklik.dialogue.core import Incoming, handle
from otklik.orgs.selectors import region_default

CHANNEL = "web"


def _chat_id(request) -> str:
    if "chat_id" not in request.session:
        request.session["chat_id"] = uuid.uuid4().hex
    return request.session["chat_id"]


def _region():
    region = region_default()
    if region is None:
        raise Http404("Регион не настроен")
    return region


def _page(request, template: str):
    replies = handle(
        region=_region(),
        channel=CHANNEL,
        channel_user=_chat_id(request),
        incoming=Incoming("command", "/start"),
    )
    return render(request, template, {"replies": replies})


def chat(request):
    return _page(request, "dialogue/chat.html")


@xframe_options_exempt
def chat_widget(request):
    """The chat inside an organization's site (loaded in an iframe by static otklik/widget.js)."""
    return _page(request, "dialogue/widget.html")


@require_POST
def chat_send(request):
    """One input (typed text or a pressed button); returns the new messages as an HTML fragment."""
    action = (request.POST.get("action") or "")[:64]
    text = request.POST.get("text") or ""
    if action:
        incoming, shown = Incoming("button", action), (request.POST.get("label") or "")[:100]
    elif text.strip().startswith("/"):
        incoming, shown = Incoming("command", text.strip()[:100]), text.strip()[:100]
    elif text.strip():
        incoming, shown = Incoming("text", text), text
    else:
        return render(request, "dialogue/_messages.html", {"replies": [], "mine": ""})
    replies = handle(region=_region(), channel=CHANNEL, channel_user=_chat_id(request), incoming=incoming)
    return render(request, "dialogue/_messages.html", {"replies": replies, "mine": shown[:4000]})
