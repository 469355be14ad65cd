"""The web chat (the same conversation as the Telegram bot, drawn with htmx, no CDN) and the staff's
news broadcast to Telegram subscribers."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from otklik.accounts.roles import Role
from otklik.dialogue.core import MAX_FILE_BYTES, Incoming, handle
from otklik.dialogue.forms import BroadcastForm
from otklik.dialogue.models import Broadcast
from otklik.dialogue.replies import Reply
from otklik.dialogue.services import broadcast_send
from otklik.lib import ratelimit
from otklik.orgs.current import embedding_organization, holds_role_in, request_region
from otklik.surveys.cookies import browser_token, remember

CHANNEL = "web"
TICKET_SALT = "otklik.dialogue.chat"


def _chat_id(request) -> str:
    if "chat_id" not in request.session:
        request.session["chat_id"] = uuid.uuid4().hex
    return request.session["chat_id"]


def _limited(request, chat_id: str | None = None) -> ratelimit.Refusal | None:
    """One use of the chat by this address (and this conversation); staff testing it are not counted."""
    if ratelimit.staff_exempt(request):
        return None
    counters = [("chat", ratelimit.client_address(request))]
    if chat_id:
        counters.append(("chat_session", chat_id))
    return ratelimit.hit(*counters)


def _page(request, template: str, *, widget: bool = False):
    refusal = _limited(request)
    if refusal is not None:
        return ratelimit.refuse(request, refusal)
    chat_id = _chat_id(request)
    # The page's region (`?region=`, the widget's `?org=`, the site address): the conversation moves
    # there. Its messages then carry only the chat's id and stay in the conversation's region.
    region = request_region(request)
    replies = handle(
        region=region,
        channel=CHANNEL,
        channel_user=chat_id,
        incoming=Incoming("command", "/start"),
        site_organization=embedding_organization(request, region) if widget else None,
    )
    ticket = signing.dumps(chat_id, salt=TICKET_SALT)
    return render(request, template, {"replies": replies, "chat_ticket": ticket})


def _ticket_chat_id(request) -> str | None:
    try:
        chat_id = signing.loads(
            request.POST.get("chat") or "", salt=TICKET_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
    except signing.BadSignature:
        return None
    return chat_id if isinstance(chat_id, str) and 0 < len(chat_id) <= 64 else None


def chat(request):
    return _page(request, "dialogue/chat.html")


@xframe_options_exempt
def chat_widget(request):
    """The chat inside an organization's site (loaded in an iframe by static otklik/widget.js)."""
    return _page(request, "dialogue/widget.html", widget=True)


@csrf_exempt
@require_POST
def chat_send(request):
    """One input (typed text or a pressed button); returns the new messages as an HTML fragment.

    The widget runs in a frame of an organization's site, where browsers send no cookies
    (SameSite): no session, no CSRF cookie. Its page carries the chat's id, signed, and its messages
    send it back; such a message rests on no cookie, so there is nothing for CSRF to forge. A
    message without it is the site's own chat page: session and CSRF check as usual."""
    chat_id = _ticket_chat_id(request)
    if chat_id is None:
        return _send_in_session(request)
    return _send(request, chat_id, browser_token(request, fallback=f"webchat:{chat_id}"))


@csrf_protect
def _send_in_session(request):
    return _send(request, _chat_id(request), browser_token(request))


def _send(request, chat_id: str, token: str):
    action = (request.POST.get("action") or "")[:64]
    text = request.POST.get("text") or ""
    upload = request.FILES.get("file")
    if upload is not None:
        # Read one byte past the limit: the dialogue refuses what is too big, with its own message.
        name = (upload.name or "file").replace("\x00", "")[:100]
        incoming, shown = (
            Incoming("file", "", file_name=name, file_bytes=upload.read(MAX_FILE_BYTES + 1)),
            f"📎 {name}",
        )
    elif "latitude" in request.POST:
        # The chat's 📍 (static/otklik/place.js); empty when the browser did not give a point.
        point = f"{request.POST.get('latitude', '')[:40]},{request.POST.get('longitude', '')[:40]}"
        incoming, shown = Incoming("location", point), "📍 Место на карте"
    elif action:
        incoming, shown = Incoming("button", action), (request.POST.get("label") or "")[:100]
    elif text.strip().startswith("/"):
        incoming, shown = Incoming("command", text.strip()[:100]), text.strip()[:100]
    elif text.strip():
        incoming, shown = Incoming("text", text), text
    else:
        return render(request, "dialogue/_messages.html", {"replies": [], "mine": ""})
    refusal = _limited(request, chat_id)
    if refusal is not None:
        # The refusal is the bot's reply; the chat keeps the typed text in its box (it clears the
        # box only after a successful answer), so nothing is lost and nothing reaches the dialogue.
        response = render(
            request, "dialogue/_messages.html", {"replies": [Reply(refusal.message)], "mine": ""}
        )
        return ratelimit.with_retry_after(response, refusal)
    # Surveys answered here count once per browser together with the public survey page.
    replies = handle(
        region=None,
        channel=CHANNEL,
        channel_user=chat_id,
        incoming=incoming,
        respondent_token=token,
    )
    if incoming.kind == "button" and len(replies) == 1 and replies[0].redraw:
        # A toggled choice: the message with the pressed button is drawn again in its place.
        response = render(request, "dialogue/_messages.html", {"replies": replies, "mine": ""})
        response["HX-Retarget"] = "closest li"
        response["HX-Reswap"] = "outerHTML"
    else:
        response = render(request, "dialogue/_messages.html", {"replies": replies, "mine": shown[:4000]})
    remember(response, token)
    return response


# --- staff: news to subscribers ------------------------------------------------------------------

BROADCASTERS = {Role.ADMIN, Role.COORDINATOR, Role.EDITOR}


def _broadcast_region(request):
    """The request's region, if the user may broadcast there (a superuser anywhere)."""
    region = request_region(request)
    return region if holds_role_in(user=request.user, region=region, roles=BROADCASTERS) else None


@login_required
def broadcast(request):
    region = _broadcast_region(request)
    if region is None:
        raise PermissionDenied
    form = BroadcastForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            sent = broadcast_send(
                region=region,
                category_id=form.cleaned_data["category"].pk,
                text=form.cleaned_data["text"],
                sent_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Рассылка «{sent.category}» поставлена в очередь: получателей — {sent.recipients}."
            )
            return redirect("broadcast:send")
    recent = Broadcast.objects.filter(region=region).select_related("category", "sent_by")[:20]
    return render(request, "dialogue/broadcast.html", {"form": form, "recent": recent})
