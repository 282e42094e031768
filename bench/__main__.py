"""The benchmarks of SPEC §8 in one command: `python -m bench [SECTION ...] [--quick]`.

Sections: drafts, steps, sizes, stores, load, weight, strategies, http (all when none is
named).
Writes bench/results/summary.md (summary-quick.md with --quick) and prints it.
`python -m bench drafts --against /path/to/other/checkout` instead times the same whole
draft on this checkout's app and on the other's, in one worker process each.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sections import each other flat

from common import (
    FULL,
    QUICK,
    RESULTS,
    Bench,
    RedisKeys,
    Section,
    log,
    machine,
    redis_problem,
    table,
)


def _module(name: str) -> Callable[[Bench], Section]:
    """A section is its module's section(bench), imported when it runs (each needs
    different packages: Django, locust, playwright)."""

    def run(bench: Bench) -> Section:
        found: Section = importlib.import_module(name).section(bench)
        return found

    return run


# A section's name and its module: `http` lives in over_http.py (a module named http on
# sys.path would hide the standard library's).
MODULES = {
    **{
        name: name
        for name in ("drafts", "steps", "sizes", "stores", "load", "weight", "strategies")
    },
    "http": "over_http",
}
SECTIONS = {name: _module(module) for name, module in MODULES.items()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "sections", nargs="*", metavar="SECTION", help=f"of {', '.join(SECTIONS)}; all when none"
    )
    parser.add_argument("--quick", action="store_true", help="smaller counts: a few minutes")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="drafts only: time this checkout's app against that one's",
    )
    parser.add_argument(
        "--rounds", type=int, help="whole drafts per wizard (default: 300, --quick 30)"
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="exit 0 even if Redis, Django, Chromium, ... is missing",
    )
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.sections) - set(SECTIONS)):
        parser.error(f"unknown sections {unknown}; of {', '.join(SECTIONS)}")
    if args.against and args.sections not in ([], ["drafts"]):
        parser.error("--against compares whole drafts only: `python -m bench drafts --against DIR`")
    if args.against and not (args.against / "app" / "__init__.py").exists():
        parser.error(f"{args.against} has no app/ package")
    return args


def run(key: str, bench: Bench) -> Section:
    """One section; an error stops it, never the others."""
    try:
        return SECTIONS[key](bench)
    except Exception as e:
        import traceback

        traceback.print_exc()
        return Section(f"{key}: failed", missing=[f"failed: {type(e).__name__}: {e}"])


def summary(bench: Bench, done: list[Section], minutes: float, where: str) -> str:
    rows = [row for s in done for row in s.glance]
    rows += [
        (s.title, "", f"**not measured**: {m}", "**not measured**") for s in done for m in s.missing
    ]
    head = f"""# Expense Wizard benchmarks ({bench.plan.name} run)

Command: `python -m bench{"" if bench.plan.name == "full" else " --quick"}`. Medians of many runs;
ratios and differences are paired within the run (variants interleaved, a new random order
each round), with distribution-free 95% intervals. On a shared machine absolute times move
with its load: read the ratios. Run time {minutes:.1f} min.

{where}

## SPEC §8 at a glance

{table(["figure", "target", "measured", "verdict"], rows)}"""
    return "\n\n".join([head, *(f"## {s.title}\n\n{s.body}" for s in done if s.body)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = QUICK if args.quick else FULL
    plan = replace(plan, rounds=args.rounds) if args.rounds else plan
    if args.against:
        import drafts

        print(drafts.against(args.against, plan.rounds, plan.warmup))
        return 0
    where, started = machine(), time.perf_counter()
    problem = redis_problem()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        bench = Bench(plan, Path(scratch), None if problem else RedisKeys(), problem or "")
        try:
            done = [run(key, bench) for key in args.sections or SECTIONS]
        finally:
            if bench.redis:
                bench.redis.delete()
    text = summary(bench, done, (time.perf_counter() - started) / 60, where)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"summary{'' if plan.name == 'full' else '-quick'}.md"
    out.write_text(text)
    print(text)
    log(f"written to {out}")
    missing = [m for s in done for m in s.missing]
    return (
        1
        if any(m.startswith("failed") for m in missing) or (missing and not args.allow_missing)
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
