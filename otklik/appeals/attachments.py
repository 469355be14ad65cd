"""Attachments: images, PDF and recorded voice, checked by content (not by name), limited in size.

Voice is accepted because citizens of a messenger speak rather than type: a Telegram voice message
(OGG/Opus) or a recording (MP3, M4A, WAV) is kept with the appeal for the executor to listen to. The
appeal itself stays written (59-ФЗ): the text is still asked for."""

from django.core.exceptions import ValidationError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
    b"OggS": ("audio/ogg", ".ogg"),
    b"ID3": ("audio/mpeg", ".mp3"),
    b"\xff\xfb": ("audio/mpeg", ".mp3"),
    b"\xff\xf3": ("audio/mpeg", ".mp3"),
}
ACCEPTED = "фотографии (JPEG, PNG, GIF, WebP), PDF и голосовые записи (OGG, MP3, M4A, WAV)"


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", ".wav"
    if head[4:8] == b"ftyp" and head[8:11] == b"M4A":
        return "audio/mp4", ".m4a"
    return None


def is_audio(content_type: str) -> bool:
    return content_type.startswith("audio/")


def check_upload(upload, *, kinds: set[str] | None = None, accepted: str = ACCEPTED) -> tuple[str, str]:
    """The (content type, extension) of an acceptable upload, or a Russian refusal. `kinds` narrows
    the content types a caller takes (госпаблики take JPEG and PNG only), `accepted` names them."""
    if upload.size == 0:
        raise ValidationError(f"Файл «{upload.name}» пуст.")
    if upload.size > MAX_BYTES:
        raise ValidationError(f"Файл «{upload.name}» больше 10 МБ.")
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None or (kinds is not None and kind[0] not in kinds):
        raise ValidationError(f"Файл «{upload.name}»: принимаются только {accepted}.")
    return kind
