import logging
import time

from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

log = logging.getLogger("otklik.request")


class RequestLogMiddleware:
    """One structured log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path[:200],
                "status": response.status_code,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "user": getattr(getattr(request, "user", None), "pk", None),
            },
        )
        return response


NUL_MESSAGE = "Запрос содержит недопустимый символ NUL (код 0). Уберите его и отправьте запрос ещё раз."


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    data = [request.GET]
    if request.method == "POST":
        data.append(request.POST)
    # A password is only hashed, never stored or looked up as text: the login form answers it itself.
    return any(
        "\x00" in key or ("password" not in key and any("\x00" in v for v in values))
        for d in data
        for key, values in d.lists()
    )


class RefuseNulMiddleware:
    """A NUL character in the address, the query string or a form field is refused with a 400.

    No text anyone types contains it, and PostgreSQL refuses to store or even compare a string
    with it, so every lookup or save of such a value would otherwise be a 500. Django's form fields
    already refuse it; this covers the rest (numbers in the path, filters, chat buttons)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": NUL_MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)


class RegionMiddleware:
    """The request's region (`otklik.orgs.current`) and its time zone for display. A `?region=`
    naming no region gets the region picker with a 400, not an error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from otklik.orgs.current import RegionNotFound, resolve

        try:
            region = resolve(request).region
        except RegionNotFound as exc:
            return region_refused(request, exc.message)
        except DatabaseError:  # before migrations there is no table yet
            region = None
        try:
            if region is not None:
                timezone.activate(region.timezone)
            else:
                timezone.deactivate()
        except (ValueError, LookupError):  # a mistyped zone in the admin: show UTC rather than fail
            timezone.deactivate()
        return self.get_response(request)


def region_refused(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
    from otklik.orgs.current import staff_regions
    from otklik.orgs.models import Region

    user = getattr(request, "user", None)
    regions = (staff_regions(user=user) if user is not None else []) or Region.objects.order_by("name")
    return render(request, "core/region_refused.html", {"message": message, "regions": regions}, status=400)
