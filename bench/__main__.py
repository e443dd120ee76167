"""The viewer on 1, 10 and 100 MB documents, against Firefox's own JSON viewer and naive Pygments: `python -m bench`.

Every figure comes from one run on this machine: a real viewer process per size (POST over HTTP,
peak memory from /proc), headless Chromium for the page (timed inside the page), Firefox ESR's
own JSON viewer and Pygments over the whole document on the same file. Exits 1 if a target is missed.
"""
import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from tests.support import browsers

from . import baselines, report
from .errors import BenchError
from .run import document_file, measure_viewer

ROOT = Path(__file__).resolve().parents[1]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="document sizes in MB (10**6 bytes), comma-separated "
                                                          "(default 1,10,100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated documents (default 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out",
                        help="where the generated documents and results.json go (default bench/out)")
    parser.add_argument("--naive-timeout", type=float, default=240, metavar="SECONDS",
                        help="stop the naive Pygments run after this long (default 240)")
    parser.add_argument("--firefox-timeout", type=float, default=180, metavar="SECONDS",
                        help="give up on Firefox's first row after this long (default 180)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times each action in the page is measured; the median is shown (default 3)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    return parser


def sizes(text) -> list:
    try:
        values = sorted({float(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise BenchError(f"--sizes must be numbers of MB separated by commas, not {text!r}") from None
    if not values or min(values) <= 0:
        raise BenchError("--sizes needs at least one size above 0 MB")
    return values


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, "
            f"Python {platform.python_version()}; load average at the end {load}")


def measure(args) -> dict:
    results, chosen = {}, sizes(args.sizes)
    if args.rounds < 1:
        raise BenchError("--rounds must be at least 1")
    files = {size: document_file(args.out, size, args.seed) for size in chosen}
    chromium = browsers.chromium()
    try:
        for size in chosen:
            log(f"{size:g} MB: the viewer")
            results[size] = {"viewer": measure_viewer(files[size], chromium, args.rounds, second_post=size == chosen[-1])}
    finally:
        browsers.quit_chromium(chromium)
    firefox = baselines.firefox()
    try:
        for size in chosen:
            log(f"{size:g} MB: Firefox's JSON viewer")
            results[size]["firefox"] = baselines.firefox_first_row(files[size], args.firefox_timeout, firefox)
    finally:
        browsers.quit_firefox(firefox)
    for size in chosen:
        log(f"{size:g} MB: naive Pygments")
        results[size]["naive"] = baselines.naive_pygments(files[size], args.naive_timeout)
    return results


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    try:
        results = measure(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    table = report.rows(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2))
    print(report.markdown(table) if args.markdown else report.text(table))
    print(f"\n{machine()}; the run took {time.monotonic() - started:.0f} s.")
    missed = report.failures(table)
    if missed:
        print(f"{len(missed)} target{'s' if len(missed) != 1 else ''} missed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
