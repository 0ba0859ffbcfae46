"""The dashboard's browser-side protections: cookies, CSRF tokens, and the headers on every page."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "pmqa_dash"
SIGNIN_COOKIE = "pmqa_dash_signin"  # double-submit token of the sign-in form (there is no session yet)
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 16_000

# No inline scripts or styles anywhere: htmx and the page's small script come from /dashboard/static.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # a sign-in link's token never leaves in a Referer
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/dashboard", httponly=True, samesite="lax",
                        secure=is_https(request))


async def form_of(request: Request) -> dict[str, str]:
    """An urlencoded form body (the only kind the dashboard posts), first value of each field."""
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def csrf_ok(request: Request, form: dict[str, str], expected: str) -> bool:
    return same_token(request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD), expected)
