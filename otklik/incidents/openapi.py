"""The incidents part of the OpenAPI document of /api/v1/ (merged by `appeals.openapi.document`)."""

from otklik.appeals.openapi import error_responses
from otklik.incidents.models import Network


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
        },
    }
    moment = {"type": ["string", "null"], "format": "date-time"}
    schemas["Incident"] = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "network": {"type": "string", "enum": Network.values},
            "status": {"type": "string", "enum": ["new", "in_work", "answered", "no_reaction", "closed"]},
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
        },
    }
    incident = {"application/json": {"schema": {"$ref": "#/components/schemas/Incident"}}}
    doc["paths"]["/incidents"] = {
        "post": {
            "summary": "Зарегистрировать инцидент из соцсетей (та же ссылка не создаёт второй инцидент)",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewIncident"}}},
            },
            "responses": {
                "201": {"description": "Зарегистрирован; срок реакции — due_at", "content": incident},
                "200": {"description": "Эта публикация уже зарегистрирована", "content": incident},
                **errors,
            },
        }
    }
    doc["paths"]["/incidents/{id}"] = {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "summary": "Инцидент организации токена и подчинённых: статус, ответ, срок",
            "responses": {"200": {"description": "Инцидент", "content": incident}, **errors},
        },
    }
