"""Pictures of posts: uploads checked by content, size and sides; pictures drawn from a template at
1200×630 with the headline wrapped in the system's Cyrillic font."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from otklik.lib import fonts
from otklik.publics import images


def picture(width=800, height=600, fmt="PNG", color="#336699") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_jpeg_and_png_are_accepted_by_content(fmt, kind):
    file = upload("снимок.bin", picture(fmt=fmt))
    assert images.check_image(file) == kind
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("отчёт.png", b"%PDF-1.7\n1 0 obj\n", "Файл «отчёт.png»: принимаются только изображения JPEG и PNG."),
        ("пусто.png", b"", "Файл «пусто.png» пуст."),
        (
            "огромный.png",
            b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024),
            "Файл «огромный.png» больше 10 МБ.",
        ),
        (
            "анимация.gif",
            b"GIF89a" + b"0" * 50,
            "Файл «анимация.gif»: принимаются только изображения JPEG и PNG.",
        ),
        (
            "полоска.png",
            picture(1, 100000),
            "Изображение «полоска.png» 1×100000 пикселей: каждая сторона — не меньше 50, ширина и высота"
            " вместе — не больше 14000, и одна сторона длиннее другой не более чем в 20 раз.",
        ),
        ("лента.png", picture(2100, 100), "Изображение «лента.png» 2100×100 пикселей"),
        (
            "битый.png",
            picture()[:60],
            "Изображение «битый.png» не читается: сохраните его заново как JPEG или PNG.",
        ),
    ],
)
def test_bad_uploads_are_refused_in_russian(name, data, message):
    with pytest.raises(ValidationError) as refused:
        images.check_image(upload(name, data))
    assert refused.value.messages[0].startswith(message)


def test_a_picture_is_1200_by_630_and_depends_on_its_headline():
    colors = {"background_color": "#1f4e79", "text_color": "#ffffff"}
    first = images.render_picture(headline="Школа № 1", **colors)
    second = images.render_picture(headline="Управление образования", **colors)
    with Image.open(io.BytesIO(first)) as drawn:
        assert (drawn.format, drawn.size) == ("PNG", (1200, 630))
        assert drawn.getpixel((5, 5)) == (0x1F, 0x4E, 0x79)
        assert (255, 255, 255) in {color for _, color in drawn.getcolors(1 << 20)}  # the headline's colour
    assert first != second
    empty = images.render_picture(headline="", **colors)
    with Image.open(io.BytesIO(empty)) as drawn:
        assert drawn.getcolors() == [(1200 * 630, (0x1F, 0x4E, 0x79))]


def test_a_long_headline_is_wrapped_inside_the_margins_and_cut_when_it_cannot_fit():
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(str(fonts.font_path(purpose="картинок", bold=True)), 72)
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    lines = images._wrap(draw, "Слово " * 12 + "Длиннющеенеразрывноесловобезпробелов" * 3, font, 1040)
    assert len(lines) > 3 and all(draw.textlength(line, font=font) <= 1040 for line in lines)
    huge = images.render_picture(headline="очень " * 300, background_color="#000000", text_color="#ffffff")
    with Image.open(io.BytesIO(huge)) as drawn:
        # Nothing is drawn in the margins: the text stays inside, however long.
        assert drawn.crop((0, 0, 1200, 40)).getcolors() == [(1200 * 40, (0, 0, 0))]
        assert drawn.crop((0, 0, 60, 630)).getcolors() == [(60 * 630, (0, 0, 0))]


def test_a_background_image_fills_the_picture_under_a_shade():
    background = io.BytesIO(picture(400, 400, color="#ffffff"))
    drawn = images.render_picture(
        headline="", background_color="#1f4e79", text_color="#ffffff", background=background
    )
    with Image.open(io.BytesIO(drawn)) as result:
        assert result.size == (1200, 630)
        assert result.getpixel((5, 5)) == (140, 140, 140)  # white under a 45 % black shade


def test_without_a_cyrillic_font_the_refusal_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_PATHS", [tmp_path / "none.ttf"])
    monkeypatch.setattr(fonts, "BOLD_FONT_PATHS", [tmp_path / "none-bold.ttf"])
    with pytest.raises(fonts.FontMissing) as missing:
        images.render_picture(headline="Школа", background_color="#000000", text_color="#ffffff")
    assert str(missing.value) == "Для картинок нужен шрифт с кириллицей: установите пакет fonts-dejavu-core."
