"""The package is installable: a wheel built from this tree, installed in a fresh virtualenv,
serves the start page and a step page of the expense flow (a wheel that left the top-level
templates/ and static/ behind answered TemplateNotFound)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

# Run by the fresh virtualenv's Python, away from the source tree: it imports the installed app.
WALK = """
import re, sys
from app import create_app
app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, instance_path=sys.argv[1])
assert app.root_path.startswith(sys.prefix), app.root_path  # the installed package
client = app.test_client()
start = client.get("/")
assert start.status_code == 200 and "Submit an expense report" in start.text, start.status_code
assert client.get("/static/css/app.css").status_code == 200
token = re.search(r'name="csrf_token" value="([^"]+)"', start.text)[1]
created = client.post("/report", data={"csrf_token": token})
step = client.get(created.location)
assert step.status_code == 200 and "<h1>Employee details</h1>" in step.text, step.status_code
print("served from", app.root_path)
"""


def test_a_built_wheel_installed_in_a_fresh_virtualenv_serves_the_expense_flow(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    build = [*pip, "wheel", "--no-build-isolation", "--no-deps", str(PROJECT), "-w", str(wheels)]
    subprocess.run(build, check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("expense_wizard-*.whl")
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(fresh), "platbase": str(fresh)})["purelib"])
    # The dependencies come from this environment's site-packages (no network needed); its
    # editable install of the project is a .pth there, which a path added this way never runs.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    walk = subprocess.run(
        [str(python), "-c", WALK, str(tmp_path / "instance")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert walk.returncode == 0, walk.stderr[-2000:]
    assert "served from" in walk.stdout and str(fresh) in walk.stdout
