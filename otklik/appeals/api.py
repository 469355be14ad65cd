"""REST API /api/v1/ for integrations: plain Django views, JSON in and out, bearer tokens.

A token belongs to an organization and sees that organization's subtree. Citizens read their own
appeal with its access secret. Every error is JSON with a Russian message; nothing returns 500 on
bad input.
"""

import hashlib
import json
import secrets
from datetime import datetime
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from otklik.appeals import services
from otklik.appeals.models import ApiToken, Appeal, Channel, Kind
from otklik.appeals.selectors import appeal_timeline
from otklik.lib import geo, ratelimit
from otklik.lib.params import parse_moment
from otklik.orgs.models import Territory
from otklik.routing.models import Topic

MAX_BODY = 1024 * 1024
KIND_CHOICES = f"Вид обращения — одно из: {', '.join(Kind.values)} (предложение, заявление, жалоба)."
PAGE_MAX = 100


def token_create(*, organization, name: str) -> str:
    """A new token, shown once; only its hash is kept."""
    key = "otk_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        organization=organization,
        name=name[:200],
        prefix=key[:8],
        key_hash=hashlib.sha256(key.encode()).hexdigest(),
    )
    return key


def error_response(status: int, message: str, fields: dict | None = None) -> JsonResponse:
    body = {"error": message}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _token(request) -> ApiToken | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme not in {"Bearer", "Token"} or not key:
        return None
    digest = hashlib.sha256(key.strip().encode()).hexdigest()
    return ApiToken.objects.select_related("organization").filter(key_hash=digest, is_active=True).first()


def _limited(request) -> ratelimit.Refusal | None:
    """One request of this token, or, without a valid one (a citizen's read, a wrong token), of this
    address."""
    token = request.api_token
    if token is not None:
        return ratelimit.hit(("api_token", str(token.pk)))
    return ratelimit.hit(("api_address", ratelimit.client_address(request)))


def api_view(methods: set[str]):
    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return error_response(405, f"Метод {request.method} не поддерживается.")
            request.api_token = _token(request)
            refusal = _limited(request)
            if refusal is not None:
                return ratelimit.refuse(request, refusal)
            if request.api_token is not None:
                ApiToken.objects.filter(pk=request.api_token.pk).update(last_used_at=timezone.now())
            elif request.headers.get("Authorization"):
                return error_response(401, "Токен не найден или отозван.")
            try:
                return view(request, *args, **kwargs)
            except ValidationError as exc:
                fields = exc.message_dict if hasattr(exc, "error_dict") else None
                return error_response(409 if fields is None else 400, " ".join(exc.messages), fields)

        return wrapper

    return decorator


def json_body(request) -> dict | JsonResponse:
    if request.content_type != "application/json":
        return error_response(415, "Тело запроса должно быть JSON (Content-Type: application/json).")
    if len(request.body) > MAX_BODY:
        return error_response(413, "Тело запроса больше 1 МБ.")
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, "Тело запроса — не корректный JSON.")
    except RecursionError:
        return error_response(400, "Тело запроса — JSON со слишком глубокой вложенностью.")
    if not isinstance(data, dict):
        return error_response(400, "Ожидается JSON-объект.")
    if _has_nul(data):
        return error_response(400, "Строки в JSON не должны содержать символ NUL (\\u0000).")
    return data


def _has_nul(data) -> bool:
    """Whether a string anywhere in parsed JSON holds a NUL, which PostgreSQL cannot store."""
    pending = [data]
    while pending:  # not recursive: JSON may nest as deep as the parser allows
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def moment_field(data: dict, key: str, fields: dict) -> datetime | None:
    """`data[key]` as an ISO 8601 date and time with a time zone, None when absent. Anything else
    (not a string, not a date, an impossible date, no offset) is a Russian problem in `fields`: a
    time without an offset would be read in the server's zone, which the caller never meant."""
    value = data.get(key)
    if value is None:
        return None
    moment = parse_moment(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        fields[key] = ["Дата и время в ISO 8601 с часовым поясом, например 2026-03-02T10:15:00+05:00."]
    return moment


def query_moment(request, key: str, fields: dict) -> datetime | None:
    """`moment_field` for a query-string parameter."""
    if key not in request.GET:
        return None
    # An unescaped "+" of the offset arrives as a space in a query string.
    return moment_field({key: request.GET[key].replace(" ", "+")}, key, fields)


def territory_and_topic(data: dict, region, fields: dict) -> tuple[Territory | None, Topic | None]:
    """The territory and topic named by code in `data`; unknown codes are added to `fields`."""
    territory = topic = None
    if data.get("territory") is not None:
        territory = Territory.objects.filter(region=region, code=str(data["territory"])[:20]).first()
        if territory is None:
            fields["territory"] = ["Территория с таким кодом не найдена."]
    if data.get("topic") is not None:
        topic = Topic.objects.filter(region=region, code=str(data["topic"])[:40]).first()
        if topic is None:
            fields["topic"] = ["Тематика с таким кодом не найдена."]
    return territory, topic


def _in_scope(token: ApiToken, appeal: Appeal) -> bool:
    return appeal.organization_id is not None and appeal.organization.path.startswith(token.organization.path)


def _appeal_json(appeal: Appeal, *, full: bool) -> dict:
    body = {
        "number": appeal.number,
        "status": appeal.status,
        "status_label": appeal.get_status_display(),
        "channel": appeal.channel,
        "kind": appeal.kind,
        "registered_at": appeal.registered_at.isoformat(),
        "received_at": appeal.start_at.isoformat(),
        "due_at": appeal.due_at.isoformat() if appeal.due_at else None,
        "topic": appeal.topic.code
        if appeal.topic_id
        else (appeal.topic_suggested.code if appeal.topic_suggested_id else None),
        "organization": appeal.organization.code if appeal.organization_id else None,
        "answer": appeal.answer_text or None,
        "rating": appeal.rating,
        "events": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "label": e.get_label(),
                "text": e.text,
                "public": e.public,
            }
            for e in appeal_timeline(appeal=appeal, public_only=not full)
        ],
    }
    if full:
        body.update(
            {
                "text": appeal.text,
                "territory": appeal.territory.code if appeal.territory_id else None,
                "external_id": appeal.external_id or None,
                "place": appeal.place or None,
                "location": {"lat": appeal.latitude, "lon": appeal.longitude}
                if appeal.latitude is not None
                else None,
                "overdue": appeal.overdue,
                "updated_at": appeal.updated_at.isoformat(),
            }
        )
    return body


@api_view({"GET", "POST"})
def appeals(request):
    if request.method == "GET":
        return _list(request)
    token = request.api_token
    if token is None:
        return error_response(401, "Нужен токен: заголовок Authorization: Bearer <токен>.")
    data = json_body(request)
    if isinstance(data, JsonResponse):
        return data
    fields = {}
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        fields["text"] = ["Обязательное поле: текст обращения."]
    channel = data.get("channel", Channel.API)
    if not isinstance(channel, str) or channel not in Channel.values:
        fields["channel"] = [f"Канал — одно из: {', '.join(Channel.values)}."]
    region = token.organization.region
    territory, topic = territory_and_topic(data, region, fields)
    contact = data.get("contact") or {}
    if not isinstance(contact, dict):
        fields["contact"] = ["Ожидается объект {name, email, phone}."]
        contact = {}
    kind = data.get("kind", Kind.STATEMENT)
    if not isinstance(kind, str) or kind not in Kind.values:
        fields["kind"] = [KIND_CHOICES]
    external_id = data.get("external_id")
    if external_id is not None and not isinstance(external_id, (str, int)):
        fields["external_id"] = ["Ожидается строка или число."]
    place = data.get("place")
    if place is None:
        place = ""
    elif not isinstance(place, str):
        fields["place"] = ["Ожидается строка: адрес или название места."]
    location = _location(data.get("location"), fields)
    if fields:
        return error_response(400, "Обращение не принято: исправьте поля.", fields)
    appeal, created = services.appeal_submit(
        region=region,
        text=text,
        channel=channel,
        kind=kind,
        territory=territory,
        topic=topic,
        author_name=str(contact.get("name") or ""),
        contact_email=str(contact.get("email") or ""),
        contact_phone=str(contact.get("phone") or ""),
        external_source=f"api:{token.organization.code}"[:40],
        external_id=str(external_id or ""),
        place=place,
        location=location,
    )
    body = {**_appeal_json(appeal, full=False), "secret": appeal.secret}
    return JsonResponse(body, status=201 if created else 200, json_dumps_params={"ensure_ascii": False})


def _location(value, fields: dict) -> tuple[float, float] | None:
    """`{"lat": 55.75, "lon": 37.61}` (or null) as a checked point; a problem goes to `fields`."""
    if value is None:
        return None
    if not isinstance(value, dict) or not {"lat", "lon"} >= value.keys():
        fields["location"] = ["Ожидается объект {lat, lon}: широта и долгота в градусах."]
        return None
    lat, lon = value.get("lat"), value.get("lon")
    if isinstance(lat, str) or isinstance(lon, str):
        fields["location"] = ["Широта и долгота — числа, не строки."]
        return None
    try:
        return geo.coordinates(lat, lon)
    except ValueError as exc:
        fields["location"] = [str(exc)]
        return None


def _kind(data: dict) -> str:
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in Kind.values:
        raise ValidationError({"kind": KIND_CHOICES})
    return kind


def paginate(request, qs) -> dict | JsonResponse:
    """`?limit=&offset=` of an ordered queryset: {count, limit, offset, page} or a 400 response."""
    try:
        limit = min(max(int(request.GET.get("limit", 50)), 1), PAGE_MAX)
        offset = max(int(request.GET.get("offset", 0)), 0)
    except ValueError:
        return error_response(400, "limit и offset — целые числа.")
    count = qs.count()
    # Past the end the page is empty; slicing at the count keeps a 20-digit offset out of the SQL.
    start = min(offset, count)
    return {"count": count, "limit": limit, "offset": offset, "page": list(qs[start : start + limit])}


def _list(request):
    token = request.api_token
    if token is None:
        return error_response(401, "Список доступен только с токеном организации.")
    qs = Appeal.objects.select_related("organization", "topic", "topic_suggested", "territory").filter(
        organization__path__startswith=token.organization.path
    )
    status = request.GET.get("status")
    if status:
        qs = qs.filter(status=status[:20])
    fields: dict = {}
    since = query_moment(request, "updated_since", fields)
    if fields:
        return error_response(400, "Список не получен: исправьте параметры.", fields)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    page = paginate(request, qs.order_by("-registered_at"))
    if isinstance(page, JsonResponse):
        return page
    return JsonResponse(
        {"count": page["count"], "results": [_appeal_json(a, full=False) for a in page["page"]]},
        json_dumps_params={"ensure_ascii": False},
    )


@api_view({"GET", "PATCH"})
def appeal_detail(request, number: str):
    appeal = (
        Appeal.objects.select_related("organization", "topic", "topic_suggested", "territory")
        .filter(number=number[:40])
        .first()
    )
    token = request.api_token
    secret = request.GET.get("secret", "")[:64]
    staff = token is not None and appeal is not None and _in_scope(token, appeal)
    if not staff and secret:
        # A citizen's read by the secret: guarded against guessing as the status page is.
        guard = ratelimit.secret_counters(number=number, address=ratelimit.client_address(request))
        refusal = ratelimit.blocked(*guard)
        if refusal is not None:
            return ratelimit.refuse(request, refusal)
        if appeal is None or not appeal.secret_matches(secret):
            ratelimit.failed(*guard)
    citizen = appeal is not None and appeal.secret_matches(secret)
    if appeal is None or not (staff or (citizen and request.method == "GET")):
        return error_response(404, "Обращение не найдено.")
    if request.method == "GET":
        return JsonResponse(_appeal_json(appeal, full=staff), json_dumps_params={"ensure_ascii": False})
    data = json_body(request)
    if isinstance(data, JsonResponse):
        return data
    action, text = data.get("action"), data.get("text", "")
    if not isinstance(text, str):
        return error_response(400, "text — строка.")
    actions = {
        "answer": lambda: services.appeal_answer(
            appeal=appeal, actor=None, text=text, outcome=str(data.get("outcome") or "")[:20]
        ),
        "return": lambda: services.appeal_return(appeal=appeal, actor=None, reason=text),
        "comment": lambda: services.appeal_comment(appeal=appeal, actor=None, text=text),
        "info": lambda: services.appeal_request_info(appeal=appeal, actor=None, question=text),
        "kind": lambda: services.appeal_set_kind(appeal=appeal, actor=None, kind=_kind(data)),
    }
    if action not in actions:
        return error_response(400, f"action — одно из: {', '.join(actions)}.")
    actions[action]()
    appeal.refresh_from_db()
    return JsonResponse(_appeal_json(appeal, full=True), json_dumps_params={"ensure_ascii": False})


def openapi(request):
    from otklik.appeals.openapi import document

    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
