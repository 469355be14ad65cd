"""A point on the map as citizens' phones and the bot send it: checked, shown, linked to a map."""

import math

from django.conf import settings

PROBLEM = "Координаты места: широта — число от −90 до 90, долгота — от −180 до 180."


def coordinates(latitude, longitude) -> tuple[float, float] | None:
    """(latitude, longitude) from two values of a form, JSON or the bot; None when both are empty.

    Raises ValueError with the Russian reason when only one is given or either is not a finite number
    in range (a string such as «55,75» with a decimal comma is read)."""
    empty = [v is None or (isinstance(v, str) and not v.strip()) for v in (latitude, longitude)]
    if all(empty):
        return None
    if any(empty):
        raise ValueError("Укажите обе координаты места: широту и долготу.")
    values = []
    for value in (latitude, longitude):
        if isinstance(value, bool):
            raise ValueError(PROBLEM)
        try:
            number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(PROBLEM) from None
        if not math.isfinite(number):
            raise ValueError(PROBLEM)
        values.append(number)
    lat, lon = values
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(PROBLEM)
    # Six decimals are 0.1 m: a phone's fix is never finer.
    return round(lat, 6), round(lon, 6)


def shown(latitude: float, longitude: float) -> str:
    """«55.751244, 37.618423» — the way map services accept a point pasted into their search."""
    return f"{latitude:.6f}, {longitude:.6f}"


def map_url(latitude: float, longitude: float) -> str:
    """The configured map's page of the point (`settings.MAP_URL`), or empty."""
    if not settings.MAP_URL:
        return ""
    try:
        return settings.MAP_URL.format(lat=f"{latitude:.6f}", lon=f"{longitude:.6f}")
    except (KeyError, IndexError, ValueError):  # another {…} in a hand-written setting: no link
        return ""


def coarse(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    """The point rounded to 0.01° (about a kilometre): what stays after personal data are removed —
    enough for a map of problems, too coarse to find a home."""
    if latitude is None or longitude is None:
        return None, None
    return round(latitude, 2), round(longitude, 2)
