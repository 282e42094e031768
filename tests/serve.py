"""Run the app as a real process for tests: python -m tests.serve INSTANCE_DIR PORT.

Configuration comes from FLASK_* environment variables, as in production.
"""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from app import create_app

if __name__ == "__main__":
    instance, port = sys.argv[1], int(sys.argv[2])
    app = create_app(instance_path=instance)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()
