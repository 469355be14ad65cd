"""The respondent's browser token: a random value in a signed, HttpOnly cookie. The public page and
the web chat share it, so one browser answers a survey once whichever of the two it uses."""

import secrets

from django.conf import settings

COOKIE = "otklik_respondent"
COOKIE_SALT = "otklik.surveys.respondent"


def browser_token(request, fallback: str = "") -> str:
    """The token of this browser, or `fallback`, or a fresh one (then `remember` it on the response).

    The chat widget in another site's frame gets no cookie; its fallback is a token of its chat."""
    token = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT)
    return token if token and len(token) <= 64 else fallback or secrets.token_urlsafe(24)


def remember(response, token: str) -> None:
    response.set_signed_cookie(
        COOKIE,
        token,
        salt=COOKIE_SALT,
        max_age=2 * 365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
