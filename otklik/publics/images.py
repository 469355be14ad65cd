"""Pictures of госпаблики posts: uploaded images checked by content and size, and pictures drawn from
a picture template (a background and a headline) with Pillow in the system's Cyrillic font."""

import io
import re

from django.core.exceptions import ValidationError

from otklik.appeals.attachments import check_upload
from otklik.lib.fonts import font_path

# VK's wall picture of a link post (1.91:1) and the size its feed shows without cropping.
WIDTH, HEIGHT = 1200, 630
MARGIN = 80
# VK refuses a photo whose width plus height exceeds 14000 px or whose sides differ more than 20 times;
# below 50 px it is not a picture anybody can see.
MIN_SIDE, MAX_SIDES, MAX_RATIO = 50, 14000, 20
IMAGE_TYPES = {"image/jpeg", "image/png"}
ACCEPTED = "изображения JPEG и PNG"
HEADLINE_MAX = 300
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_FONT_SIZES = range(72, 27, -4)


def check_image(upload) -> str:
    """The content type of an acceptable picture upload (JPEG or PNG by content, at most 10 MB, sane
    sides, readable); raises ValidationError with a Russian reason. The upload is rewound."""
    from PIL import Image

    content_type, _ = check_upload(upload, kinds=IMAGE_TYPES, accepted=ACCEPTED)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if (
                min(width, height) < MIN_SIDE
                or width + height > MAX_SIDES
                or max(width, height) > MAX_RATIO * min(width, height)
            ):
                raise ValidationError(
                    f"Изображение «{upload.name}» {width}×{height} пикселей: каждая сторона — не меньше"
                    f" {MIN_SIDE}, ширина и высота вместе — не больше {MAX_SIDES}, и одна сторона длиннее"
                    f" другой не более чем в {MAX_RATIO} раз."
                )
            image.verify()
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            f"Изображение «{upload.name}» не читается: сохраните его заново как JPEG или PNG."
        ) from exc
    finally:
        upload.seek(0)
    return content_type


def color_refusal(value: str, label: str) -> str:
    """The Russian refusal for a colour that is not #rrggbb; empty when it is."""
    return "" if _COLOR.fullmatch(value or "") else f"{label}: укажите цвет в виде #1f4e79."


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Lines of `text` no wider than `width` in `font`: words moved to the next line, a word too long
    for a line broken by letters, the author's line breaks kept."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for letter in word:
                if line and draw.textlength(line + letter, font=font) > width:
                    lines.append(line)
                    line = ""
                line += letter
        lines.append(line)
    return lines


def render_picture(*, headline: str, background_color: str, text_color: str, background=None) -> bytes:
    """A 1200×630 PNG: the background image (cropped to fill) or colour, the headline in bold, wrapped
    and made smaller until it fits (cut with «…» if even the smallest size does not). Raises
    `lib.fonts.FontMissing` without a Cyrillic font."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    path = font_path(purpose="картинок", bold=True)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), background_color)
    if background:
        with Image.open(background) as picture:
            canvas.paste(ImageOps.fit(picture.convert("RGB"), (WIDTH, HEIGHT)))
        # A shade over a photo keeps the headline readable whatever the photo is.
        shade = Image.new("RGB", (WIDTH, HEIGHT), "#000000")
        canvas = Image.blend(canvas, shade, 0.45)
    draw = ImageDraw.Draw(canvas)
    room_w, room_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    for size in _FONT_SIZES:
        font = ImageFont.truetype(str(path), size)
        step = int(size * 1.25)
        lines = _wrap(draw, headline.strip(), font, room_w)
        if len(lines) * step <= room_h:
            break
    fit = max(1, room_h // step)
    if len(lines) > fit:
        lines = lines[:fit]
        while lines[-1] and draw.textlength(lines[-1] + "…", font=font) > room_w:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    top = (HEIGHT - len(lines) * step) // 2
    for n, line in enumerate(lines):
        draw.text((MARGIN, top + n * step), line, font=font, fill=text_color)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()
