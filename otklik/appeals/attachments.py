"""Attachments: images and PDF only, checked by content (not by name), limited in size."""

from django.core.exceptions import ValidationError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def check_upload(upload) -> tuple[str, str]:
    """The (content type, extension) of an acceptable upload, or a Russian refusal."""
    if upload.size == 0:
        raise ValidationError(f"Файл «{upload.name}» пуст.")
    if upload.size > MAX_BYTES:
        raise ValidationError(f"Файл «{upload.name}» больше 10 МБ.")
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            f"Файл «{upload.name}»: принимаются только фотографии (JPEG, PNG, GIF, WebP) и PDF."
        )
    return kind
