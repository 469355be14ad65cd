"""The public «Вопросы и ответы» section: the knowledge base read without the chat, for citizens
(no login).

The rating under an answer rests on a signed token in the page, not on a session or cookie, so it
works with cookies off. Those two POSTs are exempt from CSRF for the same reason as the chat
widget's messages: they carry no authority of the browser that sends them (no login, no session),
so a forged one can do nothing its author could not do by loading the page and pressing the
button; and a token counts one rating, whoever sends it."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from otklik.kb import selectors, services
from otklik.kb.forms import FaqSearchForm
from otklik.lib import ratelimit
from otklik.orgs.current import request_region

RATING_SALT = "otklik.kb.faq"
RATING_AGE = 7 * 24 * 3600
STALE_PAGE = "Оценка не учтена: страница устарела. Обновите её и нажмите кнопку ещё раз."


def _limited(request) -> ratelimit.Refusal | None:
    """One search or rating by this address (every one of them writes to the query log)."""
    if ratelimit.staff_exempt(request):
        return None
    return ratelimit.hit(("faq", ratelimit.client_address(request)))


def _token(query_id: int | None = None, visitor: str | None = None) -> str:
    """Who rates: the logged search the answer came from (if any) and the page's visitor id."""
    return signing.dumps([query_id or 0, visitor or uuid.uuid4().hex], salt=RATING_SALT)


def _read_token(value: str) -> tuple[int | None, str] | None:
    try:
        query_id, visitor = signing.loads(value or "", salt=RATING_SALT, max_age=RATING_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(query_id, int) or not isinstance(visitor, str) or not 0 < len(visitor) <= 64:
        return None
    return query_id or None, visitor


@require_GET
def index(request):
    region = request_region(request)
    context = {"form": FaqSearchForm(), "searched": False}
    if "q" in request.GET:
        form = FaqSearchForm(request.GET)
        context.update(form=form, searched=True)
        refusal = _limited(request) if form.is_valid() else None
        if refusal is not None:
            # The question stays in the box, with the refusal under it; nothing is logged.
            form.add_error("q", refusal.message)
            return ratelimit.with_retry_after(render(request, "kb/faq/index.html", context), refusal)
        if form.is_valid():
            visitor = uuid.uuid4().hex
            results = services.faq_search(region=region, text=form.cleaned_data["q"], visitor=visitor)
            context["results"] = [
                {
                    "action": r.action,
                    "articles": r.articles,
                    "token": _token(r.query.pk, visitor),
                    "part": r.part,
                }
                for r in results
            ]
    if not context["searched"]:
        context["tree"] = selectors.faq_tree(region=region)
    return render(request, "kb/faq/index.html", context)


@require_GET
def section(request, slug: str):
    found = selectors.faq_section(region=request_region(request), slug=slug)
    if found is None:
        raise Http404("Такого раздела нет")
    category, groups = found
    return render(request, "kb/faq/section.html", {"category": category, "groups": groups})


@require_GET
def article(request, pk: int):
    shown = selectors.faq_article(region=request_region(request), pk=pk)
    if shown is None:
        raise Http404("Такого ответа нет")
    token = request.GET.get("t", "")
    if _read_token(token) is None:
        token = _token()
    return render(
        request, "kb/faq/article.html", {"article": shown, "token": token, "rated": request.GET.get("rated")}
    )


@csrf_exempt
@require_POST
def feedback(request, pk: int):
    region = request_region(request)
    shown = selectors.faq_article(region=region, pk=pk)
    if shown is None:
        raise Http404("Такого ответа нет")
    who = _read_token(request.POST.get("t", ""))
    helped = request.POST.get("helped")
    if who is None or helped not in {"0", "1"}:
        if request.headers.get("HX-Request"):
            return render(request, "kb/faq/_feedback.html", {"article": shown, "error": STALE_PAGE})
        messages.error(request, STALE_PAGE)
        return redirect("faq:article", pk=shown.pk)
    refusal = _limited(request)
    if refusal is not None:
        if request.headers.get("HX-Request"):
            response = render(request, "kb/faq/_feedback.html", {"article": shown, "error": refusal.message})
            return ratelimit.with_retry_after(response, refusal)
        return ratelimit.refuse(request, refusal)
    query_id, visitor = who
    services.faq_feedback(
        region=region, article=shown, helped=helped == "1", query_id=query_id, visitor=visitor
    )
    if request.headers.get("HX-Request"):
        return render(request, "kb/faq/_feedback.html", {"article": shown, "rated": helped})
    query = urlencode({"t": request.POST["t"], "rated": helped})
    return redirect(f"{reverse('faq:article', args=[shown.pk])}?{query}")


@csrf_exempt
@require_POST
def none_fits(request):
    region = request_region(request)
    who = _read_token(request.POST.get("t", ""))
    if who is not None and who[0]:
        refusal = _limited(request)
        if refusal is not None:
            return ratelimit.refuse(request, refusal)
        services.faq_none_fits(region=region, query_id=who[0])
    if request.headers.get("HX-Request"):
        return render(request, "kb/faq/_none_fits.html")
    return render(request, "kb/faq/none_fits.html")
