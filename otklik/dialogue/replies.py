"""What goes in and out of the dialogue core; its flows (core, survey_chat) share these types."""

from dataclasses import dataclass, field


@dataclass
class Button:
    label: str
    action: str


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    # The same message as the one whose button was pressed, with new buttons (a toggled choice):
    # a channel that can redraw that message does so instead of sending a new one.
    redraw: bool = False
    # The text is an answer of the knowledge base, written in Markdown: a channel that shows
    # formatting renders it (the web chat); the others send it as it is.
    markdown: bool = False


@dataclass
class Incoming:
    kind: str  # "text" | "button" | "command" | "file" | "location" ("lat,lon") | "unsupported"
    value: str = ""
    file_name: str = ""
    file_bytes: bytes = b""
    place: str = ""  # with a location: the name and address of a place picked on the map


MENU_BUTTON = Button("🏠 Главное меню", "menu")
CANCEL_BUTTON = Button("Отменить", "cancel")
