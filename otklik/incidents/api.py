"""REST API for monitoring systems: `POST /api/v1/incidents`, the list and one incident read back.

Same conventions as the appeals API (`appeals/api.py`): bearer token of an organization, JSON in
and out, Russian errors, never a 500 on bad input. Idempotent by the post's address (a repeat is a
new sighting) and by `external_id` (a retry is not).
"""

from django.http import JsonResponse

from otklik.appeals.api import (
    api_view,
    error_response,
    json_body,
    moment_field,
    paginate,
    query_moment,
    territory_and_topic,
)
from otklik.incidents import services
from otklik.incidents.models import Incident, Network, Source
from otklik.incidents.statuses import Status
from otklik.lib.params import too_long

UNAUTHORIZED = "Нужен токен: заголовок Authorization: Bearer <токен>."


def incident_json(incident: Incident) -> dict:
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "id": incident.pk,
        "url": incident.url,
        "network": incident.network,
        "status": incident.status,
        "status_label": incident.get_status_display(),
        "urgent": incident.urgent,
        "found_at": iso(incident.found_at),
        "due_at": iso(incident.due_at),
        "overdue": incident.overdue,
        "topic": (incident.topic or incident.topic_suggested).code
        if (incident.topic_id or incident.topic_suggested_id)
        else None,
        "territory": incident.territory.code if incident.territory_id else None,
        "organization": incident.organization.code if incident.organization_id else None,
        "mentions": incident.mentions,
        "reply_url": incident.reply_url or None,
        "answered_at": iso(incident.answered_at),
        "appeal": incident.appeal.number if incident.appeal_id else None,
        "updated_at": iso(incident.updated_at),
    }


def _response(incident: Incident, status: int) -> JsonResponse:
    return JsonResponse(incident_json(incident), status=status, json_dumps_params={"ensure_ascii": False})


def _scoped(token):
    return Incident.objects.select_related(
        "organization", "topic", "topic_suggested", "territory", "appeal"
    ).filter(organization__path__startswith=token.organization.path)


@api_view({"GET", "POST"})
def incidents(request):
    token = request.api_token
    if token is None:
        return error_response(401, UNAUTHORIZED)
    if request.method == "GET":
        return _list(request, token)
    data = json_body(request)
    if isinstance(data, JsonResponse):
        return data
    fields: dict = {}
    for key in ("url", "text"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            fields[key] = ["Обязательное поле."]
    network = data.get("network", "")
    if network and network not in Network.values:
        fields["network"] = [f"Социальная сеть — одна из: {', '.join(Network.values)}."]
    author = data.get("author", "")
    if not isinstance(author, str):
        fields["author"] = ["Ожидается строка: публичный ник автора."]
    elif problem := too_long(author.strip(), 200, "Ник автора"):
        fields["author"] = [problem]
    if not isinstance(data.get("urgent", False), bool):
        fields["urgent"] = ["Ожидается true или false."]
    external_id = data.get("external_id")
    if external_id is not None and (isinstance(external_id, bool) or not isinstance(external_id, (str, int))):
        fields["external_id"] = ["Ожидается строка или число: номер сообщения в системе мониторинга."]
    published_at, found_at = (
        moment_field(data, "published_at", fields),
        moment_field(data, "found_at", fields),
    )
    region = token.organization.region
    territory, topic = territory_and_topic(data, region, fields)
    if fields:
        return error_response(400, "Инцидент не принят: исправьте поля.", fields)
    incident, created = services.incident_register(
        region=region,
        url=data["url"],
        text=data["text"],
        network=network,
        author_nickname=author,
        published_at=published_at,
        found_at=found_at,
        territory=territory,
        topic=topic,
        urgent=data.get("urgent", False),
        source=Source.API,
        external_source=f"api:{token.organization.code}",
        external_id=str(external_id if external_id is not None else ""),
    )
    return _response(incident, 201 if created else 200)


def _list(request, token):
    """Incidents of the token's subtree, newest found first; `status`, `network` and `since` (changed
    at or after, ISO 8601 with an offset) narrow it; `limit` and `offset` page it."""
    qs, fields = _scoped(token), {}
    for key, values in (("status", Status.values), ("network", Network.values)):
        value = request.GET.get(key)
        if value and value not in values:
            fields[key] = [f"Одно из: {', '.join(values)}."]
        elif value:
            qs = qs.filter(**{key: value})
    since = query_moment(request, "since", fields)
    if fields:
        return error_response(400, "Список не получен: исправьте параметры.", fields)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    page = paginate(request, qs.order_by("-found_at", "-pk"))
    if isinstance(page, JsonResponse):
        return page
    return JsonResponse(
        {"count": page["count"], "results": [incident_json(i) for i in page["page"]]},
        json_dumps_params={"ensure_ascii": False},
    )


@api_view({"GET"})
def incident_detail(request, pk: int):
    token = request.api_token
    if token is None:
        return error_response(401, UNAUTHORIZED)
    incident = _scoped(token).filter(pk=pk).first()
    if incident is None:
        return error_response(404, "Инцидент не найден.")
    return _response(incident, 200)
