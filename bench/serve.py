"""Serve the app from its own instance folder with Werkzeug: one process, one request at a time.

Run: PYTHONPATH=<checkout> .venv/bin/python bench/serve.py --instance DIR --port N
The app reads FLASK_* environment variables as usual (create_app); the instance folder
(its stores, reports database and secret key) is the one given here. Prints one line
naming the app code it serves once it is listening; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import make_server

import app
from app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, help="the app's instance folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    flask_app = create_app(instance_path=args.instance)
    server = make_server(args.host, args.port, flask_app, threaded=False)
    print(f"serving {app.__file__} on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
