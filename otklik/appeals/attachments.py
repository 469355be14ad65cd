"""Attachments: images, short videos, PDF and recorded voice, checked by content (not by name),
limited in size.

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
ACCEPTED = (
    "фотографии (JPEG, PNG, GIF, WebP), короткие видео (MP4, MOV, WebM), PDF и голосовые записи "
    "(OGG, MP3, M4A, WAV)"
)
# ISO media files say what they are in the brand after «ftyp»: audio, QuickTime, 3GPP (older phones)
# or one of the MP4 brands cameras and phones write.
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VP",
    b"MSNV",
    b"mmp4",
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", ".wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A"):
            return "audio/mp4", ".m4a"
        if brand == b"qt  ":
            return "video/quicktime", ".mov"
        if brand.startswith(b"3g"):
            return "video/3gpp", ".3gp"
        if brand in MP4_BRANDS:
            return "video/mp4", ".mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska/WebM (EBML)
        return "video/webm", ".webm"
    return None


def is_audio(content_type: str) -> bool:
    return content_type.startswith("audio/")


def is_video(content_type: str) -> bool:
    return content_type.startswith("video/")


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
