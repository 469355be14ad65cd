from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from otklik.accounts.selectors import user_primary_role
from otklik.core import accessibility as a11y
from otklik.core.backup import backup_state
from otklik.core.forms import AccessibilityForm
from otklik.core.selectors import health_status, mail_intake_state
from otklik.core.staff_home import home_context
from otklik.orgs.current import resolve


@require_GET
@never_cache
def health(request):
    """Liveness for load balancers and `make demo`: 200 with the database and worker state."""
    status = health_status(stale_after_s=settings.WORKER_HEARTBEAT_STALE_S)
    worker = status["processes"].get("worker")
    body = {
        "status": "ok" if status["database"] == "ok" else "degraded",
        "version": settings.VERSION,
        "database": status["database"],
        "worker_heartbeat_age_s": worker["age_s"] if worker else None,
        "worker": "absent" if worker is None else ("stale" if worker["stale"] else "ok"),
        "processes": status["processes"],
        **backup_state(),
        **mail_intake_state(),
    }
    return JsonResponse(
        body, status=200 if body["database"] == "ok" else 503, json_dumps_params={"ensure_ascii": False}
    )


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the widgets in other sites' frames,
    the error pages): the icon every other page names, instead of a 404 in the log."""
    return redirect(static("otklik/favicon.svg"), permanent=True)


def privacy(request):
    return render(request, "core/privacy.html")


def landing(request):
    username = settings.TELEGRAM_BOT_USERNAME
    return render(
        request, "core/landing.html", {"telegram_url": f"https://t.me/{username}" if username else ""}
    )


@login_required
def home(request):
    role = user_primary_role(user=request.user)
    return render(
        request,
        f"core/home_{role or 'none'}.html",
        home_context(user=request.user, role=role, region=resolve(request).region),
    )


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


API_SERVER_ERROR = (
    "Внутренняя ошибка сервера. Она записана в журнал; повторите запрос позже, а если ошибка "
    "повторяется — сообщите администратору Отклика."
)


def error_500(request):
    """The HTML page for people; JSON for integrations under /api/, which cannot read a page.
    Django has already logged the exception before calling this."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"error": API_SERVER_ERROR}, status=500, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def _back(request, target: str) -> str:
    """Where to return after changing the display: the page the person came from, on this site only."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:landing")


def accessibility(request):
    """The version for people with low vision: GET shows the settings, POST saves them in a cookie
    («on» turns on the usual low-vision set in one click, «off» returns to the ordinary site)."""
    chosen = a11y.parse(request.COOKIES.get(a11y.COOKIE))
    # Where to return: the settings form's own field, else the page the link or button was on.
    target = request.POST.get("next") or request.GET.get("next") or request.headers.get("Referer", "")
    if target.startswith(request.build_absolute_uri("/")):
        target = "/" + target[len(request.build_absolute_uri("/")) :]
    if request.method != "POST":
        form = AccessibilityForm(initial=chosen if a11y.is_on(chosen) else a11y.LOW_VISION)
        return render(request, "core/accessibility.html", {"form": form, "next": target})
    action = request.POST.get("action", "")
    if action == "on":
        chosen = dict(a11y.LOW_VISION)
    elif action == "off":
        chosen = dict(a11y.ORDINARY)
    else:
        form = AccessibilityForm(request.POST)
        if not form.is_valid():
            return render(request, "core/accessibility.html", {"form": form, "next": target}, status=400)
        chosen = form.cleaned_data
    response = redirect(_back(request, target))
    if a11y.is_on(chosen):
        response.set_cookie(
            a11y.COOKIE,
            a11y.encode(chosen),
            max_age=a11y.MAX_AGE_S,
            samesite="Lax",
            secure=request.is_secure(),
        )
        messages.success(request, "Настройки отображения сохранены.")
    else:
        response.delete_cookie(a11y.COOKIE, samesite="Lax")
        messages.success(request, "Включена обычная версия сайта.")
    return response
