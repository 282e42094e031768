"""Benchmark for issue "receipt files": one large receipt file uploaded on step 2 of a draft,
in-process and over HTTP to a real app process, with that process's peak memory.

Run: .venv/bin/python bench/upload_bench.py [--runs 20]
Prints Markdown and writes it to bench/results/upload_bench.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from driver import Browser, at_receipts_step, employee_form, expect, receipts_form
from flask import Flask
from http_app import AppProcess, HttpBrowser, Memory, app_process, gunicorn_installed
from measure import (
    PACKAGES,
    ROOT,
    load_average,
    machine,
    median_ms,
    paired_difference,
    quartiles_ms,
    table,
    timed_ns,
)
from sample_files import noisy_jpeg, pdf_of_size
from variants import build_app
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

PDF_BYTES = 5 * 1024 * 1024 - 8  # just under RECEIPT_MAX_BYTES (5 MiB), which is allowed
RUNS = 20
WARMUP = 2
MIB = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """What the receipt's file input carries: nothing, or one file."""

    label: str
    filename: str
    data: bytes

    def request(self, token: str) -> tuple[str, bytes]:
        """Step 2's whole multipart body as a browser sends it, and its Content-Type."""
        file = FileStorage(io.BytesIO(self.data), filename=self.filename)
        fields = {"csrf_token": token, **receipts_form(1), "receipts-0-file_id": ""}
        boundary, body = encode_multipart({**fields, "receipts-0-file": file})
        return f"multipart/form-data; boundary={boundary}", body

    def check_stored(self, receipts_page: str) -> None:
        """Stop unless step 2, shown again, names the stored file."""
        if self.filename and self.filename not in receipts_page:
            raise RuntimeError(f"{self.label}: the receipts page does not show {self.filename}")


def make_uploads() -> list[Upload]:
    jpeg = noisy_jpeg()
    if not 2 * MIB < len(jpeg) <= 5 * MIB:
        raise RuntimeError(f"The JPEG came out at {len(jpeg):,} bytes, not a few MB")
    return [
        Upload("no file (the same POST, file input left empty)", "", b""),
        Upload("PDF, 1 page, a grey-noise scan", "receipt.pdf", pdf_of_size(PDF_BYTES)),
        Upload("JPEG, 4000x3000 photo of noise", "receipt.jpg", jpeg),
    ]


Samples = dict[str, list[int]]


def upload_in_process(app: Flask, upload: Upload) -> int:
    """Nanoseconds of one step-2 POST with this upload, on a new draft (set up untimed)."""
    browser: Browser = at_receipts_step(app)
    content_type, body = upload.request(browser.token)
    url = browser.url("receipts")
    elapsed, response = timed_ns(
        lambda: browser.client.post(url, data=body, content_type=content_type)
    )
    if not expect(response, 303).location.endswith("/categories"):
        raise RuntimeError(f"{upload.label}: step 2 did not move on to categories")
    upload.check_stored(expect(browser.client.get(url), 200).text)
    return elapsed


def measure_in_process(app: Flask, uploads: list[Upload], runs: int) -> Samples:
    """Every upload once per round, in a new random order; WARMUP rounds first."""
    samples: Samples = {u.label: [] for u in uploads}
    order = list(uploads)
    rng = random.Random(4)
    for round_number in range(WARMUP + runs):
        if round_number == WARMUP:
            gc.collect()
        rng.shuffle(order)
        for upload in order:
            elapsed = upload_in_process(app, upload)
            if round_number >= WARMUP:
                samples[upload.label].append(elapsed)
    return samples


def in_process_table(uploads: list[Upload], samples: Samples) -> str:
    floor = samples[uploads[0].label]
    rows = []
    for upload in uploads:
        mine = samples[upload.label]
        lo, hi = quartiles_ms(mine)
        over = "" if mine is floor else str(paired_difference(mine, floor))
        rows.append([upload.label, _size(upload), len(mine), f"{median_ms(mine):.1f}"])
        rows[-1] += [f"{lo:.1f}-{hi:.1f}", f"{min(mine) / 1e6:.1f}", over]
    headers = ["POST step 2 with", "file", "runs", "median ms", "p25-p75 ms", "min ms"]
    return table([*headers, "over no file ms [95% CI]"], rows)


def _size(upload: Upload) -> str:
    if not upload.data:
        return ""
    return f"{len(upload.data):,} B ({len(upload.data) / MIB:.2f} MiB)"


def upload_over_http(running: AppProcess, upload: Upload) -> int:
    """Nanoseconds of one step-2 POST over HTTP (send, and read the whole reply)."""
    browser = HttpBrowser(running.port)
    browser.at_receipts_step(employee_form())
    content_type, body = upload.request(browser.token)
    path = browser.url("receipts")
    elapsed, reply = timed_ns(lambda: browser.send("POST", path, body, content_type))
    if not reply.expect(303).location.endswith("/categories"):
        raise RuntimeError(f"{upload.label}: step 2 did not move on to categories")
    upload.check_stored(browser.send("GET", path).expect(200).text)
    return elapsed


@dataclass(frozen=True)
class HttpRun:
    server: str
    samples: Samples
    memory: list[tuple[str, Memory]]  # after start and warm-up, then after each upload's runs
    reports_db_bytes: int


def measure_over_http(instance: Path, uploads: list[Upload], runs: int) -> HttpRun:
    """Each upload's runs in a block (so each block's memory growth shows), in list order."""
    samples: Samples = {u.label: [] for u in uploads}
    with app_process(instance) as running:
        for _ in range(WARMUP):
            upload_over_http(running, uploads[0])
        memory = [(f"started, {WARMUP} drafts without a file", running.memory())]
        for upload in uploads:
            samples[upload.label] = [upload_over_http(running, upload) for _ in range(runs)]
            memory.append((f"after {runs} x {upload.label}", running.memory()))
    db = sum(p.stat().st_size for p in instance.glob("reports.sqlite3*"))
    return HttpRun(running.server, samples, memory, db)


def http_table(uploads: list[Upload], run: HttpRun) -> str:
    rows = []
    for upload in uploads:
        mine = run.samples[upload.label]
        lo, hi = quartiles_ms(mine)
        cells = [f"{mine[0] / 1e6:.1f}", f"{median_ms(mine):.1f}", f"{lo:.1f}-{hi:.1f}"]
        rows.append([upload.label, _size(upload), len(mine), *cells])
    headers = ["POST step 2 with", "file", "runs", "first ms", "median ms", "p25-p75 ms"]
    return table(headers, rows)


def memory_table(run: HttpRun) -> str:
    rows = []
    start = run.memory[0][1].peak_kib
    for point, memory in run.memory:
        growth = f"{(memory.peak_kib - start) / 1024:+.1f}"
        rows.append(
            [point, f"{memory.peak_kib / 1024:.1f}", growth, f"{memory.resident_kib / 1024:.1f}"]
        )
    headers = ["app process", "peak RSS (VmHWM) MiB", "peak since start MiB", "RSS now (VmRSS) MiB"]
    return table(headers, rows)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def section_in_process(root: Path, uploads: list[Upload], runs: int) -> str:
    _log(f"1. in-process: {WARMUP} + {runs} rounds x {len(uploads)} uploads")
    samples = measure_in_process(build_app(root / "in-process"), uploads, runs)
    return f"""## 1. In-process, through Flask's test client

Each run starts a new draft and answers step 1 (untimed), then times one POST of step 2
(Receipts) with one valid receipt whose file input carries the file: from the test client's
call to its 303 to Categories. The multipart body is encoded before the clock starts; the
file's bytes are checked (Pillow for the JPEG), stored in the reports database (SQLite) and
the draft remembers its id. Afterwards step 2 is shown again and must name the file.
{runs} rounds after {WARMUP} warm-up rounds, the three POSTs in a new random order each round;
"over no file" is the median of per-round differences with its 95% interval.

{in_process_table(uploads, samples)}
"""


def section_http(root: Path, uploads: list[Upload], runs: int) -> str:
    _log(f"2. over HTTP: {runs} runs x {len(uploads)} uploads")
    run = measure_over_http(root / "http-instance", uploads, runs)
    return f"""## 2. Over HTTP, to a real app process

The app runs as a process of its own on 127.0.0.1, served by {run.server}, in a new
instance folder (its own session store, reports database and secret key; FLASK_* environment
variables apply as usual). A browser made of http.client keeps the session cookie and takes
the CSRF token from the start page; each run starts a new draft and answers step 1 (untimed),
then times the step-2 POST from sending the request on a new connection to reading the whole
303 reply, and checks that step 2 names the file. The runs go in blocks, so that each block's
memory shows: {runs} without a file, then {runs} PDFs, then {runs} JPEGs. "First" is each
block's first POST: the first file of its kind through this process.

{http_table(uploads, run)}

Memory of the process that runs the app's code, from /proc/<pid>/status: the peak resident
set so far (VmHWM) and the resident set now (VmRSS).

{memory_table(run)}

The reports database (with its WAL) held {run.reports_db_bytes / MIB:.1f} MiB at the end:
every uploaded file stays until its draft is submitted or expires (none is, here).
"""


def run(root: Path, runs: int) -> str:
    server = ["gunicorn"] if gunicorn_installed() else []
    where = machine([*PACKAGES, "Flask-SQLAlchemy", "Pillow", *server])
    _log("making the files")
    uploads = make_uploads()
    in_process = section_in_process(root, uploads, runs)
    over_http = section_http(root, uploads, runs)
    title = '# Receipt file upload benchmark (issue "receipt files")'
    return "\n\n".join([title, where, in_process, over_http])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="timed POSTs per file and mode")
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: temp)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="upload-bench-", dir=args.dir) as scratch:
        report = run(Path(scratch), args.runs)
    elapsed = time.perf_counter() - started
    report += (
        f"\n\n_Run time: {elapsed:.0f} s. Load average (1 min) at the end: {load_average()}._\n"
    )
    out = ROOT / "bench" / "results" / "upload_bench.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(report)
    _log(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
