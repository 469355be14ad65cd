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


@dataclass
class Incoming:
    kind: str  # "text" | "button" | "command" | "file" | "unsupported"
    value: str = ""
    file_name: str = ""
    file_bytes: bytes = b""


MENU_BUTTON = Button("🏠 Главное меню", "menu")
CANCEL_BUTTON = Button("Отменить", "cancel")
