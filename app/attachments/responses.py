"""A stored file as a download: to its draft's browser, or to its report's approver."""

from __future__ import annotations

import io

from flask import Response, send_file

from .models import StoredFile


def send_stored(stored: StoredFile) -> Response:
    """The file as an attachment (never shown inline: its content is the uploader's), kept
    by no cache."""
    response = send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
