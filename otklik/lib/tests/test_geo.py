"""Points shared by phones and the bot: read, refused with a reason, shown and linked."""

import pytest

from otklik.lib import geo


@pytest.mark.parametrize(
    ("latitude", "longitude", "point"),
    [
        (None, None, None),
        ("", "  ", None),
        (55.7512441, 37.6184232, (55.751244, 37.618423)),
        ("55,75", "37,61", (55.75, 37.61)),  # a decimal comma, as Russian keyboards type it
        (" -33.8688 ", "151.2093", (-33.8688, 151.2093)),
        (90, -180, (90.0, -180.0)),
        (0, 0, (0.0, 0.0)),
    ],
)
def test_points_are_read(latitude, longitude, point):
    assert geo.coordinates(latitude, longitude) == point


@pytest.mark.parametrize(
    ("latitude", "longitude", "reason"),
    [
        ("55.75", "", "обе координаты"),
        (None, 37.6, "обе координаты"),
        (90.0001, 0, "от −90 до 90"),
        (0, 180.5, "от −90 до 90"),
        ("nan", "1", "от −90 до 90"),
        ("inf", "1", "от −90 до 90"),
        ("1e400", "1", "от −90 до 90"),
        ("55.75; DROP TABLE", "37", "от −90 до 90"),
        ("5" * 100_000, "37", "от −90 до 90"),
        (True, 37, "от −90 до 90"),
        ([55], 37, "от −90 до 90"),
        ({"lat": 1}, 37, "от −90 до 90"),
    ],
)
def test_bad_points_are_refused_with_a_russian_reason(latitude, longitude, reason):
    with pytest.raises(ValueError, match=reason):
        geo.coordinates(latitude, longitude)


def test_the_map_link_follows_the_setting(settings):
    settings.MAP_URL = "https://maps.example.gov.ru/?pt={lon},{lat}"
    assert geo.map_url(51.73, 36.19) == "https://maps.example.gov.ru/?pt=36.190000,51.730000"
    settings.MAP_URL = "https://maps.example.gov.ru/?pt={lon},{lat}&style={dark}"  # a hand-written slip
    assert geo.map_url(51.73, 36.19) == ""
    settings.MAP_URL = ""
    assert geo.map_url(51.73, 36.19) == ""


def test_a_coarse_point_is_about_a_kilometre():
    assert geo.coarse(51.730361, 36.192647) == (51.73, 36.19)
    assert geo.coarse(None, 36.19) == (None, None)
