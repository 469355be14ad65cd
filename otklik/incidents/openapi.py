"""The incidents part of the OpenAPI document of /api/v1/ (merged by `appeals.openapi.document`)."""

from otklik.appeals.openapi import error_responses
from otklik.incidents.models import Network
from otklik.incidents.statuses import Status


def extend(doc: dict) -> None:
    schemas = doc["components"]["schemas"]
    errors = error_responses()
    schemas["NewIncident"] = {
        "type": "object",
        "required": ["url", "text"],
        "properties": {
            "url": {"type": "string", "format": "uri", "example": "https://vk.com/wall-000000_123"},
            "text": {"type": "string", "maxLength": 20000},
            "network": {"type": "string", "enum": Network.values, "description": "по умолчанию — по адресу"},
            "author": {
                "type": "string",
                "description": "публичный ник автора (других персональных данных нет)",
            },
            "published_at": {"type": "string", "format": "date-time"},
            "found_at": {"type": "string", "format": "date-time", "description": "по умолчанию — сейчас"},
            "territory": {"type": "string"},
            "topic": {"type": "string"},
            "urgent": {"type": "boolean"},
            "external_id": {
                "type": ["string", "integer"],
                "maxLength": 100,
                "description": "номер сообщения в системе мониторинга: повтор запроса с тем же номером вернёт "
                "тот же инцидент и не считается повторной находкой; тот же номер для другой ссылки — 409",
            },
        },
    }
    moment = {"type": ["string", "null"], "format": "date-time"}
    schemas["Incident"] = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "network": {"type": "string", "enum": Network.values},
            "status": {"type": "string", "enum": Status.values},
            "status_label": {"type": "string"},
            "urgent": {"type": "boolean"},
            "found_at": {"type": "string", "format": "date-time"},
            "due_at": moment,
            "overdue": {"type": "boolean"},
            "topic": {"type": ["string", "null"]},
            "territory": {"type": ["string", "null"]},
            "organization": {"type": ["string", "null"]},
            "mentions": {"type": "integer"},
            "reply_url": {"type": ["string", "null"]},
            "answered_at": moment,
            "appeal": {"type": ["string", "null"]},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    schemas["IncidentList"] = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "description": "всего по фильтрам"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}},
        },
    }
    incident = {"application/json": {"schema": {"$ref": "#/components/schemas/Incident"}}}
    query = [
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": Status.values}},
        {"name": "network", "in": "query", "schema": {"type": "string", "enum": Network.values}},
        {
            "name": "since",
            "in": "query",
            "description": "изменённые с этого момента (ISO 8601 с часовым поясом; «+» кодируйте как %2B)",
            "schema": {"type": "string", "format": "date-time"},
        },
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ]
    doc["paths"]["/incidents"] = {
        "get": {
            "summary": "Инциденты организации токена и подчинённых, новые находки первыми",
            "parameters": query,
            "responses": {
                "200": {
                    "description": "Страница списка",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/IncidentList"}}
                    },
                },
                **errors,
            },
        },
        "post": {
            "summary": "Зарегистрировать инцидент из соцсетей (та же ссылка не создаёт второй инцидент)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewIncident"}}},
            },
            "responses": {
                "201": {"description": "Зарегистрирован; срок реакции — due_at", "content": incident},
                "200": {
                    "description": "Эта публикация уже зарегистрирована (или повтор с тем же external_id)",
                    "content": incident,
                },
                **errors,
            },
        },
    }
    doc["paths"]["/incidents/{id}"] = {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "summary": "Инцидент организации токена и подчинённых: статус, ответ, срок",
            "responses": {"200": {"description": "Инцидент", "content": incident}, **errors},
        },
    }
