"""Security headers on every response (error pages included), cookie hardening, and the
only paths a redirect named by a form may lead to."""

from __future__ import annotations

import re

from flask import Flask, Response, request

from .memory import passed_state

# No inline script or style anywhere: everything is under static/.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Add the headers; over HTTPS, name the session cookie with the __Host- prefix."""
    if app.config["SESSION_COOKIE_SECURE"] and not app.config["SESSION_COOKIE_NAME"].startswith(
        "__Host-"
    ):
        # Secure, Path=/ and no Domain: browsers then refuse a cookie set by a subdomain.
        app.config["SESSION_COOKIE_NAME"] = "__Host-" + app.config["SESSION_COOKIE_NAME"]
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    # Not no-referrer: Flask-WTF's HTTPS CSRF check needs a same-origin Referer.
    # A page with a secret in its address sets a stricter one first (approval links).
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        headers["Cache-Control"] = _cache_control(response)
    return response


def _cache_control(response: Response) -> str:
    # Drafts and reports are personal data: never kept by the browser. A page of a draft
    # whose memory is passed through the form is the exception: the page itself is the
    # draft's memory, so the browser's Back must bring it (and its older state) back.
    page = response.status_code == 200 and response.mimetype == "text/html"
    return "private, no-cache" if page and passed_state() else "no-store"


# Segments end in "/" but the last: unambiguous, so no catastrophic backtracking.
_LOCAL_PATH = re.compile(r"/(?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_.~-]*", re.ASCII)


def local_path(target: str) -> str:
    """Only ever redirect to a plain path of this site. Browsers drop tabs and newlines from
    URLs (a tab between two slashes makes "//evil.example"), so anything unusual goes to "/"."""
    return target if _LOCAL_PATH.fullmatch(target) else "/"
