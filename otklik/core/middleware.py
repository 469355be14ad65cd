import logging
import time

from django.utils import timezone

log = logging.getLogger("otklik.request")


class RequestLogMiddleware:
    """One structured log line per request, and the region's time zone for display."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._tz = None

    def __call__(self, request):
        if self._tz is None:
            from otklik.orgs.selectors import region_default

            try:
                region = region_default()
                self._tz = region.timezone if region else ""
            except Exception:  # noqa: BLE001 - before migrations there is no table yet
                self._tz = ""
        if self._tz:
            timezone.activate(self._tz)
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
