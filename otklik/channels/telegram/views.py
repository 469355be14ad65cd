"""Webhook mode: Telegram POSTs each update here with the secret token we registered."""

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

log = logging.getLogger("otklik.telegram")


@csrf_exempt
@require_POST
async def webhook(request):
    if not (settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_WEBHOOK_SECRET):
        raise Http404("Telegram не настроен")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), settings.TELEGRAM_WEBHOOK_SECRET.encode()):
        return HttpResponseForbidden("wrong secret token")
    # aiogram is imported here, not at the top: the web server pays for it only in webhook mode.
    from aiogram.types import Update
    from pydantic import ValidationError

    from otklik.channels.telegram.bot import webhook_pair

    bot, dp = webhook_pair()
    try:
        update = Update.model_validate(json.loads(request.body), context={"bot": bot})
    except (ValueError, ValidationError, RecursionError):  # RecursionError: absurdly nested JSON
        return HttpResponseBadRequest("not a Telegram update")
    # Errors inside are handled (and apologised for) by the dispatcher's error middleware.
    await dp.feed_update(bot, update)
    return HttpResponse("ok", content_type="text/plain")
