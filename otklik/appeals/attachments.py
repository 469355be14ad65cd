"""Attachments: images, short videos, documents and recorded voice, checked by content (not by
name), limited in size.

Documents are PDF and what citizens write letters in: Word (DOC, DOCX), OpenDocument (ODT, ODS),
RTF and spreadsheets (XLS, XLSX). A DOCX or ODT is a ZIP: it is recognised by the files inside it
(listed, never unpacked), and one carrying macros (vbaProject.bin) is refused. DOC and XLS share one
container format with installers, so they are taken only under their own extension.

Voice is accepted because citizens of a messenger speak rather than type: a Telegram voice message
(OGG/Opus) or a recording (MP3, M4A, WAV) is kept with the appeal for the executor to listen to. The
appeal itself stays written (59-ФЗ): the text is still asked for."""

import io
import zipfile
from pathlib import Path

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
    "фотографии (JPEG, PNG, GIF, WebP), короткие видео (MP4, MOV, WebM, 3GP), документы без макросов "
    "(PDF, DOC, DOCX, ODT, RTF, XLS, XLSX, ODS) и голосовые записи (OGG, MP3, M4A, WAV)"
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of DOC and XLS (and of installers)
OLE_DOCUMENTS = {".doc": ("application/msword", ".doc"), ".xls": ("application/vnd.ms-excel", ".xls")}
ODF = {
    b"application/vnd.oasis.opendocument.text": ("application/vnd.oasis.opendocument.text", ".odt"),
    b"application/vnd.oasis.opendocument.spreadsheet": (
        "application/vnd.oasis.opendocument.spreadsheet",
        ".ods",
    ),
}
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
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


# Where macros live: VBA in Office Open XML, Basic and scripts in OpenDocument.
ZIP_MACROS = ("vbaproject.bin", "basic/", "scripts/")
# The names of the VBA storages in a DOC or XLS compound file (UTF-16 directory entries).
OLE_MACROS = (
    "_VBA_PROJECT".encode("utf-16-le"),
    "Macros".encode("utf-16-le"),
    "_VBA_PROJECT_CUR".encode("utf-16-le"),
)


def _zipped_document(stream) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if any(marker in name.lower() for name in names for marker in ZIP_MACROS):
                return None  # macros
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                return ODF.get(archive.read("mimetype").strip())
    except Exception:  # noqa: BLE001 - any damaged, encrypted or exotic ZIP is simply not a document we take
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def kind_of(stream, name: str = "") -> tuple[str, str] | None:
    """(content type, extension) of a file-like object (read from the start, left at the start),
    or None when it is not of a kind appeals take."""
    head = stream.read(16)
    stream.seek(0)
    kind = sniff(head)
    if kind is None and head.startswith(b"{\\rtf"):
        kind = ("application/rtf", ".rtf")
    if kind is None and head.startswith(OLE):
        kind = OLE_DOCUMENTS.get(Path(name or "").suffix.lower())
        if kind is not None:
            content = stream.read(MAX_BYTES + 1)
            stream.seek(0)
            if any(marker in content for marker in OLE_MACROS):
                kind = None  # macros
    if kind is None and head.startswith(b"PK\x03\x04"):
        kind = _zipped_document(stream)
        stream.seek(0)
    return kind


def kind_of_bytes(data: bytes, name: str = "") -> tuple[str, str] | None:
    return kind_of(io.BytesIO(data), name)


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
    kind = kind_of(upload, upload.name or "")
    if kind is None or (kinds is not None and kind[0] not in kinds):
        raise ValidationError(f"Файл «{upload.name}»: принимаются только {accepted}.")
    return kind
