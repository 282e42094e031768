"""The physical floor of the `http` section (bench/over_http.py): a bare Flask app under the
same gunicorn, answering a draft's 11 requests with no work of its own.

GET / and GET /page/<n> answer a small fixed page; POST /page/<n> answers 303 to
/page/<n+1> without reading the form. A draft: GET /, then five clicks, each POST
/page/<n> and the GET it is sent to, as the app's start and four steps are.
"""

from __future__ import annotations

from flask import Flask, redirect
from werkzeug.wrappers import Response

PAGE = "<!doctype html><title>floor</title><h1>Floor page {n}</h1>"

app = Flask(__name__)


@app.get("/")
@app.get("/page/<int:n>")
def page(n: int = 0) -> str:
    return PAGE.format(n=n)


@app.post("/page/<int:n>")
def click(n: int) -> Response:
    return redirect(f"/page/{n + 1}", 303)
