"""What the engine tells whoever listens (the demonstration layer, app/demo/): it calls no
listener itself, and runs the same with none connected. Flask's own before_render_template
signal serves for what a page shows."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent (sender: the app) once a flow's draft was stored by its submission, before the
# browser session is renewed; with flow=, record= (what the submission stored) and draft=.
submitted = _signals.signal("submitted")
