"""Benchmark of Expense Wizard's session memory (SPEC §8): per-request overhead, draft
size, store scaling, and a whole draft, each against the candidate stores.

Run: .venv/bin/python bench/store_bench.py [--quick]
Prints Markdown and writes it to bench/results/store_bench.md (store_bench-quick.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from measure import ROOT, load_average, machine
from memory_size import draft_entry, filled_draft, measure_sizes, sizes_table
from requests_bench import full_draft_table, measure_full_drafts, measure_steps, steps_table
from store_scale import (
    MAKERS,
    Population,
    apps_at_scale,
    check_integrity,
    default_threshold_loss,
    integrity_table,
    measure_ops,
    ops_table,
    populate,
    requests_at_scale_table,
)
from variants import DEFAULT, Variant, build_variants

PAYLOAD_RECEIPTS = 3  # the draft every request figure uses


@dataclass(frozen=True)
class Plan:
    name: str
    step_reps: int
    step_warmup: int
    draft_reps: int
    draft_warmup: int
    op_reps: int
    scale_step_reps: int
    sizes: tuple[int, int]


QUICK = Plan("quick", 100, 15, 10, 2, 1000, 50, (1_000, 10_000))
FULL = Plan("full", 1000, 100, 60, 5, 4000, 400, (1_000, 100_000))


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def section_steps(variants: list[Variant], plan: Plan) -> str:
    _log(f"1. step requests: {plan.step_reps} rounds x {len(variants)} variants x 3 requests")
    samples = measure_steps(variants, plan.step_reps, plan.step_warmup)
    return f"""## 1. A step request: session memory's overhead (target ≤ 0.3 ms over no session)

In-process through Flask's test client, on a draft with {PAYLOAD_RECEIPTS} receipts whose
steps 1 and 2 are done. {plan.step_reps} rounds after {plan.step_warmup} warm-up rounds; each
round sends every variant's three requests once, in a new random order, so load on the
machine hits all variants alike. "Over floor" is the median of the per-round differences from
the floor's same request, with its distribution-free 95% confidence interval; the target is
"met" when the whole interval is ≤ 0.3 ms, "not met" when it is all above.

{steps_table(variants, samples)}

- **Floor** ("no session at all"): the same app, views, forms, templates and CSRF checks,
  with the browser session and the draft's memory kept as live Python objects in the process
  (bench/floor.py): nothing stored, encoded or decoded, no transaction. A literal "no session"
  cannot serve these pages (the CSRF secret and the list of drafts this browser owns live in
  the session), and a hand-written endpoint would drift from the real views; so "over floor"
  is exactly what session memory costs a request: store I/O, msgpack, the transaction.
- **in-process dict**: the app's real session and draft code over a dict of encoded bytes:
  encoding and session handling without any I/O.
- **signed cookie**: Flask's own SecureCookieSession; the draft entries live in the cookie
  (bench/adapters.py CookieStore), re-signed and re-sent whenever the draft changes (every
  request here, as loading a draft slides its expiry).
- **cachelib / SQLAlchemy**: adapters in bench/adapters.py behind the app's KeyValueStore
  protocol, given to the app as its WIZARD_STORE_FACTORY (bench/variants.py with_store).
- What session memory does per request: a GET reads the browser session (1 get) and loads
  the draft (1 get_touch, an UPDATE ... RETURNING that slides the idle timeout); the POST
  also saves the draft (1 update: BEGIN IMMEDIATE, SELECT, upsert, COMMIT). The browser
  session is written only when it changes (SESSION_REFRESH_EACH_REQUEST=False): never here.
"""


def section_sizes(variants: dict[str, Variant]) -> str:
    _log("2. draft sizes")
    sizes = measure_sizes(variants[DEFAULT].app, variants["cookie"].app)
    return f"""## 2. Memory of one draft (target ≤ 3 KB with 10 receipts)

Each draft is filled through the real wizard (employee, receipts, categories and purpose;
only the review's tick is left), then measured in the default SQLiteStore. "A file on every
receipt" uploads a small PNG with each receipt: the file goes to the reports database, and
memory keeps only its id (a receipt's "file_id", present only when a file was uploaded).

{sizes_table(sizes)}

- **draft entry**: the bytes of the draft's store entry: its values, which step wrote each
  key and when, its creation time and the typing counter, as msgpack.
- **total_size**: SessionState.total_size(), the values alone as compact JSON: what the
  16 KB budget (WIZARD_MEMORY_BUDGET) is checked against.
- **browser session entry**: the browser session itself (CSRF secret, draft ids).
- **signed cookie**: the same draft kept by Flask's cookie session instead (base64 of a
  compressed, signed JSON): browsers refuse a cookie over about 4 KB.
"""


def _populations(root: Path, payload: bytes, plan: Plan) -> list[Population]:
    populations = []
    for kind in MAKERS:
        for size in plan.sizes:
            _log(f"3. filling {kind} with {size:,} drafts")
            populations.append(populate(kind, size, payload, root))
    return populations


def section_scale(root: Path, payload: bytes, plan: Plan) -> str:
    populations = _populations(root, payload, plan)
    _log(f"3. store operations: {plan.op_reps} rounds")
    ops = measure_ops(populations, payload, plan.op_reps)
    _log("3. counting and re-reading every draft")
    checks = [check_integrity(p) for p in populations]
    _log(f"3. step requests on the filled stores: {plan.scale_step_reps} rounds")
    apps = apps_at_scale(populations, root / "apps")
    steps = measure_steps(apps, plan.scale_step_reps, plan.step_warmup)
    kept = default_threshold_loss(root, payload)
    small, large = plan.sizes
    return f"""## 3. Store operations with many live drafts (target ≤ 1.2x the cost at {small:,})

Each store is filled with {small:,} or {large:,} live drafts (random 22-character ids; each
value the {len(payload):,}-byte entry of a real {PAYLOAD_RECEIPTS}-receipt draft). Then each
operation runs on a random live draft, {plan.op_reps} times per store, all stores interleaved
in random order. `update` is the draft save, a read-modify-write in one transaction (for
cachelib a plain read then write: it has no transactions).

{ops_table(populations, ops)}

These are the store alone, tens of µs per operation. With {small:,} drafts the file fits in
SQLite's page cache and the CPU caches; with {large:,} it does not, so each operation reads
more pages, and more of them from the operating system's cache. A step request makes two or
three such operations within milliseconds of rendering: the request-level table below shows
what that growth costs a person.

Nothing lost: count() afterwards, then a fresh store object on the same file or folder (a
restart) reads every draft by its key.

{integrity_table(checks)}

The same step requests as in section 1, through the real app configured
(WIZARD_SQLITE_STORE) onto each filled file, {plan.scale_step_reps} interleaved rounds:

{requests_at_scale_table(populations, steps)}

For contrast, cachelib with Flask-Session's default threshold of 500: of 600 drafts written,
**{kept:,}** can still be read; the rest were deleted without an error.
"""


def section_full_drafts(variants: list[Variant], plan: Plan) -> str:
    _log(f"4. full drafts: {plan.draft_reps} rounds x {len(variants)} variants")
    samples = measure_full_drafts(variants, plan.draft_reps, plan.draft_warmup)
    return f"""## 4. A whole draft, in-process

One new browser per draft: the start page, start, then each step's GET and POST (employee,
{PAYLOAD_RECEIPTS} receipts, categories and purpose, review with submit) and the confirmation:
11 requests through Flask's test client, following each 303 as a browser would. Submitting
writes the report to the reports database (SQLite). {plan.draft_reps} interleaved rounds after
{plan.draft_warmup} warm-up drafts per variant.

{full_draft_table(variants, samples)}

The comparison with django-formtools' SessionWizardView (SPEC §8's ≥ 5x target) is not part
of this script.
"""


def run(plan: Plan, root: Path) -> str:
    where = machine()  # the date and load average as the run starts
    variants = build_variants(root / "apps")
    by_key = {v.key: v for v in variants}
    steps = section_steps(variants, plan)
    full = section_full_drafts(variants, plan)
    sizes = section_sizes(by_key)
    default_app = by_key[DEFAULT].app
    payload = draft_entry(default_app, filled_draft(default_app, PAYLOAD_RECEIPTS))
    scale = section_scale(root / "scale", payload, plan)
    title = f"# Session memory benchmark ({plan.name} run)"
    return "\n\n".join([title, where, steps, sizes, scale, full])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, under a minute")
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder (default: temp)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="store-bench-", dir=args.dir) as scratch:
        report = run(plan, Path(scratch))
    elapsed = time.perf_counter() - started
    report += (
        f"\n\n_Run time: {elapsed:.0f} s. Load average (1 min) at the end: {load_average()}._\n"
    )
    out = ROOT / "bench" / "results" / ("store_bench-quick.md" if args.quick else "store_bench.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(report)
    _log(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
