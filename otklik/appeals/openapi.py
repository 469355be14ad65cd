"""The OpenAPI 3.1 description of /api/v1/."""

from otklik.appeals.models import Channel, Kind

KIND = {
    "type": "string",
    "enum": Kind.values,
    "description": "Вид по 59-ФЗ, ст. 4: proposal — предложение, statement — заявление (по умолчанию), "
    "complaint — жалоба.",
}


def document() -> dict:
    from django.apps import apps

    doc = _appeals()
    if apps.is_installed("otklik.incidents"):
        from otklik.incidents.openapi import extend

        extend(doc)
    return doc


ERRORS = {
    "400": "Неверные данные",
    "401": "Нет или неверный токен",
    "404": "Не найдено или нет доступа",
    "415": "Тело не JSON",
    "429": "Слишком много запросов: повторить через Retry-After секунд",
}


def error_responses() -> dict:
    """The error responses every endpoint shares (JSON `Error` with a Russian message)."""
    return {
        code: {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code, text in ERRORS.items()
    }


def _appeals() -> dict:
    error = {"type": "object", "properties": {"error": {"type": "string"}, "fields": {"type": "object"}}}
    appeal = {
        "type": "object",
        "properties": {
            "number": {"type": "string", "example": "DO-2026-000123"},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
            "channel": {"type": "string", "enum": Channel.values},
            "kind": KIND,
            "registered_at": {"type": "string", "format": "date-time"},
            "received_at": {
                "type": "string",
                "format": "date-time",
                "description": "Когда обращение поступило (письмо, личный приём): от этого момента "
                "считаются сроки; для поданных через платформу — момент регистрации.",
            },
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "topic": {"type": ["string", "null"]},
            "organization": {"type": ["string", "null"]},
            "answer": {"type": ["string", "null"]},
            "rating": {"type": ["integer", "null"]},
            "place": {"type": ["string", "null"], "description": "Только для токена сотрудника."},
            "location": {"$ref": "#/components/schemas/Location"},
            "events": {"type": "array", "items": {"type": "object"}},
        },
    }
    errors = error_responses()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Отклик API",
            "version": "1.0",
            "description": "Обращения граждан и инциденты в соцсетях для интеграций.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": error,
                "Appeal": appeal,
                "NewAppeal": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "maxLength": 20000},
                        "channel": {"type": "string", "enum": Channel.values},
                        "kind": KIND,
                        "territory": {"type": "string"},
                        "topic": {"type": "string"},
                        "contact": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "email": {"type": "string"},
                                "phone": {"type": "string"},
                            },
                        },
                        "external_id": {"type": "string"},
                        "place": {
                            "type": "string",
                            "maxLength": 300,
                            "description": "Где проблема: адрес, школа, детский сад.",
                        },
                        "location": {"$ref": "#/components/schemas/Location"},
                    },
                },
                "Location": {
                    "type": ["object", "null"],
                    "description": "Точка на карте (WGS 84), например из геолокации телефона.",
                    "required": ["lat", "lon"],
                    "properties": {
                        "lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    },
                },
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/appeals": {
                "post": {
                    "summary": "Зарегистрировать обращение (повтор external_id не создаёт дубль)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/NewAppeal"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Зарегистрировано; secret — код доступа заявителя",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Appeal"}}
                            },
                        },
                        "200": {"description": "Уже было зарегистрировано с этим external_id"},
                        **errors,
                    },
                },
                "get": {
                    "summary": "Обращения организации токена и подчинённых",
                    "parameters": [
                        {"name": n, "in": "query", "schema": {"type": t}}
                        for n, t in [
                            ("status", "string"),
                            ("updated_since", "string"),
                            ("limit", "integer"),
                            ("offset", "integer"),
                        ]
                    ],
                    "responses": {"200": {"description": "{count, results}"}, **errors},
                },
            },
            "/appeals/{number}": {
                "parameters": [
                    {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": {
                    "summary": "Обращение: с токеном — полностью, с ?secret= — как видит заявитель",
                    "parameters": [{"name": "secret", "in": "query", "schema": {"type": "string"}}],
                    "security": [{"bearer": []}, {}],
                    "responses": {
                        "200": {
                            "description": "Обращение",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Appeal"}}
                            },
                        },
                        **errors,
                    },
                },
                "patch": {
                    "summary": "Действие исполнителя: answer, comment, return, info, kind",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "action": {
                                            "type": "string",
                                            "enum": ["answer", "comment", "return", "info", "kind"],
                                        },
                                        "kind": {**KIND, "description": "Новый вид (для action=kind)."},
                                        "text": {"type": "string"},
                                        "outcome": {
                                            "type": "string",
                                            "enum": ["supported", "explained", "refused"],
                                            "description": "Результат рассмотрения (для action=answer).",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "Обращение после действия"},
                        "409": {"description": "Действие недопустимо в текущем статусе"},
                        **errors,
                    },
                },
            },
        },
    }
