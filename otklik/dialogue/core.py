"""The channel-agnostic conversation: a citizen's input and the stored state in, replies out.

Telegram and the web chat are thin adapters: they turn their updates into `Incoming`, call
`handle`, and draw the returned `Reply` objects (text plus rows of buttons). Button actions are short
strings (≤ 64 bytes, Telegram's callback limit). The state lives in `Conversation.state`, so a
conversation continues after any process restarts.
"""

from __future__ import annotations

import base64
import dataclasses
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from otklik.accounts.services import citizen_get_or_create
from otklik.appeals.models import Appeal, Channel
from otklik.appeals.services import AppealError, appeal_rate, appeal_submit
from otklik.appeals.statuses import Status
from otklik.dialogue import region_chat, survey_chat
from otklik.dialogue.models import Conversation, MenuOpen
from otklik.dialogue.replies import MENU_BUTTON, Button, Incoming, Reply
from otklik.kb import services as kb_services
from otklik.kb.engine import registry
from otklik.kb.models import Article, Category, Query
from otklik.lib import geo
from otklik.lib.params import parse_id
from otklik.orgs.models import Organization, Region, Territory
from otklik.orgs.selectors import region_default

MAX_INPUT = 4000
MAX_FILE_BYTES = 10 * 1024 * 1024
# The organization whose site shows this conversation in its widget (see `handle`).
WIDGET_KEY = "widget_org"
MAX_DRAFT_FILES = 3  # files of one appeal written in a chat, kept in the conversation until it is sent
MAX_DRAFT_BYTES = 15 * 1024 * 1024
FILE_TOO_BIG = "Файл больше 10 МБ. Пришлите файл поменьше."
MAX_TERRITORY_BUTTONS = 90  # Telegram shows up to 100 buttons under a message
PRIVACY_URL = "/privacy/"


def _main_menu() -> Reply:
    return Reply(
        "Выберите раздел или просто напишите вопрос своими словами.",
        [
            [Button("📚 Ответы по темам", "cats")],
            [Button("✍️ Задать вопрос официально", "ask")],
            [Button("📄 Мои обращения", "my")],
            [Button("💡 Предложить вопрос", "suggest"), Button("🔔 Подписки", "subs")],
            [Button("📊 Опросы", "polls"), Button("❓ Помощь", "help")],
        ],
    )


HELP = (
    "Я отвечаю на вопросы об образовании в регионе: детские сады, школы, колледжи, экзамены, документы, "
    "награды и многое другое.\n\n"
    "• Напишите вопрос своими словами — я найду готовый ответ или предложу варианты.\n"
    "• «Ответы по темам» — все ответы по разделам.\n"
    "• «Задать вопрос официально» — обращение в министерство или орган образования; ответ придёт сюда "
    "в срок, установленный законом.\n"
    "• «Мои обращения» — статус, ответ и оценка ответа.\n"
    "• «Предложить вопрос» — чего не хватает в ответах.\n"
    "• «Подписки» — новости по выбранным темам.\n"
    "• «Опросы» — анонимные опросы органов образования; ответить можно прямо здесь.\n"
    "Команды: /start, /help, /menu, /cancel, /region (выбор региона)."
)


def _welcome() -> list[Reply]:
    return [
        Reply(
            "Здравствуйте! Я бот министерства образования: отвечаю на вопросы об образовании и помогаю "
            f"направить официальное обращение. Как мы обрабатываем данные: {settings.SITE_URL}{PRIVACY_URL}"
        ),
        _main_menu(),
    ]


# --- browsing -----------------------------------------------------------------------------------


def _categories(region: Region, parent_id: int | None) -> Reply:
    cats = list(
        Category.objects.filter(region=region, parent_id=parent_id, is_active=True).order_by("position")
    )
    rows = [[Button(c.title[:60], f"cat:{c.pk}")] for c in cats]
    if parent_id is None:
        return Reply("Выберите тему:", [*rows, [MENU_BUTTON]])
    category = Category.objects.filter(pk=parent_id, region=region).first()
    if category is None:
        return _main_menu()
    articles = list(
        Article.objects.filter(category=category, status=Article.Status.PUBLISHED).order_by("question")
    )
    rows += [[Button(a.question[:60], f"art:{a.pk}")] for a in articles]
    back = f"cat:{category.parent_id}" if category.parent_id else "cats"
    return Reply(f"{category.title}:", [*rows, [Button("⬅️ Назад", back), MENU_BUTTON]])


def _article_reply(article: Article, query_id: int | None) -> Reply:
    text = f"{article.question}\n\n{article.answer}"
    if article.legal_basis:
        text += f"\n\nОснование: {article.legal_basis}"
    feedback = query_id or 0
    return Reply(
        text,
        markdown=True,
        buttons=[
            [
                Button("👍 Помогло", f"fb:{feedback}:{article.pk}:1"),
                Button("👎 Не помогло", f"fb:{feedback}:{article.pk}:0"),
            ],
            [Button("⬅️ К теме", f"cat:{article.category_id}"), MENU_BUTTON],
        ],
    )


# --- free text ----------------------------------------------------------------------------------


def _answer_question(conv: Conversation, text: str) -> list[Reply]:
    conv.state["last_text"] = text[:MAX_INPUT]
    parts = registry.ask_separately(conv.region_id, text)
    if parts:
        # Several questions in one message, not all about one article: each is answered (or said
        # to have no ready answer) and logged on its own.
        return _answer_each(conv, parts)
    decision = registry.ask(conv.region_id, text)
    query = _logged(conv, text, decision)
    conv.state["last_queries"] = [query.pk]
    return _decision_replies(decision, query) or [_dont_know()]


def _logged(conv: Conversation, text: str, decision) -> Query:
    query = kb_services.query_record(
        region=conv.region, channel=conv.channel, channel_user=conv.channel_user, text=text, decision=decision
    )
    conv.state["last_query"] = query.pk
    return query


def _decision_replies(decision, query: Query, *, about: str = "") -> list[Reply]:
    """The answer, or the choices, the engine's decision shows; nothing when it abstains."""
    articles = Article.objects.in_bulk([c.article_id for c in decision.candidates[:3]])
    if decision.action == "answer" and decision.candidates[0].article_id in articles:
        return [_article_reply(articles[decision.candidates[0].article_id], query.pk)]
    if decision.action == "choices" and articles:
        rows = [
            [Button(articles[c.article_id].question[:60], f"pick:{query.pk}:{c.article_id}")]
            for c in decision.candidates[:3]
            if c.article_id in articles
        ]
        intro = f"По вопросу «{about}» возможно" if about else "Возможно"
        return [
            Reply(
                f"{intro}, вы спрашиваете об одном из этих вопросов:",
                [*rows, [Button("Ничего не подходит", f"none:{query.pk}")], [MENU_BUTTON]],
            )
        ]
    return []


def _answer_each(conv: Conversation, parts: list) -> list[Reply]:
    replies, unanswered, queries, shown = [], [], [], set()
    for part, decision in parts:
        query = _logged(conv, part, decision)
        queries.append(query.pk)
        best = decision.candidates[0].article_id if decision.action == "answer" else None
        if best is not None and best in shown:
            continue  # two parts asked the same thing
        shown.add(best)
        found = _decision_replies(decision, query, about=_quoted(part))
        replies += found
        if not found:
            unanswered.append(part)
    conv.state["last_queries"] = queries
    if unanswered:
        # «Предложить вопрос» and «Задать вопрос официально» then take the question left unanswered.
        conv.state["last_text"] = " ".join(unanswered)[:MAX_INPUT]
        replies.append(_dont_know(about=[_quoted(p) for p in unanswered]))
    return replies


def _quoted(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dont_know(about: list[str] = ()) -> Reply:
    head = (
        "На вопрос " + ", ".join(f"«{q}»" for q in about) + " готового ответа у меня нет."
        if about
        else "К сожалению, готового ответа у меня нет."
    )
    return Reply(
        f"{head} Можно задать вопрос официально — ответ подготовит "
        "специалист в срок, установленный законом, — или предложить этот вопрос для базы ответов.",
        [
            [Button("✍️ Задать вопрос официально", "ask")],
            [Button("💡 Предложить вопрос", "suggest:last")],
            [MENU_BUTTON],
        ],
    )


# --- asking officially --------------------------------------------------------------------------


def _ask_start(conv: Conversation, text: str = "") -> list[Reply]:
    conv.state["flow"] = {"name": "ask", "step": "text", "draft": {"text": text}}
    if text:
        return [
            Reply(
                f"Ваш вопрос:\n«{text[:500]}»\n\nОтправить его как есть или дополнить?",
                [
                    [Button("Отправить как есть", "ask:keep"), Button("Написать заново", "ask:retype")],
                    [Button("Отменить", "cancel")],
                ],
            )
        ]
    where = (
        " Место можно показать на карте: пришлите геопозицию (📎 → «Геопозиция»)."
        if conv.channel == "telegram"
        else " Место можно показать на карте кнопкой 📍 рядом с полем ввода."
    )
    return [
        Reply(
            "Опишите вопрос или проблему одним сообщением: что случилось, где (школа, детский сад, "
            f"населённый пункт) и чего вы ждёте.{where}",
            [[Button("Отменить", "cancel")]],
        )
    ]


def _ask_topic(conv: Conversation) -> list[Reply]:
    """Offer the likeliest topics of the text; the citizen picks one or leaves it to the coordinator."""
    from otklik.appeals.classifier import suggest_topics

    draft = conv.state["flow"]["draft"]
    suggestions = suggest_topics(region_id=conv.region.pk, text=draft["text"])
    if not suggestions:
        return _ask_territory(conv)
    conv.state["flow"]["step"] = "topic"
    draft["topics"] = {str(t.pk): t.name for t, _ in suggestions}
    rows = [[Button(t.name[:60], f"ask:topic:{t.pk}")] for t, _ in suggestions]
    return [
        Reply(
            "К какой теме относится обращение? Мы определили самые вероятные — выберите подходящую "
            "или пропустите, тогда тему уточнит специалист.",
            [*rows, [Button("Не знаю / другое", "ask:topic:none")], [Button("Отменить", "cancel")]],
        )
    ]


def _ask_territory(conv: Conversation) -> list[Reply]:
    """Where it happened: the executor depends on the place as much as on the topic. A place the
    text names is taken as is; otherwise the citizen picks the municipality (or skips)."""
    from otklik.appeals.classifier import find_territory

    draft = conv.state["flow"]["draft"]
    found, _ = find_territory(region_id=conv.region.pk, text=draft["text"])
    territories = list(
        Territory.objects.filter(region=conv.region).order_by("name").values_list("pk", "name")
    )
    if found is not None or not territories:
        _set_territory(draft, found)
        return _ask_contact(conv)
    conv.state["flow"]["step"] = "territory"
    shown = territories[:MAX_TERRITORY_BUTTONS]
    buttons = [Button(name[:60], f"ask:terr:{pk}") for pk, name in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    more = " или напишите его название" if len(territories) > len(shown) else " (можно и написать название)"
    return [
        Reply(
            f"Где это? Выберите муниципалитет{more} — так обращение быстрее попадёт к тем, кто за него "
            "отвечает. Если не знаете, пропустите: территорию уточнит специалист.",
            [*rows, [Button("Не знаю / пропустить", "ask:terr:none")], [Button("Отменить", "cancel")]],
        )
    ]


def _set_territory(draft: dict, territory: Territory | None) -> None:
    draft["territory_id"] = territory.pk if territory else None
    draft["territory_name"] = territory.name if territory else ""


def _territory_named(region: Region, text: str) -> Territory | None:
    """The municipality a citizen typed: as the matcher finds places in appeals, or by its name."""
    from otklik.appeals.classifier import find_territory

    found, _ = find_territory(region_id=region.pk, text=text)
    if found is not None:
        return found
    words = [w for w in text.lower().replace("ё", "е").split() if len(w) >= 4]
    candidates = Territory.objects.filter(region=region)
    matches = [
        t for t in candidates if words and all(w[:-2] in t.name.lower().replace("ё", "е") for w in words)
    ]
    return matches[0] if len(matches) == 1 else None


def _ask_contact(conv: Conversation) -> list[Reply]:
    conv.state["flow"]["step"] = "contact"
    return [
        Reply(
            "Если хотите получить письменный ответ и по почте, напишите ФИО и адрес электронной почты "
            "одним сообщением (например: «Иванова Анна Сергеевна, anna@mail.ru»). Ответ в любом случае "
            "придёт сюда.",
            [[Button("Пропустить", "ask:skip")], [Button("Отменить", "cancel")]],
        )
    ]


def _ask_consent(conv: Conversation) -> list[Reply]:
    conv.state["flow"]["step"] = "consent"
    return [
        Reply(
            "Для рассмотрения обращения нужно ваше согласие на обработку персональных данных "
            f"(152-ФЗ). Подробнее: {settings.SITE_URL}{PRIVACY_URL}",
            [[Button("✅ Согласен(на)", "ask:consent")], [Button("Отменить", "cancel")]],
        )
    ]


def _draft_files(draft: dict) -> list[dict]:
    """Files of the appeal being written (name, base64 content, size); a state saved before several
    files were allowed holds one file under `file_name`/`file_b64`."""
    files = draft.setdefault("files", [])
    if draft.get("file_b64"):
        data = draft.pop("file_b64")
        files.append({"name": draft.pop("file_name", "") or "file", "b64": data, "size": len(data) * 3 // 4})
    return files


def _ask_file(draft: dict, step: str, incoming: Incoming) -> list[Reply]:
    """A photo, video, document or voice message sent while the appeal is being written: kept in the state until
    the appeal is sent, then it becomes an attachment."""
    from otklik.appeals.attachments import ACCEPTED, is_audio, is_video, kind_of_bytes

    data = incoming.file_bytes
    if len(data) > MAX_FILE_BYTES:
        return [Reply(FILE_TOO_BIG)]
    kind = kind_of_bytes(data, incoming.file_name)
    if kind is None:
        return [Reply(f"Принимаются только {ACCEPTED}.")]
    files = _draft_files(draft)
    if len(files) >= MAX_DRAFT_FILES:
        return [Reply(f"К обращению из чата можно приложить не больше {MAX_DRAFT_FILES} файлов.")]
    if sum(f["size"] for f in files) + len(data) > MAX_DRAFT_BYTES:
        return [Reply("Вместе эти файлы больше 15 МБ. Пришлите файл поменьше.")]
    files.append(
        {
            "name": incoming.file_name[:100] or "file",
            "b64": base64.b64encode(data).decode(),
            "size": len(data),
        }
    )
    if is_video(kind[0]):
        return [Reply("Видео получено и будет приложено к обращению.")]
    if not is_audio(kind[0]):
        return [Reply("Файл получен и будет приложен к обращению.")]
    text = "Голосовое сообщение получено и будет приложено к обращению."
    if step == "text" and not draft.get("text"):
        # 59-ФЗ: the appeal is written; nothing here turns speech into text.
        text += " Напишите, пожалуйста, и суть обращения текстом — хотя бы одно предложение."
    return [Reply(text)]


def _ask_location(conv: Conversation, incoming: Incoming) -> list[Reply]:
    """A point shared while the appeal is being written (Telegram's «Геопозиция», the chat's 📍):
    kept for the appeal; a new one replaces it. At the check before sending, the check is shown
    again with it."""
    draft = conv.state["flow"]["draft"]
    latitude, _, longitude = incoming.value.partition(",")
    try:
        point = geo.coordinates(latitude, longitude)
    except ValueError:
        return [Reply("Координаты места не распознаны. Опишите место словами в тексте обращения.")]
    if point is None:
        return [
            Reply(
                "Не удалось определить место: браузер или телефон не передал координаты. Опишите место "
                "словами в тексте обращения."
            )
        ]
    draft["latitude"], draft["longitude"] = point
    draft["place"] = " ".join(incoming.place.replace("\x00", "").split())[:300]
    if conv.state["flow"]["step"] == "confirm":
        return _ask_summary(conv)
    return [
        Reply(
            "Место на карте получено и будет указано в обращении. Продолжим — ответьте на вопрос выше.",
            [[Button("Отменить", "cancel")]],
        )
    ]


def _ask_summary(conv: Conversation) -> list[Reply]:
    conv.state["flow"]["step"] = "confirm"
    draft = conv.state["flow"]["draft"]
    lines = [f"Текст: {draft['text'][:1500]}"]
    if draft.get("topic_id"):
        lines.append(f"Тема: {draft['topics'].get(str(draft['topic_id']), '')}")
    if draft.get("territory_name"):
        lines.append(f"Территория: {draft['territory_name']}")
    if draft.get("place"):
        lines.append(f"Место: {draft['place']}")
    if draft.get("latitude") is not None:
        lines.append(f"Место на карте: {geo.shown(draft['latitude'], draft['longitude'])}")
    if draft.get("name") or draft.get("email"):
        lines.append(f"Заявитель: {draft.get('name', '')} {draft.get('email', '')}".strip())
    if files := _draft_files(draft):
        lines.append(("Файлы: " if len(files) > 1 else "Файл: ") + ", ".join(f["name"] for f in files))
    return [
        Reply(
            "Проверьте обращение:\n\n" + "\n".join(lines),
            [[Button("📨 Отправить", "ask:confirm")], [Button("Отменить", "cancel")]],
        )
    ]


def _parse_contact(text: str) -> tuple[str, str]:
    import re

    match = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    email = match.group(0).lower() if match else ""
    name = text.replace(match.group(0), "") if match else text
    return " ".join(name.replace(",", " ").split())[:300], email


def _widget_organization(conv: Conversation) -> Organization | None:
    """The organization whose site shows this conversation in its widget (none outside a widget)."""
    pk = conv.state.get(WIDGET_KEY)
    return Organization.objects.filter(pk=pk).first() if pk else None


def _ask_submit(conv: Conversation) -> list[Reply]:
    draft = conv.state["flow"]["draft"]
    citizen = conv.citizen
    files = []
    topic = None
    if draft.get("topic_id"):
        from otklik.routing.models import Topic

        topic = Topic.objects.filter(pk=draft["topic_id"], region=conv.region, is_active=True).first()
    territory = None
    if draft.get("territory_id"):
        territory = Territory.objects.filter(pk=draft["territory_id"], region=conv.region).first()
    if drafted := _draft_files(draft):
        from django.core.files.uploadedfile import SimpleUploadedFile

        files = [SimpleUploadedFile(f["name"], base64.b64decode(f["b64"])) for f in drafted]
    try:
        appeal, _ = appeal_submit(
            region=conv.region,
            text=draft["text"],
            channel=_appeal_channel(conv.channel),
            citizen=citizen,
            author_name=draft.get("name", ""),
            contact_email=draft.get("email", ""),
            citizen_topic=topic,
            territory=territory,
            files=files,
            place=draft.get("place", ""),
            location=(draft["latitude"], draft["longitude"]) if draft.get("latitude") is not None else None,
            widget_organization=_widget_organization(conv),
        )
    except AppealError as exc:
        conv.state["flow"]["step"] = "text"
        return [
            Reply(
                "Не получилось зарегистрировать обращение: "
                + " ".join(exc.messages)
                + "\nНапишите текст ещё раз.",
                [[Button("Отменить", "cancel")]],
            )
        ]
    asked = conv.state.get("last_queries") or (
        [conv.state["last_query"]] if conv.state.get("last_query") else []
    )
    if asked:
        Query.objects.filter(pk__in=asked).update(became_appeal=True)
    conv.state.pop("flow", None)
    due = timezone.localtime(appeal.due_at).strftime("%d.%m.%Y") if appeal.due_at else "—"
    return [
        Reply(
            f"Обращение зарегистрировано. Номер: {appeal.number}.\nОтвет придёт сюда не позднее {due}. "
            "Статус — в разделе «Мои обращения».",
            [[Button("📄 Мои обращения", "my")], [MENU_BUTTON]],
        )
    ]


def _appeal_channel(channel: str) -> str:
    return Channel.TELEGRAM if channel == "telegram" else Channel.WEBCHAT


def _ask_step(conv: Conversation, incoming: Incoming) -> list[Reply] | None:
    """Steps of the official-question form; None when the input is not for the form."""
    flow = conv.state.get("flow") or {}
    if flow.get("name") != "ask":
        return None
    step, draft, value = flow["step"], flow["draft"], incoming.value
    if incoming.kind == "file":
        return _ask_file(draft, step, incoming)
    if incoming.kind == "location":
        return _ask_location(conv, incoming)
    if step == "text":
        if incoming.kind == "button" and value == "ask:keep" and draft.get("text"):
            return _ask_topic(conv)
        if incoming.kind == "button" and value == "ask:retype":
            draft["text"] = ""
            return [Reply("Напишите вопрос заново одним сообщением.", [[Button("Отменить", "cancel")]])]
        if incoming.kind == "text":
            if len(value.strip()) < 10:
                return [Reply("Напишите чуть подробнее — хотя бы одно предложение.")]
            draft["text"] = value.strip()[:MAX_INPUT]
            return _ask_topic(conv)
    if step == "topic" and incoming.kind == "button" and value.startswith("ask:topic:"):
        chosen = value.removeprefix("ask:topic:")
        draft["topic_id"] = int(chosen) if chosen in draft.get("topics", {}) else None
        return _ask_territory(conv)
    if step == "territory" and incoming.kind == "button" and value.startswith("ask:terr:"):
        chosen = value.removeprefix("ask:terr:")
        territory = None  # "none" (skipped) or a forged id
        if (territory_id := parse_id(chosen)) is not None:
            territory = Territory.objects.filter(pk=territory_id, region=conv.region).first()
        _set_territory(draft, territory)
        return _ask_contact(conv)
    if step == "territory" and incoming.kind == "text":
        territory = _territory_named(conv.region, value)
        if territory is None:
            return [
                Reply(
                    "Не нашли такой муниципалитет. Выберите его кнопкой выше или нажмите «Не знаю / "
                    "пропустить».",
                    [[Button("Не знаю / пропустить", "ask:terr:none")], [Button("Отменить", "cancel")]],
                )
            ]
        _set_territory(draft, territory)
        return _ask_contact(conv)
    if step == "contact":
        if incoming.kind == "button" and value == "ask:skip":
            return _ask_consent(conv)
        if incoming.kind == "text":
            draft["name"], draft["email"] = _parse_contact(value)
            if not draft["email"]:
                return [
                    Reply(
                        "Не вижу адреса электронной почты. Напишите ФИО и почту или нажмите «Пропустить».",
                        [[Button("Пропустить", "ask:skip")], [Button("Отменить", "cancel")]],
                    )
                ]
            return _ask_consent(conv)
    if step == "consent" and incoming.kind == "button" and value == "ask:consent":
        draft["consent"] = True
        return _ask_summary(conv)
    if step == "confirm" and incoming.kind == "button" and value == "ask:confirm":
        return _ask_submit(conv)
    return [
        Reply(
            "Продолжим оформление обращения — ответьте на вопрос выше или нажмите «Отменить».",
            [[Button("Отменить", "cancel")]],
        )
    ]


# --- my appeals ---------------------------------------------------------------------------------


def _my_appeals(conv: Conversation) -> Reply:
    appeals = (
        list(Appeal.objects.filter(citizen=conv.citizen).order_by("-registered_at")[:10])
        if conv.citizen
        else []
    )
    if not appeals:
        return Reply(
            "У вас пока нет обращений.", [[Button("✍️ Задать вопрос официально", "ask")], [MENU_BUTTON]]
        )
    rows = [[Button(f"{a.number} — {a.get_status_display()}"[:60], f"my:{a.number}")] for a in appeals]
    return Reply("Ваши обращения:", [*rows, [MENU_BUTTON]])


def _my_appeal(conv: Conversation, number: str) -> Reply:
    appeal = Appeal.objects.filter(citizen=conv.citizen, number=number).first() if conv.citizen else None
    if appeal is None:
        return Reply("Обращение не найдено.", [[MENU_BUTTON]])
    lines = [f"Обращение {appeal.number}: {appeal.get_status_display()}."]
    for event in appeal.events.filter(public=True).order_by("at")[:15]:
        lines.append(f"{timezone.localtime(event.at):%d.%m %H:%M} — {event.get_label()}")
    if appeal.answer_text:
        lines.append(f"\nОтвет:\n{appeal.answer_text}")
        files = appeal.attachments.filter(from_citizen=False).count()
        if files:
            lines.append(
                f"К ответу приложено файлов: {files}. Они на странице обращения: "
                f"{settings.SITE_URL}/appeal/{appeal.number}/?s={appeal.secret}"
            )
    rows = []
    if appeal.status == Status.ANSWERED:
        lines.append("\nОцените ответ (1 — совсем не помог, 5 — вопрос решён):")
        rows.append([Button(str(n), f"rate:{appeal.number}:{n}") for n in range(1, 6)])
    if appeal.rating:
        lines.append(f"Ваша оценка: {appeal.rating} из 5.")
    return Reply("\n".join(lines), [*rows, [Button("⬅️ Мои обращения", "my"), MENU_BUTTON]])


def _rate(conv: Conversation, number: str, rating: str, token: str) -> list[Reply]:
    appeal = Appeal.objects.filter(citizen=conv.citizen, number=number).first() if conv.citizen else None
    if appeal is None:
        return [Reply("Обращение не найдено.", [[MENU_BUTTON]])]
    try:
        appeal_rate(appeal=appeal, rating=int(rating))
    except (AppealError, ValueError) as exc:
        return [
            Reply(
                "Оценку не удалось сохранить: " + " ".join(getattr(exc, "messages", [str(exc)])),
                [[MENU_BUTTON]],
            )
        ]
    appeal.refresh_from_db()
    if appeal.status == Status.ASSIGNED:
        return [
            Reply(
                f"Спасибо. Обращение передано на повторное рассмотрение: {appeal.organization}. "
                f"Новый срок — {timezone.localtime(appeal.due_at):%d.%m.%Y}.",
                [[MENU_BUTTON]],
            )
        ]
    # The moment the Chelyabinsk order names for a satisfaction survey: the result has been received.
    return [
        Reply("Спасибо за оценку!", [[MENU_BUTTON]]),
        *survey_chat.offer_satisfaction(conv, token, appeal),
    ]


# --- suggestions and subscriptions --------------------------------------------------------------


def _subscriptions(conv: Conversation) -> Reply:
    subscribed = set(conv.subscriptions.values_list("pk", flat=True))
    rows = [
        [Button(("✅ " if c.pk in subscribed else "") + c.title[:55], f"sub:{c.pk}")]
        for c in Category.objects.filter(region=conv.region, parent__isnull=True, is_active=True).order_by(
            "position"
        )
    ]
    return Reply(
        "Новости каких разделов присылать? Нажмите, чтобы подписаться или отписаться.", [*rows, [MENU_BUTTON]]
    )


# --- dispatch -----------------------------------------------------------------------------------


def _record_open(conv: Conversation, category_id: int, article: Article | None = None) -> None:
    """A section or answer opened with the buttons: the bot's "popular categories" figure."""
    MenuOpen.objects.create(
        region=conv.region, at=timezone.now(), channel=conv.channel, category_id=category_id, article=article
    )


def _on_button(conv: Conversation, action: str, token: str) -> list[Reply]:
    head, _, rest = action.partition(":")
    if head == "menu":
        conv.state.pop("flow", None)
        return [_main_menu()]
    if head == "cats":
        return [_categories(conv.region, None)]
    if head == "cat":
        category_id = parse_id(rest)
        if category_id and Category.objects.filter(pk=category_id, region=conv.region).exists():
            _record_open(conv, category_id)
        return [_categories(conv.region, category_id)]
    if head == "art":
        article = Article.objects.filter(
            pk=parse_id(rest), region=conv.region, status=Article.Status.PUBLISHED
        ).first()
        if article is None:
            return [Reply("Этот ответ больше недоступен.", [[MENU_BUTTON]])]
        Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
        _record_open(conv, article.category_id, article)
        return [_article_reply(article, None)]
    if head == "pick":
        query_id, _, article_id = rest.partition(":")
        article = Article.objects.filter(pk=parse_id(article_id), region=conv.region).first()
        query = Query.objects.filter(pk=parse_id(query_id), region=conv.region).first()
        if article is None:
            return [Reply("Этот ответ больше недоступен.", [[MENU_BUTTON]])]
        if query is not None:
            Query.objects.filter(pk=query.pk).update(article=article)
        return [_article_reply(article, query.pk if query else None)]
    if head == "none":
        query = Query.objects.filter(pk=parse_id(rest), region=conv.region).first()
        if query is not None:
            kb_services.query_feedback(query=query, helped=False)
        return [_dont_know()]
    if head == "fb":
        query_id, article_id, helped = (rest.split(":") + ["", "", ""])[:3]
        query = Query.objects.filter(pk=parse_id(query_id), region=conv.region).first()
        article = Article.objects.filter(pk=parse_id(article_id)).first()
        if query is not None:
            kb_services.query_feedback(query=query, helped=helped == "1", article=article)
        surveys = survey_chat.offer_after_feedback(conv, token)
        if helped == "1":
            return [Reply("Рады, что помогли! Если будут ещё вопросы — пишите.", [[MENU_BUTTON]]), *surveys]
        return [
            Reply(
                "Жаль, что ответ не помог. Вы можете задать вопрос официально — ответ подготовит специалист.",
                [[Button("✍️ Задать вопрос официально", "ask:last")], [MENU_BUTTON]],
            ),
            *surveys,
        ]
    if head == "ask":
        if rest == "last":
            return _ask_start(conv, conv.state.get("last_text", ""))
        return _ask_start(conv)
    if head == "cancel":
        flow = conv.state.pop("flow", None) or {}
        if flow.get("name") == survey_chat.FLOW:
            return [Reply("Опрос прерван, ответы не сохранены."), _main_menu()]
        return [Reply("Оформление отменено."), _main_menu()]
    if head == "my":
        return [_my_appeal(conv, rest)] if rest else [_my_appeals(conv)]
    if head == "rate":
        number, _, rating = rest.rpartition(":")
        return _rate(conv, number, rating, token)
    if head == "suggest":
        if rest == "last" and conv.state.get("last_text"):
            kb_services.suggestion_submit(
                region=conv.region,
                text=conv.state["last_text"],
                channel=conv.channel,
                channel_user=conv.channel_user,
            )
            return [Reply("Спасибо! Вопрос передан редакторам базы ответов.", [[MENU_BUTTON]])]
        conv.state["flow"] = {"name": "suggest"}
        return [
            Reply(
                "Напишите вопрос, ответ на который хотели бы здесь видеть.", [[Button("Отменить", "cancel")]]
            )
        ]
    if head == "subs":
        return [_subscriptions(conv)]
    if head == "sub":
        category = Category.objects.filter(pk=parse_id(rest), region=conv.region).first()
        if category is not None:
            if conv.subscriptions.filter(pk=category.pk).exists():
                conv.subscriptions.remove(category)
            else:
                conv.subscriptions.add(category)
        return [_subscriptions(conv)]
    if head == "help":
        return [Reply(HELP, [[MENU_BUTTON]])]
    if head == "polls":
        return survey_chat.survey_list(conv, token)
    if head == "poll" and (survey_id := parse_id(rest)) is not None:
        return survey_chat.start(conv, token, survey_id)
    return [Reply("Эта кнопка устарела. Вот главное меню:"), _main_menu()]


def commands() -> list[tuple[str, str]]:
    """The commands a channel lists in its menu (Telegram's «Меню» button), with what each does;
    /region only where there is a region to choose."""
    listed = [
        ("start", "Начать сначала"),
        ("menu", "Главное меню"),
        ("help", "Что умеет бот"),
        ("cancel", "Отменить оформление обращения"),
    ]
    if region_chat.several():
        listed.append((region_chat.COMMAND.lstrip("/"), "Выбрать регион"))
    return listed


def _on_command(conv: Conversation, command: str) -> list[Reply]:
    command = command.split("@")[0].split()[0].lower() if command.strip() else ""
    if command == "/start":
        conv.state.pop("flow", None)
        return _welcome()
    if command == "/help":
        return [Reply(HELP, [[MENU_BUTTON]])]
    if command == region_chat.COMMAND:
        return region_chat.command(conv)
    if command in {"/menu", "/cancel"}:
        had_flow = conv.state.pop("flow", None)
        return ([Reply("Оформление отменено.")] if had_flow else []) + [_main_menu()]
    listed = ", ".join(f"/{name}" for name, _ in commands())
    return [Reply(f"Такой команды нет. Доступны {listed}."), _main_menu()]


@transaction.atomic
def handle(
    *,
    region: Region | None,
    channel: str,
    channel_user: str,
    incoming: Incoming,
    display_name: str = "",
    respondent_token: str = "",
    site_organization: Organization | None = None,
) -> list[Reply]:
    """Process one input from a citizen and return what to show them. `respondent_token` is who
    answers surveys (see `survey_chat.respondent_token`). `region` is where the channel serves the
    citizen (a conversation of another region moves there); None keeps the conversation's region,
    and a new conversation on an installation with several regions first asks for one
    (`region_chat`). `site_organization` is given when the chat opens as a widget on an
    organization's site: appeals written in this conversation are counted for that widget."""
    # PostgreSQL stores no NUL character; no one types it, so it goes before anything is saved.
    incoming = dataclasses.replace(
        incoming,
        value=(incoming.value or "").replace("\x00", ""),
        file_name=incoming.file_name.replace("\x00", ""),
    )
    display_name = display_name.replace("\x00", "")
    token = survey_chat.respondent_token(channel=channel, channel_user=channel_user, given=respondent_token)
    conv, created = Conversation.objects.select_for_update().get_or_create(
        channel=channel,
        channel_user=str(channel_user)[:100],
        defaults={"region": region or region_default()},
    )
    if created and region is None and region_chat.several():
        conv.state[region_chat.PENDING] = True
    elif region is not None:
        region_chat.move(conv, region)
    if region is not None:  # the page was (re)opened: as a widget of this site, or not
        conv.state.pop(WIDGET_KEY, None)
        if site_organization is not None and site_organization.region_id == conv.region_id:
            conv.state[WIDGET_KEY] = site_organization.pk
    if conv.citizen_id is None:
        identity_channel = "telegram" if channel == "telegram" else "web"
        conv.citizen, _ = citizen_get_or_create(
            channel=identity_channel, value=str(channel_user)[:254], display_name=display_name
        )
    conv.last_seen_at = timezone.now()
    # Dates in the replies are the region's, in the bot process as on the web.
    with timezone.override(ZoneInfo(conv.region.timezone)):
        replies = _respond(conv, incoming, token, created=created)
    conv.save()
    return replies


def _respond(conv: Conversation, incoming: Incoming, token: str, *, created: bool) -> list[Reply]:
    channel, channel_user = conv.channel, conv.channel_user
    value = incoming.value or ""
    if incoming.kind == "text" and len(value) > MAX_INPUT:
        replies = [
            Reply(
                f"Сообщение слишком длинное ({len(value)} символов). Сократите его до {MAX_INPUT} "
                "или разделите на части."
            )
        ]
    elif incoming.kind == "unsupported":
        replies = [
            Reply(
                "Я понимаю только текст и кнопки (а при оформлении обращения — фото, видео, PDF, "
                "голосовые сообщения и геопозицию). Напишите вопрос словами."
            ),
            _main_menu(),
        ]
    elif incoming.kind == "button" and value.startswith(region_chat.ACTION):
        was_pending = conv.state.get(region_chat.PENDING)
        picked, replies = region_chat.chosen(conv, value.removeprefix(region_chat.ACTION))
        if picked is not None:
            replies += _welcome() if was_pending else [_main_menu()]
    elif conv.state.get(region_chat.PENDING):
        replies = [
            region_chat.picker(
                "Здравствуйте! Я бот органов образования. Выберите ваш регион — ответы и обращения "
                "в каждом регионе свои:"
            )
        ]
    elif incoming.kind == "command":
        replies = _on_command(conv, value)
    elif incoming.kind == "button" and value in {"menu", "cancel"}:
        replies = _on_button(conv, value, token)
    elif (flow_replies := _ask_step(conv, incoming)) is not None:
        replies = flow_replies
    elif (survey_replies := survey_chat.step(conv, token, incoming)) is not None:
        replies = survey_replies
    elif incoming.kind == "button":
        replies = _on_button(conv, value[:64], token)
    elif (conv.state.get("flow") or {}).get("name") == "suggest" and incoming.kind == "text":
        conv.state.pop("flow", None)
        try:
            kb_services.suggestion_submit(
                region=conv.region, text=value, channel=channel, channel_user=channel_user
            )
        except Exception:  # noqa: BLE001 - a ValidationError with a Russian message
            conv.state["flow"] = {"name": "suggest"}  # the next message is the suggestion again
            return [Reply("Напишите вопрос словами.")]
        replies = [Reply("Спасибо! Ваше предложение передано редакторам.", [[MENU_BUTTON]])]
    elif incoming.kind == "text" and value.strip():
        replies = _answer_question(conv, value.strip())
    elif incoming.kind == "file":
        from otklik.appeals.attachments import is_audio, sniff

        kind = sniff(incoming.file_bytes[:16])
        text = (
            "Голосовые сообщения я не распознаю: напишите вопрос словами. Запись можно приложить к "
            "официальному обращению."
            if kind and is_audio(kind[0])
            else "Файлы принимаются при оформлении официального обращения."
        )
        replies = [Reply(text, [[Button("✍️ Задать вопрос официально", "ask")]])]
    elif incoming.kind == "location":
        replies = [
            Reply(
                "Место на карте указывается в официальном обращении: нажмите кнопку ниже, опишите "
                "проблему и пришлите геопозицию ещё раз.",
                [[Button("✍️ Задать вопрос официально", "ask")]],
            )
        ]
    else:
        replies = _welcome() if created else [_main_menu()]
    return replies
